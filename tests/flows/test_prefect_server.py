"""Scale-out, for real: a `prefect server`, a process work pool, a deployment of `evaluate`, a worker.

Everything runs as separate processes on 127.0.0.1, the way a team would run them on separate
hosts: the server in its own session (so the whole process group can be stopped), the
deployment created by `python -m flows.serve deploy`, the flow run started by the Prefect CLI,
and a worker that executes it in the temporary repository copy.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from testkit.repo import REPO
from testkit.servers import PrefectServer, get_json, prefect_env
from tests.flows import flow_repo

pytestmark = pytest.mark.slow

POOL = "vipbench-test-pool"
__all__ = ["POOL", "cli", "get_json", "prefect_env", "prefect_server"]


@pytest.fixture
def prefect_server(tmp_path: Path) -> Iterator[str]:
    """`prefect server start` on a free port (testkit.servers); yields the API URL."""
    server = PrefectServer(tmp_path)
    try:
        yield server.api
    finally:
        server.stop()


def cli(args: list[str], env: dict[str, str], cwd: Path, timeout: float = 300) -> str:
    p = subprocess.run(args, env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout)
    assert p.returncode == 0, f"{' '.join(args)} failed ({p.returncode}):\n{p.stdout}\n{p.stderr}"
    return p.stdout


def test_deployment_runs_on_a_process_worker(tmp_path: Path, prefect_server: str) -> None:
    root = flow_repo(tmp_path)
    env = prefect_env(tmp_path / "client-home", prefect_server)
    prefect = str(Path(sys.executable).parent / "prefect")

    cli([prefect, "work-pool", "create", POOL, "--type", "process"], env, tmp_path)
    t0 = time.monotonic()
    out = cli(
        [
            sys.executable,
            "-m",
            "flows.serve",
            "deploy",
            "--pool",
            POOL,
            "--flow",
            "evaluate",
            "--source",
            str(root),
            "--repo",
            str(root),
            "--param",
            "push=false",
            "--param",
            'runs=["majority"]',
        ],
        env,
        REPO,
    )
    deployment_id = out.strip().splitlines()[-1]
    deployment = get_json(f"{prefect_server}/deployments/{deployment_id}")
    assert isinstance(deployment, dict) and deployment["work_pool_name"] == POOL
    assert deployment["parameters"] == {"repo": ".", "push": False, "runs": ["majority"]}

    # watch_releases gets the cron schedule from params.yaml (watch.schedule; default daily 06:00)
    out = cli(
        [
            sys.executable,
            "-m",
            "flows.serve",
            "deploy",
            "--pool",
            POOL,
            "--source",
            str(root),
            "--repo",
            str(root),
        ],
        env,
        REPO,
    )
    watch = get_json(f"{prefect_server}/deployments/{out.strip().splitlines()[-1]}")
    assert isinstance(watch, dict) and watch["name"] == "vipbench-watch-releases"
    assert [s["schedule"]["cron"] for s in watch["schedules"]] == ["0 6 * * *"]

    out = cli([prefect, "deployment", "run", "evaluate/vipbench-evaluate"], env, tmp_path)
    m = re.search(r"UUID:\s*([0-9a-f-]{36})", out)
    assert m, out
    flow_run_id = m.group(1)

    # the worker picks the run up, runs it in a subprocess in the repository copy, and exits
    cli([prefect, "worker", "start", "--pool", POOL, "--run-once"], env, tmp_path, timeout=600)
    state = "?"
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        fr = get_json(f"{prefect_server}/flow_runs/{flow_run_id}")
        assert isinstance(fr, dict)
        state = fr["state"]["type"]
        if state in {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}:
            break
        time.sleep(1)
    assert state == "COMPLETED", fr["state"]
    print(f"deploy + run + worker: {time.monotonic() - t0:.1f} s")

    # it really ran the pipeline there
    metrics = json.loads((root / "metrics" / "majority.json").read_text())
    assert metrics["overall"]["n"] == 12
    assert (root / "metrics" / "summary.json").is_file()
