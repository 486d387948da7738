"""A batch run under a deployment holds no worker: the flow run submits the batch, schedules a
check run of the same deployment and completes; the check run collects the batch (one creation)."""

from __future__ import annotations

import json
import re
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from testkit.openai_server import FakeOpenAIServer, Request, guess_answer
from testkit.repo import REPO
from tests.flows import flow_repo
from tests.flows.test_prefect_server import POOL, cli, get_json, prefect_env, prefect_server  # noqa: F401

pytestmark = pytest.mark.slow


def answer(req: Request) -> str:
    return guess_answer(["Female", "Male"], attribute="sex")


def post_json(url: str, body: dict[str, object]) -> object:
    req = urllib.request.Request(url, json.dumps(body).encode(), {"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.loads(r.read())


def wait_state(api: str, flow_run_id: str) -> dict[str, object]:
    deadline = time.monotonic() + 300
    while True:
        fr = get_json(f"{api}/flow_runs/{flow_run_id}")
        assert isinstance(fr, dict)
        if fr["state"]["type"] in {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"} or time.monotonic() > deadline:
            return fr
        time.sleep(1)


def test_the_flow_reschedules_a_check_instead_of_waiting(tmp_path: Path, prefect_server: str) -> None:  # noqa: F811
    release = threading.Event()
    with FakeOpenAIServer(answer, batch_ready=lambda job: release.is_set()) as srv:
        root = flow_repo(tmp_path)
        env = prefect_env(tmp_path / "client-home", prefect_server)
        prefect = str(Path(sys.executable).parent / "prefect")
        cli([prefect, "work-pool", "create", POOL, "--type", "process"], env, tmp_path)
        spec = {"kind": "openai", "model": "m", "base_url": srv.base_url, "batch": True}
        args = [sys.executable, "-m", "flows.serve", "deploy", "--pool", POOL, "--flow", "evaluate"]
        args += ["--source", str(root), "--repo", str(root), "--param", "push=false"]
        args += ["--param", f"models={json.dumps({'b': spec})}", "--param", "batch_check_s=2"]
        cli(args, env, REPO)
        out = cli([prefect, "deployment", "run", "evaluate/vipbench-evaluate"], env, tmp_path)
        m = re.search(r"UUID:\s*([0-9a-f-]{36})", out)
        assert m, out
        first_id = m.group(1)

        cli([prefect, "worker", "start", "--pool", POOL, "--run-once"], env, tmp_path, timeout=600)
        first = wait_state(prefect_server, first_id)
        assert first["state"]["type"] == "COMPLETED", first["state"]  # the worker is free again
        assert srv.batch_creations == 1 and srv.count() == 0  # submitted, not answered yet

        runs = post_json(f"{prefect_server}/flow_runs/filter", {})
        assert isinstance(runs, list)
        checks = [r for r in runs if r["id"] != first_id and r["deployment_id"] == first["deployment_id"]]
        assert len(checks) == 1 and checks[0]["state"]["type"] == "SCHEDULED"
        assert checks[0]["parameters"]["runs"] == ["b"] and checks[0]["parameters"]["version_data"] is False

        release.set()
        time.sleep(2.5)  # its scheduled time
        cli([prefect, "worker", "start", "--pool", POOL, "--run-once"], env, tmp_path, timeout=600)
        second = wait_state(prefect_server, checks[0]["id"])
        assert second["state"]["type"] == "COMPLETED", second["state"]
        assert srv.batch_creations == 1 and srv.count() == 12  # the same batch, collected
        assert json.loads((root / "metrics" / "b.json").read_text())["overall"]["n"] == 12
