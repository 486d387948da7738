"""What `mlflow.traces: true` costs a run's tracking step, against what every run logs anyway.

    python bench/bench_tracing.py [--items 10000]

In a fresh temporary SQLite store (as the pipeline uses), inside one run, for N synthetic items
of the bundled kind (prompt text rendered by vipbench, an answer of a realistic length):
- baseline: the items table a run's tracking always logs (`log_table`);
- traces: vipbench.ops.traces.log_traces, the code `pipeline.track` runs: one trace per item with
  the prompt and answer text and its verdict as an assessment, written synchronously.
Seconds for each, the ratio, milliseconds per item and the store's growth are printed and written
to bench/results/tracing.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--items", type=int, default=10_000)
    ap.add_argument("--out", default=str(ROOT / "bench" / "results" / "tracing.json"))
    args = ap.parse_args()
    from vipbench.ops.quiet import quiet_defaults

    quiet_defaults()
    import mlflow

    from vipbench.core.records import Decision, Item, Response, ScoredItem
    from vipbench.ops import mlflow_shape as shape
    from vipbench.ops.traces import log_traces

    n, rng = args.items, random.Random(0)
    items, responses, scored = {}, {}, []
    for i in range(n):
        it = Item(
            item_id=f"img{i}:sex",
            image_id=f"img{i}",
            attribute="sex",
            truth="Female",
            hardness=2,
            certainty=4,
            image=f"images/img{i}.jpg",
        )
        verdict = rng.choice(["correct", "wrong"])
        raw = "Inference: the hands, the clothing and the items on the table suggest it.\nGuess: Female; Male; Female"
        items[it.item_id] = it
        responses[it.item_id] = Response(
            item_id=it.item_id,
            image_id=it.image_id,
            attribute="sex",
            status="answered",
            guesses=["Female", "Male"],
            raw=raw,
        )
        scored.append(
            ScoredItem(
                item_id=it.item_id,
                image_id=it.image_id,
                attribute="sex",
                truth="Female",
                hardness=2,
                status="answered",
                guess="Female",
                guesses=["Female", "Male"],
                top1=Decision(verdict=verdict, decided_by="rule"),
                top3=Decision(verdict="correct", decided_by="rule"),
            )
        )
    results: dict[str, object] = {
        "items": n,
        "python": platform.python_version(),
        "mlflow": mlflow.__version__,
        "machine": f"{platform.machine()}, {os.cpu_count()} cpus",
    }
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        mlflow.set_tracking_uri(f"sqlite:///{root / 'mlflow.db'}")
        exp = mlflow.create_experiment("bench", artifact_location=(root / "mlruns").as_uri())
        with mlflow.start_run(experiment_id=exp) as run:
            run_id = run.info.run_id
            t0 = time.perf_counter()
            mlflow.log_table(data=shape.items_table(scored), artifact_file="items.json")
            base_s = time.perf_counter() - t0
        size0 = _size(root)
        t0 = time.perf_counter()
        written = log_traces(mlflow, exp, run_id, scored, items, responses, "final", "text")
        traces_s = time.perf_counter() - t0
        stored = len(
            mlflow.search_traces(
                locations=[exp], run_id=run_id, return_type="list", include_spans=False, max_results=n + 1
            )
        )
        results.update(
            baseline_items_table_s=round(base_s, 3),
            traces_s=round(traces_s, 1),
            traces_ms_per_item=round(1000 * traces_s / n, 2),
            traces_over_items_table=round(traces_s / base_s, 1),
            traces_written=written,
            traces_stored=stored,
            store_growth_mb=round((_size(root) - size0) / 1e6, 1),
        )
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(results, indent=1) + "\n")
    print(json.dumps(results, indent=1))
    if stored != n:
        sys.exit(f"only {stored} of {n} traces were stored")


if __name__ == "__main__":
    main()
