"""Accounting for one run: statuses, requests, retries, cache hits, tokens, cost and latency."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from vipbench.core.records import Response

#: the latency percentiles reported everywhere (progress log, engine stats, MLflow)
LATENCY_PERCENTILES: tuple[int, ...] = (50, 90, 99)


def latency_percentiles(latencies_s: Sequence[float]) -> dict[int, float]:
    """Percentile -> latency in seconds (linear interpolation between the closest ranks); empty
    when there are no latencies."""
    if not latencies_s:
        return {}
    import numpy as np

    values = np.percentile(np.asarray(latencies_s, dtype=float), LATENCY_PERCENTILES)
    return {q: float(v) for q, v in zip(LATENCY_PERCENTILES, values, strict=True)}


@dataclass
class EngineStats:
    """Counts for one run.

    The top-level tokens, cost and latencies count only requests sent in this run (not cache
    hits); `by_attribute` sums the responses themselves, whose tokens and cost are those of the
    original request even when it came from the cache (what the run would cost from scratch).
    """

    statuses: Counter[str] = field(default_factory=Counter)
    #: requests sent to the main model, retries included
    requests: int = 0
    retries: int = 0
    cache_hits: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float = 0.0
    corrections: int = 0
    correction_requests: int = 0
    correction_input_tokens: int = 0
    correction_output_tokens: int = 0
    correction_cost_usd: float = 0.0
    latencies_s: list[float] = field(default_factory=list)
    wall_s: float = 0.0
    #: per attribute: items, statuses, tokens and cost of its responses (cached ones included)
    by_attribute: dict[str, Counter[str]] = field(default_factory=dict)
    by_attribute_cost_usd: Counter[str] = field(default_factory=Counter)

    def add(self, r: Response) -> None:
        """Count one finished item."""
        self.statuses[r.status] += 1
        self.corrections += r.corrected
        c = self.by_attribute.setdefault(r.attribute, Counter())
        c["items"] += 1
        c[r.status] += 1
        c["input_tokens"] += r.input_tokens
        c["output_tokens"] += r.output_tokens
        c["cached"] += r.cached
        self.by_attribute_cost_usd[r.attribute] += r.cost_usd

    def latency_percentiles(self) -> dict[str, float]:
        found = latency_percentiles(self.latencies_s)
        if not found:
            return {}
        return {**{f"p{q}": v for q, v in found.items()}, "max": max(self.latencies_s)}

    def summary(self) -> dict[str, Any]:
        return {
            "statuses": dict(self.statuses),
            "requests": self.requests,
            "retries": self.retries,
            "cache_hits": self.cache_hits,
            "input_tokens": self.input_tokens,
            "output_tokens": self.output_tokens,
            "cost_usd": round(self.cost_usd, 6),
            "corrections": self.corrections,
            "correction_requests": self.correction_requests,
            "correction_input_tokens": self.correction_input_tokens,
            "correction_output_tokens": self.correction_output_tokens,
            "correction_cost_usd": round(self.correction_cost_usd, 6),
            "latency_s": self.latency_percentiles(),
            "wall_s": round(self.wall_s, 3),
            "by_attribute": {
                a: {**c, "cost_usd": round(self.by_attribute_cost_usd[a], 6)}
                for a, c in sorted(self.by_attribute.items())
            },
        }
