"""Every DVC stage depends on exactly the code it runs, so `dvc status` tells the truth after a code edit.

The fast tests compare dvc.yaml with the import graph (`vipbench.ops.stage_deps`): a stage that
misses a module its command imports fails, and so does a stage that lists a module it does not
import. `vipbench dvc-deps` rewrites dvc.yaml to match. The slow test runs the real pipeline in a
temporary repository copy, records which package files each stage's command opens, edits each in
turn and checks that `dvc status` reports every stage that opened it.

Modules that merely loading params.yaml opens (the spec classes that validate it) are expected of
`configure` only: it writes each run's and each defense's resolved spec, which the other stages
depend on, so a change there reaches them through its outputs.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

import pytest
import yaml

from testkit.repo import REPO, env, make_repo, run
from vipbench.ops.imports import import_graph, reach, read_package
from vipbench.ops.stage_deps import declared_deps, drift, expected_deps, rewrite

PKG = Path("src") / "vipbench"


def package_files(root: Path) -> list[str]:
    """Every module and data file of the package, relative to `root`."""
    return sorted(
        p.relative_to(root).as_posix()
        for p in (root / PKG).rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and not p.name.endswith((".pyc", ".pyo"))
    )


def test_dvc_yaml_lists_exactly_the_code_each_stage_imports() -> None:
    problems = drift(REPO)
    assert not problems, "run `vipbench dvc-deps`:\n" + "\n".join(map(str, problems))


def test_stages_depend_only_on_their_own_code() -> None:
    deps = expected_deps(REPO)
    # the release watcher runs in flows/ only; the figures in the report only
    assert not [s for s, d in deps.items() if "src/vipbench/ops/releases.py" in d]
    assert [s for s, d in deps.items() if "src/vipbench/analysis/figures.py" in d] == ["report"]
    # no stage runs another stage's module
    for stage, d in deps.items():
        modules = {f for f in d if f.startswith("src/vipbench/pipeline/") and not f.endswith("__init__.py")}
        stages = {f for f in modules if Path(f).stem in deps}
        assert len(stages) == 1, f"{stage} imports {sorted(stages)}"
    # the model kinds are inference's (and configure's, which validates their specs)
    for stage in ("prepare", "score", "report", "defend"):
        assert "src/vipbench/models/adversaries/ocr.py" not in deps[stage], stage


def _copy(tmp: Path) -> Path:
    root = tmp / "repo"
    shutil.copytree(REPO / "src", root / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    shutil.copy2(REPO / "dvc.yaml", root / "dvc.yaml")
    return root


def test_a_missing_dependency_fails(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    text = (root / "dvc.yaml").read_text()
    (root / "dvc.yaml").write_text(text.replace("      - src/vipbench/analysis/figures.py\n", "", 1))
    assert [str(d) for d in drift(root)] == ["report: missing ['src/vipbench/analysis/figures.py']"]


def test_a_superfluous_dependency_fails(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    deps = declared_deps(root)
    deps["report"] = [*deps["report"], "src/vipbench/ops/releases.py"]
    (root / "dvc.yaml").write_text(rewrite((root / "dvc.yaml").read_text(), deps))
    assert [str(d) for d in drift(root)] == ["report: superfluous ['src/vipbench/ops/releases.py']"]


def test_rewrite_restores_the_graph_and_keeps_the_rest(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    before = (root / "dvc.yaml").read_text()
    emptied = rewrite(before, {s: [] for s in declared_deps(root)})
    assert "src/vipbench" not in emptied and emptied.count("#") == before.count("#")
    (root / "dvc.yaml").write_text(emptied)
    assert {d.stage for d in drift(root)} == set(declared_deps(root))
    assert rewrite(emptied, expected_deps(root)) == before


def test_imports_inside_functions_and_lazy_tables_count_type_checking_does_not(tmp_path: Path) -> None:
    pkg = tmp_path / "vipbench"
    (pkg / "data").mkdir(parents=True)
    (pkg / "data" / "table.csv").write_text("a\n")
    for name, text in {
        "__init__.py": "",
        "a.py": "def f():\n    from vipbench import b\n",
        "b.py": "KINDS = {'c': 'vipbench.c'}\nNAME = 'table.csv'\n",
        "c.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from vipbench import d\n",
        "d.py": "",
    }.items():
        (pkg / name).write_text(text)
    mods = read_package(tmp_path)
    graph = import_graph(mods)
    assert reach(graph, ["vipbench.a"]) == {"vipbench", "vipbench.a", "vipbench.b", "vipbench.c"}
    assert mods["vipbench.b"].reads == {"vipbench/data/table.csv"} and mods["vipbench.b"].lazy == {"vipbench.c"}
    assert reach(graph, ["vipbench.a"], skip={("vipbench.a", "vipbench.b")}) == {"vipbench", "vipbench.a"}


# -- the real thing ----------------------------------------------------------------------------

#: a `sitecustomize` that records every file of the package a Python process opens (modules,
#: their bytecode, data files), through an audit hook, and appends them to $VIPBENCH_OPENED_LOG
OPEN_HOOK = """
import atexit, os, sys

