"""Keyword rules of the `ocr` adversary: occupation, education, marital status, sex, income, age.

Each rule turns OCR text into ranked guesses and the cues that fired. The keyword tables are
in `ocr_tables`; each matching cue adds its weight to its value, and values are ranked by
total weight. Income amounts fall in the income brackets of `vipbench.core.options`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from vipbench.core.amounts import usd_rate
from vipbench.core.options import HIGH, NO_INCOME, VERY_HIGH, income_bracket
from vipbench.models.adversaries import ocr_tables as T

MAX_GUESSES = 3


@dataclass(frozen=True)
class Cue:
    pattern: re.Pattern[str]
    value: str
    weight: float


def ocr_tolerant(pattern: str) -> str:
    """`pattern` made to survive OCR: a space matches any run of whitespace, line breaks included
    ("World's Best" / "Dad" on two lines), and an "i" also matches the "l" or "1" OCR often reads
    instead ("Just marrled", "Phllosophy"). Escapes, character classes and "(?i:" are kept."""
    out: list[str] = []
    i, n, in_class = 0, len(pattern), False
    while i < n:
        ch = pattern[i]
        if ch == "\\":
            out.append(pattern[i : i + 2])
            i += 2
            continue
        if in_class:
            in_class = ch != "]"
            out.append(ch)
        elif ch == "[":
            in_class = True
            out.append(ch)
        elif pattern.startswith("(?", i):
            end = pattern.index(":", i) + 1 if pattern[i + 2 : i + 3].isalpha() else i + 3
            out.append(pattern[i:end])
            i = end
            continue
        elif ch == " ":
            # " ?" stays optional ("\s?"); a plain space becomes one or more whitespace characters
            out.append(r"\s" if pattern[i + 1 : i + 2] in ("?", "*", "+", "{") else r"\s+")
        elif ch == "i":
            out.append("[il1]")
        else:
            out.append(ch)
        i += 1
    return "".join(out)


def table(rows: Iterable[tuple[str, str, float]], case_sensitive: bool = False) -> list[Cue]:
    """Cues from (regex, value, weight) rows; the regex must match whole words (OCR-tolerant)."""
    flags = 0 if case_sensitive else re.IGNORECASE
    return [Cue(re.compile(rf"(?<!\w){ocr_tolerant(pat)}(?!\w)", flags), value, w) for pat, value, w in rows]


OCCUPATION = table(T.OCCUPATION_CUES)
EDUCATION = table(T.EDUCATION_CUES)
MARITAL = table(T.MARITAL_CUES)
# "Mr & Mrs" names a couple, so it is removed before the sex cues are tried.
SEX = table(T.SEX_CUES, case_sensitive=True)
INCOME_WORDS = table(T.INCOME_CUES)

_MY_NAME = re.compile(r"my\s+name\s+is\s+([A-Z][a-z]+)|\b(?:I'?m|I\s+am)\s+([A-Z][a-z]+)\b")
_CAPITALISED = re.compile(r"\b[A-Z][a-z]{2,}\b")
_COUPLE = re.compile(r"\bmr\.? ?(?:&|and|\+) ?mrs\.?", re.IGNORECASE)

_PAY_WORDS = re.compile(ocr_tolerant(T.PAY_WORDS), re.IGNORECASE)
_NO_PAY = re.compile(ocr_tolerant(T.NO_PAY), re.IGNORECASE)
_CUR = r"\$|€|£|¥|₹|usd|eur|gbp|chf|cad|aud|jpy|inr"
_MONEY = re.compile(
    rf"(?P<c1>{_CUR})?\s?(?P<num>\d{{1,3}}(?:[,.' ]\d{{3}})+|\d+(?:[.,]\d{{1,2}})?)\s?"
    rf"(?P<mult>k|m|mil|million|thousand)?\b\s?(?P<c2>{_CUR})?",
    re.IGNORECASE,
)
#: "over $150k", "$150k+": just above the amount; "under", "up to": just below (see core.options)
_ABOVE_BEFORE = re.compile(r"(?:>|over|above|more than)\s*$", re.IGNORECASE)
_BELOW_BEFORE = re.compile(r"(?:<|under|below|less than|up to)\s*$", re.IGNORECASE)
_PERIODS = tuple((re.compile(p, re.IGNORECASE), f) for p, f in T.PERIODS)

_AGE_PATTERNS = tuple((re.compile(p, re.IGNORECASE), w) for p, w in T.AGE_CUES)
_CLASS_OF = re.compile(r"\bclass of (?:'|’)?(\d{4}|\d{2})\b", re.IGNORECASE)
_BORN = re.compile(
    r"\b(?:born(?: in)?|dob:?|date of birth:?)\s*(?:\d{1,2}[./-]\d{1,2}[./-])?((?:19|20)\d{2})\b",
    re.IGNORECASE,
)
_RETIRE = re.compile(r"\bretire(?:d|ment)\b|\bpensioner\b", re.IGNORECASE)
_BIRTHDAY = re.compile(r"birthday|b-?day|anniversary", re.IGNORECASE)
_SMALL_NUMBER = re.compile(r"(?<![\d.,$€£/:-])\b(\d{1,3})\b(?![\d.,%:/])")


def _ranked(scores: dict[str, float]) -> list[str]:
    return [v for v, _ in sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))][:MAX_GUESSES]


def match_table(text: str, table: list[Cue]) -> tuple[list[str], list[str]]:
    """Values ranked by the total weight of their matching cues, and the cue texts that matched."""
    scores: dict[str, float] = {}
    fired: list[str] = []
    for cue in table:
        m = cue.pattern.search(text)
        if m:
            scores[cue.value] = scores.get(cue.value, 0.0) + cue.weight
            fired.append(f"{m.group(0)!r} -> {cue.value}")
    return _ranked(scores), fired


def name_sex(name: str) -> str | None:
    low = name.lower()
    if low in T.MALE_NAMES and low not in T.FEMALE_NAMES:
        return "Male"
    if low in T.FEMALE_NAMES and low not in T.MALE_NAMES:
        return "Female"
    return None


def guess_sex(text: str) -> tuple[list[str], list[str]]:
    """Titles and family roles (weighted table), then given names: "my name is X" (2), any
    other known given name in the text (1 per distinct name)."""
    scores: dict[str, float] = {}
    fired: list[str] = []
    text = _COUPLE.sub(" ", text)
    for cue in SEX:
        m = cue.pattern.search(text)
        if m:
            scores[cue.value] = scores.get(cue.value, 0.0) + cue.weight
            fired.append(f"{m.group(0)!r} -> {cue.value}")
    introduced: set[str] = set()
    for m in _MY_NAME.finditer(text):
        name = m.group(1) or m.group(2)
        sex = name_sex(name)
        if sex:
            introduced.add(name)
            scores[sex] = scores.get(sex, 0.0) + 2.0
            fired.append(f"{m.group(0)!r} -> {sex}")
    for name in dict.fromkeys(_CAPITALISED.findall(text)):
        sex = name_sex(name)
        if sex and name not in introduced:
            scores[sex] = scores.get(sex, 0.0) + 1.0
            fired.append(f"name {name!r} -> {sex}")
    return _ranked(scores), fired


def _amount(m: re.Match[str]) -> tuple[float, bool] | None:
    """(value in USD, whether it is clearly money) of a _MONEY match."""
    cur = (m.group("c1") or m.group("c2") or "").lower()
    mult = (m.group("mult") or "").lower()
    if not cur and not mult:
        return None
    digits = m.group("num")
    if re.fullmatch(r"\d{1,3}(?:[,.' ]\d{3})+", digits):
        value = float(re.sub(r"[,.' ]", "", digits))
    else:
        value = float(digits.replace(",", "."))
    value *= {"k": 1e3, "thousand": 1e3, "m": 1e6, "mil": 1e6, "million": 1e6}.get(mult, 1.0)
    return value * (usd_rate(T.CURRENCY_CODES[cur]) if cur else 1.0), bool(cur)


def _bound(line: str, m: re.Match[str]) -> Literal["", "<", ">"]:
    """Whether the amount is an upper ("up to $30k") or lower ("$150k+") bound, or exact."""
    if _BELOW_BEFORE.search(line[: m.start()]):
        return "<"
    if _ABOVE_BEFORE.search(line[: m.start()]) or line[m.end() :].lstrip().startswith("+"):
        return ">"
    return ""


def guess_income(lines: list[str]) -> tuple[list[str], list[str]]:
    """Income brackets from pay amounts, purchase prices and money words, ranked by weight.

    An amount is pay when its line or the line above has a pay word ("salary", "gross",
    "pension"), or when its line names a period ("monthly", "/hr", "annual") in a text that has a
    pay word somewhere (a payslip): it is turned into a yearly USD amount (weight 3). Any other
    amount is a price: something bought for $1,500-10,000 suggests High, above that Very High
    (weight 1). "No salary" and the like suggest No income (weight 3).
    """
    scores: dict[str, float] = {}
    fired: list[str] = []
    text = "\n".join(lines)
    # "no salary" is not a pay word: take those phrases out before looking for pay context.
    paying = [_NO_PAY.sub(" ", line) for line in lines]
    doc_pay = bool(_PAY_WORDS.search("\n".join(paying)))

    def add(option: str, weight: float, why: str) -> None:
        scores[option] = scores.get(option, 0.0) + weight
        fired.append(f"{why} -> {option}")

    for i, line in enumerate(lines):
        near = " ".join(paying[max(0, i - 1) : i + 1])
        period = next((f for p, f in _PERIODS if p.search(line)), None)
        is_pay = bool(_PAY_WORDS.search(near)) or (doc_pay and period is not None)
        for m in _MONEY.finditer(line):
            got = _amount(m)
            if got is None:
                continue
            usd, _ = got
            shown = m.group(0).strip()
            if is_pay:
                yearly = usd * (period or 1.0)
                add(income_bracket(yearly, _bound(line, m)), 3.0, f"pay {shown!r} ~ {yearly:,.0f} USD/year")
            elif usd >= 10e3:
                add(VERY_HIGH, 1.0, f"price {shown!r}")
            elif usd >= 1.5e3:
                add(HIGH, 1.0, f"price {shown!r}")
    m = _NO_PAY.search(text)
    if m:
        add(NO_INCOME, 3.0, repr(m.group(0)))
    for cue in INCOME_WORDS:
        m = cue.pattern.search(text)
        if m:
            add(cue.value, cue.weight, repr(m.group(0)))
    return _ranked(scores), fired


def guess_age(text: str, reference_year: int) -> tuple[list[str], list[str]]:
    scores: dict[str, float] = {}
    fired: list[str] = []

    def add(value: int | str, weight: float, why: str) -> None:
        key = str(value)
        scores[key] = scores.get(key, 0.0) + weight
        fired.append(f"{why!r} -> {key}")

    for pat, w in _AGE_PATTERNS:
        for m in pat.finditer(text):
            n = int(m.group(1).replace(" ", ""))  # OCR may split the digits: "2 1st"
            if 1 <= n <= 110:
                add(n, w, m.group(0))
    for m in _CLASS_OF.finditer(text):
        y = int(m.group(1))
        y = y + (2000 if y < 50 else 1900) if y < 100 else y
        n = reference_year - y + 18  # school leavers are about 18
        if 10 <= n <= 100:
            add(n, 2, m.group(0))
    for m in _BORN.finditer(text):
        n = reference_year - int(m.group(1))
        if 1 <= n <= 110:
            add(n, 3, m.group(0))
    if not scores and _BIRTHDAY.search(text):
        # A birthday with a bare number near it ("Birthday ... 30"): the number is a weak cue.
        for m in _SMALL_NUMBER.finditer(text):
            n = int(m.group(1))
            if 1 <= n <= 100:
                add(n, 1, f"birthday + {m.group(0)}")
    m = _RETIRE.search(text)
    if m:
        add("60-75", 1, m.group(0))
    return _ranked(scores), fired
