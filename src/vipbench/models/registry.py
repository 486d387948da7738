"""What every model kind builds on: the spec base class, the adapter protocol, `@register`.

A kind's module defines an adapter class decorated with `@register("kind", Spec)`, its spec class
from `vipbench.models.specs` (a plugin's module may define its own); `vipbench.models.kinds` finds
the module by kind name and imports it only when the kind's model runs.
This module names no kind, so importing one kind's module never imports the others.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol, TypeVar

from pydantic import BaseModel, ConfigDict, field_validator

if TYPE_CHECKING:
    from vipbench.core.records import Item, Response
    from vipbench.inference.budget import Budget
    from vipbench.inference.endpoint import Endpoint
    from vipbench.inference.gateway import Transport

_REGISTRY: dict[str, tuple[type[ModelSpec], type[Adapter]]] = {}


class ModelSpec(BaseModel):
    """Fields every model spec in params.yaml has. Kinds add their own."""

    model_config = ConfigDict(extra="forbid")

    kind: str
    #: prompt variant: naive | extended | final | zoom
    prompt: str = "final"
    #: answer format: the study's Type/Inference/Guess text, or JSON-schema structured output
    output_format: Literal["text", "json"] = "text"
    #: general capability scores for the regression, e.g. {mmmu_val: 69.1}; overrides the registry
    capability: dict[str, float] | None = None

    @field_validator("prompt")
    @classmethod
    def _known_variant(cls, v: str) -> str:
        from vipbench.prompts.variants import VARIANTS

        if v not in VARIANTS:
            raise ValueError(f"unknown prompt variant {v!r}; known: {', '.join(VARIANTS)}")
        return v

    def uses_prompt(self) -> bool:
        """Whether the prompt variant means anything for this kind (baselines ignore it)."""
        return True

    def public_dict(self) -> dict[str, Any]:
        """The spec without secrets, safe to log. Key *names* of env vars are fine; values never."""
        return self.model_dump(mode="json", exclude_none=True)


@dataclass
class RunContext:
    """What an adapter gets besides its spec."""

    run_name: str
    data_dir: Path
    cache_path: Path
    max_side: int = 1024
    progress: Callable[[Response], None] | None = None
    #: every item of the dataset (not only the ones to answer), for baselines that look at labels
    all_items: Sequence[Item] = field(default_factory=list)
    #: the run's spending limit (`inference.max_cost_usd`), shared by all its requests
    budget: Budget | None = None
    #: replaces how an API model's requests go out, given its endpoint: a dry run (`estimate`,
    #: `batch export`) or answers read from a file (`batch import`). No API key is needed then.
    transport: Callable[[Endpoint], Transport] | None = None
    #: False: a batch run submits and checks its batches once instead of waiting for them
    batch_wait: bool = True


class Adapter(Protocol):
    """Turns items into responses. Model kinds (`openai`, `hf`) hand a backend to the engine
    (`vipbench.inference.engine`), which batches, retries, caches and classifies; offline kinds
    answer per item (`PerItemAdapter`)."""

    def __init__(self, spec: Any, ctx: RunContext) -> None: ...

    def infer(self, items: Sequence[Item]) -> Iterator[Response]:
        """Yield one Response per item, in any order."""
        ...

    def close(self) -> None: ...


class PerItemAdapter:
    """Base for adapters that answer one item at a time (offline baselines and adversaries):
    subclasses implement `respond`; progress reporting and iteration live here."""

    def __init__(self, spec: Any, ctx: RunContext) -> None:
        self.spec = spec
        self.ctx = ctx

    def respond(self, item: Item) -> Response:
        raise NotImplementedError

    def infer(self, items: Sequence[Item]) -> Iterator[Response]:
        for it in items:
            r = self.respond(it)
            if self.ctx.progress:
                self.ctx.progress(r)
            yield r

    def close(self) -> None:
        return None


S = TypeVar("S", bound=type)


def register(kind: str, spec: type[ModelSpec]) -> Callable[[S], S]:
    def deco(adapter_cls: S) -> S:
        _REGISTRY[kind] = (spec, adapter_cls)
        return adapter_cls

    return deco


def registered(kind: str) -> tuple[type[ModelSpec], type[Adapter]] | None:
    """The spec class and adapter class registered under `kind`, if its module has been imported."""
    return _REGISTRY.get(kind)


def registered_kinds() -> set[str]:
    return set(_REGISTRY)
