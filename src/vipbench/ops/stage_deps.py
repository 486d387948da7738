"""Each DVC stage's code dependencies, derived from the import graph, written into dvc.yaml.

A stage runs `vipbench <command> ...`. Its code is the command's function in `cli.py` (with the
helpers it names there and cli.py's module-level imports), every package module that function
imports, transitively (lazy imports too, see `vipbench.ops.imports`), the package's `__init__`
files on the way, and the data files those modules read. Nothing else: an edit anywhere else
leaves the stage's outputs as they were, so `dvc status` should not list it.

One boundary is drawn on purpose. Every command loads params.yaml, and `config.py` validates each
model and defense entry with the class its kind registers (`vipbench.models`, `vipbench.defenses`).
Only the `configure` stage follows those edges: it writes each resolved spec to build/config/,
which the later stages depend on, so a change in a spec class reaches them through that file.

`vipbench dvc-deps` rewrites the `src/` entries of every stage's `deps:` in dvc.yaml (other entries
and comments stay); `vipbench dvc-deps --check` lists what is missing or superfluous.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from vipbench.ops.imports import PACKAGE, Module, import_graph, reach, read_package

CLI = f"{PACKAGE}.cli"
CONFIG = f"{PACKAGE}.config"
#: the packages whose kinds validate params.yaml's model and defense entries (see the docstring)
SPEC_PACKAGES = (f"{PACKAGE}.models", f"{PACKAGE}.defenses")
#: the stage that resolves those specs for the others
RESOLVER = "configure"
SRC = "src"


@dataclass(frozen=True)
class Drift:
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


def stage_commands(dvc_yaml: Path) -> dict[str, str]:
    """Stage (or foreach/matrix group) name -> the `vipbench` command it runs."""
    stages = yaml.safe_load(dvc_yaml.read_text(encoding="utf-8"))["stages"]
    out = {}
    for name, st in stages.items():
        cmd = str(st.get("do", st)["cmd"]).split()
        if cmd[0] != PACKAGE:
            raise ValueError(f"dvc.yaml: stage {name} runs {cmd[0]!r}, not the {PACKAGE} command")
        out[name] = cmd[1]
    return out


def expected_deps(root: Path) -> dict[str, list[str]]:
    """Stage name -> its code and package-data dependencies (paths relative to `root`), sorted."""
    src = root / SRC
    modules = read_package(src)
    graph = import_graph(modules)
    commands = cli_commands(modules[CLI].path)
    out = {}
    for stage, command in stage_commands(root / "dvc.yaml").items():
        if command not in commands:
            raise ValueError(f"dvc.yaml: stage {stage} runs `{PACKAGE} {command}`, which cli.py does not define")
        start = command_imports(modules[CLI], commands[command])
        skip = set() if command == RESOLVER else _spec_edges(modules)
        used = reach(graph, start, skip) | {PACKAGE, CLI}
        files = {_rel(modules[m].path, root) for m in used}
        files |= {f"{SRC}/{r}" for m in used if m != CLI for r in modules[m].reads}
        out[stage] = sorted(files)
    return out


def declared_deps(root: Path) -> dict[str, list[str]]:
    """Stage name -> its `src/` dependencies as dvc.yaml lists them."""
    stages = yaml.safe_load((root / "dvc.yaml").read_text(encoding="utf-8"))["stages"]
    return {
        name: [d for d in st.get("do", st).get("deps", []) if str(d).startswith(f"{SRC}/")]
        for name, st in stages.items()
    }


def drift(root: Path) -> list[Drift]:
    """Where dvc.yaml's code dependencies differ from the import graph's."""
    want, have = expected_deps(root), declared_deps(root)
    out = []
    for stage, deps in want.items():
        missing = sorted(set(deps) - set(have.get(stage, [])))
        extra = sorted(set(have.get(stage, [])) - set(deps))
        if missing or extra:
            out.append(Drift(stage, missing, extra))
    return out


_STAGE = re.compile(r"^  ([A-Za-z_][\w-]*):\s*(#.*)?$")
_DEPS = re.compile(r"^(\s*)deps:\s*(#.*)?$")
_ITEM = re.compile(r"^(\s*)- (\S+)")


def rewrite(text: str, deps: dict[str, list[str]]) -> str:
    """dvc.yaml's text with each stage's `src/` deps replaced by `deps[stage]`; the rest unchanged."""
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
        kept = [b for b in block if not ((m := _ITEM.match(b)) and m.group(2).startswith(f"{SRC}/"))]
        while kept and not kept[-1].strip():
            kept.pop()
        out += kept + [f"{pad}- {d}\n" for d in deps[stage]]
    return "".join(out)


def write(root: Path) -> list[Drift]:
    """Rewrite dvc.yaml's code dependencies from the import graph; return what changed."""
    changed = drift(root)
    if changed:
        path = root / "dvc.yaml"
        path.write_text(rewrite(path.read_text(encoding="utf-8"), expected_deps(root)), encoding="utf-8")
    return changed
