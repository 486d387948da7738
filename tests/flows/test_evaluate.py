"""The evaluate flow: real `dvc repro` per run in a temporary repository copy, real MLflow."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from testkit.repo import run
from tests.flows import flow_repo
from vipbench.config import load_params
from vipbench.workspace import Workspace

pytestmark = pytest.mark.slow


def test_one_failing_run_does_not_lose_the_others(tmp_path: Path) -> None:
    from mlflow.tracking import MlflowClient
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (
        ArtifactFilter,
        ArtifactFilterKey,
        FlowRunFilter,
        FlowRunFilterId,
    )

    from flows.evaluate import RESULTS_KEY, EvaluationFailed, evaluate

    root = flow_repo(tmp_path)
    params_before = (root / "params.yaml").read_text()
    models = {
        "floor": {"kind": "majority"},
        # a local checkpoint that does not exist: `vipbench infer broken` crashes every time
        "broken": {"kind": "hf", "model": str(tmp_path / "no-such-checkpoint")},
    }
    state = evaluate(repo=str(root), models=models, retries=1, retry_delay_seconds=0, return_state=True)

    # the flow fails, at the end, and says which run
    assert state.is_failed()
    err = state.result(raise_on_failure=False)
    assert isinstance(err, EvaluationFailed), err
    result = err.result
    assert set(result["failed"]) == {"broken"}
    assert "infer@broken" in result["failed"]["broken"]

    # the other run is complete: metrics, MLflow run, report
    rid = result["mlflow_run_ids"]["floor"]
    assert rid
    mlrun = MlflowClient(tracking_uri=f"sqlite:///{root / 'mlflow.db'}").get_run(rid)
    assert mlrun.info.run_name == "floor"
    assert "overall.accuracy" in mlrun.data.metrics
    assert json.loads((root / "metrics" / "floor.json").read_text())["overall"]["n"] == 12
    summary = json.loads((root / "build" / "summary.json").read_text())
    assert "floor" in summary["runs"] and "broken" not in summary["runs"]
    assert result["report_error"] is None
    assert result["dataset"]["md5"]

    # params.yaml gained both runs, the rest is as it was
    text = (root / "params.yaml").read_text()
    assert text.startswith(params_before.split("models:")[0])
    assert "  floor:\n    kind: majority\n" in text and "  broken:\n    kind: hf\n" in text

    with get_client(sync_client=True) as client:
        # the results table artifact names both runs
        arts = client.read_artifacts(
            artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=[RESULTS_KEY]))
        )
        mine = [a for a in arts if a.flow_run_id == state.state_details.flow_run_id]
        assert len(mine) == 1
        rows = json.loads(mine[0].data) if isinstance(mine[0].data, str) else mine[0].data
        by_run = {r["run"]: r for r in rows}
        assert by_run["floor"]["status"] == "ok" and by_run["floor"]["mlflow_run_id"] == rid
        assert by_run["broken"]["status"] == "failed"

        # the crashing run was attempted twice (one retry), the good one once
        flow_run = FlowRunFilter(id=FlowRunFilterId(any_=[state.state_details.flow_run_id]))
        tasks = {
            t.name: t
            for t in client.read_task_runs(flow_run_filter=flow_run)
            if t.name.startswith("run-model")
        }
        counts = sorted(t.run_count for t in tasks.values())
        assert counts == [1, 2], {n: t.run_count for n, t in tasks.items()}

    # a second evaluation of the good run is a no-op for DVC and completes
    again = evaluate(repo=str(root), runs=["floor"])
    assert again["failed"] == {} and again["mlflow_run_ids"]["floor"] == rid
    assert again["timings"]["floor"]["ran"] == []
    assert "Running stage" not in run(["dvc", "status"], root).stdout


def test_run_stages_include_the_defense_matrix_cells_dvc_knows(tmp_path: Path) -> None:
    import yaml

    from flows.evaluate import run_stages

    root = flow_repo(
        tmp_path, {"majority": {"kind": "majority"}, "my-run.2": {"kind": "majority"}}, remote=False
    )
    p = yaml.safe_load((root / "params.yaml").read_text())
    p["defenses"] = {"strip": {"kind": "strip_metadata"}, "blur": {"kind": "blur_text"}}
    p["defense_eval"] = {"runs": ["my-run.2"], "defenses": ["strip", "blur"]}
    (root / "params.yaml").write_text(yaml.safe_dump(p, sort_keys=False))
    ws = Workspace(root, load_params(root / "params.yaml"))

    assert run_stages(ws, "majority") == ["infer@majority", "score@majority"]
    stages = run_stages(ws, "my-run.2")
    assert len(stages) == 6
    known = {
        line.split()[0] for line in run(["dvc", "stage", "list"], root).stdout.splitlines() if line.strip()
    }
    assert set(stages) <= known, set(stages) - known
