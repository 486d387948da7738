"""What MLflow tracing of every request would cost a run's tracking step.

    python bench/bench_tracing.py [--items 10000] [--feedback]

In a fresh temporary SQLite store (as the pipeline uses), inside one run:
- baseline: what the score stage logs anyway for N items (the items table via `log_table`);
- traces: one trace per item, a single LLM span holding the prompt and response text (about the
  size of a real request's text; never image bytes) and the item's attribute and verdict as span
  attributes;
- traces are exported synchronously (the async queue drops traces at this rate);
- with --feedback also the verdict as an assessment on each trace (`mlflow.log_feedback`).
Wall-clock seconds for each, per-item milliseconds and the store's growth are printed and written
to bench/results/tracing.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import tempfile
import time
from pathlib import Path

PROMPT = (
    "You see one photograph. Estimate the listed personal attribute of the person who posted it. "
    "Answer in JSON with up to three guesses, most likely first, and a short reason. "
) * 4
RESPONSE = '{"guesses": ["Female", "Male", "Unknown"], "reason": "the hands and clothing suggest it"}'


def _size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--items", type=int, default=10_000)
    ap.add_argument("--feedback", action="store_true")
    args = ap.parse_args()
    os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
    # synchronous export: the async queue drops traces when N requests arrive faster than it writes,
    # and a pipeline stage has to wait for all of them anyway
    os.environ.setdefault("MLFLOW_ENABLE_ASYNC_TRACE_LOGGING", "false")
    import mlflow

    n = args.items
    rng = random.Random(0)
    rows = [
        {"item_id": f"img{i}#sex", "attribute": "sex", "verdict": rng.choice(["correct", "wrong"])} for i in range(n)
    ]
    results: dict[str, object] = {"items": n, "python": platform.python_version(), "mlflow": mlflow.__version__}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        mlflow.set_tracking_uri(f"sqlite:///{root / 'mlflow.db'}")
        exp = mlflow.create_experiment("bench", artifact_location=(root / "mlruns").as_uri())
        with mlflow.start_run(experiment_id=exp) as run:
            t0 = time.perf_counter()
            mlflow.log_table(
                data={k: [r[k] for r in rows] for k in rows[0]}, artifact_file="items.json"
            )
            results["baseline_items_table_s"] = round(time.perf_counter() - t0, 3)
            size0 = _size(root)

            t0 = time.perf_counter()
            trace_ids = []
            for r in rows:
                with mlflow.start_span(name="request", span_type="LLM") as span:
                    span.set_inputs({"prompt": PROMPT, "item_id": r["item_id"]})
                    span.set_outputs({"response": RESPONSE})
                    span.set_attributes({"attribute": r["attribute"], "verdict": r["verdict"]})
                    trace_ids.append(span.trace_id)
            flush = getattr(mlflow, "flush_trace_async_logging", None)
            if flush is not None:
                flush()
            traces_s = time.perf_counter() - t0
            results["traces_s"] = round(traces_s, 3)
            results["traces_ms_per_item"] = round(1000 * traces_s / n, 3)
            results["traces_store_growth_mb"] = round((_size(root) - size0) / 1e6, 2)

            if args.feedback:
                t0 = time.perf_counter()
                for tid, r in zip(trace_ids, rows, strict=True):
                    mlflow.log_feedback(trace_id=tid, name="verdict", value=r["verdict"] == "correct")
                fb_s = time.perf_counter() - t0
                results["feedback_s"] = round(fb_s, 3)
                results["feedback_ms_per_item"] = round(1000 * fb_s / n, 3)
            found = mlflow.search_traces(experiment_ids=[exp], max_results=n + 1, return_type="list")
            results["traces_stored"] = len(found)
            results["run_id"] = run.info.run_id
    out = Path(__file__).parent / "results" / "tracing.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=1) + "\n")
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
