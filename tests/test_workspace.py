"""vipbench.workspace: a run resolved once, for plain and defended run names."""

from __future__ import annotations

from pathlib import Path

import pytest

from vipbench.config import parse_params
from vipbench.core.errors import ConfigError
from vipbench.defenses import DownscaleParams
from vipbench.workspace import OCR_CACHE_ENV, Workspace, defended_run, split_run_name


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    params = parse_params(
        {
            "models": {"majority": {"kind": "majority"}, "qwen2.5-vl": {"kind": "majority"}},
            "defenses": {"half": {"kind": "downscale", "factor": 2}},
            "defense_eval": {"runs": ["qwen2.5-vl"], "defenses": ["half"]},
        }
    )
    return Workspace(tmp_path, params)


def test_plain_run(ws: Workspace) -> None:
    run = ws.run("majority")
    assert (run.name, run.base, run.defense, run.defense_spec) == ("majority", "majority", None, None)
    assert not run.defended
    assert run.spec is ws.params.models["majority"]
    assert run.items_file == ws.root / "build" / "items.jsonl"
    assert run.responses_file == ws.root / "build" / "responses" / "majority.jsonl"
    assert run.scores_file == ws.root / "build" / "scores" / "majority.jsonl"
    assert run.metrics_file == ws.root / "metrics" / "majority.json"
    assert run.tracking_file == ws.root / "build" / "tracking" / "majority.json"
    assert run.utility_file is None


def test_defended_run_with_a_dotted_base(ws: Workspace) -> None:
    name = defended_run("qwen2.5-vl", "half")
    assert name == "qwen2.5-vl+half" and name in ws.run_names()
    run = ws.run(name)
    assert (run.base, run.defense) == ("qwen2.5-vl", "half") and run.defended
    assert run.spec is ws.params.models["qwen2.5-vl"]
    assert run.defense_spec is not None and run.defense_spec.kind == "downscale"
    assert isinstance(run.defense_spec.params, DownscaleParams) and run.defense_spec.params.factor == 2.0
    assert run.items_file == ws.root / "build" / "defended" / "half" / "items.jsonl"
    assert run.utility_file == ws.root / "build" / "defended" / "half" / "utility.json"
    assert run.responses_file == ws.root / "build" / "responses" / "qwen2.5-vl+half.jsonl"
    assert run.metrics_file == ws.root / "metrics" / "qwen2.5-vl+half.json"


def test_where_a_run_reads_images_and_writes_what(ws: Workspace) -> None:
    plain, defended = ws.run("majority"), ws.run("qwen2.5-vl+half")
    assert plain.images_dir == ws.data_dir
    # defended images are a DVC output inside the repository, not a machine-local cache
    assert defended.images_dir == ws.root / "build" / "defended" / "half" / "images"
    assert ws.defense_cache_dir("half") == ws.root / ".vipbench" / "defended" / "half"
    assert defended.details_file == ws.root / "build" / "details" / "qwen2.5-vl+half.json"
    # run-to-run measurements live beside the MLflow run id, outside every DVC output
    assert plain.measurements_file.parent == plain.tracking_file.parent == ws.root / "build" / "tracking"


def test_ocr_cache_beside_the_response_cache_unless_one_file_is_shared(
    ws: Workspace, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv(OCR_CACHE_ENV, raising=False)
    assert ws.ocr_cache_path == ws.cache_path.with_name("ocr-cache.sqlite")
    assert ws.ocr_cache_path.parent == ws.root.resolve() / ".vipbench"
    shared = tmp_path / "elsewhere" / "ocr.sqlite"
    monkeypatch.setenv(OCR_CACHE_ENV, str(shared))
    assert ws.ocr_cache_path == shared.resolve()
    monkeypatch.setenv(OCR_CACHE_ENV, "  ")  # blank is unset
    assert ws.ocr_cache_path == ws.cache_path.with_name("ocr-cache.sqlite")


def test_split_run_name() -> None:
    assert split_run_name("gpt-4.1") == ("gpt-4.1", None)
    assert split_run_name("gpt-4.1+blur_text") == ("gpt-4.1", "blur_text")


@pytest.mark.parametrize(
    ("name", "needle"),
    [
        ("nobody", "models.nobody: no such model run"),
        ("nobody+half", "models.nobody: no such model run"),
        ("majority+sharpen", "defenses.sharpen: no such defense"),
    ],
)
def test_unknown_parts_are_refused(ws: Workspace, name: str, needle: str) -> None:
    with pytest.raises(ConfigError, match=needle):
        ws.run(name)
