"""Flow: evaluate chosen model runs through the DVC pipeline.

    python -m flows.evaluate [--repo .] [--run NAME ...] [--prompt VARIANT ...] [--no-push]
                             [--dry-run] [--max-cost-usd USD] [--fan-out DEPLOYMENT] [--local]

With `--fan-out evaluate-run/vipbench-evaluate-run` and a Prefect server, step 3 sends each run
to a work pool's workers and gathers their stages through DVC's run cache (flows/fanout.py);
the rest is the same. Without it, or with `--local`:

1. Version the dataset (the `version_dataset` flow, as a subflow).
2. Add the given model specs to params.yaml (comments kept, written atomically).
3. For each run, one task: `dvc repro infer@<run> score@<run>`, plus the run's cells of the
   run x defense matrix when `defense_eval.runs` lists it. Tasks retry transient failures
   (a DVC lock held by another process, a crashed stage, an endpoint that was down); a
   configuration or input error (exit 2 from `vipbench`) is not retried. The runs go one after
   another, because DVC allows one pipeline process per repository; a failed run does not stop
   the others, and what they produced is kept.
4. `dvc repro -s report` over every run that has scores.
5. Publish the results as a Prefect table artifact (key `vipbench-results`) and the report as a
   markdown artifact (key `vipbench-report`).

Cost: `dry_run=True` only prints and publishes (artifact key `vipbench-estimate`) what the
chosen runs would cost (`vipbench estimate`: requests after the cache, tokens, USD) and runs
nothing. `max_cost_usd` is a budget for the whole evaluation: each run gets what is left of it
(through `VIPBENCH_MAX_COST_USD`, on top of `inference.max_cost_usd`), so a run that would cross
it stops before that request (exit 4, not retried), and the runs after it are not started.

Batches: runs go through `vipbench infer` with `VIPBENCH_BATCH_WAIT=0`, so a `batch: true` run
submits its batches and ends (exit 5) instead of holding a worker while the provider works. When
the flow runs from a deployment, it then schedules a new flow run of the same deployment for
those runs, `batch_check_s` later, and completes; that run collects the batches (nothing is
submitted twice) or schedules the next check. Run outside a deployment, nothing else could
pick the check up, so the flow waits itself: it re-runs them with exponential backoff from
`batch_check_s` until their batches end.

Returns `{"mlflow_run_ids": {run: id}, "failed": {run: reason}, "cost_usd": spent,
"pending": [runs waiting for batches], "next_check": flow run id or None, ...}`. If any run failed, the
flow raises `EvaluationFailed` at the very end (after the report and artifacts), so a scheduled
run shows up as Failed; pass `fail_on_error=False` to complete anyway.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import flows  # noqa: F401  (quiet, offline defaults before Prefect is imported)

# isort: split
from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE

from flows.stages import (
    PENDING_EXIT,
    environ,
    error_text,
    line_logger,
    make_report,
    run_model,
    run_stages,
    stage_runs,
)
from flows.version_dataset import version_dataset
from vipbench.core.errors import ConfigError
from vipbench.ops import dvcops
from vipbench.readers import mlflow_run_id, read_details
from vipbench.workspace import Workspace

RESULTS_KEY = "vipbench-results"
REPORT_KEY = "vipbench-report"
ESTIMATE_KEY = "vipbench-estimate"


class EvaluationFailed(RuntimeError):
    """Some runs failed. `result` holds everything the flow would have returned."""

    def __init__(self, message: str, result: dict[str, Any]) -> None:
        super().__init__(message, result)
        self.result = result

    def __str__(self) -> str:
        return str(self.args[0])


@task(name="add-models", cache_policy=NO_CACHE)
def add_models(repo: str, models: dict[str, dict[str, Any]]) -> list[str]:
    """Add or update model specs in params.yaml; returns the runs whose entry changed."""
    from vipbench.ops.params_edit import set_models

    changed = set_models(Path(repo) / "params.yaml", models)
    if changed:
        get_run_logger().info("params.yaml: added or updated %s", ", ".join(changed))
    return changed


def run_cost(ws: Workspace, run: str) -> float:
    """What a run's answers cost (cached ones included): its details, or its budget stop record."""
    total = 0.0
    for name in stage_runs(ws, run):
        for f in (ws.details_file(name), ws.metrics_file(name)):
            if not f.is_file():
                continue
            m = json.loads(f.read_text(encoding="utf-8"))
            if m.get("stopped") == "budget":
                total += float(m.get("cost_usd") or 0.0)
                break
            cost = m.get("accounting", {}).get("overall", {}).get("cost_usd")
            if cost is not None:
                total += float(cost)
                break
    return total


