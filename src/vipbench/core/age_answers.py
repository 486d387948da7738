"""Age answers that are not exact ages: open-ended spans and life-stage words.

A model may answer "35+", "over 60", "under 18", "50 or older" or "elderly" where a label has
a number or an interval. The scorer reads an answer as one or two spans of years:

* an exact age (`vipbench.core.ages.parse_age`): one span;
* an open-ended answer: the span it names, to `MAX_AGE` or from 0. Whole years are meant, so a
  strict bound excludes its number: "over 60", "older than 60", "more than 60", ">60" start at 61,
  "under 18", "younger than 18", "below 18", "<18" end at 17; "60+", "at least 60", "60 or older",
  "60 and up" start at 60, "at most 18", "18 or younger", "18 and under" end at 18;
* a life-stage word from `data/age_words.yaml`: a core span that every common reading of the word
  includes and an outer span that some reading includes ("middle-aged": 45-60 and 40-65). Legal
  and school stages are life stages too, their spans taken across the common legal and school
  systems: "a minor" is 0-17 (to 20 where majority comes later), "high-school age" 15-17 (14-18),
  "primary-school age" 6-10 (4-12), "retired" 65+ (60+); the words are in English and, for the
  legal ones, Spanish, French, German and Portuguese. The longest word found counts ("high school
  age" is not "school age"); a word after "not" is not read ("not a minor"); two different stages
  in one answer name no age.

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
def _stage_words() -> tuple[re.Pattern[str], dict[str, tuple[Interval, Interval]]]:
    """One pattern for every stage word, longest first, and each word's (core, outer) spans."""
    spans: dict[str, tuple[Interval, Interval]] = {}
    for entry in package_yaml(AGE_WORDS_FILE):
        core, outer = (tuple(float(x) for x in entry[k]) for k in ("core", "outer"))
        for w in entry["words"]:
            spans[normalize_text(w)] = ((core[0], core[1]), (outer[0], outer[1]))
    words = "|".join(sorted((re.escape(w) for w in spans), key=len, reverse=True))
    return re.compile(rf"\b(?:{words})\b"), spans


#: a stage word after these is denied, not given ("not a minor")
_DENIED = re.compile(r"\b(?:not|no longer|never)(?:\s+(?:a|an|yet))?\s*$")


def _stage(text: str) -> tuple[Interval, Interval] | None:
    """The (core, outer) spans of the one life stage the text names; None for none or several."""
    t = normalize_text(text)
    rx, spans = _stage_words()
    found = {spans[m.group()] for m in rx.finditer(t) if not _DENIED.search(t[: m.start()])}
    return found.pop() if len(found) == 1 else None


def read_age(text: str) -> tuple[Interval, ...] | None:
    """The spans of years an age answer names: one for an exact or open-ended age, (core, outer)
    for a life-stage word; None when it names no age."""
    exact = parse_age(text)
    if exact is not None:
        return (exact,)
    bounded = _open_ended(text)
    if bounded is not None:
        return (bounded,)
    return _stage(text)
