"""Where things live in a vipbench repository, derived from params.yaml."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from vipbench.config import Params, load_params, resolve_data_dir


@dataclass
class Workspace:
    root: Path
    params: Params

    @classmethod
    def load(cls, root: Path | None = None, params_file: str = "params.yaml") -> Workspace:
        root = (root or Path.cwd()).resolve()
        return cls(root, load_params(root / params_file))

    @property
    def data_dir(self) -> Path:
        return resolve_data_dir(self.params, self.root)

    @property
    def build(self) -> Path:
        return self.root / "build"

    @property
    def items_file(self) -> Path:
        return self.build / "items.jsonl"

    @property
    def dataset_file(self) -> Path:
        return self.build / "dataset.json"

    def responses_file(self, run: str) -> Path:
        return self.build / "responses" / f"{run}.jsonl"

    def scores_file(self, run: str) -> Path:
        return self.build / "scores" / f"{run}.jsonl"

    def metrics_file(self, run: str) -> Path:
        return self.root / "metrics" / f"{run}.json"

    @property
    def summary_file(self) -> Path:
        return self.root / "metrics" / "summary.json"

    @property
    def cache_path(self) -> Path:
        return (self.root / self.params.inference.cache).resolve()

    @property
    def reviews_file(self) -> Path:
        return self.root / self.params.scoring.reviews

    @property
    def experiment(self) -> str:
        if self.params.mlflow.experiment:
            return self.params.mlflow.experiment
        return f"vipbench-{self.params.data.name or self.data_dir.name}"
