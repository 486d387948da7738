"""The `openai` model kind: spec, registry, API keys, lazy imports, the real client end to end."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from testkit import image_items
from testkit.openai_server import FakeOpenAIServer, guess_answer
from vipbench.config import parse_params
from vipbench.core.errors import ConfigError
from vipbench.models.kinds import create_adapter, spec_class
from vipbench.models.openai_api import OpenAIAdapter, OpenAISpec, parse_retry_after, resolve_api_key
from vipbench.models.registry import RunContext

SECRET = "sk-test-SECRET-value-0123456789"


def test_registered_and_defaults() -> None:
    assert spec_class("openai") is OpenAISpec
    spec = OpenAISpec(model="gpt-4o")
    assert (spec.kind, spec.base_url, spec.api_key_env, spec.max_concurrency) == ("openai", None, "OPENAI_API_KEY", 8)
    assert (spec.rpm, spec.tpm, spec.timeout, spec.max_retries) == (None, None, 60.0, 5)
    assert (spec.temperature, spec.max_tokens, spec.seed, spec.image_detail) == (0.0, 800, None, "auto")
    assert spec.price_input_per_mtok is None and spec.structure_correction is None


def test_params_yaml_validation_names_the_key_path() -> None:
    params = parse_params(
        {
            "models": {
                "vllm": {
                    "kind": "openai",
                    "model": "Qwen/Qwen2-VL-7B-Instruct",
                    "base_url": "http://localhost:8000/v1",
                    "prompt": "zoom",
                    "output_format": "json",
                    "rpm": 600,
                    "structure_correction": {"model": "gpt-4o-mini"},
                }
            }
        }
    )
    spec = params.models["vllm"]
    assert isinstance(spec, OpenAISpec) and spec.structure_correction is not None
    bad = {"kind": "openai", "model": "m", "image_detail": "ultra", "prompt": "clever", "max_concurrency": 0}
    with pytest.raises(ConfigError) as e:
        parse_params({"models": {"x": {**bad, "api_key_env": SECRET, "colour": "red"}}})
    msg = str(e.value)
    for path in ("image_detail", "prompt", "max_concurrency", "api_key_env", "colour"):
        assert f"models.x.{path}" in msg
    assert SECRET not in msg  # a key pasted into api_key_env is refused without being echoed


def test_api_key_resolution(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VIPBENCH_TEST_KEY", raising=False)
    assert resolve_api_key("VIPBENCH_TEST_KEY", "http://localhost:11434/v1") == "EMPTY"
    with pytest.raises(ConfigError, match="VIPBENCH_TEST_KEY is not set"):
        resolve_api_key("VIPBENCH_TEST_KEY", None)
    monkeypatch.setenv("VIPBENCH_TEST_KEY", SECRET)
    assert resolve_api_key("VIPBENCH_TEST_KEY", None) == SECRET


def test_missing_key_for_openai_fails_before_any_work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VIPBENCH_TEST_KEY", raising=False)
    ctx = RunContext(run_name="t", data_dir=tmp_path, cache_path=tmp_path / "c.sqlite")
    with pytest.raises(ConfigError):
        create_adapter(OpenAISpec(model="gpt-4o", api_key_env="VIPBENCH_TEST_KEY"), ctx)


def test_the_key_is_sent_but_never_stored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VIPBENCH_TEST_KEY", SECRET)
    items = image_items(tmp_path, 2)
    with FakeOpenAIServer(lambda req: guess_answer(["Bern, Switzerland"])) as srv:
        spec = OpenAISpec(model="m", base_url=srv.base_url, api_key_env="VIPBENCH_TEST_KEY")
        ctx = RunContext(run_name="t", data_dir=tmp_path, cache_path=tmp_path / "cache.sqlite")
        adapter = create_adapter(spec, ctx)
        assert isinstance(adapter, OpenAIAdapter)
        responses = list(adapter.infer(items))
        adapter.close()
        assert {r.headers["authorization"] for r in srv.snapshot()} == {f"Bearer {SECRET}"}
    assert [r.status for r in responses] == ["answered", "answered"]
    assert SECRET not in json.dumps(spec.public_dict())
    assert SECRET not in "".join(r.model_dump_json() for r in responses)
    for f in tmp_path.glob("cache.sqlite*"):
        assert SECRET.encode() not in f.read_bytes()


def test_local_server_without_a_key_gets_a_placeholder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VIPBENCH_TEST_KEY", raising=False)
    items = image_items(tmp_path, 1)
    with FakeOpenAIServer() as srv:
        spec = OpenAISpec(model="m", base_url=srv.base_url, api_key_env="VIPBENCH_TEST_KEY")
        ctx = RunContext(run_name="t", data_dir=tmp_path, cache_path=tmp_path / "cache.sqlite")
        assert [r.status for r in create_adapter(spec, ctx).infer(items)] == ["answered"]
        assert srv.snapshot()[0].headers["authorization"] == "Bearer EMPTY"


def test_infer_works_inside_a_running_event_loop(tmp_path: Path) -> None:
    import asyncio

    items = image_items(tmp_path, 2)
    with FakeOpenAIServer() as srv:
        spec = OpenAISpec(model="m", base_url=srv.base_url, api_key_env="VIPBENCH_TEST_KEY")
        ctx = RunContext(run_name="t", data_dir=tmp_path, cache_path=tmp_path / "cache.sqlite")

        async def inside() -> list[str]:
            return [r.status for r in OpenAIAdapter(spec, ctx).infer(items)]

        assert asyncio.run(inside()) == ["answered", "answered"]


def test_models_endpoint_of_the_test_server() -> None:
    import openai

    with FakeOpenAIServer(models=["vlm-a", "vlm-b"]) as srv:
        client = openai.OpenAI(base_url=srv.base_url, api_key="x")
        assert [m.id for m in client.models.list()] == ["vlm-a", "vlm-b"]
        client.close()


def test_retry_after_header_forms() -> None:
    assert parse_retry_after({"retry-after-ms": "250", "retry-after": "9"}) == 0.25
    assert parse_retry_after({"retry-after": "1.5"}) == 1.5
    assert parse_retry_after({"retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"}) == 0.0  # in the past
    assert parse_retry_after({}) is None and parse_retry_after(None) is None


def test_importing_the_kind_does_not_import_openai() -> None:
    code = (
        "import sys, vipbench.models.openai_api; "
        "print('openai' in sys.modules, 'vipbench.inference.engine' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]
