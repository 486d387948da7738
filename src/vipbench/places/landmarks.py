"""A small table of much-photographed places inside cities or out in nature, with coordinates.

``vipbench/data/landmarks.csv`` (written for vipbench) lists landmarks, districts, campuses,
parks and airports with the city they lie in, and natural sites with their ISO 3166-2 region.
The gazetteer reads "Eiffel Tower" as a place in Paris and "Mount Fuji" as a place in Shizuoka;
the place judge then compares points and extents (see :mod:`vipbench.scoring.places`).

Columns: name, aliases (";"-separated), kind (landmark, district, campus, park, airport, natural),
city (as the gazetteer names it; empty for natural sites), region (ISO 3166-2, optional), country
(ISO alpha-2), lat, lon.
"""

from __future__ import annotations

import csv
import functools
import io
from collections import defaultdict
from dataclasses import dataclass

from vipbench.core.io import package_text
from vipbench.places.scripts import has_non_latin, normalize, script_key

__all__ = ["Landmark", "find_landmarks", "landmarks", "site_radius_km"]

#: How far a site reaches around its point, by kind (km): a district covers a few km, a building less.
_RADIUS_KM = {"district": 2.0, "park": 1.5, "campus": 1.0, "airport": 2.5, "landmark": 0.5, "natural": 5.0}


@dataclass(frozen=True)
class Landmark:
    name: str
    kind: str
    city: str | None
    region: str | None
    country: str
    lat: float
    lon: float


def site_radius_km(kind: str | None) -> float:
    return _RADIUS_KM.get(kind or "", 1.0)


@functools.cache
def landmarks() -> tuple[tuple[Landmark, tuple[str, ...]], ...]:
    """Every row as (landmark, its names)."""
    text = package_text("data/landmarks.csv")
    rows: list[tuple[Landmark, tuple[str, ...]]] = []
    for row in csv.DictReader(io.StringIO(text)):
        site = Landmark(
            name=row["name"].strip(),
            kind=row["kind"].strip(),
            city=row["city"].strip() or None,
            region=row["region"].strip() or None,
            country=row["country"].strip(),
            lat=float(row["lat"]),
            lon=float(row["lon"]),
        )
        names = (site.name, *(a.strip() for a in row["aliases"].split(";") if a.strip()))
        rows.append((site, names))
    return tuple(rows)


def _key(text: str) -> str:
    return script_key(text) if has_non_latin(text) else normalize(text)


@functools.cache
def _index() -> dict[str, tuple[Landmark, ...]]:
    index: dict[str, list[Landmark]] = defaultdict(list)
    for site, names in landmarks():
        for name in names:
            key = _key(name)
            if key and site not in index[key]:
                index[key].append(site)
            if key.startswith("the "):
                index[key[4:]].append(site)
    return {k: tuple(v) for k, v in index.items()}


def find_landmarks(text: str) -> tuple[Landmark, ...]:
    """The table's sites named exactly by ``text`` (after normalisation)."""
    return _index().get(_key(text), ())
