"""Age answers that are not exact ages: open-ended spans and life-stage words.

A model may answer "35+", "over 60", "under 18", "50 or older" or "elderly" where a label has
a number or an interval. The scorer reads an answer as one or two spans of years:

* an exact age (`vipbench.core.ages.parse_age`): one span;
* an open-ended answer: the span it names, to `MAX_AGE` or from 0. Whole years are meant, so a
  strict bound excludes its number: "over 60", "older than 60", "more than 60", ">60" start at 61,
  "under 18", "younger than 18", "below 18", "<18" end at 17; "60+", "at least 60", "60 or older",
  "60 and up" start at 60, "at most 18", "18 or younger", "18 and under" end at 18;
* a life-stage word from `data/age_words.yaml`: a core span that every common reading of the word
  includes and an outer span that some reading includes ("middle-aged": 45-60 and 40-65).

`read_age(text)` returns the spans, the core first; None when the text holds no age.
"""

from __future__ import annotations

import re
from functools import cache

from vipbench.core.ages import MAX_AGE, Interval, parse_age
from vipbench.core.io import package_yaml
from vipbench.core.text import normalize_text

__all__ = ["AGE_WORDS_FILE", "read_age"]

AGE_WORDS_FILE = "data/age_words.yaml"

_N = r"(\d{1,3})"
#: (pattern, how the bound is read): ">" from n+1, ">=" from n, "<" to n-1, "<=" to n
_BOUNDS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(p), how)
    for p, how in (
        (rf"\b(?:over|above|older than|more than)\s+{_N}\b|>\s*{_N}\b", ">"),
        (rf"\b(?:at least)\s+{_N}\b|\b{_N}\s*\+|\b{_N}\s+(?:or|and)\s+(?:older|over|above|up)\b", ">="),
        (rf"\b(?:under|below|younger than|less than)\s+{_N}\b|<\s*{_N}\b", "<"),
        (rf"\b(?:at most)\s+{_N}\b|\b{_N}\s+(?:or|and)\s+(?:younger|under|below)\b", "<="),
    )
)


def _open_ended(text: str) -> Interval | None:
    t = text.casefold()
    for rx, how in _BOUNDS:
        m = rx.search(t)
        if m:
            n = float(next(g for g in m.groups() if g is not None))
            span = {">": (n + 1, MAX_AGE), ">=": (n, MAX_AGE), "<": (0.0, n - 1), "<=": (0.0, n)}[how]
            return span if 0 <= span[0] <= span[1] <= MAX_AGE else None
    return None


@cache
def _stage_words() -> tuple[tuple[re.Pattern[str], Interval, Interval], ...]:
    out = []
    for entry in package_yaml(AGE_WORDS_FILE):
        words = "|".join(sorted((re.escape(normalize_text(w)) for w in entry["words"]), key=len, reverse=True))
        core, outer = (tuple(float(x) for x in entry[k]) for k in ("core", "outer"))
        out.append((re.compile(rf"\b(?:{words})\b"), (core[0], core[1]), (outer[0], outer[1])))
    return tuple(out)


def read_age(text: str) -> tuple[Interval, ...] | None:
    """The spans of years an age answer names: one for an exact or open-ended age, (core, outer)
    for a life-stage word; None when it names no age."""
    exact = parse_age(text)
    if exact is not None:
        return (exact,)
    bounded = _open_ended(text)
    if bounded is not None:
        return (bounded,)
    t = normalize_text(text)
    found = [(core, outer) for rx, core, outer in _stage_words() if rx.search(t)]
    return found[0] if len(found) == 1 else None
