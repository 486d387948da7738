"""The `ocr` adversary: how much leaks through the text in an image alone, with no VLM.

Each image is read once by offline OCR (vipbench.imaging.ocr; cached per image path within the run).
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
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import Field

from vipbench.core.records import Item, Response
from vipbench.models.registry import ModelSpec, PerItemAdapter, RunContext, register

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


def _words(*chunks: str) -> frozenset[str]:
    return frozenset(w for chunk in chunks for w in chunk.split())


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


def _table(rows: Iterable[tuple[str, str, float]], case_sensitive: bool = False) -> list[Cue]:
    """Cues from (regex, value, weight) rows; the regex must match whole words (OCR-tolerant)."""
    flags = 0 if case_sensitive else re.IGNORECASE
    return [Cue(re.compile(rf"(?<!\w){ocr_tolerant(pat)}(?!\w)", flags), value, w) for pat, value, w in rows]


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
        (r"cardiolog(?:y|ist)", "cardiologist", 4),
        (r"neurolog(?:y|ist)", "neurologist", 4),
        (r"oncolog(?:y|ist)", "oncologist", 4),
        (r"radiolog(?:y|ist)", "radiologist", 4),
        (r"dermatolog(?:y|ist)", "dermatologist", 4),
        (r"pa?ediatric(?:s|ian)", "pediatrician", 4),
        (r"psychiatr(?:y|ist)", "psychiatrist", 4),
        (r"an(?:a)?esthesi(?:a|ologist)", "anesthesiologist", 4),
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
        (
            r"homework|report card|grade (?:[1-9]|1[0-2])|(?:[1-9]|1[0-2])th grade|property of",
            "school student",
            2,
        ),
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
        # a student card outweighs the degree it is for ("BSc History - Year 3")
        (r"student ?id|student card|matriculation|(?:year|semester) [1-6]", "In College", 4),
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
        (r"anniversary|she said yes|my love|my darling", "In Relation", 2),
        (
            r"(?:proudly|happily|forever) single|single life|forever alone|table for one|dating app|tinder",
            "No relation",
            3,
        ),
        (r"single", "No relation", 1),
    ]
)

# Titles and family roles. "Mr & Mrs" names a couple, so it is removed before these are tried.
SEX = _table(
    [
        (r"Mr\.? [A-Z][a-z]+", "Male", 3),
        (r"(?:Mrs|Ms)\.? [A-Z][a-z]+|Miss [A-Z][a-z]+", "Female", 3),
        (r"Sir|Mister|Gentlemen", "Male", 1),
        (r"Madam|Ma'am|Ladies", "Female", 1),
        (r"(?i:best dad|best father|best grandpa|father'?s day|daddy)", "Male", 2),
        (r"(?i:best mom|best mum|best mother|best grandma|mother'?s day|mommy|mummy)", "Female", 2),
    ],
    case_sensitive=True,
)

# Common given names, a short hand-made list across a few languages. A name in the text is a
# weak cue (it may be someone else's); "my name is <name>" is a stronger one.
_MALE_NAMES = _words(
    "james john robert michael william david richard joseph thomas charles christopher daniel matthew",
    "anthony mark donald steven paul andrew joshua kevin brian george timothy ronald jason edward",
    "jeffrey ryan jacob gary nicholas eric jonathan stephen larry justin scott brandon benjamin samuel",
    "frank gregory raymond alexander patrick jack dennis jerry tyler aaron jose adam nathan henry",
    "peter zachary kyle noah ethan liam oliver lucas mason logan owen dylan luke connor max felix",
    "lukas leon jonas paul finn elias ben jan tim moritz niklas sebastian florian tobias stefan",
    "markus andreas martin hans klaus jurgen wolfgang antoine pierre louis jean hugo julien nicolas",
    "mathieu francois olivier etienne alejandro carlos javier diego pablo juan miguel antonio manuel",
    "luis sergio marco luca giovanni alessandro matteo lorenzo francesco davide giuseppe andrea",
    "hiroshi takashi kenji haruto ren yuto sota joao pedro rafael tiago igor ivan dmitri sergei",
    "ahmed mohammed ali omar hassan raj arjun rahul amit vikram wei jun hao chen",
)
_FEMALE_NAMES = _words(
    "mary patricia jennifer linda elizabeth barbara susan jessica sarah karen lisa nancy betty",
    "margaret sandra ashley kimberly emily donna michelle carol amanda dorothy melissa deborah",
    "stephanie rebecca sharon laura cynthia kathleen amy angela shirley anna brenda pamela emma",
    "nicole helen samantha katherine christine debra rachel carolyn janet catherine maria heather",
    "diane ruth julie olivia joyce virginia victoria kelly lauren christina joan evelyn judith megan",
    "cheryl andrea hannah martha jacqueline frances gloria ann teresa kathryn sara janice jean alice",
    "madison doris abigail julia judy grace denise amber marilyn beverly danielle theresa sophia",
    "marie diana brittany natalie isabella charlotte rose ava mia chloe zoe lily ella lea leah",
    "katrin sabine claudia petra monika ursula anja julia lena lara lina johanna sophie clara",
    "elodie claire camille manon chloe juliette amelie margaux lucia carmen elena isabel sofia",
    "paula marta laia valentina giulia francesca chiara aoi yui hana sakura yuki mei ana beatriz",
    "olga natasha irina svetlana fatima aisha priya ananya li xia ying",
)
_MY_NAME = re.compile(r"my\s+name\s+is\s+([A-Z][a-z]+)|\b(?:I'?m|I\s+am)\s+([A-Z][a-z]+)\b")
_CAPITALISED = re.compile(r"\b[A-Z][a-z]{2,}\b")
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
    ocr_tolerant(
        r"salary|pay ?slip|pay ?stub|pay ?check|paycheque|gross|net pay|base pay|wages?|earnings|compensation"
        r"|offer letter|annual income|per annum|take[- ]home|pension|income"
    ),
    re.IGNORECASE,
)
#: Said of the poster's own means: no pay at all.
_NO_PAY = re.compile(ocr_tolerant(r"no (?:salary|income|wages?)|unpaid|full[- ]time student"), re.IGNORECASE)
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
    (re.compile(r"/\s?y(?:ea)?r|per year|a year|annual|yearly|p\.?a\.", re.IGNORECASE), 1.0),
)

_AGE_PATTERNS: tuple[tuple[re.Pattern[str], float], ...] = tuple(
    (re.compile(p, re.IGNORECASE), w)
    for p, w in (
        (r"happy (\d(?: ?\d){0,2})(?:st|nd|rd|th)\b", 3),
        (r"\b(\d(?: ?\d){0,2})(?:st|nd|rd|th)? birthday", 3),
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


def _name_sex(name: str) -> str | None:
    low = name.lower()
    if low in _MALE_NAMES and low not in _FEMALE_NAMES:
        return "Male"
    if low in _FEMALE_NAMES and low not in _MALE_NAMES:
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
        sex = _name_sex(name)
        if sex:
            introduced.add(name)
            scores[sex] = scores.get(sex, 0.0) + 2.0
            fired.append(f"{m.group(0)!r} -> {sex}")
    for name in dict.fromkeys(_CAPITALISED.findall(text)):
        sex = _name_sex(name)
        if sex and name not in introduced:
            scores[sex] = scores.get(sex, 0.0) + 1.0
            fired.append(f"name {name!r} -> {sex}")
    return _ranked(scores), fired


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
                add(income_bracket(yearly), 3.0, f"pay {shown!r} ~ {yearly:,.0f} USD/year")
            elif usd >= 10e3:
                add(INCOME_OPTIONS[4], 1.0, f"price {shown!r}")
            elif usd >= 1.5e3:
                add(INCOME_OPTIONS[3], 1.0, f"price {shown!r}")
    m = _NO_PAY.search(text)
    if m:
        add(INCOME_OPTIONS[0], 3.0, repr(m.group(0)))
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


# ------------------------------------------------------------------------ places


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
    "best world history grade property family court matter card identity date period recipient",
    "employee captain reunion certificate certifies awarded degree science arts laws statement",
    "monthly annual gross net total price sale salary pension student name hello greetings",
    "january february march april may june july august september october november december",
    "monday tuesday wednesday thursday friday saturday sunday broadway",
)
#: Words a place name does not start with ("of Paris") or end with ("Paris in").
_NO_START = _words(
    "the a an and or of in on at to for from by with near via rue calle",
    # institutions named after a place: "University of Zurich" is not a town called that
    "university college school hospital court bank hotel airport station church museum clinic",
    "institute academy library embassy consulate",
)
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
    birth_line: bool = False


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
    # The study's label style keeps a region named like its city: "Osaka, Osaka, Japan".
    return ", ".join(str(p) for p in (city, admin1, country) if p), level


@dataclass(frozen=True)
class _Candidate:
    text: str
    n_words: int
    span: tuple[int, int]
    #: right after a 4-5 digit number, as a town follows its postcode in many address formats
    after_postcode: bool


#: Words after which capitalised words are a person's name, not a place.
_NAME_LEADS = _words("mr mrs ms miss dr prof captain employee recipient student dear")
_NAME_LEAD_PAIRS = {("name", "is"), ("matter", "of"), ("awarded", "to")}


def person_words(text: str) -> set[str]:
    """Words of `text` that are people's names: known given names, and up to two capitalised
    words after a given name or a title/label ("Lea Keller", "Employee: Diego Fernandez")."""
    out: set[str] = set()
    for line in text.splitlines():
        tokens = [t.strip(".'’:-") for t in _TOKEN.findall(line)]
        for i, tok in enumerate(tokens):
            low = tok.lower()
            pair = (tokens[i - 1].lower(), low) if i else ("", low)
            if _name_sex(tok) or low in _NAME_LEADS or pair in _NAME_LEAD_PAIRS:
                if _name_sex(tok):
                    out.add(tok)
                for nxt in tokens[i + 1 : i + 3]:
                    if not nxt[:1].isupper() or nxt.lower() in _NAME_LEADS:
                        break
                    out.add(nxt)
    return out


def _candidates(line: str, people: frozenset[str] | set[str] = frozenset()) -> list[_Candidate]:
    """Word n-grams of `line` that could name a place, longest first. Numbers break n-grams.
    Left out: n-grams made only of common sign words, ones that start or end with a function
    word, and ones next to a street-type word."""
    out: list[_Candidate] = []
    offset = 0
    for part in _SEGMENT.split(line):
        tokens = [t.strip(".'’-") for t in _TOKEN.findall(part)]
        out += _segment_candidates(tokens, offset, people)
        offset += len(tokens)
    out.sort(key=lambda c: -c.n_words)  # stable: longest first, then in reading order
    return out


def _segment_candidates(
    tokens: list[str], offset: int, people: frozenset[str] | set[str]
) -> list[_Candidate]:
    out: list[_Candidate] = []
    for n in range(min(4, len(tokens)), 0, -1):
        for i in range(len(tokens) - n + 1):
            gram = tokens[i : i + n]
            if not all(w and not any(ch.isdigit() for ch in w) for w in gram):
                continue
            if not gram[0][0].isupper():
                continue
            low = [w.lower() for w in gram]
            if any(w in people for w in gram):
                continue
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


#: International vehicle registration codes, as on the oval sticker or the EU band of a licence
#: plate; read only when a line holds nothing else ("CH", "D").
PLATE_CODES: dict[str, str] = {
    "A": "Austria", "B": "Belgium", "CH": "Switzerland", "CZ": "Czechia", "D": "Germany",
    "DK": "Denmark", "E": "Spain", "F": "France", "FIN": "Finland", "GB": "United Kingdom",
    "GR": "Greece", "H": "Hungary", "HR": "Croatia", "I": "Italy", "IRL": "Ireland", "L": "Luxembourg",
    "N": "Norway", "NL": "Netherlands", "P": "Portugal", "PL": "Poland", "RO": "Romania",
    "S": "Sweden", "SK": "Slovakia", "SLO": "Slovenia", "UA": "Ukraine", "UK": "United Kingdom",
    "USA": "United States", "CDN": "Canada", "AUS": "Australia", "NZ": "New Zealand", "J": "Japan",
}  # fmt: skip
#: A line that labels a birthplace: its places are where someone was born, not where they are.
_BIRTH_LINE = re.compile(
    ocr_tolerant(r"place of birth|birth ?place|born in|lieu de naissance|geburtsort|lugar de nacimiento"),
    re.IGNORECASE,
)


def guess_places(
    lines: Sequence[str],
    resolve: Callable[[str], Any],
    scores: Sequence[float] | None = None,
    birth: bool = False,
) -> tuple[list[str], list[str]]:
    """Place guesses "city, region, country" from OCR lines, best first, and the cues used.

    Words that are people's names (see person_words) are not tried as places. Places on a
    birthplace line ("Place of birth: London") are the only ones used first when
    `birth` (placeOfBirth) and are left out otherwise. A place read on several lines ranks
    higher, as does one whose country is named elsewhere in the text.
    """
    hits: list[_PlaceHit] = []
    people = person_words("\n".join(lines))
    for li, line in enumerate(lines):
        on_birth_line = bool(_BIRTH_LINE.search(line))
        if not birth and on_birth_line:
            continue
        code_line = line.strip().strip(".")
        if code_line in PLATE_CODES:
            place = resolve(PLATE_CODES[code_line])
            if place is not None:
                guess, level = _format_place(place)
                code = str(getattr(place, "country_code", "") or "")
                hits.append(_PlaceHit(f"plate {code_line}", guess, code, level, 1, False, 0, 0.5, len(hits)))
            continue
        taken: list[tuple[int, int]] = []
        # "Zurich, Switzerland" as a whole first, then n-grams that do not overlap an earlier hit.
        whole = [_Candidate(line.strip(), 9, (-1, -1), False)] if "," in line else []
        for cand in [*whole, *_candidates(line, people)]:
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
            hit = _PlaceHit(
                cand.text, guess, code, level, cand.n_words, cand.after_postcode, pop, score, len(hits)
            )
            hit.birth_line = on_birth_line
            hits.append(hit)
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

    mentions = [h.guess for h in hits]

    def rank(h: _PlaceHit) -> tuple[float, ...]:
        return (
            -float(birth and h.birth_line),
            -h.level,
            -mentions.count(h.guess),
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
class OCRAdapter(PerItemAdapter):
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
        from vipbench.imaging.ocr import read_text

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
            return guess_places(lines, resolve, scores, birth=attribute == "placeOfBirth")
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

    def respond(self, it: Item) -> Response:
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

    def close(self) -> None:
        self._readings.clear()
