"""Resolution of a whole place string: split it into parts, pick one candidate reading per part so
that each pick lies inside the next coarser one (a small dynamic programme), and turn the picks into
a :class:`~vipbench.places.place.Place`; then the other plausible readings of the most specific part,
and fuzzy matches inside what the other parts name. The public entry points are
:func:`resolve_readings` and :func:`resolve_place`, re-exported by :mod:`vipbench.places.gazetteer`.
"""

from __future__ import annotations

import functools
import math
import re
from collections import defaultdict
from dataclasses import dataclass, replace
from typing import Any

from vipbench.places.aliases import _AREAS, _FORMER_EXTENTS, _NO_PLACE, _TERRITORY_REGIONS
from vipbench.places.candidates import (
    _ALIAS,
    _BIG_CITY,
    _COUNTRY,
    _FUZZY,
    SWAP_RATIO,
    _Cand,
    _candidates,
    _city_cand,
    _exact_readings,
    _fuzzy_city,
    _FuzzyHit,
    _native,
    _native_country_prefix,
    _prominence,
)
from vipbench.places.geo import haversine_km as _km_points
from vipbench.places.geo import outer_radius_km
from vipbench.places.index import _POSTAL_COUNTRIES, _City, _core, _countries, _keys, _km, _regions, _tier_a
from vipbench.places.place import Place, Reading
from vipbench.places.scripts import bare_name, has_non_latin, normalize, script_key, split_cjk, without_surroundings
from vipbench.places.worldregions import world_region

__all__ = [
    "MAX_RATIO", "area_parts", "fuzzy_city", "resolve_place", "resolve_readings", "split_place",
    "territory_view", "without_surroundings",
]  # fmt: skip

# --------------------------------------------------------------------------------------------
# choosing one reading per part

_NEIGHBOUR_KM = 50.0


def _fits(inner: _Cand, outer: _Cand) -> int:
    """0 if ``inner`` cannot lie in ``outer``, 1 if it may (unknown), 2 if it does."""
    if inner.cc != outer.cc:  # a town of Réunion (RE) lies in France's region La Réunion (FR-974)
        territory = _TERRITORY_REGIONS.get(outer.region.code) if outer.kind == "region" and outer.region else None
        return 2 if territory == inner.cc and inner.kind == "city" else 0
    if outer.kind == "country" and outer.area is not None and inner.kind != "country":
        # a part of a named area across borders: a town or region of the area ("Kraków, Galicia")
        parts = area_parts(outer.area, outer.cc)
        code = inner.iso if inner.kind == "city" else inner.region.code if inner.region else None
        return 2 if not parts or code in parts else 1 if code is None else 0
    if outer.kind == "country":
        return 2
    if inner.kind == "country":
        return 0
    if outer.kind == "region":
        assert outer.region is not None
        if inner.kind == "region":  # only a nickname region or a site may repeat its region ("Bay Area, California")
            same = inner.region == outer.region
            return 2 if same and (inner.rank == _ALIAS or inner.site or inner.from_town) else 0
        if inner.iso is None:  # region unknown: it may lie in the region if it lies near its known towns
            return 1 if inner.city is None or _near_region(inner.city, outer.region.code) else 0
        if inner.iso == outer.region.code:
            return 2
        return 1 if inner.city is not None and _consistent_with(inner.city, inner.iso, outer.region.code) else 0
    # outer is a city: only a nearby city (a district or suburb) fits, as weaker evidence than a region
    if inner.kind == "city" and inner.city and outer.city:
        return 1 if _km(inner.city, outer.city) <= _NEIGHBOUR_KM else 0
    return 0


#: A town whose region is unknown may lie in a named region only this far beyond the region's known towns.
_REGION_MARGIN_KM = 300.0


