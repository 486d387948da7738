"""The `ocr` adversary: OCR once per image, then keyword and gazetteer rules make the guesses."""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

import vipbench.models.adversaries.ocr as ocr_mod  # registers the "ocr" kind
from tests.models.adversaries.test_exif import item
from vipbench.core.records import Response
from vipbench.models.adversaries.ocr import (
    EDUCATION,
    MARITAL,
    NO_CUE,
    OCCUPATION,
    OCRSpec,
    guess_age,
    guess_income,
    guess_places,
    guess_sex,
    match_table,
)
from vipbench.models.kinds import create_adapter, spec_class
from vipbench.models.registry import RunContext

# ------------------------------------------------------------------ rules (no OCR needed)


def fake_resolver(places: dict[str, tuple[str, str, str | None, str | None, str, int]]) -> Any:
    """resolve_place over a fixed table: key -> (level, country, admin1, city, code, population)."""

    def resolve(text: str) -> Any:
        row = places.get(text.lower())
        if row is None:
            return None
        level, country, admin1, city, code, pop = row
        return SimpleNamespace(
            level=level, country=country, admin1=admin1, city=city, country_code=code, population=pop
        )

    return resolve


_TOY_ROWS: dict[str, tuple[str, str, str | None, str | None, str, int]] = {
    "paris": ("city", "France", "Île-de-France", "Paris", "FR", 2_100_000),
    "rivoli": ("city", "Italy", "Piedmont", "Rivoli", "IT", 48_000),
    "france": ("country", "France", None, None, "FR", 0),
    "springfield": ("city", "United States", "Illinois", "Springfield", "US", 114_000),
    "welcome": ("city", "United States", "South Carolina", "Welcome", "US", 6_668),
    "new york city": ("city", "United States", "New York", "New York City", "US", 8_800_000),
    "york": ("city", "United Kingdom", "England", "York", "GB", 150_000),
}
TOY_PLACES = fake_resolver(_TOY_ROWS)


def test_places_skip_street_names_and_prefer_longer_names() -> None:
    guesses, cues = guess_places(["Rue de Rivoli 75001 Paris"], TOY_PLACES)
    assert guesses == ["Paris, Île-de-France, France"]  # "Rivoli" follows "Rue de": a street
    guesses, _ = guess_places(["Welcome to New York City"], TOY_PLACES)
    assert guesses == ["New York City, New York, United States"]  # not York, England; not Welcome, SC


def test_places_rank_cities_first_and_corroborated_ones_higher() -> None:
    guesses, cues = guess_places(["Rivoli", "Paris", "France"], TOY_PLACES)
    assert guesses[0] == "Paris, Île-de-France, France"
    # a mid-size town alone, with nothing naming its country, is no evidence: abstain on it
    assert guesses[1:] == ["France"]
    assert any("Rivoli" in c and "town named alone" in c for c in cues)
    with_italy = fake_resolver({**_TOY_ROWS, "italia": ("country", "Italy", None, None, "IT", 59_000_000)})
    guesses, _ = guess_places(["Rivoli", "Italia", "Paris", "France"], with_italy)
    assert "Rivoli, Piedmont, Italy" in guesses  # backed by its country


def test_people_birthplaces_and_plates() -> None:
    resolve = fake_resolver(
        {
            "keller": ("city", "United States", "Texas", "Keller", "US", 45_000),
            "munich": ("city", "Germany", "Bavaria", "Munich", "DE", 1_500_000),
            "london": ("city", "United Kingdom", "England", "London", "GB", 8_900_000),
            "osaka": ("city", "Japan", "Osaka", "Osaka", "JP", 2_700_000),
            "switzerland": ("country", "Switzerland", None, None, "CH", 0),
        }
    )
    # A surname after a given name is a person, not Keller, Texas.
    assert guess_places(["Employee: Lea Keller", "80331 Munich"], resolve)[0] == ["Munich, Bavaria, Germany"]
    lines = ["Place of birth: London", "Welcome to Osaka"]
    assert guess_places(lines, resolve)[0] == ["Osaka, Osaka, Japan"]
    assert guess_places(lines, resolve, birth=True)[0][0] == "London, England, United Kingdom"
    # The country sticker of a licence plate.
    assert guess_places(["ZH 48924", "CH"], resolve)[0] == ["Switzerland"]


def test_a_small_town_named_by_one_common_word_needs_backing() -> None:
    assert guess_places(["Welcome"], TOY_PLACES)[0] == []
    assert guess_places(["nothing here"], TOY_PLACES) == ([], [])


