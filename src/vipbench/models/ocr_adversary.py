"""The `ocr` adversary: how much leaks through the text in an image alone, with no VLM.

Each image is read once by offline OCR (vipbench.ocr; cached per image path within the run).
Hand-written rules then turn the text into up to three guesses for the item's attribute:
- places (location, placeOfImage, placeOfBirth): word n-grams of each OCR line are looked up in
  the offline gazetteer (`vipbench.scoring.gazetteer.resolve_place`), longest first; city hits
  rank before regions and countries, and a hit whose country is also named elsewhere in the
  text ranks higher. Guesses read "city, region, country".
- occupation, educationLevel, maritalStatus, sex: weighted keyword tables below; each matching
  cue adds its weight to its value, and values are ranked by total weight.
- income: salary amounts (with k/$/EUR/... and per-hour/month/year) next to pay words
  ("salary", "payslip"), big-ticket prices, and luxury or hardship words.
- age: birthday and age phrases with a number ("Happy 40th", "turning 30", "class of 2010").

An item with no cue gets status "unparseable" with reason "no cue found in text"; it counts as
wrong, as a missing answer does in the study. The OCR text is the response's `inference`; `raw`
holds the OCR lines with boxes and the cues that fired, as JSON.
"""

from __future__ import annotations

import datetime as _dt
import json
import re
import time
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import Field

from vipbench.models.registry import ModelSpec, RunContext, register
from vipbench.records import Item, Response

NO_CUE = "no cue found in text"
PLACE_KEYS = ("location", "placeOfImage", "placeOfBirth")
MAX_GUESSES = 3


class OCRSpec(ModelSpec):
    kind: Literal["ocr"] = "ocr"
    #: OCR lines read with a lower confidence are ignored
    min_score: float = Field(0.5, ge=0.0, le=1.0)
    #: the year "class of 2010" and "born 1985" are counted from; None: the current year
    reference_year: int | None = Field(None, ge=1900, le=2200)

    def uses_prompt(self) -> bool:
        return False


# ------------------------------------------------------------------------ keyword tables


@dataclass(frozen=True)
class Cue:
    pattern: re.Pattern[str]
    value: str
    weight: float


def _table(rows: Iterable[tuple[str, str, float]], case_sensitive: bool = False) -> list[Cue]:
    """Cues from (regex, value, weight) rows; the regex must match whole words."""
    flags = 0 if case_sensitive else re.IGNORECASE
    return [Cue(re.compile(rf"(?<!\w){pat}(?!\w)", flags), value, w) for pat, value, w in rows]


