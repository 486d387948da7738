"""Free-text occupations mapped onto ISCO-08, the ILO's International Standard Classification of Occupations.

ISCO-08 groups jobs in four levels: 10 major groups ("2" professionals), 43 sub-major ("22" health
professionals), 130 minor ("222" nursing and midwifery professionals) and 436 unit groups ("2221"
nursing professionals). vipbench keeps its own tables of them, written for it:

* ``data/isco08_groups.csv``: the major, sub-major and minor groups, for readable details;
* ``data/occupations.csv``: job titles and their synonyms ("vet", "veterinary surgeon"), each with
  the group it names. A specific title names a unit group; a general one names a wider group
  ("doctor" is minor group 221, "engineer" 214 or 215, "manager" major group 1). vipbench adds
  groups that ISCO lacks for people not in paid work (X1 unemployed, X2 retired, X3 students,
  X4 homemakers) and E1 for business owners and the self-employed;
* ``data/occupation_fields.yaml``: fields of work ("IT", "healthcare") with their names and groups;
* ``data/occupation_kinds.yaml``: specialised titles. Head nouns that name the same job after the
  same words ("backend engineer" is a listed "backend developer", "criminal attorney" a "criminal
  lawyer"), and titles that are a kind of another job though ISCO files them apart or a word in
  them points elsewhere: a police detective, inspector or sergeant is a police officer (ISCO 3355
  against 5412; "sergeant" alone is military), a fire captain a firefighter, a photojournalist a
  photographer. Such a title names its own groups and those of the job it is a kind of.

:func:`parse` reads a free-text answer, its titles in other languages and tech abbreviations first
rewritten in English (:mod:`vipbench.scoring.occupation_words`): hedges, seniority and phrasing ("senior", "works in",
"probably") are dropped; a whole title or field name (as written first, so that a title holding
a modifier word, "school principal", is not read as "school"), then one a typing error away, then
a title with its head noun swapped for one naming the same job, then the job before a workplace
("backend engineer at a startup", "accountant for the city", "server at a restaurant": the job is
what comes before "at", "for", "with" or "in", when it is a known title; a title inside the
workplace does not compete with it), then the longest title inside the text, then what follows a
work phrase in a sentence ("the scrubs suggest they work in healthcare"), then a field name
inside a short text, is looked for. A refusal ("N/A", "cannot be determined") is a non-answer,
whole, before an answer is split into jobs. See :mod:`vipbench.scoring.occupation` for the verdicts.
"""

from __future__ import annotations

import csv
import functools
import io
import re
from collections import defaultdict
from dataclasses import dataclass, field, replace
from typing import Any

from vipbench.core.io import load_yaml, package_text
from vipbench.scoring import occupation_words
from vipbench.scoring.normalize import alternatives, normalize_text, without_hedges

__all__ = ["Field", "Occupation", "english", "fields", "group_title", "parse", "split_answers", "titles"]


#: Words that qualify a job without changing it, and phrasings around it.
def _names(text: str) -> tuple[str, ...]:
    return tuple(n.strip() for n in text.split(",") if n.strip())


MODIFIERS: tuple[str, ...] = _names(
    "senior, junior, sr, snr, jr, jnr, lead, principal, chief, head, trainee, apprentice, intern, freelance, "
    "part time, full time, "
    "professional, experienced, licensed, certified, qualified, a, an, the, works as, working as, employed as, "
    "works in, working in, works at, works for, job in, career in, field, industry, sector, worker in, "
    "profession, by profession, some kind of, some sort of, sort of, kind of, type of, possibly a, "
    "likely a, probably a, maybe a, looks like, appears to be, seems to be, could be, might be, "
    "i would guess, my guess is, guess, occupation, job, his job, her job, their job, is, he is, she is, "
    "they are, former, ex, aspiring, amateur, hobbyist, self taught, young, local, successful, famous, "
    "currently, presently, now, at the moment, right now"
)
#: A refusal phrased as a sentence ("I cannot determine the occupation", "hard to tell").
_REFUSAL = re.compile(
    r"\b(?:cannot|can not|cant|unable to|impossible to|hard to|difficult to|not possible to|no way to)\b"
    r".*\b(?:determined?|tell|told|say|said|known?|identif(?:y|ied)|guess(?:ed)?|infer(?:red)?)\b"
    r"|\bnot enough (?:information|info|evidence)\b"
)
#: A work phrase in a sentence: the occupation is what follows it ("... they work in healthcare").
_WORK_CUE = re.compile(
    r"\b(?:works?|working|worked|employed|employment|job|career|profession)\s+(?:in|as|at|for|within)\s+"
    r"(?:(?:the|a|an|some)\s+)?(.+)$"
)
#: Answers that name no occupation at all (a refusal is not a guess of "unemployed").
NON_ANSWERS = frozenset(
    (
        "unknown", "unclear", "not sure", "unsure", "cannot determine", "can not determine", "cant determine",
        "cannot tell", "cant tell", "no idea", "i dont know", "dont know", "idk", "n a", "na", "not specified",
        "not applicable", "undetermined", "indeterminate", "uncertain", "impossible to tell", "not enough information",
        "insufficient information", "no information", "not visible", "unspecified", "other", "various",
    )
)  # fmt: skip

