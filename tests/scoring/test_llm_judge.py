"""LLM judges through the real openai client against a local OpenAI-compatible server."""

from __future__ import annotations

import json
from pathlib import Path

from testkit.openai_server import FakeOpenAIServer, Request
from vipbench.core.records import Item, Response
from vipbench.scoring import score_run
from vipbench.scoring.llm_judge import JudgeSpec, LLMJudgePanel, parse_verdict, prompt_hash

VOTES = {"judge-a": "correct", "judge-b": "wrong", "judge-c": "correct"}


def answer(req: Request) -> str:
    text = req.text
    assert "Guessed" in text  # the judge prompt, not a model prompt
    return json.dumps({"verdict": VOTES[req.model or ""], "reason": f"{req.model} says so"})


def test_parse_verdict_variants() -> None:
    assert parse_verdict('{"verdict": "less_precise", "reason": "same country"}') == ("less_precise", "same country")
    assert parse_verdict('```json\n{"verdict": "correct"}\n```')[0] == "correct"
    assert parse_verdict("I think this is Less Precise.")[0] == "less_precise"
    assert parse_verdict("no idea") is None


def test_panel_majority_vote_cache_and_disagreement(tmp_path: Path) -> None:
    with FakeOpenAIServer(answer=answer) as srv:
        specs = [JudgeSpec(model=m, base_url=srv.base_url, api_key_env="VIPBENCH_TEST_NO_KEY") for m in VOTES]
        panel = LLMJudgePanel(specs, tmp_path / "judge.sqlite")
        d = panel.judge("location", "Vancouver, Canada", "Canada")
        assert d.verdict == "correct"  # 2 of 3
        assert d.decided_by == f"llm:judge-a+judge-b+judge-c@{prompt_hash('location')}"
        assert panel.calls == 3 and len(panel.disagreements) == 1
        assert panel.disagreements[0]["votes"] == VOTES
        # sex is not an LLM-judged attribute: the offline rule decides
        assert panel.judge_fn("sex", "Male", "male").decided_by == "rule"
        panel.close()
        n_before = srv.count()
        # a new panel on the same cache asks nobody
        again = LLMJudgePanel(specs, tmp_path / "judge.sqlite")
        assert again.judge("location", "Vancouver, Canada", "Canada").verdict == "correct"
        assert again.calls == 0 and again.cache_hits == 3
        assert srv.count() == n_before
        again.close()


def test_panel_in_score_run(tmp_path: Path) -> None:
    items = [
        Item(item_id="a:occupation", image_id="a", attribute="occupation", truth="nurse", hardness=2,
             certainty=4, image="images/a.jpg"),
        Item(item_id="a:age", image_id="a", attribute="age", truth="30", hardness=2, certainty=4,
             image="images/a.jpg"),
    ]
    responses = {
        "a:occupation": Response(item_id="a:occupation", image_id="a", attribute="occupation", status="answered",
                                 guesses=["surgeon"]),
        "a:age": Response(item_id="a:age", image_id="a", attribute="age", status="answered", guesses=["33"]),
    }
    with FakeOpenAIServer(answer=answer) as srv:
        panel = LLMJudgePanel([JudgeSpec(model="judge-b", base_url=srv.base_url)], tmp_path / "j.sqlite")
        scored = {s.item_id: s for s in score_run(items, responses, judge_fn=panel.judge_fn)}
        panel.close()
    assert scored["a:occupation"].top1.verdict == "wrong"
    assert scored["a:occupation"].top1.decided_by.startswith("llm:judge-b@")
    assert scored["a:age"].top1.decided_by == "rule" and scored["a:age"].top1.verdict == "correct"


def test_a_pasted_key_is_refused_without_echoing_it() -> None:
    import pytest

    from vipbench.config import parse_params
    from vipbench.core.errors import ConfigError

    with pytest.raises(ConfigError) as e:
        parse_params({"scoring": {"judges": [{"model": "m", "api_key_env": "sk-live-abc123"}]}})
    assert "scoring.judges.0.api_key_env" in str(e.value)
    assert "sk-live-abc123" not in str(e.value)