@functools.cache
def _region_extents() -> dict[str, tuple[float, float, float]]:
    """ISO region -> (lat, lon, radius km): the centre of its known 15k+ towns and the farthest of them."""
    members: dict[str, list[_City]] = defaultdict(list)
    gn_to_iso = _regions().gn_to_iso
    for city in _tier_a()[0].values():
        code = gn_to_iso.get((city.cc, city.gn_admin1))
        if code:
            members[code].append(city)
    out: dict[str, tuple[float, float, float]] = {}
    for code, towns in members.items():
        x = sum(math.cos(math.radians(t.lat)) * math.cos(math.radians(t.lon)) for t in towns)
        y = sum(math.cos(math.radians(t.lat)) * math.sin(math.radians(t.lon)) for t in towns)
        z = sum(math.sin(math.radians(t.lat)) for t in towns)
        lat, lon = math.degrees(math.atan2(z, math.hypot(x, y))), math.degrees(math.atan2(y, x))
        out[code] = (lat, lon, max(_km_points(lat, lon, t.lat, t.lon) for t in towns))
    return out


@functools.cache
def _mapped_regions() -> frozenset[str]:
    """The ISO regions that some GeoNames admin1 group is known to be: a town's region can be
    compared with these; with any other (a region GeoNames draws differently) it cannot."""
    return frozenset(_regions().gn_to_iso.values())


#: A city that is a region of its own has all that region's known towns within this distance at least.
_CITY_REGION_KM = 40.0


def area_parts(area: str, country_code: str) -> frozenset[str]:
    """The ISO regions of ``country_code`` that lie in a named area across borders ("Borneo", "MY"
    -> Sabah, Sarawak, Labuan); empty when the whole country lies in it or the area is unknown."""
    table = next((parts for name, parts in _AREAS.values() if name == area), {})
    return table.get(country_code, frozenset())


def _outside_named_region(town: _Cand, region: _Cand) -> bool | None:
    """Whether a town lies outside the region named beside it ("Tacloban, Central Visayas": Tacloban
    is in Eastern Visayas), as far as the data can tell; None when it cannot tell: the region
    reading is a near spelling, or the town's region is unknown."""
    assert town.city is not None and region.region is not None
    code = region.region.code
    if region.rank == _FUZZY or town.iso is None:
        return None
    if "-" not in code:  # a GeoNames group named through its town ("Kharkiv Oblast")
        return code != f"{town.cc}.{town.city.gn_admin1}"
    return town.iso != code and not _consistent_with(town.city, town.iso, code)


def _consistent_with(city: _City, iso: str, code: str) -> bool:
    """Whether a town of region ``iso`` may still be written with region ``code``: no GeoNames group
    is known to be that region (it is drawn differently, so the town may lie in it), it once held
    the town's region ("Hyderabad, Andhra Pradesh"), it is named after the town ("Almaty, Almaty
    Region", "Moscow, Moscow Oblast"), or the town is a region of its own amid it ("Bogotá,
    Cundinamarca", "Prague, Central Bohemia")."""
    if code not in _mapped_regions() or iso in _FORMER_EXTENTS.get(code, ()):
        return True
    if set(_keys(city.name)) & _region_stems().get(code, frozenset()):
        return True
    extents = _region_extents()
    own, named = extents.get(iso), extents.get(code)
    if own is None or named is None or own[2] > max(outer_radius_km(city.pop), _CITY_REGION_KM):
        return False
    lat, lon, radius = named
    return _km_points(lat, lon, city.lat, city.lon) <= radius


@functools.cache
def _region_stems() -> dict[str, frozenset[str]]:
    """ISO region -> its names without kind words ("moscow" for "Moscow Oblast", "almaty" for
    "Almaty oblysy"): a town of that name is the region's namesake."""
    stems: dict[str, set[str]] = defaultdict(set)
    for key, found in _regions().index.items():
        for region in found:
            stems[region.code].add(_core(key) or key)
    return {code: frozenset(names) for code, names in stems.items()}


