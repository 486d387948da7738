"""Fan-out: one evaluation's model runs go to a work pool's workers, and come back through DVC.

The parent (the `evaluate` flow, given a child deployment) does, in its own checkout:

1. It runs `prepare` and `configure` and publishes them, so no child runs them again; then
   `share_revision` commits params.yaml (the models it added) and the code links configure wrote
   for them (deps/runs/<run>), and pushes to git `origin`, so every worker can check out exactly
   this revision. The dataset is already on the DVC remote.
2. `shared_limits.declare`: one Prefect global concurrency limit per API endpoint the runs call
   (and a rate limit when a spec has `rpm`), so the children together stay within the endpoint's
   `max_concurrency` and `rpm`.
3. One child flow run per model run (`run_deployment` of `evaluate-run`, a subflow of a
   `run-child` task), all at once; the work pool's workers pick them up. A child that ends
   Crashed (its worker died: Prefect marks a flow run whose heartbeats stop as Crashed, see
   `automations/crashed-flow-runs.yaml`) is submitted again; one that Failed is not.
4. `runcache.gather`: `dvc fetch --run-cache` and `dvc repro --pull` of the children's stages,
   which restores them from the remote without asking any model again.

A child (`evaluate_run`, in the checkout its deployment's pull steps made) checks out the
revision, runs `dvc repro` of its run's stages with the shared limits switched on and records
the runs in the MLflow server of its environment (`MLFLOW_TRACKING_URI`, `pipeline.track`), then
pushes the outputs and the run cache (`runcache.publish`). It leaves a small JSON artifact (key
`vipbench-child`) for the parent: which worker ran it, its MLflow run id, or its failure record.
The parent's report finds those runs complete (the same results) and does not log them again.
"""

from __future__ import annotations

import json
import os
import socket
from pathlib import Path
from typing import Any

import flows  # noqa: F401  (quiet, offline defaults before Prefect is imported)

# isort: split
from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from prefect.client.schemas.objects import TaskRun
from prefect.states import State

from flows.stages import code_path, environ, error_text, line_logger, run_model, stage_runs
from vipbench.core.io import write_json
from vipbench.inference import shared_limits
from vipbench.inference.specs import EndpointSpec
from vipbench.ops import dvcops, runcache
from vipbench.readers import mlflow_run_id, read_failure
from vipbench.workspace import RUN_CODE, Workspace

#: the child deployment that prefect.yaml declares
CHILD_DEPLOYMENT = "evaluate-run/vipbench-evaluate-run"
CHILD_KEY = "vipbench-child"
#: a worker's name for the results (else its host name)
WORKER_ENV = "VIPBENCH_WORKER"


class ChildCrashed(RuntimeError):
    """A child flow run ended Crashed (its worker died); the parent submits it again."""


