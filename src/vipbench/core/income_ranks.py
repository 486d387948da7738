"""Income given as a rank ("top 5%", "bottom quintile", "99th percentile") read as a span of amounts.

An answer may place an income among all incomes instead of naming an amount. `rank_span(text)`
reads the rank and returns the span of yearly USD amounts it implies, on the thresholds of
`data/income_ranks.yaml` (US incomes, since the options are in USD; the file gives the figures
and their sources):

* "top p%" (also "top decile", "highest quintile", "one-percenter"): at least the amount above
  which the top p% lie, up to no limit;
* "bottom p%" ("lowest quintile", "poorest 10%"): under the amount below which the bottom p% lie;
* "the Nth percentile": the amount at that percentile.

A rank does not say whether it is a person's income or a household's, so every span covers both
readings: its low end is the lower of the two thresholds and its high end the higher. Between two
listed percentiles a threshold is interpolated linearly. The option reader
(`vipbench.core.options`) names every income option the span reaches; when that is more than one,
the answer fits several options and the scorer leaves it undecided unless they agree.
"""

from __future__ import annotations

import math
import re
from functools import cache
from typing import Any

from vipbench.core.io import package_yaml
from vipbench.core.number_words import words_value
from vipbench.core.text import fold, normalize_text

__all__ = ["INCOME_RANKS_FILE", "find_rank", "rank_span", "threshold"]

INCOME_RANKS_FILE = "data/income_ranks.yaml"

_TOP = r"(?:top|highest|richest|upper|best paid|best-paid|wealthiest)"
_BOTTOM = r"(?:bottom|lowest|poorest|lower|least paid|worst paid)"
_NUMBER_WORD = r"(?:one|two|three|four|five|six|seven|eight|nine|ten|fifteen|twenty|twenty[\s-]five|thirty|forty|fifty)"
_PERCENT = rf"(\d+(?:\.\d+)?|{_NUMBER_WORD})\s*(?:%|percent\b|per\s*cent\b|pc\b)"


@cache
def _table() -> dict[str, Any]:
    raw = package_yaml(INCOME_RANKS_FILE)
    thresholds = sorted((float(p), (float(a), float(b))) for p, (a, b) in raw["thresholds"].items())
    return {"thresholds": thresholds, "shares": dict(raw["shares"]), "named": list(raw["named"])}


@cache
def _share_rx() -> re.Pattern[str]:
    """"top 5%", "bottom quintile", "lowest income decile", "top five percent"."""
    shares = "|".join(_table()["shares"])
    side = rf"(?P<side>{_TOP}|{_BOTTOM})"
    return re.compile(rf"\b{side}\s+(?:(?:income|earnings?|wage|salary)\s+)?(?:{_PERCENT}|(?P<share>{shares})s?\b)")


_POINT = re.compile(r"\b(\d{1,2}(?:\.\d+)?)\s*(?:st|nd|rd|th)?\s+percentile\b")


def threshold(percentile: float) -> tuple[float, float]:
    """(person, household) yearly USD amounts below which `percentile` % of incomes lie."""
    rows = _table()["thresholds"]
    if percentile <= rows[0][0]:
        lo_p, (a, b) = rows[0]
        return a * percentile / lo_p, b * percentile / lo_p
    for (p0, (a0, b0)), (p1, (a1, b1)) in zip(rows, rows[1:], strict=False):
        if p0 <= percentile <= p1:
            f = (percentile - p0) / (p1 - p0)
            return a0 + f * (a1 - a0), b0 + f * (b1 - b0)
    return rows[-1][1]  # above the 99th: at least the 99th's amounts


def _percent(token: str) -> float:
    return float(token) if token[0].isdigit() else words_value(token)


def _span(side: str, percent: float) -> tuple[float, float] | None:
    if not 0 < percent < 100:
        return None
    if re.fullmatch(_TOP, side):
        person, household = threshold(100 - percent)
        return min(person, household), math.inf
    person, household = threshold(percent)
    return 0.0, max(person, household)


def find_rank(text: str) -> tuple[tuple[float, float], str] | None:
    """The span of yearly USD amounts (low, high) an income rank in `text` implies, and the text
    without the rank's words; None if it names no rank. A "bottom" span's high end is the
    threshold itself, not included."""
    t = " ".join(fold(text).replace("-", " ").split())
    words = f" {normalize_text(text)} "
    for phrase, side, percent in _table()["named"]:
        if f" {phrase} " in words and (span := _span(side, float(percent))):
            return span, words.replace(f" {phrase} ", " ")
    m = _share_rx().search(t)
    if m:
        share = m.group("share")
        found = _span(m.group("side"), float(_table()["shares"][share]) if share else _percent(m.group(2)))
        return (found, f"{t[: m.start()]} {t[m.end() :]}") if found else None
    m = _POINT.search(t)
    if m and 0 < (pct := float(m.group(1))) < 100:
        person, household = threshold(pct)
        return (min(person, household), max(person, household)), f"{t[: m.start()]} {t[m.end() :]}"
    return None


def rank_span(text: str) -> tuple[float, float] | None:
    """The span of yearly USD amounts an income rank in `text` implies; None if it names no rank."""
    found = find_rank(text)
    return found[0] if found else None