def _near_region(city: _City, code: str) -> bool:
    """Whether a town of unknown region can lie in region ``code``: a named region is binding, so a
    namesake thousands of kilometres from every known town of the region is not in it."""
    extent = _region_extents().get(code)
    if extent is None:
        return True
    lat, lon, radius = extent
    return _km_points(lat, lon, city.lat, city.lon) <= radius + _REGION_MARGIN_KM


# A reading's score, compared as a tuple (higher is better): coarsest part resolved, number of parts
# resolved, minus the index of the most specific resolved part, containment evidence, minus the sum
# of kind ranks, population of the most specific pick.
_Score = tuple[int, int, int, int, int, int]
# the best picks for a run of parts, with the score components of those picks (all but the first)
_Partial = tuple[tuple[int, int, int, int, int], tuple[_Cand | None, ...]]


@dataclass(frozen=True)
class _Reading:
    choice: tuple[_Cand | None, ...]  # one entry per part, most specific first
    score: _Score


def _best_reading(cands: list[tuple[_Cand, ...]]) -> _Reading:
    """Pick one reading (or none) per part so that each pick fits inside the nearest coarser pick.

    Dynamic programming from the most specific part: every score component except the first is a
    sum over picks or belongs to the most specific pick, so the best picks for parts 0..i given the
    pick that encloses them do not depend on the coarser parts."""

    @functools.cache
    def best(i: int, outer: _Cand | None) -> _Partial:
        if i < 0:
            return (0, 0, 0, 0, 0), ()
        options: list[_Partial] = []
        score, picks = best(i - 1, outer)
        options.append((score, (*picks, None)))
        for cand in cands[i]:
            fit = _fits(cand, outer) if outer is not None else 0
            if outer is not None and not fit:
                continue
            (count, neg_first, strength, neg_ranks, pop), picks = best(i - 1, cand)
            if count == 0:  # cand is the most specific pick
                neg_first, pop = -i, cand.weight
            score = (count + 1, neg_first, strength + fit, neg_ranks - cand.rank, pop)
            options.append((score, (*picks, cand)))
        return max(options, key=lambda option: option[0])

    last = len(cands) - 1
    score, picks = best(last - 1, None)
    readings = [_Reading((*picks, None), (0, *score))]
    for cand in cands[last]:
        (count, neg_first, strength, neg_ranks, pop), inner = best(last - 1, cand)
        if count == 0:
            neg_first, pop = -last, cand.weight
        total = (1, count + 1, neg_first, strength, neg_ranks - cand.rank, pop)
        readings.append(_Reading((*inner, cand), total))
    return max(readings, key=lambda reading: reading.score)


_SPACED_DASH = re.compile(r"\s+[-–—]\s+")


@functools.cache
def _dashed_names() -> frozenset[str]:
    """The 15k+ city names written with a spaced dash (there are a few; smaller places have more)."""
    return frozenset(c.name for c in _tier_a()[0].values() if _SPACED_DASH.search(c.name))


def _split(text: str) -> list[str]:
    """Comma-separated parts, most specific first. Official names written with a comma ("Congo, The
    Democratic Republic of the", "Madrid, Comunidad de") are kept whole. A dash between spaces
    separates parts too ("Gaza - Palestine", "Kuala Lumpur – Malaysia"), except inside a name that
    is written with one ("Bà Rịa - Vũng Tàu")."""
    country_index, regions = _countries()[0], _regions()

    def known(name: str) -> bool:
        return normalize(name) in country_index or normalize(name) in regions.index

    raw: list[str] = []
    for piece in re.split(r"[,;/|，、；]", text):  # "Zurich (Switzerland)" but not "Cocos (Keeling) Islands"
        whole = known(piece) or ("(" in piece and normalize(piece) in _tier_a()[1])  # "Frankfurt (Oder)"
        pieces = [piece] if whole else re.split(r"[()（）]", piece)
        for p in pieces:
            dashed = _SPACED_DASH.search(p) and not known(p) and p.strip() not in _dashed_names()
            raw += _SPACED_DASH.split(p) if dashed else [p]
    raw = [p.strip() for p in raw if normalize(p) or has_non_latin(p)]
    if any(has_non_latin(p) for p in raw):
        raw = [q for p in raw for q in _split_script(p)]
    parts: list[str] = []
    for part in raw:
        if parts and known(f"{parts[-1]} {part}"):
            parts[-1] = f"{parts[-1]}, {part}"
            continue
        parts.append(part)
    return parts[-5:]


