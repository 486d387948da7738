"""The package's import graph, read from the source without running it.

Every import counts, at module level or inside a function (a lazy import runs too), except those
under `if TYPE_CHECKING:`, which never run. A string constant that names a module of the package
counts as an import of it: registries keep their lazy tables that way and `importlib` loads them.
A string constant that names a data file or data folder of the package (`"landmarks.csv"`,
`"data/world_regions.yaml"`, `"templates"`) counts as a read of it.

`tests/test_layout.py` checks this graph for cycles; `vipbench.ops.stage_deps` turns it into each
DVC stage's code dependencies.
"""

from __future__ import annotations

import ast
import dataclasses
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

PACKAGE = "vipbench"

#: what `read_package` found, by a hash of the package's sources and data names (paths relative to
#: the package's parent): a second read of the same sources, or of a copy, parses nothing again
_READ: dict[bytes, dict[str, Module]] = {}


@dataclass(frozen=True)
class Module:
    name: str
    path: Path
    #: package modules it imports (running one also runs the `__init__` of each package above it)
    imports: frozenset[str]
    #: package modules it names in a string (a registry's lazy table): imported when looked up
    lazy: frozenset[str]
    #: data files and folders of the package it reads, relative to the package's parent
    reads: frozenset[str]
    #: package modules imported outside the module's top-level functions
    top_imports: frozenset[str] = frozenset()
    #: per top-level function: the package modules imported inside it
    function_imports: dict[str, frozenset[str]] = field(default_factory=dict)
    #: per top-level function: the other top-level functions of this module it names
    function_calls: dict[str, frozenset[str]] = field(default_factory=dict)


