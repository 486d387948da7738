"""Each DVC stage's code dependencies, derived from the import graph, written into dvc.yaml.

A stage runs `vipbench <command> ...`. Its code is the command's function in `cli.py` (with the
helpers it names there and cli.py's module-level imports), every package module that function
imports, transitively (lazy imports too, see `vipbench.ops.imports`), the package's `__init__`
files on the way, and the data files those modules read. Nothing else: an edit anywhere else
leaves the stage's outputs as they were, so `dvc status` should not list it.

dvc.yaml names that code by one folder per stage, `deps/stages/<stage>/`, which holds a link to each
of those files at the file's own path (`deps/stages/report/src/vipbench/analysis/figures.py` ->
`src/vipbench/analysis/figures.py`). DVC hashes what the links point to, so an edit of a linked file
changes the folder and `dvc status` lists the stage (as `modified: deps/stages/report`). The stages
listed their ~100 files each before: dvc.lock held ~3,100 file hashes (7x its size now), and
reading and checking them made a `dvc repro` with nothing to do take 1.73x the CPU
(`bench/bench_dvc_yaml.py`).

One boundary is drawn on purpose. Every command loads params.yaml, and `config.py` validates each
model and defense entry with the class its kind registers (`vipbench.models`, `vipbench.defenses`).
Only the `configure` stage follows those edges: it writes each resolved spec to build/config/,
which the later stages depend on, so a change in a spec class reaches them through that file. The
built-in model kinds' spec classes live in `vipbench.models.specs`, apart from the modules that run
them, and `configure` follows no edge from the kind table to those modules: it runs no model.

A stage that runs one model, `infer`, imports one kind's module of the kind table
(`vipbench.models.kinds`), not all of them. Its `deps:` list what every kind's run imports, plus
one entry for its kind's own code: `deps/runs/<run>`, a link to its kind's folder that `configure`
writes for every run (`${key}` in the `foreach` over `models`, `${item.run}` in the run x defense
`matrix`). Naming the folder by the run, not by `${item.kind}`, keeps dvc.yaml parseable when a
run's kind is missing, so that `configure` can report it with params.yaml's line.
`deps/kinds/<kind>/` holds a link to every file that a run of that kind imports beyond the shared
ones, at the file's own path
(`deps/kinds/ocr/src/vipbench/places/geo.py` -> `src/vipbench/places/geo.py`); DVC hashes what the
links point to, so editing such a file changes the folder, and only that kind's stages run again.

`vipbench dvc-deps` rewrites the `src/` and `deps/` entries of every stage's `deps:` in dvc.yaml
(other entries and comments stay), the links under `deps/stages/` and `deps/kinds/`, and those under
`deps/runs/` (from params.yaml); `vipbench dvc-deps --check` lists what is missing or superfluous.
"""

from __future__ import annotations

import ast
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vipbench.core.io import load_yaml
from vipbench.ops.imports import PACKAGE, Module, import_graph, reach, read_package
from vipbench.workspace import KIND_CODE, RUN_CODE, STAGE_CODE, link_run_code

CLI = f"{PACKAGE}.cli"
CONFIG = f"{PACKAGE}.config"
#: the packages whose kinds validate params.yaml's model and defense entries (see the docstring)
SPEC_PACKAGES = (f"{PACKAGE}.models", f"{PACKAGE}.defenses")
#: the stage that resolves those specs for the others
RESOLVER = "configure"
SRC = "src"
#: the table of model kinds: kind -> the module that registers it, imported when the kind is used
KINDS = f"{PACKAGE}.models.kinds"
KIND_TABLE = "_LAZY"
#: a one-model stage's entry for its kind's code, by how dvc.yaml generates the stage
KIND_ENTRY = {"foreach": f"{RUN_CODE.as_posix()}/${{key}}", "matrix": f"{RUN_CODE.as_posix()}/${{item.run}}"}
#: the `deps:` entries `vipbench dvc-deps` writes (`src/` ones only to remove them: dvc.yaml names
#: each stage's code by its folder of links)
MANAGED = (f"{SRC}/", f"{KIND_CODE.parts[0]}/")


@dataclass(frozen=True)
class Drift:
    #: a stage, or a folder of links (`deps/stages/<stage>`, `deps/kinds/<kind>`, `deps/runs`)
    stage: str
    missing: list[str]
    superfluous: list[str]

    def __str__(self) -> str:
        parts = [f"missing {self.missing}"] if self.missing else []
        parts += [f"superfluous {self.superfluous}"] if self.superfluous else []
        return f"{self.stage}: " + "; ".join(parts)