def _split_script(part: str) -> list[str]:
    """A part in a non-Latin script, cut into its own parts when it is a run-together CJK address."""
    if not has_non_latin(part):
        return [part]
    pieces = split_cjk(part)
    if len(pieces) == 1 and not _native().get(script_key(part)):
        prefixed = _native_country_prefix(part)
        if prefixed:
            rest, country = prefixed
            return [*split_cjk(rest), country]
        return pieces
    coarsest = _native_country_prefix(pieces[-1]) if not _native().get(script_key(pieces[-1])) else None
    if coarsest:
        pieces = [*pieces[:-1], coarsest[0], coarsest[1]]
    return pieces


def _to_place(parts: list[str], reading: _Reading) -> Place | None:
    chosen = [(i, c) for i, c in enumerate(reading.choice) if c is not None]
    if not chosen:
        return None
    first_index, first = chosen[0]
    _, names, pops = _countries()
    regions = _regions()
    cc = first.cc
    region = next((c.region for _, c in chosen if c.kind == "region" and c.region), None)
    city_cand = next((c for _, c in chosen if c.kind == "city" and c.city), None)
    admin1 = region.name if region else None
    admin1_code = region.code if region else None
    if region is None and city_cand is not None and city_cand.city is not None:
        if city_cand.iso and city_cand.iso in regions.by_code:
            admin1, admin1_code = regions.by_code[city_cand.iso].name, city_cand.iso
        elif city_cand.city.gn_admin1:
            admin1_code = f"{cc}.{city_cand.city.gn_admin1}"
    country = names.get(cc, cc)
    site = first.site if first_index == 0 else None
    extra: dict[str, Any] = {}
    if site is not None:
        extra = {"site": site.name, "site_kind": site.kind, "site_lat": site.lat, "site_lon": site.lon}
    if first.kind == "city" and first.city is not None:
        c = first.city
        return Place(
            country_code=cc, country=country, admin1=admin1, admin1_code=admin1_code, city=c.name,
            level="city", lat=c.lat, lon=c.lon, population=c.pop, geonameid=c.gid, within=first.within, **extra,
        )  # fmt: skip
    raw_city = bare_name(parts[0]) if first_index > 0 else None  # "Most likely Jiuli" names Jiuli
    if first.kind == "region":
        return Place(
            country_code=cc, country=country, admin1=admin1, admin1_code=admin1_code, city=raw_city,
            level="region", **extra,
        )  # fmt: skip
    population = pops.get(cc) or None
    if first.area is not None:
        extra["area"] = first.area
    return Place(country_code=cc, country=country, city=raw_city, level="country", population=population, **extra)


def territory_view(place: Place) -> Place | None:
    """The place seen from the other side of a territory that ISO lists both as a country and as
    its sovereign's region: "Hong Kong SAR" (region CN-HK) read in Hong Kong (HK), or a town of
    Réunion (RE) that the answer put in France's region La Réunion (FR-974) read in France; None
    when the place involves no such territory."""
    code = place.admin1_code or ""
    if "-" in code and code[:2] != place.country_code:  # a territory's town inside its sovereign's region
        return place.model_copy(update={"country_code": code[:2]})
    territory = _TERRITORY_REGIONS.get(code)
    if territory is None:
        return None
    level = "country" if place.level == "region" else place.level
    name = _countries()[1].get(territory, territory)
    update = {"country_code": territory, "country": name, "admin1": None, "admin1_code": None, "level": level}
    return place.model_copy(update=update)


