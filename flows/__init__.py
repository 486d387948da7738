"""Prefect flows for vipbench: thin orchestration over the package, DVC and MLflow.

- `flows.version_dataset.version_dataset`: validate data/, `dvc add`, `dvc push`, stage data.dvc.
- `flows.evaluate.evaluate`: version the data, run chosen pipeline runs, publish a results table.
- `flows.watch_releases.watch_releases`: evaluate models that providers newly offer.
- `flows.serve`: the scheduled deployment of `watch_releases` (and work-pool deployments).

Importing this package (every flow module does, before Prefect) sets quiet offline defaults
unless they are already set: no Prefect, DVC or MLflow telemetry, and a startup timeout for
Prefect's temporary local server that a first start on a slow disk can meet.
"""

from __future__ import annotations

import os

DEFAULTS: dict[str, str] = {
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    # a fresh PREFECT_HOME needs ~20-30 s to migrate the temporary server's database (default 20)
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
    "DVC_NO_ANALYTICS": "1",
    "MLFLOW_DISABLE_TELEMETRY": "true",
    "DO_NOT_TRACK": "true",
}


def quiet_defaults() -> None:
    """Set the defaults above where the environment does not say otherwise."""
    for key, value in DEFAULTS.items():
        os.environ.setdefault(key, value)


quiet_defaults()
