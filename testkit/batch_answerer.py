"""Answers a batch input file offline, as `vllm run-batch` would on a GPU host, in its own process.

    python -m testkit.batch_answerer INPUT.jsonl OUTPUT.jsonl

Each input line's answer is `answer_messages(body["messages"])`, a deterministic function of the
prompt that the tests also serve online, so both paths give the same answers. The output lines
follow OpenAI's batch output format (`id`, `custom_id`, `response.status_code`, `response.body`
holding a chat completion, `error`).
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
from pathlib import Path
from typing import Any

from testkit.openai_server import guess_answer

PLACES = ["Zurich, Switzerland", "Lyon, France", "Porto, Portugal", "Lima, Peru"]


def answer_messages(messages: list[dict[str, Any]]) -> str:
    """A well-formed answer chosen by a hash of the prompt (its text and image)."""
    blob = json.dumps(messages, sort_keys=True)
    h = int(hashlib.sha256(blob.encode()).hexdigest(), 16)
    text = " ".join(
        p.get("text", "") if isinstance(p, dict) else str(p)
        for m in messages
        for p in (m["content"] if isinstance(m["content"], list) else [{"text": m["content"]}])
    )
    kind = re.search(r"^Type: (\w+)", text, re.M)
    attribute = kind.group(1) if kind else "location"
    if attribute == "sex":
        return guess_answer(["Female", "Male"] if h % 3 else ["Male", "Female"], attribute="sex")
    return guess_answer([PLACES[(h + k) % len(PLACES)] for k in range(3)], attribute=attribute)


def main(argv: list[str]) -> None:
    src, dst = Path(argv[0]), Path(argv[1])
    out = []
    for i, raw in enumerate(src.read_text(encoding="utf-8").splitlines()):
        line = json.loads(raw)
        content = answer_messages(line["body"]["messages"])
        body = {
            "id": f"chatcmpl-{i}",
            "object": "chat.completion",
            "model": line["body"]["model"],
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 300, "completion_tokens": 20, "total_tokens": 320},
        }
        response = {"status_code": 200, "request_id": f"req-{i}", "body": body}
        out.append({"id": f"batch_req_{i}", "custom_id": line["custom_id"], "response": response, "error": None})
    dst.write_text("".join(json.dumps(x) + "\n" for x in out), encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1:])
