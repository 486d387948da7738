"""Where things live in a vipbench repository, derived from params.yaml, and runs resolved once.

A run is a configured model (`models.<run>`) or a cell of the run x defense matrix, named
`<run>+<defense>`. `Workspace.run(name)` parses that name (the only place that does), checks both
parts against params.yaml, and returns a `Run` with the model spec, the typed defense and the
run's files, so that the pipeline stages never take a run name apart themselves.

Files under build/ and metrics/ are DVC outputs (see dvc.yaml), except build/tracking/, which holds
what differs from machine to machine and run to run (MLflow run ids, latencies).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from vipbench.config import DefenseSpec, Params, load_params, resolve_data_dir
from vipbench.core.errors import ConfigError

if TYPE_CHECKING:
    from vipbench.models.registry import ModelSpec

#: a defended run is named "<run>+<defense>" ('+' is in no run or defense name)
DEFENSE_SEP = "+"

#: an OCR cache file shared by every workspace on the machine (unset: one per workspace)
OCR_CACHE_ENV = "VIPBENCH_OCR_CACHE"

#: `deps/stages/<stage>/` holds a link to each file a stage's command imports or reads (but a one-model
#: stage's kind's own code): the stage depends on that folder, one entry where a list of ~100 files
#: made dvc.lock ten times longer and every `dvc` command twice as slow to read it
STAGE_CODE = Path("deps") / "stages"
#: `deps/kinds/<kind>/` holds a link to each file that only the runs of that model kind import
#: (`vipbench dvc-deps` writes them), so that an `infer` stage depends on its kind's code alone
KIND_CODE = Path("deps") / "kinds"
#: `deps/runs/<run>` links to its kind's folder; a run's `infer` stages depend on it (`configure`
#: writes one for each run under `models`)
RUN_CODE = Path("deps") / "runs"


def link_run_code(root: Path, kinds: Mapping[str, str]) -> list[str]:
    """Make `deps/runs/<run>` a link to `deps/kinds/<kind>` for each run -> kind, and remove the
    links of other runs. Returns the runs whose link changed (an unchanged link is not touched)."""
    runs_dir = root / RUN_CODE
    changed = []
    for run, kind in sorted(kinds.items()):
        if run in (".", ".."):
            raise ConfigError(f"params.yaml: {run!r} cannot name a run")
        if not (root / KIND_CODE / kind).is_dir():
            raise ConfigError(f"{KIND_CODE / kind}: missing (the code of model kind {kind!r}); run `vipbench dvc-deps`")
        link = runs_dir / run
        target = os.path.relpath(root / KIND_CODE / kind, runs_dir)
        if link.is_symlink() and os.readlink(link) == target:
            continue
        runs_dir.mkdir(parents=True, exist_ok=True)
        if link.is_symlink() or link.exists():
            link.unlink()
        link.symlink_to(target, target_is_directory=True)
        changed.append(run)
    if runs_dir.is_dir():
        for link in sorted(runs_dir.iterdir()):
            if link.is_symlink() and link.name not in kinds:
                link.unlink()
                changed.append(link.name)
    return changed


def defended_run(run: str, defense: str) -> str:
    """The name of `run` repeated on images defended by `defense`."""
    return f"{run}{DEFENSE_SEP}{defense}"


def split_run_name(name: str) -> tuple[str, str | None]:
    """(base run, defense or None) of a run name: the one place a run name is taken apart."""
    base, sep, defense = name.partition(DEFENSE_SEP)
    return base, (defense if sep else None)


@dataclass(frozen=True)
class Run:
    """One run, resolved: its model, its defense (None when undefended) and its files."""

    name: str
    #: the configured model run; the run itself when undefended
    base: str
    spec: ModelSpec
    defense: str | None
    defense_spec: DefenseSpec | None
    #: the items the run answers: the defended copies for a defended run
    items_file: Path
    #: the directory the items' `image` paths are relative to: the dataset, or the defense's images
    images_dir: Path
    responses_file: Path
    #: the infer stage's record of how the run went: its statuses, or why it failed
    outcome_file: Path
    scores_file: Path
    #: the LLM judges' disagreeing votes (empty without LLM judges)
    judging_file: Path
    #: the headline figures (a DVC metric)
    metrics_file: Path
    #: everything else the scoring computed (a DVC output, not a metric)
    details_file: Path
    #: the MLflow run id (machine-specific, so neither a metric nor a DVC output)
    tracking_file: Path
    #: run-to-run measurements of the inference (latency, wall time, cache hits): MLflow only
    measurements_file: Path
    #: run-to-run measurements of the scoring (LLM-judge calls, cache hits): MLflow only
    judge_measurements_file: Path
    #: the defense's mean SSIM/PSNR (None when undefended)
    utility_file: Path | None

    @property
    def defended(self) -> bool:
        return self.defense is not None


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

    def run(self, name: str) -> Run:
        """The run called `name` (a model run, or `<run>+<defense>`), checked against params.yaml."""
        base, defense = split_run_name(name)
        spec = self.params.model(base)
        defense_spec = self.defense(defense) if defense is not None else None
        return Run(
            name=name,
            base=base,
            spec=spec,
            defense=defense,
            defense_spec=defense_spec,
            items_file=self.defended_items_file(defense) if defense else self.items_file,
            images_dir=self.defended_images_dir(defense) if defense else self.data_dir,
            responses_file=self.responses_file(name),
            outcome_file=self.outcome_file(name),
            scores_file=self.scores_file(name),
            judging_file=self.judging_file(name),
            metrics_file=self.metrics_file(name),
            details_file=self.details_file(name),
            tracking_file=self.tracking_file(name),
            measurements_file=self.measurements_file(name),
            judge_measurements_file=self.judge_measurements_file(name),
            utility_file=self.defended_utility_file(defense) if defense else None,
        )

    def defense(self, name: str) -> DefenseSpec:
        """The typed `defenses.<name>` entry."""
        try:
            return self.params.defenses[name]
        except KeyError:
            raise ConfigError(
                f"params.yaml: defenses.{name}: no such defense; have {sorted(self.params.defenses)}"
            ) from None

    @property
    def data_dir(self) -> Path:
        return resolve_data_dir(self.params, self.root)

    @property
    def build(self) -> Path:
        return self.root / "build"

    @property
    def items_file(self) -> Path:
        return self.build / "items.jsonl"

    def defended_items_file(self, defense: str) -> Path:
        return self.build / "defended" / defense / "items.jsonl"

    def defended_utility_file(self, defense: str) -> Path:
        return self.build / "defended" / defense / "utility.json"

    def defended_images_dir(self, defense: str) -> Path:
        """A defense's images (a DVC output); defended items name them relative to this directory."""
        return self.build / "defended" / defense / "images"

    def defense_cache_dir(self, defense: str) -> Path:
        """The content-hash cache of a defense's images, so a re-run defends no image twice."""
        return self.root / ".vipbench" / "defended" / defense

    @property
    def config_dir(self) -> Path:
        """The `configure` stage's output: each run's and each defense's resolved spec."""
        return self.build / "config"

    def model_config_file(self, run: str) -> Path:
        return self.config_dir / "models" / f"{run}.json"

    def defense_config_file(self, defense: str) -> Path:
        return self.config_dir / "defenses" / f"{defense}.json"

    @property
    def dataset_file(self) -> Path:
        return self.build / "dataset.json"

    def responses_file(self, run: str) -> Path:
        return self.build / "responses" / f"{run}.jsonl"

    def outcome_file(self, run: str) -> Path:
        """How a run's inference ended (counts by status, or the failure record): infer's output,
        written even when the run fails, so the report can say why a run is missing."""
        return self.build / "outcomes" / f"{run}.json"

    def judging_file(self, run: str) -> Path:
        """The LLM judges' disagreeing votes on a run's items (none without LLM judges)."""
        return self.build / "judging" / f"{run}.json"

    @property
    def report_file(self) -> Path:
        """The report in Markdown (a DVC output kept in git)."""
        return self.root / "metrics" / "report.md"

    @property
    def figures_dir(self) -> Path:
        return self.root / "figures"

    def plot_file(self, name: str) -> Path:
        """A DVC plot's data (`plots/<name>`), kept in git."""
        return self.root / "plots" / name

    def scores_file(self, run: str) -> Path:
        return self.build / "scores" / f"{run}.jsonl"

    def tracking_file(self, run: str) -> Path:
        """The MLflow run id of a run: machine-specific, so neither a metric nor a DVC output."""
        return self.build / "tracking" / f"{run}.json"

    def measurements_file(self, run: str) -> Path:
        """Latency, wall time and cache hits of a run's inference: they differ from run to run,
        so they go to MLflow (through `vipbench track`) and never into a DVC output."""
        return self.build / "tracking" / f"{run}.measured.json"

    def judge_measurements_file(self, run: str) -> Path:
        """How many LLM-judge votes the score stage asked for and how many came from the cache:
        they differ from run to run, so they go to MLflow (through `vipbench track`) only."""
        return self.build / "tracking" / f"{run}.judges.json"

    def metrics_file(self, run: str) -> Path:
        """A run's headline figures, the DVC metric `dvc metrics show` lists."""
        return self.root / "metrics" / f"{run}.json"

    def details_file(self, run: str) -> Path:
        """Everything else the score stage computed for a run (intervals, counts, accounting)."""
        return self.build / "details" / f"{run}.json"

    @property
    def summary_file(self) -> Path:
        """The report's headline figures (a DVC metric)."""
        return self.root / "metrics" / "summary.json"

    @property
    def summary_details_file(self) -> Path:
        """The report's full summary: every run, the regressions, the defense table."""
        return self.build / "summary.json"

    @property
    def products(self) -> tuple[str, ...]:
        """What the pipeline writes into git-tracked places (relative to the root): not inputs."""
        return ("dvc.lock", "metrics", "plots")

    @property
    def cache_path(self) -> Path:
        return (self.root / self.params.inference.cache).resolve()

    @property
    def ocr_cache_path(self) -> Path:
        """OCR readings by pixel content, beside the response cache: shared by every run and defense.

        `VIPBENCH_OCR_CACHE` names one file for every workspace on a machine instead (clones,
        fan-out workers, test repositories): a reading depends only on the pixels and the OCR
        engine's version, so sharing it changes no output, only how often the engine runs.
        """
        shared = os.environ.get(OCR_CACHE_ENV, "").strip()
        if shared:
            return Path(shared).expanduser().resolve()
        return self.cache_path.with_name("ocr-cache.sqlite")

    @property
    def judge_cache_path(self) -> Path:
        return (self.root / self.params.scoring.judge_cache).resolve()

    @property
    def reviews_file(self) -> Path:
        return self.root / self.params.scoring.reviews

    @property
    def experiment(self) -> str:
        if self.params.mlflow.experiment:
            return self.params.mlflow.experiment
        return f"vipbench-{self.params.data.name or self.data_dir.name}"
