"""Batch mode (`batch: true`) end to end against the local server's files and batches endpoints:
completed, split, partly failed, expired, failed, killed while waiting and resumed; the answers
enter the cache, so the same run without batch asks nothing."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from testkit.openai_server import BatchJob, FakeOpenAIServer, Reply, Request, guess_answer
from testkit.repo import env
from testkit.vip import label, record, write_dataset
from vipbench.core.records import Response
from vipbench.pipeline.infer import infer
from vipbench.pipeline.prepare import prepare
from vipbench.workspace import Workspace

N = 10


def answer(req: Request) -> str | Reply:
    return guess_answer(["Female", "Male"], attribute="sex")


def setup(root: Path, base_url: str, **spec: Any) -> Workspace:
    write_dataset(root / "data", [record(f"img{i}", {"sex": label("Female")}) for i in range(N)])
    (root / "reviews").mkdir(exist_ok=True)
    (root / "reviews" / "decisions.jsonl").write_text("")
    model = {
        "kind": "openai",
        "model": "m",
        "base_url": base_url,
        "batch": True,
        "batch_poll_s": 0.02,
        "batch_poll_max_s": 0.1,
        "price_input_per_mtok": 2.0,
        "price_output_per_mtok": 8.0,
        **spec,
    }
    params = {"attributes": ["sex"], "models": {"vlm": model}, "defense_eval": {"runs": [], "defenses": []}}
    (root / "params.yaml").write_text(yaml.safe_dump(params))
    ws = Workspace.load(root)
    prepare(ws)
    return ws


def responses(ws: Workspace) -> list[Response]:
    return [Response.model_validate_json(x) for x in ws.responses_file("vlm").read_text().splitlines()]


def sizes(srv: FakeOpenAIServer) -> list[int]:
    return [job.counts["total"] for job in sorted(srv.batches.values(), key=lambda j: j.created_at)]


def without_batch(ws: Workspace) -> None:
    p = yaml.safe_load((ws.root / "params.yaml").read_text())
    p["models"]["vlm"]["batch"] = False
    (ws.root / "params.yaml").write_text(yaml.safe_dump(p))


def test_a_completed_batch_answers_every_item_at_batch_prices_and_fills_the_cache(tmp_path: Path) -> None:
    with FakeOpenAIServer(answer) as srv:
        ws = setup(tmp_path, srv.base_url)
        assert infer(ws, "vlm") == {"answered": N}
        assert srv.batch_creations == 1 and sizes(srv) == [N] and srv.count() == N
        got = responses(ws)
        # the server reports 185 input and 2 output tokens: at half of $2 and $8 per million
        assert all(r.cost_usd == pytest.approx((185 * 1.0 + r.output_tokens * 4.0) / 1e6) for r in got)
        inputs = [json.loads(x) for x in srv.files["file-1"].splitlines()]
        assert len({x["custom_id"] for x in inputs}) == N  # one line per request, keyed by its cache key
        assert all(x["url"] == "/v1/chat/completions" and x["body"]["model"] == "m" for x in inputs)

        without_batch(ws)  # the same items without batch: every answer comes from the cache
        ws = Workspace.load(tmp_path)
        srv.reset()
        assert infer(ws, "vlm") == {"answered": N}
        assert srv.count() == 0 and srv.batch_creations == 1


def test_large_runs_are_split_within_the_request_limit(tmp_path: Path) -> None:
    with FakeOpenAIServer(answer) as srv:
        ws = setup(tmp_path, srv.base_url, batch_max_requests=4)
        assert infer(ws, "vlm") == {"answered": N}
        assert sorted(sizes(srv)) == [2, 4, 4]  # created concurrently


def test_large_runs_are_split_within_the_byte_limit(tmp_path: Path) -> None:
    with FakeOpenAIServer(answer) as srv:
        ws = setup(tmp_path, srv.base_url, batch_max_bytes=7000)
        assert infer(ws, "vlm") == {"answered": N}
        files = [srv.files[job.input_file_id] for job in srv.batches.values()]
        line = max(len(x) + 1 for f in files for x in f.splitlines())
        assert all(len(f) <= 7000 for f in files)
        assert len(files) == -(-N // (7000 // line))  # as few batches as the limit allows


def test_a_partly_failed_batch_errs_those_items_and_a_rerun_sends_only_them(tmp_path: Path) -> None:
    lock = threading.Lock()
    state = {"seen": 0}

    def flaky(req: Request) -> str | Reply:
        with lock:
            state["seen"] += 1
            if state["seen"] <= 2:  # the first batch's first two lines fail
                return Reply(status=500)
        return answer(req)

    with FakeOpenAIServer(flaky) as srv:
        ws = setup(tmp_path, srv.base_url)
        assert infer(ws, "vlm") == {"answered": N - 2, "error": 2}
        assert all("HTTP 500" in (r.reason or "") for r in responses(ws) if r.status == "error")
        assert infer(ws, "vlm") == {"answered": N}
        assert sizes(srv) == [N, 2]


@pytest.mark.parametrize("outcome", ["expired", "failed"])
def test_an_expired_or_failed_batch_sends_only_its_unanswered_requests_again(tmp_path: Path, outcome: str) -> None:
    def first_ends_badly(job: BatchJob) -> str:
        return outcome if job.id == "batch-1" else "completed"

    with FakeOpenAIServer(answer, batch_outcome=first_ends_badly) as srv:
        ws = setup(tmp_path, srv.base_url)
        assert infer(ws, "vlm") == {"answered": N}
        answered_first = N // 2 if outcome == "expired" else 0
        assert sizes(srv) == [N, N - answered_first]
        assert srv.count() == N  # each item answered once, whatever batch it was in
        assert all(r.attempt == 1 for r in srv.snapshot())


def test_a_batch_that_never_ends_well_fails_its_items_after_the_resubmissions(tmp_path: Path) -> None:
    with FakeOpenAIServer(answer, batch_outcome=lambda job: "failed") as srv:
        ws = setup(tmp_path, srv.base_url, batch_resubmits=1)
        from vipbench.core.errors import RunFailed

        with pytest.raises(RunFailed, match="injected batch failure"):
            infer(ws, "vlm")
        assert sizes(srv) == [N, N]


def test_killed_while_waiting_the_rerun_polls_the_same_batch(tmp_path: Path) -> None:
    release = threading.Event()
    with FakeOpenAIServer(answer, batch_ready=lambda job: release.is_set()) as srv:
        ws = setup(tmp_path, srv.base_url)
        cmd = [sys.executable, "-m", "vipbench.cli", "infer", "vlm", "--repo", str(tmp_path)]
        proc = subprocess.Popen(cmd, env=env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        try:
            deadline = time.monotonic() + 60
            while srv.batch_polls < 3 and time.monotonic() < deadline:  # created, and being waited for
                time.sleep(0.05)
            assert srv.batch_creations == 1 and proc.poll() is None
        finally:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
        assert list((ws.cache_path.parent / "batches").glob("*.json"))  # the batch id is on disk

        release.set()
        again = subprocess.run(cmd, env=env(), capture_output=True, text=True, check=False)
        assert again.returncode == 0, again.stderr
        assert srv.batch_creations == 1  # polled the same batch: nothing submitted twice
        assert [r.status for r in responses(ws)] == ["answered"] * N
        assert not list((ws.cache_path.parent / "batches").glob("*.json"))  # collected
        assert srv.count() == N


def test_without_waiting_a_run_submits_once_and_collects_on_a_later_run(tmp_path: Path) -> None:
    from vipbench.core.errors import BatchPending

    release = threading.Event()
    with FakeOpenAIServer(answer, batch_ready=lambda job: release.is_set()) as srv:
        ws = setup(tmp_path, srv.base_url)
        for _ in range(2):
            with pytest.raises(BatchPending, match=f"{N} of {N} items wait"):
                infer(ws, "vlm", wait=False)
        assert srv.batch_creations == 1 and srv.count() == 0
        assert json.loads(ws.outcome_file("vlm").read_text())["stopped"] == "batch_pending"
        release.set()
        assert infer(ws, "vlm", wait=False) == {"answered": N}
        assert srv.batch_creations == 1 and srv.count() == N


def test_the_budget_holds_requests_out_of_the_batch_and_a_higher_one_sends_the_rest(tmp_path: Path) -> None:
    from vipbench.core.errors import BudgetReached

    with FakeOpenAIServer(answer) as srv:
        # batch prices $50/M input and $400/M output; a request's worst case (~300 input tokens,
        # 20 output) is about $0.023, an answer (185 and ~2 tokens) about $0.01
        ws = setup(tmp_path, srv.base_url, max_tokens=20, price_input_per_mtok=100.0, price_output_per_mtok=800.0)
        with pytest.raises(BudgetReached):
            infer(ws, "vlm", max_cost_usd=0.1)
        (first,) = sizes(srv)
        assert 0 < first < N
        record_ = json.loads(ws.outcome_file("vlm").read_text())
        assert record_["cost_usd"] <= 0.1 and record_["finished"] == first
        assert infer(ws, "vlm", max_cost_usd=10.0) == {"answered": N}
        assert sizes(srv) == [first, N - first] and srv.count() == N


@pytest.mark.parametrize("created", [False, True])
def test_a_crash_between_upload_and_ledger_update_neither_loses_nor_repeats_the_batch(
    tmp_path: Path, created: bool
) -> None:
    """The ledger holds an input file but no batch id: the run looks the file up among the
    provider's batches and polls the batch it finds, or creates the one that was never made."""
    import openai

    from vipbench.inference.batches import BatchLedger, LedgerEntry
    from vipbench.pipeline.batchfiles import export_batch

    with FakeOpenAIServer(answer) as srv:
        ws = setup(tmp_path, srv.base_url)
        path, n = export_batch(ws, "vlm")  # the very lines the run would upload
        client = openai.OpenAI(base_url=srv.base_url, api_key="x")
        uploaded = client.files.create(file=("batch.jsonl", path.read_bytes()), purpose="batch")
        if created:
            client.batches.create(input_file_id=uploaded.id, endpoint="/v1/chat/completions", completion_window="24h")
        keys = [json.loads(x)["custom_id"] for x in path.read_text().splitlines()]
        ledger = BatchLedger(ws.cache_path.parent / "batches", srv.base_url.rstrip("/"), "m")
        ledger.save(LedgerEntry(ledger.endpoint, ledger.model, keys, uploaded.id))

        assert infer(ws, "vlm") == {"answered": N}
        assert srv.batch_creations == 1 and srv.count() == N and len(srv.files) == 2  # input, output
        assert ledger.pending() == []
