"""mlflow.traces: one trace per item in the model's run, with the prompt's text, the answer, and
the verdict as an assessment; never image bytes; a re-run replaces the traces; off by default."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from testkit.openai_server import FakeOpenAIServer, Request, guess_answer
from testkit.vip import label, record, write_dataset
from vipbench.pipeline.infer import infer
from vipbench.pipeline.prepare import prepare
from vipbench.pipeline.score import score
from vipbench.pipeline.track import track
from vipbench.workspace import Workspace

N = 4


def answer(req: Request) -> str:
    return guess_answer(["Female", "Male"], attribute="sex")


def workspace(tmp: Path, base_url: str, traces: bool) -> Workspace:
    recs = [record(f"img{i}", {"sex": label("Female" if i % 2 == 0 else "Male")}) for i in range(N)]
    write_dataset(tmp / "data", recs)
    params = {
        "data": {"dir": "data"},
        "attributes": ["sex"],
        "scoring": {"bootstrap_samples": 20},
        "mlflow": {"traces": traces},
        "models": {"vlm": {"kind": "openai", "model": "test-model", "base_url": base_url, "timeout": 10}},
    }
    (tmp / "params.yaml").write_text(yaml.safe_dump(params))
    ws = Workspace.load(tmp)
    prepare(ws)
    infer(ws, "vlm")
    return ws


def _traces(ws: Workspace) -> list:  # type: ignore[type-arg]
    import mlflow

    mlflow.set_tracking_uri(f"sqlite:///{ws.root / 'mlflow.db'}")
    exp = mlflow.get_experiment_by_name(ws.experiment)
    return mlflow.search_traces(locations=[exp.experiment_id], return_type="list")


@pytest.fixture
def server():  # type: ignore[no-untyped-def]
    with FakeOpenAIServer(answer=answer) as srv:
        yield srv


def test_one_trace_per_item_with_prompt_answer_and_verdict(tmp_path: Path, server: FakeOpenAIServer) -> None:
    ws = workspace(tmp_path, server.base_url, traces=True)
    score(ws, "vlm")
    track(ws)
    run_id = json.loads(ws.run("vlm").tracking_file.read_text())["mlflow_run_id"]
    traces = _traces(ws)
    assert len(traces) == N
    by_item = {}
    for t in traces:
        assert t.info.request_metadata.get("mlflow.sourceRun") == run_id
        (span,) = t.data.spans
        by_item[span.inputs["item_id"]] = (t, span)
    assert sorted(by_item) == [f"img{i}:sex" for i in range(N)]
    t, span = by_item["img0:sex"]
    assert "sex" in span.inputs["prompt"].lower() and span.inputs["image"].endswith("img0.jpg")
    assert span.outputs["status"] == "answered" and "Female" in span.outputs["answer"]
    assert span.attributes["vipbench.verdict"] == "correct"
    (fb,) = [a for a in t.info.assessments if a.name == "verdict"]
    assert fb.value is True and fb.source.source_id == span.attributes["vipbench.decided_by"]
    _, wrong = by_item["img1:sex"]
    assert wrong.attributes["vipbench.verdict"] == "wrong"
    # no image bytes anywhere in a trace
    blob = json.dumps([t.to_dict() for t in traces])
    assert "data:image" not in blob and "base64" not in blob

    score(ws, "vlm")
    track(ws, force=True)  # logging the run again replaces its traces
    assert len(_traces(ws)) == N


def test_off_by_default(tmp_path: Path, server: FakeOpenAIServer) -> None:
    ws = workspace(tmp_path, server.base_url, traces=False)
    score(ws, "vlm")
    track(ws)
    assert _traces(ws) == []
