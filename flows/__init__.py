"""Prefect flows for vipbench: thin orchestration over the package, DVC and MLflow.

- `flows.version_dataset.version_dataset`: validate data/, `dvc add`, `dvc push`, stage data.dvc.
- `flows.evaluate.evaluate`: version the data, run chosen pipeline runs, publish a results table.
- `flows.watch_releases.watch_releases`: evaluate models that providers newly offer.
- `flows.serve`: the scheduled deployment of `watch_releases` (and work-pool deployments).

Importing this package (every flow module does, before Prefect) sets the quiet offline defaults
of `vipbench.ops.quiet` unless they are already set.
"""

from __future__ import annotations

from vipbench.ops.quiet import quiet_defaults

quiet_defaults()
