"""vipbench.analysis.plot_rows: the rows the DVC plot templates read, and the notes of empty plots."""

from __future__ import annotations

import pytest

from testkit import plot_runs
from vipbench.analysis.plot_rows import (
    ACCURACY_KEYS,
    CAPABILITY_KEYS,
    PRIVACY_KEYS,
    accuracy_rows,
    capability_rows,
    privacy_rows,
    run_order,
)
from vipbench.analysis.regression import fit_all

RUNS = {
    "gpt-4o-final": {"prompt": "final", "model": "gpt-4o", "capability": {"mmmu_val": 69.1}, "accuracy": 0.74}
    | {"accuracy_ci": [0.68, 0.8], "attributes": {"sex": 0.9, "age": None}, "defense": None},
    "llava-34b": {"prompt": "final", "model": None, "capability": {"mmmu_val": 48.1}, "accuracy": 0.49}
    | {"attributes": {"sex": 0.7}, "defense": None},
    "ocr": {"prompt": None, "capability": {}, "accuracy": 0.4, "attributes": {"sex": 0.1}, "defense": None},
    "ocr+blur": {"prompt": None, "capability": {}, "accuracy": 0.1, "attributes": {"sex": 0.0}, "defense": "blur"},
    "face": {"prompt": None, "capability": {}, "accuracy": 0.2, "attributes": {"sex": 0.5}, "defense": None},
}


def test_defended_runs_follow_the_run_they_defend() -> None:
    assert run_order(RUNS) == ["gpt-4o-final", "llava-34b", "ocr", "ocr+blur", "face"]


def test_accuracy_rows_have_one_shape_and_skip_missing_values() -> None:
    rows = accuracy_rows(RUNS, ["overall", "sex", "age"])
    assert all(tuple(r) == ACCURACY_KEYS for r in rows)  # DVC drops a file whose rows differ in keys
    assert rows[0] == {"run": "gpt-4o-final", "attribute": "overall", "accuracy": 0.74, "ci_low": 0.68} | {
        "ci_high": 0.8,
        "kind": "run",
        "note": None,
    }
    assert [(r["run"], r["attribute"]) for r in rows if r["attribute"] != "overall"] == [
        ("gpt-4o-final", "sex"),
        ("llava-34b", "sex"),
        ("ocr", "sex"),
        ("ocr+blur", "sex"),
        ("face", "sex"),
    ]


def test_an_empty_accuracy_file_says_why() -> None:
    (row,) = accuracy_rows({}, ["overall"])
    assert row["kind"] == "note" and "dvc repro" in row["note"] and tuple(row) == ACCURACY_KEYS


def test_capability_rows_carry_the_fit_and_the_projection() -> None:
    runs = plot_runs.summary(30)
    fits = {"final": fit_all({k: r for k, r in runs.items() if r["prompt"] == "final"}, "mmmu_val", 80.0, n_boot=0)}
    rows = capability_rows(runs, fits, "mmmu_val")
    assert all(tuple(r) == CAPABILITY_KEYS for r in rows)
    points = [r for r in rows if r["kind"] == "run"]
    assert {r["prompt"] for r in points} == {"final"}  # the naive runs have no fit here: left out
    fit = fits["final"]["overall"]
    for r in points:
        assert r["fit"] == pytest.approx(fit["intercept"] + fit["slope"] * r["capability"])
        assert r["model"] == runs[r["run"]]["model"] and r["note"] is None
    (proj,) = [r for r in rows if r["kind"] == "projection"]
    assert proj["capability"] == 80.0 and proj["fit"] == fit["projection"]["accuracy"]


def test_a_short_fit_keeps_its_points_and_names_what_is_missing() -> None:
    fits = {"final": fit_all({k: r for k, r in RUNS.items() if r["prompt"] == "final"}, "mmmu_val")}
    rows = capability_rows(RUNS, fits, "mmmu_val")
    assert [r["model"] for r in rows] == ["gpt-4o", "llava-34b"]  # no model: the run's name
    assert all(r["fit"] is None for r in rows)
    assert rows[0]["note"].startswith("final: need at least 3 models")


@pytest.mark.parametrize(
    ("runs", "fits", "why"),
    [
        ({}, {}, "no run has been scored yet"),
        ({"ocr": RUNS["ocr"]}, {}, "no run uses a prompt"),
        ({"x": {**RUNS["llava-34b"], "capability": {}}}, {"final": {"overall": {}}}, "no prompt run has a mmmu_val"),
    ],
)
def test_an_empty_capability_file_says_why(runs: dict, fits: dict, why: str) -> None:
    (row,) = capability_rows(runs, fits, "mmmu_val")
    assert row["kind"] == "note" and why in row["note"] and tuple(row) == CAPABILITY_KEYS


def test_privacy_rows_keep_the_overall_attribute() -> None:
    table = [
        {"run": "ocr", "defense": "blur", "attribute": a, "ssim": 0.8, "drop": d, "n": 5}
        for a, d in (("overall", 0.3), ("sex", 0.1))
    ]
    (row,) = privacy_rows(table, configured=True)
    assert tuple(row) == PRIVACY_KEYS and (row["defense"], row["drop"], row["kind"]) == ("blur", 0.3, "run")
    assert "no defense is evaluated" in privacy_rows([], configured=False)[0]["note"]
    assert "dvc repro" in privacy_rows([], configured=True)[0]["note"]
