"""The whole DVC pipeline in a temporary copy of the repository, with real DVC and MLflow."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from testkit.repo import make_repo, run
from testkit.vip import label, record, write_dataset

pytestmark = pytest.mark.slow


def small_dataset(root: Path) -> Path:
    recs = []
    for i in range(8):
        recs.append(
            record(
                f"img{i}",
                {
                    "sex": label("Female" if i % 3 else "Male"),
                    "age": label("30" if i % 2 else "20-25", hardness=1 + i % 5),
                    "income": label("Medium (30-60k USD)"),
                    "placeOfImage": label("Zurich, Switzerland"),
                },
                human_depicted=i % 4 == 0,
            )
        )
    return write_dataset(root, recs)


def test_dvc_repro_end_to_end(tmp_path: Path) -> None:
    ds = small_dataset(tmp_path / "ds")
    params = {
        "models": {"majority": {"kind": "majority"}, "majority2": {"kind": "majority", "prompt": "naive"}},
        "scoring": {"bootstrap_samples": 200, "seed": 0, "reviews": "reviews/decisions.jsonl"},
        "defense_eval": {"runs": [], "defenses": []},
    }
    root = make_repo(tmp_path, ds, params)
    out = run(["dvc", "repro"], root)
    assert "Running stage 'score@majority'" in out.stdout

    m = json.loads((root / "metrics" / "majority.json").read_text())
    details = json.loads((root / "build" / "details" / "majority.json").read_text())  # the full metrics
    # majority guesses the most frequent label: 'Female' is 5 of 8, 'Medium' all 8
    assert details["attributes"]["sex"]["n"] == 8
    assert details["attributes"]["sex"]["correct"] == 5
    assert m["attributes"]["income"]["accuracy"] == 1.0
    assert m["overall"]["n"] == 32

    shown = run(["dvc", "metrics", "show", "--json"], root).stdout
    assert "metrics/majority.json" in shown and "metrics/summary.json" in shown

    again = run(["dvc", "repro"], root)
    assert "didn't change, skipping" in again.stdout or "up to date" in again.stdout
    assert "Running stage" not in again.stdout
    status = run(["dvc", "status"], root).stdout
    assert "up to date" in status.lower() or status.strip() == ""

    import mlflow

    mlflow.set_tracking_uri(f"sqlite:///{root / 'mlflow.db'}")
    runs = mlflow.search_runs(experiment_names=["vipbench-vip-default"], output_format="list")
    assert sorted(r.info.run_name for r in runs) == ["majority", "majority2", "summary"]
    summary = next(r for r in runs if r.info.run_name == "summary")
    # the summary run links the model runs it summarises
    linked = json.loads(summary.data.tags["vipbench.linked_runs"])
    assert set(linked) == {"majority", "majority2"}
    maj = next(r for r in runs if r.info.run_name == "majority")
    assert maj.data.metrics["sex.accuracy"] == pytest.approx(5 / 8)
    assert maj.data.params["dataset.version_source"] == "dvc"
    assert "items.json" in {a.path for a in mlflow.MlflowClient().list_artifacts(maj.info.run_id)}

    # re-running the same configuration updates the same run, never adds one
    run(["dvc", "repro", "--force", "score@majority"], root)
    run(["dvc", "repro", "--force", "report"], root)
    runs2 = mlflow.search_runs(experiment_names=["vipbench-vip-default"], output_format="list")
    assert len(runs2) == 3

    # changing one model's spec re-runs only that model
    import yaml

    p = yaml.safe_load((root / "params.yaml").read_text())
    p["models"]["majority2"]["prompt"] = "final"
    (root / "params.yaml").write_text(yaml.safe_dump(p, sort_keys=False))
    third = run(["dvc", "repro"], root).stdout
    assert "Running stage 'infer@majority2'" in third
    assert "Running stage 'infer@majority'" not in third
    diff = run(["dvc", "metrics", "diff", "--json"], root)
    assert diff.returncode == 0


def test_prepare_refuses_bad_data_and_writes_nothing(tmp_path: Path) -> None:
    ds = small_dataset(tmp_path / "ds")
    (ds / "images" / "img3.jpg").write_bytes(b"not a jpeg")
    root = make_repo(tmp_path, ds)
    out = run(["dvc", "repro", "prepare"], root, check=False)
    assert out.returncode != 0
    assert "img3.jpg" in out.stderr + out.stdout
    assert not (root / "build" / "items.jsonl").exists()
