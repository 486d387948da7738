"""The floor: each attribute's most frequent labels, guessed for every item without looking.

The `majority` baseline answers with these guesses, and every run's score is set beside them on
the same items, so that a headline that a constant guess would also reach is seen as such.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from vipbench.core.records import Item, Response

__all__ = ["floor_response", "majority_guesses"]


def majority_guesses(items: Iterable[Item]) -> dict[str, list[str]]:
    """Per attribute, its three most frequent truths, most frequent first; ties alphabetically."""
    by_attr: dict[str, Counter[str]] = {}
    for it in items:
        by_attr.setdefault(it.attribute, Counter())[it.truth] += 1
    return {a: [v for v, _ in sorted(c.items(), key=lambda kv: (-kv[1], kv[0]))[:3]] for a, c in by_attr.items()}


def floor_response(item: Item, guesses: dict[str, list[str]]) -> Response:
    """The floor's answer for one item."""
    ranked = guesses.get(item.attribute, [])
    return Response(
        item_id=item.item_id,
        image_id=item.image_id,
        attribute=item.attribute,
        status="answered" if ranked else "abstained",
        guesses=ranked,
        inference="most frequent labels of this attribute in the dataset",
        reason=None if ranked else "no labels for this attribute",
    )
