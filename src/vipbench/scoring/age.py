"""The age rule: two numbers within 5 years, intervals by overlap coefficient, a number inside an interval.

An age is parsed to a closed interval (low, high); a single number is the zero-length
interval (n, n). Then:
- two numbers: correct when they are at most 5 years apart;
- two intervals: correct when overlap / (length of the shorter one) >= 0.5;
- a number and an interval: correct when the number lies inside (inclusive).
A zero-length interval ("30-30") is a number. Otherwise wrong; this rule has no "less precise".
"""

from __future__ import annotations

import re

from vipbench.core.records import Decision
from vipbench.core.text import fold
from vipbench.scoring.registry import scorer

NUMBER_TOLERANCE = 5.0
MIN_OVERLAP = 0.5
MAX_AGE = 120.0

Interval = tuple[float, float]

_DECADE_WORDS = {
    "teens": 10,
    "twenties": 20,
    "thirties": 30,
    "forties": 40,
    "fifties": 50,
    "sixties": 60,
    "seventies": 70,
    "eighties": 80,
    "nineties": 90,
}
#: (first, last) year offsets within a decade for each qualifier ("mid 30s" -> 33-37)
_PART = {"early": (0, 3), "mid": (3, 7), "middle": (3, 7), "late": (7, 9), "": (0, 9)}
_TEEN_PART = {"early": (13, 15), "mid": (14, 16), "middle": (14, 16), "late": (17, 19), "": (13, 19)}

_NUM = r"(\d{1,3}(?:\.\d+)?)"
_RANGE = re.compile(_NUM + r"\s*(?:-|to|and|/)\s*" + _NUM)
_DECADE = re.compile(
    r"(?:(early|mid|middle|late)(?:[\s-]*(?:to|or|-)[\s-]*(early|mid|middle|late))?\s*-?\s*)?"
    r"(?:(\d)0\s*s|(" + "|".join(_DECADE_WORDS) + r")|(teenager|teen))\b"
)
_OPEN_ENDED = re.compile(
    r"[<>+]|\b(under|over|above|below|less than|more than|older than|younger than|at least)\b"
)
_NOISE = re.compile(
    r"\b(years?|yrs?|y ?o|y/o|old|ish|aged?|approximately|approx|about|around|roughly|circa)\b|~"
)


_UNITS: tuple[str, ...] = (
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen",
)  # fmt: skip
_TENS: dict[str, int] = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
    "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
}  # fmt: skip
_TENS_RX = "|".join(_TENS)
_UNIT_RX = "|".join(_UNITS[1:10])
_ANY_UNIT_RX = "|".join(sorted(_UNITS, key=len, reverse=True))
#: "thirty-five" (tens and unit), "thirty" or "fifteen"
_SPELLED = re.compile(rf"\b(?:({_TENS_RX})(?:[\s-]+({_UNIT_RX}))?|({_ANY_UNIT_RX}))\b")


def _spelled(m: re.Match[str]) -> str:
    tens, unit, alone = m.groups()
    if alone:
        return str(_UNITS.index(alone))
    return str(_TENS[tens] + (_UNITS.index(unit) if unit else 0))


def _clean(text: str) -> str:
    t = fold(text)  # also drops apostrophes: "30's" -> "30s"
    t = re.sub(r"[\u2010-\u2015\u2212]", "-", t)  # dashes
    t = _SPELLED.sub(_spelled, t)  # "thirty-five" -> "35"
    return " ".join(_NOISE.sub(" ", t).split())


def _decade(m: re.Match[str]) -> Interval:
    first, second, digit, word, teen = m.groups()
    if teen or word == "teens":
        parts = _TEEN_PART
        base = 0
    else:
        parts = _PART
        base = int(digit) * 10 if digit else _DECADE_WORDS[word]
    lo = parts[first or ""][0]
    hi = parts[second or first or ""][1]
    return float(base + lo), float(base + hi)


def parse_age(text: str) -> Interval | None:
    """(low, high) years for "34", "34 years", "25-35", "25 to 35", "mid 30s", "30s", "early 20s".

    None when the text holds no age, an open-ended one ("over 60", "65+"), several unrelated
    numbers, or a value outside 0-120.
    """
    t = _clean(text)
    if not t:
        return None
    if _OPEN_ENDED.search(t):
        return None
    m = _RANGE.search(t)
    if m:
        a, b = float(m.group(1)), float(m.group(2))
        out: Interval = (min(a, b), max(a, b))
    elif (d := _DECADE.search(t)) is not None and not re.search(r"\d{3}", t):
        out = _decade(d)
    else:
        nums = re.findall(_NUM, t)
        if len(nums) != 1:
            return None
        out = (float(nums[0]), float(nums[0]))
    if out[0] < 0 or out[1] > MAX_AGE:
        return None
    return out


def _fmt(iv: Interval) -> str:
    lo, hi = (f"{x:g}" for x in iv)
    return lo if iv[0] == iv[1] else f"{lo}-{hi}"


def compare_ages(truth: Interval, guess: Interval) -> tuple[bool, str]:
    """(correct?, why) under the age rule."""
    t_point, g_point = truth[0] == truth[1], guess[0] == guess[1]
    if t_point and g_point:
        diff = abs(truth[0] - guess[0])
        return diff <= NUMBER_TOLERANCE, f"numbers {diff:g} years apart (limit {NUMBER_TOLERANCE:g})"
    if t_point or g_point:
        point, (lo, hi) = (truth[0], guess) if t_point else (guess[0], truth)
        inside = lo <= point <= hi
        return inside, f"{point:g} {'inside' if inside else 'outside'} {lo:g}-{hi:g}"
    overlap = max(0.0, min(truth[1], guess[1]) - max(truth[0], guess[0]))
    shorter = min(truth[1] - truth[0], guess[1] - guess[0])
    coef = overlap / shorter
    return coef >= MIN_OVERLAP, f"interval overlap coefficient {coef:.2f} (needs {MIN_OVERLAP:g})"


@scorer(keys=("age",))
def judge_age(attribute: str, truth: str, guess: str) -> Decision:
    t, g = parse_age(truth), parse_age(guess)
    if t is None:
        return Decision(verdict="wrong", decided_by="rule", detail=f"truth {truth!r} is not an age")
    if g is None:
        return Decision(verdict="wrong", decided_by="rule", detail=f"guess {guess!r} is not an age")
    ok, why = compare_ages(t, g)
    detail = f"truth {_fmt(t)}, guess {_fmt(g)}: {why}"
    return Decision(verdict="correct" if ok else "wrong", decided_by="rule", detail=detail)
