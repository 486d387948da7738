"""The `ocr` adversary's place rules need evidence: a common word, a brand or a small town alone
is no place, and a licence-plate country code needs a plate beside it. Real gazetteer, real
word frequencies (wordfreq)."""

from __future__ import annotations

import pytest

from vipbench.models.adversaries.ocr_places import guess_places, plate_shaped, word_commonness

gazetteer = pytest.importorskip("vipbench.places.gazetteer")
pytest.importorskip("wordfreq")


def places(*lines: str) -> list[str]:
    return guess_places(list(lines), gazetteer.resolve_place)[0]


@pytest.mark.parametrize(
    "lines",
    [
        ["Welcome"],  # a town in South Carolina
        ["Terrace", "CAFE & BAR"],  # a café called Terrace: a small town in Canada
        ["Pool", "OPEN 9-18"],  # a region of the Congo
        ["NICE", "PRICES"],  # Nice, France
        ["Reading", "ROOM"],
        ["Essen", "& Trinken"],  # German for food; also a city of 590k
        ["Split"],
        ["TOYOTA"],  # a car brand; a Japanese city
        ["YOKOHAMA", "TYRES"],  # a tyre brand; a city of 3.7 million
        ["Corona", "Extra"],  # a beer; a Californian city
        ["Goodyear"],
        ["S"],  # a letter left over after blur_text: not Sweden
        ["D"],
        ["40 MPH", "D"],  # a speed sign is no plate
        ["NOSTRA", "PIZZARIA"],
        ["VIA CERRADA", "SIGA"],
    ],
)
def test_no_place_without_evidence(lines: list[str]) -> None:
    assert places(*lines) == []


@pytest.mark.parametrize(
    ("lines", "country"),
    [
        (["Paris"], "FR"),  # a big city is named on its own even by a common word
        (["Zurich"], "CH"),  # not a common word
        (["Nice", "France"], "FR"),  # a common word backed by its country
        (["45127 Essen"], "DE"),  # ... or by a postcode before it
        (["ZH 48924", "CH"], "CH"),  # a plate code beside a plate
        (["CH", "ZH·48924"], "CH"),
        (["B MW 1234", "D"], "DE"),
        (["Yokohama", "Japan"], "JP"),  # a brand name backed by its country
    ],
)
def test_places_with_evidence(lines: list[str], country: str) -> None:
    got = places(*lines)
    assert got, lines
    place = gazetteer.resolve_place(got[0])
    assert place is not None and place.country_code == country


def test_dropped_hits_are_listed_with_the_reason() -> None:
    got, fired = guess_places(["TOYOTA", "Terrace", "Sanluri"], gazetteer.resolve_place)
    assert got == []
    assert any("'TOYOTA'" in f and "dropped, a brand" in f for f in fired)
    assert any("'Terrace'" in f and "dropped, a common word" in f for f in fired)
    assert any("'Sanluri'" in f and "dropped, a small town" in f for f in fired)
    # with its country named, the small town is backed
    assert guess_places(["Sanluri", "Italia"], gazetteer.resolve_place)[0][0].startswith("Sanluri")


@pytest.mark.parametrize(
    ("line", "plate"),
    [
        ("ZH 48924", True),
        ("B MW 1234", True),
        ("AB-123-CD", True),
        ("12-AB-34", True),
        ("040MPH", False),
        ("40 MPH", False),
        ("06/06/2019 11:18:28", False),
        ("VK", False),
        ("PARIS", False),
        ("zh 48924", False),
    ],
)
def test_plate_shape(line: str, plate: bool) -> None:
    assert plate_shaped(line) is plate


def test_word_commonness() -> None:
    assert word_commonness("Welcome") >= 4.0 > word_commonness("Zurich")
    assert word_commonness("Sanluri") < 2.0
