"""The whole params.yaml schema, validated with pydantic. Errors name the key path, e.g.
`models.gpt4o.max_tokens` or `defenses.blur.radius`.

Model specs and defense parameters are validated by the class their `kind` registers (the model
and defense registries); everything else is declared here. This module imports no pipeline code.
The run-name rule lives here too: run, provider and defense names share it.
"""

from __future__ import annotations

import re
from collections.abc import Container, Mapping
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SerializationInfo,
    SerializeAsAny,
    ValidationError,
    field_validator,
    model_serializer,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

from vipbench.core.attributes import ATTRIBUTES, SCORED
from vipbench.core.errors import ConfigError
from vipbench.core.io import load_yaml
from vipbench.defenses.registry import DefenseError, DefenseParams, get_defense, list_defenses, validate_params
from vipbench.inference.specs import Connection, JudgeSpec
from vipbench.models.kinds import available_kinds, spec_class
from vipbench.models.registry import ModelSpec

# -- names -----------------------------------------------------------------------------------

#: the characters a run name may use (also provider names, which start run names, and defense
#: names, which end defended run names after a '+')
RUN_NAME_CHARS = "A-Za-z0-9_.-"
RUN_NAME_RULE = "may use only letters, digits, '_', '-' and '.'"
_NOT_RUN_NAME = re.compile(f"[^{RUN_NAME_CHARS}]+")


def is_run_name(name: str) -> bool:
    return bool(name) and not _NOT_RUN_NAME.search(name)


def to_run_name(text: str) -> str:
    """`text` as part of a run name: each run of other characters becomes one '-'."""
    return _NOT_RUN_NAME.sub("-", text)


def matrix_cell(run: str, defense: str) -> str:
    """The name DVC gives the (run, defense) cell of dvc.yaml's matrix stages: `infer_defended@<cell>`."""
    return f"{run}-{defense}"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _only_known(values: list[str], known: Container[str], what: str, shown: str) -> None:
    """A ValueError naming those of `values` that are not in `known` (`shown`: how it lists them)."""
    bad = [x for x in values if x not in known]
    if bad:
        raise ValueError(f"unknown {what} {bad}; known: {shown}")


class DataParams(_Strict):
    dir: str = "data"
    labels: str = "labels.jsonl"
    #: a dataset outside the repository is refused unless this is true
    allow_outside_repo: bool = False
    #: a name for the MLflow experiment; defaults to the dataset directory name
    name: str | None = None


class FilterParams(_Strict):
    """Which labels count: the certainty, hardness and information-level thresholds."""

    min_certainty: int = Field(3, ge=0, le=5)
    min_hardness: int = Field(1, ge=0, le=5)
    max_information_level: int = Field(0, ge=0)
    #: where an image has an image-only and a re-checked line, they must agree
    require_agreement: bool = True


class InferenceParams(_Strict):
    cache: str = ".vipbench/cache.sqlite"
    max_side: int = Field(1024, ge=32)
    #: a run with more than this share of its items in error fails (its responses are not written)
    max_error_rate: float = Field(0.2, ge=0, le=1)
    #: the most one run's answers may cost in USD (cached answers included); null: no limit.
    #: A run stops before the request that could cross it (exit 4) and resumes when it is raised.
    max_cost_usd: float | None = Field(None, ge=0)


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


class DefenseSpec(BaseModel):
    """One `defenses:` entry, `{kind: <registered defense>, ...its parameters}`, typed once.

    `params` is an instance of the params model the kind registered (vipbench.defenses), so a
    wrong field is reported as `defenses.<name>.<field>` when params.yaml is loaded and every
    user gets validated, typed parameters. It serialises back to the flat params.yaml form.
    """

    model_config = ConfigDict(frozen=True)

    kind: str
    params: SerializeAsAny[DefenseParams]

    @model_validator(mode="wrap")
    @classmethod
    def _by_kind(cls, data: Any, handler: Any) -> Any:
        if isinstance(data, Mapping) and not isinstance(data.get("params"), DefenseParams):
            # the params.yaml form: the kind's registered model validates the other keys
            kind = data.get("kind")
            if not isinstance(kind, str):
                known = ", ".join(list_defenses())
                raise _error("kind", "missing; a registered defense, one of {known}", data, known=known)
            data = {"kind": kind, "params": validate_params(_registered(kind, data), _without_kind(data))}
        spec = handler(data)
        expected = get_defense(_registered(spec.kind, data)).params
        if not isinstance(spec.params, expected):
            names = {"expected": expected.__name__, "got": type(spec.params).__name__}
            raise _error("params", "{kind} takes {expected}, not {got}", data, kind=spec.kind, **names)
        return spec

    @model_serializer(mode="plain")
    def _flat(self, info: SerializationInfo) -> dict[str, Any]:
        dumped = self.params.model_dump(mode=info.mode, exclude_unset=info.exclude_unset)
        return {"kind": self.kind, **dumped}


