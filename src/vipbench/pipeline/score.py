"""score: judge every response, compute the run's metrics, and record the run in MLflow.

Writes the run's headline figures to metrics/<run>.json (the DVC metric), everything else to
build/details/<run>.json (a DVC output), and both, with the run-to-run measurements of the
inference (latencies, cache hits), to MLflow. DVC outputs hold only what a re-run repeats.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from vipbench.core.attributes import CATEGORICAL
from vipbench.core.io import write_json, write_jsonl
from vipbench.core.records import Item, Response, ScoredItem
from vipbench.ops.tags import Tag
from vipbench.readers import read_dataset_info, read_items, read_measurements, read_responses, read_utility
from vipbench.workspace import Run, Workspace


def score(ws: Workspace, run: str, track: bool = True) -> dict[str, Any]:
    """Score a run; returns its full metrics (the details)."""
    from vipbench.analysis.metrics import headline, run_metrics
    from vipbench.pipeline.accounting import accounting
    from vipbench.review.store import agreement, load_overrides, read_reviews
    from vipbench.scoring import score_run

    p = ws.params
    this = ws.run(run)
    items = read_items(ws, this)
    responses = read_responses(ws, run)
    overrides = load_overrides(ws.reviews_file)
    panel = _judge_panel(ws)
    try:
        scored = score_run(items, responses, overrides, judge_fn=panel.judge_fn if panel else None)
        floor = _floor(items, scored, overrides, panel, p.attributes)
    finally:
        if panel:
            panel.close()
    details = run_metrics(scored, p.attributes, n_boot=p.scoring.bootstrap_samples, seed=p.scoring.seed)
    details["floor"] = floor
    details["accounting"] = accounting(list(responses.values()))
    details["review_agreement"] = agreement(read_reviews(ws.reviews_file))
    if any(r.zoom_boxes for r in responses.values()):
        from vipbench.imaging.zoom import cue_hits

        details["zoom"] = cue_hits(
            [
                (list(responses[it.item_id].zoom_boxes), [c.box for c in it.cues])
                for it in items
                if it.item_id in responses
            ]
        )
    if (u := read_utility(this)) is not None:
        # the image utility the defense kept, so the report needs no other file
        kept = {k: u.get(k) for k in ("kind", "ssim", "psnr", "n_images", "n_failed")}
        details["defense"] = {"name": this.defense, **kept}
    measured: dict[str, Any] = {"accounting": read_measurements(this)}
    if panel:
        # votes and disagreements repeat; how many votes came from the cache does not
        details["llm_judge"] = {"votes": panel.calls + panel.cache_hits, "disagreements": len(panel.disagreements)}
        measured["llm_judge"] = {"calls": panel.calls, "cache_hits": panel.cache_hits}
    # never empty (DVC warns about an empty output): the run, and its judges' disagreeing votes
    write_json(this.judging_file, {"run": run, "disagreements": panel.disagreements if panel else []})
    write_jsonl(this.scores_file, scored)
    run_id = track_run(ws, this, scored, details, measured, items, responses) if track else None
    write_json(this.tracking_file, {"run": run, "mlflow_run_id": run_id})
    write_json(this.details_file, details)
    write_json(this.metrics_file, headline(details))
    return details


def _floor(
    items: Sequence[Item], scored: list[ScoredItem], overrides: Any, panel: Any, attributes: Sequence[str]
) -> dict[str, Any]:
    """The majority guess on the same items, judged the same way, and the run's lift over it."""
    from vipbench.analysis.floor import floor_block
    from vipbench.core.floor import floor_response, majority_guesses
    from vipbench.scoring import score_run

    guesses = majority_guesses(items)
    responses = {it.item_id: floor_response(it, guesses) for it in items}
    floor = score_run(items, responses, overrides, judge_fn=panel.judge_fn if panel else None)
    return floor_block(scored, floor, attributes)


def _judge_panel(ws: Workspace):  # type: ignore[no-untyped-def]
    if not ws.params.scoring.judges:
        return None
    from vipbench.scoring.llm_judge import LLMJudgePanel

    return LLMJudgePanel(ws.params.scoring.judges, ws.judge_cache_path)


def run_identity(ws: Workspace, run: Run) -> tuple[dict[str, Any], dict[str, Any]]:
    """(identity, params) of a run for MLflow. The identity defines 'the same configuration'."""
    spec = run.spec
    dataset = read_dataset_info(ws)
    params: dict[str, Any] = {f"model.{k}": v for k, v in spec.public_dict().items()}
    params["dataset.version"] = dataset["version"]
    params["dataset.version_source"] = dataset["version_source"]
    params["dataset.name"] = dataset["name"]
    params["filters"] = ws.params.filters.model_dump()
    if spec.uses_prompt():
        from vipbench.prompts.render import template_hash

        params["prompt.variant"] = spec.prompt
        params["prompt.output_format"] = spec.output_format
        params["prompt.hash"] = template_hash(spec.prompt, spec.output_format)
    else:
        params["prompt.variant"] = "none"
    if run.defense_spec is not None and (utility := read_utility(run)) is not None:
        params["defense"] = run.defense
        # the entry as params.yaml writes it (the keys set there), so the identity stays stable
        params["defense.spec"] = run.defense_spec.model_dump(mode="json", exclude_unset=True)
        params["defense.ssim"] = utility.get("ssim")
    identity = {"run": run.name, **params}
    return identity, params


