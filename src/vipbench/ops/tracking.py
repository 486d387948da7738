"""MLflow: one experiment per dataset, one run per configuration, updated in place on re-runs.

The tracking store is a local SQLite file (`mlflow.db` in the repository) unless
`MLFLOW_TRACKING_URI` points elsewhere, e.g. a tracking server. Images and API keys never
reach MLflow; only the model spec's public fields, metrics and per-item results do.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vipbench.ops.quiet import quiet_defaults
from vipbench.ops.tags import Tag

if TYPE_CHECKING:
    from vipbench.ops.mlflow_shape import DatasetRef, ModelRef


def tracking_uri(repo: Path) -> str:
    return os.environ.get("MLFLOW_TRACKING_URI") or f"sqlite:///{(repo / 'mlflow.db').resolve()}"


def config_hash(config: Mapping[str, Any]) -> str:
    blob = json.dumps(config, sort_keys=True, default=str).encode()
    return hashlib.sha256(blob).hexdigest()[:16]


def mlflow_for(repo: Path):  # type: ignore[no-untyped-def]
    """The mlflow module, pointed at this repository's store (or MLFLOW_TRACKING_URI)."""
    quiet_defaults()
    import mlflow

    # mlflow.set_tracking_uri also exports MLFLOW_TRACKING_URI; put the user's value back so a
    # later workspace or a child process (dvc, Prefect) is not sent to this repository's store
    before = os.environ.get("MLFLOW_TRACKING_URI")
    mlflow.set_tracking_uri(tracking_uri(repo))
    if before is None:
        os.environ.pop("MLFLOW_TRACKING_URI", None)
    else:
        os.environ["MLFLOW_TRACKING_URI"] = before
    return mlflow


def ensure_experiment(repo: Path, name: str) -> str:
    mlflow = mlflow_for(repo)
    exp = mlflow.get_experiment_by_name(name)
    if exp is not None:
        return str(exp.experiment_id)
    artifact_location = None
    if not os.environ.get("MLFLOW_TRACKING_URI"):
        artifact_location = (repo / "mlruns").resolve().as_uri()
    return str(mlflow.create_experiment(name, artifact_location=artifact_location))


def find_run(repo: Path, experiment_id: str, run_key: str, chash: str) -> str | None:
    mlflow = mlflow_for(repo)
    runs = mlflow.search_runs(
        experiment_ids=[experiment_id],
        filter_string=f"tags.`{Tag.RUN_KEY}` = '{run_key}' and tags.`{Tag.CONFIG_HASH}` = '{chash}'",
        output_format="list",
        max_results=1,
    )
    return runs[0].info.run_id if runs else None


def logged_with(repo: Path, experiment: str, run_key: str, identity: Mapping[str, Any], outputs: str) -> str | None:
    """The run of (run_key, identity) if its logging completed with exactly `outputs`, else None."""
    mlflow = mlflow_for(repo)
    exp = mlflow.get_experiment_by_name(experiment)
    if exp is None:
        return None
    run_id = find_run(repo, str(exp.experiment_id), run_key, config_hash(identity))
    if run_id is None:
        return None
    tags = mlflow.MlflowClient().get_run(run_id).data.tags
    return run_id if tags.get(Tag.OUTPUTS) == outputs else None


