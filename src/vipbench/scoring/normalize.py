"""Text normalisation shared by the rule-based scorers, the review file and the dataset filters.

`normalize_text` is the one canonical form of free text: accents dropped, case folded,
apostrophes removed ("Bachelor's" -> "bachelors") and every other run of punctuation or
whitespace turned into a single space. `PhraseTable` maps normalised text to a label by
ordered, whole-word phrase patterns; the scorers build their synonym tables with it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

_APOSTROPHES = re.compile(r"['\u2019\u2018`\u00b4]")
_NON_WORD = re.compile(r"[\W_]+")

#: Words that hedge a guess without changing it ("probably male", "likely married").
HEDGES: tuple[str, ...] = (
    "most likely",
    "more likely",
    "likely",
    "probably",
    "possibly",
    "perhaps",
    "maybe",
    "presumably",
    "apparently",
    "i think",
    "i guess",
    "approximately",
    "approx",
    "around",
    "about",
    "roughly",
    "circa",
)


def strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def normalize_text(text: str) -> str:
    """Lower-case, accent-free words separated by single spaces ("  Zürich, CH!" -> "zurich ch")."""
    t = strip_accents(text).casefold()
    t = _APOSTROPHES.sub("", t)
    t = _NON_WORD.sub(" ", t)
    return " ".join(t.split())


def without_hedges(normalized: str) -> str:
    """Drop hedging words from already normalised text."""
    out = f" {normalized} "
    for h in HEDGES:
        out = out.replace(f" {h} ", " ")
    return " ".join(out.split())


def _whole_words(pattern: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![a-z0-9])(?:{pattern})(?![a-z0-9])")


@dataclass
class PhraseTable:
    """Ordered (pattern, label) rules matched as whole words against normalised text.

    `labels(text)` walks the rules in order; each rule that matches records its label and
    blanks the matched span, so an earlier, more specific rule ("high school student")
    keeps a later, general one ("high school") from matching the same words. `label(text)`
    is the single label found, or None when none or several different ones were found.
    """

    rules: Sequence[tuple[str, str]]
    _compiled: list[tuple[re.Pattern[str], str]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._compiled = [(_whole_words(p), lab) for p, lab in self.rules]

    def labels(self, text: str) -> list[str]:
        t = normalize_text(text)
        found: list[str] = []
        for rx, lab in self._compiled:
            if rx.search(t):
                t = rx.sub(" | ", t)
                if lab not in found:
                    found.append(lab)
        return found

    def label(self, text: str) -> str | None:
        found = self.labels(text)
        return found[0] if len(found) == 1 else None


def alternatives(words: Iterable[str]) -> str:
    """A regex alternation of literal phrases, longest first."""
    return "|".join(sorted((re.escape(w) for w in words), key=len, reverse=True))
