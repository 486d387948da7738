"""pipeline.track: a scored run's MLflow record, logged once for each version of its results.

The score stage writes files only; `track` logs the run, skips it when MLflow holds the same
results, logs it again (into the same run) when they changed, and redoes a logging that was cut off.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from testkit.vip import label, record, write_dataset
from vipbench.cli import app
from vipbench.core.errors import VipbenchError
from vipbench.ops.tags import Tag
from vipbench.pipeline.infer import infer
from vipbench.pipeline.prepare import prepare
from vipbench.pipeline.score import score
from vipbench.pipeline.track import track, trackable
from vipbench.review.store import ReviewDecision, append_review
from vipbench.workspace import Workspace


def workspace(tmp_path: Path) -> Workspace:
    recs = [record(f"i{i}", {"sex": label("Female" if i < 3 else "Male")}) for i in range(5)]
    write_dataset(tmp_path / "data", recs)
    params = {
        "data": {"dir": "data"},
        "attributes": ["sex"],
        "scoring": {"bootstrap_samples": 50},
        "models": {"majority": {"kind": "majority"}, "never": {"kind": "majority"}},
    }
    (tmp_path / "params.yaml").write_text(yaml.safe_dump(params))
    ws = Workspace.load(tmp_path)
    prepare(ws)
    infer(ws, "majority")
    score(ws, "majority")
    return ws


def runs(ws: Workspace) -> list:  # type: ignore[type-arg]
    import mlflow

    mlflow.set_tracking_uri(f"sqlite:///{ws.root / 'mlflow.db'}")
    return mlflow.search_runs(experiment_names=[ws.experiment], output_format="list")


def history(ws: Workspace, run_id: str) -> int:
    import mlflow

    return len(mlflow.MlflowClient(f"sqlite:///{ws.root / 'mlflow.db'}").get_metric_history(run_id, "sex.accuracy"))


def test_scoring_never_touches_mlflow(tmp_path: Path) -> None:
    ws = workspace(tmp_path)
    assert not (tmp_path / "mlflow.db").exists() and not ws.run("majority").tracking_file.exists()
    # ...nor imports it: the score command's process stays free of MLflow's ~2 s import
    code = "import sys; from vipbench.cli import app; app(); "
    probe = (
        "import atexit, sys; atexit.register(lambda: print('mlflow' in sys.modules, file=sys.stderr)); "
        "sys.argv = ['vipbench', 'score', 'majority', '--repo', sys.argv[1]]; "
    )
    p = subprocess.run([sys.executable, "-c", probe + code, str(tmp_path)], capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    assert p.stderr.strip().splitlines()[-1] == "False"


def test_track_logs_once_per_version_of_the_results(tmp_path: Path) -> None:
    ws = workspace(tmp_path)
    assert trackable(ws) == ["majority"]  # `never` has no scores
    ids = track(ws)
    (run,) = runs(ws)
    assert ids == {"majority": run.info.run_id} and run.info.run_name == "majority"
    assert run.data.metrics["sex.accuracy"] == pytest.approx(3 / 5)
    assert run.data.tags[Tag.OUTPUTS] and history(ws, run.info.run_id) == 1

    # scored again with the same results: MLflow holds them, nothing is logged again
    score(ws, "majority")
    assert track(ws) == ids and history(ws, run.info.run_id) == 1
    assert ws.run("majority").tracking_file.is_file()

    # a human verdict changes the results: logged again, into the same run
    item = next(s for s in ws_scores(ws) if s["top1"]["verdict"] == "wrong")
    append_review(ws.reviews_file, ReviewDecision(item_id=item["item_id"], guess=item["guess"], verdict="correct"))
    score(ws, "majority")
    assert track(ws) == ids and history(ws, run.info.run_id) == 2
    (again,) = runs(ws)
    assert again.data.metrics["sex.accuracy"] == pytest.approx(4 / 5)
    assert again.data.tags[Tag.OUTPUTS] != run.data.tags[Tag.OUTPUTS]


def ws_scores(ws: Workspace) -> list[dict]:  # type: ignore[type-arg]
    import json

    return [json.loads(ln) for ln in ws.scores_file("majority").read_text().splitlines()]


def test_a_logging_cut_off_is_done_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import mlflow

    ws = workspace(tmp_path)

    def die(*a: object, **k: object) -> None:
        raise KeyboardInterrupt("killed while logging the items table")

    with monkeypatch.context() as patched, pytest.raises(KeyboardInterrupt):
        patched.setattr(mlflow, "log_table", die)
        track(ws)
    (cut,) = runs(ws)
    assert Tag.OUTPUTS not in cut.data.tags  # tagged last, so the cut-off run never looks complete
    ids = track(ws)
    (done,) = runs(ws)
    assert ids == {"majority": cut.info.run_id} == {"majority": done.info.run_id}
    assert done.data.tags[Tag.OUTPUTS]
    assert "items.json" in {a.path for a in mlflow.MlflowClient().list_artifacts(done.info.run_id)}


def test_a_run_without_results_is_a_clear_error(tmp_path: Path) -> None:
    ws = workspace(tmp_path)
    with pytest.raises(VipbenchError, match="never: nothing to log to MLflow: not scored"):
        track(ws, ["majority", "never"])
    assert not (tmp_path / "mlflow.db").exists()  # checked before anything is logged
    res = CliRunner().invoke(app, ["track", "never", "--repo", str(tmp_path)])
    assert res.exit_code == 2 and "not scored" in res.output
    res = CliRunner().invoke(app, ["track", "--repo", str(tmp_path)])
    assert res.exit_code == 0 and "majority: MLflow run " in res.output
