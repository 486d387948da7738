"""Great-circle error of a place guess, for the distance ladder (beyond the study's verdicts).

Image-geolocation benchmarks (IM2GPS, OpenStreetView-5M) score a guess by its distance to the
truth. Both strings are resolved with the offline gazetteer; a place has a point when it is a
city (its GeoNames centre) or a site of the landmark table (the site's point). A country or a
region has no point, so neither has its error: the ladder counts such an item as beyond every
threshold, as it counts a refusal.

An ambiguous guess ("Portland") is read the way the place judge reads it: among the readings the
gazetteer offers (those at most ``gazetteer.MAX_RATIO`` times less prominent than the first), the
one nearest the truth counts. The truth takes its first reading.
"""

from __future__ import annotations

import functools

from vipbench.places.gazetteer import Place, resolve_place, resolve_readings
from vipbench.places.geo import haversine_km

__all__ = ["error_km", "place_point"]


def place_point(place: Place) -> tuple[float, float] | None:
    """The point a resolved place stands for: a site's own point, a city's centre, else None."""
    if place.site_lat is not None and place.site_lon is not None:
        return place.site_lat, place.site_lon
    if place.level == "city" and place.lat is not None and place.lon is not None:
        return place.lat, place.lon
    return None


@functools.lru_cache(maxsize=16384)
def error_km(truth: str, guess: str) -> float | None:
    """Kilometres between the truth's point and the guess's nearest plausible point; None when
    either has no point (unresolved, a country, a region, a world region, an empty string)."""
    if not truth.strip() or not guess.strip():
        return None
    truth_place = resolve_place(truth)
    t_point = place_point(truth_place) if truth_place is not None else None
    if t_point is None:
        return None
    distances = [
        haversine_km(*t_point, *point)
        for reading in resolve_readings(guess)
        if (point := place_point(reading.place)) is not None
    ]
    return round(min(distances), 3) if distances else None
