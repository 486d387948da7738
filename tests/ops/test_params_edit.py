"""params_edit: model runs added to params.yaml keep every comment, and the file stays valid."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

from testkit.repo import REPO
from vipbench.config import load_params
from vipbench.core.errors import ConfigError
from vipbench.ops.params_edit import add_models, read_models, set_models

SPEC = {"kind": "majority", "capability": {"mmmu_val": 51.5}}


def copy_params(tmp_path: Path) -> Path:
    p = tmp_path / "params.yaml"
    p.write_text((REPO / "params.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    return p


def comments(text: str) -> list[str]:
    return [line.split("#", 1)[1] for line in text.splitlines() if "#" in line]


def test_adding_a_run_keeps_the_rest_of_the_file_byte_for_byte(tmp_path: Path) -> None:
    p = copy_params(tmp_path)
    before = p.read_text()
    assert add_models(p, {"new-run.v2": SPEC}) == ["new-run.v2"]
    after = p.read_text()

    # every original line is still there, in order, and only the new entry was added
    added = ["  new-run.v2:", "    kind: majority", "    capability:", "      mmmu_val: 51.5"]
    old_lines, new_lines = before.splitlines(), after.splitlines()
    assert [ln for ln in new_lines if ln not in added] == old_lines
    assert comments(after) == comments(before)
    # the new entry sits inside `models`, above the comment that introduces the next section
    i = new_lines.index("  new-run.v2:")
    models_at = new_lines.index("models:")
    assert all(ln.startswith("  ") for ln in new_lines[models_at + 1 : i + 4])
    assert load_params(p).models["new-run.v2"].capability == {"mmmu_val": 51.5}


def test_existing_entries_are_left_alone_or_replaced_on_request(tmp_path: Path) -> None:
    p = copy_params(tmp_path)
    before = p.read_text()
    mtime = p.stat().st_mtime_ns
    assert add_models(p, {"majority": {"kind": "majority", "prompt": "naive"}}) == []
    assert set_models(p, {"majority": {"kind": "majority"}}) == []  # same spec: nothing to write
    assert p.read_text() == before and p.stat().st_mtime_ns == mtime

    assert set_models(p, {"majority": {"kind": "majority", "prompt": "naive"}}) == ["majority"]
    assert read_models(p)["majority"] == {"kind": "majority", "prompt": "naive"}
    # the comment block of the next section stays below the replaced last entry
    text = p.read_text()
    assert text.index("prompt: naive") < text.index("# Accuracy against general capability")


def test_invalid_result_is_refused_and_the_file_untouched(tmp_path: Path) -> None:
    p = copy_params(tmp_path)
    before = p.read_bytes()
    with pytest.raises(ConfigError, match=r"models\.bad\.max_tokens"):
        add_models(p, {"ok": SPEC, "bad": {"kind": "openai", "model": "m", "max_tokens": "many"}})
    with pytest.raises(ConfigError, match="run names may use only"):
        add_models(p, {"has space": SPEC})
    assert p.read_bytes() == before
    assert [f.name for f in tmp_path.iterdir()] == ["params.yaml"]  # no temporary files left


@pytest.mark.parametrize(
    ("text", "expect_line"),
    [
        ("models: {}   # none yet\n\n# next section\nscoring:\n  seed: 1\n", "models:      # none yet"),
        ("models:\n# next section\nscoring:\n  seed: 1\n", "models:"),
        ("scoring:\n  seed: 1  # the seed\n", "scoring:"),
    ],
)
def test_empty_or_missing_models(tmp_path: Path, text: str, expect_line: str) -> None:
    p = tmp_path / "params.yaml"
    p.write_text(text)
    assert add_models(p, {"a": {"kind": "majority"}}) == ["a"]
    out = p.read_text()
    assert expect_line in out.splitlines()
    assert yaml.safe_load(out)["models"] == {"a": {"kind": "majority"}}
    assert comments(out) == comments(text)
    if "# next section" in text:
        assert out.index("  a:\n    kind: majority") < out.index("# next section")


def test_sequence_indentation_and_null_are_kept(tmp_path: Path) -> None:
    p = tmp_path / "params.yaml"
    text = "attributes:\n- sex\n- age\nmlflow:\n  experiment: null\nmodels:\n  m:\n    kind: majority\n"
    p.write_text(text)
    add_models(p, {"n": {"kind": "majority", "capability": {"mmmu_val": 1.0}}})
    assert p.read_text() == text + "  n:\n    kind: majority\n    capability:\n      mmmu_val: 1.0\n"


def test_permissions_are_kept(tmp_path: Path) -> None:
    p = copy_params(tmp_path)
    os.chmod(p, 0o640)
    add_models(p, {"x": SPEC})
    assert p.stat().st_mode & 0o777 == 0o640
