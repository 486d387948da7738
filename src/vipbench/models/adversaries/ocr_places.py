"""Place rules of the `ocr` adversary: which words in an image name a place, and which place.

Word n-grams of each OCR line are looked up in the offline gazetteer, longest first; cities
rank before regions and countries, and a place read on several lines or backed by its country
ranks higher. A place needs evidence, not just a name that resolves:
- a word that is common in some language ("Welcome", "Nice", "Pool"; word frequencies from
  `wordfreq`) names a place on its own only when the place is big enough to explain it: the
  bar is higher for bigger cities, and a city of a million or more is exempt;
- a brand ("Toyota", "Yokohama" tyres, "Corona" beer) is not a place on its own;
- a one-word town under SMALL_TOWN inhabitants is not a place on its own, nor, unless backed, one
  under NAMED_ALONE ("PARUNG" on a blurred sign);
- a word of three letters or fewer is a code, not a name: never a country from "TUR" (NO TURN),
  "P.M." (7:00 P.M.) or "CA", except the written abbreviations "USA" and "UAE";
- a name with a capitalised non-place word right beside it is part of a longer name ("Main Beach
  Park", "Sunshine State"), not the place itself.
Such a weak hit counts when a strong hit names its country elsewhere in the text, or when it
follows a postcode. A licence-plate country code ("CH", "D") counts only on a line of its own
next to a plate-shaped string ("ZH 48924"). Guesses read "city, region, country".
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import cache
from typing import Any

from vipbench.core.text import normalize_text
from vipbench.models.adversaries import ocr_tables as T
from vipbench.models.adversaries.ocr_rules import MAX_GUESSES, name_sex, ocr_tolerant

#: Separators inside a line: n-grams do not cross them ("Baker Street, London").
_SEGMENT = re.compile(r"[,;|/·•]|\s[-–—]\s")
_TOKEN = re.compile(r"[^\W_][\w'’.-]*", re.UNICODE)
_BIRTH_LINE = re.compile(ocr_tolerant(T.BIRTH_LINE), re.IGNORECASE)
#: A licence plate: 4-9 capitals and digits, at least one letter and two digits ("ZH 48924").
_PLATE = re.compile(r"(?=(?:[A-Z0-9]*\d){2})(?=[A-Z0-9]*[A-Z])[A-Z0-9]{4,9}")
_PLATE_SEPARATORS = re.compile(r"[\s\-.·•]+")
#: Units that make letters-and-digits a measure, not a plate ("40 MPH", "12 KM").
_UNITS = re.compile(r"(?:MPH|KMH|KPH|KM|KG|CM|MM|AM|PM|MIN|HR|KW|V)$")

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
    #: why this hit needs backing by a strong one: "common word", "brand", "small town"; "" if not
    weak: str = ""


def _plausible(cand: _Candidate, place: Any, level: int) -> bool:
    """Whether a gazetteer hit can be what the OCR text meant.

    OCR fragments resolve through codes, aliases and close spellings ("ami" -> Mataram, "ALCON"
    -> Falcón, "SIGA" -> Singa). So: a word of 3 letters or fewer only counts as an all-caps
    country code ("USA", "UK"); a word of 4-5 letters must be the place's own name; and a
    multi-word candidate may not contain a stray 1-2 letter fragment ("Leie co")."""
    if cand.n_words > 1:
        return all(len(w) > 2 or w.lower() in T.PARTICLES for w in cand.text.split())
    word = cand.text
    if len(word.replace(".", "")) <= 3:  # codes are not names: "TUR" (NO TURN), "P.M." (7:00 P.M.), "CA"
        return level == 1 and word in T.WRITTEN_COUNTRY_ABBREVIATIONS
    if len(word) <= 5:
        names = {
            getattr(place, "city", None),
            getattr(place, "admin1", None),
            getattr(place, "country", None),
        }
        return normalize_text(word) in {normalize_text(n) for n in names if n}
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
    #: a capitalised word that names no place sits right before or after it ("Main Beach Park",
    #: "Sunshine State"): the words are part of a longer name, not a place's name
    in_phrase: bool = False


def person_words(text: str) -> set[str]:
    """Words of `text` that are people's names: known given names, and up to two capitalised
    words after a given name or a title/label ("Lea Keller", "Employee: Diego Fernandez")."""
    out: set[str] = set()
    for line in text.splitlines():
        tokens = [t.strip(".'’:-") for t in _TOKEN.findall(line)]
        for i, tok in enumerate(tokens):
            low = tok.lower()
            pair = (tokens[i - 1].lower(), low) if i else ("", low)
            if name_sex(tok) or low in T.NAME_LEADS or pair in T.NAME_LEAD_PAIRS:
                if name_sex(tok):
                    out.add(tok)
                for nxt in tokens[i + 1 : i + 3]:
                    if not nxt[:1].isupper() or nxt.lower() in T.NAME_LEADS:
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
            if all(w in T.NOT_PLACES for w in low) or (n == 1 and len(gram[0]) < 3):
                continue
            if low[0] in T.NO_START or low[-1] in T.NO_END:
                continue
            before = [t.lower() for t in tokens[max(0, i - 2) : i]]
            after = tokens[i + n].lower() if i + n < len(tokens) else ""
            if any(b in T.STREET_WORDS for b in before) or after in T.STREET_WORDS:
                continue
            prev = tokens[i - 1] if i > 0 else ""
            # a town follows its postcode in many address formats; a sign announces it ("Welcome to")
            postcode = (prev.isdigit() and 4 <= len(prev) <= 5) or any(b in T.WELCOME_WORDS for b in before)
            phrase = _in_phrase(prev, tokens[i + n] if i + n < len(tokens) else "")
            out.append(_Candidate(" ".join(gram), n, (offset + i, offset + i + n), postcode, phrase))
    return out


def _extra_words(text: str, place: Any) -> bool:
    """Whether an n-gram holds words that are neither the place's names nor particles: it resolved
    only after the gazetteer dropped a generic word ("Sunshine State" -> Sunshine)."""
    words = normalize_text(text).split()
    if len(words) < 2:
        return False
    names = " ".join(
        normalize_text(str(n))
        for n in (getattr(place, "city", None), getattr(place, "admin1", None), getattr(place, "country", None))
        if n
    ).split()
    return any(w not in names and w not in T.PARTICLES and w not in T.PLACE_NEIGHBOURS for w in words)


def _in_phrase(before: str, after: str) -> bool:
    """Whether a capitalised word next to an n-gram makes it part of a longer name. Words that are
    places themselves (countries, regions: "Springfield Illinois") and particles do not."""
    for word in (before, after):
        if not word or not word[0].isupper() or any(ch.isdigit() for ch in word):
            continue
        low = word.lower()
        if low in T.PARTICLES or low in T.PLACE_NEIGHBOURS or low in T.FUNCTION_WORDS:
            continue
        return True
    return False


def plate_shaped(line: str) -> bool:
    """Whether an OCR line reads like a licence plate."""
    compact = _PLATE_SEPARATORS.sub("", line.strip())
    return bool(_PLATE.fullmatch(compact)) and not _UNITS.search(compact)


@cache
def word_commonness(word: str) -> float:
    """How common `word` is as a word: its Zipf frequency (log10 of uses per billion words) in the
    language of T.WORD_LANGUAGES where it is commonest, from `wordfreq`; 0.0 without wordfreq."""
    try:
        from wordfreq import zipf_frequency
    except ImportError:
        return 0.0
    w = word.lower()
    return max(zipf_frequency(w, lang, wordlist="small") for lang in T.WORD_LANGUAGES)


def default_resolver() -> Callable[[str], Any] | None:
    """The gazetteer's resolve_place, or None if that module is not installed."""
    try:
        from vipbench.places.gazetteer import resolve_place
    except ImportError:
        return None
    return resolve_place


