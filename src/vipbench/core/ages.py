"""Ages as labels and answers write them, read into closed intervals of years.

"34" is (34, 34); "25-35", "25 to 35", "25~30" are (25, 35); "mid 30s" is (33, 37); "30s" and
"thirty-something" (30, 39); "45 ± 5" (40, 50), a centre and its spread; two decade phrases
joined by "to" span from the first one's start to the second one's end ("late 50s to early
60s" is (57, 63)). A "~" between two numbers is a range mark, before one number it is "about".
The age rule of the scorer (vipbench.scoring.age) and the label filter of the dataset
(re-checked labels must overlap) both read ages here. Open-ended answers ("35+", "50 or
older") and life-stage words ("elderly") are not exact ages: `vipbench.core.age_answers` reads
them for the scorer.
"""

from __future__ import annotations

import re

from vipbench.core.number_words import SMALL_NUMBER, words_value
from vipbench.core.text import fold

__all__ = ["MAX_AGE", "Interval", "parse_age"]

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
    r"(?:(\d)0\s*(?:s|-?\s*some ?thing)|(" + "|".join(_DECADE_WORDS) + r")|(teenager|teen))\b"
)
#: two decade phrases joined into one span ("late 50s to early 60s")
_SPAN_JOIN = re.compile(r"\s*(?:-|to|through|into)\s*")
#: a centre and its spread ("45 ± 5", "45 (+/- 5)", "45 give or take 5")
_PLUS_MINUS = re.compile(r"(\d{1,3})\s*\(?\s*(?:±|\+ ?/ ?-|\+-|plus or minus|give or take)\s*(\d{1,2})")
_OPEN_ENDED = re.compile(
    r"[<>+]|\b(under|over|above|below|less than|more than|older than|younger than|at least|at most)\b"
    r"|\b(or|and) (older|younger|over|under|above|below|up)\b"
)
_NOISE = re.compile(
    r"\b(years?|yrs?|y ?o|y/o|old|ish|aged?|approximately|approx|about|around|roughly|circa)\b|~"
)


#: "thirty-five" (tens and unit), "thirty" or "fifteen"
_SPELLED = re.compile(rf"\b(?:{SMALL_NUMBER})\b")


def _clean(text: str) -> str:
    t = fold(text)  # also drops apostrophes: "30's" -> "30s"
    t = re.sub(r"[\u2010-\u2015\u2212]", "-", t)  # dashes
    t = re.sub(r"(\d)\s*[~\u301c\uff5e]\s*(\d)", r"\1-\2", t)  # "25~30": a range mark
    t = _SPELLED.sub(lambda m: f"{words_value(m.group()):g}", t)  # "thirty-five" -> "35"
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
    pm = _PLUS_MINUS.search(t)
    if pm:
        centre, spread = float(pm.group(1)), float(pm.group(2))
        out: Interval = (centre - spread, centre + spread)
    elif _OPEN_ENDED.search(t):
        return None
    elif m := _RANGE.search(t):
        a, b = float(m.group(1)), float(m.group(2))
        out = (min(a, b), max(a, b))
    elif (decades := list(_DECADE.finditer(t))) and not re.search(r"\d{3}", t):
        out = _decade(decades[0])
        if len(decades) == 2 and _SPAN_JOIN.fullmatch(t[decades[0].end() : decades[1].start()]):
            out = (out[0], _decade(decades[1])[1])
    else:
        nums = re.findall(_NUM, t)
        if len(nums) != 1:
            return None
        out = (float(nums[0]), float(nums[0]))
    if out[0] < 0 or out[1] > MAX_AGE:
        return None
    return out