def _registered(kind: str, data: Any) -> str:
    """`kind` if a defense is registered under it, else a validation error at `kind`."""
    try:
        get_defense(kind)
    except DefenseError as e:
        raise _error("kind", "{problem}", data, problem=str(e)) from None
    return kind


def _without_kind(data: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k != "kind"}


def _error(field: str, template: str, data: Any, **ctx: Any) -> ValidationError:
    """A validation error at `field`, raised from a validator (pydantic prefixes the outer path)."""
    err = InitErrorDetails(type=PydanticCustomError("vipbench", template, ctx), loc=(field,), input=data)
    return ValidationError.from_exception_data("params.yaml", [err])


class DefenseEvalParams(_Strict):
    """Which runs are repeated under which defenses (the run x defense matrix in dvc.yaml)."""

    runs: list[str] = Field(default_factory=list)
    defenses: list[str] = Field(default_factory=list)


class MlflowParams(_Strict):
    experiment: str | None = None
    #: images are personal data: they stay out of MLflow unless this is true
    log_images: bool = False
    #: one MLflow trace per item (prompt text, answer, verdict as an assessment); off by default
    #: because it costs far more than the run itself on large sets (see bench/bench_tracing.py)
    traces: bool = False


class ProviderParams(Connection):
    """One place new models come from (`base_url`, `api_key_env`: the openai kind's API)."""

    #: short name; it starts the run names of this provider's models
    name: str
    #: "openai": any OpenAI-compatible API (GET /v1/models); "hf_hub": the Hugging Face Hub
    kind: Literal["openai", "hf_hub"]
    #: hf_hub: list the models of this user or organisation
    author: str | None = None
    #: hf_hub: list models with this tag (e.g. "vision")
    tag: str | None = None
    #: hf_hub: only models with this pipeline tag; null for any
    pipeline_tag: str | None = "image-text-to-text"
    #: hf_hub: at most this many of the newest models
    limit: int = Field(100, ge=1, le=10000)
    #: glob patterns on the model id; empty means every model
    include: list[str] = Field(default_factory=list)
    exclude: list[str] = Field(default_factory=list)
    #: merged into the spec of every new run (e.g. max_concurrency, price_*, or kind/base_url
    #: to evaluate hub models through a vLLM server)
    spec_defaults: dict[str, Any] = Field(default_factory=dict)
    #: seconds to wait for the provider's answer
    timeout: float = Field(30.0, gt=0)

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        if not is_run_name(v):
            raise ValueError(RUN_NAME_RULE)
        return v

    @model_validator(mode="after")
    def _needs_filter(self) -> ProviderParams:
        if self.kind == "hf_hub" and not (self.author or self.tag):
            raise ValueError("an hf_hub provider needs `author` or `tag` (the whole Hub is too many models)")
        return self


