"""The `majority` baseline: each attribute's most frequent counted label as the top-1 guess.

This is a reference floor, not an adversary: it never looks at an image. Any model that
does not beat it has learned nothing from the pictures. Guesses 2 and 3 are the next most
frequent labels, so top-3 accuracy has a floor too.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from vipbench.core.floor import floor_response, majority_guesses
from vipbench.core.records import Item, Response
from vipbench.models.registry import PerItemAdapter, RunContext, register
from vipbench.models.specs import MajoritySpec


@register("majority", MajoritySpec)
class MajorityAdapter(PerItemAdapter):
    def __init__(self, spec: MajoritySpec, ctx: RunContext) -> None:
        super().__init__(spec, ctx)
        self._guesses: dict[str, list[str]] | None = None

    def respond(self, item: Item) -> Response:
        if self._guesses is None:
            self._guesses = majority_guesses(self.ctx.all_items or [item])
        return floor_response(item, self._guesses)

    def infer(self, items: Sequence[Item]) -> Iterator[Response]:
        if self._guesses is None:
            self._guesses = majority_guesses(self.ctx.all_items or items)
        return super().infer(items)
