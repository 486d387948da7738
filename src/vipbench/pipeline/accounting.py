"""Token, cost and timing accounting of a run's responses, split by whether it repeats.

`accounting` counts what the same responses always give (requests, tokens, cost, errors): it
goes into the run's details, a DVC output. `measurements` holds what differs from one run to the
next (latency percentiles, cache hits, wall time): it goes to MLflow and the progress log only,
never into a DVC output, so a re-run on another machine leaves every output byte-identical.
Both use the same shape, {"overall": {...}, "attributes": {attribute: {...}}}, so that MLflow
shows them side by side under `accounting.*`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol, TypeVar

from vipbench.core.records import Response
from vipbench.inference.accounting import LATENCY_PERCENTILES, latency_percentiles

#: the `Response` fields that are measurements of one run, not results: responses written as a
#: DVC output leave them out
MEASURED_FIELDS = frozenset({"latency_s", "cached"})


class Timed(Protocol):
    """What the measurements read of a response (the infer stage passes its compact outcomes)."""

    @property
    def attribute(self) -> str: ...
    @property
    def latency_s(self) -> float: ...
    @property
    def cached(self) -> bool: ...


R = TypeVar("R", bound=Timed)


def _by_attribute(responses: Sequence[R], block: Callable[[Sequence[R]], dict[str, Any]]) -> dict[str, Any]:
    groups: dict[str, list[R]] = {}
    for r in responses:
        groups.setdefault(r.attribute, []).append(r)
    return {"overall": block(list(responses)), "attributes": {a: block(rs) for a, rs in sorted(groups.items())}}


def _counts(rs: Sequence[Response]) -> dict[str, Any]:
    return {
        "requests": len(rs),
        "input_tokens": sum(r.input_tokens for r in rs),
        "output_tokens": sum(r.output_tokens for r in rs),
        "cost_usd": round(sum(r.cost_usd for r in rs), 6),
        "corrected": sum(r.corrected for r in rs),
        "unparseable": sum(r.status == "unparseable" for r in rs),
        "abstained": sum(r.status == "abstained" for r in rs),
        "errors": sum(r.status == "error" for r in rs),
    }


def _timing(rs: Sequence[Timed]) -> dict[str, Any]:
    lat = [r.latency_s for r in rs if r.latency_s > 0 and not r.cached]
    out: dict[str, Any] = {"cached": sum(r.cached for r in rs)}
    found = latency_percentiles(lat)
    for q in LATENCY_PERCENTILES:
        out[f"latency_p{q}_s"] = round(found[q], 4) if q in found else None
    return out


def accounting(responses: Sequence[Response]) -> dict[str, Any]:
    """Requests, tokens, cost, corrections and failures, overall and per attribute (repeatable)."""
    return _by_attribute(responses, _counts)


def measurements(responses: Sequence[Timed], wall_s: float | None = None) -> dict[str, Any]:
    """Cache hits and latency percentiles (fresh requests only), overall and per attribute, and
    the wall time of the inference: they differ from run to run."""
    out = _by_attribute(responses, _timing)
    if wall_s is not None:
        out["wall_s"] = round(wall_s, 3)
    return out