#: A job and its workplace ("engineer at a startup", "accountant for the city", "nurse in a clinic"),
#: on text without articles: the job is what comes before.
_WORKPLACE = re.compile(r"^(.+?) (?:at|for|with|in) (.+)$")
_MODIFIER_RX = re.compile(rf"(?<![a-z0-9])(?:{alternatives(MODIFIERS)})(?![a-z0-9])")
_PARENS = re.compile(r"\s*\([^)]*\)")
_SPLIT = re.compile(r"\s*(?:\band\b|\bor\b|&|/|,|;|\+)\s*")


@dataclass(frozen=True)
class Field:
    key: str
    names: tuple[str, ...]
    codes: tuple[str, ...]

    def holds(self, code: str) -> bool:
        return any(code.startswith(c) for c in self.codes)


@dataclass(frozen=True)
class Occupation:
    """What an occupation answer names. ``codes`` are ISCO-08 (or vipbench X/E) groups; empty when unknown."""

    text: str  # normalised, without modifiers
    codes: frozenset[str] = frozenset()
    title: str | None = None  # the table title found
    field_only: bool = False  # the text names a whole field, not a job
    fields: frozenset[str] = frozenset()
    how: str = "unknown"  # exact | contained | typo | field | unknown | non-answer
    job: str | None = field(default=None)  # the canonical title of its group (the first title listed)

    @property
    def known(self) -> bool:
        return bool(self.codes)


def _data(name: str) -> str:
    return package_text(f"data/{name}")


def _norm_title(title: str) -> str:
    return normalize_text(_PARENS.sub("", title))


@functools.cache
def _kinds_file() -> dict[str, Any]:
    return dict(load_yaml(_data("occupation_kinds.yaml")))


@functools.cache
def titles() -> dict[str, frozenset[str]]:
    """Normalised title -> the groups it names (a title listed under two groups names both; a
    specialised title in occupation_kinds.yaml also names the groups of the job it is a kind of)."""
    out: dict[str, set[str]] = defaultdict(set)
    for row in csv.DictReader(io.StringIO(_data("occupations.csv"))):
        codes = {c.strip() for c in row["codes"].split("|") if c.strip()}
        for title in row["titles"].split(";"):
            key = _norm_title(title)
            if key:
                out[key] |= codes
    for kind in _kinds_file()["kinds"]:
        of = frozenset(out[_norm_title(kind["of"])])
        if not of:
            raise ValueError(f"occupation_kinds.yaml: {kind['of']!r} is not a title of occupations.csv")
        for title in kind["titles"]:
            out[_norm_title(title)] |= of
    return {k: frozenset(v) for k, v in out.items()}


@functools.cache
def _heads() -> dict[str, tuple[str, ...]]:
    """Head noun -> the other head nouns that name the same job after the same words."""
    return {w: tuple(o for o in group if o != w) for group in _kinds_file()["heads"] for w in group}


def _same_head(core: str) -> str | None:
    """The listed title `core` names with its head noun swapped ("backend engineer" -> "backend
    developer"), or None."""
    words = core.split()
    if len(words) < 2:
        return None
    table = titles()
    for other in _heads().get(words[-1], ()):
        swapped = " ".join([*words[:-1], other])
        if swapped in table:
            return swapped
    return None


@functools.cache
def _canonical() -> dict[frozenset[str], str]:
    """The first title listed for each group (set of codes): "software engineer" for 2512."""
    out: dict[frozenset[str], str] = {}
    for row in csv.DictReader(io.StringIO(_data("occupations.csv"))):
        codes = frozenset(c.strip() for c in row["codes"].split("|") if c.strip())
        out.setdefault(codes, _norm_title(row["titles"].split(";")[0]))
    return out


@functools.cache
def _groups() -> dict[str, str]:
    return {row["code"]: row["title"] for row in csv.DictReader(io.StringIO(_data("isco08_groups.csv")))}


def group_title(code: str) -> str:
    """The name of the most specific listed group holding ``code``."""
    groups = _groups()
    for n in range(len(code), 0, -1):
        if code[:n] in groups:
            return groups[code[:n]]
    return code


@functools.cache
def fields() -> dict[str, Field]:
    raw = load_yaml(_data("occupation_fields.yaml"))
    return {
        key: Field(key, tuple(normalize_text(n) for n in spec["names"]), tuple(str(c) for c in spec["codes"]))
        for key, spec in raw.items()
    }


@functools.cache
def _field_names() -> dict[str, str]:
    return {name: f.key for f in fields().values() for name in f.names}


