"""Defenses end to end on the bundled generator's data: 2 defenses x 2 runs through `dvc repro`,
and the OCR adversary against majority and against blur_text with a paired test."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from testkit.repo import make_repo, run
from vipbench.dataset.synthetic.generator import generate

pytestmark = pytest.mark.slow

TEXT_CUE_ATTRIBUTES = ("occupation", "educationLevel", "income", "age")


def test_two_defenses_on_two_runs_through_dvc(tmp_path: Path) -> None:
    data = generate(tmp_path / "synth", n_images=12, seed=3)
    params = {
        "models": {"majority": {"kind": "majority"}, "exif": {"kind": "exif"}},
        "defenses": {"strip_metadata": {"kind": "strip_metadata"}, "half": {"kind": "downscale", "factor": 2}},
        "defense_eval": {"runs": ["majority", "exif"], "defenses": ["strip_metadata", "half"]},
        "scoring": {"bootstrap_samples": 100, "seed": 0, "reviews": "reviews/decisions.jsonl"},
    }
    root = make_repo(tmp_path, data, params)
    out = run(["dvc", "repro"], root)
    assert "Running stage 'score_defended@exif-strip_metadata'" in out.stdout

    summary = json.loads((root / "build" / "summary.json").read_text())  # the full summary
    rows = summary["defenses"]["rows"]
    cells = {(r["run"], r["defense"]) for r in rows}
    assert cells == {(r, d) for r in ("majority", "exif") for d in ("strip_metadata", "half")}
    overall = {(r["run"], r["defense"]): r for r in rows if r["attribute"] == "overall"}
    # strip_metadata keeps every pixel; downscaling does not
    assert overall[("exif", "strip_metadata")]["ssim"] == pytest.approx(1.0)
    assert overall[("exif", "half")]["ssim"] < 1.0
    # majority never looks at images: no defense changes it
    assert overall[("majority", "half")]["drop"] == 0.0
    # exif reads GPS; stripping metadata removes everything it found
    exif = json.loads((root / "build" / "details" / "exif.json").read_text())
    stripped = json.loads((root / "build" / "details" / "exif+strip_metadata.json").read_text())
    assert exif["attributes"]["placeOfImage"]["answered"] >= 1
    assert stripped["overall"]["answered"] == 0
    assert (root / "figures" / "privacy_vs_utility_exif.png").stat().st_size > 1000
    assert "## Defenses: privacy against utility" in (root / "metrics" / "report.md").read_text()

    import mlflow

    mlflow.set_tracking_uri(f"sqlite:///{root / 'mlflow.db'}")
    names = sorted(
        r.info.run_name for r in mlflow.search_runs(experiment_names=["vipbench-vip-default"], output_format="list")
    )
    assert names == sorted(
        ["majority", "exif", "majority+strip_metadata", "majority+half", "exif+strip_metadata", "exif+half", "summary"]
    )


def test_ocr_beats_majority_and_blur_text_removes_it(tmp_path: Path) -> None:
    from vipbench.analysis.metrics import compare_runs, run_metrics
    from vipbench.pipeline.defend import defend
    from vipbench.pipeline.infer import infer
    from vipbench.pipeline.prepare import prepare
    from vipbench.pipeline.score import score
    from vipbench.readers import read_scores
    from vipbench.workspace import Workspace

    generate(tmp_path / "data", n_images=16, seed=0)
    params = yaml.safe_load((Path(__file__).resolve().parents[2] / "params.yaml").read_text())
    params["models"] = {"majority": {"kind": "majority"}, "ocr": {"kind": "ocr"}}
    params["defenses"] = {"blur_text": {"kind": "blur_text"}}
    params["defense_eval"] = {"runs": ["ocr"], "defenses": ["blur_text"]}
    params["scoring"]["bootstrap_samples"] = 100
    (tmp_path / "params.yaml").write_text(yaml.safe_dump(params))
    ws = Workspace.load(tmp_path)
    prepare(ws)
    defend(ws, "blur_text")
    for r in ("majority", "ocr", "ocr+blur_text"):
        infer(ws, r)
        score(ws, r)
    attrs = list(TEXT_CUE_ATTRIBUTES)
    maj = run_metrics(read_scores(ws, "majority"), attrs, n_boot=0)
    ocr = run_metrics(read_scores(ws, "ocr"), attrs, n_boot=0)
    assert ocr["overall"]["accuracy"] >= maj["overall"]["accuracy"] + 0.3
    cmp = compare_runs(read_scores(ws, "ocr"), read_scores(ws, "ocr+blur_text"), attrs)
    assert cmp["overall"]["delta"] < -0.3
    assert cmp["overall"]["p_value"] < 0.01
