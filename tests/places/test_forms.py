"""The layouts and phrasings around a place answer (vipbench.places.forms)."""

from __future__ import annotations

import pytest

from vipbench.places.forms import capitalised_runs, clean_answer, loose_forms, plain_parts


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # labelled fields, the most specific first; confidence and reasoning left out
        ("**City:** Porto Alegre\n**Country:** Brazil\n**Confidence:** low", "Porto Alegre, Brazil"),
        ("Country: Peru; Region: Cusco; Reasoning: Andean dress", "Cusco, Peru"),
        ("State: Kerala | Country: India", "Kerala, India"),
        ("Country: Morocco", "Morocco"),  # one field at the start
        ("City: unknown, Country: Chile", "Chile"),  # a field that names nothing
        # lists and ranges: candidates joined by "or"
        ("Top 3:\n1. Krakow\n2. Wroclaw\n3. Gdansk", "Krakow or Wroclaw or Gdansk"),
        ("1) Cebu 2) Davao", "Cebu or Davao"),
        ("- Hue, Vietnam\n- Da Lat, Vietnam", "Hue, Vietnam or Da Lat, Vietnam"),
        ("1. Tanzania", "Tanzania"),  # a list of one
        ("somewhere between Split and Zadar", "Split or Zadar"),
        ("on the highway between Lusaka and Ndola, Zambia", "Lusaka or Ndola, Zambia"),
        # left as written
        ("Vienna, Austria", "Vienna, Austria"),
        ("Route 1. Then Reykjavik", "Route 1. Then Reykjavik"),
    ],
)
def test_clean_answer(text: str, expected: str) -> None:
    assert clean_answer(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("8001 Zürich", "Zürich"),  # postcodes
        ("Kraków 31-042, Poland", "Kraków, Poland"),
        ("Manchester M1 1AE, UK", "Manchester, UK"),
        ("Vancouver, BC V6B 1A1", "Vancouver, BC"),
        ("1012 AB Amsterdam", "Amsterdam"),
        # a street before its town
        ("10 Downing Street, London", "London"),
        ("Avenida 9 de Julio, Buenos Aires", "Buenos Aires"),
        ("Jalan Malioboro, Yogyakarta", "Yogyakarta"),
        ("Karl-Johans gate 1, Oslo", "Oslo"),
        ("Tverskaya Ulitsa, Moscow", "Moscow"),
        # a description after a name: the place it names
        ("Kumasi, the second city of Ghana", "Kumasi, Ghana"),
        ("Hoi An, a small town in Vietnam", "Hoi An, Vietnam"),
        ("Arequipa, Peru's second-largest city", "Arequipa, Peru"),
        # left as written: a street alone, a town named like a street word
        ("Orchard Road", "Orchard Road"),
        ("St. Gallen, Switzerland", "St. Gallen, Switzerland"),
    ],
)
def test_plain_parts(text: str, expected: str) -> None:
    assert plain_parts(text) == expected


@pytest.mark.parametrize(
    ("text", "form"),
    [
        ("Riga's old town", "Riga"),
        ("the medina of Tunis", "Tunis"),
        ("Sarajevo Old Town", "Sarajevo"),
        ("the historic centre of Porto, Portugal", "Porto, Portugal"),
        ("the north of Vietnam", "Vietnam"),
        ("the interior of Iceland", "Iceland"),
        ("a view of Mount Fuji", "Mount Fuji"),
        ("the Rift Valley in Kenya", "the Rift Valley, Kenya"),
        ("Bangkok's Chinatown", "Chinatown, Bangkok"),
        ("Bangkok's Chinatown", "Bangkok"),
        ("the capital of Ghana", "Accra, Ghana"),
        ("Senegal's capital", "Dakar, Senegal"),
    ],
)
def test_loose_forms(text: str, form: str) -> None:
    assert form in loose_forms(text)


def test_capitalised_runs() -> None:
    runs = capitalised_runs("The Cyrillic signs suggest Bulgaria; I would guess Plovdiv or Sofia, not the capital.")
    assert runs == [("The Cyrillic", "Cyrillic"), ("Bulgaria",), ("Plovdiv",), ("Sofia",)]
    # names with joining words stay whole; a name that starts like a sentence is tried whole first
    runs = capitalised_runs("Probably Rio de Janeiro, given the beaches.")
    assert runs == [("Probably Rio de Janeiro", "Rio de Janeiro")]
    assert capitalised_runs("It could be The Hague.")[-1] == ("The Hague", "Hague")
    # an article alone is no run, a capitalised abbreviation is
    assert capitalised_runs("La foto muestra Quito.") == [("Quito",)]
    assert capitalised_runs("I think LA.") == [("LA",)]
