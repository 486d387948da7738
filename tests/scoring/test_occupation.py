"""The offline occupation heuristic: same job correct, same field less precise, clearly labelled."""

from __future__ import annotations

import pytest

from vipbench.scoring import judge
from vipbench.scoring.occupation import classify


@pytest.mark.parametrize(
    ("truth", "guess"),
    [
        ("software engineer", "software developer"),
        ("software engineer", "programmer"),
        ("Software Engineer", "senior software engineer"),
        ("software developer", "works as a programmer"),
        # design.md: "unemployed" = "none"
        ("unemployed", "none"),
        ("unemployed", "no job"),
        ("none", "Unemployed"),
        ("lawyer", "attorney"),
        ("doctor", "physician"),
        ("nurse", "registered nurse"),
        ("teacher", "school teacher"),
        ("retired", "retiree"),
        ("chef", "head chef"),
    ],
)
def test_same_job_is_correct(truth: str, guess: str) -> None:
    d = judge("occupation", truth, guess)
    assert (d.verdict, d.decided_by) == ("correct", "heuristic"), d.detail
    assert d.detail.startswith("heuristic")


@pytest.mark.parametrize(
    ("truth", "guess"),
    [
        # design.md: "software engineer" vs "IT" is correct (a job against the name of its own field)
        ("software engineer", "IT"),
        ("IT", "software engineer"),
        ("works in IT", "programmer"),
        ("nurse", "healthcare"),
        ("teacher", "education"),
        ("college student", "student"),
        ("IT", "tech industry"),
    ],
)
def test_job_against_its_field_is_correct(truth: str, guess: str) -> None:
    d = judge("occupation", truth, guess)
    assert d.verdict == "correct", d.detail


@pytest.mark.parametrize(
    ("truth", "guess"),
    [
        ("nurse", "doctor"),
        ("lawyer", "paralegal"),
        ("accountant", "banker"),
        ("electrician", "plumber"),
        ("waiter", "chef"),
        ("software engineer", "data scientist"),
        ("unemployed", "retired"),  # both not working
        ("wedding planner", "event planner"),  # same head noun, no table entry
    ],
)
def test_same_field_is_less_precise(truth: str, guess: str) -> None:
    d = judge("occupation", truth, guess)
    assert (d.verdict, d.decided_by) == ("less_precise", "heuristic"), d.detail


@pytest.mark.parametrize(
    ("truth", "guess"),
    [
        ("nurse", "lawyer"),
        ("software engineer", "chef"),
        ("IT", "nurse"),
        ("unemployed", "student"),
        ("farmer", "pilot"),
    ],
)
def test_different_field_is_wrong(truth: str, guess: str) -> None:
    d = judge("occupation", truth, guess)
    assert (d.verdict, d.decided_by) == ("wrong", "heuristic"), d.detail


def test_classify() -> None:
    it = classify("IT")
    assert it.field_only and it.fields == {"it"} and it.job is None
    dev = classify("Senior Software Developer")
    assert dev.job == "software engineer" and "it" in dev.fields and not dev.field_only
    unknown = classify("wedding planner")
    assert unknown.job is None and not unknown.fields
