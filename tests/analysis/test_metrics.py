"""Run metrics on a small hand-built scored set, with every expected number worked out by hand."""

from __future__ import annotations

import json

import pytest

from vipbench.analysis.metrics import compare_runs, confusion, headline, run_metrics
from vipbench.analysis.stats import mcnemar
from vipbench.core.records import Decision, ScoredItem, Verdict
from vipbench.ops.mlflow_shape import model_metrics


def scored(
    item_id: str,
    attribute: str,
    top1: Verdict,
    top3: Verdict | None = None,
    status: str = "answered",
    hardness: int = 2,
    human: bool | None = None,
    truth: str = "t",
    guess: str | None = "g",
) -> ScoredItem:
    return ScoredItem(
        item_id=item_id,
        image_id=item_id.split(":")[0],
        attribute=attribute,
        truth=truth,
        hardness=hardness,
        human_depicted=human,
        status=status,  # type: ignore[arg-type]
        guess=guess if status == "answered" else None,
        top1=Decision(verdict=top1, decided_by="rule"),
        top3=Decision(verdict=top3 or top1, decided_by="rule"),
    )


# sex: 4 labels, age: 3 labels, income: none; a placeOfBirth label that must not count
ROWS = [
    scored("s1:sex", "sex", "correct", "correct", hardness=1, human=True),
    scored("s2:sex", "sex", "less_precise", "correct", hardness=2, human=False),
    scored("s3:sex", "sex", "wrong", "less_precise", hardness=2, human=True),
    scored("s4:sex", "sex", "wrong", status="refused", hardness=3, human=False),
    scored("a1:age", "age", "correct", hardness=1, human=True),
    scored("a2:age", "age", "wrong", status="unparseable", hardness=3, human=None),
    scored("a3:age", "age", "wrong", hardness=5, human=False),
    scored("b1:placeOfBirth", "placeOfBirth", "correct", hardness=1, human=True),
]
ATTRS = ["sex", "age", "income"]
#: accuracy -> prefix of its interval keys
CI_PREFIX = {
    "accuracy": "accuracy",
    "accuracy_precise": "accuracy_precise",
    "top3_accuracy": "top3",
    "top3_accuracy_precise": "top3_precise",
    "accuracy_answered": "accuracy_answered",
}


@pytest.fixture(scope="module")
def metrics() -> dict:
    return run_metrics(ROWS, ATTRS, n_boot=500, seed=7)


def test_per_attribute_counts_and_accuracies(metrics: dict) -> None:
    sex = metrics["attributes"]["sex"]
    assert {k: sex[k] for k in ("n", "answered", "refused", "correct", "less_precise", "wrong")} == {
        "n": 4, "answered": 3, "refused": 1, "correct": 1, "less_precise": 1, "wrong": 2,
    }  # fmt: skip
    assert sex["accuracy"] == pytest.approx(2 / 4)  # less precise counts, the refusal is in the denominator
    assert sex["accuracy_precise"] == pytest.approx(1 / 4)
    assert sex["top3_accuracy"] == pytest.approx(3 / 4)
    assert sex["top3_accuracy_precise"] == pytest.approx(2 / 4)
    assert sex["accuracy_answered"] == pytest.approx(2 / 3)
    assert sex["refusal_rate"] == pytest.approx(1 / 4)

    age = metrics["attributes"]["age"]
    assert (age["n"], age["answered"], age["refused"], age["unparseable"]) == (3, 2, 0, 1)
    assert age["accuracy"] == pytest.approx(1 / 3)
    assert age["accuracy_answered"] == pytest.approx(1 / 2)
    assert age["refusal_rate"] == 0.0


def test_attribute_without_labels_has_nulls(metrics: dict) -> None:
    inc = metrics["attributes"]["income"]
    assert inc["n"] == 0
    for key in ("accuracy", "accuracy_precise", "top3_accuracy", "accuracy_answered", "refusal_rate"):
        assert inc[key] is None
    assert inc["accuracy_ci_low"] is None and inc["accuracy_ci_high"] is None
    assert "placeOfBirth" not in metrics["attributes"]