def track_run(
    ws: Workspace,
    run: Run,
    scored: list[ScoredItem],
    metrics: dict[str, Any],
    measured: dict[str, Any],
    items: Sequence[Item],
    responses: Mapping[str, Response],
) -> str:
    """Log the run to MLflow: a short metric list (the measurements that stay out of DVC outputs
    included), the dataset input, the model it evaluated, and the items table."""
    from vipbench.analysis.capability import scores_for
    from vipbench.ops import mlflow_shape as shape
    from vipbench.ops import tracking
    from vipbench.ops.versioning import git_revision

    identity, params = run_identity(ws, run)
    spec = run.spec
    model_id = str(getattr(spec, "model", None) or spec.kind)
    params = shape.identity_params(params, spec.uses_prompt(), spec.kind, model_id)
    capability = scores_for(getattr(spec, "model", None), spec.capability)
    # latencies and cache hits are measurements: they join the MLflow view, never the DVC outputs
    timing = measured.get("accounting") or {}
    accounting = {
        scope: {**((metrics.get("accounting") or {}).get(scope) or {}), **(timing.get(scope) or {})}
        for scope in ("overall", "attributes")
    }
    metrics = {**metrics, "accounting": {**(metrics.get("accounting") or {}), **accounting}}
    if "wall_s" in timing:
        metrics["accounting"]["wall_s"] = timing["wall_s"]
    flat = shape.model_metrics(metrics, ws.params.attributes, capability, ws.params.report.capability_column)
    tags = {
        Tag.KIND: spec.kind,
        Tag.MODEL: model_id,
        Tag.DATASET: str(params["dataset.name"]),
        Tag.DATASET_VERSION: str(params["dataset.version"]),
        Tag.PROMPT: str(params["prompt.variant"]),
        Tag.OUTPUT_FORMAT: str(params.get("prompt.output_format", shape.NO_PROMPT)),
        Tag.GIT_REV: git_revision(ws.root, ws.products) or "unknown",
        Tag.DEFENSE: run.defense or "none",
        Tag.BASE_RUN: run.base,
    }
    dataset = read_dataset_info(ws)
    model = shape.ModelRef(
        name=shape.logged_model_name(model_id),
        model_type=spec.kind,
        params={k: str(params[k]) for k in ("model.kind", "model.model", "prompt.variant", "prompt.output_format")},
        tags={Tag.RUN_KEY: run.name},
    )
    with tempfile.TemporaryDirectory() as tmp:
        confusion_dir = _confusion_artifacts(scored, Path(tmp) / "confusion")
        artifacts: dict[str, Path] = {"confusion": confusion_dir} if confusion_dir else {}
        if ws.params.mlflow.log_images:  # personal data: only when the user opts in
            artifacts["images"] = _image_copies(ws, run, Path(tmp) / "images")
        run_id = tracking.log_run(
            ws.root,
            ws.experiment,
            run.name,
            identity,
            params,
            flat,
            tags,
            tables={"items.json": shape.items_table(scored)},
            artifacts=artifacts or None,
            dataset=shape.dataset_ref(ws.root, ws.data_dir, dataset, scored),
            model=model,
            texts={"metrics_full.json": shape.full_metrics_json(metrics)},
        )
    if ws.params.mlflow.traces:
        _log_traces(ws, run, run_id, scored, items, responses)
    return run_id


def _log_traces(
    ws: Workspace,
    run: Run,
    run_id: str,
    scored: list[ScoredItem],
    items: Sequence[Item],
    responses: Mapping[str, Response],
) -> None:
    """One MLflow trace per item in the run (mlflow.traces: true)."""
    from vipbench.ops import tracking
    from vipbench.ops.traces import log_traces

    spec = run.spec
    log_traces(
        tracking.mlflow_for(ws.root),
        tracking.ensure_experiment(ws.root, ws.experiment),
        run_id,
        scored,
        {it.item_id: it for it in items},
        responses,
        spec.prompt if spec.uses_prompt() else None,
        str(getattr(spec, "output_format", "text")),
    )


def _image_copies(ws: Workspace, run: Run, out: Path) -> Path:
    """The images this run was shown (defended ones for a defended run), for MLflow."""
    out.mkdir(parents=True)
    for rel in sorted({it.image for it in read_items(ws, run)}):
        src = run.images_dir / rel
        if src.is_file():
            shutil.copyfile(src, out / src.name)
    return out


def _confusion_artifacts(scored: list[ScoredItem], out: Path) -> Path | None:
    from vipbench.analysis.metrics import confusion
    from vipbench.analysis.plots import confusion_png

    out.mkdir(parents=True)
    written = False
    for attr in CATEGORICAL:
        if not any(s.attribute == attr for s in scored):
            continue
        labels, matrix = confusion(scored, attr)
        (out / f"{attr}.json").write_text(json.dumps({"labels": labels, "matrix": matrix}, indent=1))
        confusion_png(attr, labels, matrix, out / f"{attr}.png")
        written = True
    return out if written else None