_log = os.environ.get("VIPBENCH_OPENED_LOG")
if _log:
    _seen = set()

    def _hook(event, args):
        if event == "open" and args and not isinstance(args[0], int):
            path = os.fsdecode(os.fspath(args[0]))
            if "vipbench" in path:
                _seen.add(path)

    def _dump():
        lines = sorted(_seen)
        with open(_log, "a", encoding="utf-8") as fh:
            fh.write("\\n".join(lines) + "\\n")

    sys.addaudithook(_hook)
    atexit.register(_dump)
"""


def package_path(opened: str) -> str | None:
    """`src/vipbench/...` for a path a process opened (bytecode maps to its source), else None."""
    marker = "/src/vipbench/"
    if marker not in opened:
        return None
    rel = Path("src/vipbench") / opened.rsplit(marker, 1)[1]
    if rel.parent.name == "__pycache__":
        rel = rel.parent.parent / (rel.name.split(".")[0] + ".py")
    return rel.as_posix()


def opened(cmd: list[str], root: Path, hook_dir: Path) -> set[str]:
    """The package files (modules and data) a command opens."""
    log = hook_dir / "opened.log"
    log.unlink(missing_ok=True)
    e = env()
    e["PYTHONPATH"] = os.pathsep.join(p for p in (str(hook_dir), e.get("PYTHONPATH", "")) if p)
    e["VIPBENCH_OPENED_LOG"] = str(log)
    run(cmd, root, env=e)
    paths = {package_path(line) for line in log.read_text().splitlines() if line.strip()}
    return {p for p in paths if p}


@pytest.mark.slow
def test_dvc_status_sees_every_code_edit(tmp_path: Path) -> None:
    from vipbench.dataset.synthetic.generator import generate

    data = generate(tmp_path / "synth", n_images=3, seed=0)
    params = {
        "models": {"ocr": {"kind": "ocr"}},
        "defenses": {"strip_metadata": {"kind": "strip_metadata"}},
        "defense_eval": {"runs": ["ocr"], "defenses": ["strip_metadata"]},
        "scoring": {"bootstrap_samples": 20, "seed": 0, "reviews": "reviews/decisions.jsonl"},
    }
    root = make_repo(tmp_path, data, params)
    run(["dvc", "repro"], root)
    assert json.loads(run(["dvc", "status", "--json"], root).stdout) == {}
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(OPEN_HOOK)

    # what each stage's command opens beyond what loading params.yaml opens
    load = "import vipbench.cli; from vipbench.workspace import Workspace; Workspace.load()"
    baseline = opened([sys.executable, "-c", load], root, hook)
    assert "src/vipbench/config.py" in baseline
    one = {
        "configure": ("configure", ["vipbench", "configure"]),
        "prepare": ("prepare", ["vipbench", "prepare"]),
        "infer": ("infer@ocr", ["vipbench", "infer", "ocr"]),
        "score": ("score@ocr", ["vipbench", "score", "ocr"]),
        "defend": ("defend@strip_metadata", ["vipbench", "defend", "strip_metadata"]),
        "infer_defended": ("infer_defended@ocr-strip_metadata", ["vipbench", "infer", "ocr+strip_metadata"]),
        "score_defended": ("score_defended@ocr-strip_metadata", ["vipbench", "score", "ocr+strip_metadata"]),
        "report": ("report", ["vipbench", "report"]),
    }
    assert set(one) == set(yaml.safe_load((root / "dvc.yaml").read_text())["stages"])
    uses: dict[str, set[str]] = {}
    for group, (_, cmd) in one.items():
        files = opened(cmd, root, hook)
        assert f"src/vipbench/pipeline/{cmd[1]}.py" in files
        uses[group] = files if group == "configure" else files - baseline
    assert "src/vipbench/models/adversaries/ocr.py" in uses["configure"]  # the spec validates there
    # the commands rewrote identical outputs
    assert json.loads(run(["dvc", "status", "--json"], root).stdout) == {}

    problems = []
    for rel in package_files(root):
        path = root / rel
        before = path.read_bytes()
        path.write_bytes(before + (b"\n# edited\n" if rel.endswith(".py") else b"\n"))
        try:
            reported = set(json.loads(run(["dvc", "status", "--json"], root).stdout))
        finally:
            path.write_bytes(before)
        expected = {one[g][0] for g, files in uses.items() if rel in files}
        if expected - reported:
            problems.append(f"{rel}: run by {sorted(expected)}; dvc status misses {sorted(expected - reported)}")
    assert not problems, "\n".join(problems)
