"""Every DVC stage depends on exactly the code it runs, so `dvc status` tells the truth after a code edit.

The fast tests compare dvc.yaml, each stage's links under deps/stages/ and each model kind's under
deps/kinds/, with the import graph (`vipbench.ops.stage_deps`): a stage (or a kind) that misses a
module its command imports fails, and so does one that lists a module it does not import.
`vipbench dvc-deps` rewrites them to match. The slow test runs the real pipeline in a temporary
repository copy, records which package files each stage's command opens, and checks that DVC's own
index of the pipeline hashes every one of them for that stage (a folder of links by the files they
point to); then it edits one file of each kind and those the design names, and checks what
`dvc status` reports: editing the OCR adversary reports the inference of the ocr runs (defended or
not) and nothing else.

Modules that merely loading params.yaml opens (the spec classes that validate it, in
`vipbench.models.specs` for the model kinds) are expected of `configure` only: it writes each
run's and each defense's resolved spec, which the other stages depend on, so a change there
reaches them through its outputs.
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
from vipbench.ops.stage_deps import declared_deps, drift, expected, expected_deps, rewrite, write

PKG = Path("src") / "vipbench"


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
    # configure validates the specs (models/specs.py) and runs no model; each kind's own code is
    # the inference's of that kind's runs only (deps/kinds/<kind>, linked from deps/runs/<run>)
    assert not [s for s, d in deps.items() if "src/vipbench/models/adversaries/ocr.py" in d]
    assert "src/vipbench/models/specs.py" in deps["configure"]
    assert not [f for f in deps["configure"] if f.startswith("src/vipbench/models/adversaries/")]
    places = ["prepare", "score", "score_defended", "report"]
    assert [s for s, d in deps.items() if "src/vipbench/places/geo.py" in d] == places
    assert deps["infer"][0] == "deps/runs/${key}" and deps["infer_defended"][0] == "deps/runs/${item.run}"
    kinds = expected(REPO).kinds
    assert [k for k, files in kinds.items() if "src/vipbench/models/adversaries/ocr.py" in files] == ["ocr"]
    assert [k for k, files in kinds.items() if "src/vipbench/places/geo.py" in files] == ["exif", "ocr"]
    assert [k for k, files in kinds.items() if "src/vipbench/inference/engine.py" in files] == ["hf", "openai"]
    assert kinds["majority"] == ["src/vipbench/core/floor.py", "src/vipbench/models/majority.py"]


def test_the_links_point_at_the_files_they_name() -> None:
    for folders in ("stages", "kinds"):
        links = [p for p in (REPO / "deps" / folders).rglob("*") if not p.is_dir()]
        assert len(links) > 10
        for link in links:
            rel = link.relative_to(REPO / "deps" / folders).parts[1:]
            assert link.is_symlink() and link.resolve() == (REPO / Path(*rel)).resolve(), link
    runs = {p.name: p.resolve().name for p in (REPO / "deps" / "runs").iterdir()}
    params = yaml.safe_load((REPO / "params.yaml").read_text())
    assert runs == {r: m["kind"] for r, m in params["models"].items()}


def _copy(tmp: Path) -> Path:
    root = tmp / "repo"
    for name in ("src", "deps"):
        shutil.copytree(
            REPO / name, root / name, symlinks=True, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info")
        )
    shutil.copy2(REPO / "dvc.yaml", root / "dvc.yaml")
    shutil.copy2(REPO / "params.yaml", root / "params.yaml")
    return root


def test_a_missing_dependency_fails(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    (root / "deps/stages/report/src/vipbench/analysis/figures.py").unlink()
    assert [str(d) for d in drift(root)] == ["deps/stages/report: missing ['src/vipbench/analysis/figures.py']"]
    # a copy of the file is no link: editing the module would not change it
    figures = "src/vipbench/analysis/figures.py"
    shutil.copy2(root / figures, root / "deps/stages/report" / figures)
    assert [str(d) for d in drift(root)] == ["deps/stages/report: missing ['src/vipbench/analysis/figures.py']"]
    assert write(root) and not drift(root)
    assert (root / "deps/stages/report/src/vipbench/analysis/figures.py").is_symlink()
    # and a stage whose dvc.yaml entry for its folder is gone
    text = (root / "dvc.yaml").read_text()
    (root / "dvc.yaml").write_text(text.replace("      - deps/stages/report\n", "", 1))
    assert [str(d) for d in drift(root)] == ["report: missing ['deps/stages/report']"]


def test_a_superfluous_dependency_fails(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    link = root / "deps/stages/report/src/vipbench/ops/releases.py"
    link.symlink_to(os.path.relpath(root / "src/vipbench/ops/releases.py", link.parent))
    assert [str(d) for d in drift(root)] == ["deps/stages/report: superfluous ['src/vipbench/ops/releases.py']"]
    assert write(root) and not drift(root)
    assert not link.is_symlink()
    # and a stage that names another's code in dvc.yaml
    deps = declared_deps(root)
    deps["report"] = [*deps["report"], "deps/stages/score"]
    (root / "dvc.yaml").write_text(rewrite((root / "dvc.yaml").read_text(), deps))
    assert [str(d) for d in drift(root)] == ["report: superfluous ['deps/stages/score']"]


def test_a_kind_missing_a_module_it_imports_fails(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    (root / "deps/kinds/ocr/src/vipbench/places/geo.py").unlink()
    assert [str(d) for d in drift(root)] == ["deps/kinds/ocr: missing ['src/vipbench/places/geo.py']"]
    # a copy of the file is no link: editing the module would not change it
    shutil.copy2(root / "src/vipbench/places/geo.py", root / "deps/kinds/ocr/src/vipbench/places/geo.py")
    assert [str(d) for d in drift(root)] == ["deps/kinds/ocr: missing ['src/vipbench/places/geo.py']"]
    assert write(root) and not drift(root)
    assert (root / "deps/kinds/ocr/src/vipbench/places/geo.py").is_symlink()


def test_a_kind_listing_a_module_it_does_not_import_fails(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    link = root / "deps/kinds/exif/src/vipbench/models/adversaries/ocr.py"
    link.symlink_to(os.path.relpath(root / "src/vipbench/models/adversaries/ocr.py", link.parent))
    assert [str(d) for d in drift(root)] == [
        "deps/kinds/exif: superfluous ['src/vipbench/models/adversaries/ocr.py']"
    ]
    assert write(root) and not drift(root)
    assert not link.is_symlink()


def test_a_defended_run_needs_its_link_to_its_kind(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    (root / "deps/runs/exif").unlink()
    (root / "deps/runs/exif").symlink_to("../kinds/ocr")
    assert [str(d) for d in drift(root)] == ["deps/runs: missing ['exif -> exif']; superfluous ['exif -> ocr']"]
    (root / "deps/runs/exif").unlink()
    assert [str(d) for d in drift(root)] == ["deps/runs: missing ['exif -> exif']"]
    assert write(root) and not drift(root)
    assert (root / "deps/runs/exif").resolve() == (root / "deps/kinds/exif").resolve()


def test_rewrite_restores_the_graph_and_keeps_the_rest(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    before = (root / "dvc.yaml").read_text()
    emptied = rewrite(before, {s: [] for s in declared_deps(root)})
    assert "- src/" not in emptied and "- deps/" not in emptied and emptied.count("#") == before.count("#")
    (root / "dvc.yaml").write_text(emptied)
    assert {d.stage for d in drift(root)} == set(declared_deps(root))
    assert rewrite(emptied, expected(root).stages) == before
    # a dvc.yaml that still lists each file (as before the folders) is rewritten to the folders
    (root / "dvc.yaml").write_text(rewrite(before, expected_deps(root)))
    assert "      - src/vipbench/analysis/figures.py\n" in (root / "dvc.yaml").read_text()
    assert write(root) and (root / "dvc.yaml").read_text() == before


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
#: their bytecode, data files), through an audit hook, and writes them to a file of its own in
#: $VIPBENCH_OPENED_LOG (a folder) whose first line is the process's argv as JSON
OPEN_HOOK = """
import atexit, json, os, sys

