"""Rules for sex, income, maritalStatus and educationLevel (design.md section 2, "Scoring")."""

from __future__ import annotations

import pytest

from vipbench.core.attributes import ATTRIBUTES
from vipbench.scoring import judge
from vipbench.scoring.categorical import canonical, income_bracket
from vipbench.scoring.normalize import normalize_text

INC = {
    "none": "No income",
    "low": "Low (<30k USD)",
    "medium": "Medium (30-60k USD)",
    "high": "High (60-150k USD)",
    "very": "Very High (>150k USD)",
}


@pytest.mark.parametrize("attribute", ["sex", "income", "maritalStatus", "educationLevel"])
def test_every_option_maps_to_itself_in_any_case(attribute: str) -> None:
    for option in ATTRIBUTES[attribute].options:
        assert canonical(attribute, option) == option
        assert canonical(attribute, option.upper()) == option
        assert canonical(attribute, f"  {option.lower()}. ") == option
        assert judge(attribute, option, option.lower()).verdict == "correct"


def test_normalize_text() -> None:
    assert normalize_text("  Zürich,  CH!") == "zurich ch"
    assert normalize_text("Bachelor’s") == "bachelors"
    assert normalize_text("HS-Diploma") == "hs diploma"


@pytest.mark.parametrize(
    ("truth", "guess"),
    [("Male", "male"), ("Male", "M"), ("Male", "Man"), ("Female", "woman"), ("Female", "Probably female.")],
)
def test_sex_synonyms(truth: str, guess: str) -> None:
    d = judge("sex", truth, guess)
    assert (d.verdict, d.decided_by) == ("correct", "rule")


def test_sex_wrong_and_ambiguous() -> None:
    assert judge("sex", "Male", "Female").verdict == "wrong"
    assert judge("sex", "Female", "male").verdict == "wrong"
    hedge = judge("sex", "Male", "male or female")
    assert hedge.verdict == "wrong" and "no single option" in hedge.detail


@pytest.mark.parametrize(
    ("guess", "option"),
    [
        # design.md: "60-150k" = "High"
        ("60-150k", "high"),
        ("High", "high"),
        ("high (60-150k usd)", "high"),
        ("HIGH (60-150K USD)", "high"),
        ("$60k-$150k", "high"),
        ("about $100,000 a year", "high"),
        ("upper middle class", "high"),
        ("<30k", "low"),
        ("Low", "low"),
        ("under 30k", "low"),
        ("$20,000", "low"),
        ("30-60k", "medium"),
        ("$45,000", "medium"),
        ("medium income", "medium"),
        ("middle class", "medium"),
        (">150k", "very"),
        ("150k+", "very"),
        ("very high", "very"),
        ("Very High (>150k USD)", "very"),
        ("wealthy", "very"),
        ("none", "none"),
        ("No income", "none"),
        ("no income.", "none"),
        ("$0", "none"),
    ],
)
def test_income_synonyms(guess: str, option: str) -> None:
    assert canonical("income", guess) == INC[option]
    d = judge("income", INC[option], guess)
    assert (d.verdict, d.decided_by) == ("correct", "rule"), d.detail


def test_income_different_brackets_are_wrong() -> None:
    assert judge("income", INC["high"], "Medium (30-60k USD)").verdict == "wrong"
    assert judge("income", INC["high"], "Very High (>150k USD)").verdict == "wrong"  # no partial credit
    assert judge("income", INC["low"], "60-150k").verdict == "wrong"
    assert judge("income", INC["medium"], "low to medium").verdict == "wrong"  # two options named


def test_income_brackets_edges() -> None:
    assert income_bracket(0) == INC["none"]
    assert income_bracket(29_999) == INC["low"]
    assert income_bracket(30_000) == INC["medium"]
    assert income_bracket(60_000) == INC["high"]
    # Very High is "over 150k": exactly 150k is High (one rule for parser, scorer and adversaries)
    assert income_bracket(150_000) == INC["high"]


@pytest.mark.parametrize(
    ("truth", "guess"),
    [
        # design.md: "HS diploma" = "High school diploma"
        ("HS Diploma", "High school diploma"),
        ("HS Diploma", "HS diploma"),
        ("HS Diploma", "hs-diploma"),
        ("HS Diploma", "high school graduate"),
        ("HS Diploma", "GED"),
        ("High school diploma", "HS Diploma"),
        ("College Degree", "Bachelor's"),
        ("College Degree", "Bachelor's degree"),
        ("College Degree", "Master's"),
        ("College Degree", "masters degree"),
        ("College Degree", "university degree"),
        ("College Degree", "BSc"),
        ("PhD", "Doctorate"),
        ("PhD", "Ph.D."),
        ("PhD", "doctoral degree"),
        ("In College", "student at university"),
        ("In College", "college student"),
        ("In College", "undergraduate"),
        ("In Highschool", "high school student"),
        ("In Highschool", "in high school"),
        ("No Highschool", "no high school"),
        ("No Highschool", "high school dropout"),
    ],
)
def test_education_synonyms(truth: str, guess: str) -> None:
    d = judge("educationLevel", truth, guess)
    assert (d.verdict, d.decided_by) == ("correct", "rule"), d.detail


def test_education_levels_differ() -> None:
    assert judge("educationLevel", "HS Diploma", "College Degree").verdict == "wrong"
    assert judge("educationLevel", "In Highschool", "HS Diploma").verdict == "wrong"
    assert judge("educationLevel", "In College", "College Degree").verdict == "wrong"
    # a PhD student already holds a degree; they are not (yet) a PhD
    assert canonical("educationLevel", "PhD student") == "College Degree"
    assert judge("educationLevel", "PhD", "PhD student").verdict == "wrong"


@pytest.mark.parametrize(("truth", "guess"), [("Married", "In Relation"), ("In Relation", "Married")])
def test_married_vs_in_relation_is_less_precise_both_ways(truth: str, guess: str) -> None:
    d = judge("maritalStatus", truth, guess)
    assert (d.verdict, d.decided_by) == ("less_precise", "rule")


@pytest.mark.parametrize(
    ("truth", "guess", "verdict"),
    [
        ("Married", "Married", "correct"),
        ("Married", "married with kids", "correct"),
        ("Married", "has a wife", "correct"),
        ("Married", "engaged", "less_precise"),
        ("Married", "has a girlfriend", "less_precise"),
        ("In Relation", "in a relationship", "correct"),
        ("In Relation", "dating", "correct"),
        ("In Relation", "husband", "less_precise"),
        ("No relation", "single", "correct"),
        ("No relation", "not in a relationship", "correct"),
        ("No relation", "Married", "wrong"),
        ("No relation", "In Relation", "wrong"),
        ("Divorced", "divorced", "correct"),
        ("Divorced", "separated", "correct"),
        ("Divorced", "Married", "wrong"),
        ("Married", "never married", "wrong"),
    ],
)
def test_marital_status(truth: str, guess: str, verdict: str) -> None:
    assert judge("maritalStatus", truth, guess).verdict == verdict


def test_unmapped_values_match_only_as_text() -> None:
    # "widowed" is not one of the options: equal text still counts, anything else is wrong
    assert judge("maritalStatus", "Widowed", "widowed").verdict == "correct"
    d = judge("maritalStatus", "Widowed", "Married")
    assert d.verdict == "wrong" and "truth names no single option" in d.detail
    assert judge("sex", "Male", "unknown").verdict == "wrong"


def test_empty_guess_is_wrong() -> None:
    d = judge("sex", "Male", "  ")
    assert (d.verdict, d.decided_by, d.detail) == ("wrong", "rule", "empty guess")
