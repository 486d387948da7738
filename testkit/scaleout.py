"""A team's machines on one host, for the scale-out test and bench: real servers, real workers.

- a `prefect server`, an `mlflow server`, a bare git repository as `origin`, a local-directory
  DVC remote, and an OpenAI-compatible server (testkit.openai_server, in its own process, with a
  latency) that counts the requests it has in flight;
- the project: a repository copy with `n_models` API models on that server (and the offline
  baselines), pushed to origin and to the DVC remote;
- `prefect deploy --all` from the project's own prefect.yaml, and process workers, each in its
  own directory and with its own Prefect home, cloning from origin through the pull steps.

`evaluate` starts the parent flow the way a person would (`python -m flows.evaluate --fan-out
...`) and returns what it printed; `one_machine` runs the same revision with plain `dvc repro`
in a fresh clone, for comparison.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from testkit.openai_server import ServerProcess
from testkit.repo import env as repo_env
from testkit.repo import flow_repo, run
from testkit.servers import MlflowServer, PrefectServer, Worker, get_json, prefect_env

PREFECT = str(Path(sys.executable).parent / "prefect")
POOL = "vipbench"
CHILD = "evaluate-run/vipbench-evaluate-run"
BASELINES = {"majority": {"kind": "majority"}, "exif": {"kind": "exif"}}


def api_models(base_url: str, n: int, max_concurrency: int = 2) -> dict[str, dict[str, Any]]:
    return {
        f"api{i}": {"kind": "openai", "model": f"vlm-{i}", "base_url": base_url, "max_concurrency": max_concurrency}
        for i in range(1, n + 1)
    }


@dataclass
class Servers:
    """The team's shared services: Prefect, MLflow, and the model endpoint."""

    tmp: Path
    prefect: PrefectServer
    mlflow: MlflowServer
    #: model endpoints (OpenAI-compatible servers), each in its own process
    apis: list[ServerProcess]

    @property
    def api(self) -> ServerProcess:
        return self.apis[0]

    def stop(self) -> None:
        for api in self.apis:
            api.close()
        self.mlflow.stop()
        self.prefect.stop()


def start_servers(tmp: Path, latency: float, endpoints: int = 1, ui: bool = False) -> Servers:
    tmp.mkdir(parents=True, exist_ok=True)
    prefect = PrefectServer(tmp, ui=ui)
    try:
        mlflow = MlflowServer(tmp)
    except BaseException:
        prefect.stop()
        raise
    return Servers(tmp, prefect, mlflow, [ServerProcess(latency=latency) for _ in range(endpoints)])


