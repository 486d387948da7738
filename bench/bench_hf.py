"""HF batching: items per second of the tiny random LLaVA on CPU, batch 8 against batch 1.

    python bench/bench_hf.py [--items 48] [--max-new-tokens 64] [--batch 8] [--repeats 3]

Each configuration runs through the real adapter (prompt rendering with the 'final' prompt, chat
template, image loading, left-padded greedy generation, parsing, cache writes) with an empty
response cache and the weights already loaded, after one warm-up batch. The median of the repeats
is reported. The random model rarely emits its end token, so every item generates about
max_new_tokens tokens. The results are printed and written to bench/results/hf.json.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PIL import Image  # noqa: E402

from testkit.tiny_vlm import build_tiny_llava  # noqa: E402
from vipbench.core.records import Item, Response  # noqa: E402
from vipbench.models.hf import HFAdapter, HFSpec  # noqa: E402
from vipbench.models.kinds import create_adapter  # noqa: E402
from vipbench.models.registry import RunContext  # noqa: E402

ATTRIBUTES = [
    "location",
    "placeOfImage",
    "sex",
    "age",
    "occupation",
    "income",
    "maritalStatus",
    "educationLevel",
]


def make_items(root: Path, n: int) -> list[Item]:
    (root / "images").mkdir(parents=True, exist_ok=True)
    items = []
    for i in range(n):
        name = f"images/img-{i}.jpg"
        Image.new("RGB", (320 + 7 * i, 240 + 3 * i), (i * 37 % 255, 90, 160)).save(root / name)
        attribute = ATTRIBUTES[i % len(ATTRIBUTES)]
        items.append(
            Item(
                item_id=f"item-{i}",
                image_id=f"img-{i}",
                attribute=attribute,
                truth="x",
                hardness=2,
                certainty=4,
                image=name,
            )
        )
    return items


def measure(
    model: Path, root: Path, items: list[Item], batch: int, max_new_tokens: int, repeats: int
) -> dict[str, Any]:
    """The median of `repeats` timed runs, each with a loaded model and an empty cache."""
    spec = HFSpec(kind="hf", model=str(model), batch_size=batch, max_new_tokens=max_new_tokens)
    walls: list[float] = []
    responses: list[Response] = []
    for rep in range(repeats + 1):
        ctx = RunContext(run_name="bench", data_dir=root, cache_path=root / f"cache-b{batch}-{rep}.sqlite")
        adapter = create_adapter(spec, ctx)
        assert isinstance(adapter, HFAdapter)
        adapter.backend.load()  # loading the weights is not part of the throughput
        start = time.perf_counter()
        # the first round is a warm-up on one batch
        responses = list(adapter.infer(items if rep else items[:batch]))
        wall = time.perf_counter() - start
        adapter.close()
        if rep:
            walls.append(wall)
    statuses: dict[str, int] = {}
    for r in responses:
        statuses[r.status] = statuses.get(r.status, 0) + 1
    assert len(responses) == len(items) and "error" not in statuses, statuses
    assert not any(r.cached for r in responses)
    wall = statistics.median(walls)
    return {
        "batch_size": batch,
        "items": len(items),
        "repeats": repeats,
        "wall_s_median": round(wall, 3),
        "wall_s_all": [round(w, 3) for w in walls],
        "items_per_s": round(len(items) / wall, 2),
        "output_tokens": sum(r.output_tokens for r in responses),
        "input_tokens_mean": round(sum(r.input_tokens for r in responses) / len(responses), 1),
        "statuses": statuses,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--items", type=int, default=48)
    ap.add_argument("--max-new-tokens", type=int, default=64)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "hf.json")
    args = ap.parse_args()

    import torch
    import transformers

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        model = build_tiny_llava(root / "tiny-llava")
        items = make_items(root / "data", args.items)
        single = measure(model, root / "data", items, 1, args.max_new_tokens, args.repeats)
        batched = measure(model, root / "data", items, args.batch, args.max_new_tokens, args.repeats)
    speedup = batched["items_per_s"] / single["items_per_s"]
    result = {
        "bench": "hf_batching",
        "model": "tiny random LLaVA (testkit/tiny_vlm.py), prompt 'final', text format",
        "device": "cpu",
        "torch_threads": torch.get_num_threads(),
        "torch": torch.__version__,
        "transformers": transformers.__version__,
        "python": platform.python_version(),
        "max_new_tokens": args.max_new_tokens,
        "batch_1": single,
        f"batch_{args.batch}": batched,
        "speedup": round(speedup, 2),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    for r in (single, batched):
        print(
            f"batch {r['batch_size']}: {r['items_per_s']:.1f} items/s "
            f"(median {r['wall_s_median']:.2f} s for {args.items} items over {args.repeats} runs)"
        )
    shown = args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out
    print(f"speedup: {speedup:.2f}x -> {shown}")


if __name__ == "__main__":
    main()
