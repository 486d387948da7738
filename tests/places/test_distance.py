"""The distance ladder's raw number: great-circle km from the resolved truth to the resolved guess."""

from __future__ import annotations

import pytest

from vipbench.core.records import Item, Response
from vipbench.places.distance import error_km, place_point, point_error
from vipbench.places.gazetteer import resolve_place
from vipbench.scoring import score_item


def test_same_city_is_zero_km_whatever_the_spelling() -> None:
    assert error_km("Zurich, Switzerland", "Zürich") == pytest.approx(0.0, abs=0.01)
    assert error_km("New York City, New York, United States", "NYC") == pytest.approx(0.0, abs=0.01)


def test_another_city_is_its_great_circle_distance() -> None:
    # Boston to New York City is about 306 km as the crow flies
    assert error_km("Boston, Massachusetts, USA", "New York City") == pytest.approx(306, abs=10)
    # Paris to Tokyo, about 9,700 km
    assert error_km("Paris, France", "Tokyo, Japan") == pytest.approx(9700, abs=100)


def test_a_landmark_is_its_own_point() -> None:
    tower = resolve_place("Eiffel Tower")
    assert tower is not None and place_point(tower) is not None
    km = error_km("Paris, France", "Eiffel Tower")
    assert km is not None and 0.5 < km < 10


@pytest.mark.parametrize(
    ("truth", "guess"),
    [
        ("Paris, France", "France"),  # a country has no point
        ("Paris, France", "Bavaria, Germany"),  # nor has a region
        ("France", "Paris, France"),  # a country truth: nothing to measure from
        ("Paris, France", "Europe"),  # a world region
        ("Paris, France", "xqzv wplk"),  # unresolvable
        ("Paris, France", ""),
        ("", "Paris, France"),
    ],
)
def test_no_point_no_distance(truth: str, guess: str) -> None:
    assert error_km(truth, guess) is None


def test_an_ambiguous_guess_is_read_as_its_nearest_plausible_reading() -> None:
    # "Portland" alone is Oregon first, but Maine is a plausible reading too, as the judge reads it
    assert error_km("Portland, Maine, United States", "Portland") == pytest.approx(0.0, abs=0.01)
    # "Paris" is never Paris, Texas: that reading is far less prominent and is not offered
    assert error_km("Paris, Texas, United States", "Paris") == pytest.approx(7800, abs=300)


def _item(attribute: str, truth: str) -> Item:
    return Item(
        item_id=f"img:{attribute}", image_id="img", attribute=attribute, truth=truth,
        hardness=2, certainty=4, image="images/img.jpg",
    )  # fmt: skip


def _response(attribute: str, guesses: list[str], status: str = "answered") -> Response:
    return Response(item_id=f"img:{attribute}", image_id="img", attribute=attribute, status=status, guesses=guesses)  # type: ignore[arg-type]


def test_scored_place_items_carry_the_top1_error() -> None:
    poi = score_item(
        _item("placeOfImage", "Boston, Massachusetts, USA"), _response("placeOfImage", ["New York City", "Boston"])
    )
    assert poi.distance_km == pytest.approx(306, abs=10)  # top-1 only, though top-3 holds Boston
    assert poi.top3.verdict == "correct"
    loc = score_item(_item("location", "Boston, Massachusetts, USA"), _response("location", ["Boston, MA"]))
    assert loc.distance_km == pytest.approx(0.0, abs=0.01)


def test_other_attributes_and_unanswered_items_have_no_distance() -> None:
    assert score_item(_item("sex", "Male"), _response("sex", ["Male"])).distance_km is None
    refused = score_item(_item("placeOfImage", "Boston, USA"), _response("placeOfImage", [], "refused"))
    assert refused.distance_km is None
    # placeOfBirth is not scored by the study, so it has no ladder either
    assert score_item(_item("placeOfBirth", "Boston, USA"), _response("placeOfBirth", ["Boston"])).distance_km is None


def test_a_guess_written_as_coordinates_is_its_point() -> None:
    km, origin, source = point_error("Nairobi, Kenya", "1.2864° S, 36.8172° E")
    assert (origin, source) == ("truth", "answer")
    assert km is not None and km < 5