_log = os.environ.get("VIPBENCH_OPENED_LOG")
if _log:
    _seen = set()

    def _hook(event, args):
        if event == "open" and args and not isinstance(args[0], int):
            path = os.fsdecode(os.fspath(args[0]))
            if "vipbench" in path:
                _seen.add(path)

    def _dump():
        with open(os.path.join(_log, f"{os.getpid()}.log"), "a", encoding="utf-8") as fh:
            fh.write(json.dumps(sys.argv) + "\\n" + "\\n".join(sorted(_seen)) + "\\n")

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


def opened(cmd: list[str], root: Path, hook_dir: Path) -> list[tuple[list[str], set[str]]]:
    """Run `cmd` with the hook: each Python process it started (itself included), as its argv and
    the package files (modules and data) it opened."""
    log = hook_dir / "opened"
    shutil.rmtree(log, ignore_errors=True)
    log.mkdir()
    e = env()
    e["PYTHONPATH"] = os.pathsep.join(p for p in (str(hook_dir), e.get("PYTHONPATH", "")) if p)
    e["VIPBENCH_OPENED_LOG"] = str(log)
    run(cmd, root, env=e)
    found = []
    for f in sorted(log.iterdir()):
        argv, *lines = f.read_text().splitlines()
        paths = {package_path(line) for line in lines if line.strip()}
        found.append((json.loads(argv), {p for p in paths if p}))
    return found


