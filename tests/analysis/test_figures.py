"""Report figures: PNGs are written and readable, DVC rows have the agreed fields, and DVC renders them."""

from __future__ import annotations

import importlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from vipbench.analysis.figures import (
    BY_MODEL_FILE,
    VS_CAPABILITY_FILE,
    accuracy_by_model_png,
    accuracy_by_model_rows,
    accuracy_vs_capability_png,
    accuracy_vs_capability_rows,
    dvc_plot_rows,
    run_accuracy,
)
from vipbench.analysis.regression import fit, fit_all, points_for

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


def test_accuracy_by_model_rows() -> None:
    rows = accuracy_by_model_rows(SUMMARY_RUNS, ["overall", "sex", "income"])
    assert rows[0] == {
        "model": "gpt-4o",
        "attribute": "overall",
        "accuracy": 0.74,
        "label": "overall / gpt-4o",
        "ci_low": 0.68,
        "ci_high": 0.8,
    }
    assert {"model": "llava-7b", "attribute": "sex", "accuracy": 0.6, "label": "sex / llava-7b"} in rows
    assert not any(r["attribute"] == "income" for r in rows)  # None accuracy: no bar
    assert len(rows) == 8
    assert len({r["label"] for r in rows}) == len(rows)  # one bar per label in bar_horizontal


def test_accuracy_vs_capability_rows() -> None:
    pts = points_for(SUMMARY_RUNS, "mmmu_val")
    f = fit(pts, project_at=80.0, n_boot=0)
    rows = accuracy_vs_capability_rows(pts, f)
    assert [r["model"] for r in rows] == ["gpt-4o", "llava-34b", "llava-7b", "projection @ 80"]
    for r in rows[:3]:
        assert set(r) == {"model", "capability", "accuracy", "fit"}
        assert r["fit"] == pytest.approx(f["intercept"] + f["slope"] * r["capability"])
    assert rows[-1] == {
        "model": "projection @ 80",
        "capability": 80.0,
        "accuracy": None,
        "fit": f["projection"]["accuracy"],
    }

    few = accuracy_vs_capability_rows(pts[:2], fit(pts[:2]))
    assert [r["fit"] for r in few] == [None, None]


def test_dvc_plot_rows_names_both_files() -> None:
    pts = points_for(SUMMARY_RUNS, "mmmu_val")
    rows = dvc_plot_rows(SUMMARY_RUNS, ["overall", "sex"], pts, fit(pts))
    assert (
        set(rows)
        == {BY_MODEL_FILE, VS_CAPABILITY_FILE}
        == {
            "accuracy_by_model.json",
            "accuracy_vs_capability.json",
        }
    )
    json.dumps(rows)


DVC_YAML = """\
plots:
  - plots/accuracy_by_model.json:
      template: bar_horizontal
      x: accuracy
      y: label
      title: Accuracy by attribute and model
  - accuracy_vs_capability:
      template: scatter
      x: capability
      y:
        plots/accuracy_vs_capability.json: [accuracy, fit]
      title: Accuracy against capability
"""


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_dvc_plots_show_renders_the_rows(tmp_path: Path) -> None:
    """The plots config given to the pipeline works with real DVC on these rows."""
    importlib.import_module("dvc")

    def sh(*args: str) -> None:
        subprocess.run(args, cwd=tmp_path, check=True, capture_output=True, text=True, timeout=300)

    sh("git", "init", "-q")
    sh(sys.executable, "-m", "dvc", "init", "-q")
    res = fit_all(SUMMARY_RUNS, "mmmu_val", project_at=85.0, n_boot=100, seed=0)
    rows = dvc_plot_rows(SUMMARY_RUNS, ["overall", "sex", "age"], points_for(SUMMARY_RUNS, "mmmu_val"), res["overall"])
    (tmp_path / "plots").mkdir()
    for name, data in rows.items():
        (tmp_path / "plots" / name).write_text(json.dumps(data), encoding="utf-8")
    (tmp_path / "dvc.yaml").write_text(DVC_YAML, encoding="utf-8")
    sh(sys.executable, "-m", "dvc", "plots", "show", "-o", "out")
    html = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert '"label": "sex / llava-34b"' in html
    assert '"field": "fit"' in html and '"model": "projection @ 85"' in html
