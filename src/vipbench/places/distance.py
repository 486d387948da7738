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

from vipbench.places.coordinates import text_point
from vipbench.places.gazetteer import Place, resolve_place, resolve_readings
from vipbench.places.geo import haversine_km

__all__ = ["Point", "error_km", "place_point", "point_error"]

Point = tuple[float, float]


def place_point(place: Place) -> tuple[float, float] | None:
    """The point a resolved place stands for: a site's own point, a city's centre, else None."""
    if place.site_lat is not None and place.site_lon is not None:
        return place.site_lat, place.site_lon
    if place.level == "city" and place.lat is not None and place.lon is not None:
        return place.lat, place.lon
    return None


@functools.lru_cache(maxsize=16384)
def _nearest_reading_km(origin: Point, guess: str) -> float | None:
    distances = [
        haversine_km(*origin, *point)
        for reading in resolve_readings(guess)
        if (point := place_point(reading.place)) is not None
    ]
    return round(min(distances), 3) if distances else None


def point_error(
    truth: str, guess: str, answer_point: Point | None = None, photo_point: Point | None = None
) -> tuple[float | None, str | None, str | None]:
    """(km, measured from, guess point from) for one place guess.

    The origin is where the photo was taken when the dataset knows it ("photo"), else the truth's
    resolved point ("truth"). The guess's point is the answer's own coordinates when it gives them,
    or when the guess is written as coordinates ("answer"), else the nearest plausible reading of
    the guess's text ("place")."""
    if photo_point is not None:
        origin, source = photo_point, "photo"
    else:
        truth_place = resolve_place(truth) if truth.strip() else None
        origin = place_point(truth_place) if truth_place is not None else None
        source = "truth"
    if origin is None:
        return None, None, None
    if answer_point is None:
        answer_point = text_point(guess)  # coordinates written as the guess itself ("48.8566° N, 2.3522° E")
    if answer_point is not None:
        return round(haversine_km(*origin, *answer_point), 3), source, "answer"
    if not guess.strip():
        return None, None, None
    km = _nearest_reading_km(origin, guess)
    return (km, source, "place") if km is not None else (None, None, None)


def error_km(truth: str, guess: str) -> float | None:
    """Kilometres between the truth's point and the guess's nearest plausible point; None when
    either has no point (unresolved, a country, a region, a world region, an empty string)."""
    return point_error(truth, guess)[0]