def cli_commands(cli_file: Path) -> dict[str, str]:
    """Command name -> the function in cli.py that implements it."""
    tree = ast.parse(cli_file.read_text(encoding="utf-8"))
    out: dict[str, str] = {}
    for node in tree.body:
        if not isinstance(node, ast.FunctionDef):
            continue
        for deco in node.decorator_list:
            if (
                isinstance(deco, ast.Call)
                and isinstance(deco.func, ast.Attribute)
                and deco.func.attr == "command"
            ):
                named = [a.value for a in deco.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
                out[named[0] if named else node.name.replace("_", "-")] = node.name
    return out


def command_imports(cli: Module, function: str) -> set[str]:
    """What running one CLI command imports directly: cli.py's module level and the function's closure."""
    seen: set[str] = set()
    todo = [function]
    out = set(cli.top_imports)
    while todo:
        f = todo.pop()
        if f in seen:
            continue
        seen.add(f)
        out |= cli.function_imports.get(f, frozenset())
        todo.extend(cli.function_calls.get(f, frozenset()))
    return out


def _spec_edges(modules: dict[str, Module]) -> set[tuple[str, str]]:
    config = modules[CONFIG]
    return {(CONFIG, m) for m in config.imports | config.lazy if m.startswith(SPEC_PACKAGES)}


def _rel(path: Path, root: Path) -> str:
    return path.relative_to(root).as_posix()


def _stages(dvc_yaml: Path) -> dict[str, Any]:
    return load_yaml(dvc_yaml.read_text(encoding="utf-8"))["stages"]


def stage_commands(dvc_yaml: Path) -> dict[str, str]:
    """Stage (or foreach/matrix group) name -> the `vipbench` command it runs."""
    out = {}
    for name, st in _stages(dvc_yaml).items():
        cmd = str(st.get("do", st)["cmd"]).split()
        if cmd[0] != PACKAGE:
            raise ValueError(f"dvc.yaml: stage {name} runs {cmd[0]!r}, not the {PACKAGE} command")
        out[name] = cmd[1]
    return out


def _one_model_form(stage: dict[str, Any]) -> str | None:
    """How a stage that runs one model is generated: "foreach" over `models`, or "matrix" over
    `defense_eval.runs` (and the defenses); None for any other stage, which depends on every kind
    it reaches."""
    if stage.get("foreach") == "${models}":
        return "foreach"
    if str((stage.get("matrix") or {}).get("run")) == "${defense_eval.runs}":
        return "matrix"
    return None


def kind_modules(modules: dict[str, Module]) -> dict[str, str]:
    """The kind table (`_LAZY` in `vipbench.models.kinds`): kind -> module, read from the source."""
    tree = ast.parse(modules[KINDS].path.read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.AnnAssign):
            target, value = node.target, node.value
        elif isinstance(node, ast.Assign):
            target, value = node.targets[0], node.value
        else:
            continue
        if isinstance(target, ast.Name) and target.id == KIND_TABLE and value is not None:
            return dict(ast.literal_eval(value))
    raise ValueError(f"{modules[KINDS].path}: no {KIND_TABLE} table")


def _files(modules: dict[str, Module], used: set[str], root: Path) -> set[str]:
    files = {_rel(modules[m].path, root) for m in used}
    return files | {f"{SRC}/{r}" for m in used if m != CLI for r in modules[m].reads}


def _expand(root: Path, files: set[str]) -> set[str]:
    """`files` with each folder replaced by the files in it (a link to a folder is not followed)."""
    out = set()
    for f in files:
        p = root / f
        if p.is_dir():
            out |= {
                _rel(q, root) for q in p.rglob("*") if q.is_file() and "__pycache__" not in q.relative_to(p).parts
            }
        else:
            out.add(f)
    return out


def code_folder(stage: str) -> str:
    """The folder of links that stands for `stage`'s code in dvc.yaml."""
    return (STAGE_CODE / stage).as_posix()


@dataclass(frozen=True)
class Expected:
    #: stage name -> its `deps/` entries in dvc.yaml: its kind's link (one-model stages), its code folder
    stages: dict[str, list[str]]
    #: stage name -> the files its command imports or reads, sorted (`deps/stages/<stage>/`)
    code: dict[str, list[str]]
    #: model kind -> the files its runs import beyond what every run imports (`deps/kinds/<kind>/`)
    kinds: dict[str, list[str]]


def expected(root: Path) -> Expected:
    """Each stage's code and package-data dependencies and each kind's own code (paths relative to
    `root`), from the import graph."""
    src = root / SRC
    modules = read_package(src)
    graph = import_graph(modules)
    commands = cli_commands(modules[CLI].path)
    table = kind_modules(modules)
    kind_edges = {(KINDS, m) for m in table.values()}
    stages: dict[str, list[str]] = {}
    code: dict[str, list[str]] = {}
    kinds: dict[str, set[str]] = {}
    stage_cmds = stage_commands(root / "dvc.yaml")
    for stage, definition in _stages(root / "dvc.yaml").items():
        command = stage_cmds[stage]
        if command not in commands:
            raise ValueError(f"dvc.yaml: stage {stage} runs `{PACKAGE} {command}`, which cli.py does not define")
        start = command_imports(modules[CLI], commands[command])
        # configure validates specs (vipbench.models.specs) and runs no model: not the kinds' modules
        skip = kind_edges if command == RESOLVER else _spec_edges(modules)
        form = _one_model_form(definition) if command != RESOLVER else None
        if form is None or KINDS not in reach(graph, start, skip):
            code[stage] = sorted(_expand(root, _files(modules, reach(graph, start, skip) | {PACKAGE, CLI}, root)))
            stages[stage] = [code_folder(stage)]
            continue
        shared = _files(modules, reach(graph, start, skip | kind_edges) | {PACKAGE, CLI}, root)
        code[stage] = sorted(_expand(root, shared))
        stages[stage] = [KIND_ENTRY[form], code_folder(stage)]
        for kind, module in table.items():
            own = _expand(root, _files(modules, reach(graph, start | {module}, skip | kind_edges), root) - shared)
            if kinds.setdefault(kind, own) != own:
                raise ValueError(f"dvc.yaml: the one-model stages import different code for kind {kind!r}")
    return Expected(stages, code, {k: sorted(v) for k, v in sorted(kinds.items())})


def expected_deps(root: Path) -> dict[str, list[str]]:
    """Stage name -> its code and package-data dependencies (paths relative to `root`), sorted; a
    one-model stage's kind link (`deps/runs/...`) first."""
    want = expected(root)
    return {s: [e for e in entries if e != code_folder(s)] + want.code[s] for s, entries in want.stages.items()}


def declared_deps(root: Path) -> dict[str, list[str]]:
    """Stage name -> its `src/` and `deps/` dependencies as dvc.yaml lists them."""
    return {
        name: [d for d in st.get("do", st).get("deps", []) if str(d).startswith(MANAGED)]
        for name, st in _stages(root / "dvc.yaml").items()
    }


def _link_target(link: Path, path: Path) -> str:
    return os.path.relpath(path, link.parent)


def declared_links(root: Path, folders: Path) -> dict[str, dict[str, bool]]:
    """Each folder under `folders` (`deps/stages`, `deps/kinds`) -> each path in it (as the file it
    stands for) -> whether it is a link to that file."""
    base = root / folders
    out: dict[str, dict[str, bool]] = {}
    for folder in sorted(base.iterdir()) if base.is_dir() else []:
        if not folder.is_dir():
            continue
        entries = out.setdefault(folder.name, {})
        for p in sorted(folder.rglob("*")):
            if p.is_dir() and not p.is_symlink():
                continue
            path = p.relative_to(folder).as_posix()
            linked = p.is_symlink() and os.readlink(p) == _link_target(p, root / path)
            entries[path] = linked and (root / path).is_file()
    return out


def run_kinds(root: Path) -> dict[str, str] | None:
    """params.yaml's runs -> their kind (None without params.yaml)."""
    path = root / "params.yaml"
    if not path.exists():
        return None
    params = load_yaml(path.read_text(encoding="utf-8")) or {}
    models = params.get("models") or {}
    return {r: str(m["kind"]) for r, m in models.items() if isinstance(m, dict) and "kind" in m}


def declared_runs(root: Path) -> dict[str, str]:
    """`deps/runs/<run>` -> the kind whose folder it links to ("?" for anything else)."""
    base = root / RUN_CODE
    out = {}
    for p in sorted(base.iterdir()) if base.is_dir() else []:
        target = Path(os.readlink(p)) if p.is_symlink() else None
        ok = target is not None and target.parent == Path(os.path.relpath(root / KIND_CODE, base))
        out[p.name] = target.name if ok and target is not None else "?"
    return out


def drift(root: Path) -> list[Drift]:
    """Where dvc.yaml's code dependencies (and the links under deps/) differ from the import graph's."""
    want = expected(root)
    have = declared_deps(root)
    out = []
    for stage, deps in want.stages.items():
        missing = sorted(set(deps) - set(have.get(stage, [])))
        extra = sorted(set(have.get(stage, [])) - set(deps))
        if missing or extra:
            out.append(Drift(stage, missing, extra))
    for folders, wanted in ((STAGE_CODE, want.code), (KIND_CODE, want.kinds)):
        links = declared_links(root, folders)
        for name in sorted(set(wanted) | set(links)):
            ok = {p for p, good in links.get(name, {}).items() if good}
            missing = sorted(set(wanted.get(name, [])) - ok)
            extra = sorted(set(links.get(name, {})) - set(wanted.get(name, [])))
            if missing or extra:
                out.append(Drift((folders / name).as_posix(), missing, extra))
    runs = run_kinds(root)
    if runs is not None:
        pointed = declared_runs(root)
        missing = sorted(f"{r} -> {k}" for r, k in runs.items() if pointed.get(r) != k)
        extra = sorted(f"{r} -> {k}" for r, k in pointed.items() if runs.get(r) != k)
        if missing or extra:
            out.append(Drift(RUN_CODE.as_posix(), missing, extra))
    return out


def write_links(root: Path, folders: Path, wanted: dict[str, list[str]]) -> None:
    """Make each folder under `folders` (`deps/stages`, `deps/kinds`) hold exactly a link to each
    of its files in `wanted`, and no other folder be there."""
    base = root / folders
    have = declared_links(root, folders)
    for name, entries in have.items():
        if name not in wanted:
            shutil.rmtree(base / name)
            continue
        for path, good in entries.items():
            if not good or path not in wanted[name]:
                (base / name / path).unlink()
    for name, files in wanted.items():
        for path in files:
            link = base / name / path
            if link.is_symlink():
                continue
            link.parent.mkdir(parents=True, exist_ok=True)
            link.symlink_to(_link_target(link, root / path))
        for d in sorted((p for p in (base / name).rglob("*") if p.is_dir() and not p.is_symlink()), reverse=True):
            if not any(d.iterdir()):
                d.rmdir()


_STAGE = re.compile(r"^  ([A-Za-z_][\w-]*):\s*(#.*)?$")
_DEPS = re.compile(r"^(\s*)deps:\s*(#.*)?$")
_ITEM = re.compile(r"^(\s*)- (\S+)")


def rewrite(text: str, deps: dict[str, list[str]]) -> str:
    """dvc.yaml's text with each stage's `src/` and `deps/` entries replaced by `deps[stage]`; the
    rest unchanged."""
    lines = text.splitlines(keepends=True)
    out: list[str] = []
    stage: str | None = None
    in_stages = False
    i = 0
    while i < len(lines):
        line = lines[i]
        if re.match(r"^\S", line):
            in_stages = line.startswith("stages:")
            stage = None
        elif in_stages and (m := _STAGE.match(line)):
            stage = m.group(1)
        dm = _DEPS.match(line)
        if not (dm and stage in deps):
            out.append(line)
            i += 1
            continue
        out.append(line)
        indent = len(dm.group(1))
        i += 1
        block: list[str] = []
        while i < len(lines) and (not lines[i].strip() or len(lines[i]) - len(lines[i].lstrip()) > indent):
            block.append(lines[i])
            i += 1
        items = [b for b in block if _ITEM.match(b)]
        pad = _ITEM.match(items[0]).group(1) if items else " " * (indent + 2)  # type: ignore[union-attr]
        kept = [b for b in block if not ((m := _ITEM.match(b)) and m.group(2).startswith(MANAGED))]
        while kept and not kept[-1].strip():
            kept.pop()
        out += kept + [f"{pad}- {d}\n" for d in deps[stage]]
    return "".join(out)


def write(root: Path) -> list[Drift]:
    """Rewrite dvc.yaml's code dependencies and the links under deps/ from the import graph (and
    params.yaml); return what changed."""
    changed = drift(root)
    if changed:
        want = expected(root)
        path = root / "dvc.yaml"
        path.write_text(rewrite(path.read_text(encoding="utf-8"), want.stages), encoding="utf-8")
        write_links(root, STAGE_CODE, want.code)
        write_links(root, KIND_CODE, want.kinds)
        runs = run_kinds(root)
        if runs is not None:
            link_run_code(root, runs)
    return changed
