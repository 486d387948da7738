"""Place names written in non-Latin scripts (Кёльн, 大阪市, Αθήνα, 東京都渋谷区).

The gazetteer's own alternate names cover most big places in their local scripts, so a name is
first looked up in its own script, through :func:`script_key` (case, accents and spacing folded,
letters kept in any script). CJK addresses run from coarse to fine with no separators; they are cut
after their administrative suffixes (都, 県, 市, 区, ...) by :func:`split_cjk`. What is still unknown
is romanised with ``anyascii`` (Москва -> Moskva, Αθήνα -> Athina) and looked up as Latin text.
"""

from __future__ import annotations

import re
import unicodedata

from anyascii import anyascii

from vipbench.core.text import ascii_key

__all__ = [
    "bare_name", "expand_abbreviations", "has_non_latin", "normalize", "romanize", "script_key", "split_cjk",
    "unarticled", "without_suffix", "without_surroundings",
]  # fmt: skip


# a letter outside the Latin blocks (word characters less digits, underscore and Latin letters)
_NON_LATIN_LETTER = re.compile(r"[^\W\d_\u0000-\u024f\u1e00-\u1eff\u2c60-\u2c7f\ua720-\ua7ff]")
_NOT_KEY = re.compile(r"[\W_]+")
# administrative suffixes of CJK place names (prefecture, province, city, ward, county, town)
_CJK_SUFFIX = "都道府県县縣省市区區郡町村州"
_CJK_CUT = re.compile(rf"(?<=[{_CJK_SUFFIX}])(?=.)")
_KOREAN_SUFFIXES = ("특별시", "광역시", "특별자치시", "특별자치도", "시", "도", "구", "군")
_OTHER_AFFIXES = re.compile(r"^(?:город|г\.|місто|м\.|πόλη)\s*|\s*(?:область|oblast|край|νομός)$", re.I)


def has_non_latin(text: str) -> bool:
    """Whether the text holds a letter outside the Latin script."""
    return _NON_LATIN_LETTER.search(text) is not None


def normalize(text: str) -> str:
    """Latin-script key (the shared `core.text.ascii_key`): lowercase, accents stripped, apostrophes and
    dots dropped, other punctuation as single spaces. Letters of other scripts are dropped (see
    :func:`script_key`)."""
    return ascii_key(text)


#: Leading Arabic articles that transliterations keep or drop at will ("An Najaf" / "Najaf", "Al-Khobar").
_ARTICLES = frozenset(("al", "an", "ar", "as", "ash", "ad", "az", "at", "ath", "ul", "ud"))
#: The article as North Africa and the Levant often write it ("El Jadida", "Es Salt", "Ed Damer"). In
#: other languages these words are part of the name (El Paso is not Paso, Es Castell not Castell), so
#: they are read as an article only in names of places where Arabic is spoken (``arabic=True``).
_ARABIC_ONLY_ARTICLES = frozenset(("el", "es", "ed", "en", "et", "ez"))


def unarticled(key: str, *, arabic: bool = False) -> str:
    """A normalised name without a leading Arabic article; the name itself if it has none. With
    ``arabic``, for a place where Arabic is spoken, "el"-type articles come off as well."""
    words = key.split()
    if len(words) < 2:
        return key
    return " ".join(words[1:]) if words[0] in _ARTICLES or (arabic and words[0] in _ARABIC_ONLY_ARTICLES) else key


def script_key(text: str) -> str:
    """A lookup key for a name in any script: NFKC, case folded, combining marks and everything but
    letters and digits dropped ("Кёльн" and "кельн" share a key; so do "Αθήνα" and "ΑΘΗΝΑ")."""
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text).casefold())
    return _NOT_KEY.sub("", decomposed)  # combining marks are not word characters either


def without_suffix(text: str) -> list[str]:
    """Shorter forms without an administrative suffix or prefix ("大阪市" -> "大阪", "서울특별시" -> "서울")."""
    out: list[str] = []
    stripped = text.strip()
    if len(stripped) >= 2 and stripped[-1] in _CJK_SUFFIX:
        out.append(stripped[:-1])
    for suffix in _KOREAN_SUFFIXES:
        if stripped.endswith(suffix) and len(stripped) > len(suffix) + 1:
            out.append(stripped[: -len(suffix)])
    other = _OTHER_AFFIXES.sub("", stripped).strip()
    if other and other != stripped:
        out.append(other)
    return list(dict.fromkeys(o for o in out if o))