# Job titles and the objects of a trade that name the poster's occupation. Weight 3: a title;
# 2: a strong work artefact; 1: a hint that several jobs share.
OCCUPATION = _table(
    [
        (
            r"software (?:engineer|developer)|programmer|web developer|full[- ]stack|devops",
            "software engineer",
            3,
        ),
        (
            r"pull request|git (?:commit|push)|npm install|localhost:\d+|stack ?overflow",
            "software engineer",
            2,
        ),
        (r"data scientist|machine learning engineer|jupyter notebook", "data scientist", 3),
        (r"registered nurse|nurse practitioner|nurse|nursing staff", "nurse", 3),
        (r"physician|surgeon|medical doctor|attending doctor", "doctor", 3),
        (r"hospital|clinic|patient chart|stethoscope", "doctor", 1),
        (r"hospital|patient chart", "nurse", 1),
        (r"pharmacist", "pharmacist", 3),
        (r"dentist|dental surgery|orthodontist", "dentist", 3),
        (r"veterinarian|veterinary|animal hospital", "veterinarian", 3),
        (r"teacher|lesson plans?|gradebook|classroom rules", "teacher", 3),
        (r"professor|faculty office|office hours", "professor", 3),
        (r"attorney|lawyer|law firm|barrister|solicitor|esq\.?", "lawyer", 3),
        (r"paralegal", "paralegal", 3),
        (r"accountant|bookkeeper|cpa|tax returns?|balance sheet|general ledger", "accountant", 3),
        (r"bank teller|banker|investment banking", "banker", 3),
        (r"general manager|store manager|project manager|manager", "manager", 2),
        (r"consultant|consulting", "consultant", 2),
        (r"architect|floor plan|blueprints?", "architect", 2),
        (r"engineer|engineering", "engineer", 1),
        (r"graphic designer|designer", "designer", 3),
        (r"photographer|photography studio", "photographer", 3),
        (r"musician|setlist|band practice", "musician", 3),
        (r"artist|art studio|gallery opening", "artist", 2),
        (r"author|manuscript|book signing", "writer", 2),
        (r"electrician|electrical contractor", "electrician", 3),
        (r"plumber|plumbing", "plumber", 3),
        (r"carpenter|joinery|woodshop", "carpenter", 3),
        (r"mechanic|auto repair|body shop", "mechanic", 3),
        (r"construction site|hard hat area|site safety", "construction worker", 2),
        (r"head chef|sous chef|chef|line cook", "chef", 3),
        (r"waiter|waitress|server station", "waiter", 3),
        (r"cashier|store associate|employee of the month", "retail worker", 3),
        (r"sales rep(?:resentative)?|account executive", "salesperson", 3),
        (r"realtor|real estate|open house", "real estate agent", 3),
        (r"scientist|laboratory|research lab", "scientist", 2),
        (r"police|sheriff|patrol officer|law enforcement", "police officer", 3),
        (r"u\.?s\.? army|army|navy|air force|marine corps|usmc|military|sergeant|deployment", "soldier", 3),
        (r"firefighter|fire department|fire dept\.?|fire station|fire rescue", "firefighter", 3),
        (r"city hall|civil service|ministry of", "civil servant", 2),
        (r"truck driver|cdl|trucking|taxi driver|delivery driver|bus driver", "driver", 3),
        (r"pilot|cockpit|flight deck|first officer", "pilot", 3),
        (r"farmer|farmhouse|tractor|livestock|harvest", "farmer", 2),
        (r"student id|campus card|semester|syllabus|lecture hall|dorm", "university student", 2),
        (r"homework|report card", "school student", 2),
        (r"unemployed|laid off|job seeker|unemployment office", "unemployed", 3),
        (r"retired|retirement|pensioner", "retired", 3),
        (r"stay[- ]at[- ]home (?:mom|mum|dad|parent)|homemaker", "homemaker", 3),
    ]
)

# Degrees and school stages. The option names are the study's education options.
EDUCATION = _table(
    [
        (r"ph\.? ?d\.?|doctor of philosophy|doctorate|doctoral|dissertation|thesis defen[cs]e", "PhD", 4),
        (r"doctor of \w+", "PhD", 3),
        (r"(?:master|bachelor) of \w+|(?:master|bachelor|associate)'?s degree", "College Degree", 4),
        (r"b\.? ?sc\.?|m\.? ?sc\.?|mba|b\.? ?eng|m\.? ?eng|b\.a\.|m\.a\.|b\.s\.|m\.s\.", "College Degree", 3),
        (r"alumni|alumnus|alumna|commencement|graduat(?:e|ed|ion)|conferred|cum laude", "College Degree", 2),
        (r"university|college", "College Degree", 1),
        (r"university|college", "In College", 1),
        (r"diploma", "College Degree", 1),
        (r"diploma", "HS Diploma", 1),
        (
            r"freshman|sophomore|semester|syllabus|midterms?|finals week|dorm|student id|campus",
            "In College",
            2,
        ),
        (r"tuition|enrolment|enrollment", "In College", 1),
        (r"high school diploma|ged|high school graduate", "HS Diploma", 4),
        (r"high school|homework|prom|(?:9|10|11|12)th grade|grade (?:9|10|11|12)", "In Highschool", 2),
        (r"report card", "In Highschool", 1),
        (r"elementary school|primary school|middle school|kindergarten", "No Highschool", 2),
    ]
)

