"""Reasoning models and provider quirks in the `openai` kind: request adaptation after OpenAI's
400s (once per endpoint and model, remembered for later runs), Azure OpenAI, extra body fields
and headers, and providers' own safety-block finish reasons."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from testkit import image_items
from testkit.openai_server import FakeOpenAIServer, Reply, guess_answer
from vipbench.config import parse_params
from vipbench.core.errors import ConfigError
from vipbench.inference.backend import Options
from vipbench.models.kinds import create_adapter
from vipbench.models.openai_api import OpenAIBackend, OpenAISpec, completion_from_body
from vipbench.models.openai_quirks import RequestQuirks, is_reasoning_model, preset
from vipbench.models.registry import RunContext

SECRET = "sk-test-SECRET-value-0123456789"


def _run(spec: OpenAISpec, root: Path, items: list, cache: str = "cache.sqlite") -> list:
    ctx = RunContext(run_name="t", data_dir=root, cache_path=root / cache)
    adapter = create_adapter(spec, ctx)
    try:
        return list(adapter.infer(items))
    finally:
        adapter.close()


def test_quirks_adapt_once_and_only_optional_fields() -> None:
    q = RequestQuirks()
    body = {"model": "m", "max_tokens": 10, "temperature": 0.0, "seed": 1, "reasoning_effort": "low"}
    assert q.adapt("unsupported_parameter", "max_tokens") == "sends max_completion_tokens instead of max_tokens"
    assert q.adapt("unsupported_value", "temperature") == "leaves temperature out"
    assert q.adapt("unsupported_value", "temperature") is None  # already adapted: not again
    assert q.adapt("unsupported_parameter", "reasoning_effort") is None  # asked for explicitly: stays an error
    assert q.adapt("invalid_value", "seed") is None  # another code: not a quirk
    assert q.apply(body) == {"model": "m", "max_completion_tokens": 10, "seed": 1, "reasoning_effort": "low"}
    # the other direction: an older server that only takes max_tokens
    q2 = RequestQuirks(token_param="max_completion_tokens")
    change = q2.adapt("unsupported_parameter", "max_completion_tokens")
    assert change == "sends max_tokens instead of max_completion_tokens"
    assert q2.adapt("unsupported_parameter", "max_tokens") is None  # both refused: give up loudly
    assert RequestQuirks.from_json(q.to_json()) == q


def test_reasoning_models_start_adapted_on_openai_only() -> None:
    assert is_reasoning_model("o4-mini") and is_reasoning_model("gpt-5-mini") and is_reasoning_model("openai/o3")
    assert not is_reasoning_model("gpt-4o") and not is_reasoning_model("gpt-5-chat-latest")
    q = preset("o4-mini", official=True, temperature=0.0)
    assert q.apply({"max_tokens": 5, "temperature": 0.0}) == {"max_completion_tokens": 5}
    assert preset("o4-mini", official=True, temperature=1.0).apply({"max_tokens": 5, "temperature": 1.0}) == {
        "max_completion_tokens": 5,
        "temperature": 1.0,
    }
    assert preset("o4-mini", official=False, temperature=0.0) == RequestQuirks()  # elsewhere: learn from 400s
    b = OpenAIBackend(
        base_url=None, api_key="x", timeout=1, model="gpt-5-mini", temperature=None, max_tokens=64,
        reasoning_effort="minimal", quirks=preset("gpt-5-mini", True, None),
    )  # fmt: skip
    assert b.body([], Options()) == {
        "model": "gpt-5-mini",
        "messages": [],
        "max_completion_tokens": 64,
        "reasoning_effort": "minimal",
    }


def test_reasoning_server_is_answered_and_each_refusal_met_once_per_model(tmp_path: Path) -> None:
    items = image_items(tmp_path, 12)
    with FakeOpenAIServer(lambda r: guess_answer(["Bern, Switzerland"]), latency=0.02, reasoning=True) as srv:
        spec = OpenAISpec(model="o4-mini", base_url=srv.base_url, max_concurrency=6, max_retries=0)
        responses = _run(spec, tmp_path, items)
        assert [r.status for r in responses] == ["answered"] * 12
        assert srv.refused() == {("o4-mini", "max_tokens"): 1, ("o4-mini", "temperature"): 1}
        ok = [r.body for r in srv.snapshot() if r.outcome == "ok"]
        assert len(ok) == 12 and all("max_tokens" not in b and "temperature" not in b for b in ok)
        assert {b["max_completion_tokens"] for b in ok} == {800}
        # a later run (other images, same cache database) starts adapted: not refused again
        srv.reset()
        more = image_items(tmp_path, 4, prefix="more", size=(40, 30))
        assert [r.status for r in _run(spec, tmp_path, more)] == ["answered"] * 4
        assert srv.refused() == {} and srv.count() == 4


def test_a_refusal_that_cannot_be_adapted_stays_an_error(tmp_path: Path) -> None:
    items = image_items(tmp_path, 2)

    def answer(req):  # refuses reasoning_effort, which the user set on purpose
        return Reply(status=400, error_code="unsupported_parameter")

    with FakeOpenAIServer(answer) as srv:
        spec = OpenAISpec(model="gpt-4o", base_url=srv.base_url, reasoning_effort="high", max_retries=0)
        responses = _run(spec, tmp_path, items)
    assert [r.status for r in responses] == ["error", "error"]
    assert all("HTTP 400" in (r.reason or "") for r in responses)


def test_azure_openai_through_the_azure_client(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VIPBENCH_AZURE_KEY", SECRET)
    items = image_items(tmp_path, 2)
    with FakeOpenAIServer(lambda r: guess_answer(["Bern, Switzerland"])) as srv:
        root = srv.base_url.removesuffix("/v1")
        azure = {"endpoint": root, "deployment": "vip-gpt4o", "api_version": "2024-10-21"}
        model = {"kind": "openai", "model": "gpt-4o", "api_key_env": "VIPBENCH_AZURE_KEY", "azure": azure}
        spec = parse_params({"models": {"az": model}}).models["az"]
        assert isinstance(spec, OpenAISpec)
        assert spec.endpoint_url == f"{root}/openai/deployments/vip-gpt4o"
        assert [r.status for r in _run(spec, tmp_path, items)] == ["answered", "answered"]
        reqs = srv.snapshot()
    assert {(r.deployment, r.api_version) for r in reqs} == {("vip-gpt4o", "2024-10-21")}
    assert {r.headers.get("api-key") for r in reqs} == {SECRET}
    with pytest.raises(ConfigError, match="either base_url or azure"):
        parse_params({"models": {"az": {"kind": "openai", "model": "m", "base_url": "http://x/v1", "azure": azure}}})


def test_extra_body_and_headers_pass_through_and_secret_headers_are_redacted(tmp_path: Path) -> None:
    items = image_items(tmp_path, 1)
    with FakeOpenAIServer() as srv:
        spec = OpenAISpec(
            model="m",
            base_url=srv.base_url,
            extra_body={"guided_choice": ["Male", "Female"], "top_k": 5},
            extra_headers={"HTTP-Referer": "https://example.org", "X-Title": "vipbench", "X-Proxy-Token": SECRET},
        )
        assert [r.status for r in _run(spec, tmp_path, items)] == ["answered"]
        req = srv.snapshot()[0]
    assert req.body["guided_choice"] == ["Male", "Female"] and req.body["top_k"] == 5
    assert req.headers["x-title"] == "vipbench" and req.headers["x-proxy-token"] == SECRET
    public = spec.public_dict()
    assert public["extra_headers"] == {
        "HTTP-Referer": "https://example.org",
        "X-Title": "vipbench",
        "X-Proxy-Token": "<redacted>",
    }
    assert SECRET not in json.dumps(public)
    assert SECRET not in repr(OpenAIBackend.from_spec(spec))
    for f in tmp_path.glob("cache.sqlite*"):
        assert SECRET.encode() not in f.read_bytes()


@pytest.mark.parametrize("reason", ["content_filter", "SAFETY", "PROHIBITED_CONTENT", "refusal"])
def test_provider_safety_finish_reasons_count_as_refusals(reason: str) -> None:
    body = {"choices": [{"message": {"content": None}, "finish_reason": reason}], "usage": {}}
    assert completion_from_body(body).finish_reason == "content_filter"
    body["choices"][0]["finish_reason"] = "MAX_TOKENS"
    assert completion_from_body(body).finish_reason == "length"