def _weakness(cand: _Candidate, level: int, population: int, commonness: Callable[[str], float]) -> str:
    """Why a hit is no evidence on its own (see the module docstring), or "" if it is."""
    if normalize_text(cand.text) in T.BRANDS:
        return "brand"
    if cand.in_phrase:
        return "word inside a longer name"
    if cand.n_words != 1:
        return ""
    if level == 3 and population < T.SMALL_TOWN:
        return "small town"
    if level == 1 or (level == 3 and population >= T.BIG_CITY):
        return ""  # a country, or a big city: named on its own
    limits = T.COMMON_WORD_ZIPF
    pop = population if level == 3 else limits[-1][0] - 1
    threshold = next((z for below, z in limits if pop < below), limits[-1][1])
    if commonness(cand.text) >= threshold:
        return "common word"
    return "town named alone" if level == 3 and population < T.NAMED_ALONE else ""


def _plate_hit(lines: Sequence[str], li: int, resolve: Callable[[str], Any], order: int) -> _PlaceHit | None:
    """The country of a licence-plate code alone on line `li`, when a plate-shaped string is on
    a line next to it (the sticker or EU band sits beside the plate)."""
    code_line = lines[li].strip().strip(".")
    near = [ln for j, ln in enumerate(lines[max(0, li - 2) : li + 3], start=max(0, li - 2)) if j != li]
    if not any(plate_shaped(ln) for ln in near):
        return None
    place = resolve(T.PLATE_CODES[code_line])
    if place is None:
        return None
    guess, level = _format_place(place)
    code = str(getattr(place, "country_code", "") or "")
    return _PlaceHit(f"plate {code_line}", guess, code, level, 1, False, 0, 0.5, order)


