"""What the evaluate flows run: a model run's DVC stages, as Prefect tasks.

Shared by the one-machine `evaluate` flow and the fan-out's child flow (`flows.fanout`), so
both run a model the same way: `dvc repro infer@<run> score@<run>` plus the run's cells of the
run x defense matrix, retried on transient failures only, then the run's MLflow record.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import flows  # noqa: F401  (quiet, offline defaults before Prefect is imported)

# isort: split
from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.states import State

from flows.version_dataset import retry_if_transient
from vipbench.config import matrix_cell
from vipbench.ops import dvcops
from vipbench.workspace import Workspace, defended_run

#: how DVC reports a `vipbench infer` stage whose batches have not ended (exit 5)
PENDING_EXIT = "exited with 5"


def line_logger() -> Callable[[str], None]:
    """Pass each output line of a command to the run's logger."""
    logger = get_run_logger()

    def log(line: str) -> None:
        if line.strip():
            logger.info("%s", line)

    return log


@task(
    name="run-model",
    cache_policy=NO_CACHE,
    retries=2,
    retry_delay_seconds=10,
    retry_condition_fn=retry_if_transient,
)
def run_model(repo: str, run: str, stages: list[str], pull: bool = False) -> dict[str, Any]:
    """`dvc repro infer@<run> score@<run> ...` (and whatever upstream stage is out of date);
    `pull` restores upstream stages from the DVC remote's run cache when it has them. Then the
    run and its defended cells go to MLflow (`pipeline.track`, in this process), so a long
    evaluation shows each run as it finishes; the report stage finds them there."""
    from vipbench.pipeline.track import track

    res = dvcops.repro(repo, stages, pull=pull, on_line=line_logger())
    ws = Workspace.load(Path(repo))
    ids = track(ws, stage_runs(ws, run))
    return {"ran": list(res.ran), "seconds": round(res.seconds, 2), "mlflow_run_ids": ids}


@task(
    name="report",
    cache_policy=NO_CACHE,
    retries=1,
    retry_delay_seconds=5,
    retry_condition_fn=retry_if_transient,
)
def make_report(repo: str) -> dict[str, Any]:
    """`dvc repro -s report`: the report stage alone, over every run that has scores."""
    res = dvcops.repro(repo, ["report"], single_item=True, on_line=line_logger())
    return {"ran": list(res.ran), "seconds": round(res.seconds, 2)}


def run_stages(ws: Workspace, run: str) -> list[str]:
    """The DVC stages of a run: infer and score, and its cells of the run x defense matrix."""
    stages = [f"infer@{run}", f"score@{run}"]
    de = getattr(ws.params, "defense_eval", None)
    if de is not None and run in de.runs:
        for d in de.defenses:
            cell = matrix_cell(run, d)
            stages += [f"infer_defended@{cell}", f"score_defended@{cell}"]
    return stages


def stage_runs(ws: Workspace, run: str) -> list[str]:
    """The vipbench runs a run's stages produce: the run and its defended cells."""
    de = getattr(ws.params, "defense_eval", None)
    cells = [defended_run(run, d) for d in de.defenses] if de is not None and run in de.runs else []
    return [run, *cells]


def error_text(state: State[Any]) -> str:
    """What went wrong in a task or flow run that did not complete."""
    try:
        state.result()
    except Exception as exc:
        return str(exc)
    return state.message or "failed"


@contextlib.contextmanager
def environ(values: dict[str, str]) -> Iterator[None]:
    """Set environment variables for the stages started inside, then put them back."""
    before = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in before.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def code_path(root: Path) -> dict[str, str]:
    """PYTHONPATH for stages run in `root`: its own `src/`, so they run the code they hash."""
    paths = [str(root / "src"), str(root)]
    if os.environ.get("PYTHONPATH"):
        paths.append(os.environ["PYTHONPATH"])
    return {"PYTHONPATH": os.pathsep.join(paths)}
