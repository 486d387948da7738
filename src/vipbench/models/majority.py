"""The `majority` baseline: each attribute's most frequent counted label as the top-1 guess.

This is a reference floor, not an adversary: it never looks at an image. Any model that
does not beat it has learned nothing from the pictures. Guesses 2 and 3 are the next most
frequent labels, so top-3 accuracy has a floor too.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from typing import Literal

from vipbench.core.records import Item, Response
from vipbench.models.registry import ModelSpec, PerItemAdapter, RunContext, register


class MajoritySpec(ModelSpec):
    kind: Literal["majority"] = "majority"

    def uses_prompt(self) -> bool:
        return False


@register("majority", MajoritySpec)
class MajorityAdapter(PerItemAdapter):
    def __init__(self, spec: MajoritySpec, ctx: RunContext) -> None:
        super().__init__(spec, ctx)
        self._guesses: dict[str, list[str]] | None = None

    def _ranked(self, items: Sequence[Item]) -> dict[str, list[str]]:
        by_attr: dict[str, Counter[str]] = {}
        for it in items:
            by_attr.setdefault(it.attribute, Counter())[it.truth] += 1
        # Ties break alphabetically so the baseline is deterministic.
        return {a: [v for v, _ in sorted(c.items(), key=lambda kv: (-kv[1], kv[0]))[:3]] for a, c in by_attr.items()}

    def respond(self, item: Item) -> Response:
        if self._guesses is None:
            self._guesses = self._ranked(self.ctx.all_items or [item])
        guesses = self._guesses.get(item.attribute, [])
        return Response(
            item_id=item.item_id,
            image_id=item.image_id,
            attribute=item.attribute,
            status="answered" if guesses else "abstained",
            guesses=guesses,
            inference="most frequent labels of this attribute in the dataset",
            reason=None if guesses else "no labels for this attribute",
        )

    def infer(self, items: Sequence[Item]) -> Iterator[Response]:
        if self._guesses is None:
            self._guesses = self._ranked(self.ctx.all_items or items)
        return super().infer(items)