@pytest.mark.parametrize(
    ("text", "table", "first"),
    [
        ("UNIVERSITY OF EDINBURGH\nDoctor of Philosophy", EDUCATION, "PhD"),
        ("Bachelor of Science in Biology", EDUCATION, "College Degree"),
        ("High School Diploma", EDUCATION, "HS Diploma"),
        ("Freshman orientation week - campus map", EDUCATION, "In College"),
        ("JUST MARRIED", MARITAL, "Married"),
        ("Mr & Mrs Smith", MARITAL, "Married"),
        ("Happy anniversary to my girlfriend", MARITAL, "In Relation"),
        ("Papers from the divorce lawyer about my ex-wife", MARITAL, "Divorced"),
        ("Senior Software Engineer", OCCUPATION, "software engineer"),
        ("Registered Nurse - Ward 4", OCCUPATION, "nurse"),
        ("Anytown Fire Department", OCCUPATION, "firefighter"),
        # OCR reads "i" as "l", and splits phrases over lines
        ("Just marrled", MARITAL, "Married"),
        ("Happy 1st annlversary,\nmy love!", MARITAL, "In Relation"),
        ("Doctor of Phllosophy", EDUCATION, "PhD"),
        ("University of Zurich\nSTUDENTID\nBSc History - Year 3", EDUCATION, "In College"),
        ("World History\nGrade 11\nProperty of Sarah W.", OCCUPATION, "school student"),
    ],
)
def test_keyword_tables(text: str, table: list[Any], first: str) -> None:
    guesses, cues = match_table(text, table)
    assert guesses[0] == first
    assert cues and len(guesses) <= 3


def test_sex_from_titles_but_not_from_a_couple() -> None:
    assert guess_sex("Mrs. Jane Smith")[0] == ["Female"]
    assert guess_sex("Dr Who and Mr. John Doe")[0] == ["Male"]
    assert guess_sex("Mr & Mrs Smith")[0] == []
    assert guess_sex("World's Best\nMum")[0] == ["Female"]
    assert guess_sex("HELLO\nmy name is\nThomas")[0] == ["Male"]
    assert guess_sex("Employee: Katrin Brunner")[0] == ["Female"]


@pytest.mark.parametrize(
    ("lines", "first"),
    [
        (["Monthly salary", "EUR 2,000 / month"], "Low (<30k USD)"),
        (["Payslip", "Gross pay $4,500 per month"], "Medium (30-60k USD)"),
        (["OFFER LETTER", "Base salary: $120k"], "High (60-150k USD)"),
        (["SALARY 250,000 USD"], "Very High (>150k USD)"),
        (["Villa for sale", "$2,400,000"], "Very High (>150k USD)"),
        (["FINAL NOTICE: past due"], "Low (<30k USD)"),
        # a payslip header lines away from the amount; monthly and yearly figures agree
        (["PAYSLIP - May 2024", "Employee: Jessica Smith", "Gross monthly: GBP 8,270"], "High (60-150k USD)"),
        (["Gross monthly: JPY 295,000", "Gross annual: JPY 3,535,000"], "Low (<30k USD)"),
        (["Monthly pension: EUR 1,010"], "Low (<30k USD)"),
        (["Swiss chronograph watch", "EUR 15,240"], "Very High (>150k USD)"),
        (["Designer leather bag", "EUR3,020"], "High (60-150k USD)"),
        (["Full-time student, no salary", "Grant: EUR 320 / mo"], "No income"),
    ],
)
def test_income_cues(lines: list[str], first: str) -> None:
    assert guess_income(lines)[0][0] == first


def test_income_needs_money_not_just_numbers() -> None:
    assert guess_income(["Route 66", "Exit 12"])[0] == []


@pytest.mark.parametrize(
    ("text", "first"),
    [
        ("Happy 40th Birthday!", "40"),
        ("Look who is turning 30", "30"),
        ("Class of 2010", "33"),  # 2025 - 2010 + 18
        ("Birthday cake candles: 7", "7"),
        ("Happy 2 1st Birthday!", "21"),  # OCR split the digits
        ("Date of birth: 02.05.1990", "35"),
    ],
)
def test_age_cues(text: str, first: str) -> None:
    assert guess_age(text, reference_year=2025)[0][0] == first


def test_no_age_cue_without_numbers() -> None:
    assert guess_age("Happy birthday!", 2025)[0] == []


# ------------------------------------------------------------------ the adapter with real OCR


def run(data_dir: Path, items: list[Any], **spec: Any) -> dict[str, Response]:
    ctx = RunContext(run_name="ocr", data_dir=data_dir, cache_path=data_dir / "cache.sqlite")
    adapter = create_adapter(OCRSpec(**spec), ctx)
    try:
        return {r.item_id: r for r in adapter.infer(items)}
    finally:
        adapter.close()


def test_kind_is_registered_and_ignores_prompts() -> None:
    assert spec_class("ocr") is OCRSpec
    assert OCRSpec().uses_prompt() is False
    assert ocr_mod.OCRAdapter is not None


