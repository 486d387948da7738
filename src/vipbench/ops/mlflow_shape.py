"""What a run shows in the MLflow UI: a short metric list, model identity, dataset and items table.

The full metrics dict stays in a JSON artifact (`metrics_full.json`); MLflow metrics are a fixed,
short list (at most MAX_METRICS) with one naming scheme, `<scope>.<name>`, in every run:

- `overall.<m>` and `<attribute>.<m>`: accuracy (the study's headline), its 95% CI bounds
  (`accuracy_ci_low`, `accuracy_ci_high`), `accuracy_precise`; overall also `top3_accuracy`,
  `macro_accuracy` and the refusal / unparseable / abstained / error rates;
- `distance.<attribute>.within_<k>km` for location and placeOfImage (the distance ladder);
- `accounting.<m>`: input and output tokens, cost in USD, latency p50 / p90 in seconds;
- `capability.<column>`: the model's capability scores (at most MAX_CAPABILITY columns);
- summary run: `capability_fit.<prompt>.<scope>.<m>` (slope, its CI, r, r2, projection).
"""

from __future__ import annotations

import configparser
import json
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from vipbench.core.attributes import DISTANCE_THRESHOLDS_KM, GEO_ATTRIBUTES, within_key
from vipbench.core.records import ScoredItem

MAX_METRICS = 60
MAX_CAPABILITY = 3
OVERALL_METRICS = (
    "accuracy",
    "accuracy_ci_low",
    "accuracy_ci_high",
    "accuracy_precise",
    "top3_accuracy",
    "macro_accuracy",
    "refusal_rate",
    "unparseable_rate",
    "abstained_rate",
    "error_rate",
)
#: per attribute the two accuracies; their intervals are in metrics_full.json (the list stays short)
ATTRIBUTE_METRICS = ("accuracy", "accuracy_precise")
#: beside the headline: the floor (the majority guess on the same items) and the lift over it
FLOOR_METRICS = ("floor_accuracy", "lift", "floor_accuracy_precise", "lift_precise")
DISTANCE_METRICS = tuple(within_key(km) for km in DISTANCE_THRESHOLDS_KM)
ACCOUNTING_METRICS = ("input_tokens", "output_tokens", "cost_usd", "latency_p50_s", "latency_p90_s", "cached")
#: with LLM judges: the votes cast and disagreements (results), the calls asked and the cache's
#: answers (measurements: the score stage leaves them in build/tracking/<run>.judges.json)
JUDGE_METRICS = ("votes", "disagreements", "calls", "cache_hits")
FIT_OVERALL = (
    "n",
    "slope",
    "slope_ci_low",
    "slope_ci_high",
    "pearson_r",
    "r2",
    "projected_accuracy",
    "projected_ci_low",
    "projected_ci_high",
)
FIT_ATTRIBUTE = ("slope", "pearson_r", "projected_accuracy")
#: the model param and tag value of runs that use no prompt (baselines, OCR, EXIF, ...)
NO_PROMPT = "none"


class DatasetRef(BaseModel):
    """The evaluated dataset as MLflow records it: name, digest (the DVC md5) and where it lives."""

    name: str
    digest: str
    source: dict[str, str]
    #: one row per item (no labels), for the dataset's schema and row count; empty for the summary
    rows: list[dict[str, Any]] = Field(default_factory=list)


class ModelRef(BaseModel):
    """The model a run evaluated, as an MLflow external logged model."""

    name: str
    model_type: str
    params: dict[str, str] = Field(default_factory=dict)
    tags: dict[str, str] = Field(default_factory=dict)


def _num(v: Any) -> float | None:
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return None
    f = float(v)
    return f if f == f and abs(f) != float("inf") else None


def _put(out: dict[str, float], name: str, v: Any) -> None:
    f = _num(v)
    if f is not None:
        out[name] = f


def model_metrics(
    metrics: Mapping[str, Any], attributes: Sequence[str], capability: Mapping[str, float], main_column: str = ""
) -> dict[str, float]:
    """The short metric list of a model run, from its full metrics dict (analysis.metrics.run_metrics)."""
    out: dict[str, float] = {}
    o = metrics.get("overall") or {}
    n = o.get("n") or 0
    rates = {
        "unparseable_rate": o.get("unparseable"),
        "abstained_rate": o.get("abstained"),
        "error_rate": o.get("errors"),
    }
    for m in OVERALL_METRICS:
        v = o.get(m) if m not in rates else (rates[m] / n if n and rates[m] is not None else None)
        _put(out, f"overall.{m}", v)
    floor = metrics.get("floor") or {}
    for m in FLOOR_METRICS:
        _put(out, f"overall.{m}", (floor.get("overall") or {}).get(m))
    per_attr = metrics.get("attributes") or {}
    for a in attributes:
        for m in ATTRIBUTE_METRICS:
            _put(out, f"{a}.{m}", (per_attr.get(a) or {}).get(m))
    for a, ladder in (metrics.get("distance") or {}).items():
        if a in GEO_ATTRIBUTES:
            for m in DISTANCE_METRICS:
                _put(out, f"distance.{a}.{m}", ladder.get(m))
            _put(out, f"{a}.lift_precise", ((floor.get("attributes") or {}).get(a) or {}).get("lift_precise"))
    acc = (metrics.get("accounting") or {}).get("overall") or {}
    for m in ACCOUNTING_METRICS:
        _put(out, f"accounting.{m}", acc.get(m))
    _put(out, "accounting.wall_s", (metrics.get("accounting") or {}).get("wall_s"))
    judges = metrics.get("llm_judge") or {}  # with LLM judges: votes, disagreements, calls, cache hits
    for m in JUDGE_METRICS:
        _put(out, f"llm_judge.{m}", judges.get(m))
    cols = sorted(capability, key=lambda c: (c != main_column, c))[:MAX_CAPABILITY]
    for c in cols:
        _put(out, f"capability.{c}", capability[c])
    if len(out) > MAX_METRICS:  # only with more attributes than the study's eight
        out = dict(list(out.items())[:MAX_METRICS])
    return out


