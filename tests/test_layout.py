"""The package layout: few loose modules, and no import cycle among vipbench's modules.

The graph is `vipbench.ops.imports`' (the one DVC's stage dependencies come from): imports inside
functions count, a lazy import still ties two modules together; imports under `if TYPE_CHECKING:`
do not, because they never run.
"""

from __future__ import annotations

from pathlib import Path

import vipbench
from vipbench.ops import imports

PKG = Path(vipbench.__file__).parent


def import_graph() -> dict[str, set[str]]:
    # import statements only: a registry naming its kinds' modules in a lazy table is no cycle
    return imports.import_graph(imports.read_package(PKG.parent), lazy=False)


def find_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []
    counter = [0]

    def strong(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    import sys

    sys.setrecursionlimit(10000)
    for v in sorted(graph):
        if v not in index:
            strong(v)
    return out


def test_no_import_cycle() -> None:
    cycles = find_cycles(import_graph())
    assert cycles == [], "import cycles:\n" + "\n".join(" <-> ".join(c) for c in cycles)


def test_core_imports_nothing_else_of_vipbench() -> None:
    graph = import_graph()
    for mod, deps in graph.items():
        if mod.startswith("vipbench.core"):
            outside = {d for d in deps if not d.startswith("vipbench.core") and d != "vipbench"}
            assert not outside, f"{mod} imports {sorted(outside)}"


def test_at_most_eight_loose_modules() -> None:
    loose = sorted(p.name for p in PKG.glob("*.py"))
    assert len(loose) <= 8, loose


def test_cycle_finder_finds_a_cycle() -> None:
    assert find_cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


#: files allowed over the limit while they are being split (none now)
TOO_LONG_FOR_NOW: set[str] = set()


def test_no_source_file_is_longer_than_800_lines() -> None:
    files = PKG.rglob("*.py")
    lengths = {p.relative_to(PKG).as_posix(): len(p.read_text(encoding="utf-8").splitlines()) for p in files}
    assert {f: n for f, n in lengths.items() if n > 800 and f not in TOO_LONG_FOR_NOW} == {}


def test_benchmarks_import_no_test_module() -> None:
    root = PKG.parents[1]
    found = []
    for path in sorted((root / "bench").rglob("*.py")):
        for module in imports.imported_names(path):
            if module == "tests" or module.startswith("tests."):
                found.append(f"{path.name}: {module}")
    assert found == [], "bench/ imports tests (shared helpers belong in testkit/)"
