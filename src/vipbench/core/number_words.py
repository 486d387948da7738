"""Amounts written in words, rewritten in digits: "fifty thousand" -> "50 thousand".

Models write amounts in words as often as in digits: "around fifty thousand dollars", "a hundred
k", "twenty grand", "half a million", "one and a half million". `amounts_in_digits(text)` rewrites
the number words of an amount in digits and keeps its magnitude word, so that the amount reader
(`vipbench.core.options.income_from_amount`) sees "50 thousand dollars", "100 k", "20 grand",
"0.5 million", "1.5 million". English only.

Number words count as an amount only when a magnitude (thousand, k, grand, million, billion) or a
currency word (dollars, euros, pounds, bucks ...) follows them, or when they open a range whose
other end is such an amount ("forty to fifty thousand"): "one of the top earners" has no amount.
"a"/"an" counts as one before a magnitude ("a hundred k", "a grand a month"); "half", "a quarter"
and "three quarters" of a magnitude are fractions of it ("half a million", "a quarter of a million").
The input is folded text (`vipbench.core.text.fold`); the output keeps everything else as it was.
"""

from __future__ import annotations

import re

__all__ = ["SMALL_NUMBER", "amounts_in_digits", "words_value"]

_UNITS: tuple[str, ...] = (
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen",
)  # fmt: skip
_TENS: dict[str, int] = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
    "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
}  # fmt: skip
_MAGNITUDE = r"(?:thousand|k|grand|million|mil|m|billion|bn)"
_CURRENCY = r"(?:dollars?|bucks|usd|euros?|eur|pounds?|gbp|quid|francs?|chf|yen|rupees?)"

_UNIT_RX = "|".join(sorted(_UNITS, key=len, reverse=True))
_DIGIT_RX = "|".join(_UNITS[1:10])
_TENS_RX = "|".join(_TENS)
#: 0-99 in words: "forty-five", "forty", "fifteen" (a regular expression without groups)
SMALL_NUMBER = rf"(?:(?:{_TENS_RX})(?:[\s-]+(?:{_DIGIT_RX}))?|(?:{_UNIT_RX}))"
#: 0-999 in words: "a hundred and twenty", "two hundred", "ninety"; "a" only before a magnitude
_NUMBER = (
    rf"(?:(?:{SMALL_NUMBER}|an?)\s+hundred(?:\s+and)?(?:\s+{SMALL_NUMBER})?|{SMALL_NUMBER}|an?(?=\s+(?:thousand|grand|million|billion)\b))"
)
_HALF = r"(?:\s+and\s+(?:a\s+half|a\s+quarter))"
#: number words before a magnitude or a currency word
_AMOUNT = re.compile(rf"\b({_NUMBER})({_HALF})?(?=\s*(?:{_MAGNITUDE}|{_CURRENCY})\b)")
#: number words opening a range whose other end is already in digits ("forty to 50 thousand")
_RANGE_START = re.compile(rf"\b({_NUMBER})({_HALF})?(?=\s*(?:-|to|and)\s*\d)")
#: a fraction of a magnitude: "half a million", "a quarter of a million", "three quarters of a million"
_FRACTION = re.compile(
    r"\b(?<!and )(?<!and a )(half|a\s+quarter|quarter|three\s+quarters)(?:\s+of)?(?:\s+an?)?\s+"
    r"(?=(?:thousand|million|billion|mil)\b)"
)
_FRACTIONS = {"half": 0.5, "a quarter": 0.25, "quarter": 0.25, "three quarters": 0.75}


def words_value(words: str) -> float:
    """The value of 0-999 written in words ("a hundred and twenty" -> 120)."""
    total = 0.0
    current = 0.0
    for w in re.split(r"[\s-]+", words.strip()):
        if w in ("a", "an"):
            current += 1
        elif w in _TENS:
            current += _TENS[w]
        elif w in _UNITS:
            current += _UNITS.index(w)
        elif w == "hundred":
            total += (current or 1) * 100
            current = 0
    return total + current


def _digits(m: re.Match[str]) -> str:
    value = words_value(m.group(1))
    if m.group(2):
        value += 0.5 if "half" in m.group(2) else 0.25
    return f"{value:g}"


def amounts_in_digits(text: str) -> str:
    """`text` with the number words of its amounts in digits ("fifty thousand" -> "50 thousand")."""
    t = _FRACTION.sub(lambda m: f"{_FRACTIONS[' '.join(m.group(1).split())]:g} ", text)
    t = _AMOUNT.sub(_digits, t)
    return _RANGE_START.sub(_digits, t)