def split_place(text: str) -> list[str]:
    """The comma-separated parts of a place string, most specific first (empty parts dropped)."""
    return _split(text)


#: Readings of an ambiguous name more than this many times less prominent (populous) than the first
#: are not offered: a careful reader takes "Paris" for the French one, not Paris, Texas.
MAX_RATIO = 10.0
#: Towns below the gazetteer's main city list (15k inhabitants) are not offered as other readings.
_MIN_READING_POP = 15_000


@functools.lru_cache(maxsize=16384)
def resolve_readings(text: str) -> tuple[Reading, ...]:
    """Readings of ``text``; a phrase around a place ("in front of the Eiffel Tower") is read as the
    place itself when the phrase as written names nothing."""
    readings = _resolve_readings(text)
    if not readings:
        inner = without_surroundings(text)
        if inner != text:
            readings = _resolve_readings(inner)
    return readings


def _resolve_readings(text: str) -> tuple[Reading, ...]:
    """The readings of ``text`` in the order written, or from coarse to fine ("Micronesia, Kolonia",
    "Japan, Aomori"): a string that starts with a country's name is also read backwards, and that
    reading wins when its parts fit together strictly better (more parts resolved, or confirmed
    inside one another: Kolonia *in* Micronesia, not the Cologne that GeoNames also calls Kolonia).
    Only that structure counts, not which kinds of place were picked: on a tie the order written
    stands ("Turkey, Texas" is the Texan town, not a "Texas" in Turkey)."""
    readings, score = _resolve_scored(text)
    parts = _split(text)
    if len(parts) < 2 or not any(c.kind == "country" for c in _candidates(parts[0], False)):
        return readings
    flipped, flipped_score = _resolve_scored(", ".join(reversed(parts)))
    if flipped and (score is None or (flipped_score is not None and flipped_score[:4] > score[:4])):
        return flipped
    return readings