def summary_metrics(fits: Mapping[str, Mapping[str, Any]], runs: int) -> dict[str, float]:
    """The summary run's metrics: per prompt variant the capability fit, overall and per attribute."""
    out: dict[str, float] = {"summary.runs": float(runs)}
    for prompt, result in fits.items():
        scopes = {"overall": result["overall"], **(result.get("attributes") or {})}
        for scope, f in scopes.items():
            names = FIT_OVERALL if scope == "overall" else FIT_ATTRIBUTE
            flat = _fit_values(f)
            for m in names:
                _put(out, f"capability_fit.{prompt}.{scope}.{m}", flat.get(m))
    return out


def _fit_values(f: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"n": f.get("n")}
    if f.get("status") != "ok":
        return out
    out.update({k: f.get(k) for k in ("slope", "pearson_r", "r2")})
    band = (f.get("bootstrap") or {}).get("slope_ci")
    if band:
        out["slope_ci_low"], out["slope_ci_high"] = band
    proj = f.get("projection") or {}
    out["projected_accuracy"] = proj.get("accuracy")
    if proj.get("ci"):
        out["projected_ci_low"], out["projected_ci_high"] = proj["ci"]
    return out


def items_table(scored: Sequence[ScoredItem]) -> dict[str, list[Any]]:
    """The per-item drill-down: what each item asked, what the model said and how it was judged."""
    return {
        "item_id": [s.item_id for s in scored],
        "image_id": [s.image_id for s in scored],
        "attribute": [s.attribute for s in scored],
        "hardness": [s.hardness for s in scored],
        "truth": [s.truth for s in scored],
        "status": [s.status for s in scored],
        "guess": [s.guess or "" for s in scored],
        "top3_guesses": [" | ".join(s.guesses[:3]) for s in scored],
        "top1": [s.top1.verdict for s in scored],
        "top1_decided_by": [s.top1.decided_by for s in scored],
        "top3": [s.top3.verdict for s in scored],
        "distance_km": [s.distance_km for s in scored],
    }


def identity_params(params: Mapping[str, Any], uses_prompt: bool, kind: str, model: str) -> dict[str, Any]:
    """The run's params as logged: provider, model id, prompt variant and output format, with
    "none" for both prompt fields of a run that uses no prompt (its spec's defaults mean nothing)."""
    out = dict(params)
    out["model.kind"] = kind
    out["model.model"] = model
    if not uses_prompt:
        out["model.prompt"] = NO_PROMPT
        out["model.output_format"] = NO_PROMPT
        out["prompt.variant"] = NO_PROMPT
        out["prompt.output_format"] = NO_PROMPT
    return out


def logged_model_name(model_id: str) -> str:
    """`model_id` as an MLflow logged-model name, which may not hold / : . % " or ' (so
    "Qwen/Qwen2.5-VL-7B" becomes "Qwen-Qwen2-5-VL-7B"; the exact id stays in the model's params)."""
    return re.sub(r"[/:.%\"']+", "-", model_id).strip("-") or "model"


def _public_url(url: str) -> str:
    """A remote URL without any user:password part."""
    return re.sub(r"(?<=://)[^/@]+@", "", url)


def dvc_remote_url(repo: Path) -> str | None:
    """The URL of the repository's default DVC remote, from .dvc/config (no subprocess)."""
    cfg = configparser.ConfigParser()
    try:
        cfg.read(repo / ".dvc" / "config", encoding="utf-8")
    except configparser.Error:
        return None
    name = cfg.get("core", "remote", fallback=None)
    if not name:
        return None
    url = cfg.get(f'remote "{name}"', "url", fallback=None)
    return _public_url(url) if url else None


def dataset_ref(
    repo: Path, data_dir: Path, dataset: Mapping[str, Any], scored: Sequence[ScoredItem] = ()
) -> DatasetRef:
    """The dataset input of a run: `dataset` is build/dataset.json (name, version, version_source)."""
    dvc_file = data_dir.parent / f"{data_dir.name}.dvc"
    try:
        where = str(dvc_file.resolve().relative_to(repo.resolve()))
    except ValueError:
        where = str(dvc_file)
    source = {
        "repo": str(repo.resolve()),
        "dvc_file": where,
        "version_source": str(dataset.get("version_source", "")),
    }
    remote = dvc_remote_url(repo)
    if remote:
        source["remote"] = remote
    rows = [{"item_id": s.item_id, "image_id": s.image_id, "attribute": s.attribute} for s in scored]
    return DatasetRef(name=str(dataset["name"]), digest=str(dataset["version"]), source=source, rows=rows)


def full_metrics_json(metrics: Mapping[str, Any]) -> str:
    return json.dumps(metrics, indent=1, sort_keys=True, default=str)