@dataclass
class Team:
    """One project on the servers: its repository, origin, DVC remote, deployments and workers."""

    servers: Servers
    tmp: Path
    #: seconds without a heartbeat before the crash automation marks a flow run Crashed (None:
    #: the repository's own file, 90 s; flow runs beat every 30 s, so a test may cut the wait)
    crash_after_s: int | None = None
    origin: Path = field(init=False)
    repo: Path = field(init=False)
    workers: list[Worker] = field(default_factory=list)

    # -- setup ------------------------------------------------------------------------------
    def project(self, models: dict[str, dict[str, Any]], n_images: int = 6, **params: Any) -> Path:
        """The repository, its origin and its DVC remote; deployed from its own prefect.yaml,
        with the automation that marks flow runs without heartbeats Crashed."""
        self.tmp.mkdir(parents=True, exist_ok=True)
        self.repo = flow_repo(self.tmp, models=models, n=n_images)
        if params:
            p = yaml.safe_load((self.repo / "params.yaml").read_text())
            p.update(params)
            (self.repo / "params.yaml").write_text(yaml.safe_dump(p, sort_keys=False))
            run(["git", "commit", "-qam", "params"], self.repo)
        self.origin = self.tmp / "origin.git"
        run(["git", "init", "-q", "--bare", "-b", "main", str(self.origin)], self.tmp)
        run(["git", "branch", "-M", "main"], self.repo)
        run(["git", "remote", "add", "origin", str(self.origin)], self.repo)
        run(["git", "push", "-q", "-u", "origin", "main"], self.repo)
        run(["dvc", "push", "-q"], self.repo)
        env = self.client_env("deployer")
        run([PREFECT, "work-pool", "create", POOL, "--type", "process", "--overwrite"], self.repo, env=env)
        run([PREFECT, "--no-prompt", "deploy", "--all"], self.repo, env=env, timeout=300)
        automation = self.repo / "automations" / "crashed-flow-runs.yaml"
        if self.crash_after_s is not None:
            spec = yaml.safe_load(automation.read_text())
            spec["trigger"]["within"] = self.crash_after_s
            automation = self.tmp / "crashed-flow-runs.yaml"
            automation.write_text(yaml.safe_dump(spec, sort_keys=False))
        if "vipbench-crashed-flow-runs" not in self.automations():
            run([PREFECT, "automation", "create", "--from-file", str(automation)], self.repo, env=env)
        return self.repo

    def client_env(self, name: str) -> dict[str, str]:
        env = prefect_env(self.tmp / f"home-{name}", self.servers.prefect.api)
        env["MLFLOW_TRACKING_URI"] = self.servers.mlflow.uri
        return env

    def automations(self) -> dict[str, dict[str, Any]]:
        """The server's automations by name (what `prefect automation ls` lists)."""
        return {a["name"]: a for a in get_json(f"{self.servers.prefect.api}/automations/filter", {})}

    def concurrency_limits(self) -> list[dict[str, Any]]:
        """The server's global concurrency limits (`prefect global-concurrency-limit ls`)."""
        return list(get_json(f"{self.servers.prefect.api}/v2/concurrency_limits/filter", {}))

    def prefect_cli(self, *args: str) -> str:
        return run([PREFECT, *args], self.tmp, env=self.client_env("cli")).stdout

    def start_worker(self, name: str, limit: int = 1) -> Worker:
        """A process worker in its own directory; its flow runs' temporary checkouts live there too."""
        env = self.client_env(name)
        env.update(
            VIPBENCH_GIT_URL=str(self.origin),
            VIPBENCH_WORKER=name,
            PREFECT_WORKER_QUERY_SECONDS="1",
            PREFECT_WORKER_PREFETCH_SECONDS="1",
            TMPDIR=str(self.tmp / "workers" / name),
        )
        w = Worker(name, POOL, self.tmp / "workers", env, limit=limit)
        self.workers.append(w)
        return w

    # -- an evaluation ------------------------------------------------------------------------
    def evaluate_cmd(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "flows.evaluate", "--repo", str(self.repo), "--fan-out", CHILD, *args]

    def evaluate(self, *args: str, timeout: float = 900) -> dict[str, Any]:
        """`python -m flows.evaluate --fan-out CHILD` in the parent checkout: its exit code, the
        JSON result it printed, and its output."""
        p = subprocess.run(
            self.evaluate_cmd(*args),
            cwd=self.repo,
            env=self.client_env("parent"),
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        return parse_result(p.returncode, p.stdout, p.stderr)

    def flow_runs(self, flow_name: str) -> list[dict[str, Any]]:
        api = self.servers.prefect.api
        flows = {f["id"]: f["name"] for f in get_json(f"{api}/flows/filter", {"limit": 200})}
        runs = get_json(f"{api}/flow_runs/filter", {"limit": 200})
        return [r for r in runs if flows.get(r["flow_id"]) == flow_name]

    def delete_flow_run(self, flow_run_id: str) -> None:
        req = urllib.request.Request(f"{self.servers.prefect.api}/flow_runs/{flow_run_id}", method="DELETE")
        with urllib.request.urlopen(req, timeout=10):
            pass

    def stop(self) -> None:
        for w in self.workers:
            w.stop()


def parse_result(returncode: int, stdout: str, stderr: str) -> dict[str, Any]:
    out = stdout[stdout.find("\n{") + 1 :] if "\n{" in stdout else stdout[stdout.find("{") :]
    try:
        result = json.loads(out)
    except ValueError:
        result = {}
    return {"returncode": returncode, "result": result, "stdout": stdout, "stderr": stderr}


def one_machine(team: Team, revision: str, where: Path) -> Path:
    """A fresh clone of `revision` and a plain `dvc repro` there (local MLflow, no run cache)."""
    if where.exists():
        shutil.rmtree(where)
    run(["git", "clone", "-q", str(team.origin), str(where)], team.tmp)
    run(["git", "checkout", "-q", "--detach", revision], where)
    run(["dvc", "pull", "-q", "data.dvc"], where)
    env = repo_env()
    env.pop("PREFECT_API_URL", None)
    run(["dvc", "repro"], where, env=env, timeout=900)
    return where


def metrics_files(root: Path) -> dict[str, bytes]:
    """Every file under metrics/ (the headline metrics and the report), by name."""
    return {p.name: p.read_bytes() for p in sorted((root / "metrics").iterdir()) if p.is_file()}


def wait_for(predicate: Any, timeout: float, every: float = 0.5) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        got = predicate()
        if got:
            return got
        time.sleep(every)
    return None


def git_rev(root: Path, ref: str = "HEAD") -> str:
    return run(["git", "rev-parse", ref], root).stdout.strip()