def _resolve_scored(text: str) -> tuple[tuple[Reading, ...], _Score | None]:
    """The plausible readings of a place string, the most plausible first (empty if none), with the
    score of the choice of one reading per part (None if none).

    Other readings differ only in the most specific part and fit the rest of the string as well as
    the first one does: "Georgia" is the country and the US state, "Portland" is in Oregon and in
    Maine, "CO" is Colombia and Colorado. Each carries how much less prominent (populous) it is
    than the first; readings more than ``MAX_RATIO`` times less prominent are left out ("Paris" is
    not offered as Paris, Texas), and one ``SWAP_RATIO`` times more prominent comes first. A two-
    or three-letter code that is also a state or province code reads both ways at ratio 1; a
    country's name is only also read as a region of the same name.

    Parts that name a continent or world region ("Paris, Europe") are not places themselves; they
    only keep the readings of the other parts to the countries they cover. A most specific part with
    no exact reading is matched fuzzily among the cities of the country or region that the other
    parts name ("Barcelonna, Spain"); see ``Place.match``."""
    if not text or normalize(text) in _NO_PLACE:
        return (), None
    country_index = _countries()[0]
    allowed: frozenset[str] | None = None
    parts: list[str] = []
    for part in _split(text):
        region = world_region(part)
        if region is not None and normalize(part) not in country_index:
            if region.members:
                allowed = region.members if allowed is None else allowed & region.members
            continue
        parts.append(part)
    if not parts:
        return (), None

    def cands(part: str, extended: bool, after_town: bool = False) -> tuple[_Cand, ...]:
        found = _candidates(part, extended)
        if after_town and _is_postal_code(part):
            # "Signal Hill, CA": a postal code after a town names a state or province of a country
            # where that town exists, before it names a country
            found = tuple(sorted(found, key=lambda c: c.kind != "region"))
            found = tuple(replace(c, rank=_ALIAS) if c.kind == "region" else c for c in found)
        if after_town:
            found = _region_over_towns(found)
        return found if allowed is None else tuple(c for c in found if c.cc in allowed)

    table = [cands(p, False, i > 0) for i, p in enumerate(parts)]
    reading = _best_reading(table)
    if None in reading.choice:
        # the most specific part may be a small town, or a bigger namesake elsewhere may have left a
        # named region unused ("Cochrane, Ontario" is not the Alberta town): look further
        wide = [cands(p, True, i > 0) for i, p in enumerate(parts)]
        wide_reading = _best_reading(wide)
        if wide_reading.score > reading.score or reading.choice[0] is None:
            table, reading = wide, wide_reading
    bound_town = False
    if reading.choice[0] is not None and _skips_named_part(reading, table):
        # a named region is binding: "Zheleznodorozhnyy, Irkutsk" is not the namesake near Moscow, but
        # a town of Irkutsk oblast that the gazetteer lacks (kept by name, or matched fuzzily below)
        skipped = [i for i, c in enumerate(reading.choice) if i and c is None and table[i]]
        coarse = [tuple(c for c in t if c.kind != "city") for t in table[1:]]  # the named part as a region
        for bound_table in ([(), *coarse], [(), *table[1:]]):
            bound = _best_reading(bound_table)
            if all(bound.choice[i] is not None for i in skipped):
                table, reading, bound_town = bound_table, bound, True
                break
    words = parts[0].split()
    if reading.choice[0] is None and len(words) > 1:
        # "Seattle WA" without a comma: try the last words of the first part as a coarser part
        for cut in range(len(words) - 1, 0, -1):
            split_parts = [" ".join(words[:cut]), " ".join(words[cut:]), *parts[1:]]
            split_table = [cands(p, True, i > 0) for i, p in enumerate(split_parts)]
            split_reading = _best_reading(split_table)
            if split_reading.choice[0] is not None and split_reading.choice[1] is not None:
                parts, table, reading = split_parts, split_table, split_reading
                break
    if reading.choice[0] is None and len(parts) == 2:
        city = _city_over_foreign_part(parts, reading)
        if city is not None:
            reading = _Reading((city, None), reading.score)
    update: dict[str, Any] = {}
    if reading.choice[0] is None:
        fuzzy = None if _names_town_of(parts[0], reading) else _context_fuzzy(parts[0], reading)
        if fuzzy is not None:
            cand, hit = fuzzy
            reading = _Reading((cand, *reading.choice[1:]), reading.score)
            update = {"match": "fuzzy", "match_score": hit.score, "match_sure": hit.sure}
    elif reading.choice[0].via != "exact":
        update = {"match": reading.choice[0].via}
        if reading.choice[0].score is not None:  # a near spelling of a country or region name
            update["match_score"] = reading.choice[0].score
    place = _to_place(parts, reading)
    if place is None:
        return (), None
    if bound_town and reading.choice[0] is None and place.level == "city":
        # an unknown town named with its city ("Zheleznodorozhnyy, Irkutsk"): a town of that city's
        # region, not the city itself
        unknown = {"lat": None, "lon": None, "population": None, "geonameid": None}
        place = place.model_copy(update={"city": parts[0].strip(), "level": "region", **unknown})
    first = Reading(place.model_copy(update=update) if update else place, 1.0)
    if reading.choice[0] is None or "match_sure" in update:  # unknown, or matched fuzzily in context
        return (first,), reading.score
    readings = [first, *_alternatives(parts, table, reading)]
    first_cand = reading.choice[0]
    if first_cand.area is not None:  # each country's part of a named area, all of it meant at once
        others = (Reading(r.place, 1.0) for r in readings[1:] if r.place.area == first_cand.area)
        return (first, *others), reading.score
    key = normalize(parts[0])
    vouched = first_cand.site is not None or first_cand.within is not None  # by the landmark table
    if first_cand.rank not in (_ALIAS, _COUNTRY) and not vouched and _core(key) == key:
        # a reading many times less populous than another is the less likely one: "Portland" is
        # not the Jamaican parish, "Santiago" not the Dominican city
        top = min(readings, key=lambda r: r.ratio)
        if top.ratio * SWAP_RATIO < 1.0 and top.place.level == "city":
            readings = sorted((Reading(r.place, r.ratio / top.ratio) for r in readings), key=lambda r: r.ratio)
    if first_cand.kind == "country" and len(key) > 3:
        # a country's name means the country; only a region of the same name is as likely ("Georgia")
        readings = [readings[0], *(r for r in readings[1:] if r.place.level == "region")]
    return tuple(r for r in readings if r.ratio <= MAX_RATIO), reading.score