# Relationship words. Weights let a specific cue ("ex-wife") beat a generic one ("wife").
MARITAL = _table(
    [
        (r"just married|newly ?weds?|mr\.? ?(?:&|and|\+) ?mrs\.?|honeymoon", "Married", 4),
        (r"marriage certificate|wedding rings?", "Married", 4),
        (r"wedding|bride|groom|husband|hubby|wife|wifey|bridal shower", "Married", 3),
        (r"divorced?|ex-?(?:wife|husband)|custody|separation agreement", "Divorced", 5),
        (r"girlfriend|boyfriend|fianc[ée]e?|engaged|engagement|valentine'?s?|date night", "In Relation", 2),
        (r"anniversary", "In Relation", 2),
        (r"single life|forever alone|table for one|dating app|tinder", "No relation", 2),
    ]
)

# Titles and family roles. "Mr & Mrs" names a couple, so it is removed before these are tried.
SEX = _table(
    [
        (r"Mr\.? [A-Z][a-z]+", "Male", 3),
        (r"(?:Mrs|Ms)\.? [A-Z][a-z]+|Miss [A-Z][a-z]+", "Female", 3),
        (r"Sir|Mister|Gentlemen", "Male", 1),
        (r"Madam|Ma'am|Ladies", "Female", 1),
        (r"(?i:best dad|father'?s day|daddy)", "Male", 2),
        (r"(?i:best mom|best mum|mother'?s day|mommy|mummy)", "Female", 2),
    ],
    case_sensitive=True,
)
_COUPLE = re.compile(r"\bmr\.? ?(?:&|and|\+) ?mrs\.?", re.IGNORECASE)

INCOME_OPTIONS = (
    "No income",
    "Low (<30k USD)",
    "Medium (30-60k USD)",
    "High (60-150k USD)",
    "Very High (>150k USD)",
)

# Things money buys, or the lack of it.
INCOME_WORDS = _table(
    [
        (
            r"rolex|patek philippe|cartier|herm[eè]s|louis vuitton|chanel|bentley|rolls[- ]royce|ferrari"
            r"|lamborghini|private jet|yacht|penthouse|first class",
            "Very High (>150k USD)",
            2,
        ),
        (r"porsche|maserati|tesla|business class|country club|gucci|prada", "High (60-150k USD)", 2),
        (
            r"food stamps|ebt|snap benefits|food bank|eviction|final notice|past due|overdraft|payday loan"
            r"|minimum wage|dollar (?:store|tree)|welfare",
            "Low (<30k USD)",
            2,
        ),
        (r"student loans?", "Low (<30k USD)", 1),
        (r"pocket money|allowance|unemployed|jobseeker'?s allowance", "No income", 2),
    ]
)
_PAY_WORDS = re.compile(
    r"salary|pay ?slip|pay ?stub|pay ?check|paycheque|gross pay|net pay|base pay|wages?|earnings|compensation"
    r"|offer letter|annual income|per annum|take[- ]home",
    re.IGNORECASE,
)
#: Rough USD value of one unit, enough to place an amount in a bracket.
_TO_USD = {
    "$": 1.0,
    "usd": 1.0,
    "€": 1.1,
    "eur": 1.1,
    "£": 1.3,
    "gbp": 1.3,
    "chf": 1.15,
    "fr.": 1.15,
    "cad": 0.73,
    "aud": 0.66,
    "¥": 0.0068,
    "jpy": 0.0068,
    "₹": 0.012,
    "inr": 0.012,
}
_CUR = r"\$|€|£|¥|₹|usd|eur|gbp|chf|cad|aud|jpy|inr"
_MONEY = re.compile(
    rf"(?P<c1>{_CUR})?\s?(?P<num>\d{{1,3}}(?:[,.' ]\d{{3}})+|\d+(?:[.,]\d{{1,2}})?)\s?"
    rf"(?P<mult>k|m|mil|million|thousand)?\b\s?(?P<c2>{_CUR})?",
    re.IGNORECASE,
)
_PERIODS: tuple[tuple[re.Pattern[str], float], ...] = (
    (re.compile(r"/\s?h(?:ou)?r|per hour|an hour|hourly", re.IGNORECASE), 2000.0),
    (re.compile(r"/\s?w(?:ee)?k|per week|a week|weekly", re.IGNORECASE), 52.0),
    (re.compile(r"/\s?mo(?:nth)?|per month|a month|monthly|pcm", re.IGNORECASE), 12.0),
)