def status(root: Path) -> set[str]:
    return set(json.loads(run(["dvc", "status", "--json"], root).stdout))


#: edits each file named on stdin in turn (appends a line), asks DVC's `Repo.status()` (what `dvc
#: status` prints) and restores the file; prints {file: [stages reported]}. One process for all
#: the edits, so DVC is imported once.
STATUS_LOOP = """
import json, sys
from pathlib import Path
from dvc.repo import Repo

root = Path(sys.argv[1])
out = {}
for rel in json.load(sys.stdin):
    path = root / rel
    before = path.read_bytes()
    path.write_bytes(before + (b"\\n# edited\\n" if rel.endswith(".py") else b"\\n"))
    try:
        with Repo(str(root)) as repo:
            out[rel] = sorted(repo.status())
    finally:
        path.write_bytes(before)
print(json.dumps(out))
"""

#: prints {stage: [its deps' paths]} as DVC's own index resolves dvc.yaml (foreach and matrix too)
STAGE_DEPS = """
import json, sys
from dvc.repo import Repo

with Repo(sys.argv[1]) as repo:
    print(json.dumps({s.addressing: [str(d.def_path) for d in s.deps] for s in repo.index.stages}))
"""


def status_after_each_edit(root: Path, files: list[str]) -> dict[str, set[str]]:
    """What `dvc status` reports after editing each of `files` alone (each restored afterwards)."""
    out = run([sys.executable, "-c", STATUS_LOOP, str(root)], root, input=json.dumps(files))
    return {rel: set(stages) for rel, stages in json.loads(out.stdout).items()}


def hashed_files(root: Path) -> dict[str, set[str]]:
    """Stage -> the files DVC hashes for it: each dep as DVC resolved it, a folder by every file
    in it, a link by the file it points to (as DVC hashes them), relative to `root`."""
    deps = json.loads(run([sys.executable, "-c", STAGE_DEPS, str(root)], root).stdout)
    real_root = root.resolve()
    out: dict[str, set[str]] = {}
    for stage, paths in deps.items():
        files: set[str] = set()
        for dep in paths:
            p = root / dep
            found = [Path(d) / f for d, _, fs in os.walk(p, followlinks=True) for f in fs] if p.is_dir() else [p]
            for f in found:
                real = f.resolve()
                if real.is_relative_to(real_root):
                    files.add(real.relative_to(real_root).as_posix())
        out[stage] = files
    return out


