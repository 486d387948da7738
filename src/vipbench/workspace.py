"""Where things live in a vipbench repository, derived from params.yaml."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from vipbench.config import Params, load_params, resolve_data_dir

#: a defended run is named "<run>+<defense>"
DEFENSE_SEP = "+"


def defended_run(run: str, defense: str) -> str:
    return f"{run}{DEFENSE_SEP}{defense}"


@dataclass
class Workspace:
    root: Path
    params: Params

    @classmethod
    def load(cls, root: Path | None = None, params_file: str = "params.yaml") -> Workspace:
        root = (root or Path.cwd()).resolve()
        return cls(root, load_params(root / params_file))

    def run_names(self) -> list[str]:
        """Every run the pipeline produces: the models, then each (run, defense) cell."""
        de = self.params.defense_eval
        return [*self.params.models, *(defended_run(r, d) for r in de.runs for d in de.defenses)]

    @staticmethod
    def base_run(run: str) -> str:
        return run.split(DEFENSE_SEP, 1)[0]

    @staticmethod
    def defense_of(run: str) -> str | None:
        return run.split(DEFENSE_SEP, 1)[1] if DEFENSE_SEP in run else None

    @property
    def data_dir(self) -> Path:
        return resolve_data_dir(self.params, self.root)

    @property
    def build(self) -> Path:
        return self.root / "build"

    @property
    def items_file(self) -> Path:
        return self.build / "items.jsonl"

    def items_file_for(self, run: str) -> Path:
        """The items a run answers: the defended copy for a defended run."""
        d = self.defense_of(run)
        return self.defended_items_file(d) if d else self.items_file

    def defended_items_file(self, defense: str) -> Path:
        return self.build / "defended" / defense / "items.jsonl"

    def defended_utility_file(self, defense: str) -> Path:
        return self.build / "defended" / defense / "utility.json"

    @property
    def dataset_file(self) -> Path:
        return self.build / "dataset.json"

    def responses_file(self, run: str) -> Path:
        return self.build / "responses" / f"{run}.jsonl"

    def scores_file(self, run: str) -> Path:
        return self.build / "scores" / f"{run}.jsonl"

    def tracking_file(self, run: str) -> Path:
        """The MLflow run id of a run: machine-specific, so neither a metric nor a DVC output."""
        return self.build / "tracking" / f"{run}.json"

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
