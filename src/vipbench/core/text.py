"""Text normalisation: the one way vipbench folds and compares free text.

- `fold(text)`: case folded, accents and apostrophes dropped, and the few Latin letters that
  Unicode does not decompose spelled out ("ø" -> "o", "æ" -> "ae", "ł" -> "l"). Other scripts
  are kept as they are ("Кёльн" -> "кельн").
- `normalize_text(text)`: `fold`, then every run of punctuation or white space made a single
  space ("  Zürich, CH!" -> "zurich ch", "Bachelor’s" -> "bachelors"). This is the canonical
  form used to compare answers, key human reviews and match option phrases.
- `ascii_key(text)`: `fold` with dots dropped and anything but a-z and 0-9 turned into spaces;
  the key of the place gazetteer, whose names are Latin script.
- `PhraseTable`: ordered whole-word phrase rules over normalised text.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

#: Letters with no Unicode decomposition, spelled in plain Latin; and apostrophes (dropped).
_FOLD = str.maketrans(
    {
        "ø": "o", "æ": "ae", "œ": "oe", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ı": "i", "ħ": "h",
        "'": None, "’": None, "‘": None, "`": None, "´": None, "ʻ": None, "ʼ": None, "ʿ": None, "ʾ": None,
    }
)  # fmt: skip
_NON_WORD = re.compile(r"[\W_]+")
_NON_ALNUM = re.compile(r"[^0-9a-z]+")

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
    """`text` without combining marks ("Zürich" -> "Zurich"); case and letters kept."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def fold(text: str) -> str:
    """Case folded, accent-free text without apostrophes; punctuation and spaces kept."""
    s = text.casefold().translate(_FOLD)
    return s if s.isascii() else strip_accents(s)


def normalize_text(text: str) -> str:
    """Lower-case, accent-free words separated by single spaces ("  Zürich, CH!" -> "zurich ch")."""
    return " ".join(_NON_WORD.sub(" ", fold(text)).split())


def ascii_key(text: str) -> str:
    """`fold` with dots dropped ("St. Gallen" -> "st gallen", "D.C." -> "dc") and only a-z, 0-9
    kept between single spaces; other scripts vanish."""
    s = text.casefold().translate(_FOLD).replace(".", "")
    return _NON_ALNUM.sub(" ", s if s.isascii() else strip_accents(s)).strip()


def without_hedges(normalized: str) -> str:
    """Drop hedging words from already normalised text."""
    out = f" {normalized} "
    for h in HEDGES:
        out = out.replace(f" {h} ", " ")
    return " ".join(out.split())


def whole_words(pattern: str) -> re.Pattern[str]:
    """`pattern` compiled to match only whole words of normalised text."""
    return re.compile(rf"(?<![^\W_])(?:{pattern})(?![^\W_])")


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
        self._compiled = [(whole_words(p), lab) for p, lab in self.rules]

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
