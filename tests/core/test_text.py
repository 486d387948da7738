"""The one text normaliser (vipbench.core.text) and the places that use it."""

from __future__ import annotations

import pytest

from vipbench.core.text import ascii_key, fold, normalize_text
from vipbench.inference.parsing import parse_answer
from vipbench.places.gazetteer import normalize as gazetteer_key
from vipbench.review.store import guess_key


@pytest.mark.parametrize(
    ("text", "folded", "normalized", "key"),
    [
        ("  Zürich, CH!", "  zurich, ch!", "zurich ch", "zurich ch"),
        ("Bachelor’s", "bachelors", "bachelors", "bachelors"),
        ("HS-Diploma", "hs-diploma", "hs diploma", "hs diploma"),
        ("Tromsø", "tromso", "tromso", "tromso"),
        ("Hawaiʻi", "hawaii", "hawaii", "hawaii"),
        ("Łódź", "lodz", "lodz", "lodz"),
        ("Washington, D.C.", "washington, d.c.", "washington d c", "washington dc"),
        ("Ph.D.", "ph.d.", "ph d", "phd"),
        ("no_hs", "no_hs", "no hs", "no hs"),
        ("Кёльн", "кельн", "кельн", ""),
        ("大阪市", "大阪市", "大阪市", ""),
    ],
)
def test_fold_normalize_and_ascii_key(text: str, folded: str, normalized: str, key: str) -> None:
    assert fold(text) == folded
    assert normalize_text(text) == normalized
    assert ascii_key(text) == key
    assert gazetteer_key(text) == key  # the gazetteer's key is built on the shared fold
    assert guess_key(text) == normalized  # human reviews are keyed by the canonical form


def test_guesses_in_other_scripts_are_kept_by_the_parser() -> None:
    got = parse_answer("Type: location\nInference: signs\nGuess: 大阪市; Кёльн; Αθήνα", "location")
    assert got.guesses == ["大阪市", "Кёльн", "Αθήνα"]
    assert parse_answer("Guess: 大阪市; 大阪市", "location").guesses == ["大阪市"]
