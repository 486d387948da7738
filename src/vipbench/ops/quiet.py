"""Quiet, offline defaults for DVC, MLflow and Prefect, in one table: no telemetry, and a startup
timeout for Prefect's temporary local server that a first start on a slow disk can meet.

Every place that starts these tools takes the defaults from here (`scripts/env.sh` holds the same
table for shells; a test keeps the two equal). A value already in the environment wins.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path

QUIET_ENV: dict[str, str] = {
    "DVC_NO_ANALYTICS": "1",
    "MLFLOW_DISABLE_TELEMETRY": "true",
    "DO_NOT_TRACK": "true",
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    # a fresh PREFECT_HOME needs ~20-30 s to migrate the temporary server's database (default 20)
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
}


def quiet_defaults() -> None:
    """Set the defaults in this process where the environment does not say otherwise."""
    for key, value in QUIET_ENV.items():
        os.environ.setdefault(key, value)


def command_env(base: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment for a tool run as a subprocess: `base` (default: this process's), this
    Python's scripts first on PATH (so `dvc` and `vipbench` are this environment's), and the
    quiet defaults where unset."""
    env = dict(os.environ if base is None else base)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    for key, value in QUIET_ENV.items():
        env.setdefault(key, value)
    return env
