"""Hand-written place names that the data lacks: nicknames and English exonyms of countries, cities
and regions, state abbreviations, anchor cities of regions, short native country names, and the
words that say what kind of place a name is, or that a name is no place at all.

The tables live in ``vipbench/data/place_aliases.yaml`` (each described there), read once.
"""

from __future__ import annotations

import functools
from typing import Any

from vipbench.core.io import package_yaml


@functools.cache
def place_aliases() -> dict[str, Any]:
    """The tables of ``data/place_aliases.yaml``, as loaded (read once)."""
    return package_yaml("data/place_aliases.yaml")


_TABLES = place_aliases()

# Words that only say what kind of region a name is ("Jiangsu Sheng", "Masovian Voivodeship").
_GENERIC: frozenset[str] = frozenset(_TABLES["generic"])
# Words that make a name vaguer without changing the place ("Northern California", "near Lyon").
_DIRECTIONS: frozenset[str] = frozenset(_TABLES["directions"])

# hand-written aliases (nicknames and English exonyms that the data lacks)
_COUNTRY_ALIASES: dict[str, str] = dict(_TABLES["country_aliases"])
# nickname -> (city name as in geonames, country)
_CITY_ALIASES: dict[str, tuple[str, str]] = {key: (name, cc) for key, (name, cc) in _TABLES["city_aliases"].items()}
# nickname or exonym -> ISO 3166-2 code
_REGION_ALIASES: dict[str, str] = dict(_TABLES["region_aliases"])
# newspaper (AP style) abbreviations of US states and common ones of Canadian provinces ("Chicago, Ill.")
_STATE_ABBREVIATIONS: dict[str, str] = dict(_TABLES["state_abbreviations"])
# A big city inside each region (ISO suffix:city), for countries whose GeoNames admin1 codes are not
# ISO codes and whose regions are not named after a city. Used only to learn which GeoNames admin1
# group is which region; see vipbench.places.index._map_admin1.
_ANCHORS: dict[str, str] = dict(_TABLES["anchors"])

# short native names that the ISO translations lack (they give "Российская Федерация", "Соединённые штаты")
_NATIVE_COUNTRIES: dict[str, str] = dict(_TABLES["native_countries"])
# languages written in a non-Latin script, whose country names are looked up (ISO 3166-1 translations)
_SCRIPT_LANGUAGES: tuple[str, ...] = tuple(_TABLES["script_languages"])
# Latin-script languages that models often answer in, whose country names are looked up ("Allemagne")
_ANSWER_LANGUAGES: tuple[str, ...] = tuple(_TABLES["answer_languages"])
# languages whose region names are looked up in their own script (ISO 3166-2 translations)
_REGION_LANGUAGES: tuple[str, ...] = tuple(_TABLES["region_languages"])

# named areas across borders: normalised name -> (display name, country -> its ISO regions in the area, or empty
# when the whole country lies in it)
_AREAS: dict[str, tuple[str, dict[str, frozenset[str]]]] = {
    key: (name, {cc: frozenset(codes) for cc, codes in spec["parts"].items()})
    for name, spec in _TABLES["areas_across_borders"].items()
    for key in spec["names"]
}

# region -> the regions it once held and that were split off it ("IN-AP" -> ["IN-TS"])
_FORMER_EXTENTS: dict[str, frozenset[str]] = {k: frozenset(v) for k, v in _TABLES["former_extents"].items()}

# ISO 3166-2 subdivisions that ISO 3166-1 also lists as countries ("CN-HK" -> "HK")
_TERRITORY_REGIONS: dict[str, str] = dict(_TABLES["territory_regions"])

# Answers that name no place; some would otherwise match a code or a fuzzy name.
_NO_PLACE: frozenset[str] = frozenset(_TABLES["no_place"])
