"""Amounts of money in an income answer, read as yearly US dollars.

The income options are bands of USD a year, and answers give amounts in many forms: "$45k",
"€3.500 netto im Monat", "R$ 3 mil por mês", "₹4 lakh", "400万円", "CHF 95'000". `read_amount(text)`
finds the first amount (or range, read by its midpoint) and returns the yearly USD it may mean:

* the number: thousands separated by commas, dots, spaces or apostrophes ("45,000", "45.000",
  "45 000", "95'000"), Indian grouping ("4,50,000"), a decimal point or comma ("1.5", "1,5"); number
  words in English ("fifty thousand": `vipbench.core.number_words`);
* a multiplier after it, in the languages of `data/amount_words.yaml`: "k", "thousand", "mil",
  "mille", "Tausend", "million", "millones", "Mio.", "lakh", "crore", "万". "mil" is a thousand in
  Spanish and Portuguese and a million in English slang: it reads by the answer's other words, and
  as either when they do not tell;
* the period: per month, week, day or hour in those languages ("im Monat", "al mes", "par mois"),
  scaled to a full-time year (x12, x52, x260, x2080); a year when none is named;
* the currency, by the signs, codes and words of `data/currencies.yaml` next to the amount ("€",
  "EUR", "euros", "R$", "円"), else anywhere in the answer, else USD. A sign shared by several
  currencies ("¥": yen or yuan; "kr"; "pesos") gives one reading per currency, narrowed by another
  mark that names only some of them ("¥ ... (RMB)"). "$" alone is USD, the options' currency,
  unless a mark next to the amount names another dollar or peso;
* a bound before or after it ("under", "menos de", "über"; "or more", "+"), as in
  `vipbench.core.options`.

An amount in another currency is converted at the file's approximate rate, dated there, and read
as a span of +/- its `tolerance` around the result, so that a rough rate cannot by itself decide a
band: a span that reaches two bands fits both. An amount beside a currency the file has no rate for
(a listed word without a rate, a currency sign it does not know, a three-letter code in capitals it
does not know) is not read as USD: `Amount.unknown` names it and the amount has no readings.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any, Literal

from vipbench.core.io import package_yaml
from vipbench.core.number_words import amounts_in_digits
from vipbench.core.text import fold

__all__ = ["AMOUNT_WORDS_FILE", "CURRENCIES_FILE", "Amount", "Bound", "read_amount", "usd_rate"]

AMOUNT_WORDS_FILE = "data/amount_words.yaml"
CURRENCIES_FILE = "data/currencies.yaml"

Bound = Literal["", "<", ">"]


@dataclass(frozen=True)
class Amount:
    """What an amount in an answer may mean: one yearly USD span (low, high) per reading (low ==
    high for USD), the bound it is given with, and the currencies it was read in. `unknown` names
    a currency without a rate next to it; such an amount has no spans."""

    spans: tuple[tuple[float, float], ...]
    bound: Bound = ""
    currencies: tuple[str, ...] = ("USD",)
    unknown: str = ""


@dataclass(frozen=True)
class _Mark:
    text: str
    start: int
    end: int
    codes: frozenset[str]
    anywhere: bool  # a mark that names its currency anywhere in an answer, not only next to an amount


#: capitalised words of three letters that are not currency codes ("$50K NET")
_NOT_CODES = frozenset(
    {"NET", "PER", "TAX", "AND", "THE", "TOP", "LOW", "MID", "AGE", "AVG", "EST", "MAX", "MIN", "APR"}
)
_DIGITS = r"\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?!\d)|\d+(?:[.,]\d+)*"


def _words_rx(words: list[str], left: bool = True) -> str:
    """An alternation of folded words or signs, longest first, each a whole word where it has
    letters (`left` False: it may follow a digit, as a multiplier does: "45k")."""
    out = []
    for w in sorted({str(w) for w in words}, key=len, reverse=True):
        rx = re.escape(w).replace(r"\ ", r"\s+")
        if left and w[:1].isalnum():
            rx = rf"(?<![a-z0-9]){rx}"
        if w[-1:].isalnum():
            rx = rf"{rx}(?![a-z])"
        out.append(rx)
    return "|".join(out)


@cache
def _words() -> dict[str, Any]:
    raw = package_yaml(AMOUNT_WORDS_FILE)
    mult = {str(w): float(v) for v, words in raw["multipliers"].items() for w in words}
    unit = _words_rx([*mult, "mil"], left=False)
    amount = rf"({_DIGITS})\s*(?:({unit}))?"
    between = _words_rx(raw["range_words"])
    return {
        "mult": mult,
        "mil": tuple(float(v) for v in raw["ambiguous_mil"]),
        "romance": re.compile(_words_rx(raw["romance_words"])),
        "english": re.compile(_words_rx(raw["english_words"])),
        "range": re.compile(rf"{amount}\s*(?:{between})\s*{amount}"),
        "single": re.compile(amount),
        "below_before": re.compile(rf"(?:{_words_rx(raw['below_before'])})\s*$"),
        "above_before": re.compile(rf"(?:{_words_rx(raw['above_before'])})\s*$"),
        "below_after": re.compile(rf"^\s*(?:{_words_rx(raw['below_after'])})"),
        "above_after": re.compile(rf"^\s*(?:{_words_rx(raw['above_after'])})"),
        "periods": tuple((re.compile(_words_rx(words)), int(n)) for n, words in raw["periods"].items()),
    }


@cache
def _currencies() -> dict[str, Any]:
    raw = package_yaml(CURRENCIES_FILE)
    rates = {code: float(spec["usd"]) for code, spec in raw["currencies"].items()}
    codes: dict[str, set[str]] = {}
    anywhere: set[str] = set()
    for code, spec in raw["currencies"].items():
        for kind in ("marks", "near"):
            for mark in spec.get(kind, []):
                m = fold(str(mark))
                codes.setdefault(m, set()).add(code)
                if kind == "marks":
                    anywhere.add(m)
    return {
        "as_of": str(raw["as_of"]),
        "tolerance": float(raw["tolerance"]),
        "rates": rates,
        "codes": {m: frozenset(c) for m, c in codes.items()},
        "anywhere": frozenset(anywhere),
        "marks": re.compile(_words_rx(list(codes))),
        "unrated": re.compile(_words_rx(raw["unrated"])),
        "counted_in": {str(w): frozenset(row["currencies"]) for row in raw["counted_in"] for w in row["words"]},
    }


def usd_rate(code: str) -> float:
    """The approximate USD value of one unit of the currency `code` (data/currencies.yaml)."""
    return float(_currencies()["rates"][code])


def _number(digits: str) -> float | None:
    d = re.sub(r"[ \u00a0\u202f]", "", digits)
    if re.fullmatch(r"\d{1,3}([.,])\d{3}(\1\d{3})*", d):  # "45,000", "45.000": thousands
        return float(re.sub(r"[.,]", "", d))
    if re.fullmatch(r"\d{1,2}(,\d{2})+,\d{3}", d):  # Indian grouping "4,50,000"
        return float(d.replace(",", ""))
    if re.fullmatch(r"\d{1,3}(\.\d{3})+,\d+", d):  # "1.234,5"
        return float(d.replace(".", "").replace(",", "."))
    if re.fullmatch(r"\d{1,3}(,\d{3})+\.\d+", d):  # "1,234.5"
        return float(d.replace(",", ""))
    if re.fullmatch(r"\d+([.,]\d+)?", d):
        return float(d.replace(",", "."))
    return None


def _per_year(text: str) -> int:
    """How many times the amount in `text` a year brings: 1 unless it names a shorter period."""
    for unit, adverb, n in (
        ("month|mo|mth", "monthly", 12),
        ("week|wk", "weekly", 52),
        ("day", "daily", 260),
        ("hour|hr|h", "hourly", 2080),
    ):
        if re.search(rf"(?:\b(?:per|a|an|each|every)\s+|/\s*)(?:{unit})\b|\b{adverb}\b", text):
            return n
    return next((n for rx, n in _words()["periods"] if rx.search(text)), 1)


def _marks(text: str) -> list[_Mark]:
    table = _currencies()
    return [
        _Mark(m.group(), m.start(), m.end(), table["codes"][key], key in table["anywhere"])
        for m in table["marks"].finditer(text)
        if (key := " ".join(m.group().split())) in table["codes"]
    ]


def _adjacent(marks: list[_Mark], text: str, start: int, end: int) -> list[_Mark]:
    """The marks right before the amount or right after it (spaces, dots or "de"/"of" between)."""
    return [
        m
        for m in marks
        if (m.end <= start and not text[m.end : start].strip(" .:"))
        or (m.start >= end and re.fullmatch(r"[\s.]*(?:(?:de|of|in)\s+)?", text[end : m.start]))
    ]


def _currency_codes(marks: list[_Mark], near: list[_Mark], units: list[str]) -> frozenset[str]:
    """The currencies the amount may be in (see the module docstring); `units` are its multiplier
    words, some of which are counted in a few currencies only ("lakh")."""
    strong = [m for m in near if m.text != "$"]
    elsewhere = [m for m in marks if m.anywhere and m.text != "$"]
    counted_in = _currencies()["counted_in"]
    if strong:
        codes = frozenset.intersection(*(m.codes for m in strong)) or frozenset().union(*(m.codes for m in strong))
    elif near:
        return frozenset({"USD"})
    elif elsewhere:
        codes = frozenset().union(*(m.codes for m in elsewhere))
    elif any(u in counted_in for u in units):
        codes = frozenset().union(*(counted_in[u] for u in units if u in counted_in))
    else:
        return frozenset({"USD"})
    if len(codes) > 1:  # "¥300,000 a month (RMB)": another mark that names only some of them
        narrower = frozenset().union(*(m.codes for m in marks if m not in near and m.codes < codes))
        codes = narrower or codes
    return codes


def _unknown(original: str, t: str, start: int, end: int, near: list[_Mark]) -> str:
    """A currency without a rate next to the amount, or a currency sign the file does not know."""
    unrated = _currencies()["unrated"]
    after = re.match(rf"[\s.]*(?:(?:de|of|in)\s+)?({unrated.pattern})", t[end:])
    before = re.search(rf"({unrated.pattern})[\s.]*$", t[:start])
    if after or before:
        return (after or before).group(1)  # type: ignore[union-attr]
    if not near:
        sign = next((ch for ch in t if unicodedata.category(ch) == "Sc"), None)
        if sign:
            return sign
        known = _currencies()["codes"]
        for m in re.finditer(r"(?<![A-Za-z])([A-Z]{3})(?![A-Za-z])", original):
            code = m.group(1)
            if code in _NOT_CODES or code.lower() in known or code.lower() in _words()["mult"]:
                continue
            around = original[max(0, m.start() - 16) : m.end() + 3]
            if re.search(rf"{code}\s?\d|\d\s?(?:[A-Za-z]{{1,8}}\.?\s)?{code}", around):
                return code
    return ""


def _mil(text: str) -> tuple[float, ...]:
    """What "mil" multiplies by: a thousand in a Spanish or Portuguese answer, a million in an
    English one, either when the answer's words do not tell."""
    words = _words()
    romance, english = bool(words["romance"].search(text)), bool(words["english"].search(text))
    if romance != english:
        return (words["mil"][0],) if romance else (words["mil"][1],)
    return words["mil"]


