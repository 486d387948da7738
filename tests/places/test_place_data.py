"""The place judge's own data: landmark table, world regions, scripts, and city extents."""

from __future__ import annotations

import pytest

from vipbench.places.gazetteer import resolve_place, resolve_readings
from vipbench.places.geo import core_radius_km, haversine_km, outer_radius_km
from vipbench.places.landmarks import find_landmarks, landmarks
from vipbench.places.scripts import has_non_latin, normalize, romanize, script_key, split_cjk, without_suffix
from vipbench.places.worldregions import world_region


def test_landmark_table_is_consistent_with_the_gazetteer() -> None:
    rows = landmarks()
    assert len(rows) >= 300
    for site, names in rows:
        place = resolve_place(site.name)
        assert place is not None and place.country_code == site.country, site.name
        if place.site is None and place.within is None:  # GeoNames knows the place itself (Ubud, Tulum)
            point = (place.lat, place.lon) if place.lat is not None else None
            assert point is None or haversine_km(site.lat, site.lon, *point) <= 25, site.name
        elif site.city:
            assert place.level == "city" and place.lat is not None and place.lon is not None, site.name
            # a site lies near the centre of the city the table puts it in
            assert haversine_km(site.lat, site.lon, place.lat, place.lon) <= 70, site.name
        elif site.region:
            assert place.admin1_code == site.region, site.name
        assert all(find_landmarks(n) for n in names)


def test_a_landmark_resolves_to_its_city_with_the_site() -> None:
    place = resolve_place("Eiffel Tower")
    assert place is not None
    assert (place.country_code, place.city, place.site, place.site_kind) == ("FR", "Paris", "Eiffel Tower", "landmark")
    assert place.short() == "FR/Île-de-France/Paris>Eiffel Tower"
    fuji = resolve_place("Mount Fuji")
    assert fuji is not None and (fuji.level, fuji.admin1_code, fuji.site) == ("region", "JP-22", "Mount Fuji")


def test_districts_known_to_geonames_learn_their_city() -> None:
    brooklyn, nyc = resolve_place("Brooklyn"), resolve_place("New York City")
    assert brooklyn is not None and nyc is not None
    assert brooklyn.city == "Brooklyn" and brooklyn.within == nyc.geonameid


@pytest.mark.parametrize(
    ("text", "key"),
    [("Asia", "asia"), ("the Middle East", "middle_east"), ("Scandinavia", "scandinavia"), ("the Balkans", "balkans"),
     ("Africa", "africa"), ("Southeast Asia", "southeast_asia"), ("somewhere in Europe", "europe"),
     ("Europa", "europe"), ("アジア", "asia"), ("Latin America", "latin_america")],
)  # fmt: skip
def test_world_regions(text: str, key: str) -> None:
    region = world_region(text)
    assert region is not None and region.key == key
    assert resolve_place(text) is None  # never a town called Asia or Middle East


def test_world_region_members_and_non_regions() -> None:
    asia = world_region("Asia")
    assert asia is not None and {"JP", "CN", "IN"} <= asia.members and "FR" not in asia.members
    for text in ("Georgia", "Paris", "America", "Jersey", "United States"):
        assert world_region(text) is None, text
    paris = resolve_place("Paris, Europe")  # a world region only narrows the other parts
    assert paris is not None and paris.country_code == "FR"


def test_scripts() -> None:
    assert has_non_latin("Кёльн") and has_non_latin("大阪市") and not has_non_latin("Zürich, Łódź")
    assert script_key("Кёльн") == script_key("кельн") and script_key("Αθήνα") == script_key("ΑΘΗΝΑ")
    assert split_cjk("東京都渋谷区") == ["渋谷区", "東京都"]
    assert split_cjk("大阪市") == ["大阪市"]
    assert "大阪" in without_suffix("大阪市") and "서울" in without_suffix("서울특별시")
    assert romanize("Москва") == "Moskva"
    assert normalize("Côte d'Ivoire") == "cote divoire"


@pytest.mark.parametrize(
    ("text", "city"),
    [("Кёльн", "Köln"), ("大阪市", "Osaka"), ("Αθήνα", "Athens"), ("東京都渋谷区", "Shibuya"), ("서울", "Seoul"),
     ("Київ", "Kyiv"), ("日本東京都渋谷区", "Shibuya")],
)  # fmt: skip
def test_non_latin_names_resolve(text: str, city: str) -> None:
    place = resolve_place(text)
    assert place is not None and place.city == city and place.match == "script"


def test_state_codes_and_ambiguous_names_have_readings() -> None:
    co = [r.place for r in resolve_readings("CO")]
    assert {(p.country_code, p.level) for p in co} >= {("CO", "country"), ("US", "region")}
    denver = resolve_place("Denver, CO")
    assert denver is not None and (denver.country_code, denver.admin1_code) == ("US", "US-CO")
    chicago = resolve_place("Chicago, Ill.")
    assert chicago is not None and chicago.admin1_code == "US-IL"
    portland = resolve_readings("Portland")
    assert portland[0].place.admin1_code == "US-OR"
    assert "US-ME" in {r.place.admin1_code for r in portland[1:]}
    assert all(r.place.country_code != "US" or r.place.city != "Paris" for r in resolve_readings("Paris"))


def test_misspellings_need_context_and_a_guard() -> None:
    place = resolve_place("Barcelonna, Spain")
    assert place is not None and place.city == "Barcelona" and place.match == "fuzzy" and place.match_sure
    assert resolve_place("Barcelonna") is None  # no country or region to search within
    assert resolve_place("Nowhereville, Australia").city == "Nowhereville"  # type: ignore[union-attr]


def test_city_extent_grows_with_population() -> None:
    assert core_radius_km(None) == 2.0 and outer_radius_km(None) == 5.0
    assert 17 < core_radius_km(8_800_000) < 20 < outer_radius_km(8_800_000)
    assert haversine_km(48.8566, 2.3522, 51.5074, -0.1278) == pytest.approx(344, abs=3)
