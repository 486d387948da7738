"""`inference.max_cost_usd`: a run stops before the request that could cross its budget, exits 4,
keeps what it finished, and a re-run with a higher budget resumes without asking anything twice."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import yaml

from testkit.openai_server import FakeOpenAIServer, Request, guess_answer
from testkit.repo import env
from testkit.vip import label, record, write_dataset
from vipbench.pipeline.prepare import prepare
from vipbench.workspace import Workspace

N = 10
BUDGET = 0.15


def answer(req: Request) -> str:
    return guess_answer(["Female", "Male"], attribute="sex")


def infer(root: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "vipbench.cli", "infer", "paid", "--repo", str(root), *extra]
    return subprocess.run(cmd, env=env(), capture_output=True, text=True, check=False)


def test_a_run_stops_at_its_budget_and_resumes_with_a_higher_one(tmp_path: Path) -> None:
    write_dataset(tmp_path / "data", [record(f"img{i}", {"sex": label("Female")}) for i in range(N)])
    (tmp_path / "reviews").mkdir()
    (tmp_path / "reviews" / "decisions.jsonl").write_text("")
    with FakeOpenAIServer(answer) as srv:
        spec = {
            "kind": "openai",
            "model": "m",
            "base_url": srv.base_url,
            "max_concurrency": 1,
            "max_tokens": 20,
            # the server reports 185 input tokens and about 10 output tokens: about $0.0285 a request;
            # a request's worst case (its counted input and 20 output tokens) is about $0.05
            "price_input_per_mtok": 100.0,
            "price_output_per_mtok": 1000.0,
        }
        params = {
            "attributes": ["sex"],
            "inference": {"max_cost_usd": BUDGET},
            "models": {"paid": spec},
            "defense_eval": {"runs": [], "defenses": []},
        }
        (tmp_path / "params.yaml").write_text(yaml.safe_dump(params))
        ws = Workspace.load(tmp_path)
        prepare(ws)

        stopped = infer(tmp_path)
        assert stopped.returncode == 4, stopped.stderr
        assert "stopped at its budget" in stopped.stderr and "raise inference.max_cost_usd" in stopped.stderr
        assert f"of ${BUDGET:.4f}" in stopped.stderr  # the progress line shows the budget beside the cost
        record_ = json.loads(ws.outcome_file("paid").read_text())
        assert record_["stopped"] == "budget" and record_["failed"]
        sent = srv.count()
        assert 0 < sent < N and record_["finished"] == sent and record_["not_sent"] == N - sent
        assert record_["cost_usd"] <= BUDGET  # it stopped before crossing the line, not after
        assert not ws.responses_file("paid").exists()  # nothing to score: the stage failed

        # the same budget again: what it had comes from the cache and counts against the budget,
        # so at most what is left of it is spent (items meet in another order, so one more may fit)
        again = infer(tmp_path)
        assert again.returncode == 4 and srv.count() >= sent
        assert json.loads(ws.outcome_file("paid").read_text())["cost_usd"] <= BUDGET
        assert all(r.attempt == 1 for r in srv.snapshot())

        done = infer(tmp_path, "--max-cost-usd", "10")  # the smallest budget applies: params.yaml's
        assert done.returncode == 4
        params["inference"]["max_cost_usd"] = 10.0
        (tmp_path / "params.yaml").write_text(yaml.safe_dump(params))
        done = infer(tmp_path)
        assert done.returncode == 0, done.stderr
        assert srv.count() == N  # the rest, and only the rest
        assert all(r.attempt == 1 for r in srv.snapshot())  # no prompt was asked twice
        lines = ws.responses_file("paid").read_text().splitlines()
        assert len(lines) == N and all(json.loads(x)["status"] == "answered" for x in lines)