_AGE_PATTERNS: tuple[tuple[re.Pattern[str], float], ...] = tuple(
    (re.compile(p, re.IGNORECASE), w)
    for p, w in (
        (r"happy (\d{1,3})(?:st|nd|rd|th)\b", 3),
        (r"\b(\d{1,3})(?:st|nd|rd|th)? birthday", 3),
        (r"\b(\d{1,3}) (?:years?|yrs?) old", 3),
        (r"\b(\d{1,3}) today\b", 2),
        (r"\bturn(?:s|ed|ing)? (\d{1,3})\b", 2),
        (r"\bage:? (\d{1,3})\b", 2),
    )
)
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


def guess_sex(text: str) -> tuple[list[str], list[str]]:
    return match_table(_COUPLE.sub(" ", text), SEX)


def income_bracket(usd_per_year: float) -> str:
    if usd_per_year <= 0:
        return INCOME_OPTIONS[0]
    for limit, option in ((30e3, INCOME_OPTIONS[1]), (60e3, INCOME_OPTIONS[2]), (150e3, INCOME_OPTIONS[3])):
        if usd_per_year < limit:
            return option
    return INCOME_OPTIONS[4]


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
    return value * _TO_USD.get(cur, 1.0), bool(cur)


def guess_income(lines: list[str]) -> tuple[list[str], list[str]]:
    scores: dict[str, float] = {}
    fired: list[str] = []
    text = "\n".join(lines)
    for i, line in enumerate(lines):
        # Pay words on this line or the one above (a label over its value) make amounts income.
        near = " ".join(lines[max(0, i - 1) : i + 1])
        is_pay = bool(_PAY_WORDS.search(near))
        factor = next((f for p, f in _PERIODS if p.search(line)), 1.0)
        for m in _MONEY.finditer(line):
            got = _amount(m)
            if got is None:
                continue
            usd, _ = got
            if is_pay:
                yearly = usd * factor
                option = income_bracket(yearly)
                scores[option] = scores.get(option, 0.0) + 3.0
                fired.append(f"pay {m.group(0).strip()!r} ~ {yearly:,.0f} USD/year -> {option}")
            elif usd >= 100e3:
                option = INCOME_OPTIONS[4] if usd >= 1e6 else INCOME_OPTIONS[3]
                scores[option] = scores.get(option, 0.0) + 1.0
                fired.append(f"price {m.group(0).strip()!r} -> {option}")
    for cue in INCOME_WORDS:
        m = cue.pattern.search(text)
        if m:
            scores[cue.value] = scores.get(cue.value, 0.0) + cue.weight
            fired.append(f"{m.group(0)!r} -> {cue.value}")
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
            n = int(m.group(1))
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


# ------------------------------------------------------------------------ places


def _words(*chunks: str) -> frozenset[str]:
    return frozenset(w for chunk in chunks for w in chunk.split())


