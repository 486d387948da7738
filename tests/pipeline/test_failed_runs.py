"""A run with too many errors fails loudly: no responses, a failure record instead of metrics,
the distinct errors with counts, never reported or fitted as a model, and it resumes from the
cache once the endpoint works. And a reasoning-model endpoint is answered through `dvc repro`."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest
import yaml

from testkit.openai_server import FakeOpenAIServer, Reply, Request, guess_answer
from testkit.repo import make_repo, run
from testkit.vip import label, record, write_dataset
from vipbench.core.errors import RunFailed
from vipbench.core.records import Response
from vipbench.pipeline.infer import failure_record, infer
from vipbench.pipeline.prepare import prepare
from vipbench.pipeline.report import report
from vipbench.pipeline.score import score
from vipbench.workspace import Workspace

N = 10
SEX = ["Female" if i % 3 else "Male" for i in range(N)]


def sex_answer(req: Request) -> str:
    return guess_answer(["Female", "Male"], attribute="sex")


def dataset(root: Path) -> Path:
    return write_dataset(root, [record(f"img{i}", {"sex": label(SEX[i])}) for i in range(N)])


def test_failure_record_counts_distinct_errors() -> None:
    def resp(i: int, status: str, reason: str | None = None) -> Response:
        return Response(item_id=f"i{i}", image_id=f"i{i}", attribute="sex", status=status, reason=reason)  # type: ignore[arg-type]

    ok = [resp(i, "answered") for i in range(8)]
    assert failure_record("r", [*ok, resp(8, "error", "HTTP 401: no"), resp(9, "refused")], 0.2) is None
    bad = [*ok[:5], *(resp(i, "error", "HTTP 401: no") for i in range(3)), resp(9, "error", "timed out")]
    rec = failure_record("r", bad, 0.2)
    assert rec is not None and rec["failed"] and rec["errors"] == 4 and rec["items"] == 9
    assert rec["error_messages"] == {"HTTP 401: no": 3, "timed out": 1}
    assert failure_record("r", [], 0.2) is None


def test_a_failing_run_is_not_written_scored_or_reported_and_resumes_from_the_cache(tmp_path: Path) -> None:
    lock = threading.Lock()
    state = {"served": 0, "broken": True}

    def flaky(req: Request) -> str | Reply:
        with lock:  # the first 4 requests are answered, then the key is revoked
            state["served"] += 1
            if state["broken"] and state["served"] > 4:
                return Reply(status=401, error_code="invalid_api_key")
        return sex_answer(req)

    dataset(tmp_path / "data")
    with FakeOpenAIServer(flaky) as srv:
        params = {
            "attributes": ["sex"],
            "scoring": {"bootstrap_samples": 50, "seed": 0, "reviews": "reviews/decisions.jsonl"},
            "models": {
                "flaky": {"kind": "openai", "model": "m", "base_url": srv.base_url, "max_concurrency": 2},
                "majority": {"kind": "majority"},
            },
            "defense_eval": {"runs": [], "defenses": []},
        }
        (tmp_path / "params.yaml").write_text(yaml.safe_dump(params))
        ws = Workspace.load(tmp_path)
        prepare(ws)
        infer(ws, "majority")
        score(ws, "majority")
        ws.responses_file("flaky").parent.mkdir(parents=True, exist_ok=True)
        ws.responses_file("flaky").write_text("stale\n")  # from an earlier run: must not survive
        with pytest.raises(RunFailed) as e:
            infer(ws, "flaky")
        msg = str(e.value)
        assert "6 of 10 items ended in error" in msg and "6 x HTTP 401: scripted error" in msg
        assert not ws.responses_file("flaky").exists()
        assert not ws.metrics_file("flaky").exists()  # infer writes only its own outputs
        failure = json.loads(ws.outcome_file("flaky").read_text())
        assert failure["failed"] and failure["error_messages"] == {"HTTP 401: scripted error": 6}

        out = report(ws, track=False)
        assert set(out["runs"]) == {"majority"} and "inference failed" in out["unreported"]["flaky"]
        md = (tmp_path / "metrics" / "report.md").read_text()
        assert "## Runs not reported" in md and "`flaky`: inference failed: 6 of 10" in md

        # the key works again: only the 6 failed items are asked, the 4 answers come from the cache
        state["broken"] = False
        srv.reset()
        assert infer(ws, "flaky") == {"answered": 10}
        assert srv.count() == 6
        score(ws, "flaky")
        assert set(report(ws, track=False)["runs"]) == {"majority", "flaky"}


@pytest.mark.slow
def test_reasoning_models_are_answered_through_dvc_repro(tmp_path: Path) -> None:
    with FakeOpenAIServer(sex_answer, latency=0.01, reasoning=True) as srv:
        common = {"kind": "openai", "base_url": srv.base_url, "max_concurrency": 4, "timeout": 10}
        models = {"o4": {**common, "model": "o4-mini"}, "gpt5": {**common, "model": "gpt-5-mini"}}
        root = make_repo(
            tmp_path,
            dataset(tmp_path / "ds"),
            {
                "attributes": ["sex"],
                "models": models,
                "scoring": {"bootstrap_samples": 50, "seed": 0, "reviews": "reviews/decisions.jsonl"},
                "defense_eval": {"runs": [], "defenses": []},
            },
        )
        run(["dvc", "repro"], root)
        refused = srv.refused()
    for name in models:
        rows = [json.loads(line) for line in (root / "build" / "responses" / f"{name}.jsonl").read_text().splitlines()]
        answered = sum(r["status"] == "answered" for r in rows)
        assert len(rows) == N and answered / N >= 0.95
    # each refused field met at most once per (endpoint, model) in the whole run
    assert refused == {
        ("o4-mini", "max_tokens"): 1,
        ("o4-mini", "temperature"): 1,
        ("gpt-5-mini", "max_tokens"): 1,
        ("gpt-5-mini", "temperature"): 1,
    }


@pytest.mark.slow
def test_an_endpoint_that_refuses_everything_fails_dvc_repro_and_is_never_reported(tmp_path: Path) -> None:
    def answer(req: Request) -> str | Reply:
        if req.model == "revoked":
            return Reply(status=401, error_code="invalid_api_key")
        right = req.model == "strong" or req.index % 2 == 0
        return guess_answer(["Female", "Male"] if right else ["Male", "Female"], attribute="sex")

    with FakeOpenAIServer(answer) as srv:
        common = {"kind": "openai", "base_url": srv.base_url, "max_concurrency": 4, "timeout": 10}
        models = {
            "strong": {**common, "model": "strong", "capability": {"mmmu_val": 70.0}},
            "weak": {**common, "model": "weak", "capability": {"mmmu_val": 40.0}},
            "revoked": {**common, "model": "revoked", "capability": {"mmmu_val": 90.0}},
            "majority": {"kind": "majority"},
        }
        root = make_repo(
            tmp_path,
            dataset(tmp_path / "ds"),
            {
                "attributes": ["sex"],
                "models": models,
                "scoring": {"bootstrap_samples": 50, "seed": 0, "reviews": "reviews/decisions.jsonl"},
                "defense_eval": {"runs": [], "defenses": []},
                "report": {"capability_column": "mmmu_val", "project_at": 85.0, "summary_run_name": "summary"},
            },
        )
        failed = run(["dvc", "repro"], root, check=False)
        out = failed.stdout + failed.stderr
        assert failed.returncode != 0
        assert f"{N} of {N} items ended in error" in out and f"{N} x HTTP 401: scripted error" in out
        # --keep-going finishes every stage that does not depend on the failed one; report does
        kept = run(["dvc", "repro", "--keep-going"], root, check=False)
        assert kept.returncode != 0
        for name in ("strong", "weak", "majority"):
            assert "accuracy" in json.loads((root / "metrics" / f"{name}.json").read_text())["overall"]
        assert not (root / "build" / "responses" / "revoked.jsonl").exists()
        assert json.loads((root / "build" / "outcomes" / "revoked.json").read_text())["failed"] is True
        assert not (root / "metrics" / "revoked.json").exists()
        # the report stage waits on every model's scores; `vipbench report` reports what there is
        rep = run(["vipbench", "report"], root)
    assert "revoked" not in rep.stdout
    summary = json.loads((root / "build" / "summary.json").read_text())  # the full summary
    assert set(summary["runs"]) == {"strong", "weak", "majority"}
    assert "revoked" in summary["unreported"]
    fit = summary["regression"]["final"]["overall"]
    assert fit["n"] == 2 and "revoked" not in json.dumps(fit)
    md = (root / "metrics" / "report.md").read_text()
    assert "`revoked`: inference failed" in md
    import mlflow

    mlflow.set_tracking_uri(f"sqlite:///{root / 'mlflow.db'}")
    names = {r.info.run_name for r in mlflow.search_runs(search_all_experiments=True, output_format="list")}
    assert "revoked" not in names and {"strong", "weak", "summary"} <= names
