"""The distance ladder: accuracy within 1/25/200/750/2500 km and the median error, per place attribute."""

from __future__ import annotations

import pytest

from vipbench.analysis.metrics import DISTANCE_THRESHOLDS_KM, distance_ladder, run_metrics
from vipbench.core.records import Decision, ScoredItem, Verdict
from vipbench.ops.mlflow_shape import model_metrics


def scored(
    image_id: str, attribute: str, km: float | None, verdict: Verdict = "less_precise", status: str = "answered"
) -> ScoredItem:
    d = Decision(verdict=verdict, decided_by="gazetteer")
    return ScoredItem(
        item_id=f"{image_id}:{attribute}", image_id=image_id, attribute=attribute, truth="t", hardness=2,
        status=status, guess="g" if status == "answered" else None, top1=d, top3=d, distance_km=km,  # type: ignore[arg-type]
    )  # fmt: skip


# 8 placeOfImage items: five located at growing distances, a refusal, and two without a point
POI = [
    scored("a", "placeOfImage", 0.5, "correct"),
    scored("b", "placeOfImage", 10.0, "correct"),
    scored("c", "placeOfImage", 100.0),
    scored("d", "placeOfImage", 500.0),
    scored("e", "placeOfImage", 2000.0),
    scored("f", "placeOfImage", 5000.0, "wrong"),
    scored("g", "placeOfImage", None, "wrong", status="refused"),
    scored("h", "placeOfImage", None),  # e.g. the guess named only the country
]


def test_thresholds_are_the_geolocation_benchmarks_steps() -> None:
    assert DISTANCE_THRESHOLDS_KM == (1, 25, 200, 750, 2500)


def test_every_item_is_in_the_denominator_and_unlocated_ones_are_beyond() -> None:
    ladder = distance_ladder(POI)
    assert (ladder["n"], ladder["located"]) == (8, 6)
    assert ladder["within_1km"] == pytest.approx(1 / 8)
    assert ladder["within_25km"] == pytest.approx(2 / 8)
    assert ladder["within_200km"] == pytest.approx(3 / 8)
    assert ladder["within_750km"] == pytest.approx(4 / 8)
    assert ladder["within_2500km"] == pytest.approx(5 / 8)
    # sorted with the two unlocated items infinitely far: 0.5 10 100 500 | 2000 5000 inf inf
    assert ladder["median_km"] == pytest.approx((500 + 2000) / 2)
    assert ladder["median_km_located"] == pytest.approx((100 + 500) / 2)


def test_median_is_undefined_when_half_the_items_have_no_distance() -> None:
    rows = [scored("a", "location", 3.0), scored("b", "location", None)]
    ladder = distance_ladder(rows)
    assert ladder["median_km"] is None and ladder["median_km_located"] == 3.0
    empty = distance_ladder([])
    assert empty["n"] == 0 and empty["within_25km"] is None and empty["median_km"] is None


def test_run_metrics_has_a_ladder_per_listed_place_attribute_and_mlflow_names() -> None:
    loc = [scored(x, "location", 30.0) for x in "ab"]
    sex = [scored("a", "sex", None, "correct")]
    m = run_metrics([*POI, *loc, *sex], ["location", "placeOfImage", "sex"], n_boot=0)
    assert set(m["distance"]) == {"location", "placeOfImage"}
    assert m["distance"]["location"]["within_25km"] == 0.0
    assert m["distance"]["location"]["within_200km"] == 1.0
    flat = model_metrics(m, ["location", "placeOfImage", "sex"], {})  # what MLflow gets
    assert flat["distance.placeOfImage.within_25km"] == pytest.approx(2 / 8)
    assert {f"distance.location.within_{k}km" for k in DISTANCE_THRESHOLDS_KM} <= set(flat)
    assert m["distance"]["placeOfImage"]["median_km"] == pytest.approx(1250.0)
    assert m["distance"]["location"]["n"] == 2
    # the precise accuracy sits beside the headline for the same items
    assert m["attributes"]["placeOfImage"]["accuracy"] == pytest.approx(6 / 8)  # less precise counts
    assert m["attributes"]["placeOfImage"]["accuracy_precise"] == pytest.approx(2 / 8)
    # an attribute not listed has no ladder
    assert "location" not in run_metrics(POI, ["placeOfImage"], n_boot=0)["distance"]
