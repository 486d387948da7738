"""The accuracy-versus-capability fit, checked against numpy and scipy computed here on fixed numbers."""

from __future__ import annotations

import json

import numpy as np
import pytest
from scipy import stats

from vipbench.analysis.regression import fit, fit_all, points_for
from vipbench.ops.mlflow_shape import summary_metrics

# Six made-up models: MMMU-like capability and an accuracy that grows with it, not exactly linearly.
X = [35.8, 47.9, 48.1, 56.8, 62.2, 69.1]
Y = [0.41, 0.52, 0.49, 0.63, 0.66, 0.74]
POINTS = [(f"m{i}", x, y) for i, (x, y) in enumerate(zip(X, Y, strict=True))]


def test_line_and_correlations_match_numpy_and_scipy() -> None:
    r = fit(POINTS, n_boot=0, column="mmmu_val")
    assert r["status"] == "ok" and r["n"] == 6 and r["column"] == "mmmu_val"

    slope, intercept = np.polyfit(X, Y, 1)
    assert r["slope"] == pytest.approx(slope, rel=1e-10)
    assert r["intercept"] == pytest.approx(intercept, rel=1e-10)

    pred = intercept + slope * np.array(X)
    ss_res = float(((np.array(Y) - pred) ** 2).sum())
    ss_tot = float(((np.array(Y) - np.mean(Y)) ** 2).sum())
    assert r["r2"] == pytest.approx(1 - ss_res / ss_tot, rel=1e-10)

    pr = stats.pearsonr(X, Y)
    sr = stats.spearmanr(X, Y)
    assert r["pearson_r"] == pytest.approx(pr.statistic, rel=1e-10)
    assert r["pearson_p"] == pytest.approx(pr.pvalue, rel=1e-10)
    assert r["spearman_rho"] == pytest.approx(sr.statistic, rel=1e-10)
    assert r["spearman_p"] == pytest.approx(sr.pvalue, rel=1e-10)
    # one-predictor least squares: R² is Pearson's r squared
    assert r["r2"] == pytest.approx(np.corrcoef(X, Y)[0, 1] ** 2, rel=1e-10)

    assert [p["fitted"] for p in r["points"]] == pytest.approx(list(pred))
    json.dumps(r)  # plain JSON, no numpy types or NaN


def test_projection_is_the_line_at_the_given_capability() -> None:
    slope, intercept = np.polyfit(X, Y, 1)
    r = fit(POINTS, project_at=75.0, n_boot=200, seed=3)
    proj = r["projection"]
    assert proj["at"] == 75.0
    assert proj["accuracy"] == pytest.approx(intercept + slope * 75.0)
    assert proj["unclipped"] == proj["accuracy"]
    assert proj["clipped"] is False
    assert proj["extrapolated"] is True  # 75 is beyond the strongest model (69.1)
    lo, hi = proj["ci"]
    assert 0.0 <= lo <= hi <= 1.0

    inside = fit(POINTS, project_at=50.0, n_boot=0)["projection"]
    assert inside["extrapolated"] is False and inside["ci"] is None
    assert fit(POINTS, n_boot=0)["projection"] is None


def test_projection_is_clipped_to_zero_and_one_and_says_so() -> None:
    slope, intercept = np.polyfit(X, Y, 1)
    high = fit(POINTS, project_at=200.0, n_boot=100)["projection"]
    assert high["unclipped"] == pytest.approx(intercept + slope * 200.0)
    assert high["unclipped"] > 1.0
    assert high["accuracy"] == 1.0 and high["clipped"] is True
    assert all(0.0 <= b <= 1.0 for b in high["ci"])

    low = fit(POINTS, project_at=-100.0, n_boot=0)["projection"]
    assert low["unclipped"] < 0.0 and low["accuracy"] == 0.0 and low["clipped"] is True