def _region_over_towns(found: tuple[_Cand, ...]) -> tuple[_Cand, ...]:
    """The readings of a part written after a town, where the part exactly names a region: a smaller
    town of the same name in another region of that country is not meant ("Manizales, Risaralda"
    names the department, not the town of Risaralda in Caldas); a town inside the region may stand
    for it, and a big city is still itself ("Palermo, Buenos Aires")."""
    regions = {c.region.code for c in found if c.kind == "region" and c.region and c.rank != _FUZZY}
    if not regions:
        return found
    countries = {code.split("-", 1)[0].split(".", 1)[0] for code in regions}

    def meant(c: _Cand) -> bool:
        if c.kind != "city" or c.cc not in countries or c.iso is None or c.iso in regions:
            return True
        return c.city is not None and c.city.pop >= _BIG_CITY

    return tuple(c for c in found if meant(c))


def _is_postal_code(part: str) -> bool:
    """A two- or three-letter state or province code of a country that writes them after town names."""
    key = normalize(part)
    return 2 <= len(key) <= 3 and any(
        r.code.split("-", 1)[1].lower() == key for r in _regions().index.get(key, ()) if r.cc in _POSTAL_COUNTRIES
    )


def _skips_named_part(reading: _Reading, table: list[tuple[_Cand, ...]]) -> bool:
    """Whether the reading leaves out a middle part that names something, between two picked parts,
    that the pick cannot lie in."""
    picked = [i for i, c in enumerate(reading.choice) if c is not None]
    first = reading.choice[picked[0]]
    assert first is not None

    def conflicts(cand: _Cand) -> bool:
        if first.city is None or cand.cc != first.cc:
            return True
        if cand.city is not None:  # "Kresttsy, Novgorod": a city that stands for its region
            return _km(cand.city, first.city) > _REGION_MARGIN_KM
        if cand.region is None:
            return False
        outside = _outside_named_region(first, cand)
        return outside if outside is not None else not _near_region(first.city, cand.region.code)

    return any(
        reading.choice[i] is None and table[i] and all(conflicts(c) for c in table[i])
        for i in range(picked[0] + 1, picked[-1])
    )


def _alternatives(parts: list[str], table: list[tuple[_Cand, ...]], reading: _Reading) -> list[Reading]:
    """Other readings of the most specific part that fit the rest as well as ``reading`` does, with
    how much less prominent each is (below 1: more prominent)."""
    first = reading.choice[0]
    assert first is not None
    top = _prominence(first)
    code = len(normalize(parts[0])) <= 3
    out: list[Reading] = []
    seen = {(first.cc, first.kind, first.city.gid if first.city else None, first.region, first.site)}
    for cand in sorted(table[0], key=_prominence, reverse=True)[:12]:
        ident = (cand.cc, cand.kind, cand.city.gid if cand.city else None, cand.region, cand.site)
        if ident in seen or (cand.city is not None and cand.city.pop < _MIN_READING_POP and cand.site is None):
            continue
        seen.add(ident)
        ratio = top / _prominence(cand) if _prominence(cand) else math.inf
        if code and cand.kind == "region":
            ratio = min(ratio, 1.0)  # "CO": Colorado as much as Colombia
        other = _best_reading([(cand,), *table[1:]])
        if other.choice[0] is None or other.score[:3] != reading.score[:3]:
            continue
        place = _to_place(parts, other)
        if place is not None:
            out.append(Reading(place, ratio))
    return out