def _units(unit: str | None, text: str) -> tuple[float, ...]:
    if not unit:
        return (0.0,)  # no multiplier: see _value
    key = " ".join(unit.split())
    return _mil(text) if key == "mil" else (_words()["mult"][key],)


def _value(number: float, unit: float, yearly: bool) -> float:
    if unit:
        return number * unit
    return number * 1e3 if yearly and 0 < number < 1000 else number  # "30-60" a year means thousands


def _bound(t: str, start: int, end: int) -> Bound:
    words = _words()
    if words["below_before"].search(t[:start]) or words["below_after"].match(t[end:]):
        return "<"
    if words["above_before"].search(t[:start]) or words["above_after"].match(t[end:]):
        return ">"
    return ""


@lru_cache(maxsize=4096)
def read_amount(text: str) -> Amount | None:
    """The first amount (or range, by its midpoint) in `text` as yearly USD; None without one.
    Cached: an unread income guess asks for its amount again to say why it was not read."""
    folded = amounts_in_digits(fold(text).replace("\u2013", "-").replace("\u2014", "-"))
    marks = _marks(folded)
    t = folded
    for m in marks:  # the marks hidden from the number patterns, positions kept
        t = t[: m.start] + " " * (m.end - m.start) + t[m.end :]
    times = _per_year(t)
    yearly = times == 1
    words = _words()
    readings: list[float] = []
    m = words["range"].search(t)
    if m:
        a, b = _number(m.group(1)), _number(m.group(3))
        if a is None or b is None:
            return None
        # a unit named once counts for both ends ("30-40k"); "mil" read the same way at both
        ua, ub = _units(m.group(2) or m.group(4), t), _units(m.group(4) or m.group(2), t)
        for i in range(max(len(ua), len(ub))):
            lo, hi = ua[min(i, len(ua) - 1)], ub[min(i, len(ub) - 1)]
            readings.append(times * (_value(a, lo, yearly) + _value(b, hi, yearly)) / 2)
        bound: Bound = ""
    else:
        m = words["single"].search(t)
        if not m:
            return None
        number = _number(m.group(1))
        if number is None:
            return None
        readings = [times * _value(number, u, yearly) for u in _units(m.group(2), t)]
        bound = _bound(t, m.start(), m.end())
    near = _adjacent(marks, folded, m.start(), m.end())
    unknown = _unknown(text, t, m.start(), m.end(), near)
    if unknown:
        return Amount(spans=(), bound=bound, currencies=(), unknown=unknown)
    units = [" ".join(u.split()) for u in m.groups()[1::2] if u]  # the multiplier words
    codes = _currency_codes(marks, near, units)
    table = _currencies()
    tolerance = table["tolerance"]
    spans: list[tuple[float, float]] = []
    for code in sorted(codes):
        rate = table["rates"][code]
        for value in readings:
            usd = value * rate
            spans.append((usd, usd) if code == "USD" else (usd * (1 - tolerance), usd * (1 + tolerance)))
    return Amount(spans=tuple(dict.fromkeys(spans)), bound=bound, currencies=tuple(sorted(codes)))
