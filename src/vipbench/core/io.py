"""Atomic file writes, so that a crash never leaves a half-written output; the package's data files."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import IO, Any

from pydantic import BaseModel


@contextmanager
def atomic_open(path: str | Path, mode: str = "w") -> Iterator[IO[Any]]:
    """Write to a temporary file beside `path`, then rename it into place on success."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, mode, encoding=None if "b" in mode else "utf-8") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def jsonl_line(data: dict[str, Any]) -> str:
    """One JSON Lines row as every writer here spells it (sorted keys, UTF-8 kept, newline)."""
    return json.dumps(data, ensure_ascii=False, sort_keys=True) + "\n"


def write_jsonl(path: str | Path, rows: Iterable[BaseModel | dict[str, Any]]) -> int:
    n = 0
    with atomic_open(path) as fh:
        for row in rows:
            fh.write(jsonl_line(row.model_dump(mode="json") if isinstance(row, BaseModel) else row))
            n += 1
    return n


def read_jsonl(path: str | Path) -> Iterator[dict[str, Any]]:
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


def write_json(path: str | Path, data: Any) -> None:
    with atomic_open(path) as fh:
        json.dump(data, fh, indent=2, sort_keys=True, ensure_ascii=False)
        fh.write("\n")


def file_sha256(path: str | Path) -> str:
    """The SHA-256 of a file's bytes, read in 1 MiB chunks."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def package_text(name: str) -> str:
    """A data file shipped inside the package, by its path below src/vipbench ("data/prices.csv").

    Callers spell the name out as a string constant: `vipbench dvc-deps` finds a stage's data
    files by those constants in the modules the stage imports.
    """
    return resources.files("vipbench").joinpath(name).read_text("utf-8")


def load_yaml(text: str) -> Any:
    """YAML text parsed safely (plain data only), by libyaml's C parser when PyYAML has it: the same
    data, errors with the same line and column, about ten times faster than the pure-Python one."""
    import yaml

    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506 (a safe loader)


def package_yaml(name: str) -> Any:
    """A YAML data file shipped inside the package, parsed (see `package_text`)."""
    return load_yaml(package_text(name))
