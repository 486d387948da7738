"""Job titles in other languages and tech abbreviations, rewritten as the English titles of the table.

Models answer the occupation in the language of the photo's setting ("Krankenschwester", "Maestra
de primaria", "Agricultor") or in the shorthand of a trade ("SDE II at Amazon", "Sr. SWE (L5)").
`in_english(text)` rewrites such an answer in the words `data/occupations.csv` holds, so that the
taxonomy judge (`vipbench.scoring.isco`) reads it like any English title. From
`data/occupation_words.yaml`:

* the commonest job titles in Spanish, Portuguese, French, German and Italian, both genders, mapped
  to an English title or field name; the longest form first ("médico de família" is a family
  doctor, "médico" a doctor). Forms that are also English words of another meaning are not listed;
* German compounds by their last noun ("Grundschullehrerin" is a teacher, "Busfahrer" a driver),
  unless the whole word is listed ("Tierarzt" is a vet, not a doctor);
* prepositions that put the job at its workplace ("en", "bei", "chez", "presso") read as "at", so
  that the job before them counts, not a title inside the workplace;
* tech abbreviations ("SDE", "SRE", "QA", "DevOps"; "PM" stands for two titles and reads as those
  alternatives), unless a job noun follows and makes them part of a longer title ("QA analyst");
* a level after a title ("II", "3", "L5", "level 2") is dropped; a number after "year", "grade",
  "class" ... is not a level.

The text comes back folded (lower case, no accents), its punctuation kept, so that the judge still
sees brackets and separators. English text is returned as it was folded: no form is an English
title of another job, and the rewrite is idempotent (both checked when the table is read).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

from vipbench.core.io import package_yaml
from vipbench.core.text import fold, normalize_text

__all__ = ["OCCUPATION_WORDS_FILE", "in_english"]

OCCUPATION_WORDS_FILE = "data/occupation_words.yaml"

_W = r"[^\W_]"  # a word character, as normalize_text keeps it


def _phrase_rx(phrases: list[str]) -> str:
    """Whole-word phrases of normalised words, longest first; any punctuation or space between words."""
    ordered = sorted(set(phrases), key=len, reverse=True)
    return "|".join(r"[\W_]+".join(re.escape(w) for w in p.split()) for p in ordered)


@dataclass(frozen=True)
class _Table:
    forms: dict[str, str]  # normalised foreign form -> English title
    forms_rx: re.Pattern[str]
    heads: dict[str, str]  # German compound head -> English title
    heads_rx: re.Pattern[str]
    places_rx: re.Pattern[str]
    abbreviations: dict[str, str]
    abbreviations_rx: re.Pattern[str]
    levels_rx: re.Pattern[str]
    not_levels: frozenset[str]


def check(known: Mapping[str, frozenset[str]]) -> None:
    """Refuse a table that names what the occupation table does not know: each English title a
    form, abbreviation or compound head is rewritten to must be a title or field name of `known`
    (name -> ISCO codes, from `vipbench.scoring.isco`), and no foreign form may be the English title
    of another job."""
    table = _table()
    for form, title in [*table.forms.items(), *table.heads.items()]:
        if title not in known:
            raise ValueError(f"{OCCUPATION_WORDS_FILE}: {title!r} is not a title of occupations.csv or a field")
        if form in known and known[form] != known[title]:
            raise ValueError(f"{OCCUPATION_WORDS_FILE}: {form!r} is an English title of another job")
    for short, targets in table.abbreviations.items():
        for target in targets.split(" or "):
            if target not in known:
                raise ValueError(f"{OCCUPATION_WORDS_FILE}: {target!r} ({short}) is not a title of occupations.csv")


@cache
def _table() -> _Table:
    raw = package_yaml(OCCUPATION_WORDS_FILE)
    forms: dict[str, str] = {}
    for title, written in raw["titles"].items():
        for form in written:
            key = normalize_text(str(form))
            if forms.get(key, title) != title:
                raise ValueError(f"{OCCUPATION_WORDS_FILE}: {form!r} is listed for {forms[key]!r} and {title!r}")
            forms[key] = title
    heads = {normalize_text(h): title for title, written in raw["compound_heads"].items() for h in written}
    abbreviations: dict[str, str] = {}
    for short, long in raw["abbreviations"].items():
        targets = [long] if isinstance(long, str) else list(long)
        abbreviations[str(short)] = " or ".join(targets)
    nouns = "|".join(map(re.escape, raw["job_nouns"]))
    table = _Table(
        forms=forms,
        forms_rx=re.compile(rf"(?<!{_W})(?:{_phrase_rx(list(forms))})(?!{_W})"),
        heads=heads,
        heads_rx=re.compile(rf"(?<!{_W})([a-z]+?)({'|'.join(sorted(heads, key=len, reverse=True))})(?!{_W})"),
        places_rx=re.compile(rf"(?<=[a-z] )(?:{'|'.join(map(re.escape, raw['places']))})(?= [a-z])"),
        abbreviations=abbreviations,
        abbreviations_rx=re.compile(
            rf"(?<!{_W})({'|'.join(sorted(abbreviations, key=len, reverse=True))})(?!{_W})(?![\W_]+(?:{nouns})(?!{_W}))"
        ),
        levels_rx=re.compile(
            rf"(?<=[a-z])([\s-]+){raw['levels']}(?=\s*(?:$|[,;:()/|.@]|(?:at|for|in|with)(?!{_W})))"
        ),
        not_levels=frozenset(raw["not_levels"]),
    )
    for target in {*forms.values(), *heads.values(), *abbreviations.values()}:
        if _rewrite(target, table) != target:
            raise ValueError(f"{OCCUPATION_WORDS_FILE}: the English {target!r} would be rewritten again")
    return table


def _rewrite(folded: str, table: _Table) -> str:
    t = table.forms_rx.sub(lambda m: table.forms[normalize_text(m.group())], folded)

    def head(m: re.Match[str]) -> str:
        stem, noun = m.group(1), m.group(2)
        return table.heads[noun] if len(stem) >= 3 else m.group()

    t = table.heads_rx.sub(head, t)
    t = table.places_rx.sub("at", t)

    def level(m: re.Match[str]) -> str:
        before = t[: m.start()].split()
        return m.group() if before and before[-1].strip("-") in table.not_levels else ""

    t = table.levels_rx.sub(level, t)
    return table.abbreviations_rx.sub(lambda m: table.abbreviations[m.group(1)], t)


@cache
def in_english(text: str) -> str:
    """`text` folded, with the job titles of other languages, tech abbreviations and levels
    rewritten in the English titles of the occupation table (see the module docstring)."""
    return _rewrite(fold(text), _table())