class ChildFailed(RuntimeError):
    """A child flow run failed for good (the run's own error); not submitted again.

    `told` is what the child reported (its worker, its runs' failure records)."""

    def __init__(self, message: str, told: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.told = told or {}


# -- the child ---------------------------------------------------------------------------------


def checkout_revision(root: Path, revision: str) -> None:
    """Check out `revision` (fetching it first if this clone lacks it) and the data it pins."""
    if dvcops.git_head(root) == revision:
        return
    if dvcops.git(root, "cat-file", "-e", f"{revision}^{{commit}}", check=False).returncode != 0:
        dvcops.git(root, "fetch", "-q", "origin")
    dvcops.git(root, "checkout", "-q", "--detach", revision)
    dvcops.pull(root, ["data.dvc"])


def endpoint_limits(ws: Workspace, runs: list[str]) -> list[shared_limits.SharedLimit]:
    """One limit per API endpoint the runs call: the smallest concurrency and rpm among them."""
    found: dict[str, shared_limits.SharedLimit] = {}
    for run in runs:
        spec = ws.params.models.get(run)
        if not isinstance(spec, EndpointSpec):  # a local model or adversary calls no endpoint
            continue
        lim = shared_limits.SharedLimit(spec.endpoint_url, spec.max_concurrency, spec.rpm)
        found[lim.name] = found[lim.name].merge(lim) if lim.name in found else lim
    return list(found.values())


def _report_to_parent(data: dict[str, Any]) -> None:
    create_markdown_artifact(
        "```json\n" + json.dumps(data, indent=1, sort_keys=True) + "\n```",
        key=CHILD_KEY,
        description="what this child run tells its parent (worker, MLflow run, failure record)",
    )


@flow(name="evaluate-run")
def evaluate_run(
    run: str,
    stages: list[str],
    revision: str | None = None,
    repo: str = ".",
    push: bool = True,
    max_cost_usd: float | None = None,
) -> dict[str, Any]:
    """Run one model run's stages in this checkout and share them through the DVC remote."""
    from vipbench.pipeline.infer import BATCH_WAIT_ENV, BUDGET_ENV

    logger = get_run_logger()
    root = Path(repo).resolve()
    if revision:
        checkout_revision(root, revision)
    ws = Workspace.load(root)
    worker = os.environ.get(WORKER_ENV) or socket.gethostname()
    env = {BATCH_WAIT_ENV: "0", **code_path(root)}
    if max_cost_usd is not None:
        env[BUDGET_ENV] = repr(max_cost_usd)
    limits = endpoint_limits(ws, [run])
    if limits and os.environ.get("PREFECT_API_URL"):
        shared_limits.declare(limits, update=False)  # the parent has set them; a run started by hand sets its own
        env[shared_limits.ENV] = "prefect"
    logger.info("run %s on %s in %s: %s", run, worker, root, " ".join(stages))
    with environ(env):  # prepare and configure come from the run cache: the parent ran them
        state = run_model(str(root), run, stages, pull=True, return_state=True)
    if not state.is_completed():
        records = {name: read_failure(ws, name) for name in stage_runs(ws, run)}
        _report_to_parent({"worker": worker, "failed": True, "outcomes": records})
        raise ChildFailed(error_text(state))
    timing = state.result()
    published = runcache.publish(root, stages) if push else {}
    logger.info("pushed to the DVC remote: %s", published)
    info = {"worker": worker, "failed": False, "mlflow_run_ids": {r: mlflow_run_id(ws, r) for r in stage_runs(ws, run)}}
    _report_to_parent(info)
    return {"run": run, **timing, **info, "published": published}


# -- the parent --------------------------------------------------------------------------------


def share_revision(root: Path, runs: list[str]) -> str:
    """Commit params.yaml, data.dvc and the runs' code links (deps/runs) if they changed, push HEAD
    to `origin`; the revision the children check out."""
    if dvcops.git(root, "remote", "get-url", "origin", check=False).returncode != 0:
        raise RuntimeError(
            f"{root}: fanning out needs a git remote `origin` that the workers clone; "
            "add one, or run with --local"
        )
    # the models it added, their code links (configure wrote them), the dataset version_dataset pushed
    inputs = ["params.yaml", "data.dvc", RUN_CODE.as_posix()]
    dvcops.git_stage(root, inputs)
    if dvcops.git_has_staged(root, inputs):
        dvcops.git_commit(root, f"vipbench: evaluate {', '.join(runs)}", inputs)
    push_head(root)
    return dvcops.git_head(root)


def push_head(root: Path) -> None:
    """`git push origin HEAD`, rebasing once on what others pushed meanwhile."""
    if dvcops.git(root, "push", "-q", "origin", "HEAD", check=False).returncode == 0:
        return
    dvcops.git(root, "pull", "-q", "--rebase", "origin", dvcops.git_head(root, branch=True))
    dvcops.git(root, "push", "-q", "origin", "HEAD")


def _crashed(task: Any, task_run: TaskRun, state: State[Any]) -> bool:
    try:
        state.result()
    except ChildCrashed:
        return True
    except Exception:
        return False
    return False


@task(
    name="run-child",
    task_run_name="child {run}",
    cache_policy=NO_CACHE,
    retries=3,
    retry_delay_seconds=1,
    retry_condition_fn=_crashed,
)
def run_child(deployment: str, run: str, parameters: dict[str, Any], queue: str | None = None) -> dict[str, Any]:
    """Start the child flow run of `run` (on work queue `queue`, else the deployment's) and wait
    for it; what it told the parent."""
    from prefect.deployments import run_deployment

    fr = run_deployment(
        deployment,
        parameters=parameters,
        flow_run_name=f"run {run}",
        work_queue_name=queue,
        timeout=None,
        poll_interval=2,
        as_subflow=True,
    )
    state = fr.state
    told = child_report(fr.id)
    if state is not None and state.is_completed():
        return {"flow_run_id": str(fr.id), **told}
    if state is not None and state.is_crashed():
        get_run_logger().warning("child %s of %s crashed (%s); submitting it again", fr.name, run, state.message)
        raise ChildCrashed(f"{run}: child flow run {fr.id} crashed: {state.message}")
    raise ChildFailed(f"{run}: child flow run {fr.name} ({fr.id}) failed: {state.message if state else ''}", told)


def child_report(flow_run_id: Any) -> dict[str, Any]:
    """The JSON a child left in its `vipbench-child` artifact, or {}."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey, FlowRunFilter, FlowRunFilterId

    with get_client(sync_client=True) as client:
        arts = client.read_artifacts(
            artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=[CHILD_KEY])),
            flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id])),
        )
    for art in arts:
        text = str(art.data or "")
        body = text.split("```json", 1)[-1].rsplit("```", 1)[0]
        try:
            return dict(json.loads(body))
        except ValueError:
            continue
    return {}


#: the stages upstream of every run, which the parent runs before it fans out
SHARED_STAGES = ["prepare", "configure"]
#: the work queue of runs that load a checkpoint on the worker (`kind: hf`): the GPU hosts'
GPU_QUEUE = "gpu"
LOCAL_MODEL_KINDS = frozenset({"hf"})


def queue_for(ws: Workspace, run: str) -> str | None:
    """`gpu` for a run that loads its model on the worker, else the deployment's own queue."""
    spec = ws.params.models.get(run)
    return GPU_QUEUE if spec is not None and spec.kind in LOCAL_MODEL_KINDS else None


def fan_out(
    root: Path,
    runs: list[str],
    stages_of: dict[str, list[str]],
    deployment: str,
    max_cost_usd: float | None = None,
) -> tuple[dict[str, dict[str, Any]], dict[str, str]]:
    """Run each of `runs` as a child flow run, then restore their stages here from the run cache.

    Returns (what each finished child told, {run: error} for the ones that failed).
    """
    logger = get_run_logger()
    ws = Workspace.load(root)
    # the stages every child shares: run once here, restored by the children from the run cache
    dvcops.repro(root, SHARED_STAGES, on_line=line_logger())
    runcache.publish(root, SHARED_STAGES)
    revision = share_revision(root, runs)  # after configure, which links the new runs' code
    names = shared_limits.declare(endpoint_limits(ws, runs))
    if names:
        logger.info("shared limits on the Prefect server: %s", ", ".join(names))
    share = None if max_cost_usd is None else max_cost_usd / max(1, len(runs))
    futures = {
        run: run_child.submit(
            deployment,
            run,
            {"run": run, "stages": stages_of[run], "revision": revision, "push": True, "max_cost_usd": share},
            queue_for(ws, run),
        )
        for run in runs
    }
    done: dict[str, dict[str, Any]] = {}
    failed: dict[str, str] = {}
    records: dict[str, Any] = {}
    for run, fut in futures.items():
        try:
            done[run] = fut.result()
        except ChildFailed as e:
            failed[run] = str(e)
            records.update(e.told.get("outcomes") or {})
        except Exception as e:  # crashed more often than the retries allow, or Prefect itself failed
            failed[run] = str(e)
        if run in failed:
            logger.error("run %s failed on its worker: %s", run, failed[run])
    _record_children(ws, done, records)
    if done:
        runcache.gather(root, [s for r in done for s in stages_of[r]], on_line=line_logger())
    return done, failed


def _record_children(ws: Workspace, done: dict[str, dict[str, Any]], records: dict[str, Any]) -> None:
    """Keep what only the children's machines had: MLflow run ids, and the failure records that
    the report lists (infer leaves them in its checkout when a run fails)."""
    for told in done.values():
        for name, rid in (told.get("mlflow_run_ids") or {}).items():
            if rid:
                write_json(ws.tracking_file(name), {"run": name, "mlflow_run_id": rid})
    for name, record in records.items():
        if isinstance(record, dict) and record.get("failed"):
            write_json(ws.outcome_file(name), record)


def commit_results(root: Path, runs: list[str], push: bool) -> str | None:
    """Commit what the gathered pipeline changed (dvc.lock, metrics, plots); push when asked."""
    ws = Workspace.load(root)
    paths = [p for p in ws.products if (root / p).exists()]
    dvcops.git_stage(root, paths)
    if not dvcops.git_has_staged(root, paths):
        return None
    rev = dvcops.git_commit(root, f"vipbench: results of {', '.join(runs)}", paths)
    if push:
        dvcops.push(root)
        push_head(root)
    return rev
