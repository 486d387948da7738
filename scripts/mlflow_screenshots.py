"""Screenshots of the MLflow UI over a finished pipeline's store, taken in headless Chromium.

    .venv/bin/python scripts/mlflow_screenshots.py [--repo .] [--out docs/img] [--runs a,b,c]

Starts `mlflow server` on 127.0.0.1 over the repository's SQLite store (or MLFLOW_TRACKING_URI's
database, if that is a sqlite: URI), then saves two PNGs: the experiment's runs table and the
compare page of three model runs (the first three model runs by name unless --runs says which).
Chromium gets a virtual-time budget so the single-page app finishes rendering before the shot.
Needs Debian's `chromium`. The server is stopped, with its worker processes, when done.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

from vipbench.ops.quiet import command_env

CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(store_uri: str, port: int, log: Path) -> subprocess.Popen[bytes]:
    env = {**command_env(), "MLFLOW_SERVER_ENABLE_JOB_EXECUTION": "false"}
    exe = Path(sys.executable).parent / "mlflow"
    cmd = [str(exe), "server", "--backend-store-uri", store_uri, "--host", "127.0.0.1", "--port", str(port),
           "--workers", "1"]
    return subprocess.Popen(cmd, stdout=log.open("w"), stderr=subprocess.STDOUT, env=env, start_new_session=True)


def wait_ready(url: str, proc: subprocess.Popen[bytes], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("mlflow server exited before it was ready")
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"mlflow server did not answer {url}/health within {timeout:g}s")


def stop(proc: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)
    except ProcessLookupError:
        return
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)


def screenshot(url: str, out: Path, size: str = "1600,900", budget_ms: int = 25000) -> Path:
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if exe is None:
        raise RuntimeError("chromium is not installed (apt-get install chromium)")
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            [exe, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", f"--window-size={size}",
             f"--virtual-time-budget={budget_ms}", f"--screenshot={out}", url],
            capture_output=True, timeout=180, check=False,
        )
    if not out.is_file():
        raise RuntimeError(f"chromium wrote no screenshot of {url}")
    return out


def pick(store_uri: str, experiment: str | None, runs: list[str] | None) -> tuple[str, list[str]]:
    """(experiment id, run ids of three model runs) from the store."""
    from mlflow.tracking import MlflowClient

    client = MlflowClient(tracking_uri=store_uri)
    exps = [e for e in client.search_experiments() if e.name.startswith("vipbench-")]
    if experiment:
        exps = [e for e in exps if e.name == experiment]
    if not exps:
        raise RuntimeError(f"no vipbench experiment in {store_uri}")
    exp = exps[0]
    found = client.search_runs([exp.experiment_id], max_results=500)
    by_name = {r.info.run_name: r.info.run_id for r in found if r.data.tags.get("vipbench.kind") != "summary"}
    by_name.pop("summary", None)
    names = runs or sorted(by_name)[:3]
    missing = [n for n in names if n not in by_name]
    if missing:
        raise RuntimeError(f"no such run(s) {missing}; have {sorted(by_name)}")
    return exp.experiment_id, [by_name[n] for n in names]


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repo", type=Path, default=Path("."), help="repository whose mlflow.db to show")
    ap.add_argument("--out", type=Path, default=Path("docs/img"), help="directory for the PNGs")
    ap.add_argument("--experiment", help="experiment name (default: the first vipbench-* experiment)")
    ap.add_argument("--runs", help="comma-separated run names to compare (default: the first three)")
    a = ap.parse_args(argv)
    env_uri = os.environ.get("MLFLOW_TRACKING_URI", "")
    store = env_uri if env_uri.startswith("sqlite:") else f"sqlite:///{(a.repo / 'mlflow.db').resolve()}"
    exp_id, run_ids = pick(store, a.experiment, a.runs.split(",") if a.runs else None)
    a.out.mkdir(parents=True, exist_ok=True)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    proc = start_server(store, port, a.out / "mlflow-server.log")
    try:
        wait_ready(url, proc)
        table = screenshot(f"{url}/#/experiments/{exp_id}/runs", a.out / "mlflow-runs.png", size="2100,700")
        q = urllib.parse.urlencode({"runs": json.dumps(run_ids), "experiments": json.dumps([exp_id])})
        compare = screenshot(f"{url}/#/compare-runs?{q}", a.out / "mlflow-compare.png", size="1600,1400")
    finally:
        stop(proc)
        (a.out / "mlflow-server.log").unlink(missing_ok=True)
    print(table)
    print(compare)


if __name__ == "__main__":
    main()
