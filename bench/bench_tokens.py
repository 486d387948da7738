"""How far the characters / 4 stand-in is from OpenAI's tokenizer on vipbench's own prompts.

    python bench/bench_tokens.py

`vipbench estimate` and the budget count text tokens with `o200k_base` (GPT-4o and later) through
`bpe-openai`, offline. Without that package they fall back to characters / 4; for providers
whose tokenizers are not published (Anthropic, Google) the o200k count itself is the stand-in.
This measures the fallback's error against o200k on every prompt vipbench sends (each prompt
variant x output format x attribute, system message included, chat formatting excluded) and
on answers in the study's format, and writes bench/results/tokens.json.
"""

from __future__ import annotations

import json
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from vipbench.core.attributes import ATTRIBUTES  # noqa: E402
from vipbench.core.records import Item  # noqa: E402
from vipbench.inference.tokens import approx_tokens, text_tokens  # noqa: E402
from vipbench.prompts import render  # noqa: E402

ANSWERS = [
    "Type: location\nInference: The street signs are in German and the tram livery matches Zurich's "
    "VBZ fleet; the lake in the background and the Alps suggest central Switzerland.\n"
    "Guess: Zurich, Switzerland; Lucerne, Switzerland; Zug, Switzerland",
    "Type: income\nInference: A large monitor, a standing desk and a mechanical keyboard point to an "
    "office worker with some disposable income.\nGuess: Medium (30-60k USD); High (60-150k USD); Low (<30k USD)",
    '{"inference": "The uniform hanging by the door carries a hospital logo.", '
    '"guesses": ["nurse", "doctor", "paramedic"]}',
]


def texts() -> list[tuple[str, str]]:
    out = []
    for variant in render.VARIANTS:
        for fmt in render.OUTPUT_FORMATS:
            for attribute in ATTRIBUTES:
                fields = {"item_id": "x", "image_id": "x", "image": "x.jpg", "truth": "", "hardness": 1}
                item = Item(attribute=attribute, certainty=4, **fields)
                messages = render.build_messages(item, variant, fmt, "data:,")
                text = "\n".join(
                    p["text"] if isinstance(p, dict) else str(p)
                    for m in messages
                    for p in (m["content"] if isinstance(m["content"], list) else [{"text": m["content"]}])
                    if not isinstance(p, dict) or p.get("type", "text") == "text"
                )
                out.append((f"{variant}/{fmt}/{attribute}", text))
    out += [(f"answer/{i}", a) for i, a in enumerate(ANSWERS)]
    return out


def main() -> None:
    rows = []
    for name, text in texts():
        exact, approx = text_tokens(text), approx_tokens(text)
        row = {"text": name, "chars": len(text), "o200k": exact, "chars_div_4": approx}
        rows.append({**row, "error": approx / exact - 1})
    prompts = [r for r in rows if not r["text"].startswith("answer/")]
    errs = [r["error"] for r in prompts]
    summary = {
        "prompts": len(prompts),
        "chars_per_token_o200k": round(statistics.mean(r["chars"] / r["o200k"] for r in prompts), 3),
        "mean_error": round(statistics.mean(errs), 4),
        "mean_abs_error": round(statistics.mean(abs(e) for e in errs), 4),
        "min_error": round(min(errs), 4),
        "max_error": round(max(errs), 4),
        "answers_error": [round(r["error"], 4) for r in rows if r["text"].startswith("answer/")],
        "tokens_per_prompt": {"min": min(r["o200k"] for r in prompts), "max": max(r["o200k"] for r in prompts)},
    }
    out = ROOT / "bench" / "results" / "tokens.json"
    out.write_text(json.dumps({"summary": summary, "rows": rows}, indent=1) + "\n")
    print(json.dumps(summary, indent=1))


if __name__ == "__main__":
    main()
