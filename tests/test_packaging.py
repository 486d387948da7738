"""`pip install .` installs the package with its data files and the Prefect flows beside it."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from testkit.repo import REPO


@pytest.mark.slow
def test_the_wheel_holds_the_flows_and_the_package_data(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(REPO / name, src / name)
    for name in ("src", "flows"):
        shutil.copytree(REPO / name, src / name, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    out = tmp_path / "wheel"
    cmd = [sys.executable, "-m", "pip", "wheel", str(src), "--no-deps", "--no-build-isolation", "-q", "-w", str(out)]
    subprocess.run(cmd, check=True, capture_output=True)
    (wheel,) = out.glob("vipbench-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    flows = {p.relative_to(REPO).as_posix() for p in (REPO / "flows").glob("*.py")}
    assert flows <= names
    data = {
        p.relative_to(REPO / "src").as_posix()
        for p in (REPO / "src" / "vipbench").rglob("*")
        if p.is_file() and p.suffix not in (".py", ".pyc") and "__pycache__" not in p.parts
    }
    assert data <= names, sorted(data - names)


def test_dvc_parses_its_yaml_files_in_c() -> None:
    """DVC reads dvc.yaml and dvc.lock with ruamel.yaml; the install brings its C parser
    (`ruamel.yaml.clib`): without it a `dvc status` of this pipeline costs 1.5x the CPU."""
    from ruamel.yaml import YAML
    from ruamel.yaml.main import CParser

    assert CParser is not None
    assert YAML(typ="safe").Parser is CParser  # the loader DVC's parse_yaml builds
