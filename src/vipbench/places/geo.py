"""Great-circle distances and the rough extent of a city, for judging whether a point lies inside it.

The gazetteer gives each city a point and a population, not a boundary. A city's extent is taken
as a disc whose area is the population at a typical urban density: its *core* radius uses a dense
8,000 inhabitants per km² (a point this close is inside the city by any reading) and the whole city
lies within a looser 2,500 per km². New York City (8.8 M) gets a core of ~19 km, Boston (650 k)
~5 km, a town of 20 k the 2 km floor.
"""

from __future__ import annotations

import math

__all__ = ["core_radius_km", "haversine_km", "outer_radius_km"]

EARTH_RADIUS_KM = 6371.0
_CORE_DENSITY = 8000.0
_OUTER_DENSITY = 2500.0


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def core_radius_km(population: int | None) -> float:
    """Radius within which a point is surely inside the city."""
    return max(2.0, math.sqrt(max(population or 0, 0) / (math.pi * _CORE_DENSITY)))


def outer_radius_km(population: int | None) -> float:
    """Radius beyond which a point is surely outside the city."""
    return max(5.0, math.sqrt(max(population or 0, 0) / (math.pi * _OUTER_DENSITY)))