@pytest.mark.slow
def test_dvc_status_sees_every_code_edit(tmp_path: Path) -> None:
    from vipbench.dataset.synthetic.generator import generate

    data = generate(tmp_path / "synth", n_images=3, seed=0)
    params = {
        "models": {"ocr": {"kind": "ocr"}, "exif": {"kind": "exif"}},
        "defenses": {"strip_metadata": {"kind": "strip_metadata"}},
        "defense_eval": {"runs": ["ocr", "exif"], "defenses": ["strip_metadata"]},
        "scoring": {"bootstrap_samples": 20, "seed": 0, "reviews": "reviews/decisions.jsonl"},
    }
    root = make_repo(tmp_path, data, params)
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(OPEN_HOOK)

    # what each stage's command opens beyond what loading params.yaml opens: one `dvc repro`, every
    # stage's process recorded by the hook
    load = "import vipbench.cli; from vipbench.workspace import Workspace; Workspace.load()"
    ((_, baseline),) = opened([sys.executable, "-c", load], root, hook)
    assert "src/vipbench/config.py" in baseline
    commands = {
        "configure": ["configure"],
        "prepare": ["prepare"],
        "infer@ocr": ["infer", "ocr"],
        "infer@exif": ["infer", "exif"],
        "score@ocr": ["score", "ocr"],
        "score@exif": ["score", "exif"],
        "defend@strip_metadata": ["defend", "strip_metadata"],
        "infer_defended@ocr-strip_metadata": ["infer", "ocr+strip_metadata"],
        "infer_defended@exif-strip_metadata": ["infer", "exif+strip_metadata"],
        "score_defended@ocr-strip_metadata": ["score", "ocr+strip_metadata"],
        "score_defended@exif-strip_metadata": ["score", "exif+strip_metadata"],
        "report": ["report"],
    }
    groups = {stage.split("@")[0] for stage in commands}
    assert groups == set(yaml.safe_load((root / "dvc.yaml").read_text())["stages"])
    stage_of = {tuple(args): stage for stage, args in commands.items()}
    uses: dict[str, set[str]] = {}
    for argv, files in opened(["dvc", "repro"], root, hook):
        if Path(argv[0]).name != "vipbench":
            continue  # dvc itself, and what it starts that is not a stage
        stage = stage_of[tuple(argv[1:])]
        assert stage not in uses, f"{stage} ran twice"
        assert f"src/vipbench/pipeline/{argv[1]}.py" in files
        uses[stage] = files if stage == "configure" else files - baseline
    assert sorted(uses) == sorted(commands), "dvc repro ran every stage once"
    assert status(root) == set()
    # the spec validates in models/specs.py; configure runs no adversary
    assert "src/vipbench/models/specs.py" in uses["configure"]
    assert "src/vipbench/models/adversaries/ocr.py" not in uses["configure"]

    # every file a stage's command opened is a file DVC hashes for that stage (DVC's own index)
    hashed = hashed_files(root)
    problems = [
        f"{stage} opened {sorted(files - hashed[stage])}, which DVC does not hash for it"
        for stage, files in uses.items()
        if files - hashed[stage]
    ]
    assert not problems, "\n".join(problems)

    # and DVC sees an edit of such a file: one of each way a stage names its code (a module by its
    # path, a data file, a module through the deps/runs -> deps/kinds links, the spec classes
    # through configure's outputs), and the files whose stages the design fixes
    samples = [
        "src/vipbench/models/adversaries/ocr.py",
        "src/vipbench/models/adversaries/exif.py",
        "src/vipbench/models/adversaries/ocr_rules.py",
        "src/vipbench/places/geo.py",
        "src/vipbench/data/place_aliases.yaml",
        "src/vipbench/models/specs.py",
        "src/vipbench/ops/releases.py",
        "src/vipbench/analysis/figures.py",
        "src/vipbench/scoring/places.py",
    ]
    reported_by = status_after_each_edit(root, samples)
    for rel in samples:
        expected = {stage for stage, files in uses.items() if rel in files}
        assert expected <= reported_by[rel], f"{rel}: run by {sorted(expected)}; dvc status: {reported_by[rel]}"
    # the loop's answers are the command's: one edit checked with `dvc status` itself
    edited = root / "src/vipbench/models/adversaries/ocr.py"
    before = edited.read_bytes()
    edited.write_bytes(before + b"\n# edited\n")
    try:
        assert status(root) == reported_by["src/vipbench/models/adversaries/ocr.py"]
    finally:
        edited.write_bytes(before)
    assert status(root) == set()
    # the spec classes reach the runs' stages through configure's outputs, not as code
    assert reported_by["src/vipbench/models/specs.py"] >= {"configure"}
    assert "infer@ocr" in reported_by["src/vipbench/places/geo.py"]

    # the OCR adversary's code re-runs the ocr runs' inference, defended or not, and nothing else;
    # the exif adversary's, the exif runs'
    for kind, module in (("ocr", "models/adversaries/ocr.py"), ("exif", "models/adversaries/exif.py")):
        assert reported_by[f"src/vipbench/{module}"] == {
            f"infer@{kind}",
            f"infer_defended@{kind}-strip_metadata",
        }, module
    ocr_only = "src/vipbench/models/adversaries/ocr_rules.py"
    assert reported_by[ocr_only] == {"infer@ocr", "infer_defended@ocr-strip_metadata"}
    # what runs neither: the release watcher; the figures: the report alone
    assert reported_by["src/vipbench/ops/releases.py"] == set()
    assert reported_by["src/vipbench/analysis/figures.py"] == {"report"}
    # the place judge: the scores (and nothing upstream of them)
    assert reported_by["src/vipbench/scoring/places.py"] == {
        "score@ocr",
        "score@exif",
        "score_defended@ocr-strip_metadata",
        "score_defended@exif-strip_metadata",
    }
