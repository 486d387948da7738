"""Latency percentiles: one definition for the engine's stats and the run's MLflow measurements."""

from __future__ import annotations

from vipbench.core.records import Response
from vipbench.inference.accounting import EngineStats, latency_percentiles
from vipbench.pipeline.accounting import measurements


def test_percentiles_interpolate_between_ranks() -> None:
    assert latency_percentiles([1.0, 2.0, 3.0, 4.0]) == {50: 2.5, 90: 3.7, 99: 3.9699999999999998}
    assert latency_percentiles([]) == {}


def test_engine_stats_and_measurements_agree() -> None:
    stats = EngineStats(latencies_s=[4.0, 1.0, 3.0, 2.0])
    assert stats.latency_percentiles() == {"p50": 2.5, "p90": 3.7, "p99": 3.9699999999999998, "max": 4.0}
    rs = [
        Response(item_id=f"i{i}", image_id=f"i{i}", attribute="sex", status="answered", latency_s=s)
        for i, s in enumerate([4.0, 1.0, 3.0, 2.0])
    ]
    assert measurements(rs)["overall"]["latency_p50_s"] == 2.5