def test_fewer_than_three_scored_models_give_a_message_not_a_fit() -> None:
    pts = [("gpt-4o", 69.1, 0.7), ("llava-34b", 48.1, 0.5), ("majority", None, 0.3)]
    r = fit(pts, project_at=80, column="mmmu_val")
    assert r["status"] == "insufficient"
    assert (
        r["message"] == "need at least 3 models with a mmmu_val score, have 2: gpt-4o, llava-34b (left out: majority)"
    )
    assert "slope" not in r and r["missing"] == ["majority"]

    assert fit([], column="opencompass_avg8")["message"] == (
        "need at least 3 models with a opencompass_avg8 score, have 0"
    )
    # a NaN score or a missing accuracy does not count either
    r = fit([("a", float("nan"), 0.5), ("b", 50.0, None), ("c", 60.0, 0.6), ("d", 70.0, 0.7)])
    assert r["status"] == "insufficient" and r["n"] == 2 and r["missing"] == ["a", "b"]


def test_three_models_on_one_capability_value_cannot_define_a_line() -> None:
    r = fit([("a", 50.0, 0.4), ("b", 50.0, 0.5), ("c", 50.0, 0.6)], column="mmmu_val")
    assert r["status"] == "insufficient"
    assert "2 distinct mmmu_val values" in r["message"]


def test_equal_accuracies_leave_r2_and_correlations_undefined() -> None:
    r = fit([("a", 40.0, 0.5), ("b", 50.0, 0.5), ("c", 60.0, 0.5)], project_at=70.0, n_boot=50)
    assert r["status"] == "ok" and r["slope"] == pytest.approx(0.0) and r["intercept"] == pytest.approx(0.5)
    assert r["r2"] is None and r["pearson_r"] is None and r["spearman_rho"] is None
    assert r["projection"]["accuracy"] == pytest.approx(0.5)
    json.dumps(r)


def test_bootstrap_is_reproducible_under_the_seed() -> None:
    a = fit(POINTS, project_at=75.0, n_boot=500, seed=7)["bootstrap"]
    b = fit(POINTS, project_at=75.0, n_boot=500, seed=7)["bootstrap"]
    c = fit(POINTS, project_at=75.0, n_boot=500, seed=8)["bootstrap"]
    assert a == b
    assert a["slope_ci"] != c["slope_ci"]
    assert a["n_boot"] == 500 and 0 < a["n_used"] <= 500 and a["level"] == 0.95


def test_bootstrap_resamples_models_and_skips_degenerate_draws() -> None:
    """Recompute the intervals with a plain loop over the same draws, fitting each with numpy."""
    pts = POINTS[:3]  # with 3 models, about 1 draw in 9 picks one capability value only
    n_boot, seed = 400, 11
    r = fit(pts, project_at=70.0, n_boot=n_boot, seed=seed)

    x = np.array([p[1] for p in pts])
    y = np.array([p[2] for p in pts])
    draws = np.random.default_rng(seed).integers(0, 3, size=(n_boot, 3))
    slopes, preds = [], []
    for idx in draws:
        if len(set(x[idx])) < 2:
            continue
        s, i = np.polyfit(x[idx], y[idx], 1)
        slopes.append(s)
        preds.append(i + s * 70.0)
    assert r["bootstrap"]["n_used"] == len(slopes) < n_boot
    assert r["bootstrap"]["slope_ci"] == pytest.approx(list(np.quantile(slopes, [0.025, 0.975])))
    expected = np.clip(np.quantile(preds, [0.025, 0.975]), 0.0, 1.0)
    assert r["projection"]["ci"] == pytest.approx(list(expected))


def test_bootstrap_interval_covers_the_estimate_and_level_narrows_it() -> None:
    wide = fit(POINTS, n_boot=2000, seed=1, ci=0.95)
    narrow = fit(POINTS, n_boot=2000, seed=1, ci=0.5)
    lo, hi = wide["bootstrap"]["slope_ci"]
    assert lo <= wide["slope"] <= hi
    nlo, nhi = narrow["bootstrap"]["slope_ci"]
    assert lo <= nlo <= nhi <= hi