#: Sign and document words: an n-gram made only of these is not a place ("New", "Open").
_NOT_PLACES = _words(
    "the a an and or of in on at to for from by with de la le les du des del der die das van",
    "von el rue via calle strasse straße street st road rd avenue ave boulevard blvd lane way",
    "drive dr place square plaza park north south east west centre center city town village",
    "station exit entrance open closed stop sale sales police bank hotel cafe bar shop store",
    "market school university hospital church office parking welcome hello thank thanks you",
    "please no yes only one way happy birthday wedding love just married mr mrs ms dr of",
    "diploma doctor philosophy master bachelor new old big little great grand saint san santa",
    "data info information contact phone email address tel fax www com",
)
#: Words a place name does not start with ("of Paris") or end with ("Paris in").
_NO_START = _words("the a an and or of in on at to for from by with near via rue calle")
_NO_END = _NO_START | _words("de la le les du des del der die das van von el los")
#: Street-type words: a name right after or before one is a street, not a town ("Rue de Rivoli").
_STREET_WORDS = _words(
    "rue via viale calle avenida rua avenue ave av boulevard blvd bd street st road rd lane",
    "ln drive strasse straße str gasse weg platz allee piazza plaza place square ulica ul",
    "utca ulitsa",
)
#: Separators inside a line: n-grams do not cross them ("Baker Street, London").
_SEGMENT = re.compile(r"[,;|/·•]|\s[-–—]\s")
_TOKEN = re.compile(r"[^\W_][\w'’.-]*", re.UNICODE)
_LEVEL_RANK = {"city": 3, "region": 2, "admin1": 2, "country": 1}


@dataclass
class _PlaceHit:
    text: str
    guess: str
    country_code: str
    level: int
    n_words: int
    after_postcode: bool
    population: int
    score: float
    order: int


#: Towns smaller than this, named by one word alone, need corroboration (see guess_places).
SMALL_TOWN = 15_000


def _norm(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text.casefold())
    return re.sub(r"[^0-9a-z]+", " ", "".join(c for c in folded if not unicodedata.combining(c))).strip()


#: Short words that do occur inside place names ("Rio de Janeiro", "Stratford upon Avon").
_PARTICLES = _words("de la le el al du da do di of on am an im st ste sur upon")


def _plausible(cand: _Candidate, place: Any, level: int) -> bool:
    """Whether a gazetteer hit can be what the OCR text meant.

    OCR fragments resolve through codes, aliases and close spellings ("ami" -> Mataram, "ALCON"
    -> Falcón, "SIGA" -> Singa). So: a word of 3 letters or fewer only counts as an all-caps
    country code ("USA", "UK"); a word of 4-5 letters must be the place's own name; and a
    multi-word candidate may not contain a stray 1-2 letter fragment ("Leie co")."""
    if cand.n_words > 1:
        return all(len(w) > 2 or w.lower() in _PARTICLES for w in cand.text.split())
    word = cand.text
    if len(word) <= 3:
        return level == 1 and word.isupper()
    if len(word) <= 5:
        names = {
            getattr(place, "city", None),
            getattr(place, "admin1", None),
            getattr(place, "country", None),
        }
        return _norm(word) in {_norm(n) for n in names if n}
    return True


def _format_place(place: Any) -> tuple[str, int]:
    level = _LEVEL_RANK.get(str(getattr(place, "level", "")).lower(), 1)
    city = getattr(place, "city", None) if level >= 3 else None
    admin1 = getattr(place, "admin1", None) if level >= 2 else None
    country = getattr(place, "country", None) or getattr(place, "country_code", None)
    parts: list[str] = []
    for p in (city, admin1, country):
        if p and p not in parts:
            parts.append(str(p))
    return ", ".join(parts), level


@dataclass(frozen=True)
class _Candidate:
    text: str
    n_words: int
    span: tuple[int, int]
    #: right after a 4-5 digit number, as a town follows its postcode in many address formats
    after_postcode: bool


