"""Conformance against an OpenAI-compatible server someone else wrote: `transformers serve`.

The test builds a tiny random LLaVA, serves it with transformers' own FastAPI server on
127.0.0.1, and runs the `openai` kind against it through `dvc repro`: images travel as data URLs,
usage comes back in the body, and finish reasons are read. The random model writes gibberish, so
its answers are unparseable; what must hold is that every request succeeded and was accounted.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from testkit.repo import make_repo, run
from testkit.vip import label, record, write_dataset

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def served_tiny_llava(tmp_path: Path) -> Iterator[tuple[str, str]]:
    from testkit.tiny_vlm import build_tiny_llava

    model = build_tiny_llava(tmp_path / "tiny-llava")
    port = _free_port()
    exe = Path(sys.executable).parent / "transformers"
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    log = (tmp_path / "serve.log").open("w")
    proc = subprocess.Popen(
        [str(exe), "serve", str(model), "--host", "127.0.0.1", "--port", str(port), "--device", "cpu"],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=env,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                with urllib.request.urlopen(f"{base}/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"transformers serve did not start:\n{(tmp_path / 'serve.log').read_text()}")
            time.sleep(0.5)
        yield f"{base}/v1", str(model)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
        log.close()


def test_openai_kind_against_transformers_serve(tmp_path: Path, served_tiny_llava: tuple[str, str]) -> None:
    base_url, model = served_tiny_llava
    recs = [record(f"img{i}", {"sex": label("Female" if i % 2 else "Male")}) for i in range(4)]
    models = {
        "served": {
            "kind": "openai",
            "model": model,
            "base_url": base_url,
            "api_key_env": "VIPBENCH_TEST_NO_KEY",
            "max_tokens": 12,
            "max_concurrency": 2,
            "timeout": 60,
            "max_retries": 1,
        },
    }
    root = make_repo(
        tmp_path,
        write_dataset(tmp_path / "ds", recs),
        {
            "attributes": ["sex"],
            "models": models,
            "defense_eval": {"runs": [], "defenses": []},
            "scoring": {"bootstrap_samples": 50, "seed": 0, "reviews": "reviews/decisions.jsonl"},
        },
    )
    run(["dvc", "repro"], root)
    rows = [json.loads(x) for x in (root / "build" / "responses" / "served.jsonl").read_text().splitlines()]
    assert len(rows) == 4
    assert {r["status"] for r in rows} <= {"answered", "unparseable", "refused"}, [r["reason"] for r in rows]
    # usage from the server's body: the prompt includes the image tokens; 12 tokens came back
    assert all(r["input_tokens"] > 20 and r["output_tokens"] == 12 for r in rows)
    # finish_reason "length" is read and explained
    assert all("max_tokens" in (r["reason"] or "") for r in rows if r["status"] == "unparseable")
    metrics = json.loads((root / "metrics" / "served.json").read_text())
    assert metrics["overall"]["n"] == 4
