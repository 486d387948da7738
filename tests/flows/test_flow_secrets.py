"""Secrets in Prefect: after an `evaluate` flow that used a real (fake) API key, no artifact and no
flow-run log holds it.

tests/reliability/test_secrets.py checks MLflow, DVC outputs, the caches and the captured output;
this checks what the flow publishes to Prefect: the table and markdown artifacts of the flow run
and its subflows, and every log line Prefect stored for them.
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

from testkit.openai_server import FakeOpenAIServer, Reply, Request, guess_answer
from tests.flows import flow_repo

pytestmark = pytest.mark.slow

CANARY = "sk-vipbench-PREFECT-canary-9876"
KEY_ENV = "VIPBENCH_PREFECT_CANARY_KEY"


def answer(req: Request) -> str | Reply:
    # only the canary key is accepted: a run that answers proves the key was really sent
    if req.headers.get("authorization") != f"Bearer {CANARY}":
        return Reply(status=401, error_code="invalid_api_key")
    if "placeOfImage" in req.text or "location" in req.text.lower():
        return guess_answer(["Zurich, Switzerland", "Bern, Switzerland"], attribute="placeOfImage")
    return guess_answer(["Female", "Male"], attribute="sex")


def forms(secret: str) -> list[str]:
    """The key as text could hold it: plain, and base64 (alone, or in a Basic auth header)."""
    raw = secret.encode()
    return [secret, base64.b64encode(raw).decode()[:-4], base64.b64encode(b"x:" + raw).decode()[4:-4]]


def test_no_key_in_prefect_artifacts_or_logs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (
        ArtifactFilter,
        ArtifactFilterFlowRunId,
        FlowRunFilter,
        FlowRunFilterParentFlowRunId,
        LogFilter,
        LogFilterFlowRunId,
    )
    from prefect.logging.handlers import APILogWorker

    from flows.evaluate import REPORT_KEY, RESULTS_KEY, evaluate

    monkeypatch.setenv(KEY_ENV, CANARY)
    with FakeOpenAIServer(answer=answer) as srv:
        root = flow_repo(tmp_path)
        models = {
            "vlm-canary": {
                "kind": "openai",
                "model": "canary-model",
                "base_url": srv.base_url,
                "api_key_env": KEY_ENV,
                "max_concurrency": 4,
                "timeout": 10,
                "max_retries": 1,
            }
        }
        state = evaluate(repo=str(root), models=models, retries=0, retry_delay_seconds=0, return_state=True)
        assert state.is_completed(), state
        result: dict[str, Any] = state.result()
        assert result["failed"] == {} and result["mlflow_run_ids"]["vlm-canary"]
        reqs = srv.snapshot()

    # the key was really used: every request carried it, and every request was answered
    assert reqs, "the model was never asked"
    assert {r.headers.get("authorization") for r in reqs} == {f"Bearer {CANARY}"}
    assert {r.outcome for r in reqs} == {"ok"}

    APILogWorker.drain_all(timeout=10)  # logs go to the server in the background
    flow_run_id = state.state_details.flow_run_id
    assert flow_run_id is not None
    with get_client(sync_client=True) as client:
        subflows = client.read_flow_runs(
            flow_run_filter=FlowRunFilter(parent_flow_run_id=FlowRunFilterParentFlowRunId(any_=[flow_run_id]))
        )
        run_ids: list[UUID] = [flow_run_id, *(f.id for f in subflows)]
        artifacts = client.read_artifacts(
            artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=run_ids))
        )
        logs = client.read_logs(log_filter=LogFilter(flow_run_id=LogFilterFlowRunId(any_=run_ids)))

    # not vacuous: the results table names the run, the report is there, the logs are the flow's
    by_key = {a.key: a for a in artifacts}
    assert {RESULTS_KEY, REPORT_KEY} <= set(by_key), sorted(map(str, by_key))
    assert "vlm-canary" in str(by_key[RESULTS_KEY].data)
    assert logs and any("infer@vlm-canary" in log.message for log in logs), [log.message for log in logs][:20]

    texts = {f"artifact {a.key or a.id}": a.model_dump_json() for a in artifacts}
    texts.update({f"log {log.id}": log.model_dump_json() for log in logs})
    for what, text in texts.items():
        for form in forms(CANARY):
            assert form not in text, f"{what} holds the API key ({form!r})"
