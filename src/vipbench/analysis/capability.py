"""The capability registry: general-capability scores of models, with where each number came from.

The registry is a versioned YAML file shipped with the package (`data/capabilities.yaml`).
It maps a model's canonical id and its aliases (API ids, Hugging Face ids, Ollama tags) to
scores such as MMMU val. A model spec in params.yaml can give its own `capability:` dict,
which wins over the registry key by key (`scores_for`).

Lookup is case-insensitive. When the exact id is unknown, it retries without a provider
prefix ("openai/gpt-4o", "models/gemini-1.5-pro") and without a date suffix
("gpt-4o-2024-08-06" -> "gpt-4o", "claude-3-5-sonnet@20240620").
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, PrivateAttr, ValidationError, model_validator

from vipbench.core.errors import ConfigError
from vipbench.core.io import load_yaml, package_text

#: the capability columns the registry fills in
COLUMNS: tuple[str, ...] = ("mmmu_val", "opencompass_avg8")

_DATE_SUFFIX = re.compile(r"[-@_](\d{4}-\d{2}-\d{2}|\d{8})$")


class Score(BaseModel):
    """One published number and where it is published.

    Either `table` (a key of the registry's `tables`) with the exact `row` and `column`, or a
    free-text `source` such as "reported by the study's authors".
    """

    model_config = ConfigDict(extra="forbid")

    value: float
    table: str | None = None
    row: str | None = None
    column: str | None = None
    source: str | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _has_a_source(self) -> Score:
        if self.table is None and not self.source:
            raise ValueError("a score needs a `table` (with row and column) or a `source`")
        if self.table is not None and (not self.row or not self.column):
            raise ValueError(f"a score from table {self.table!r} needs both `row` and `column`")
        return self

    def cite(self) -> str:
        """A one-line citation, e.g. `mmmu_leaderboard.csv, row "GPT-4o (0513)", column mmmu_val`."""
        if self.table is not None:
            return f'{self.table}, row "{self.row}", column {self.column}'
        return f'{self.source}, "{self.row}"' if self.row else str(self.source)


class CapabilityEntry(BaseModel):
    """One model: its ids and its scores per capability column."""

    model_config = ConfigDict(extra="forbid")

    id: str
    name: str
    family: str | None = None
    #: the model's name in the reference study, for the study's own models
    study: str | None = None
    aliases: list[str] = []
    scores: dict[str, Score] = {}
    #: other published figures for the same column, kept for transparency, not used by default
    alternatives: dict[str, list[Score]] = {}
    note: str | None = None

    def values(self) -> dict[str, float]:
        return {col: s.value for col, s in self.scores.items()}

    def names(self) -> list[str]:
        """Every name this model answers to, normalised."""
        return [_norm(self.id), *(_norm(a) for a in self.aliases)]


class CapabilityRegistry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: int
    updated: dt.date
    #: column name -> description
    columns: dict[str, str]
    #: table file name -> description of where it comes from
    tables: dict[str, str]
    models: list[CapabilityEntry]

    _index: dict[str, CapabilityEntry] = PrivateAttr(default_factory=dict)
    #: last path segment of aliases that have one ("Qwen/Qwen2-VL-7B-Instruct" -> "qwen2-vl-7b-instruct")
    _tail_index: dict[str, CapabilityEntry] = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _consistent(self) -> CapabilityRegistry:
        owners: dict[str, str] = {}
        for entry in self.models:
            for key in entry.names():
                if key in owners and owners[key] != entry.id:
                    raise ValueError(f"name {key!r} is claimed by both {owners[key]!r} and {entry.id!r}")
                owners[key] = entry.id
            for col, score in _all_scores(entry):
                if score.table is not None and score.table not in self.tables:
                    raise ValueError(f"{entry.id}.{col}: table {score.table!r} is not listed under `tables`")
            unknown = set(entry.scores) - set(self.columns)
            if unknown:
                raise ValueError(f"{entry.id}: unknown column(s) {sorted(unknown)}; add them under `columns`")
        return self

    def model_post_init(self, __context: Any) -> None:
        tails: dict[str, set[str]] = {}
        by_id = {e.id: e for e in self.models}
        for entry in self.models:
            for key in entry.names():
                self._index[key] = entry
                if "/" in key:
                    tails.setdefault(key.rsplit("/", 1)[1], set()).add(entry.id)
        for tail, ids in tails.items():
            if len(ids) == 1 and tail not in self._index:
                self._tail_index[tail] = by_id[next(iter(ids))]

    def lookup(self, model_id: str) -> CapabilityEntry | None:
        """The entry for a model id or alias, or None when the model is unknown."""
        for key in _candidates(model_id):
            hit = self._index.get(key) or self._tail_index.get(key)
            if hit is not None:
                return hit
        return None

    def scores_for(self, model_id: str | None, override: Mapping[str, float] | None = None) -> dict[str, float]:
        """Registry scores for the model, with `override` (a spec's `capability:`) winning per key."""
        entry = self.lookup(model_id) if model_id else None
        out = entry.values() if entry is not None else {}
        out.update({k: float(v) for k, v in (override or {}).items()})
        return out

    def describe(self, model_id: str | None, override: Mapping[str, float] | None = None) -> dict[str, dict[str, Any]]:
        """Like `scores_for`, with the source of each value: {column: {"value": ..., "source": ...}}."""
        entry = self.lookup(model_id) if model_id else None
        out: dict[str, dict[str, Any]] = {}
        if entry is not None:
            for col, s in entry.scores.items():
                out[col] = {"value": s.value, "source": s.cite(), "registry_id": entry.id}
        for col, v in (override or {}).items():
            out[col] = {"value": float(v), "source": "model spec (params.yaml)"}
        return out


def _all_scores(entry: CapabilityEntry) -> Iterator[tuple[str, Score]]:
    yield from entry.scores.items()
    for col, alts in entry.alternatives.items():
        for s in alts:
            yield col, s


def _norm(name: str) -> str:
    return name.strip().lower()


def _candidates(model_id: str) -> list[str]:
    """Names to try, most specific first: as given, without ':latest', without prefix, without date."""
    full = _norm(model_id)
    if full.endswith(":latest"):
        full = full[: -len(":latest")]
    tail = full.rsplit("/", 1)[-1]
    out: list[str] = []
    for name in (full, tail, _DATE_SUFFIX.sub("", full), _DATE_SUFFIX.sub("", tail)):
        if name and name not in out:
            out.append(name)
    return out


def load_registry(path: str | Path | None = None) -> CapabilityRegistry:
    """Read and validate a registry file; the packaged one when `path` is None.

    The packaged registry is parsed once and shared: treat it as read-only.
    """
    if path is None:
        return _packaged_registry()
    return _parse(Path(path).read_text(encoding="utf-8"), str(path))


@lru_cache(maxsize=1)
def _packaged_registry() -> CapabilityRegistry:
    return _parse(package_text("data/capabilities.yaml"), "vipbench/data/capabilities.yaml")


def _parse(text: str, where: str) -> CapabilityRegistry:
    try:
        raw = load_yaml(text)
    except yaml.YAMLError as e:
        raise ConfigError(f"{where}: not valid YAML: {e}") from e
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: expected a mapping with version, updated, columns, tables, models")
    try:
        return CapabilityRegistry.model_validate(raw)
    except ValidationError as e:
        msgs = "; ".join(f"{'.'.join(str(p) for p in err['loc']) or '(top)'}: {err['msg']}" for err in e.errors())
        raise ConfigError(f"{where}: {msgs}") from e


def lookup(model_id: str, registry: CapabilityRegistry | None = None) -> CapabilityEntry | None:
    """The packaged registry's entry for `model_id` (canonical id or alias), or None."""
    return (registry or load_registry()).lookup(model_id)


def scores_for(
    model_id: str | None,
    override: Mapping[str, float] | None = None,
    registry: CapabilityRegistry | None = None,
) -> dict[str, float]:
    """Capability scores for a model: the registry's, updated with the spec's own `capability:` dict."""
    return (registry or load_registry()).scores_for(model_id, override)