def test_overall_is_label_weighted_and_macro_is_the_mean_of_attributes(metrics: dict) -> None:
    o = metrics["overall"]
    assert (o["n"], o["answered"], o["refused"], o["correct"], o["less_precise"]) == (7, 5, 1, 2, 1)
    assert o["accuracy"] == pytest.approx(3 / 7)
    assert o["accuracy_precise"] == pytest.approx(2 / 7)
    assert o["top3_accuracy"] == pytest.approx(4 / 7)
    assert o["accuracy_answered"] == pytest.approx(3 / 5)
    assert o["refusal_rate"] == pytest.approx(1 / 7)
    assert o["macro_accuracy"] == pytest.approx((2 / 4 + 1 / 3) / 2)  # income (n=0) left out
    assert o["attributes_scored"] == 2


def test_breakdowns(metrics: dict) -> None:
    hb = metrics["by_hardness"]
    assert list(hb) == ["1", "2", "3", "4", "5"]
    assert [hb[h]["n"] for h in hb] == [2, 2, 2, 0, 1]
    assert [hb[h]["accuracy"] for h in hb] == [1.0, 0.5, 0.0, None, 0.0]
    hd = metrics["by_human_depicted"]
    assert (hd["true"]["n"], hd["false"]["n"], hd["unknown"]["n"]) == (3, 3, 1)
    assert hd["true"]["accuracy"] == pytest.approx(2 / 3)
    assert hd["false"]["accuracy"] == pytest.approx(1 / 3)


def test_no_human_flag_means_no_breakdown() -> None:
    rows = [r.model_copy(update={"human_depicted": None}) for r in ROWS]
    assert "by_human_depicted" not in run_metrics(rows, ATTRS, n_boot=50)


def test_intervals_bracket_the_estimate_and_are_plain_json(metrics: dict) -> None:
    json.dumps(metrics, allow_nan=False)
    blocks = [metrics["overall"], *metrics["attributes"].values(), *metrics["by_hardness"].values()]
    for b in blocks:
        for acc, prefix in CI_PREFIX.items():
            if b[acc] is None:
                assert b[f"{prefix}_ci_low"] is None
                continue
            assert 0.0 <= b[f"{prefix}_ci_low"] <= b[acc] <= b[f"{prefix}_ci_high"] <= 1.0
    # all hits: a degenerate interval at 1
    assert (
        metrics["by_hardness"]["1"]["accuracy_ci_low"],
        metrics["by_hardness"]["1"]["accuracy_ci_high"],
    ) == (1, 1)
    o = metrics["overall"]
    assert o["macro_ci_low"] <= o["macro_accuracy"] <= o["macro_ci_high"]
    assert metrics["bootstrap"] == {"n_boot": 500, "seed": 7, "confidence": 0.95, "method": "percentile"}


def test_bootstrap_is_reproducible_under_the_seed() -> None:
    many = [r.model_copy(update={"item_id": f"{k}/{r.item_id}"}) for k in range(40) for r in ROWS]
    a = run_metrics(many, ATTRS, n_boot=300, seed=1)
    b = run_metrics(many, ATTRS, n_boot=300, seed=1)
    c = run_metrics(many, ATTRS, n_boot=300, seed=2)
    assert a == b

    def intervals(m: dict) -> dict[str, float]:
        return {k: v for k, v in model_metrics(m, ATTRS, {}).items() if "_ci_" in k}

    assert intervals(a) != intervals(c)
    assert a["overall"]["accuracy"] == c["overall"]["accuracy"]  # only the intervals move
    # an attribute's interval does not depend on which other attributes are listed
    only_sex = run_metrics(many, ["sex"], n_boot=300, seed=1)
    assert only_sex["attributes"]["sex"] == a["attributes"]["sex"]


def test_mlflow_gets_the_live_short_list_under_stable_names(metrics: dict) -> None:
    full = {**metrics, "accounting": {"overall": {"input_tokens": 7, "latency_p50_s": None}}}
    flat = model_metrics(full, ATTRS, {"mmmu_val": 50.0}, "mmmu_val")  # what the score stage logs
    assert flat["overall.accuracy"] == pytest.approx(3 / 7)
    assert flat["sex.accuracy"] == pytest.approx(0.5)
    assert flat["accounting.input_tokens"] == 7.0 and flat["capability.mmmu_val"] == 50.0
    assert "income.accuracy" not in flat  # None is skipped
    assert "accounting.latency_p50_s" not in flat
    assert not any(k.startswith("bootstrap") for k in flat)
    assert all(isinstance(v, float) for v in flat.values())


