"""Deployments: `watch_releases` on the cron schedule from params.yaml, and work-pool deployments.

Schedules need a Prefect server (`prefect server start`, then `export PREFECT_API_URL=...`);
Prefect's temporary local server runs flows but never schedules them.

    # one process that both schedules and runs watch_releases (simplest; keep it running)
    python -m flows.serve serve [--repo .]

    # a deployment in a work pool; workers (e.g. on GPU hosts) pick up its runs
    python -m flows.serve deploy --pool gpu [--flow watch_releases|evaluate|version_dataset]
                                 [--source PATH_OR_GIT_URL] [--name NAME] [--no-schedule]

The schedule is params.yaml `watch.schedule` (cron, default "0 6 * * *", daily at 06:00) in
`watch.timezone`. With `--source` a git URL, each flow run starts in a fresh clone on the
worker; pass `--param pull=true` to an `evaluate` deployment so it fetches data with `dvc pull`.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any
from uuid import UUID

import flows  # noqa: F401  (quiet, offline defaults before Prefect is imported)

# isort: split
from prefect.schedules import Cron, Schedule

from vipbench.config import WatchParams
from vipbench.ops.releases import load_watch
from vipbench.workspace import Workspace

ROOT = Path(__file__).resolve().parents[1]
ENTRYPOINTS = {
    "watch_releases": "flows/watch_releases.py:watch_releases",
    "evaluate": "flows/evaluate.py:evaluate",
    "version_dataset": "flows/version_dataset.py:version_dataset",
}
DEPLOYMENT_NAMES = {
    "watch_releases": "vipbench-watch-releases",
    "evaluate": "vipbench-evaluate",
    "version_dataset": "vipbench-version-dataset",
}


def watch_params(repo: Path) -> WatchParams:
    return load_watch(repo, Workspace.load(repo).params)


def schedule(repo: Path) -> Schedule:
    """The cron schedule of `watch_releases` from params.yaml."""
    w = watch_params(repo)
    return Cron(w.schedule, timezone=w.timezone)


def _need_server() -> None:
    from prefect.settings import get_current_settings

    if not get_current_settings().api.url:  # from the environment or the active Prefect profile
        print(
            "PREFECT_API_URL is not set. Schedules need a Prefect server:\n"
            "  prefect server start &      # UI and API on http://127.0.0.1:4200\n"
            "  export PREFECT_API_URL=http://127.0.0.1:4200/api",
            file=sys.stderr,
        )
        raise SystemExit(2)


def serve(repo: Path) -> None:
    """Create the scheduled deployment and run its flow runs in this process until stopped."""
    from flows.watch_releases import watch_releases

    _need_server()
    watch_releases.serve(
        name=DEPLOYMENT_NAMES["watch_releases"],
        schedules=[schedule(repo)],
        parameters={"repo": str(repo)},
        description="Evaluate new model releases (vipbench); schedule from params.yaml watch.schedule",
        tags=["vipbench"],
    )


def deploy(
    flow_name: str,
    pool: str,
    source: str | None = None,
    repo: Path = ROOT,
    name: str | None = None,
    scheduled: bool = True,
    parameters: dict[str, Any] | None = None,
) -> UUID:
    """A deployment of one flow to a work pool. `source`: a local directory or a git URL."""
    from prefect import Flow

    _need_server()
    src = source or str(repo)
    loaded: Flow[Any, Any] = Flow.from_source(source=src, entrypoint=ENTRYPOINTS[flow_name])  # type: ignore[assignment]
    schedules = [schedule(repo)] if scheduled and flow_name == "watch_releases" else None
    return loaded.deploy(
        name=name or DEPLOYMENT_NAMES[flow_name],
        work_pool_name=pool,
        schedules=schedules,
        parameters={"repo": ".", **(parameters or {})},
        tags=["vipbench"],
        build=False,
        push=False,
        print_next_steps=False,
    )


def _params(pairs: list[str]) -> dict[str, Any]:
    """key=value pairs; values are parsed as JSON when they can be (true, 3, ["a"])."""
    out: dict[str, Any] = {}
    for pair in pairs:
        key, _, value = pair.partition("=")
        try:
            out[key] = json.loads(value)
        except json.JSONDecodeError:
            out[key] = value
    return out


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description="vipbench Prefect deployments")
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("serve", help="serve watch_releases on its schedule in this process")
    s.add_argument("--repo", default=".")
    d = sub.add_parser("deploy", help="deploy a flow to a work pool")
    d.add_argument("--pool", required=True)
    d.add_argument("--flow", choices=sorted(ENTRYPOINTS), default="watch_releases")
    d.add_argument("--source", default=None, help="a local directory (default: this repository) or a git URL")
    d.add_argument("--repo", default=".", help="where to read params.yaml (the schedule) from")
    d.add_argument("--name", default=None)
    d.add_argument("--no-schedule", action="store_true")
    d.add_argument("--param", action="append", default=[], help="a default flow parameter, key=value")
    a = ap.parse_args(argv)
    repo = Path(a.repo).resolve()
    if a.cmd == "serve":
        serve(repo)
    else:
        dep = deploy(a.flow, a.pool, a.source, repo, a.name, not a.no_schedule, _params(a.param))
        print(dep)


if __name__ == "__main__":
    main()
