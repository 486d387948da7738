"""track: record each scored run in MLflow, once for each version of its results.

The score stage writes files only (DVC outputs, and its judges' measurements under
build/tracking/); this module turns a scored run into its MLflow run: a short metric list (with the
measurements that stay out of DVC outputs: latencies, cache hits, judge calls), the dataset input,
the model it evaluated, the items table and the confusion matrices. The report stage calls it for
every reported run before it logs the summary, and the Prefect flows call it after each run's
stages, so a long evaluation shows its runs in MLflow as they finish.

A run is logged only when MLflow does not already hold its results: a hash of everything logged
but the measurements is tagged last (`Tag.OUTPUTS`), so a re-run with the same results, or a
report after another run changed, costs one lookup, and a logging that was cut off is done again.
Measurements stay with the results they were logged with: the fan-out's parent, which gathers a
child's outputs without the child's latencies, finds the child's record complete. One
process that imports MLflow once can track any number of runs (the import is ~2 s of CPU; a run's
logging ~0.5 s).
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from vipbench.core.attributes import CATEGORICAL
from vipbench.core.errors import VipbenchError
from vipbench.core.io import write_json
from vipbench.core.records import Item, Response, ScoredItem
from vipbench.ops.tags import Tag
from vipbench.readers import (
    read_dataset_info,
    read_details,
    read_items,
    read_judge_measurements,
    read_measurements,
    read_responses,
    read_scores,
    read_utility,
    unreported_reason,
)
from vipbench.workspace import Run, Workspace


def trackable(ws: Workspace) -> list[str]:
    """The configured runs that have results to log (scored, and not failed since)."""
    return [r for r in ws.run_names() if unreported_reason(ws, r) is None]


def track(ws: Workspace, runs: Iterable[str] | None = None, force: bool = False) -> dict[str, str]:
    """Log `runs` (default: every trackable run) to MLflow; returns run name -> MLflow run id.

    A run MLflow already holds with the same results is not logged again unless `force`. Each
    run's id is written to its tracking file (build/tracking/<run>.json)."""
    if runs is None:
        names = trackable(ws)
    else:
        names = list(runs)
        for name in names:
            if (why := unreported_reason(ws, name)) is not None:
                raise VipbenchError(f"{name}: nothing to log to MLflow: {why}")
    return {name: track_run(ws, ws.run(name), force=force) for name in names}


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


def track_run(ws: Workspace, run: Run, force: bool = False) -> str:
    """Log one scored run (see the module's docstring) and return its MLflow run id."""
    from vipbench.analysis.capability import scores_for
    from vipbench.ops import mlflow_shape as shape
    from vipbench.ops import tracking
    from vipbench.ops.versioning import git_revision

    details = read_details(ws, run.name)
    if details is None or not run.scores_file.is_file():
        raise VipbenchError(f"{run.name}: not scored yet (no {run.details_file} or {run.scores_file})")
    scored = read_scores(ws, run.name)
    measured: dict[str, Any] = {"accounting": read_measurements(run), **read_judge_measurements(run)}
    identity, params = run_identity(ws, run)
    spec = run.spec
    model_id = str(getattr(spec, "model", None) or spec.kind)
    params = shape.identity_params(params, spec.uses_prompt(), spec.kind, model_id)
    capability = scores_for(getattr(spec, "model", None), spec.capability)
    metrics = _with_measurements(details, measured)
    flat = shape.model_metrics(metrics, ws.params.attributes, capability, ws.params.report.capability_column)
    tags = {
        Tag.KIND: spec.kind,
        Tag.MODEL: model_id,
        Tag.DATASET: str(params["dataset.name"]),
        Tag.DATASET_VERSION: str(params["dataset.version"]),
        Tag.PROMPT: str(params["prompt.variant"]),
        Tag.OUTPUT_FORMAT: str(params.get("prompt.output_format", shape.NO_PROMPT)),
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
    dataset_ref = shape.dataset_ref(ws.root, ws.data_dir, dataset, scored)
    table = shape.items_table(scored)
    full = shape.full_metrics_json(metrics)
    mlp = ws.params.mlflow
    # the results, not the measurements: those are logged with the results they came with, so a
    # checkout without them (the fan-out's parent, a `dvc pull`) finds the run complete
    results = shape.model_metrics(details, ws.params.attributes, capability, ws.params.report.capability_column)
    outputs = tracking.config_hash(
        {
            "params": params,
            "metrics": results,
            "tags": tags,
            "model": model.model_dump(mode="json"),
            "dataset": dataset_ref.model_dump(mode="json"),
            "items": table,
            "full": shape.full_metrics_json(details),
            "log_images": mlp.log_images,
            "traces": mlp.traces,
        }
    )
    run_id = None if force else tracking.logged_with(ws.root, ws.experiment, run.name, identity, outputs)
    if run_id is None:
        tags[Tag.GIT_REV] = git_revision(ws.root, ws.products) or "unknown"
        with tempfile.TemporaryDirectory() as tmp:
            confusion_dir = _confusion_artifacts(scored, Path(tmp) / "confusion")
            artifacts: dict[str, Path] = {"confusion": confusion_dir} if confusion_dir else {}
            if mlp.log_images:  # personal data: only when the user opts in
                artifacts["images"] = _image_copies(ws, run, Path(tmp) / "images")
            run_id = tracking.log_run(
                ws.root,
                ws.experiment,
                run.name,
                identity,
                params,
                flat,
                tags,
                tables={"items.json": table},
                artifacts=artifacts or None,
                dataset=dataset_ref,
                model=model,
                texts={"metrics_full.json": full},
                outputs=None if mlp.traces else outputs,
            )
        if mlp.traces:
            _log_traces(ws, run, run_id, scored, read_items(ws, run), read_responses(ws, run.name))
            tracking.mlflow_for(ws.root).MlflowClient().set_tag(run_id, Tag.OUTPUTS, outputs)
    write_json(run.tracking_file, {"run": run.name, "mlflow_run_id": run_id})
    return run_id


def _with_measurements(details: dict[str, Any], measured: dict[str, Any]) -> dict[str, Any]:
    """The run's metrics with the inference's latencies and cache hits, and the judges' calls,
    joined in: measurements join the MLflow view, never the DVC outputs."""
    timing = measured.get("accounting") or {}
    accounting = {
        scope: {**((details.get("accounting") or {}).get(scope) or {}), **(timing.get(scope) or {})}
        for scope in ("overall", "attributes")
    }
    metrics = {**details, "accounting": {**(details.get("accounting") or {}), **accounting}}
    if "wall_s" in timing:
        metrics["accounting"]["wall_s"] = timing["wall_s"]
    if "llm_judge" in measured:
        metrics["llm_judge"] = {**(details.get("llm_judge") or {}), **measured["llm_judge"]}
    return metrics


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