def guess_places(
    lines: Sequence[str],
    resolve: Callable[[str], Any],
    scores: Sequence[float] | None = None,
    birth: bool = False,
    commonness: Callable[[str], float] = word_commonness,
) -> tuple[list[str], list[str]]:
    """Place guesses "city, region, country" from OCR lines, best first, and the cues used.

    Words that are people's names (see person_words) are not tried as places. Places on a
    birthplace line ("Place of birth: London") are the only ones used first when
    `birth` (placeOfBirth) and are left out otherwise. A weak hit (a common word, a brand, a
    small town) is kept only when backed by a strong hit in its country or a postcode before
    it. A place read on several lines ranks higher, as does one whose country is named
    elsewhere in the text. `commonness(word)` is a word's Zipf frequency (see word_commonness).
    """
    hits: list[_PlaceHit] = []
    people = person_words("\n".join(lines))
    for li, line in enumerate(lines):
        on_birth_line = bool(_BIRTH_LINE.search(line))
        if not birth and on_birth_line:
            continue
        if line.strip().strip(".") in T.PLATE_CODES:
            plate = _plate_hit(lines, li, resolve, len(hits))
            if plate is not None:
                hits.append(plate)
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
            if a >= 0 and _extra_words(cand.text, place):
                cand = replace(cand, in_phrase=True)  # "Sunshine State" is a slogan, not Sunshine
            code = str(getattr(place, "country_code", "") or "")
            score = float(scores[li]) if scores else 1.0
            pop = int(getattr(place, "population", None) or 0)
            hit = _PlaceHit(
                cand.text, guess, code, level, cand.n_words, cand.after_postcode, pop, score, len(hits)
            )
            hit.birth_line = on_birth_line
            hit.weak = "" if a < 0 else _weakness(cand, level, pop, commonness)
            hits.append(hit)
            if a < 0:
                break  # the whole line resolved: its parts add nothing
            taken.append(cand.span)
    strong_countries = [h.country_code for h in hits if not h.weak]

    def backed(h: _PlaceHit) -> bool:
        """Another strong hit names the same country."""
        return strong_countries.count(h.country_code) > (0 if h.weak else 1)

    dropped = [h for h in hits if h.weak and not (backed(h) or h.after_postcode)]
    hits = [h for h in hits if h not in dropped]
    mentions = [h.guess for h in hits]

    def rank(h: _PlaceHit) -> tuple[float, ...]:
        return (
            -float(birth and h.birth_line),
            -h.level,
            -mentions.count(h.guess),
            -float(backed(h)),
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
    fired += [f"{h.text!r} -> {h.guess}: dropped, a {h.weak} with no backing" for h in dropped]
    return guesses[:MAX_GUESSES], fired