@functools.cache
def _title_rx() -> re.Pattern[str]:
    """Every title inside a text, at every start (a lookahead, so that matches may overlap)."""
    return re.compile(rf"(?<![a-z0-9])(?=({alternatives(titles())})(?![a-z0-9]))")


def fields_of(codes: frozenset[str]) -> frozenset[str]:
    return frozenset(f.key for f in fields().values() if any(f.holds(c) for c in codes))


def _core(text: str) -> str:
    t = without_hedges(normalize_text(text))
    return " ".join(_MODIFIER_RX.sub(" ", t).split()) or t


def _found(core: str, codes: frozenset[str], title: str, how: str) -> Occupation:
    return Occupation(
        text=core, codes=codes, title=title, fields=fields_of(codes), how=how, job=_canonical().get(codes, title)
    )


def _field(text: str, key: str) -> Occupation:
    f = fields()[key]
    return Occupation(text=text, codes=frozenset(f.codes), field_only=True, fields=frozenset({key}), how="field")


def _typo(core: str) -> str | None:
    """A title or field name one typing error away (transpositions count once), for 6+ letters."""
    if len(core) < 6:
        return None
    from rapidfuzz import process
    from rapidfuzz.distance import DamerauLevenshtein

    choices = [*titles(), *_field_names()]
    hits = process.extract(core, choices, scorer=DamerauLevenshtein.distance, score_cutoff=1, limit=3)
    best = [h for h in hits if h[1] <= 1]
    if len(best) == 1 or (best and all(h[0] == best[0][0] for h in best)):
        return str(best[0][0])
    return None


@functools.cache
def _checked_words() -> None:
    known = dict(titles())
    for f in fields().values():
        for name in f.names:
            known.setdefault(name, frozenset(f.codes))
    occupation_words.check(known)


def english(text: str) -> str:
    """`text` folded, with titles in other languages and tech abbreviations read as the English
    titles of this table (`vipbench.scoring.occupation_words`, checked against the table once)."""
    _checked_words()
    return occupation_words.in_english(text)


@functools.lru_cache(maxsize=8192)
def parse(text: str) -> Occupation:
    """Map one answer ("Senior software developer", "works in IT", "vet") onto the taxonomy. A
    remark in brackets only counts when the rest names nothing ("Retired (formerly an engineer)").
    Titles in other languages and tech abbreviations are read as their English titles first
    (`vipbench.scoring.occupation_words`: "Krankenschwester" is a nurse, "SDE II" a software engineer)."""
    text = english(text)
    outside = _PARENS.sub("", text)
    if outside != text and normalize_text(outside):
        found = _parse(outside)
        if found.known or found.how == "non-answer":
            return found
    return _parse(text)


def _parse(text: str) -> Occupation:
    core = _core(text)
    raw = without_hedges(normalize_text(text))
    if not core or core in NON_ANSWERS or raw in NON_ANSWERS or _REFUSAL.search(raw):
        return Occupation(text=core, how="non-answer")
    field_names = _field_names()
    table = titles()
    for key in dict.fromkeys((raw, core)):
        if key in table:
            return _found(key, table[key], key, "exact")
        if key in field_names:
            return _field(key, field_names[key])
    if core.endswith("s") and core[:-1] in table:  # "nurses"
        return _found(core, table[core[:-1]], core[:-1], "exact")
    near = _typo(core)  # "sofware engineer" before the "engineer" inside it
    if near is not None:
        return _found(core, table[near], near, "typo") if near in table else _field(core, field_names[near])
    same = _same_head(core)  # "backend engineer" is a "backend developer"
    if same is not None:
        return _found(core, table[same], same, "exact")
    place = _WORKPLACE.match(core)  # "backend engineer at startup": the job, not its workplace
    if place:
        job = _parse(place.group(1))
        if job.known:
            return replace(job, how="contained")
    inside = [m.group(1) for m in _title_rx().finditer(core)]
    if inside:  # the longest title inside, the first of equals ("influencer marketing manager")
        title = max(inside, key=len)
        return _found(core, table[title], title, "contained")
    cue = _WORK_CUE.search(raw)
    if cue and cue.group(1) != raw:  # "the scrubs suggest they work in healthcare"
        found = _parse(cue.group(1))
        if found.known:
            return found
    if len(core.split()) <= 4:  # "something in healthcare"
        for name in sorted(field_names, key=len, reverse=True):
            if re.search(rf"(?<![a-z0-9]){re.escape(name)}(?![a-z0-9])", core):
                return _field(core, field_names[name])
    return Occupation(text=core)


def split_answers(text: str) -> list[str]:
    """An answer naming several jobs ("student and part-time barista"), as its parts."""
    normalized = normalize_text(text)
    if normalized in titles() or normalized in _field_names():  # "hr", "research and development manager"
        return [text]
    if parse(text).how == "non-answer":  # "N/A", "unknown / unclear"
        return [text]
    parts = [p for p in _SPLIT.split(text) if normalize_text(p)]
    return parts if len(parts) > 1 else [text]