@task(name="estimate", cache_policy=NO_CACHE)
def estimate_runs(repo: str, runs: list[str]) -> list[dict[str, Any]]:
    """`vipbench estimate` for the runs and their defended cells, published as a table artifact."""
    from vipbench.pipeline.estimate import estimate, format_table

    ws = Workspace.load(Path(repo))
    if not ws.items_file.is_file():
        dvcops.repro(repo, ["prepare"], single_item=True, on_line=line_logger())
    rows = estimate(ws, [name for r in runs for name in stage_runs(ws, r)])
    get_run_logger().info("estimate (nothing sent):\n%s", format_table(rows))
    table = [
        {k: v for k, v in r.as_dict().items() if k != "notes"} | {"notes": "; ".join(r.notes)} for r in rows
    ]
    create_table_artifact(table=table, key=ESTIMATE_KEY, description="what the runs would cost (USD)")
    return table


def schedule_check(
    deployment_id: str,
    repo: str,
    runs: list[str],
    push: bool,
    max_cost_usd: float | None,
    spent: float,
    delay_s: float,
) -> str:
    """A new flow run of this deployment, `delay_s` from now, that evaluates `runs` again."""
    from datetime import datetime, timedelta, timezone

    from prefect.deployments import run_deployment

    parameters = {
        "repo": repo,
        "runs": runs,
        "version_data": False,
        "push": push,
        "max_cost_usd": None if max_cost_usd is None else max_cost_usd - spent,
        "batch_check_s": delay_s,
    }
    when = datetime.now(timezone.utc) + timedelta(seconds=delay_s)
    flow_run = run_deployment(deployment_id, parameters=parameters, scheduled_time=when, timeout=0, as_subflow=False)
    return str(flow_run.id)


def wait_for_batches(evaluate_runs: Any, pending: list[str], first_wait_s: float) -> list[str]:
    """Re-run `pending` with exponential backoff until no batch is left; the runs still waiting."""
    from tenacity import Retrying, retry_if_result, stop_after_delay, wait_exponential

    retrying = Retrying(
        retry=retry_if_result(bool),
        wait=wait_exponential(multiplier=first_wait_s, min=first_wait_s, max=max(first_wait_s, 3600.0)),
        stop=stop_after_delay(26 * 3600.0),
        retry_error_callback=lambda state: state.outcome.result() if state.outcome else pending,
    )
    left: list[str] = list(pending)
    checks = [0]

    def again() -> list[str]:
        """The runs still waiting; the first call only reports them (tenacity then waits)."""
        nonlocal left
        checks[0] += 1
        if checks[0] > 1:
            left = evaluate_runs(left)
        return left

    result: list[str] = retrying(again)
    return result


def _pct(v: Any) -> str:
    return "" if v is None else f"{100 * float(v):.1f}"


def results_rows(ws: Workspace, runs: list[str], failed: dict[str, str]) -> list[dict[str, Any]]:
    """One row per run: what it is, its accuracy with the 95% interval, and its MLflow run."""
    rows = []
    for run in runs:
        spec = ws.params.models.get(run)
        row: dict[str, Any] = {
            "run": run,
            "kind": getattr(spec, "kind", ""),
            "model": str(getattr(spec, "model", "") or ""),
            "prompt": spec.prompt if spec is not None and spec.uses_prompt() else "",
        }
        m = read_details(ws, run)  # the full metrics; metrics/<run>.json has the headline figures only
        if run in failed or m is None:
            row.update(
                status="failed", accuracy="", ci95="", n="", refusal_rate="", cost_usd="", mlflow_run_id=""
            )
            row["error"] = failed.get(run, "no metrics")[-300:]
        else:
            o = m.get("overall", {})
            cost = m.get("accounting", {}).get("overall", {}).get("cost_usd")
            row.update(
                status="ok",
                accuracy=_pct(o.get("accuracy")),
                ci95=f"[{_pct(o.get('accuracy_ci_low'))}, {_pct(o.get('accuracy_ci_high'))}]",
                n=o.get("n", ""),
                refusal_rate=_pct(o.get("refusal_rate")),
                cost_usd="" if cost is None else cost,
                mlflow_run_id=mlflow_run_id(ws, run) or "",
                error="",
            )
        rows.append(row)
    return rows