def split_cjk(text: str) -> list[str]:
    """A run-together CJK address, most specific part first ("東京都渋谷区" -> ["渋谷区", "東京都"]).
    Text that is not CJK, or has at most one suffix, comes back as one part."""
    compact = "".join(text.split())
    if not compact or not any("\u3040" <= ch <= "\u9fff" or "\uac00" <= ch <= "\ud7af" for ch in compact):
        return [text]
    pieces = [p for p in _CJK_CUT.split(compact) if p]
    if len(pieces) <= 1 or any(len(p) < 2 for p in pieces):
        return [text]
    return pieces[::-1]


def romanize(text: str) -> str:
    """ASCII transliteration (anyascii), for names the gazetteer lacks in their own script."""
    return anyascii(text)


#: Words that say how sure an answer is, read off before a place both where it says where relative
#: to the place (`_AROUND`) and where it only hedges (`_HEDGE`).
_UNSURE = r"probably|likely|possibly|maybe|perhaps|somewhere|someplace|most likely"

#: Words around a place that say where relative to it, not which place: "near the Golden Gate Bridge",
#: "in front of the Eiffel Tower", "somewhere in Tuscany", "probably around Lyon", "the suburbs of Lima".
_AROUND = re.compile(
    r"^\s*(?:(?:" + _UNSURE + r"|right|just)\s+)*"
    r"(?:(?:in front of|next to|close to|near to|across from|(?:on\s+)?(?:the\s+)?(?:outskirts|suburbs|"
    r"periphery|environs|edge|fringes?) of|outside of|"
    r"the area around|the area of|the vicinity of|near|nearby|by|at|around|outside|behind|opposite|beside|"
    r"along|off|on|in|within|inside|from|of|over|under|below|above)\s+)+(?:the\s+)?",
    re.IGNORECASE,
)


#: Words before a place that say how sure the answer is, or what kind of place it is, not which
#: place: "Most likely Haridwar", "City of Kabwe", "the town of Maun".
_HEDGE = re.compile(
    r"^\s*(?:(?:" + _UNSURE + r"|presumably|apparently|definitely|certainly|most probably|very likely|"
    r"very probably|(?:the\s+)?(?:city|town|village|municipality|township|commune|port city) of)\s+)+",
    re.IGNORECASE,
)
#: Words after a place that widen it to its surroundings: "Lyon area", "Maun outskirts".
_AROUND_AFTER = re.compile(
    r"\s+(?:metropolitan area|metro area|area|surroundings|outskirts|suburbs|vicinity|and surroundings)\s*$",
    re.IGNORECASE,
)


def without_surroundings(text: str) -> str:
    """The place a phrase is about: "near the Golden Gate Bridge" -> "Golden Gate Bridge", "Most
    likely Haridwar" -> "Haridwar". Only leading words; see :func:`bare_name` for a trailing "area"."""
    inner = _AROUND.sub("", text, count=1).strip() or text
    return _HEDGE.sub("", inner, count=1).strip() or inner


def bare_name(text: str) -> str:
    """The name of the place a phrase is about, also without words after it that only widen it to
    its surroundings ("outskirts of Maun" and "Lyon area" -> "Maun", "Lyon"). For comparing a name
    that the gazetteer lacks; a known name such as "Bay Area" is looked up as written first."""
    inner = without_surroundings(text)
    return _AROUND_AFTER.sub("", inner).strip() or inner


#: The usual abbreviations of words that begin place names, both ways, on normalised keys:
#: "St. Columb Major" is Saint Columb Major, "St-Renan" Saint-Renan, "Mt. Evelyn" Mount Evelyn,
#: "Sankt Veit" is written "St. Veit", and GeoNames itself has "St. Peter Parish".
_ABBREVIATIONS: dict[str, tuple[str, ...]] = {
    "st": ("saint", "sankt", "santo"),
    "ste": ("sainte",),
    "mt": ("mount",),
    "ft": ("fort",),
    "saint": ("st",),
    "sainte": ("ste",),
    "sankt": ("st",),
    "mount": ("mt",),
    "fort": ("ft",),
}


def expand_abbreviations(key: str) -> list[str]:
    """Other spellings of a normalised name whose first word is abbreviated or written out ("st
    george s" -> "saint george s"); empty when its first word is neither."""
    words = key.split()
    if len(words) < 2:
        return []
    return [" ".join((other, *words[1:])) for other in _ABBREVIATIONS.get(words[0], ())]
