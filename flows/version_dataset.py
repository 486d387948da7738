"""Flow: version the dataset with DVC.

    python -m flows.version_dataset [--repo .] [--no-push] [--no-stage] [--commit]

1. Validate data/ (every problem is listed; an invalid dataset fails the flow and `data.dvc`
   is not touched).
2. `dvc add data` when the directory differs from what data.dvc pins.
3. `dvc push data.dvc` to the default remote when the remote lacks any of it.
4. `git add data.dvc` (and its .gitignore); committing is optional and off by default.

Unchanged data is a no-op: data.dvc is not rewritten and nothing is uploaded.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

import flows  # noqa: F401  (quiet, offline defaults before Prefect is imported)

# isort: split
from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.client.schemas.objects import TaskRun
from prefect.logging import get_logger
from prefect.states import State
from prefect.tasks import Task

from vipbench.core.errors import ConfigError, InputError
from vipbench.ops import dvcops
from vipbench.ops.versioning import dvc_md5
from vipbench.workspace import Workspace


def retry_if_transient(task: Task[Any, Any], task_run: TaskRun, state: State[Any]) -> bool:
    """Prefect retry condition: retry unless the failure is one another attempt cannot fix."""
    try:
        state.result()
    except Exception as exc:  # the task's own exception, re-raised from its state
        if dvcops.is_transient(exc):
            return True
        get_logger("vipbench.flows").warning("not retrying %s: the error is permanent", task_run.name)
        return False
    return False


def data_target(root: Path) -> tuple[str, str]:
    """(data dir, its .dvc file), both relative to the repository root."""
    ws = Workspace.load(root)
    rel = os.path.relpath(ws.data_dir, ws.root)
    if rel.startswith(".."):
        raise ConfigError(
            f"params.yaml: data.dir: {ws.data_dir} is outside {ws.root}; DVC can only version data inside it"
        )
    return rel, f"{rel}.dvc"


@task(name="validate-dataset", cache_policy=NO_CACHE)
def validate_dataset(repo: str) -> int:
    """Every problem in labels and images, or the number of images."""
    from vipbench.dataset.load import read_dataset

    ws = Workspace.load(Path(repo))
    ds = read_dataset(ws.data_dir, ws.params.data.labels, check_images=True)
    if ds.problems:
        get_run_logger().error("dataset %s is invalid; data.dvc is left as it is", ws.data_dir)
        raise InputError(ds.problems)
    return len(ds.images)


@task(name="dvc-add", cache_policy=NO_CACHE)
def track_dataset(repo: str, target: str, dvc_file: str) -> dict[str, Any]:
    """`dvc add` if the directory changed since data.dvc was written; returns old and new md5."""
    root = Path(repo)
    before = dvc_md5(root, root / target)
    if before is not None and not dvcops.status(root, [dvc_file]):
        get_run_logger().info("%s is unchanged (md5 %s)", target, before)
        return {"previous_md5": before, "md5": before, "changed": False}
    dvcops.add(root, target)
    after = dvc_md5(root, root / target)
    get_run_logger().info("%s: md5 %s -> %s", target, before, after)
    return {"previous_md5": before, "md5": after, "changed": after != before}


@task(
    name="dvc-push",
    cache_policy=NO_CACHE,
    retries=2,
    retry_delay_seconds=[5, 30],
    retry_condition_fn=retry_if_transient,
)
def push_dataset(repo: str, dvc_file: str, remote: str | None = None) -> int:
    """Upload what the remote lacks; returns the number of files sent (0 when in sync)."""
    logger = get_run_logger()
    missing = dvcops.status(repo, [dvc_file], cloud=True, remote=remote)
    if not missing:
        logger.info("remote %s already has %s", remote or dvcops.default_remote(repo), dvc_file)
        return 0
    n = dvcops.push(repo, [dvc_file], remote=remote)
    logger.info("pushed %d file(s) of %s", n, dvc_file)
    return n


@task(name="git-stage", cache_policy=NO_CACHE)
def stage_dataset(repo: str, dvc_file: str, commit: bool, md5: str | None) -> dict[str, Any]:
    if not dvcops.is_git_repo(repo):
        get_run_logger().warning("%s is not a git repository; %s is not staged", repo, dvc_file)
        return {"staged": False, "commit": None}
    paths = [dvc_file, str(Path(dvc_file).parent / ".gitignore")]
    dvcops.git_stage(repo, paths)
    rev = None
    if commit and dvcops.git_has_staged(repo, paths):
        rev = dvcops.git_commit(repo, f"data: version {md5}", [p for p in paths if (Path(repo) / p).exists()])
        get_run_logger().info("committed %s as %s", dvc_file, rev)
    return {"staged": True, "commit": rev}


@flow(name="version-dataset")
def version_dataset(
    repo: str = ".", push: bool = True, stage: bool = True, commit: bool = False, remote: str | None = None
) -> dict[str, Any]:
    """Validate, `dvc add`, `dvc push` and stage the dataset. Returns its md5 and what was done.

    `remote` overrides the default DVC remote. Unchanged data changes nothing.
    """
    root = Path(repo).resolve()
    target, dvc_file = data_target(root)
    images = validate_dataset(str(root))
    tracked = track_dataset(str(root), target, dvc_file)
    pushed = push_dataset(str(root), dvc_file, remote) if push else 0
    staged = (
        stage_dataset(str(root), dvc_file, commit, tracked["md5"])
        if stage
        else {"staged": False, "commit": None}
    )
    return {**tracked, "images": images, "dvc_file": dvc_file, "files_pushed": pushed, **staged}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--repo", default=".")
    ap.add_argument("--no-push", action="store_true")
    ap.add_argument("--no-stage", action="store_true")
    ap.add_argument("--commit", action="store_true")
    ap.add_argument("--remote", default=None)
    a = ap.parse_args(argv)
    print(
        version_dataset(
            repo=a.repo, push=not a.no_push, stage=not a.no_stage, commit=a.commit, remote=a.remote
        )
    )


if __name__ == "__main__":
    main()
