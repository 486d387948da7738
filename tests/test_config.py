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
