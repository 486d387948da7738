"""The evaluate flow and cost: a dry run that estimates and sends nothing, and a budget for the
whole evaluation that stops the run crossing it (not retried) and starts no run after it."""

from __future__ import annotations

from pathlib import Path

import pytest

from testkit.openai_server import FakeOpenAIServer, Request, guess_answer
from tests.flows import flow_repo

pytestmark = pytest.mark.slow


def answer(req: Request) -> str:
    return guess_answer(["Female", "Male"], attribute="sex")


def paid(base_url: str, model: str) -> dict[str, object]:
    # about $0.0285 a request (185 input tokens at $100/M, ~10 output tokens at $1000/M)
    return {
        "kind": "openai",
        "model": model,
        "base_url": base_url,
        "max_concurrency": 1,
        "max_tokens": 20,
        "price_input_per_mtok": 100.0,
        "price_output_per_mtok": 1000.0,
    }


def test_dry_run_estimates_and_runs_nothing(tmp_path: Path) -> None:
    from flows.evaluate import evaluate

    with FakeOpenAIServer(answer) as srv:
        root = flow_repo(tmp_path, remote=False)
        out = evaluate(repo=str(root), models={"a": paid(srv.base_url, "a")}, dry_run=True, push=False)
        assert srv.count() == 0
    (row,) = out["estimate"]
    assert row["run"] == "a" and row["requests"] == row["items"] == 12 and row["cost_usd"] > 0
    assert not (root / "build" / "responses").exists()


def test_the_evaluation_budget_stops_the_run_that_would_cross_it(tmp_path: Path) -> None:
    from flows.evaluate import EvaluationFailed, evaluate

    with FakeOpenAIServer(answer) as srv:
        root = flow_repo(tmp_path, remote=False)
        models = {"first": paid(srv.base_url, "m1"), "second": paid(srv.base_url, "m2")}
        with pytest.raises(EvaluationFailed) as e:
            evaluate(repo=str(root), models=models, push=False, max_cost_usd=0.5, retries=2, retry_delay_seconds=0)
        result = e.value.result
        # 12 items a run: the first fits (about $0.34), the second stops at what is left
        assert set(result["failed"]) == {"second"} and "exited with 4" in result["failed"]["second"]
        assert result["cost_usd"] <= 0.5
        sent = srv.count()
        assert 12 < sent < 24  # the first run, and part of the second, each asked once (no retry)
        asked = [(r.model, r.fingerprint) for r in srv.snapshot()]
        assert len(asked) == len(set(asked))


def test_a_batch_run_frees_the_task_and_the_flow_checks_again_until_it_ends(tmp_path: Path) -> None:
    from flows.evaluate import evaluate

    # the batch ends at its third status check: each `vipbench infer` checks once and exits 5
    with FakeOpenAIServer(answer, batch_ready=lambda job: srv.batch_polls >= 3) as srv:
        root = flow_repo(tmp_path, remote=False)
        spec = {"kind": "openai", "model": "m", "base_url": srv.base_url, "batch": True, "batch_poll_s": 0.05}
        out = evaluate(repo=str(root), models={"b": spec}, push=False, batch_check_s=0.2)
        assert out["failed"] == {} and out["pending"] == [] and out["mlflow_run_ids"]["b"]
        assert srv.batch_creations == 1 and srv.batch_polls >= 3
        assert srv.count() == 12  # every item answered once, inside the one batch
