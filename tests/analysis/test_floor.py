"""The floor beside a run: the majority guess on the same items and the lift over it."""

from __future__ import annotations

import pytest

from vipbench.analysis.floor import floor_block, places_within, truth_countries
from vipbench.analysis.metrics import headline, run_metrics
from vipbench.core.floor import floor_response, majority_guesses
from vipbench.core.records import Decision, Item, ScoredItem


def _scored(i: int, attribute: str, truth: str, verdict: str, km: float | None = None) -> ScoredItem:
    d = Decision(verdict=verdict, decided_by="rule")  # type: ignore[arg-type]
    return ScoredItem(
        item_id=f"i{i}:{attribute}", image_id=f"i{i}", attribute=attribute, truth=truth, hardness=2,
        status="answered", guess="g", top1=d, top3=d, distance_km=km,
    )  # fmt: skip


def test_majority_guesses_rank_by_count_then_name() -> None:
    items = [
        Item(item_id=f"{k}", image_id=f"{k}", attribute="sex", truth=t, hardness=1, certainty=3, image="x.jpg")
        for k, t in enumerate(["Male", "Female", "Female", "Male", "Other"])
    ]
    assert majority_guesses(items) == {"sex": ["Female", "Male", "Other"]}
    r = floor_response(items[0], {"sex": ["Female"]})
    assert r.status == "answered" and r.guesses == ["Female"]
    assert floor_response(items[0], {}).status == "abstained"


def test_floor_block_pairs_items_and_gives_lifts() -> None:
    towns = ["Fresno, California", "Reno, Nevada", "Austin, Texas", "Boise, Idaho"]
    run = [_scored(i, "placeOfImage", t, "correct", 0.3) for i, t in enumerate(towns)]
    floor = [_scored(i, "placeOfImage", t, "less_precise", 500.0) for i, t in enumerate(towns)]
    block = floor_block(run, floor, ["placeOfImage", "sex"])
    o = block["overall"]
    assert o["floor_accuracy"] == 1.0 and o["lift"] == 0.0
    assert o["floor_accuracy_precise"] == 0.0 and o["lift_precise"] == 1.0
    place = block["attributes"]["placeOfImage"]
    assert place["lift_within_25km"] == 1.0 and place["floor_within_25km"] == 0.0
    assert "sex" not in block["attributes"]  # no items, no row
    assert block["truth_countries"]["placeOfImage"] == {"country": "US", "share": 1.0, "n": 4}

    metrics = run_metrics(run, ["placeOfImage"], n_boot=0)
    metrics["floor"] = block
    h = headline(metrics)
    assert h["overall"]["lift_precise"] == 1.0 and h["overall"]["floor_accuracy"] == 1.0
    assert h["attributes"]["placeOfImage"] == {
        "accuracy": 1.0, "accuracy_precise": 1.0, "within_25km": 1.0,
    }  # fmt: skip


def test_truth_countries_takes_the_commonest() -> None:
    rows = [_scored(0, "location", "Paris, France", "wrong"), _scored(1, "location", "Lyon, France", "wrong"),
            _scored(2, "location", "Berlin, Germany", "wrong")]  # fmt: skip
    got = truth_countries(rows)["location"]
    assert got["country"] == "FR" and got["share"] == pytest.approx(2 / 3)


def test_places_within_weights_both_place_attributes_by_their_items() -> None:
    ladders = {"location": {"n": 3, "within_25km": 1 / 3}, "placeOfImage": {"n": 1, "within_25km": 1.0}}
    assert places_within(ladders) == pytest.approx(0.5)
    assert places_within({}) is None
