"""Real servers as separate processes on 127.0.0.1: `prefect server`, `mlflow server`, Prefect workers.

Each starts in its own session (so the whole process group, children included, can be stopped
or killed the way a dying machine would), logs to a file, and is ready when its health URL
answers. Used by the flow tests and by bench/bench_scaleout.py.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

from vipbench.ops.quiet import command_env

BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def get_json(url: str, body: dict[str, Any] | None = None) -> Any:
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.loads(r.read() or b"null")


def prefect_env(home: Path, api: str | None = None) -> dict[str, str]:
    """Prefect settings of one process: its own home, the server `api` (or none), no UI build."""
    env = command_env()
    env.update(PREFECT_HOME=str(home), PREFECT_UI_ENABLED="false")
    env.pop("MLFLOW_TRACKING_URI", None)
    if api:
        env["PREFECT_API_URL"] = api
    else:
        env.pop("PREFECT_API_URL", None)
    return env


class Service:
    """A process group started in `cwd`, its output in `log`; `stop()` ends the whole group."""

    def __init__(self, cmd: list[str], env: dict[str, str], log: Path, cwd: Path | None = None) -> None:
        self.cmd = cmd
        self.log = log
        self._out = open(log, "w")  # noqa: SIM115  (closed in stop)
        self.proc = subprocess.Popen(
            cmd, env=env, cwd=cwd, stdout=self._out, stderr=subprocess.STDOUT, start_new_session=True
        )

    def wait_ready(self, url: str, timeout: float = 180) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                with urllib.request.urlopen(url, timeout=5):
                    return
            except OSError as e:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"{' '.join(self.cmd)} did not start:\n{self.log.read_text()[-4000:]}") from e
                time.sleep(0.5)

    def kill(self) -> None:
        """SIGKILL, at once, to the process and everything it started, as when its machine dies.

        Prefect's process worker starts each flow run in a session of its own, so killing the
        worker's process group alone would leave the flow run going; the whole tree is killed.
        """
        import psutil

        try:
            root = psutil.Process(self.proc.pid)
            tree = [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            tree = []
        for proc in tree:
            with contextlib.suppress(psutil.NoSuchProcess):
                proc.kill()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()

    def stop(self) -> None:
        for sig, wait in ((signal.SIGTERM, 15), (signal.SIGKILL, 5)):
            try:
                os.killpg(self.proc.pid, sig)
            except ProcessLookupError:
                break
            try:
                self.proc.wait(timeout=wait)
                break
            except subprocess.TimeoutExpired:
                continue
        self._out.close()


class PrefectServer(Service):
    """`prefect server start`; `ui` serves the web UI too (for screenshots)."""

    def __init__(self, tmp: Path, ui: bool = False) -> None:
        port = free_port()
        self.api = f"http://127.0.0.1:{port}/api"
        self.ui = f"http://127.0.0.1:{port}"
        cmd = [str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port", str(port)]
        env = prefect_env(tmp / "prefect-server-home")
        env["PREFECT_UI_ENABLED"] = "true" if ui else "false"
        env["PREFECT_UI_API_URL"] = self.api  # the page asks this, not the default port, for data
        super().__init__(cmd, env, tmp / "prefect-server.log")
        self.wait_ready(f"{self.api}/health")


class MlflowServer(Service):
    def __init__(self, tmp: Path) -> None:
        port = free_port()
        self.uri = f"http://127.0.0.1:{port}"
        store = tmp / "mlflow-server"
        store.mkdir(parents=True, exist_ok=True)
        cmd = [
            str(BIN / "mlflow"),
            "server",
            "--backend-store-uri",
            f"sqlite:///{store / 'mlflow.db'}",
            "--artifacts-destination",
            str(store / "artifacts"),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            "1",
        ]
        env = command_env()
        env["MLFLOW_SERVER_ENABLE_JOB_EXECUTION"] = "false"
        super().__init__(cmd, env, tmp / "mlflow-server.log")
        self.wait_ready(f"{self.uri}/health")


class Worker(Service):
    """`prefect worker start --pool POOL --limit N` in its own directory, with its own environment."""

    def __init__(self, name: str, pool: str, root: Path, env: dict[str, str], limit: int = 1) -> None:
        self.name = name
        self.dir = root / name
        self.dir.mkdir(parents=True, exist_ok=True)
        cmd = [str(BIN / "prefect"), "worker", "start", "--pool", pool, "--name", name, "--limit", str(limit)]
        super().__init__(cmd, env, root / f"{name}.log", cwd=self.dir)