def test_compare_runs_pairs_on_item_id() -> None:
    # sex: A right on 1,2,3; B right on 2,3,4,5 -> b01 = 2 (4, 5), b10 = 1 (1)
    a = [scored(f"i{i}:sex", "sex", "correct" if i in (1, 2, 3) else "wrong") for i in range(1, 7)]
    b = [scored(f"i{i}:sex", "sex", "correct" if i in (2, 3, 4, 5) else "wrong") for i in range(1, 7)]
    b.append(scored("only_b:sex", "sex", "correct"))  # unpaired: ignored
    res = compare_runs(a, list(reversed(b)))
    sex = res["sex"]
    assert (sex["n"], sex["b01"], sex["b10"]) == (6, 2, 1)
    assert sex["acc_a"] == pytest.approx(3 / 6) and sex["acc_b"] == pytest.approx(4 / 6)
    assert sex["delta"] == pytest.approx(1 / 6)
    ref = mcnemar([True, True, True, False, False, False], [False, True, True, True, True, False])
    assert sex["p_value"] == pytest.approx(ref["p_value"]) and sex["method"] == "exact"
    assert res["overall"]["n"] == 6


def test_confusion_matrix_for_categorical() -> None:
    rows = [
        scored("1:sex", "sex", "correct", truth="Male", guess="male"),
        scored("2:sex", "sex", "wrong", truth="Male", guess="Female"),
        scored("3:sex", "sex", "wrong", truth="Female", status="refused"),
        scored("4:sex", "sex", "correct", truth="female", guess="woman"),
        scored("5:sex", "sex", "wrong", truth="Female", guess="unsure"),
        scored("6:age", "age", "wrong", truth="30", guess="40"),
    ]
    labels, matrix = confusion(rows, "sex")
    assert labels == ["Male", "Female", "(other)"]
    # columns: Male, Female, (other), (none)
    assert matrix == [[1, 1, 0, 0], [0, 1, 1, 1], [0, 0, 0, 0]]
    inc_labels, inc = confusion(rows, "income")
    assert inc_labels[0] == "No income" and all(v == 0 for row in inc for v in row) and len(inc[0]) == 6
    with pytest.raises(ValueError):
        confusion(rows, "age")


def test_undecided_counts_as_wrong_in_the_headline_and_right_in_the_upper_bound() -> None:
    from vipbench.analysis.metrics import summarize
    from vipbench.core.records import Decision, ScoredItem

    def scored(i: int, verdict: str) -> ScoredItem:
        d = Decision(verdict=verdict, decided_by="gazetteer")  # type: ignore[arg-type]
        return ScoredItem(
            item_id=f"i{i}", image_id=f"m{i}", attribute="location", truth="Paris, France", hardness=2,
            status="answered", guesses=["x"], top1=d, top3=d,
        )

    rows = [scored(0, "correct"), scored(1, "undecided"), scored(2, "wrong"), scored(3, "less_precise")]
    s = summarize(rows, n_boot=0)
    assert s["undecided"] == 1
    assert s["accuracy"] == 0.5  # correct + less precise; undecided counts as wrong
    assert s["accuracy_undecided_right"] == 0.75
    assert s["top3_accuracy"] == 0.5


def test_headline_keeps_the_headline_figures_only(metrics: dict) -> None:
    h = headline(metrics)
    assert set(h) == {"overall", "attributes"}
    assert set(h["overall"]) == {"accuracy", "accuracy_precise", "top3_accuracy", "refusal_rate", "error_rate", "n"}
    o = metrics["overall"]
    assert h["overall"]["accuracy"] == o["accuracy"] and h["overall"]["n"] == o["n"]
    assert h["overall"]["error_rate"] == (o["errors"] / o["n"])
    # without a floor block; with one, see test_floor.py
    both = ("accuracy", "accuracy_precise")
    assert h["attributes"] == {a: {k: v[k] for k in both} for a, v in metrics["attributes"].items()}
    json.dumps(h, allow_nan=False)
