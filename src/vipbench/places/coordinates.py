"""A point written in a place answer, in the notations models use.

Asked where a photo was taken, models often give coordinates in place of, or beside, a name:
"48.8566° N, 2.3522° E", "lat 40.71, lon -74.01", "Latitude: 19.4326, Longitude: -99.1332",
"(-23.5505, -46.6333)", "35°41′22″N 139°41′30″E", "34.6037 S, 58.3816 W". Names only serve to find
points, so a point that the answer gives is judged by geometry (:func:`vipbench.scoring.places.judge_point`).

Two bare numbers count as a point only when both have decimals ("28.6139, 77.2090"); whole numbers
are house numbers, postcodes or years. A hemisphere letter says which number is which and its sign.
"""

from __future__ import annotations

import re

__all__ = ["text_point"]

#: degrees, with optional minutes and seconds (′ ' and ″ " '' all seen), then or before a hemisphere
_DMS = (
    r"(?P<{n}deg>\d{{1,3}}(?:\.\d+)?)\s*°\s*"
    r"(?:(?P<{n}min>\d{{1,2}}(?:\.\d+)?)\s*[′']\s*)?"
    r"(?:(?P<{n}sec>\d{{1,2}}(?:\.\d+)?)\s*(?:″|\"|''|′′)\s*)?"
)
_HEMI = r"(?P<{n}hemi>[NSEWnsew])\b"
_DMS_PAIR = re.compile(
    r"(?:(?P<ahemi0>[NSEW])\s*)?" + _DMS.format(n="a") + r"(?:" + _HEMI.format(n="a") + r")?"
    r"[\s,;/]*"
    r"(?:(?P<bhemi0>[NSEW])\s*)?" + _DMS.format(n="b") + r"(?:" + _HEMI.format(n="b") + r")?"
)
#: a decimal number with an optional degree sign, and a hemisphere letter before or after it
_DEC = r"(?:(?P<{n}pre>[NSEW])\s*)?(?P<{n}num>[-+−]?\d{{1,3}}(?:\.\d+)?)\s*°?\s*(?P<{n}post>[NSEWnsew](?![a-z]))?"
_LABEL_A = r"(?:\b(?:lat(?:itude)?)\b\s*[:=]?\s*)?"
_LABEL_B = r"(?:\b(?:lon(?:gitude)?|lng|long)\b\s*[:=]?\s*)?"
_DEC_PAIR = re.compile(
    r"(?<![\w.])" + _LABEL_A + _DEC.format(n="a") + r"\s*[,;/]?\s*" + _LABEL_B + _DEC.format(n="b") + r"(?!\w|\.\d)",
    re.IGNORECASE,
)


def _degrees(match: re.Match[str], n: str) -> float:
    value = float(match.group(f"{n}deg"))
    if match.group(f"{n}min"):
        value += float(match.group(f"{n}min")) / 60
    if match.group(f"{n}sec"):
        value += float(match.group(f"{n}sec")) / 3600
    return value


def _place(a: float, a_hemi: str | None, b: float, b_hemi: str | None) -> tuple[float, float] | None:
    """(lat, lon) from two numbers and their hemisphere letters (either order when both are given)."""
    a_hemi, b_hemi = (a_hemi or "").upper() or None, (b_hemi or "").upper() or None
    if a_hemi in ("E", "W") and b_hemi in ("N", "S"):
        a, a_hemi, b, b_hemi = b, b_hemi, a, a_hemi
    if a_hemi in ("E", "W") or b_hemi in ("N", "S"):
        return None
    lat = -abs(a) if a_hemi == "S" else a
    lon = -abs(b) if b_hemi == "W" else b
    if -90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0:
        return lat, lon
    return None


def text_point(text: str) -> tuple[float, float] | None:
    """The (latitude, longitude) that an answer writes, or None when it writes none."""
    if not text or not any(ch.isdigit() for ch in text):
        return None
    for m in _DMS_PAIR.finditer(text):
        point = _place(
            _degrees(m, "a"),
            m.group("ahemi") or m.group("ahemi0"),
            _degrees(m, "b"),
            m.group("bhemi") or m.group("bhemi0"),
        )
        if point is not None and (m.group("ahemi") or m.group("ahemi0")) and (m.group("bhemi") or m.group("bhemi0")):
            return point
    for m in _DEC_PAIR.finditer(text):
        a_text, b_text = m.group("anum").replace("−", "-"), m.group("bnum").replace("−", "-")
        hemis = (m.group("apre") or m.group("apost"), m.group("bpre") or m.group("bpost"))
        labelled = re.search(r"\blat", m.group(0), re.IGNORECASE) is not None
        if not (all(hemis) or labelled or ("." in a_text and "." in b_text)):
            continue  # whole numbers with nothing saying they are degrees: a house number, a postcode
        point = _place(float(a_text), hemis[0], float(b_text), hemis[1])
        if point is not None:
            return point
    return None