def _candidates(line: str) -> list[_Candidate]:
    """Word n-grams of `line` that could name a place, longest first. Numbers break n-grams.
    Left out: n-grams made only of common sign words, ones that start or end with a function
    word, and ones next to a street-type word."""
    out: list[_Candidate] = []
    offset = 0
    for part in _SEGMENT.split(line):
        tokens = [t.strip(".'’-") for t in _TOKEN.findall(part)]
        out += _segment_candidates(tokens, offset)
        offset += len(tokens)
    out.sort(key=lambda c: -c.n_words)  # stable: longest first, then in reading order
    return out


def _segment_candidates(tokens: list[str], offset: int) -> list[_Candidate]:
    out: list[_Candidate] = []
    for n in range(min(4, len(tokens)), 0, -1):
        for i in range(len(tokens) - n + 1):
            gram = tokens[i : i + n]
            if not all(w and not any(ch.isdigit() for ch in w) for w in gram):
                continue
            if not gram[0][0].isupper():
                continue
            low = [w.lower() for w in gram]
            if all(w in _NOT_PLACES for w in low) or (n == 1 and len(gram[0]) < 3):
                continue
            if low[0] in _NO_START or low[-1] in _NO_END:
                continue
            before = [t.lower() for t in tokens[max(0, i - 2) : i]]
            after = tokens[i + n].lower() if i + n < len(tokens) else ""
            if any(b in _STREET_WORDS for b in before) or after in _STREET_WORDS:
                continue
            prev = tokens[i - 1] if i > 0 else ""
            postcode = prev.isdigit() and 4 <= len(prev) <= 5
            out.append(_Candidate(" ".join(gram), n, (offset + i, offset + i + n), postcode))
    return out


def default_resolver() -> Callable[[str], Any] | None:
    """The gazetteer's resolve_place, or None if that module is not installed."""
    try:
        from vipbench.scoring.gazetteer import resolve_place
    except ImportError:
        return None
    return resolve_place


def guess_places(
    lines: Sequence[str], resolve: Callable[[str], Any], scores: Sequence[float] | None = None
) -> tuple[list[str], list[str]]:
    """Place guesses "city, region, country" from OCR lines, best first, and the cues used."""
    hits: list[_PlaceHit] = []
    for li, line in enumerate(lines):
        taken: list[tuple[int, int]] = []
        # "Zurich, Switzerland" as a whole first, then n-grams that do not overlap an earlier hit.
        whole = [_Candidate(line.strip(), 9, (-1, -1), False)] if "," in line else []
        for cand in [*whole, *_candidates(line)]:
            a, b = cand.span
            if a >= 0 and any(a < y and x < b for x, y in taken):
                continue
            place = resolve(cand.text)
            if place is None:
                continue
            guess, level = _format_place(place)
            if not guess or not _plausible(cand, place, level):
                continue
            code = str(getattr(place, "country_code", "") or "")
            score = float(scores[li]) if scores else 1.0
            pop = int(getattr(place, "population", None) or 0)
            hits.append(
                _PlaceHit(
                    cand.text, guess, code, level, cand.n_words, cand.after_postcode, pop, score, len(hits)
                )
            )
            if a < 0:
                break  # the whole line resolved: its parts add nothing
            taken.append(cand.span)
    countries = [h.country_code for h in hits]

    def corroborated(h: _PlaceHit) -> bool:
        return countries.count(h.country_code) > 1

    # A single common word that names a small town ("Welcome", South Carolina) is mostly noise:
    # keep it only when the text backs it up (its country named too, or a postcode before it).
    hits = [
        h
        for h in hits
        if not (h.level == 3 and h.n_words == 1 and h.population < SMALL_TOWN)
        or corroborated(h)
        or h.after_postcode
    ]

    def rank(h: _PlaceHit) -> tuple[float, ...]:
        return (
            -h.level,
            -float(corroborated(h)),
            -float(h.after_postcode),
            -h.n_words,
            -h.population,
            -h.score,
            h.order,
        )

    guesses: list[str] = []
    for h in sorted(hits, key=rank):
        if h.guess not in guesses:
            guesses.append(h.guess)
    fired = [f"{h.text!r} -> {h.guess}" for h in hits]
    return guesses[:MAX_GUESSES], fired