def _city_over_foreign_part(parts: list[str], reading: _Reading) -> _Cand | None:
    """The big city the first part names exactly ("Brno, Moravia", "Perpignan, Catalonia") when the
    second names a region, or a smaller town, of another country where no town has the city's name:
    the second part is then a historical or cultural name around the city (Moravia, Northern
    Catalonia), not where the writer puts it. A region of the city's own country still binds."""
    outer = reading.choice[1]
    if outer is None or outer.kind == "country" or has_non_latin(parts[0]):
        return None
    cities = [c for c in _exact_readings(normalize(parts[0])) if c.kind == "city" and c.city is not None]
    if any(c.cc == outer.cc for c in cities):
        return None
    big = [c for c in cities if c.city is not None and c.city.pop >= _BIG_CITY and c.site is None]
    city = max(big, key=lambda c: c.weight) if big else None
    if city is None or (outer.city is not None and outer.city.pop >= city.weight):
        return None  # "Palermo, Buenos Aires": a district of the bigger city named second
    return city


def _names_town_of(part: str, reading: _Reading) -> bool:
    """Whether ``part`` exactly names a town of the country the other parts name: then it is not a
    misspelling of another town ("Regensburg, Baden-Württemberg" names Regensburg, which lies in
    Bavaria, not Ravensburg), and stays an unknown town of the region named."""
    outer = next((c for c in reading.choice[1:] if c is not None), None)
    if outer is None or has_non_latin(part):
        return False
    return any(c.kind == "city" and c.cc == outer.cc for c in _exact_readings(normalize(part)))


def _context_fuzzy(part: str, reading: _Reading) -> tuple[_Cand, _FuzzyHit] | None:
    """A fuzzy reading of an unresolved most specific part, inside what the other parts name."""
    outer = next((c for c in reading.choice[1:] if c is not None), None)
    if outer is None or has_non_latin(part) or outer.kind == "city":
        return None
    region = outer.region.code if outer.kind == "region" and outer.region else None
    hit = _fuzzy_city(part, outer.cc, region)
    if hit is None:
        return None
    cand = replace(_city_cand(hit.city), via="fuzzy")
    return (cand, hit) if _fits(cand, outer) else None


def fuzzy_city(name: str, country_code: str, *, min_population: int = 0) -> Place | None:
    """A city of ``country_code`` whose name is a likely misspelling of ``name`` (see ``_fuzzy_city``),
    as a Place with ``match="fuzzy"``; ``match_sure`` is False in the grey zone. None if nothing is close."""
    hit = _fuzzy_city(name, country_code, None, min_population)
    if hit is None:
        return None
    place = _to_place([name], _Reading((_city_cand(hit.city),), (0, 0, 0, 0, 0, 0)))
    assert place is not None
    return place.model_copy(update={"match": "fuzzy", "match_score": hit.score, "match_sure": hit.sure})


def resolve_place(text: str) -> Place | None:
    """Resolve free text ("Lahad Datu, Sabah, Malaysia", "NYC", "Zürich", "大阪市") to the most
    plausible place. Returns None when no part of the text names a known country, region, city or
    landmark, and for a continent or world region alone ("Asia"; see :mod:`vipbench.places.worldregions`)."""
    readings = resolve_readings(text)
    return readings[0].place if readings else None


def same_country(a: str, b: str) -> bool | None:
    """Whether two place strings are in the same country; None if either cannot be resolved."""
    place_a, place_b = resolve_place(a), resolve_place(b)
    if place_a is None or place_b is None:
        return None
    return place_a.country_code == place_b.country_code
