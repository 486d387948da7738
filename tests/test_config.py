from __future__ import annotations

from pathlib import Path

import pytest

from vipbench.config import load_params, parse_params, resolve_data_dir
from vipbench.core.errors import ConfigError

REPO = Path(__file__).resolve().parents[1]


def test_repo_params_are_valid() -> None:
    p = load_params(REPO / "params.yaml")
    assert "majority" in p.models
    assert p.filters.min_certainty == 3


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ({"models": {"m": {"kind": "telepathy"}}}, "models.m.kind: unknown model kind 'telepathy'"),
        ({"models": {"m": {"prompt": "final"}}}, "models.m.kind: missing"),
        ({"models": {"m": {"kind": "majority", "colour": 1}}}, "models.m.colour: Extra inputs"),
        ({"filters": {"min_certainty": "high"}}, "filters.min_certainty:"),
        ({"scoring": {"seed": [1]}}, "scoring.seed:"),
        ({"attributes": ["location", "shoeSize"]}, "attributes:"),
    ],
)
def test_bad_params_name_the_key_path(raw: dict, expected: str) -> None:
    with pytest.raises(ConfigError) as e:
        parse_params(raw)
    assert expected in str(e.value)


def test_data_dir_outside_repo_is_refused(tmp_path: Path) -> None:
    p = parse_params({"data": {"dir": "../elsewhere"}})
    with pytest.raises(ConfigError, match="outside the repository"):
        resolve_data_dir(p, tmp_path / "repo")
    ok = parse_params({"data": {"dir": "../elsewhere", "allow_outside_repo": True}})
    assert resolve_data_dir(ok, tmp_path / "repo") == (tmp_path / "elsewhere").resolve()


@pytest.mark.parametrize(
    ("defenses", "expected"),
    [
        ({"soft": {"kind": "blur_text", "radius": -1}}, "defenses.soft.radius: Input should be greater than 0"),
        ({"q": {"kind": "jpeg", "qualty": 5}}, "defenses.q.qualty: Extra inputs"),
        ({"half": {"kind": "downscale", "factor": "big"}}, "defenses.half.factor:"),
        ({"x": {"kind": "sharpen"}}, "defenses.x.kind: unknown defense 'sharpen'"),
        ({"x": {"factor": 2}}, "defenses.x.kind: missing"),
        ({"a+b": {"kind": "none"}}, "defenses.a+b: defense names may use only"),
    ],
)
def test_bad_defense_params_name_the_field(defenses: dict, expected: str) -> None:
    with pytest.raises(ConfigError) as e:
        parse_params({"defenses": defenses})
    assert expected in str(e.value)


def test_defenses_are_typed_once_at_load_time() -> None:
    from vipbench.defenses import BlurTextParams, DownscaleParams

    p = parse_params({"defenses": {"half": {"kind": "downscale", "factor": 4}, "text": {"kind": "blur_text"}}})
    half, text = p.defenses["half"], p.defenses["text"]
    assert half.kind == "downscale" and isinstance(half.params, DownscaleParams) and half.params.factor == 4.0
    assert isinstance(text.params, BlurTextParams) and text.params.mode == "blur"
    # serialised back to the flat params.yaml form, and valid again as such
    assert half.model_dump(mode="json", exclude_unset=True) == {"kind": "downscale", "factor": 4.0}
    again = parse_params({"defenses": {k: v.model_dump(mode="json") for k, v in p.defenses.items()}})
    assert again.defenses == p.defenses


def test_one_run_name_rule_for_models_and_providers() -> None:
    from vipbench.config import is_run_name, to_run_name

    assert is_run_name("qwen2.5-vl_7b") and not is_run_name("a+b") and not is_run_name("")
    assert to_run_name("Qwen/Qwen2.5 VL:7b") == "Qwen-Qwen2.5-VL-7b"
    with pytest.raises(ConfigError, match="models.a/b: run names may use only"):
        parse_params({"models": {"a/b": {"kind": "majority"}}})
    with pytest.raises(ConfigError, match="watch.providers.0.name"):
        parse_params({"watch": {"providers": [{"name": "a b", "kind": "openai"}]}})


def test_a_defense_spec_checks_its_params_class() -> None:
    from vipbench.config import DefenseSpec
    from vipbench.defenses import DownscaleParams

    assert DefenseSpec(kind="downscale", params=DownscaleParams(factor=3)).params.factor == 3.0
    with pytest.raises(ValueError, match="jpeg takes JpegParams, not DownscaleParams"):
        DefenseSpec(kind="jpeg", params=DownscaleParams())


def test_two_cells_with_one_dvc_stage_name_are_refused() -> None:
    """DVC names a matrix cell `<run>-<defense>`: (a-b, c) and (a, b-c) would be one stage."""
    raw = {
        "models": {"a-b": {"kind": "majority"}, "a": {"kind": "majority"}},
        "defenses": {"c": {"kind": "strip_metadata"}, "b-c": {"kind": "strip_metadata"}},
        "defense_eval": {"runs": ["a-b", "a"], "defenses": ["c", "b-c"]},
    }
    with pytest.raises(ConfigError, match="infer_defended@a-b-c"):
        parse_params(raw)
    raw["defense_eval"] = {"runs": ["a-b", "a"], "defenses": ["c"]}
    assert parse_params(raw).defense_eval.runs == ["a-b", "a"]


def test_data_dir_outside_repo_message_says_how_to_track_it(tmp_path: Path) -> None:
    p = parse_params({"data": {"dir": "../elsewhere"}})
    with pytest.raises(ConfigError) as e:
        resolve_data_dir(p, tmp_path / "repo")
    assert "dvc import-url" in str(e.value) and "dvc add" in str(e.value) and "allow_outside_repo" in str(e.value)