def module_name(path: Path, src: Path) -> str:
    parts = list(path.relative_to(src).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_type_checking(node: ast.If) -> bool:
    t = node.test
    return (isinstance(t, ast.Name) and t.id == "TYPE_CHECKING") or (
        isinstance(t, ast.Attribute) and t.attr == "TYPE_CHECKING"
    )


def _with_parents(name: str) -> set[str]:
    parts = name.split(".")
    return {".".join(parts[:i]) for i in range(1, len(parts) + 1)}


class _Reader:
    """The imports, module-naming strings and data-naming strings under one syntax node."""

    def __init__(self, name: str, is_package: bool, known: set[str], data: dict[str, set[str]]) -> None:
        self.name = name
        self.is_package = is_package
        self.known = known
        self.data = data

    def read(self, nodes: Iterable[ast.AST]) -> tuple[set[str], set[str], set[str], set[str]]:
        imports: set[str] = set()
        named: set[str] = set()
        reads: set[str] = set()
        names: set[str] = set()

        def visit(node: ast.AST) -> None:
            if isinstance(node, ast.If) and _is_type_checking(node):
                for child in node.orelse:
                    visit(child)
                return
            if isinstance(node, ast.Import):
                imports.update(a.name for a in node.names)
            elif isinstance(node, ast.ImportFrom):
                mod = self._absolute(node)
                for a in node.names:
                    sub = f"{mod}.{a.name}"
                    imports.add(sub if sub in self.known else mod)
            elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                if node.value in self.known:
                    named.add(node.value)
                reads.update(self.data.get(node.value, ()))
            elif isinstance(node, ast.Name):
                names.add(node.id)
            for child in ast.iter_child_nodes(node):
                visit(child)

        for node in nodes:
            visit(node)
        found = {m for m in imports if m in self.known} - {self.name}
        return found, named - found - {self.name}, reads, names

    def _absolute(self, node: ast.ImportFrom) -> str:
        if not node.level:
            return node.module or ""
        base = self.name.split(".") if self.is_package else self.name.split(".")[:-1]
        base = base[: len(base) - node.level + 1]
        return ".".join(base + ([node.module] if node.module else []))


def imported_names(path: Path) -> set[str]:
    """Every absolute module name a Python file imports (any package), wherever the import is."""
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            out.add(node.module)
    return out


def data_names(root: Path) -> dict[str, set[str]]:
    """How source text may name each data file or folder of the package -> what it names.

    A file is named by its base name or by any trailing part of its path. A folder of data files
    inside a code package (`prompts/templates`) is named by its own name and is a dependency as a
    whole, files and all: its readers build the file names. The package's top data folder
    (`vipbench/data`) is only ever named file by file.
    """
    pkg = root / PACKAGE
    folders = {
        p
        for p in pkg.rglob("*")
        if p.is_dir() and p.parent != pkg and "__pycache__" not in p.parts and not any(p.glob("*.py"))
    }
    out: dict[str, set[str]] = {}
    for f in sorted(folders):
        out.setdefault(f.name, set()).add(f.relative_to(root).as_posix())
    for p in sorted(pkg.rglob("*")):
        if not p.is_file() or "__pycache__" in p.parts or p.suffix in (".py", ".pyc"):
            continue
        holder = next((f for f in folders if p.is_relative_to(f)), None)
        target = (holder or p).relative_to(root).as_posix()
        parts = p.relative_to(pkg).parts
        for i in range(len(parts)):
            out.setdefault("/".join(parts[i:]), set()).add(target)
    return out


def read_package(root: Path) -> dict[str, Module]:
    """Every module of the package under `root` (the folder holding `vipbench/`), read once."""
    paths = {module_name(p, root): p for p in sorted((root / PACKAGE).rglob("*.py"))}
    sources = {name: path.read_bytes() for name, path in paths.items()}
    data = data_names(root)
    digest = hashlib.sha256(repr(sorted((k, sorted(v)) for k, v in data.items())).encode())
    for name, text in sources.items():
        digest.update(f"\0{paths[name].relative_to(root).as_posix()}\0{len(text)}\0".encode())
        digest.update(text)
    key = digest.digest()
    if key not in _READ:
        _READ[key] = _read(root, paths, sources, data)
    return {name: dataclasses.replace(m, path=root / m.path) for name, m in _READ[key].items()}


def _read(
    root: Path, paths: dict[str, Path], sources: dict[str, bytes], data: dict[str, set[str]]
) -> dict[str, Module]:
    """`read_package`'s work: each module's imports, reads and functions (paths relative to `root`)."""
    known = set(paths)
    out: dict[str, Module] = {}
    for name, path in paths.items():
        tree = ast.parse(sources[name].decode("utf-8"))
        reader = _Reader(name, path.name == "__init__.py", known, data)
        imports, named, reads, _ = reader.read([tree])
        functions = {n.name: n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}
        top, _, _, _ = reader.read([n for n in tree.body if n not in functions.values()])
        f_imports: dict[str, frozenset[str]] = {}
        f_calls: dict[str, frozenset[str]] = {}
        for fname, fnode in functions.items():
            fi, fnamed, _, names = reader.read([fnode])
            f_imports[fname] = frozenset(fi | fnamed)
            f_calls[fname] = frozenset((names & set(functions)) - {fname})
        out[name] = Module(
            name,
            path.relative_to(root),
            frozenset(imports),
            frozenset(named),
            frozenset(reads),
            frozenset(top),
            f_imports,
            f_calls,
        )
    return out


def import_graph(modules: dict[str, Module], lazy: bool = True) -> dict[str, set[str]]:
    """Module -> the modules it imports; with `lazy`, also those its lazy tables name."""
    return {name: set(m.imports | (m.lazy if lazy else frozenset())) for name, m in modules.items()}


def reach(graph: dict[str, set[str]], start: Iterable[str], skip: set[tuple[str, str]] = frozenset()) -> set[str]:
    """Every module that importing `start` runs, not following the edges in `skip`."""
    seen: set[str] = set()
    todo = [m for s in start for m in _with_parents(s) if m in graph]
    while todo:
        m = todo.pop()
        if m in seen:
            continue
        seen.add(m)
        todo.extend(p for p in _with_parents(m) if p in graph and p not in seen)  # their __init__ runs
        todo.extend(d for d in graph[m] if (m, d) not in skip and d not in seen)
    return seen
