"""The defense registry: one entry per defense, registered with a decorator, looked up by name.

A defense is a function and a strict pydantic model of its parameters. `parse_defense_spec`
validates a defense given by name or mapping; `defense_key` is the content hash that names a
defended file, so that the same input, defense, version and parameters give the same file.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from vipbench.core.errors import ConfigError

Level = Literal["pixels", "file"]


class DefenseError(ConfigError):
    """An unknown defense, invalid defense parameters, or an image a defense cannot work on."""


class DefenseParams(BaseModel):
    """Base of every defense's parameters: strict, immutable, hashable as JSON."""

    model_config = ConfigDict(extra="forbid", frozen=True)


@dataclass(frozen=True)
class Defense:
    name: str
    params: type[DefenseParams]
    level: Level
    #: pixels: (upright image, params) -> image; file: (src, dst, params) -> None
    fn: Callable[..., Any]
    #: bump when the output for the same input changes, so cached files are not reused
    version: str
    summary: str
    #: the versions of outside code the output depends on (an OCR model, OpenCV), for the cache key
    depends_on: Callable[[], str] | None = None


_DEFENSES: dict[str, Defense] = {}


def register_defense(
    name: str,
    params: type[DefenseParams],
    *,
    level: Level = "pixels",
    version: str = "1",
    depends_on: Callable[[], str] | None = None,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register a defense function under `name` with its params model.

    level="pixels": `fn(im: PIL.Image, params) -> PIL.Image`, given the upright image; loading,
    metadata carry-over and saving are done for it. level="file": `fn(src: Path, dst: Path, params)`
    writes `dst` itself (for defenses about the file rather than the pixels). `depends_on`
    returns the versions of outside code the output depends on; they go into the cache key.
    """

    def deco(fn: Callable[..., Any]) -> Callable[..., Any]:
        doc = (fn.__doc__ or "").strip().splitlines()
        _DEFENSES[name] = Defense(name, params, level, fn, version, doc[0] if doc else "", depends_on)
        return fn

    return deco


def list_defenses() -> list[str]:
    return sorted(_DEFENSES)


def get_defense(name: str) -> Defense:
    try:
        return _DEFENSES[name]
    except KeyError:
        known = ", ".join(list_defenses())
        raise DefenseError(f"unknown defense {name!r}; known defenses: {known}") from None


def validate_params(name: str, raw: Mapping[str, Any] | DefenseParams | None) -> DefenseParams:
    """`raw` validated by defense `name`'s params model (raises pydantic's ValidationError)."""
    d = get_defense(name)
    if isinstance(raw, DefenseParams):
        if not isinstance(raw, d.params):
            raise DefenseError(f"defense {name!r}: params must be {d.params.__name__}, got {type(raw).__name__}")
        return raw
    return d.params.model_validate(dict(raw or {}))


def params_for(name: str, params: DefenseParams | Mapping[str, Any] | None) -> DefenseParams:
    """Defense `name`'s params: an instance is checked, a mapping validated (DefenseError naming the field)."""
    if isinstance(params, DefenseParams):
        return validate_params(name, params)
    return parse_defense_spec({name: dict(params or {})})[1]


def parse_defense_spec(spec: str | Mapping[str, Any]) -> tuple[str, DefenseParams]:
    """A defense and its validated params, from a name or a mapping.

    Accepted forms: `"jpeg"` (default params), `{"name": "jpeg", "quality": 30}` and
    `{"jpeg": {"quality": 30}}`. Errors name the defense and the offending field.
    (params.yaml's `defenses:` entries, `{kind: jpeg, quality: 30}`, are read by vipbench.config.)
    """
    if isinstance(spec, str):
        name, raw = spec, {}
    elif isinstance(spec, Mapping):
        if "name" in spec:
            name, raw = spec["name"], {k: v for k, v in spec.items() if k != "name"}
        elif len(spec) == 1:
            name, raw = next(iter(spec.items()))
            raw = {} if raw is None else raw
            if not isinstance(raw, Mapping):
                raise DefenseError(f"defense {name!r}: params must be a mapping, got {type(raw).__name__}")
        else:
            raise DefenseError(
                "defense spec: field 'name' is missing (use {name: jpeg, quality: 30} or {jpeg: {quality: 30}})"
            )
    else:
        raise DefenseError(f"defense spec must be a name or a mapping, got {type(spec).__name__}")
    if not isinstance(name, str):
        raise DefenseError(f"defense spec: field 'name' must be a string, got {name!r}")
    try:
        params = validate_params(name, raw)
    except ValidationError as e:
        parts = []
        for err in e.errors():
            field = ".".join(str(x) for x in err["loc"]) or "params"
            parts.append(f"field {field!r}: {err['msg']}")
        raise DefenseError(f"defense {name!r}: " + "; ".join(parts)) from None
    return name, params


def defense_key(name: str, params: DefenseParams, src_bytes: bytes) -> str:
    """The content hash that names a defended file."""
    d = get_defense(name)
    h = hashlib.sha256()
    h.update(src_bytes)
    h.update(b"\0" + name.encode() + b"\0" + d.version.encode() + b"\0")
    if d.depends_on is not None:
        h.update(d.depends_on().encode() + b"\0")
    h.update(json.dumps(params.model_dump(mode="json"), sort_keys=True).encode())
    return h.hexdigest()[:20]
