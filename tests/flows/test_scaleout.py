"""Scale-out for real: one evaluation fans out to two Prefect process workers and comes back
through DVC's run cache and one MLflow server.

Everything is a separate process on 127.0.0.1, as on a team's machines: a `prefect server`, an
`mlflow server`, a bare git repository as origin, a local-directory DVC remote, an
OpenAI-compatible server with a latency that counts requests in flight, and workers that each
clone the repository through the deployment's pull steps (prefect.yaml) in their own directory.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from testkit.repo import run
from testkit.scaleout import (
    BASELINES,
    Servers,
    Team,
    api_models,
    git_rev,
    metrics_files,
    one_machine,
    parse_result,
    start_servers,
    wait_for,
)
from testkit.servers import free_port
from vipbench.inference.shared_limits import limit_name

pytestmark = pytest.mark.slow

LATENCY = 0.3
#: the crash automation's wait without a heartbeat: the repository's 90 s cut to 45 s (heartbeats
#: come every 30 s), so the kill test waits less for the crashed child to be marked Crashed
CRASH_AFTER_S = 45


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    s = start_servers(tmp_path_factory.mktemp("servers"), latency=LATENCY)
    try:
        yield s
    finally:
        s.stop()


@pytest.fixture
def team(servers: Servers, tmp_path: Path) -> Iterator[Team]:
    t = Team(servers, tmp_path, crash_after_s=CRASH_AFTER_S)
    try:
        yield t
    finally:
        t.stop()


def mlflow_runs(uri: str) -> list[object]:
    import mlflow

    client = mlflow.MlflowClient(tracking_uri=uri)
    experiments = client.search_experiments()
    return list(client.search_runs([e.experiment_id for e in experiments], max_results=500))


def test_an_evaluation_fans_out_to_two_workers_and_gathers_like_one_machine(team: Team) -> None:
    # two API runs that may each ask 2 at once, and the endpoint's shared limit of 2: 4 runs in all
    models = {**api_models(team.servers.api.base_url, 2, max_concurrency=2), **BASELINES}
    watch = {
        "prompts": ["final"],
        "providers": [
            {"name": "local", "kind": "openai", "base_url": team.servers.api.base_url, "api_key_env": "VIPBENCH_NO_KEY"}
        ],
    }
    repo = team.project(models, watch=watch)
    revision = git_rev(repo)
    # prefect deploy --all made the deployments and the release trigger (an automation)
    automations = team.automations()
    trigger = [a for n, a in automations.items() if n.startswith("vipbench-evaluate")]
    assert len(trigger) == 1 and trigger[0]["trigger"]["expect"] == ["vipbench.model.released"]
    assert automations["vipbench-crashed-flow-runs"]["trigger"]["within"] == CRASH_AFTER_S
    assert "vipbench-evaluate" in team.prefect_cli("automation", "ls")
    team.start_worker("w1")
    team.start_worker("w2")

    before = team.servers.api.stats()["requests"]
    out = team.evaluate()
    assert out["returncode"] == 0, out["stderr"][-6000:]
    result = out["result"]
    assert result["failed"] == {} and result["fanned_out_to"] == "evaluate-run/vipbench-evaluate-run"
    runs = list(models)
    # every run went to a worker, and both workers ran some
    assert {result["timings"][r]["worker"] for r in runs} == {"w1", "w2"}
    # the children share the endpoint's limit: 2 runs x max_concurrency 2, never more than 2 at once
    stats = team.servers.api.stats()
    assert 0 < stats["max_in_flight"] <= 2, stats
    asked = stats["requests"] - before
    assert asked == 2 * 12, "each API run asks each item once; gathering asks nothing again"

    # MLflow: exactly one run per model run, each with the dataset as input
    logged = mlflow_runs(team.servers.mlflow.uri)
    names = sorted(r.info.run_name for r in logged if r.info.run_name != "summary")
    assert names == sorted(runs)
    for r in logged:
        if r.info.run_name != "summary":
            assert [d.dataset.name for d in r.inputs.dataset_inputs] == ["vip-default"], r.info.run_name

    # the parent committed the gathered lock and metrics and pushed them to origin
    assert git_rev(repo, "origin/main") == git_rev(repo) != revision
    assert run(["git", "status", "--porcelain", "--", "dvc.lock", "metrics"], repo).stdout == ""

    # byte for byte what one machine's `dvc repro` of the same revision produces
    alone = one_machine(team, revision, team.tmp / "alone")
    gathered, expected = metrics_files(repo), metrics_files(alone)
    assert sorted(gathered) == sorted(expected) and len(gathered) >= len(runs) + 2
    assert [n for n in expected if gathered[n] != expected[n]] == []

    # a release announced by watch_releases starts an evaluation through the deployment's trigger
    for w in team.workers:
        w.stop()  # the triggered run stays Scheduled: what matters is that it was created
    team.workers.clear()
    env = team.client_env("watcher")
    p = subprocess.run(
        [sys.executable, "-m", "flows.watch_releases", "--repo", str(repo), "--no-evaluate", "--emit"],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert p.returncode == 0, p.stderr[-4000:]
    announced = json.loads(p.stdout[p.stdout.find("{") :])
    assert announced["new_runs"] == ["local-test-model-final"]
    assert announced["events"] == ["vipbench.model.local.test-model"]

    def triggered() -> list[dict[str, object]]:
        return [
            r
            for r in team.flow_runs("evaluate")
            if isinstance(r["parameters"].get("models"), dict) and "local-test-model-final" in r["parameters"]["models"]
        ]

    started = wait_for(triggered, timeout=60)
    assert started, "the vipbench.model.released event created no evaluate flow run"
    spec = started[0]["parameters"]["models"]["local-test-model-final"]
    assert spec["model"] == "test-model" and spec["prompt"] == "final"
    for r in started:  # no worker of a later test may pick it up
        team.delete_flow_run(r["id"])
    limits = {gcl["name"]: gcl["limit"] for gcl in team.concurrency_limits()}
    assert limits[limit_name(team.servers.api.base_url)] == 2


def test_a_killed_worker_s_child_crashes_and_runs_again(team: Team) -> None:
    models = api_models(team.servers.api.base_url, 2, max_concurrency=1)
    # an endpoint that refuses every request: its child fails for good, and is not resubmitted
    refused = f"http://127.0.0.1:{free_port()}/v1"
    models["broken"] = {"kind": "openai", "model": "x", "base_url": refused, "max_retries": 0}
    team.project(models, n_images=10)  # 20 items a run at 0.3 s each, one at a time: ~6 s of answers
    w1 = team.start_worker("w1")
    team.start_worker("w2")
    before = team.servers.api.stats()["requests"]
    earlier = {r["id"] for r in team.flow_runs("evaluate-run")}  # the servers outlive a test
    parent = subprocess.Popen(
        team.evaluate_cmd(),
        cwd=team.repo,
        env=team.client_env("parent"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        # both children run (one per worker, --limit 1) and the model is answering: kill w1 and
        # the child it runs, as a dying machine would
        def both_running() -> bool:
            running = [r for r in team.flow_runs("evaluate-run") if r["state_type"] == "RUNNING"]
            return len(running) == 2 and team.servers.api.stats()["requests"] - before >= 3

        assert wait_for(both_running, timeout=300), "the two children did not start answering"
        t_kill = time.monotonic()
        w1.kill()
        stdout, stderr = parent.communicate(timeout=600)
    finally:
        if parent.poll() is None:
            parent.kill()
    out = parse_result(parent.returncode, stdout, stderr)
    # the evaluation completes: the crashed child ran again; the broken run fails it at the end
    assert out["returncode"] == 1, out["stderr"][-6000:]
    assert sorted(out["result"]["failed"]) == ["broken"], out["result"]
    assert "evaluate: 1 of 3 run(s) failed: broken" in out["stderr"]
    states = [r["state_type"] for r in team.flow_runs("evaluate-run") if r["id"] not in earlier]
    assert states.count("CRASHED") == 1 and states.count("COMPLETED") == 2, states
    assert "FAILED" in states and "RUNNING" not in states, states
    asked = team.servers.api.stats()["requests"] - before
    repeated = asked - 2 * 20
    took = time.monotonic() - t_kill
    print(f"kill -9 of a worker: {states}, {repeated} request(s) asked again, {took:.0f} s to finish")
    assert 0 <= repeated <= 20
    # the others were gathered and reported; the report says why `broken` is missing
    for name in ("api1.json", "api2.json"):
        assert json.loads((team.repo / "metrics" / name).read_text())["overall"]["n"] == 20
    report = (team.repo / "metrics" / "report.md").read_text()
    assert "broken" in report and "inference failed: 20 of 20 items ended in error" in report