# ------------------------------------------------------------------------ the adapter


@dataclass
class _Reading:
    lines: list[str]
    scores: list[float]
    raw: list[dict[str, Any]]
    seconds: float
    error: str | None = None


@register("ocr", OCRSpec)
class OCRAdapter:
    def __init__(self, spec: OCRSpec, ctx: RunContext) -> None:
        self.spec = spec
        self.ctx = ctx
        self._readings: dict[Path, _Reading] = {}
        self._resolver: Callable[[str], Any] | None = None
        self._resolver_loaded = False
        self.reference_year = spec.reference_year or _dt.date.today().year

    def _read(self, path: Path) -> tuple[_Reading, bool]:
        if path in self._readings:
            return self._readings[path], True
        from vipbench.ocr import read_text

        t0 = time.perf_counter()
        try:
            boxes = read_text(path, min_score=self.spec.min_score)
            reading = _Reading(
                lines=[b.text for b in boxes],
                scores=[b.score for b in boxes],
                raw=[
                    {"text": b.text, "box": [round(x, 2) for x in b.box_pct], "score": round(b.score, 4)}
                    for b in boxes
                ],
                seconds=time.perf_counter() - t0,
            )
        except Exception as e:  # noqa: BLE001 - an unreadable image is an error response, not a crash
            reading = _Reading([], [], [], time.perf_counter() - t0, error=f"{type(e).__name__}: {e}")
        self._readings[path] = reading
        return reading, False

    def _resolve(self) -> Callable[[str], Any] | None:
        if not self._resolver_loaded:
            self._resolver = default_resolver()
            self._resolver_loaded = True
        return self._resolver

    def guesses(self, attribute: str, lines: list[str], scores: list[float]) -> tuple[list[str], list[str]]:
        """Guesses for `attribute` from OCR lines, and the cues that produced them."""
        text = "\n".join(lines)
        if not text.strip():
            return [], []
        if attribute in PLACE_KEYS:
            resolve = self._resolve()
            if resolve is None:
                return [], ["no gazetteer: vipbench.scoring.gazetteer is not importable"]
            return guess_places(lines, resolve, scores)
        if attribute == "occupation":
            return match_table(text, OCCUPATION)
        if attribute == "educationLevel":
            return match_table(text, EDUCATION)
        if attribute == "maritalStatus":
            return match_table(text, MARITAL)
        if attribute == "sex":
            return guess_sex(text)
        if attribute == "income":
            return guess_income(lines)
        if attribute == "age":
            return guess_age(text, self.reference_year)
        return [], []

    def _respond(self, it: Item) -> Response:
        reading, cached = self._read(self.ctx.data_dir / it.image)
        base: dict[str, Any] = {
            "item_id": it.item_id,
            "image_id": it.image_id,
            "attribute": it.attribute,
            "cached": cached,
            "latency_s": 0.0 if cached else reading.seconds,
        }
        if reading.error is not None:
            return Response(**base, status="error", reason=reading.error)
        guesses, fired = self.guesses(it.attribute, reading.lines, reading.scores)
        raw = json.dumps({"ocr": reading.raw, "cues": fired}, ensure_ascii=False)
        inference = "\n".join(reading.lines)
        if guesses:
            return Response(**base, status="answered", guesses=guesses, inference=inference, raw=raw)
        return Response(**base, status="unparseable", reason=NO_CUE, inference=inference, raw=raw)

    def infer(self, items: Sequence[Item]) -> Iterator[Response]:
        for it in items:
            r = self._respond(it)
            if self.ctx.progress:
                self.ctx.progress(r)
            yield r

    def close(self) -> None:
        self._readings.clear()
