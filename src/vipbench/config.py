"""params.yaml, validated with pydantic. Errors name the key path, e.g. `models.gpt4o.max_tokens`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from vipbench.core.attributes import ATTRIBUTES, SCORED
from vipbench.core.errors import ConfigError
from vipbench.models.registry import ModelSpec, available_kinds, spec_class
from vipbench.ops.releases import WatchParams
from vipbench.scoring.llm_judge import JudgeSpec

_RUN_NAME_CHARS = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DataParams(_Strict):
    dir: str = "data"
    labels: str = "labels.jsonl"
    #: a dataset outside the repository is refused unless this is true
    allow_outside_repo: bool = False
    #: a name for the MLflow experiment; defaults to the dataset directory name
    name: str | None = None


class FilterParams(_Strict):
    """Which labels count (design.md section 2, 'Which labels count')."""

    min_certainty: int = Field(3, ge=0, le=5)
    min_hardness: int = Field(1, ge=0, le=5)
    max_information_level: int = Field(0, ge=0)
    #: where an image has an image-only and a re-checked line, they must agree
    require_agreement: bool = True


class InferenceParams(_Strict):
    cache: str = ".vipbench/cache.sqlite"
    max_side: int = Field(1024, ge=32)


class ScoringParams(_Strict):
    bootstrap_samples: int = Field(1000, ge=0)
    seed: int = 0
    reviews: str = "reviews/decisions.jsonl"
    #: optional LLM judges for places and occupation (majority vote); empty = offline judges only
    judges: list[JudgeSpec] = Field(default_factory=list)
    judge_cache: str = ".vipbench/judge-cache.sqlite"


class ReportParams(_Strict):
    #: capability column for the accuracy-versus-capability regression (see capabilities.yaml)
    capability_column: str = "mmmu_val"
    #: project accuracy at this capability value (e.g. a next model's expected MMMU)
    project_at: float | None = 80.0
    #: the summary MLflow run also goes to this experiment (default: the dataset's)
    summary_run_name: str = "summary"


class DefenseEvalParams(_Strict):
    """Which runs are repeated under which defenses (the run x defense matrix in dvc.yaml)."""

    runs: list[str] = Field(default_factory=list)
    defenses: list[str] = Field(default_factory=list)


class MlflowParams(_Strict):
    experiment: str | None = None
    #: images are personal data: they stay out of MLflow unless this is true
    log_images: bool = False


class Params(_Strict):
    data: DataParams = Field(default_factory=DataParams)
    filters: FilterParams = Field(default_factory=FilterParams)
    attributes: list[str] = Field(default_factory=lambda: list(SCORED))
    inference: InferenceParams = Field(default_factory=InferenceParams)
    scoring: ScoringParams = Field(default_factory=ScoringParams)
    mlflow: MlflowParams = Field(default_factory=MlflowParams)
    report: ReportParams = Field(default_factory=ReportParams)
    #: defense name -> {kind: <registered defense>, ...its parameters}
    defenses: dict[str, dict[str, Any]] = Field(default_factory=dict)
    defense_eval: DefenseEvalParams = Field(default_factory=DefenseEvalParams)
    #: new model releases to evaluate on a schedule (flows/watch_releases.py)
    watch: WatchParams = Field(default_factory=WatchParams)
    models: dict[str, ModelSpec] = Field(default_factory=dict)

    @field_validator("attributes")
    @classmethod
    def _known(cls, v: list[str]) -> list[str]:
        bad = [a for a in v if a not in ATTRIBUTES]
        if bad:
            raise ValueError(f"unknown attribute(s) {bad}; known: {list(ATTRIBUTES)}")
        return v

    def model(self, run: str) -> ModelSpec:
        try:
            return self.models[run]
        except KeyError:
            raise ConfigError(f"params.yaml: models.{run}: no such model run; have {sorted(self.models)}") from None


def _loc(parts: tuple[Any, ...]) -> str:
    return ".".join(str(p) for p in parts) or "<root>"


def parse_params(raw: Any, source: str = "params.yaml") -> Params:
    """Validate a params mapping. Model specs are validated by their kind's own spec class."""
    if not isinstance(raw, dict):
        raise ConfigError(f"{source}: the top level must be a mapping")
    problems: list[str] = []
    models_raw = raw.get("models") or {}
    if not isinstance(models_raw, dict):
        raise ConfigError(f"{source}: models: must be a mapping of run name to model spec")
    specs: dict[str, ModelSpec] = {}
    for name, spec in models_raw.items():
        where = f"models.{name}"
        if not set(str(name)) <= _RUN_NAME_CHARS:
            problems.append(f"{where}: run names may use only letters, digits, '_', '-' and '.'")
            continue
        if not isinstance(spec, dict):
            problems.append(f"{where}: must be a mapping with at least `kind`")
            continue
        kind = spec.get("kind")
        if kind is None:
            problems.append(f"{where}.kind: missing; one of {', '.join(available_kinds())}")
            continue
        try:
            cls = spec_class(str(kind))
        except KeyError as e:
            problems.append(f"{where}.kind: {e.args[0]}")
            continue
        try:
            specs[str(name)] = cls.model_validate(spec)
        except ValidationError as e:
            problems += [f"{where}.{_loc(err['loc'])}: {err['msg']}" for err in e.errors()]
    rest = {k: v for k, v in raw.items() if k != "models"}
    try:
        params = Params.model_validate(rest)
    except ValidationError as e:
        problems += [f"{_loc(err['loc'])}: {err['msg']}" for err in e.errors()]
        params = None
    if params is not None:
        problems += _check_defenses(params, specs)
    if problems:
        raise ConfigError(f"{source}: invalid configuration:\n" + "\n".join(f"  {p}" for p in problems))
    assert params is not None
    params.models = specs
    return params


def _check_defenses(params: Params, specs: dict[str, ModelSpec]) -> list[str]:
    from vipbench.defenses import DefenseError, parse_defense_spec
    from vipbench.pipeline.defend import defense_mapping

    problems = []
    for name, raw in params.defenses.items():
        if not isinstance(raw, dict) or "kind" not in raw:
            problems.append(f"defenses.{name}.kind: missing; a registered defense name")
            continue
        try:
            parse_defense_spec(defense_mapping(raw))
        except (DefenseError, KeyError) as e:
            problems.append(f"defenses.{name}: {e}")
    for r in params.defense_eval.runs:
        if r not in specs:
            problems.append(f"defense_eval.runs: {r!r} is not a run in models")
    for d in params.defense_eval.defenses:
        if d not in params.defenses:
            problems.append(f"defense_eval.defenses: {d!r} is not defined under defenses")
    return problems


def load_params(path: str | Path = "params.yaml") -> Params:
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: not found") from None
    except yaml.YAMLError as e:
        raise ConfigError(f"{path}: not valid YAML: {e}") from None
    return parse_params(raw, str(path))


def resolve_data_dir(params: Params, root: Path) -> Path:
    """The dataset directory, refused when outside `root` unless allowed explicitly."""
    d = (root / params.data.dir).resolve()
    if not params.data.allow_outside_repo and not d.is_relative_to(root.resolve()):
        raise ConfigError(
            f"params.yaml: data.dir: {d} is outside the repository {root.resolve()}; "
            "set data.allow_outside_repo: true to allow it"
        )
    return d
