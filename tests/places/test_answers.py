"""The place phrase inside a sentence answer (vipbench.places.answers)."""

from __future__ import annotations

import pytest

from vipbench.places.answers import alternatives, answer_phrases


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("This looks like Porto, Portugal, judging by the tiles.", "Porto, Portugal"),
        ("The image was most likely taken in Cusco, Peru.", "Cusco, Peru"),
        ("Based on the architecture, this is Fez, Morocco.", "Fez, Morocco"),
        ("Location: Da Nang, Vietnam", "Da Nang, Vietnam"),
        ("Best guess: Chile", "Chile"),
        ("The script is Thai, so somewhere in Thailand.", "somewhere in Thailand"),
        ("My best guess is Quito.", "Quito"),
        ("Mendoza, Argentina, based on the vineyards", "Mendoza, Argentina"),
        ("It is the Dominican Republic.", "Dominican Republic"),
        ("The red roofs and the sea suggest this is Dubrovnik, Croatia.", "Dubrovnik, Croatia"),
        ("I'd say Almaty, Kazakhstan.", "Almaty, Kazakhstan"),
        ("The photo shows a market in Fez, Morocco.", "Fez, Morocco"),
        ("this looks like quito, ecuador", "quito, ecuador"),
    ],
)
def test_the_place_inside_a_sentence(text: str, expected: str) -> None:
    assert answer_phrases(text)[0] == expected


@pytest.mark.parametrize("text", ["The Hague", "Washington, D.C.", "St. Louis, MO", "Most likely Haridwar", "Lima"])
def test_a_place_name_is_no_sentence(text: str) -> None:
    assert answer_phrases(text) == [text]


def test_each_sentence_in_turn() -> None:
    phrases = answer_phrases("Rosario, Argentina. The river suggests it.")
    assert phrases == ["Rosario, Argentina", "The river suggests it"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Nagoya or Kobe", ["Nagoya", "Kobe"]),
        ("either Fukuoka or Sapporo, Japan", ["Fukuoka, Japan", "Sapporo, Japan"]),
        ("La Paz, Bolivia or Cusco, Peru", ["La Paz, Bolivia", "Cusco, Peru"]),
        ("Salem, OR", ["Salem, OR"]),  # Oregon's postal code, not a second candidate
        ("Lima", ["Lima"]),
    ],
)
def test_alternatives(text: str, expected: list[str]) -> None:
    assert alternatives(text) == expected


def test_candidates_graded_differently_are_undecided() -> None:
    from vipbench.scoring.places import judge_place

    decision = judge_place("Sendai, Japan", "Sendai or Seoul")
    assert decision.verdict == "undecided" and "Seoul" in (decision.detail or "")


def test_clauses_of_a_long_sentence_in_turn() -> None:
    # a semicolon ends a clause of a long sentence; in a short text it only separates parts
    text = "The signs are in Portuguese and the trams look old; this is probably Porto."
    assert answer_phrases(text)[-1] == "Porto"
    assert answer_phrases("Porto; Portugal") == ["Porto; Portugal"]
