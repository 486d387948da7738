"""The age rule (design.md section 2): numbers within 5 years, interval overlap >= 0.5, inside."""

from __future__ import annotations

import pytest

from vipbench.scoring import judge
from vipbench.scoring.age import compare_ages, parse_age


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("34", (34, 34)),
        ("34 years", (34, 34)),
        ("34 years old", (34, 34)),
        ("about 34", (34, 34)),
        ("~34", (34, 34)),
        ("thirty-four", (34, 34)),
        ("25-35", (25, 35)),
        ("25 - 35", (25, 35)),
        ("25–35", (25, 35)),
        ("25 to 35", (25, 35)),
        ("between 25 and 35", (25, 35)),
        ("35-25", (25, 35)),
        ("mid 30s", (33, 37)),
        ("mid-30s", (33, 37)),
        ("30s", (30, 39)),
        ("30's", (30, 39)),
        ("thirties", (30, 39)),
        ("early 20s", (20, 23)),
        ("late 20s", (27, 29)),
        ("early to mid 30s", (30, 37)),
        ("late teens", (17, 19)),
    ],
)
def test_parse_age(text: str, expected: tuple[int, int]) -> None:
    assert parse_age(text) == (float(expected[0]), float(expected[1]))


@pytest.mark.parametrize("text", ["", "young", "adult", "65+", "over 60", "28 or 35", "1990", "150"])
def test_parse_age_refuses_what_it_cannot_read(text: str) -> None:
    assert parse_age(text) is None


@pytest.mark.parametrize(
    ("truth", "guess", "verdict"),
    [
        # two numbers: within 5 years, inclusive
        ("30", "30", "correct"),
        ("30", "35", "correct"),
        ("30", "25", "correct"),
        ("30", "36", "wrong"),
        ("30", "24", "wrong"),
        ("30", "35 years old", "correct"),
        # two intervals: overlap / shorter length >= 0.5
        ("20-30", "25-45", "correct"),  # overlap 5, shorter 10 -> 0.5
        ("20-30", "26-45", "wrong"),  # overlap 4, shorter 10 -> 0.4
        ("20-30", "22-24", "correct"),  # contained -> 1.0
        ("20-25", "25-30", "wrong"),  # touching -> 0
        ("25-35", "30s", "correct"),  # overlap 5 (30-35), shorter 9 -> 0.56
        ("20-40", "mid 30s", "correct"),  # 33-37 inside
        # a number against an interval: inside, inclusive
        ("25-35", "30", "correct"),
        ("25-35", "25", "correct"),
        ("25-35", "35", "correct"),
        ("25-35", "36", "wrong"),
        ("34", "mid 30s", "correct"),
        ("38", "mid 30s", "wrong"),
        ("22", "early 20s", "correct"),
        ("30s", "41", "wrong"),
        # a zero-length interval is a number
        ("30-30", "34", "correct"),
        ("30-30", "36", "wrong"),
    ],
)
def test_age_rule(truth: str, guess: str, verdict: str) -> None:
    d = judge("age", truth, guess)
    assert (d.verdict, d.decided_by) == (verdict, "rule"), d.detail


def test_overlap_coefficient_boundary() -> None:
    ok, why = compare_ages((20.0, 30.0), (25.0, 45.0))
    assert ok and "0.50" in why
    ok, _ = compare_ages((20.0, 30.0), (25.1, 45.0))
    assert not ok


def test_unparseable_guess_is_wrong_with_detail() -> None:
    d = judge("age", "30", "young adult")
    assert (d.verdict, d.decided_by) == ("wrong", "rule")
    assert "young adult" in d.detail and "not an age" in d.detail
    bad_truth = judge("age", "n/a", "30")
    assert bad_truth.verdict == "wrong" and "truth" in bad_truth.detail
