"""Add or update model runs in params.yaml without losing its comments or layout.

The file is edited with ruamel.yaml in round-trip mode, so every comment, blank line and flow
style that a person wrote survives. The result is validated as a whole (`config.parse_params`)
before anything is written, and it is written atomically: a temporary file in the same directory,
fsynced, then renamed over the original. A reader (`dvc repro`, a second flow) sees the old file
or the new one, never half of one.

One layout detail needs care. ruamel attaches the comment block that sits *before* the next
top-level key (say `report:`) to the last line of the `models` mapping. Appending a run would
put the new entry below that comment, visually inside the next section. `_move_tail` detaches
such a trailing block from the old last entry and re-attaches it below the new one.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import CommentMark
from ruamel.yaml.tokens import CommentToken
from ruamel.yaml.util import load_yaml_guess_indent

from vipbench.config import parse_params
from vipbench.core.errors import ConfigError
from vipbench.core.io import load_yaml

__all__ = ["add_models", "set_models", "read_models"]


_KEY_LINE = re.compile(r"^( +)[^\s#-][^:#]*:(\s|$)")


def _indents(text: str) -> tuple[int, int, int]:
    """(mapping, sequence, offset) indentation as the file already uses it, so that a rewrite
    does not re-indent lines nobody touched. Defaults: 2, and "  - item" under a key."""
    steps = [len(m.group(1)) for line in text.splitlines() if (m := _KEY_LINE.match(line))]
    mapping = min(steps) if steps else 2
    _, seq, offset = load_yaml_guess_indent(text)
    if offset is None:
        return mapping, mapping + 2, 2
    return mapping, seq, offset


def _yaml(text: str) -> YAML:
    y = YAML()  # round-trip
    y.preserve_quotes = True
    y.width = 4096  # never re-wrap long lines
    mapping, sequence, offset = _indents(text)
    y.indent(mapping=mapping, sequence=sequence, offset=offset)

    # ruamel writes None as an empty value; keep an explicit `null` as people write it
    def _null(rep: Any, _data: None) -> Any:
        return rep.represent_scalar("tag:yaml.org,2002:null", "null")

    y.representer.add_representer(type(None), _null)
    return y


def _commented(value: Any) -> Any:
    """Plain dicts and lists as ruamel nodes, so they are written in block style."""
    if isinstance(value, Mapping):
        m = CommentedMap()
        for k, v in value.items():
            m[k] = _commented(v)
        return m
    if isinstance(value, (list, tuple)):
        return CommentedSeq(_commented(v) for v in value)
    return value


def _last_slot(node: Any) -> tuple[Any, Any, int] | None:
    """(container, key, comment slot) of the deepest last item that carries a trailing comment."""
    found = None
    while isinstance(node, (CommentedMap, CommentedSeq)) and len(node):
        if isinstance(node, CommentedMap):
            key: Any = next(reversed(node))
            slot = 2
        else:
            key, slot = len(node) - 1, 0
        entry = node.ca.items.get(key)
        if entry and len(entry) > slot and entry[slot] is not None:
            found = (node, key, slot)
        node = node[key]
    return found


def _deepest_last(node: Any) -> tuple[Any, Any, int] | None:
    """(container, key, slot) of the deepest last item, whether or not it has a comment."""
    last = None
    while isinstance(node, (CommentedMap, CommentedSeq)) and len(node):
        if isinstance(node, CommentedMap):
            key: Any = next(reversed(node))
            last = (node, key, 2)
        else:
            key = len(node) - 1
            last = (node, key, 0)
        node = node[key]
    return last


def _detach_tail(node: Any) -> str:
    """Remove and return what follows the end-of-line comment of the node's last line."""
    slot = _last_slot(node)
    if slot is None:
        return ""
    container, key, i = slot
    token = container.ca.items[key][i]
    head, _, tail = str(token.value).partition("\n")
    if head.strip():
        token.value = head + "\n"
    else:
        container.ca.items[key][i] = None
    return tail


def _attach_tail(node: Any, tail: str) -> None:
    if not tail:
        return
    last = _deepest_last(node)
    if last is None:
        return
    container, key, i = last
    entry = container.ca.items.setdefault(key, [None, None, None, None])
    existing = entry[i]
    if existing is not None:
        existing.value = str(existing.value).rstrip("\n") + "\n" + tail
    else:
        entry[i] = CommentToken("\n" + tail, CommentMark(0), None)


def _load(path: Path) -> tuple[YAML, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: not found") from None
    y = _yaml(text)
    try:
        doc = y.load(text)
    except Exception as e:  # ruamel raises several error types for bad YAML
        raise ConfigError(f"{path}: not valid YAML: {e}") from None
    if not isinstance(doc, CommentedMap):
        raise ConfigError(f"{path}: the top level must be a mapping")
    return y, doc


def read_models(path: str | Path) -> dict[str, dict[str, Any]]:
    """The `models` mapping as plain data (empty when there is none)."""
    raw = load_yaml(Path(path).read_text(encoding="utf-8")) or {}
    return dict(raw.get("models") or {})


def _write_atomic(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        with contextlib.suppress(FileNotFoundError):
            os.chmod(tmp, path.stat().st_mode & 0o7777)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _edit(path: Path, models: Mapping[str, Mapping[str, Any]], replace: bool) -> list[str]:
    y, doc = _load(path)
    current = doc.get("models")
    pending = ""
    if not isinstance(current, CommentedMap) or not len(current):
        # `models:` missing, null or an empty flow mapping `{}`: start a block mapping
        fresh = CommentedMap()
        if "models" in doc:
            # `models: {}  # note` keeps its note; the lines after it go below the new entries
            entry = doc.ca.items.get("models")
            if entry and len(entry) > 2 and entry[2] is not None:
                head, _, pending = str(entry[2].value).partition("\n")
                if head.strip():
                    entry[2].value = head + "\n"
                else:
                    entry[2] = None
            doc["models"] = fresh
        else:
            doc.insert(len(doc), "models", fresh)
        current = fresh
    changed: list[str] = []
    for run, spec in models.items():
        run = str(run)
        new = _commented(dict(spec))
        if run in current:
            if not replace or _plain(current[run]) == _plain(new):
                continue
            last = next(reversed(current)) == run
            tail = _detach_tail(current[run]) if last else ""
            current[run] = new
            _attach_tail(new, tail)
        else:
            tail = _detach_tail(current) or pending
            pending = ""
            current[run] = new
            _attach_tail(new, tail)
        changed.append(run)
    if not changed:
        return []
    buf = io.StringIO()
    y.dump(doc, buf)
    text = buf.getvalue()
    # the whole file must still be a valid configuration before it replaces the old one
    parse_params(load_yaml(text), str(path))
    _write_atomic(path, text)
    return changed


def _plain(node: Any) -> Any:
    if isinstance(node, Mapping):
        return {str(k): _plain(v) for k, v in node.items()}
    if isinstance(node, (list, tuple)):
        return [_plain(v) for v in node]
    return node


def add_models(path: str | Path, models: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """Add runs that are not in `models` yet; existing entries stay as they are. Returns the added names."""
    return _edit(Path(path), models, replace=False)


def set_models(path: str | Path, models: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """Add runs, or replace the spec of existing ones. Returns the names whose entry changed."""
    return _edit(Path(path), models, replace=True)
