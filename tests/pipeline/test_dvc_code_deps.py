"""Every DVC stage depends on the code it runs, so `dvc status` tells the truth after a code edit.

The fast test reads dvc.yaml: every file of the package is under some stage's dependencies, and
every stage depends on the `vipbench` command itself. The slow test runs the real pipeline in a
temporary repository copy, records which vipbench modules each stage's command imports
(`PYTHONPROFILEIMPORTTIME`), then edits every module and data file of the package in turn and
checks that `dvc status` reports each stage that imports it.

Modules that merely loading params.yaml imports (the spec classes that validate it) are expected
of `configure` only: it writes each run's and each defense's resolved spec, which the other
stages depend on, so a change there reaches them through its outputs.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest
import yaml

from tests.support.repo import REPO, env, make_repo, run

PKG = Path("src") / "vipbench"
#: what every `vipbench <command>` stage runs, whatever the command
ENTRY = (
    "src/vipbench/__init__.py",
    "src/vipbench/cli.py",
    "src/vipbench/config.py",
    "src/vipbench/workspace.py",
    "src/vipbench/core",
    "src/vipbench/pipeline/__init__.py",
)
#: data files: which stage reads them (imports cannot show it)
DATA_READERS = {
    "src/vipbench/prompts/templates": {"infer", "infer_defended"},
    "src/vipbench/scoring/judge_prompts": {"score", "score_defended"},
    "src/vipbench/data": {"report"},
}


def package_files(root: Path) -> list[str]:
    """Every module and data file of the package, relative to `root`."""
    return sorted(
        p.relative_to(root).as_posix()
        for p in (root / PKG).rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and not p.name.endswith((".pyc", ".pyo"))
    )


def stage_code_deps() -> dict[str, list[str]]:
    """Stage (group) name -> its dependencies under src/, from dvc.yaml."""
    stages = yaml.safe_load((REPO / "dvc.yaml").read_text())["stages"]
    out = {}
    for name, st in stages.items():
        body = st.get("do", st)
        out[name] = [d for d in body.get("deps", []) if d.startswith("src/")]
    return out


def covered(path: str, deps: list[str]) -> bool:
    return any(path == d or path.startswith(d.rstrip("/") + "/") for d in deps)


def test_every_package_file_is_a_dependency_of_some_stage() -> None:
    deps = stage_code_deps()
    alone = [f for f in package_files(REPO) if not any(covered(f, d) for d in deps.values())]
    assert alone == [], f"not a dependency of any stage: {alone}"


def test_every_stage_depends_on_the_command_it_runs() -> None:
    stages = yaml.safe_load((REPO / "dvc.yaml").read_text())["stages"]
    for name, deps in stage_code_deps().items():
        assert set(ENTRY) <= set(deps), f"{name} misses {sorted(set(ENTRY) - set(deps))}"
        cmd = stages[name].get("do", stages[name])["cmd"]
        module = f"src/vipbench/pipeline/{cmd.split()[1].replace('-', '_')}.py"
        assert (REPO / module).is_file() and module in deps, f"{name}: runs {module}"
    for folder, readers in DATA_READERS.items():
        for stage in readers:
            assert covered(folder + "/x", stage_code_deps()[stage]), f"{stage} reads {folder}"


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
        if not reported:
            problems.append(f"{rel}: no stage depends on it")
        elif expected - reported:
            problems.append(f"{rel}: run by {sorted(expected)}; dvc status misses {sorted(expected - reported)}")
    assert not problems, "\n".join(problems)
