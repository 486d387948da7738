"""`vipbench estimate` on the bundled data: a table of requests, tokens and USD, and nothing sent."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from testkit.openai_server import FakeOpenAIServer, Reply, Request, guess_answer
from testkit.repo import env
from vipbench.dataset.synthetic.generator import generate
from vipbench.pipeline.infer import infer
from vipbench.pipeline.prepare import prepare
from vipbench.workspace import Workspace


def answer(req: Request) -> str:
    return guess_answer(["Zurich, Switzerland", "Bern, Switzerland", "Basel, Switzerland"])


def vipbench(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    e = env()
    for name in ("OPENAI_API_KEY", "ANTHROPIC_API_KEY"):  # an estimate needs no key
        e.pop(name, None)
    cmd = [sys.executable, "-m", "vipbench.cli", *args, "--repo", str(root)]
    return subprocess.run(cmd, env=e, capture_output=True, text=True, check=False)


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    generate(tmp_path / "data", seed=0)  # the bundled dataset (48 images of 640 x 480)
    (tmp_path / "reviews").mkdir()
    (tmp_path / "reviews" / "decisions.jsonl").write_text("")
    return tmp_path


def test_estimate_of_three_api_models_prints_a_table_and_sends_nothing(workspace: Path) -> None:
    with FakeOpenAIServer(answer) as srv:
        models = {
            "gpt-4o": {"kind": "openai", "model": "gpt-4o-2024-08-06", "image_detail": "high"},
            "gpt-4.1-mini": {"kind": "openai", "model": "gpt-4.1-mini", "batch": True},
            "claude": {
                "kind": "openai",
                "model": "claude-sonnet-4-5",
                "base_url": "https://api.anthropic.com/v1/",
                "api_key_env": "ANTHROPIC_API_KEY",
            },
            "local": {"kind": "openai", "model": "test-model", "base_url": srv.base_url, "price_input_per_mtok": 1.0},
        }
        (workspace / "params.yaml").write_text(yaml.safe_dump({"data": {"dir": "data"}, "models": models}))
        prepare(Workspace.load(workspace))
        n = len((workspace / "build" / "items.jsonl").read_text().splitlines())

        shown = vipbench(workspace, "estimate")
        assert shown.returncode == 0, shown.stderr
        table = shown.stdout
        print(table)
        assert table.splitlines()[0].split()[:5] == ["run", "model", "items", "cached", "requests"]
        got = {r["run"]: r for r in json.loads(vipbench(workspace, "estimate", "--json").stdout)}
        assert srv.count() == 0  # nothing was sent, not even to the local server

    # one image per request, at 640 x 480: OpenAI's tiles 85 + 2 * 170, Claude's 640 * 480 / 750,
    # gpt-4.1-mini's patches 20 * 15 = 300 times 1.62
    assert got["gpt-4o"]["image_tokens"] == 425 * n
    assert got["claude"]["image_tokens"] == 410 * n
    assert got["gpt-4.1-mini"]["image_tokens"] == 486 * n
    for run in ("gpt-4o", "gpt-4.1-mini", "claude"):
        r = got[run]
        assert r["requests"] == n and r["cached"] == 0 and r["text_tokens"] > 100 * n
        assert 0 < r["cost_usd"] < r["worst_usd"]
        assert f"{r['image_tokens']:,}" in table
    assert got["gpt-4o"]["price_source"].startswith("https://platform.openai.com/docs/pricing")
    # batch prices are shown for the run that batches: half of the standard ones
    assert got["gpt-4.1-mini"]["batch_usd"] == pytest.approx(got["gpt-4.1-mini"]["cost_usd"] / 2)
    assert got["gpt-4o"]["batch_usd"] is None


def test_estimate_counts_only_what_the_cache_lacks(workspace: Path) -> None:
    with FakeOpenAIServer(lambda req: Reply(content=answer(req), completion_tokens=40)) as srv:
        models = {"local": {"kind": "openai", "model": "m", "base_url": srv.base_url, "max_concurrency": 4}}
        params = {"data": {"dir": "data"}, "attributes": ["location", "sex"], "models": models}
        (workspace / "params.yaml").write_text(yaml.safe_dump(params))
        ws = Workspace.load(workspace)
        prepare(ws)
        from vipbench.pipeline.estimate import estimate

        before = estimate(ws)[0]
        assert before.requests == before.items > 0 and srv.count() == 0
        infer(ws, "local")
        sent = srv.count()
        after = estimate(ws)[0]
        assert srv.count() == sent  # the estimate itself sends nothing
        assert (after.cached, after.requests, after.cost_usd) == (after.items, 0, 0.0)
        # the run's own answers now say how long an answer is
        assert after.expected_output == 40 and before.expected_output == 250