class WatchParams(_Strict):
    """The `watch:` section: new model releases to evaluate on a schedule (flows/watch_releases.py)."""

    #: when the scheduled deployment polls (cron, 5 fields)
    schedule: str = "0 6 * * *"
    #: the time zone of `schedule`
    timezone: str = "UTC"
    #: every new model is evaluated once per prompt variant
    prompts: list[str] = Field(default_factory=lambda: ["final"])
    providers: list[ProviderParams] = Field(default_factory=list)

    @field_validator("schedule")
    @classmethod
    def _cron(cls, v: str) -> str:
        if len(v.split()) not in (5, 6):
            raise ValueError("must be a cron expression with 5 fields, e.g. '0 6 * * *' (daily at 06:00)")
        return v

    @field_validator("prompts")
    @classmethod
    def _prompts(cls, v: list[str]) -> list[str]:
        from vipbench.prompts.variants import VARIANTS

        _only_known(v, VARIANTS, "prompt variant(s)", ", ".join(VARIANTS))
        if not v:
            raise ValueError("name at least one prompt variant")
        return v

    @model_validator(mode="after")
    def _unique(self) -> WatchParams:
        names = [p.name for p in self.providers]
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            raise ValueError(f"provider names must be unique; repeated: {dup}")
        return self


class Params(_Strict):
    data: DataParams = Field(default_factory=DataParams)
    filters: FilterParams = Field(default_factory=FilterParams)
    attributes: list[str] = Field(default_factory=lambda: list(SCORED))
    inference: InferenceParams = Field(default_factory=InferenceParams)
    scoring: ScoringParams = Field(default_factory=ScoringParams)
    mlflow: MlflowParams = Field(default_factory=MlflowParams)
    report: ReportParams = Field(default_factory=ReportParams)
    #: defense name -> {kind: <registered defense>, ...its parameters}
    defenses: dict[str, DefenseSpec] = Field(default_factory=dict)
    defense_eval: DefenseEvalParams = Field(default_factory=DefenseEvalParams)
    #: new model releases to evaluate on a schedule (flows/watch_releases.py)
    watch: WatchParams = Field(default_factory=WatchParams)
    models: dict[str, ModelSpec] = Field(default_factory=dict)

    @field_validator("attributes")
    @classmethod
    def _known(cls, v: list[str]) -> list[str]:
        _only_known(v, ATTRIBUTES, "attribute(s)", str(list(ATTRIBUTES)))
        return v

    @field_validator("defenses", mode="before")
    @classmethod
    def _defense_names(cls, v: Any) -> Any:
        for name in v if isinstance(v, Mapping) else ():
            if not is_run_name(str(name)):
                raise _error(str(name), "defense names {rule} (they end defended run names)", v, rule=RUN_NAME_RULE)
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
        if not is_run_name(str(name)):
            problems.append(f"{where}: run names {RUN_NAME_RULE}")
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
    """The run x defense matrix names configured runs and defenses, and no two of its cells share a
    DVC stage name (DVC names a cell `<run>-<defense>`, so run `a-b` with defense `c` and run `a`
    with defense `b-c` would both be `infer_defended@a-b-c`, and one of them would silently vanish)."""
    problems = []
    de = params.defense_eval
    for r in de.runs:
        if r not in specs:
            problems.append(f"defense_eval.runs: {r!r} is not a run in models")
    for d in de.defenses:
        if d not in params.defenses:
            problems.append(f"defense_eval.defenses: {d!r} is not defined under defenses")
    cells: dict[str, tuple[str, str]] = {}
    for r in dict.fromkeys(de.runs):
        for d in dict.fromkeys(de.defenses):
            other = cells.setdefault(matrix_cell(r, d), (r, d))
            if other != (r, d):
                problems.append(
                    f"defense_eval: the cells ({other[0]}, {other[1]}) and ({r}, {d}) would both be the DVC stage "
                    f"infer_defended@{matrix_cell(r, d)}; rename a run or a defense"
                )
    return problems


def load_params(path: str | Path = "params.yaml") -> Params:
    path = Path(path)
    try:
        raw = load_yaml(path.read_text(encoding="utf-8"))
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
            f"params.yaml: data.dir: {d} is outside the repository {root.resolve()}, where DVC does not "
            "version it. Either bring it in and track it: `dvc import-url <dir> mydata` (then data.dir: "
            "mydata; `dvc update mydata.dvc` takes in later changes) or `cp -r <dir> mydata && dvc add mydata`; "
            "or set data.allow_outside_repo: true: the stages then depend on that path, so DVC sees its "
            "changes, but every machine that runs the pipeline needs the directory at that path"
        )
    return d
