"""Prefect flows for vipbench: thin orchestration over the package, DVC and MLflow.

- `flows.version_dataset.version_dataset`: validate data/, `dvc add`, `dvc push`, stage data.dvc.
- `flows.evaluate.evaluate`: version the data, run chosen pipeline runs, publish a results table.
- `flows.watch_releases.watch_releases`: evaluate models that providers newly offer.
- `flows.serve`: the scheduled deployment of `watch_releases` (and work-pool deployments).
- `flows.fanout`: `evaluate`'s fan-out to a work pool (the child flow `evaluate_run`, and the
  gathering through DVC's run cache); `flows.stages`: the DVC stages both run, as tasks.
- `flows.steps`: the pull steps of the deployments in prefect.yaml (clone, `dvc pull`).

Importing this package (every flow module does, before Prefect) sets the quiet offline defaults
of `vipbench.ops.quiet` unless they are already set.
"""

from __future__ import annotations

from vipbench.ops.quiet import quiet_defaults

quiet_defaults()