@pytest.fixture(scope="module")
def drawn(tmp_path_factory: pytest.TempPathFactory) -> Path:
    importlib.import_module("rapidocr")
    from tests.imaging.test_ocr import draw_text_image

    root = tmp_path_factory.mktemp("ocr_adversary")
    draw_text_image(
        root / "images" / "diploma.png",
        ["University of Edinburgh", "Doctor of Philosophy", "Mrs. Jane Smith"],
        size=(1000, 600),
        font_size=52,
        background=(250, 246, 232),
        panel=None,
        ink=(20, 20, 20),
    )
    draw_text_image(root / "images" / "sign.jpg", ["Rue de Rivoli 75001 Paris"])
    draw_text_image(root / "images" / "blank.jpg", [], panel=None)
    return root


def test_diploma_gives_phd_and_sex_from_one_reading(drawn: Path) -> None:
    items = [
        item("educationLevel", "images/diploma.png", "d"),
        item("sex", "images/diploma.png", "d"),
        item("maritalStatus", "images/diploma.png", "d"),
    ]
    got = run(drawn, items)
    edu = got["d:educationLevel"]
    assert edu.status == "answered" and edu.guesses[0] == "PhD"
    assert "Doctor of Philosophy" in edu.inference
    assert json.loads(edu.raw)["ocr"], "raw keeps the OCR lines with boxes"
    assert got["d:sex"].guesses == ["Female"] and got["d:sex"].cached
    mar = got["d:maritalStatus"]
    assert mar.status == "abstained" and mar.reason == NO_CUE and mar.guesses == []


def test_street_sign_gives_a_place_in_the_right_country(drawn: Path) -> None:
    gazetteer = importlib.import_module("vipbench.places.gazetteer")
    got = run(drawn, [item("placeOfImage", "images/sign.jpg", "s"), item("location", "images/sign.jpg", "s")])
    poi = got["s:placeOfImage"]
    assert poi.status == "answered", poi.raw
    assert poi.guesses[0].endswith("France")
    place = gazetteer.resolve_place(poi.guesses[0])
    assert place is not None and place.country_code == "FR"
    assert got["s:location"].guesses == poi.guesses


def test_no_text_is_no_cue_and_a_bad_file_is_an_error(drawn: Path) -> None:
    (drawn / "images" / "bad.jpg").write_bytes(b"nope")
    got = run(drawn, [item("occupation", "images/blank.jpg", "b"), item("occupation", "images/bad.jpg", "x")])
    assert got["b:occupation"].status == "abstained" and got["b:occupation"].reason == NO_CUE
    assert got["x:occupation"].status == "error"


def test_blur_text_takes_the_cue_away(drawn: Path) -> None:
    importlib.import_module("vipbench.places.gazetteer")
    from vipbench.defenses import apply_defense

    defended = apply_defense("blur_text", None, drawn / "images" / "sign.jpg", drawn / "defended")
    got = run(drawn, [item("placeOfImage", str(defended.relative_to(drawn)), "s")])
    assert got["s:placeOfImage"].status == "abstained"


@pytest.mark.parametrize(
    ("lines", "why"),
    [
        (["NO TURN"], "a road sign: TUR is Turkey's code, not a name"),
        (["NO TUR"], "the same sign, half read"),
        (["OPEN 7:00 P.M."], "a time: PM is Saint Pierre and Miquelon's code"),
        (["CA 90210"], "a two-letter code"),
        (["MYFLORIDA.COM", "SUNSHINE STATE"], "a slogan: Sunshine, Victoria is a suburb"),
        (["Main Beach Park"], "a park's name: Main Beach, Queensland"),
        (["PARUNG"], "a lone mid-size town (Parung, West Java) with no backing"),
        (["Hotel Bern"], "a hotel's name"),
        (["TOYOTA"], "a brand"),
    ],
)
def test_no_place_guess_without_evidence(lines: list[str], why: str) -> None:
    """Prefer abstaining: codes, times, signs, slogans, brands and names inside longer names are
    no evidence of a place (with the real gazetteer)."""
    from vipbench.places.gazetteer import resolve_place

    guesses, _ = guess_places(lines, resolve_place)
    assert guesses == [], why


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (["Welcome to Zurich"], "Zürich, Zürich, Switzerland"),
        (["SPRINGFIELD ILLINOIS"], "Springfield, Illinois, United States"),
        (["8001 Zürich"], "Zürich, Zürich, Switzerland"),
        (["Zurich, Switzerland"], "Zürich, Zürich, Switzerland"),
        (["LONDON"], "London, England, United Kingdom"),
        (["MADE IN USA"], "United States"),
    ],
)
def test_place_guess_with_evidence(lines: list[str], expected: str) -> None:
    from vipbench.places.gazetteer import resolve_place

    guesses, _ = guess_places(lines, resolve_place)
    assert guesses[:1] == [expected]
