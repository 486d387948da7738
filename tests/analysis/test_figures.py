"""Report figures: the matplotlib PNGs are written and readable."""

from __future__ import annotations

from pathlib import Path

from PIL import Image

from vipbench.analysis.figures import accuracy_by_model_png, accuracy_vs_capability_png, run_accuracy
from vipbench.analysis.regression import fit, points_for

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"

# metrics/summary.json shape
SUMMARY_RUNS = {
    "gpt-4o": {
        "capability": {"mmmu_val": 69.1},
        "accuracy": 0.74,
        "accuracy_ci": [0.68, 0.8],
        "attributes": {"sex": 0.9, "age": 0.7, "income": None},
    },
    "llava-34b": {
        "capability": {"mmmu_val": 48.1},
        "accuracy": 0.49,
        "accuracy_ci": [0.42, 0.56],
        "attributes": {"sex": 0.7, "age": 0.4},
    },
    "llava-7b": {"capability": {"mmmu_val": 35.8}, "accuracy": 0.41, "attributes": {"sex": 0.6, "age": 0.3}},
    "majority": {"capability": {}, "accuracy": 0.3, "attributes": {"sex": 0.5, "age": 0.2}},
}

# vipbench.analysis.metrics.run_metrics shape
METRICS_RUN = {
    "overall": {"accuracy": 0.6, "accuracy_ci_low": 0.5, "accuracy_ci_high": 0.7},
    "attributes": {"sex": {"accuracy": 0.8, "accuracy_ci_low": 0.7, "accuracy_ci_high": 0.9}},
}


def _assert_png(path: Path) -> None:
    assert path.is_file() and path.stat().st_size > 1000
    assert path.read_bytes()[:8] == PNG_MAGIC
    with Image.open(path) as im:
        im.verify()
    with Image.open(path) as im:
        assert im.format == "PNG" and im.size[0] > 300 and im.size[1] > 200


def test_run_accuracy_reads_both_metric_shapes() -> None:
    assert run_accuracy(SUMMARY_RUNS["gpt-4o"], "overall") == (0.74, 0.68, 0.8)
    assert run_accuracy(SUMMARY_RUNS["gpt-4o"], "sex") == (0.9, None, None)
    assert run_accuracy(SUMMARY_RUNS["gpt-4o"], "income") == (None, None, None)
    assert run_accuracy(SUMMARY_RUNS["gpt-4o"], "location") == (None, None, None)
    assert run_accuracy(METRICS_RUN, "overall") == (0.6, 0.5, 0.7)
    assert run_accuracy(METRICS_RUN, "sex") == (0.8, 0.7, 0.9)
    with_ci = {"attributes": {"age": 0.5}, "attributes_ci": {"age": [0.4, 0.6]}}
    assert run_accuracy(with_ci, "age") == (0.5, 0.4, 0.6)


def test_accuracy_by_model_png(tmp_path: Path) -> None:
    out = accuracy_by_model_png(SUMMARY_RUNS, ["overall", "sex", "age", "income"], tmp_path / "sub" / "bars.png")
    _assert_png(out)
    _assert_png(accuracy_by_model_png({"m": METRICS_RUN}, ["overall", "sex"], tmp_path / "one.png"))
    _assert_png(accuracy_by_model_png({}, ["sex"], tmp_path / "empty.png"))


def test_accuracy_vs_capability_png(tmp_path: Path) -> None:
    pts = points_for(SUMMARY_RUNS, "mmmu_val")
    f = fit(pts, project_at=90.0, n_boot=200, seed=0, column="mmmu_val")
    assert f["projection"]["extrapolated"]
    _assert_png(accuracy_vs_capability_png(pts, f, tmp_path / "scatter.png"))
    # a projection inside the data range, and a clipped one
    _assert_png(accuracy_vs_capability_png(pts, fit(pts, project_at=50.0), tmp_path / "inside.png"))
    _assert_png(accuracy_vs_capability_png(pts, fit(pts, project_at=500.0), tmp_path / "clipped.png"))


def test_insufficient_fit_still_draws_the_points_and_the_message(tmp_path: Path) -> None:
    pts = points_for(SUMMARY_RUNS, "mmmu_val")[:2]
    f = fit(pts, column="mmmu_val")
    assert f["status"] == "insufficient"
    _assert_png(accuracy_vs_capability_png(pts, f, tmp_path / "few.png"))
    _assert_png(accuracy_vs_capability_png([], None, tmp_path / "none.png"))
