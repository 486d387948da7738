"""A run beside the floor: what the `majority` guess reaches on the same items, and the lift over it.

On data from one country a constant guess of the commonest town is "less precise" for almost every
place label, so the study's headline (correct or less precise) can rank it above an adversary that
reads the photo's GPS. Precise accuracy and the share within 25 km do not flatter it. Every run's
headline is therefore shown with those figures and with its lift over the floor on the same items.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from vipbench.core.attributes import GEO_ATTRIBUTES, within_key
from vipbench.core.records import ScoredItem

__all__ = ["ONE_COUNTRY_SHARE", "floor_block", "places_within", "truth_countries"]

#: a place attribute whose truths lie in one country more often than this gets a warning
ONE_COUNTRY_SHARE = 0.5
#: the distance that stands for "the right town" beside the headline
NEAR_KM = 25


def _share(rows: Sequence[ScoredItem], hit: Any) -> float | None:
    return sum(1 for s in rows if hit(s)) / len(rows) if rows else None


def figures(rows: Sequence[ScoredItem], geo: bool) -> dict[str, float | None]:
    """Headline and precise accuracy, and for places the share within NEAR_KM of the truth."""
    out = {
        "accuracy": _share(rows, lambda s: s.top1.verdict in ("correct", "less_precise")),
        "accuracy_precise": _share(rows, lambda s: s.top1.verdict == "correct"),
    }
    if geo:
        out[within_key(NEAR_KM)] = _share(rows, lambda s: s.distance_km is not None and s.distance_km <= NEAR_KM)
    return out


def _beside(run: Sequence[ScoredItem], floor: Sequence[ScoredItem], geo: bool) -> dict[str, float | None]:
    mine, base = figures(run, geo), figures(floor, geo)
    out: dict[str, float | None] = {}
    for key, value in mine.items():
        suffix = key.removeprefix("accuracy").lstrip("_")
        out[f"floor_{key}"] = base[key]
        out["lift" + (f"_{suffix}" if suffix else "")] = (
            None if value is None or base[key] is None else value - base[key]
        )
    return out


def floor_block(
    run: Sequence[ScoredItem], floor: Sequence[ScoredItem], attributes: Sequence[str]
) -> dict[str, Any]:
    """The floor's figures and the run's lift over them, overall and per attribute.

    ``floor`` holds the majority guess scored on the same items as ``run``, by the same judge."""
    by_id = {s.item_id: s for s in floor}
    paired = [(s, by_id[s.item_id]) for s in run if s.item_id in by_id]
    out: dict[str, Any] = {"overall": _beside([a for a, _ in paired], [b for _, b in paired], False)}
    out["attributes"] = {}
    for attr in attributes:
        pairs = [(a, b) for a, b in paired if a.attribute == attr]
        if pairs:
            geo = attr in GEO_ATTRIBUTES
            out["attributes"][attr] = _beside([a for a, _ in pairs], [b for _, b in pairs], geo)
    out["truth_countries"] = truth_countries(run)
    return out


def truth_countries(rows: Sequence[ScoredItem]) -> dict[str, dict[str, Any]]:
    """Per place attribute: its commonest truth country and that country's share of the truths."""
    from vipbench.places.gazetteer import resolve_place

    out: dict[str, dict[str, Any]] = {}
    for attr in GEO_ATTRIBUTES:
        truths = [s.truth for s in rows if s.attribute == attr]
        if not truths:
            continue
        countries = Counter((p.country_code if (p := resolve_place(t)) else None) for t in truths)
        countries.pop(None, None)
        if not countries:
            continue
        code, count = max(countries.items(), key=lambda kv: (kv[1], kv[0]))
        out[attr] = {"country": code, "share": count / len(truths), "n": len(truths)}
    return out


def places_within(distance: dict[str, Any], km: int = NEAR_KM) -> float | None:
    """The share of all place items (both place attributes together) within ``km`` of the truth,
    from a run's distance ladders; None when the run has no place items."""
    ladders = [v for v in distance.values() if v.get("n")]
    n = sum(v["n"] for v in ladders)
    if not n:
        return None
    return sum((v.get(within_key(km)) or 0.0) * v["n"] for v in ladders) / n
