"""The configure stage: one resolved spec file per run and per defense, dotted names included."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import yaml

from testkit.vip import label, record, write_dataset
from vipbench.core.errors import ConfigError
from vipbench.pipeline.configure import configure
from vipbench.workspace import Workspace


def workspace(root: Path, **extra: object) -> Workspace:
    for kind in ("majority", "openai"):  # each kind's code folder (`vipbench dvc-deps` writes them)
        (root / "deps" / "kinds" / kind).mkdir(parents=True, exist_ok=True)
    write_dataset(root / "data", [record("i0", {"sex": label("Female")})])
    params = {
        "models": {
            "majority": {"kind": "majority"},
            "gpt-4.1": {"kind": "openai", "model": "gpt-4.1", "api_key_env": "VIPBENCH_TEST_CONFIGURE_KEY"},
        },
        "defenses": {"jpeg.q30": {"kind": "jpeg", "quality": 30}},
        **extra,
    }
    (root / "params.yaml").write_text(yaml.safe_dump(params))
    return Workspace.load(root)


def test_one_file_per_run_and_defense_with_defaults_and_no_secret(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VIPBENCH_TEST_CONFIGURE_KEY", "sk-very-secret-value")
    ws = workspace(tmp_path)
    assert configure(ws) == {"models": 2, "defenses": 1}
    gpt = json.loads(ws.model_config_file("gpt-4.1").read_text())
    assert ws.model_config_file("gpt-4.1") == tmp_path / "build" / "config" / "models" / "gpt-4.1.json"
    assert gpt["run"] == "gpt-4.1" and gpt["spec"]["model"] == "gpt-4.1"
    assert gpt["spec"]["prompt"] == "final" and gpt["spec"]["api_key_env"] == "VIPBENCH_TEST_CONFIGURE_KEY"
    jpeg = json.loads(ws.defense_config_file("jpeg.q30").read_text())
    assert jpeg == {"defense": "jpeg.q30", "spec": {"kind": "jpeg", **jpeg["spec"], "quality": 30}}
    for f in (tmp_path / "build" / "config").rglob("*.json"):
        assert "sk-very-secret-value" not in f.read_text()

    # deterministic, and one edit changes one file
    before = {f: f.read_bytes() for f in (tmp_path / "build" / "config").rglob("*.json")}
    configure(ws)
    assert {f: f.read_bytes() for f in before} == before
    p = yaml.safe_load((tmp_path / "params.yaml").read_text())
    p["models"]["gpt-4.1"]["max_tokens"] = 100
    (tmp_path / "params.yaml").write_text(yaml.safe_dump(p))
    configure(Workspace.load(tmp_path))
    changed = {f.name for f, b in before.items() if f.read_bytes() != b}
    assert changed == {"gpt-4.1.json"}



def test_links_each_run_to_its_kinds_code(tmp_path: Path) -> None:
    # every run, defended or not (only majority is): its `infer` stages depend on the link
    ws = workspace(tmp_path, defense_eval={"runs": ["majority"], "defenses": ["jpeg.q30"]})
    (tmp_path / "deps" / "runs").mkdir()
    (tmp_path / "deps" / "runs" / "gone").symlink_to("../kinds/majority")
    configure(ws)
    runs = tmp_path / "deps" / "runs"
    assert {p.name: os.readlink(p) for p in runs.iterdir()} == {
        "majority": "../kinds/majority",
        "gpt-4.1": "../kinds/openai",
    }
    # a kind without its folder (`vipbench dvc-deps` writes them) stops the pipeline here
    (tmp_path / "deps" / "kinds" / "openai").rmdir()
    (runs / "gpt-4.1").unlink()
    with pytest.raises(ConfigError, match=r"deps/kinds/openai: missing .* run `vipbench dvc-deps`"):
        configure(ws)