@flow(name="evaluate")
def evaluate(
    repo: str = ".",
    runs: list[str] | None = None,
    models: dict[str, dict[str, Any]] | None = None,
    prompts: list[str] | None = None,
    version_data: bool = True,
    push: bool = True,
    pull: bool = False,
    retries: int = 2,
    retry_delay_seconds: float = 10.0,
    fail_on_error: bool = True,
    max_cost_usd: float | None = None,
    dry_run: bool = False,
    batch_check_s: float = 600.0,
    fan_out: str | None = None,
    local: bool = False,
) -> dict[str, Any]:
    """Evaluate `runs` (default: the runs of `models`, else every run in params.yaml).

    `models` maps run names to model specs to add to params.yaml first. With `prompts`, every
    chosen run is evaluated once per prompt variant, as runs named `<run>-<prompt>`.
    `pull` fetches data and cached outputs from the DVC remote first (a worker on a fresh clone).
    `dry_run` estimates the cost and runs nothing; `max_cost_usd` caps the whole evaluation.
    `batch_check_s` is how long to wait before checking unfinished batches again.
    `fan_out` names the child deployment (`evaluate-run/vipbench-evaluate-run`): with a Prefect
    server, each run becomes a child flow run on that deployment's work pool, and their stages
    come back through DVC's run cache (see flows/fanout.py); the gathered dvc.lock, metrics and
    plots are committed, and pushed with `push`. `local` runs everything in this process anyway.
    """
    logger = get_run_logger()
    root = Path(repo).resolve()
    if pull:
        n = dvcops.pull(root, allow_missing=True)
        logger.info("dvc pull: %d file(s)", n)
    dataset = version_dataset(repo=str(root), push=push) if version_data else None

    if models:
        add_models(str(root), models)
    ws = Workspace.load(root)
    chosen = list(runs) if runs else list(models or ws.params.models)
    if prompts:
        from vipbench.ops.params_edit import read_models
        from vipbench.ops.releases import prompt_variants

        raw = read_models(root / "params.yaml")
        prompted = {r: raw[r] for r in chosen if r in raw and ws.params.model(r).uses_prompt()}
        variants = prompt_variants(prompted, prompts)
        new = {r: s for r, s in variants.items() if r not in raw}
        if new:
            add_models(str(root), new)
            ws = Workspace.load(root)
        chosen = [r for r in chosen if r not in prompted] + list(variants)
    unknown = [r for r in chosen if r not in ws.params.models]
    if unknown:
        raise ConfigError(f"params.yaml: no such model run(s) {unknown}; have {sorted(ws.params.models)}")
    if not chosen:
        logger.warning("no runs to evaluate")

    if dry_run:
        return {"estimate": estimate_runs(str(root), chosen), "dataset": dataset}

    from vipbench.pipeline.infer import BATCH_WAIT_ENV, BUDGET_ENV

    runner = run_model.with_options(retries=retries, retry_delay_seconds=retry_delay_seconds)
    failed: dict[str, str] = {}
    timings: dict[str, Any] = {}
    spent = [0.0]

    def evaluate_runs(names: list[str]) -> list[str]:
        """Run each of `names` (within the budget); the runs whose batches have not ended."""
        waiting = []
        for run in names:
            if max_cost_usd is not None and spent[0] >= max_cost_usd:
                failed[run] = f"not started: the evaluation's budget (${max_cost_usd:.4f}) is spent"
                logger.error("run %s: %s", run, failed[run])
                continue
            env = {BATCH_WAIT_ENV: "0"}  # `vipbench infer` reads these
            if max_cost_usd is not None:
                env[BUDGET_ENV] = repr(max_cost_usd - spent[0])
            with environ(env):
                state = runner(str(root), run, run_stages(ws, run), return_state=True)
            spent[0] += run_cost(ws, run)
            if state.is_completed():
                timings[run] = state.result()
                failed.pop(run, None)
                continue
            error = error_text(state)
            if PENDING_EXIT in error:
                logger.info("run %s: its batches have not ended yet", run)
                waiting.append(run)
            else:
                failed[run] = error
                logger.error("run %s failed: %s", run, error.splitlines()[0] if error else "")
        return waiting

    spread = bool(fan_out) and not local and _can_fan_out(str(fan_out))
    if spread:
        from flows.fanout import fan_out as fan_out_runs

        done, lost = fan_out_runs(root, chosen, {r: run_stages(ws, r) for r in chosen}, str(fan_out), max_cost_usd)
        timings.update(done)
        failed.update(lost)
        spent[0] = sum(run_cost(ws, r) for r in done)
        pending: list[str] = []
    else:
        pending = evaluate_runs(chosen)
    next_check = None
    if pending:
        from prefect.runtime import deployment

        if deployment.id:
            next_check = schedule_check(
                str(deployment.id), str(root), pending, push, max_cost_usd, spent[0], batch_check_s
            )
            logger.info("runs %s wait for batches; flow run %s checks again in %gs", pending, next_check, batch_check_s)
        else:
            pending = wait_for_batches(evaluate_runs, pending, batch_check_s)
            for run in pending:
                failed[run] = "its batches did not end in time; run the flow again to collect them"

    report_error = None
    if next_check:  # the report waits for every run's scores: the check run makes it
        logger.info("the report is left to the check run %s", next_check)
    else:
        report_state = make_report(str(root), return_state=True)
        report_error = None if report_state.is_completed() else error_text(report_state)
        if report_error:
            logger.error("report failed: %s", report_error)

    ws = Workspace.load(root)
    waiting = {r: "waiting for its batches" for r in pending} if next_check else {}
    rows = results_rows(ws, chosen, {**failed, **waiting})
    create_table_artifact(
        table=rows,
        key=RESULTS_KEY,
        description=f"vipbench results for dataset {ws.params.data.name or ws.data_dir.name} "
        f"({(dataset or {}).get('md5') or 'unversioned'}); accuracy in %, 95% bootstrap interval",
    )
    report_md = ws.report_file
    if report_md.is_file():
        create_markdown_artifact(
            report_md.read_text(encoding="utf-8"), key=REPORT_KEY, description="vipbench report"
        )

    committed = None
    if spread and not report_error:
        from flows.fanout import commit_results

        committed = commit_results(root, chosen, push)
    result: dict[str, Any] = {
        "mlflow_run_ids": {r: mlflow_run_id(ws, r) for r in chosen if r not in failed and r not in waiting},
        "committed": committed,
        "fanned_out_to": fan_out if spread else None,
        "failed": failed,
        "report_error": report_error,
        "dataset": dataset,
        "timings": timings,
        "cost_usd": round(spent[0], 6),
        "pending": pending if next_check else [],
        "next_check": next_check,
    }
    if fail_on_error and (failed or report_error):
        what = ", ".join(failed) or "report"
        raise EvaluationFailed(f"{len(failed)} of {len(chosen)} run(s) failed: {what}", result)
    return result


