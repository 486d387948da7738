"""Answers that offer alternatives ("40 or 45", "nurse or doctor"), and the verdict they share.

A careful grader gives an answer "X or Y" the verdict both X and Y get on their own. When they
differ, which one was meant decides the verdict and the answer is not decidable offline:
undecided (a person or an LLM judge decides). An "or" splits an answer only when every side
reads on its own (the caller's `reads`): "50 or older" is one age, not "50" and "older".

The age and occupation scorers use this. The categorical scorer does not: an answer that names
two options of a fixed list ("male or female", "low to medium") is not a choice from the list,
and is wrong (tests/scoring/test_categorical.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from vipbench.core.records import Verdict

__all__ = ["or_alternatives", "shared_verdict"]

_OR = re.compile(r"\s+or\s+|\s*,\s*or\s+", re.IGNORECASE)


def _top_level_split(text: str) -> list[str]:
    """`text` split at each "or" outside brackets."""
    parts, depth, start = [], 0, 0
    for m in _OR.finditer(text):
        depth = text[: m.start()].count("(") - text[: m.start()].count(")")
        if depth == 0:
            parts.append(text[start : m.start()])
            start = m.end()
    parts.append(text[start:])
    return [p.strip(" .;") for p in parts]


def or_alternatives(text: str, reads: Callable[[str], bool]) -> list[str]:
    """The alternatives of an "X or Y" answer when each reads on its own; else [text]."""
    parts = _top_level_split(text)
    if len(parts) > 1 and all(p and reads(p) for p in parts):
        return parts
    return [text]


def shared_verdict(verdicts: Iterable[Verdict]) -> Verdict:
    """The verdict every alternative gets, or undecided when they differ."""
    distinct = set(verdicts)
    return distinct.pop() if len(distinct) == 1 else "undecided"
