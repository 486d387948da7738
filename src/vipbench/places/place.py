"""What the gazetteer returns: a resolved :class:`Place`, and one :class:`Reading` of a place string
with how much less prominent it is than the first."""

from __future__ import annotations

from typing import Literal, NamedTuple

from pydantic import BaseModel, ConfigDict

__all__ = ["Level", "Match", "Place", "Reading"]

Level = Literal["country", "region", "city"]
Match = Literal["exact", "script", "romanized", "fuzzy"]


class Place(BaseModel):
    """A resolved place. ``city`` may hold an unconfirmed raw name when ``level`` is not "city"."""

    model_config = ConfigDict(frozen=True)

    country_code: str
    country: str
    admin1: str | None = None
    admin1_code: str | None = None
    city: str | None = None
    level: Level
    lat: float | None = None
    lon: float | None = None
    population: int | None = None
    geonameid: int | None = None
    #: a landmark, district, campus, airport or natural site from the landmark table, at this point
    site: str | None = None
    #: the GeoNames id of the city that this place (a borough such as Brooklyn) lies in, per that table
    within: int | None = None
    site_kind: str | None = None
    site_lat: float | None = None
    site_lon: float | None = None
    #: the named area across borders this is the part of, in ``country_code`` ("Borneo"; see ``area_parts``)
    area: str | None = None
    #: how the most specific part was found: its own spelling, its own script, romanised, or fuzzily
    match: Match = "exact"
    match_score: float | None = None  # similarity 0-100 of a fuzzy match
    match_sure: bool = True  # False for a fuzzy match in the grey zone

    @property
    def city_confirmed(self) -> bool:
        return self.level == "city"

    def short(self) -> str:
        """Compact form for judge details: ``CC/admin1/city`` with ``-`` for unknown, ``?`` if unconfirmed,
        ``>site`` for a landmark or district, ``~`` for a fuzzy match."""
        city = self.city or "-"
        if self.city and not self.city_confirmed:
            city += "?"
        text = f"{self.country_code}/{self.admin1 or self.admin1_code or self.area or '-'}/{city}"
        if self.site:
            text += f">{self.site}"
        if self.match == "fuzzy":
            text += "~"
        return text


class Reading(NamedTuple):
    """One reading of a place string, with how much less prominent it is than the first reading
    (1.0 for the first; 5.0 for a place a fifth as populous). See :func:`resolve_readings`."""

    place: Place
    ratio: float
