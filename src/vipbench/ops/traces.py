"""Optional MLflow traces: one trace per item, with its verdict as an assessment.

With `mlflow.traces: true` a run's tracking (`pipeline.track`) records, inside the model run,
one trace per item: an LLM span whose inputs are the item (id, image id, attribute, the image's
path) and the prompt's text, whose outputs are the model's raw answer and status, and whose
attributes carry the verdict. The top-1 verdict is also attached as an assessment ("verdict", true for correct, with
who decided it), so MLflow's trace and evaluation views list and filter items by it.

Image bytes never enter a trace: an image is named by its path. Images reach MLflow only as run
artifacts, and only with `mlflow.log_images: true`.

It is off by default because of what it costs: bench/bench_tracing.py measured the cost per item
against the items table that every run logs anyway (see the README). Traces are written
synchronously (MLflow's asynchronous queue drops traces when thousands arrive at once, and the
stage would have to wait for them anyway). A re-run replaces the run's traces instead of adding to
them.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any

from vipbench.core.records import Item, Response, ScoredItem

#: traces deleted per request when a re-run replaces them
_DELETE_BATCH = 100


def prompt_text(item: Item, variant: str | None, output_format: str) -> str:
    """The text of the item's (first) request; "" for a model that uses no prompt."""
    if variant is None:
        return ""
    from vipbench.inference.images import PLACEHOLDER_URL
    from vipbench.prompts import render

    messages = render.build_messages(item, variant, output_format, PLACEHOLDER_URL)
    texts: list[str] = []
    for m in messages:
        content = m["content"]
        if isinstance(content, str):
            texts.append(content)
        else:
            texts.extend(p["text"] for p in content if p.get("type") == "text")
    return "\n\n".join(texts)


def log_traces(
    mlflow: Any,
    experiment_id: str,
    run_id: str,
    scored: Sequence[ScoredItem],
    items: Mapping[str, Item],
    responses: Mapping[str, Response],
    variant: str | None,
    output_format: str,
) -> int:
    """Replace the run's traces with one per scored item; the number written.

    `mlflow` is the module with the tracking URI already set (ops.tracking's client).
    """
    os.environ["MLFLOW_ENABLE_ASYNC_TRACE_LOGGING"] = "false"
    from mlflow.entities import AssessmentSource, AssessmentSourceType

    _delete_run_traces(mlflow, experiment_id, run_id)
    n = 0
    with mlflow.start_run(run_id=run_id):
        for s in scored:
            item, resp = items.get(s.item_id), responses.get(s.item_id)
            with mlflow.start_span(name=f"{s.attribute}", span_type="LLM") as span:
                span.set_inputs(
                    {
                        "item_id": s.item_id,
                        "image_id": s.image_id,
                        "attribute": s.attribute,
                        "image": item.image if item else "",
                        "prompt": prompt_text(item, variant, output_format) if item else "",
                    }
                )
                span.set_outputs({"status": s.status, "answer": resp.raw if resp else "", "guesses": s.guesses[:3]})
                span.set_attributes(
                    {
                        "vipbench.truth": s.truth,
                        "vipbench.verdict": s.top1.verdict,
                        "vipbench.top3": s.top3.verdict,
                        "vipbench.decided_by": s.top1.decided_by,
                    }
                )
                trace_id = span.trace_id
            mlflow.log_feedback(
                trace_id=trace_id,
                name="verdict",
                value=s.top1.verdict == "correct",
                rationale=f"{s.top1.verdict} ({s.top1.decided_by}){': ' + s.top1.detail if s.top1.detail else ''}",
                source=AssessmentSource(source_type=AssessmentSourceType.CODE, source_id=s.top1.decided_by),
            )
            n += 1
    return n


def _delete_run_traces(mlflow: Any, experiment_id: str, run_id: str) -> None:
    from mlflow.tracking import MlflowClient

    old = mlflow.search_traces(locations=[experiment_id], run_id=run_id, return_type="list", include_spans=False)
    ids = [t.info.trace_id for t in old]
    client = MlflowClient()
    for i in range(0, len(ids), _DELETE_BATCH):
        client.delete_traces(experiment_id=experiment_id, trace_ids=ids[i : i + _DELETE_BATCH])