RUNS = {
    "gpt-4o": {
        "capability": {"mmmu_val": 69.1, "opencompass_avg8": 70.9},
        "accuracy": 0.74,
        "attributes": {"sex": 0.9, "age": 0.7},
    },
    "llava-34b": {"capability": {"mmmu_val": 48.1}, "accuracy": 0.49, "attributes": {"sex": 0.7, "age": 0.4}},
    "llava-7b": {"capability": {"mmmu_val": 35.8}, "accuracy": 0.41, "attributes": {"sex": 0.6}},
    "gemini": {"capability": {"mmmu_val": 47.9}, "accuracy": 0.52, "attributes": {"sex": 0.8, "age": 0.5}},
    "majority": {"capability": {}, "accuracy": 0.3, "attributes": {"sex": 0.5, "age": 0.2}},
}


def test_points_for_reads_overall_or_one_attribute() -> None:
    assert points_for(RUNS, "mmmu_val")[0] == ("gpt-4o", 69.1, 0.74)
    assert points_for(RUNS, "mmmu_val", "age")[2] == ("llava-7b", 35.8, None)
    assert points_for(RUNS, "mmmu_val")[-1] == ("majority", None, 0.3)
    labelled = {"run-1": {"label": "GPT-4o", "capability": {"mmmu_val": 1}, "accuracy": {"accuracy": 0.5}}}
    assert points_for(labelled, "mmmu_val") == [("GPT-4o", 1.0, 0.5)]


def test_fit_all_fits_overall_and_each_attribute() -> None:
    res = fit_all(RUNS, "mmmu_val", project_at=80.0, n_boot=200, seed=0)
    assert res["column"] == "mmmu_val" and res["project_at"] == 80.0
    assert list(res["attributes"]) == ["sex", "age"]

    overall = res["overall"]
    assert overall["n"] == 4 and overall["missing"] == ["majority"]
    xs, ys = [69.1, 48.1, 35.8, 47.9], [0.74, 0.49, 0.41, 0.52]
    assert overall["slope"] == pytest.approx(np.polyfit(xs, ys, 1)[0])

    age = res["attributes"]["age"]
    assert age["n"] == 3 and sorted(age["missing"]) == ["llava-7b", "majority"]
    assert age["slope"] == pytest.approx(np.polyfit([69.1, 48.1, 47.9], [0.7, 0.4, 0.5], 1)[0])

    only_gpt = fit_all(RUNS, "opencompass_avg8", attributes=["sex"])
    assert only_gpt["overall"]["status"] == "insufficient"
    assert only_gpt["overall"]["message"].startswith("need at least 3 models with a opencompass_avg8 score, have 1")
    assert list(only_gpt["attributes"]) == ["sex"]
    json.dumps(res)


def test_the_summary_run_logs_each_fit_as_numbers_named_by_scope() -> None:
    res = fit_all(RUNS, "mmmu_val", project_at=80.0, n_boot=200, seed=0)
    m = summary_metrics({"final": res}, runs=4)
    assert m["summary.runs"] == 4.0
    assert m["capability_fit.final.overall.slope"] == res["overall"]["slope"]
    assert m["capability_fit.final.overall.n"] == 4.0
    assert m["capability_fit.final.age.projected_accuracy"] == res["attributes"]["age"]["projection"]["accuracy"]
    assert m["capability_fit.final.overall.slope_ci_low"] <= m["capability_fit.final.overall.slope_ci_high"]
    assert all(isinstance(v, float) for v in m.values())

    thin = summary_metrics({"final": fit_all(RUNS, "opencompass_avg8")}, runs=1)
    assert thin == {"summary.runs": 1.0, "capability_fit.final.overall.n": 1.0}