def log_run(
    repo: Path,
    experiment: str,
    run_key: str,
    identity: Mapping[str, Any],
    params: Mapping[str, Any],
    metrics: Mapping[str, float],
    tags: Mapping[str, str],
    tables: Mapping[str, Mapping[str, list[Any]]] | None = None,
    artifacts: Mapping[str, Path] | None = None,
    dataset: DatasetRef | None = None,
    model: ModelRef | None = None,
    texts: Mapping[str, str] | None = None,
    outputs: str | None = None,
) -> str:
    """Create or update the run for (run_key, identity) and return its id.

    `identity` is everything that defines the configuration (public spec, prompt hash,
    dataset version); the same identity always lands in the same run. `dataset` becomes the run's
    evaluation input, `model` an external logged model that the metrics are logged against (the
    UI's Model column), `texts` artifacts written from strings (file name -> content). `outputs`,
    a hash of all of it, is tagged last (`Tag.OUTPUTS`), once everything else is logged.
    """
    mlflow = mlflow_for(repo)
    exp_id = ensure_experiment(repo, experiment)
    chash = config_hash(identity)
    run_id = find_run(repo, exp_id, run_key, chash)
    # The identifying tags go in with the run's creation, so a process killed right after it still
    # leaves a run that the next attempt finds and completes (instead of adding a second one).
    all_tags = {Tag.RUN_KEY: run_key, Tag.CONFIG_HASH: chash, **tags}
    with mlflow.start_run(
        run_id=run_id, experiment_id=exp_id, run_name=None if run_id else run_key, tags=all_tags
    ) as run:
        if run_id is None or not run.data.params:
            mlflow.log_params({k: _param(v) for k, v in params.items()})
        ds = _dataset(dataset) if dataset is not None else None
        if ds is not None:
            mlflow.log_input(ds, context="evaluation")
        model_id = _logged_model(mlflow, exp_id, run.info.run_id, chash, model) if model is not None else None
        mlflow.log_metrics(dict(metrics), model_id=model_id, dataset=ds)
        for name, text in (texts or {}).items():
            mlflow.log_text(text, name)
        for name, table in (tables or {}).items():
            mlflow.log_table(data=dict(table), artifact_file=name)
        for sub, path in (artifacts or {}).items():
            if Path(path).is_dir():
                mlflow.log_artifacts(str(path), artifact_path=sub or None)
            else:
                mlflow.log_artifact(str(path), artifact_path=sub or None)
        if outputs is not None:
            mlflow.set_tag(Tag.OUTPUTS, outputs)
        return str(run.info.run_id)


def _param(v: Any) -> str:
    s = v if isinstance(v, str) else json.dumps(v, sort_keys=True, default=str)
    return s[:6000]


def _dataset(ref: DatasetRef):  # type: ignore[no-untyped-def]
    """An MLflow dataset for `ref`: a pandas dataset of its rows (schema and row count in the UI),
    or a meta dataset when there are no rows; either way its digest is `ref.digest`."""
    import mlflow.data
    from mlflow.data.meta_dataset import MetaDataset

    source = _dvc_source(ref.source)
    if not ref.rows:
        return MetaDataset(source=source, name=ref.name, digest=ref.digest)
    import pandas as pd

    return mlflow.data.from_pandas(pd.DataFrame(ref.rows), source=source, name=ref.name, digest=ref.digest)


def _dvc_source(fields: Mapping[str, str]):  # type: ignore[no-untyped-def]
    """A dataset source of type "dvc": the repository, its .dvc file and the DVC remote."""
    from mlflow.data.dataset_source import DatasetSource

    class DvcDatasetSource(DatasetSource):  # type: ignore[misc]
        def __init__(self, d: Mapping[str, str]) -> None:
            self._d = dict(d)

        @staticmethod
        def _get_source_type() -> str:
            return "dvc"

        def load(self, **kwargs: Any) -> str:
            return self._d.get("repo", "")

        @staticmethod
        def _can_resolve(raw_source: Any) -> bool:
            return False

        @classmethod
        def _resolve(cls, raw_source: Any) -> DvcDatasetSource:
            raise NotImplementedError

        def to_dict(self) -> dict[str, str]:
            return dict(self._d)

        @classmethod
        def from_dict(cls, source_dict: dict[str, str]) -> DvcDatasetSource:
            return cls(source_dict)

    return DvcDatasetSource(fields)


def _logged_model(mlflow: Any, exp_id: str, run_id: str, chash: str, model: ModelRef) -> str:
    """The external logged model of this run's configuration: found again by the config hash tag
    (runs are updated in place, so their model is too), else created with the run as its source."""
    found = mlflow.search_logged_models(
        experiment_ids=[exp_id],
        filter_string=f"source_run_id = '{run_id}'",
        output_format="list",
    )
    for m in found:
        if m.tags.get(Tag.CONFIG_HASH) == chash:
            return str(m.model_id)
    created = mlflow.create_external_model(
        name=model.name,
        model_type=model.model_type,
        source_run_id=run_id,
        experiment_id=exp_id,
        params=dict(model.params),
        tags={**model.tags, Tag.CONFIG_HASH: chash},
    )
    return str(created.model_id)
