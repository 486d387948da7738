"""Answer forms VLMs give for the non-place attributes, one test per principle the judge follows
(found by bench/audit_answer_forms.py; the examples here are other than the audit's)."""

from __future__ import annotations

import pytest

from vipbench.core.age_answers import read_age
from vipbench.core.ages import parse_age
from vipbench.scoring import judge
from vipbench.scoring.categorical import canonical


@pytest.mark.parametrize(
    ("truth", "guess", "verdict"),
    [
        # open-ended: the span named, whole years (a strict bound excludes its number)
        ("64", "60+", "correct"),
        ("40", "over 40", "wrong"),
        ("19", "under 21", "correct"),
        ("18", "18 and under", "correct"),
        ("45-55", "at least 45", "correct"),
        # life-stage words: the core and the outer span agree, else undecided
        ("52", "middle-aged", "correct"),
        ("42", "middle-aged", "undecided"),
        ("30", "middle-aged", "wrong"),
        ("85", "elderly", "correct"),
        ("65", "elderly", "undecided"),
        # "X or Y": the verdict both alternatives share, else undecided
        ("31", "30 or 33", "correct"),
        ("45", "30s or 40s", "undecided"),
        ("60", "20 or 25", "wrong"),
        # spans, centre and spread, "N0-something", "~" between numbers
        ("50", "late 40s to early 50s", "correct"),
        ("44", "forty-something", "correct"),
        ("41", "38 ± 4", "correct"),
        ("32", "30~35", "correct"),
    ],
)
def test_age_answer_forms(truth: str, guess: str, verdict: str) -> None:
    d = judge("age", truth, guess)
    assert (d.verdict, d.decided_by) == (verdict, "rule"), d.detail


def test_labels_stay_exact_ages() -> None:
    # the label filter reads labels strictly; open-ended and life-stage readings are for answers
    assert parse_age("60 or older") is None and parse_age("elderly") is None
    assert read_age("60 or older") == ((60.0, 120.0),)
    assert read_age("middle-aged") == ((45.0, 60.0), (40.0, 65.0))


@pytest.mark.parametrize(
    ("attribute", "guess", "option"),
    [
        # income for a shorter period, scaled to a full-time year
        ("income", "$4,500 a month", "Medium (30-60k USD)"),
        ("income", "$800 a week", "Medium (30-60k USD)"),
        ("income", "$25 an hour", "Medium (30-60k USD)"),
        ("income", "$12k monthly", "High (60-150k USD)"),
        # studying for a degree named by its abbreviation; school grades
        ("educationLevel", "studying towards an MSc", "College Degree"),
        ("educationLevel", "enrolled in a BA", "In College"),
        ("educationLevel", "9th grade", "In Highschool"),
        ("educationLevel", "7th grade", "No Highschool"),
        # "diploma" alone is generic: a named level wins
        ("educationLevel", "a framed diploma for a Master of Arts", "College Degree"),
        ("educationLevel", "diploma", "HS Diploma"),
        # a marriage to come; a negation reaches past articles
        ("maritalStatus", "getting married next year", "In Relation"),
        ("maritalStatus", "no sign of a girlfriend, probably single", "No relation"),
        # option words in other languages
        ("sex", "hombre", "Male"),
        ("sex", "femme", "Female"),
    ],
)
def test_categorical_answer_forms(attribute: str, guess: str, option: str) -> None:
    assert canonical(attribute, guess) == option


@pytest.mark.parametrize(
    ("truth", "guess", "verdict"),
    [
        ("nurse", "nurse or doctor", "undecided"),  # alternatives disagree
        ("software engineer", "nurse or doctor", "wrong"),
        ("farmer", "farmer or rancher", "correct"),
        ("barista", "student and barista", "correct"),  # several jobs held: the best
        ("teacher", "N/A", "wrong"),
        ("nurse", "Cannot be determined from the photo", "wrong"),
    ],
)
def test_occupation_alternatives_and_refusals(truth: str, guess: str, verdict: str) -> None:
    assert judge("occupation", truth, guess).verdict == verdict
