"""The human review loop end to end: verdicts land in the reviews file and change the scores."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from typer.testing import CliRunner

from testkit.vip import label, record, write_dataset
from vipbench.cli import app
from vipbench.pipeline.infer import infer
from vipbench.pipeline.prepare import prepare
from vipbench.pipeline.score import score
from vipbench.pipeline.track import track
from vipbench.review.store import agreement, read_reviews
from vipbench.workspace import Workspace


def workspace(tmp_path: Path) -> Workspace:
    recs = [record(f"i{i}", {"sex": label("Female" if i < 3 else "Male")}) for i in range(5)]
    write_dataset(tmp_path / "data", recs)
    params = {"data": {"dir": "data"}, "attributes": ["sex"], "scoring": {"bootstrap_samples": 50},
              "models": {"majority": {"kind": "majority"}}}
    (tmp_path / "params.yaml").write_text(yaml.safe_dump(params))
    ws = Workspace.load(tmp_path)
    prepare(ws)
    infer(ws, "majority")
    return ws


def test_review_overrides_judge_and_reports_agreement(tmp_path: Path) -> None:
    ws = workspace(tmp_path)
    before = score(ws, "majority")
    assert before["attributes"]["sex"]["correct"] == 3  # majority says Female; 2 Male items are wrong

    # review only wrong verdicts: call the first one correct, skip the second
    res = CliRunner().invoke(app, ["review", "majority", "--repo", str(tmp_path), "--verdict", "wrong",
                                   "--reviewer", "ana"], input="x\nc\ns\n")
    assert res.exit_code == 0, res.output
    assert "2 decision(s) to review" in res.output
    assert "truth     Male" in res.output and "guess     Female" in res.output
    assert "please answer" in res.output  # 'x' was not accepted
    reviews = read_reviews(ws.reviews_file)
    assert [(r.verdict, r.judge_verdict, r.reviewer) for r in reviews] == [("correct", "wrong", "ana")]

    after = score(ws, "majority")
    assert after["attributes"]["sex"]["correct"] == 4
    scored = [json.loads(line) for line in ws.scores_file("majority").read_text().splitlines()]
    assert sum(s["top1"]["decided_by"] == "human" for s in scored) == 1
    assert after["review_agreement"] == {"n": 1, "accuracy": 0.0, "kappa": 0.0}

    # the reviewed item is not offered again
    res2 = CliRunner().invoke(app, ["review", "majority", "--repo", str(tmp_path), "--verdict", "wrong"], input="q\n")
    assert "1 decision(s) to review" in res2.output


def test_agreement_kappa_matches_sklearn() -> None:
    from sklearn.metrics import cohen_kappa_score

    from vipbench.review.store import ReviewDecision

    pairs = [("wrong", "wrong"), ("wrong", "correct"), ("less_precise", "less_precise"), ("correct", "correct")]
    revs = [ReviewDecision(item_id=str(i), guess="g", verdict=h, judge_verdict=j) for i, (j, h) in enumerate(pairs)]
    a = agreement(revs)
    assert a["n"] == 4 and a["accuracy"] == 0.75
    assert a["kappa"] == cohen_kappa_score([j for j, _ in pairs], [h for _, h in pairs])


def test_images_reach_mlflow_only_when_opted_in(tmp_path: Path) -> None:
    import mlflow
    import yaml as _yaml

    ws = workspace(tmp_path)
    score(ws, "majority")
    track(ws)
    mlflow.set_tracking_uri(f"sqlite:///{tmp_path / 'mlflow.db'}")
    client = mlflow.MlflowClient()
    (run,) = mlflow.search_runs(experiment_names=[ws.experiment], output_format="list")
    assert "images" not in {a.path for a in client.list_artifacts(run.info.run_id)}

    p = _yaml.safe_load((tmp_path / "params.yaml").read_text())
    p["mlflow"] = {"log_images": True}
    (tmp_path / "params.yaml").write_text(_yaml.safe_dump(p))
    ws2 = Workspace.load(tmp_path)
    score(ws2, "majority")
    track(ws2)
    (run,) = mlflow.search_runs(experiment_names=[ws2.experiment], output_format="list")
    logged = {a.path for a in client.list_artifacts(run.info.run_id, "images")}
    assert logged == {f"images/i{i}.jpg" for i in range(5)}


def test_tracking_does_not_export_its_uri(tmp_path: Path) -> None:
    import os

    ws = workspace(tmp_path)
    score(ws, "majority")
    track(ws)
    assert "MLFLOW_TRACKING_URI" not in os.environ  # child processes and other repos are unaffected


def test_review_without_terminal_explains_and_exits_2(tmp_path: Path) -> None:
    ws = workspace(tmp_path)
    score(ws, "majority")
    # one verdict, then the input ends: no terminal is left to ask
    res = CliRunner().invoke(app, ["review", "majority", "--repo", str(tmp_path), "--verdict", "wrong"], input="c\n")
    assert res.exit_code == 2
    assert "needs a terminal" in res.output
    assert "Aborted" not in res.output
    assert len(read_reviews(ws.reviews_file)) == 1  # the verdict given before the input ended is kept
