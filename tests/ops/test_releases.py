"""releases: provider listings over real HTTP, filters, run names, and what MLflow says was evaluated."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from testkit.openai_server import FakeOpenAIServer
from testkit.repo import REPO
from vipbench.config import parse_params
from vipbench.core.errors import ConfigError
from vipbench.ops.releases import (
    Candidate,
    ProviderParams,
    ProviderUnavailable,
    WatchParams,
    check_spec,
    evaluated,
    list_openai_models,
    load_watch,
    model_spec,
    parse_watch,
    plan,
    prompt_variants,
    run_name,
    sanitise,
    select,
)


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_watch_defaults_and_errors_name_the_key() -> None:
    w = WatchParams()
    assert w.schedule == "0 6 * * *" and w.prompts == ["final"] and w.providers == []
    with pytest.raises(ConfigError, match=r"watch\.providers\.0\.kind"):
        parse_watch({"providers": [{"name": "x", "kind": "anthropic"}]})
    with pytest.raises(ConfigError, match="needs `author` or `tag`"):
        parse_watch({"providers": [{"name": "hub", "kind": "hf_hub"}]})
    with pytest.raises(ConfigError, match="unknown prompt variant"):
        parse_watch({"prompts": ["short"]})
    with pytest.raises(ConfigError, match="repeated"):
        parse_watch({"providers": [{"name": "a", "kind": "openai"}, {"name": "a", "kind": "openai"}]})
    with pytest.raises(ConfigError, match=r"watch\.schedule"):
        parse_watch({"schedule": "daily"})
    with pytest.raises(ConfigError, match=r"watch\.providers\.0\.name"):
        parse_watch({"providers": [{"name": "my provider", "kind": "openai"}]})


def test_watch_is_read_from_params_yaml_when_config_lacks_it(tmp_path: Path) -> None:
    (tmp_path / "params.yaml").write_text(
        "models: {}\nwatch:\n  schedule: '30 2 * * 1'\n  prompts: [naive, final]\n"
        "  providers:\n    - name: lab\n      kind: openai\n      base_url: http://gpu1:8000/v1\n"
    )
    w = load_watch(tmp_path, params=object())
    assert w.schedule == "30 2 * * 1" and w.prompts == ["naive", "final"]
    assert w.providers[0].base_url == "http://gpu1:8000/v1"
    (tmp_path / "params.yaml").write_text("models: {}\n")
    assert load_watch(tmp_path) == WatchParams()


def test_select_include_exclude() -> None:
    ids = ["gpt-4o", "gpt-4o-mini", "text-embedding-3-large", "Qwen/Qwen2.5-VL-7B", "whisper-1"]
    assert select(ids, [], []) == sorted(ids)
    assert select(ids, ["gpt-*", "Qwen/*VL*"], ["*mini"]) == ["Qwen/Qwen2.5-VL-7B", "gpt-4o"]
    assert select(ids, ["GPT-*"], []) == []  # case-sensitive, like the ids themselves


def test_run_names_are_valid_in_params_yaml() -> None:
    assert sanitise("meta-llama/Llama-3.2-11B-Vision-Instruct") == "meta-llama-Llama-3.2-11B-Vision-Instruct"
    assert sanitise("llava:13b") == "llava-13b"
    assert sanitise("///") == "model"
    name = run_name("vllm", "org/model:v1 (beta)", "final")
    assert name == "vllm-org-model-v1-beta-final"
    parse_params({"models": {name: {"kind": "majority"}}})  # accepted by the config's run-name rule


def test_model_spec_merges_defaults() -> None:
    p = ProviderParams(
        name="lab",
        kind="openai",
        base_url="http://gpu1:8000/v1",
        api_key_env="LAB_KEY",
        spec_defaults={"max_concurrency": 16, "structure_correction": {"model": "small", "max_tokens": 100}},
    )
    spec = model_spec(p, "Qwen/Qwen2.5-VL-7B", "zoom")
    assert spec == {
        "kind": "openai",
        "api_key_env": "LAB_KEY",
        "base_url": "http://gpu1:8000/v1",
        "max_concurrency": 16,
        "structure_correction": {"model": "small", "max_tokens": 100},
        "model": "Qwen/Qwen2.5-VL-7B",
        "prompt": "zoom",
    }
    assert check_spec(spec) is None
    hub = ProviderParams(name="hub", kind="hf_hub", author="Qwen", spec_defaults={"batch_size": 2})
    assert model_spec(hub, "Qwen/X", "final") == {
        "kind": "hf",
        "batch_size": 2,
        "model": "Qwen/X",
        "prompt": "final",
    }
    # spec_defaults may route hub models to a vLLM server instead
    via_vllm = ProviderParams(
        name="hub",
        kind="hf_hub",
        tag="vision",
        spec_defaults={"kind": "openai", "base_url": "http://v:8000/v1"},
    )
    assert model_spec(via_vllm, "Qwen/X", "final")["kind"] == "openai"
    assert "max_tokens" in (check_spec({**spec, "max_tokens": "lots"}) or "")
    assert "unknown model kind" in (check_spec({"kind": "nope"}) or "")


def test_plan_skips_what_mlflow_has_and_keeps_names_unique() -> None:
    w = WatchParams(
        prompts=["final", "naive"],
        providers=[ProviderParams(name="p", kind="openai", base_url="http://h/v1", exclude=["*embed*"])],
    )
    listed = {"p": ["a/b", "a-b", "embed-1"]}
    done = {("a/b", "final")}
    existing = {"p-a-b-naive": {"kind": "openai", "model": "a/b", "prompt": "naive", "max_tokens": 99}}
    got = plan(w, listed, done, existing)
    by = {(c.model_id, c.prompt): c for c in got}
    assert set(by) == {("a/b", "naive"), ("a-b", "final"), ("a-b", "naive")}
    # an entry someone already edited keeps its spec
    assert by[("a/b", "naive")] == Candidate("p", "a/b", "naive", "p-a-b-naive", existing["p-a-b-naive"])
    # "a-b" would get the same run name as "a/b": it gets a hash suffix instead
    assert by[("a-b", "final")].run == "p-a-b-final"
    assert by[("a-b", "naive")].run.startswith("p-a-b-") and by[("a-b", "naive")].run != "p-a-b-naive"
    assert len({c.run for c in got}) == 3


def test_prompt_variants() -> None:
    specs = {"m": {"kind": "openai", "model": "x", "prompt": "final"}}
    out = prompt_variants(specs, ["final", "zoom"])
    assert out == {"m": specs["m"], "m-zoom": {"kind": "openai", "model": "x", "prompt": "zoom"}}


def test_openai_listing_over_http() -> None:
    with FakeOpenAIServer(models=["vlm-b", "vlm-a", "vlm-a"]) as srv:
        p = ProviderParams(
            name="local", kind="openai", base_url=srv.base_url, api_key_env="VIPBENCH_TEST_NO_KEY"
        )
        assert list_openai_models(p) == ["vlm-a", "vlm-b"]
    down = ProviderParams(
        name="down", kind="openai", base_url=f"http://127.0.0.1:{closed_port()}/v1", timeout=2
    )
    with pytest.raises(ProviderUnavailable, match="127.0.0.1"):
        list_openai_models(down)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"HF_HUB_OFFLINE": "1"}, "HF_HUB_OFFLINE is set"),
        ({"HF_ENDPOINT": "http://127.0.0.1:{port}"}, "Hugging Face Hub offline: cannot reach 127.0.0.1"),
    ],
)
def test_hub_listing_fails_soft_when_offline(env: dict[str, str], message: str) -> None:
    """In a fresh process, because huggingface_hub reads these variables when it is imported."""
    code = (
        "from vipbench.ops.releases import ProviderParams, ProviderUnavailable, list_hf_models\n"
        "try:\n"
        "    list_hf_models(ProviderParams(name='hub', kind='hf_hub', author='Qwen', timeout=3))\n"
        "except ProviderUnavailable as e:\n"
        "    print('UNAVAILABLE', e)\n"
    )
    full = {**os.environ, **{k: v.format(port=closed_port()) for k, v in env.items()}}
    if "HF_HUB_OFFLINE" not in env:
        full.pop("HF_HUB_OFFLINE", None)
        full.pop("TRANSFORMERS_OFFLINE", None)
    p = subprocess.run(
        [sys.executable, "-c", code], env=full, cwd=REPO, capture_output=True, text=True, timeout=60
    )
    assert p.returncode == 0, p.stderr
    assert p.stdout.startswith("UNAVAILABLE") and message in p.stdout, p.stdout


def test_evaluated_reads_mlflow_tags(tmp_path: Path) -> None:
    from mlflow.tracking import MlflowClient

    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    assert evaluated(uri, "vipbench-x", "v1") == set()  # no experiment yet
    client = MlflowClient(tracking_uri=uri)
    exp = client.create_experiment("vipbench-x", artifact_location=(tmp_path / "mlruns").as_uri())

    def make(model: str | None, prompt: str, version: str, metric: bool = True) -> None:
        tags = {"vipbench.prompt": prompt, "vipbench.dataset_version": version}
        if model:
            tags["vipbench.model"] = model
        r = client.create_run(exp, tags=tags)
        if metric:
            client.log_metric(r.info.run_id, "overall.accuracy", 0.5)

    make("m1", "final", "v1")
    make("m1", "naive", "v1")
    make("m2", "final", "v0")  # an older dataset version
    make("m3", "final", "v1", metric=False)  # started, never scored
    make(None, "none", "v1")  # the summary run has no model
    assert evaluated(uri, "vipbench-x", "v1") == {("m1", "final"), ("m1", "naive")}
    assert evaluated(uri, "vipbench-x", "v0") == {("m2", "final")}
