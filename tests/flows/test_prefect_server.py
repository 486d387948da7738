"""Scale-out, for real: a `prefect server`, a process work pool, a deployment of `evaluate`, a worker.

Everything runs as separate processes on 127.0.0.1, the way a team would run them on separate
hosts: the server in its own session (so the whole process group can be stopped), the
deployment created by `python -m flows.serve deploy`, the flow run started by the Prefect CLI,
and a worker that executes it in the temporary repository copy.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from testkit.repo import REPO
from tests.flows import flow_repo
from vipbench.ops.quiet import command_env

pytestmark = pytest.mark.slow

POOL = "vipbench-test-pool"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def get_json(url: str) -> object:
    with urllib.request.urlopen(url, timeout=5) as r:
        return json.loads(r.read())


def prefect_env(home: Path, api: str | None = None) -> dict[str, str]:
    env = command_env()
    env.update(PREFECT_HOME=str(home), PREFECT_UI_ENABLED="false")
    env.pop("MLFLOW_TRACKING_URI", None)
    if api:
        env["PREFECT_API_URL"] = api
    else:
        env.pop("PREFECT_API_URL", None)
    return env


@pytest.fixture
def prefect_server(tmp_path: Path) -> Iterator[str]:
    """`prefect server start` on a free port; yields the API URL; stops the whole process group."""
    port = free_port()
    log = open(tmp_path / "server.log", "w")  # noqa: SIM115  (closed below)
    proc = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "prefect"),
            "server",
            "start",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        env=prefect_env(tmp_path / "server-home"),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # setsid: the server's children share its process group
    )
    api = f"http://127.0.0.1:{port}/api"
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                get_json(f"{api}/health")
                break
            except OSError as e:
                if proc.poll() is not None or time.monotonic() > deadline:
                    log_text = (tmp_path / "server.log").read_text()
                    raise AssertionError(f"prefect server did not start:\n{log_text}") from e
                time.sleep(0.5)
        yield api
    finally:
        for sig, wait in ((signal.SIGTERM, 15), (signal.SIGKILL, 5)):
            try:
                os.killpg(proc.pid, sig)
            except ProcessLookupError:
                break
            try:
                proc.wait(timeout=wait)
                break
            except subprocess.TimeoutExpired:
                continue
        log.close()


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
