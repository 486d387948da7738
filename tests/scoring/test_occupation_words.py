"""The foreign-title and abbreviation table is checked against the occupation table it rewrites into."""

from __future__ import annotations

import pytest

from vipbench.scoring import isco, occupation_words


def _known() -> dict[str, frozenset[str]]:
    known = dict(isco.titles())
    for f in isco.fields().values():
        for name in f.names:
            known.setdefault(name, frozenset(f.codes))
    return known


def test_the_shipped_table_names_only_known_titles() -> None:
    occupation_words.check(_known())  # raises on a title the occupation table lacks
    assert isco.english("Krankenschwester") == "nurse"


def test_a_rewrite_into_an_unknown_title_is_refused() -> None:
    known = _known()
    del known["nurse"]
    with pytest.raises(ValueError, match="'nurse' is not a title"):
        occupation_words.check(known)
