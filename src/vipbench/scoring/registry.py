"""The scorer registry: attribute key or attribute kind -> offline scorer.

A scorer is a function `(attribute, truth, guess) -> Decision`. Adding one is one decorated
function in any module listed in `BUILTIN_MODULES` (or imported before scoring):

    @scorer(keys=("age",))
    def judge_age(attribute: str, truth: str, guess: str) -> Decision: ...

Lookup tries the attribute key first, then its kind from `vipbench.core.attributes`, so a
key-specific scorer overrides a kind-wide one.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable

from vipbench.core import attributes
from vipbench.core.records import Decision

Scorer = Callable[[str, str, str], Decision]

#: Modules whose import registers the built-in scorers.
BUILTIN_MODULES: tuple[str, ...] = (
    "vipbench.scoring.categorical",
    "vipbench.scoring.age",
    "vipbench.scoring.occupation",
)

_BY_KEY: dict[str, Scorer] = {}
_BY_KIND: dict[str, Scorer] = {}
_loaded = False


def scorer(
    *, keys: Iterable[str] = (), kinds: Iterable[str] = (), replace: bool = False
) -> Callable[[Scorer], Scorer]:
    """Register the decorated function for the given attribute keys and/or kinds."""
    keys, kinds = tuple(keys), tuple(kinds)
    if not keys and not kinds:
        raise ValueError("a scorer needs at least one attribute key or kind")

    def register(fn: Scorer) -> Scorer:
        for table, names in ((_BY_KEY, keys), (_BY_KIND, kinds)):
            for name in names:
                old = table.get(name)
                if old is not None and old is not fn and not replace and not _same_name(old, fn):
                    raise ValueError(f"a scorer for {name!r} is already registered: {old.__qualname__}")
                table[name] = fn
        return fn

    return register


def _same_name(a: Scorer, b: Scorer) -> bool:
    """A module re-imported (e.g. by importlib.reload) re-registers the same function: allow that."""
    return (getattr(a, "__module__", None), getattr(a, "__qualname__", None)) == (
        getattr(b, "__module__", None),
        getattr(b, "__qualname__", None),
    )


def _load_builtins() -> None:
    global _loaded
    if not _loaded:
        for mod in BUILTIN_MODULES:
            importlib.import_module(mod)
        _loaded = True


def scorer_for(attribute: str) -> Scorer:
    """The scorer for an attribute key; KeyError for an unknown attribute or one without a scorer."""
    _load_builtins()
    spec = attributes.get(attribute)
    fn = _BY_KEY.get(attribute) or _BY_KIND.get(spec.kind)
    if fn is None:
        raise KeyError(f"no offline scorer is registered for attribute {attribute!r} (kind {spec.kind!r})")
    return fn


def registered() -> dict[str, str]:
    """Which function scores each known attribute, as {attribute: "module.function"}."""
    _load_builtins()
    out: dict[str, str] = {}
    for key, spec in attributes.ATTRIBUTES.items():
        fn = _BY_KEY.get(key) or _BY_KIND.get(spec.kind)
        if fn is not None:
            out[key] = f"{fn.__module__}.{fn.__qualname__}"
    return out


def judge(attribute: str, truth: str, guess: str) -> Decision:
    """The offline verdict on one guess, with what decided it (rule, gazetteer or heuristic)."""
    fn = scorer_for(attribute)
    if not guess or not guess.strip():
        return Decision(verdict="wrong", decided_by="rule", detail="empty guess")
    if not truth or not truth.strip():
        return Decision(verdict="wrong", decided_by="rule", detail="empty truth label")
    return fn(attribute, truth.strip(), guess.strip())


@scorer(kinds=("place",))
def judge_place_attribute(attribute: str, truth: str, guess: str) -> Decision:
    """Places go to the gazetteer judge in vipbench.scoring.places (imported on first use)."""
    from vipbench.scoring.places import judge_place

    return judge_place(truth, guess)
