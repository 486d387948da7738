"""Model kinds by name: the one table of kind -> module, imported only when a kind is used.

Adding a model kind is its spec class in `vipbench.models.specs`, one module with its adapter (see
`vipbench.models.registry`) and one line in `_LAZY`, so the CLI can list and validate kinds
without importing any kind's module (nor its heavy dependencies).
"""

from __future__ import annotations

import importlib

from vipbench.models.registry import Adapter, ModelSpec, RunContext, registered, registered_kinds
from vipbench.models.specs import SPECS

#: kind -> module that registers it. Only imported when the kind is used.
_LAZY: dict[str, str] = {
    "majority": "vipbench.models.majority",
    "openai": "vipbench.models.openai_api",
    "hf": "vipbench.models.hf",
    "ocr": "vipbench.models.adversaries.ocr",
    "exif": "vipbench.models.adversaries.exif",
    "face": "vipbench.models.adversaries.face",
}


def _load(kind: str) -> tuple[type[ModelSpec], type[Adapter]]:
    if registered(kind) is None and kind in _LAZY:
        importlib.import_module(_LAZY[kind])
    found = registered(kind)
    if found is None:
        raise KeyError(f"unknown model kind {kind!r}; known kinds: {', '.join(available_kinds())}")
    return found


def available_kinds() -> list[str]:
    return sorted(set(_LAZY) | registered_kinds())


def spec_class(kind: str) -> type[ModelSpec]:
    """The spec class of `kind`; a built-in kind's comes from `vipbench.models.specs`, without
    importing the module that runs it."""
    found = registered(kind)
    if found is not None:
        return found[0]
    if kind in SPECS:
        return SPECS[kind]
    return _load(kind)[0]


def create_adapter(spec: ModelSpec, ctx: RunContext) -> Adapter:
    return _load(spec.kind)[1](spec, ctx)