def _can_fan_out(deployment: str) -> bool:
    """Whether `deployment` exists on a Prefect server; if not, say why the runs stay here."""
    from prefect.client.orchestration import get_client
    from prefect.exceptions import ObjectNotFound
    from prefect.settings import get_current_settings

    logger = get_run_logger()
    if not get_current_settings().api.url:
        logger.warning("no Prefect server (PREFECT_API_URL is unset): every run goes in this process")
        return False
    try:
        with get_client(sync_client=True) as client:
            client.read_deployment_by_name(deployment)
    except ObjectNotFound:
        logger.warning(
            "no deployment %s on the Prefect server (prefect deploy --all): every run goes in this process", deployment
        )
        return False
    return True


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description="Evaluate model runs through the DVC pipeline (a Prefect flow)")
    ap.add_argument("--repo", default=".")
    ap.add_argument("--run", action="append", dest="runs", help="a run in params.yaml models (repeatable)")
    ap.add_argument("--prompt", action="append", dest="prompts", help="a prompt variant (repeatable)")
    ap.add_argument("--no-push", action="store_true", help="do not dvc push the dataset")
    ap.add_argument("--pull", action="store_true", help="dvc pull data and cached outputs first")
    ap.add_argument("--dry-run", action="store_true", help="estimate the cost, run nothing")
    ap.add_argument("--max-cost-usd", type=float, default=None, help="a budget for the whole evaluation")
    ap.add_argument(
        "--fan-out",
        default=None,
        metavar="DEPLOYMENT",
        help="run each model run as a flow run of this child deployment (e.g. evaluate-run/vipbench-evaluate-run)",
    )
    ap.add_argument("--local", action="store_true", help="run everything in this process, even with --fan-out")
    a = ap.parse_args(argv)
    try:
        out = evaluate(
            repo=a.repo,
            runs=a.runs,
            prompts=a.prompts,
            push=not a.no_push,
            pull=a.pull,
            dry_run=a.dry_run,
            max_cost_usd=a.max_cost_usd,
            fan_out=a.fan_out,
            local=a.local,
        )
    except EvaluationFailed as e:  # what did finish is still worth printing
        print(json.dumps(e.result, indent=1, default=str))
        print(f"evaluate: {e}", file=sys.stderr)
        raise SystemExit(1) from None
    print(json.dumps(out, indent=1, default=str))


if __name__ == "__main__":
    main()
