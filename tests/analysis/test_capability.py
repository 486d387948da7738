"""The capability registry: its numbers match the reference tables, and lookups find models by any name."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest

from testkit.vip import SHARED
from vipbench.analysis.capability import (
    COLUMNS,
    CapabilityEntry,
    CapabilityRegistry,
    Score,
    load_registry,
    lookup,
    scores_for,
)
from vipbench.core.errors import ConfigError

REFERENCE = SHARED / "reference"
REGISTRY = load_registry()


def _table(name: str) -> dict[str, dict[str, str]]:
    path = REFERENCE / name
    if not path.is_file():
        pytest.skip(f"reference table {path} is not available")
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    by_model = {r["model"]: r for r in rows}
    assert len(by_model) == len(rows), f"{name}: duplicate model names"
    return by_model


def _table_scores() -> list[tuple[str, str, Score]]:
    out = []
    for e in REGISTRY.models:
        for col, s in e.scores.items():
            out.append((e.id, col, s))
        for col, alts in e.alternatives.items():
            out.extend((e.id, col, s) for s in alts)
    return out


ALL_SCORES = _table_scores()


def test_registry_is_versioned_and_names_its_columns() -> None:
    assert isinstance(REGISTRY.version, int) and REGISTRY.version >= 1
    assert isinstance(REGISTRY.updated, dt.date)
    assert set(COLUMNS) <= set(REGISTRY.columns)
    assert set(REGISTRY.tables) == {"mmmu_leaderboard.csv", "opencompass_vlm.csv"}


@pytest.mark.parametrize(
    ("model", "col", "score"),
    [s for s in ALL_SCORES if s[2].table is not None],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_every_table_number_equals_its_cell(model: str, col: str, score: Score) -> None:
    assert score.table is not None and score.row is not None and score.column is not None
    rows = _table(score.table)
    assert score.row in rows, f"{model}.{col}: no row {score.row!r} in {score.table}"
    cell = rows[score.row][score.column]
    assert cell != "", f"{model}.{col}: {score.table} row {score.row!r} has no {score.column}"
    assert float(cell) == score.value
    # the registry's columns map to the tables' columns one way only
    expected = {"mmmu_val": {"mmmu_val", "MMMU_VAL"}, "opencompass_avg8": {"avg8"}}[col]
    assert score.column in expected


def test_scores_not_from_a_table_are_the_authors_figures_in_sources_md() -> None:
    path = REFERENCE / "SOURCES.md"
    if not path.is_file():
        pytest.skip("SOURCES.md is not available")
    text = path.read_text(encoding="utf-8")
    others = [s for s in ALL_SCORES if s[2].table is None]
    assert others, "expected the study authors' own MMMU figures"
    for model, col, s in others:
        assert s.source == "reported by the study's authors"
        assert col == "mmmu_val"
        assert f"{s.row} has MMMU val {s.value:g}" in text, model


def test_the_studys_seven_models_are_there() -> None:
    study = {e.study: e for e in REGISTRY.models if e.study}
    assert set(study) == {
        "GPT4-V",
        "Gemini-Pro",
        "LLaVA-NeXT 34B",
        "InternVL-Chat-V1.2-Plus",
        "CogAgent-VQA",
        "Idefics 80B",
        "LLaVA-NeXT 7B",
    }
    assert study["CogAgent-VQA"].scores == {}
    assert study["InternVL-Chat-V1.2-Plus"].scores["mmmu_val"].value == 50.3
    assert study["LLaVA-NeXT 34B"].scores["mmmu_val"].value == 48.1
    assert [a.value for a in study["LLaVA-NeXT 34B"].alternatives["mmmu_val"]] == [51.1]


@pytest.mark.parametrize(
    "family",
    [
        "gpt-4o",
        "claude-3.5",
        "gemini-1.5",
        "qwen2-vl",
        "qwen2.5-vl",
        "internvl2",
        "internvl2.5",
        "llava-onevision",
        "idefics3",
        "smolvlm",
        "pixtral",
        "llama-3.2-vision",
        "gemma-3",
    ],
)
def test_current_families_are_covered(family: str) -> None:
    assert any(e.family == family for e in REGISTRY.models)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("gpt-4o-2024-08-06", "gpt-4o-2024-08-06"),
        ("GPT-4o", "gpt-4o-2024-08-06"),
        ("gpt-4o-2024-05-13", "gpt-4o-2024-05-13"),  # its own entry beats the date-stripped alias
        ("Qwen/Qwen2-VL-7B-Instruct", "qwen2-vl-7b-instruct"),
        ("qwen/qwen2-vl-7b-instruct", "qwen2-vl-7b-instruct"),
        ("llava:34b", "llava-v1.6-34b"),
        ("LLAVA:34B", "llava-v1.6-34b"),
        ("llava:latest", "llava-v1.6-mistral-7b"),
        ("gemma3:27b", "gemma-3-27b-it"),
        ("llama3.2-vision", "llama-3.2-11b-vision-instruct"),
    ],
)
def test_lookup_by_id_or_alias_ignores_case(name: str, expected: str) -> None:
    entry = lookup(name)
    assert entry is not None and entry.id == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("openai/gpt-4o", "gpt-4o-2024-08-06"),
        ("openai/gpt-4o-mini", "gpt-4o-mini-2024-07-18"),
        ("models/gemini-1.5-flash", "gemini-1.5-flash-002"),
        ("models/gemini-1.5-pro-001", "gemini-1.5-pro-001"),
        ("openrouter/meta-llama/Llama-3.2-90B-Vision-Instruct", "llama-3.2-90b-vision-instruct"),
        ("someone/Qwen2.5-VL-72B-Instruct", "qwen2.5-vl-72b-instruct"),
    ],
)
def test_lookup_strips_provider_prefixes(name: str, expected: str) -> None:
    entry = lookup(name)
    assert entry is not None and entry.id == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("gpt-4o-2025-03-01", "gpt-4o-2024-08-06"),
        ("openai/gpt-4o-mini-2099-01-01", "gpt-4o-mini-2024-07-18"),
        ("claude-3-5-sonnet@20240620", "claude-3-5-sonnet-20240620"),
        ("claude-3-5-sonnet-20250101", "claude-3-5-sonnet-20240620"),
        ("anthropic/claude-3-5-sonnet-20241022", "claude-3-5-sonnet-20241022"),
    ],
)
def test_lookup_strips_date_suffixes_as_a_fallback(name: str, expected: str) -> None:
    entry = lookup(name)
    assert entry is not None and entry.id == expected


@pytest.mark.parametrize("name", ["gpt-5", "openai/o3", "my-finetune", "", "2024-08-06"])
def test_unknown_models_are_none(name: str) -> None:
    assert lookup(name) is None


def test_scores_for_merges_the_spec_override_per_key() -> None:
    assert scores_for("gpt-4o-2024-05-13") == {"mmmu_val": 69.1, "opencompass_avg8": 70.9}
    assert scores_for("gpt-4o-2024-05-13", {"mmmu_val": 72.0}) == {"mmmu_val": 72.0, "opencompass_avg8": 70.9}
    assert scores_for("my-finetune", {"mmmu_val": 40}) == {"mmmu_val": 40.0}
    assert scores_for("my-finetune") == {}
    assert scores_for(None, {"mmmu_val": 1.5}) == {"mmmu_val": 1.5}
    assert scores_for("cogagent-vqa") == {}  # known model, no published figure


def test_describe_names_the_source_of_each_value() -> None:
    d = REGISTRY.describe("llava:34b", {"opencompass_avg8": 1.0})
    assert d["mmmu_val"]["value"] == 48.1
    assert d["mmmu_val"]["source"] == 'mmmu_leaderboard.csv, row "LLaVA-NEXT-34B", column mmmu_val'
    assert d["opencompass_avg8"] == {"value": 1.0, "source": "model spec (params.yaml)"}


HEADER = """\
version: 3
updated: 2026-01-01
columns: {mmmu_val: MMMU val}
tables: {t.csv: a table}
models:
"""


def _write(tmp_path: Path, models: str) -> Path:
    p = tmp_path / "caps.yaml"
    p.write_text(HEADER + models, encoding="utf-8")
    return p


def test_a_registry_file_can_be_loaded_from_a_path(tmp_path: Path) -> None:
    reg = load_registry(
        _write(
            tmp_path,
            "  - {id: m1, name: M1, aliases: [Org/M1-Chat], "
            "scores: {mmmu_val: {value: 40.0, table: t.csv, row: M1, column: mmmu_val}}}\n",
        )
    )
    assert isinstance(reg, CapabilityRegistry) and reg.version == 3
    entry = lookup("org/m1-chat", reg)
    assert isinstance(entry, CapabilityEntry) and entry.id == "m1"
    assert scores_for("m1-chat", None, reg) == {"mmmu_val": 40.0}


@pytest.mark.parametrize(
    ("models", "message"),
    [
        ("  - {id: a, name: A, aliases: [x]}\n  - {id: b, name: B, aliases: [X]}\n", "claimed by both 'a' and 'b'"),
        (
            "  - {id: a, name: A, scores: {mmmu_val: {value: 1, table: other.csv, row: A, column: c}}}\n",
            "not listed under `tables`",
        ),
        ("  - {id: a, name: A, scores: {mmmu_val: {value: 1}}}\n", "needs a `table`"),
        ("  - {id: a, name: A, scores: {mmmu_val: {value: 1, table: t.csv}}}\n", "needs both `row` and `column`"),
        ("  - {id: a, name: A, scores: {elo: {value: 1, source: me}}}\n", "unknown column"),
        ("  - {id: a, name: A, colour: red}\n", "colour"),
    ],
)
def test_bad_registry_files_are_config_errors(tmp_path: Path, models: str, message: str) -> None:
    with pytest.raises(ConfigError, match="caps.yaml") as err:
        load_registry(_write(tmp_path, models))
    assert message in str(err.value)
