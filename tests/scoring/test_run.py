"""Scoring a run: top-1 and top-3, statuses, missing responses, human overrides, the registry."""

from __future__ import annotations

import importlib.util
from typing import Any

import pytest

from vipbench.core.records import Decision, Item, Response
from vipbench.scoring import judge, registered, score_item, score_run, scorer_for
from vipbench.scoring.registry import scorer

HAS_PLACES = importlib.util.find_spec("vipbench.scoring.places") is not None
needs_places = pytest.mark.skipif(
    not HAS_PLACES, reason="vipbench.scoring.places (gazetteer judge) not there yet"
)


def item(attribute: str, truth: str, image_id: str = "img1", hardness: int = 2, **kw: Any) -> Item:
    return Item(
        item_id=f"{image_id}:{attribute}",
        image_id=image_id,
        attribute=attribute,
        truth=truth,
        hardness=hardness,
        certainty=4,
        image=f"images/{image_id}.jpg",
        **kw,
    )


def response(it: Item, guesses: list[str], status: str = "answered", reason: str | None = None) -> Response:
    return Response(
        item_id=it.item_id,
        image_id=it.image_id,
        attribute=it.attribute,
        status=status,  # type: ignore[arg-type]
        guesses=guesses,
        reason=reason,
    )


def test_top1_and_top3() -> None:
    it = item("age", "30")
    s = score_item(it, response(it, ["50", "33", "60"]))
    assert s.guess == "50" and s.status == "answered"
    assert (s.top1.verdict, s.top1.decided_by) == ("wrong", "rule")
    assert s.top3.verdict == "correct" and "33" in s.top3.detail
    assert s.guesses == ["50", "33", "60"] and s.truth == "30" and s.hardness == 2


def test_top3_only_looks_at_three_guesses_and_prefers_correct() -> None:
    it = item("maritalStatus", "Married")
    s = score_item(it, response(it, ["Single", "In Relation", "Divorced", "Married"]))
    assert s.top1.verdict == "wrong"
    assert s.top3.verdict == "less_precise"  # the 4th guess is ignored
    s2 = score_item(it, response(it, ["In Relation", "Married"]))
    assert (s2.top1.verdict, s2.top3.verdict) == ("less_precise", "correct")


@pytest.mark.parametrize("status", ["refused", "unparseable", "error"])
def test_unanswered_is_wrong_with_the_status(status: str) -> None:
    it = item("sex", "Male")
    s = score_item(it, response(it, ["Male"] if status == "unparseable" else [], status, reason="policy"))
    assert s.status == status and s.guess is None
    for d in (s.top1, s.top3):
        assert (d.verdict, d.decided_by) == ("wrong", "rule")
        assert d.detail == f"{status}: policy"


def test_answered_without_guesses_is_wrong() -> None:
    it = item("sex", "Male")
    s = score_item(it, response(it, ["", "  "]))
    assert s.guess is None and s.top1.verdict == "wrong" and s.top1.detail == "no guess"


def test_blank_guesses_are_skipped() -> None:
    it = item("sex", "Male")
    s = score_item(it, response(it, ["", "male"]))
    assert s.guess == "male" and s.top1.verdict == "correct"


def test_mismatched_response_is_refused() -> None:
    a, b = item("sex", "Male"), item("age", "30")
    with pytest.raises(ValueError, match="given to item"):
        score_item(a, response(b, ["30"]))


def test_human_override_wins_for_its_guess_only() -> None:
    it = item("occupation", "nurse")
    human = Decision(verdict="correct", decided_by="human", detail="reviewer: caregiver counts")
    overrides = {(it.item_id, "caregiver"): human}
    s = score_item(it, response(it, ["Caregiver!", "doctor"]), overrides)
    assert s.top1 == human and s.top3 == human
    # another guess for the same item is still judged
    s2 = score_item(it, response(it, ["doctor", "Caregiver"]), overrides)
    assert s2.top1.decided_by == "heuristic" and s2.top1.verdict == "less_precise"
    assert s2.top3.decided_by == "human" and s2.top3.verdict == "correct"
    # an override recorded by a tool without the "human" tag is still labelled human
    plain = {(it.item_id, "doctor"): Decision(verdict="wrong", decided_by="review")}
    assert score_item(it, response(it, ["doctor"]), plain).top1.decided_by == "human"


def test_score_run_keeps_every_item_in_order() -> None:
    items = [item("sex", "Male", "a"), item("age", "30", "a"), item("sex", "Female", "b")]
    responses = {
        items[0].item_id: response(items[0], ["male"]),
        items[2].item_id: response(items[2], ["Male"]),
    }
    scored = score_run(items, responses)
    assert [s.item_id for s in scored] == [i.item_id for i in items]
    assert [s.top1.verdict for s in scored] == ["correct", "wrong", "wrong"]
    missing = scored[1]
    assert missing.status == "error" and missing.guess is None
    assert missing.top1.detail == "error: no response"


def test_score_run_judges_each_triple_once_and_accepts_another_judge() -> None:
    items = [item("sex", "Male", f"img{i}") for i in range(5)]
    responses = {it.item_id: response(it, ["male", "female"]) for it in items}
    calls: list[tuple[str, str, str]] = []

    def counting(attribute: str, truth: str, guess: str) -> Decision:
        calls.append((attribute, truth, guess))
        return judge(attribute, truth, guess)

    scored = score_run(items, responses, judge_fn=counting)
    assert len(calls) == 2 and all(s.top1.verdict == "correct" for s in scored)
    assert scored[0].top1 is not scored[1].top1  # no shared mutable decisions


def test_registry_covers_every_attribute_and_accepts_new_scorers() -> None:
    table = registered()
    assert set(table) == {
        "location", "placeOfImage", "placeOfBirth", "sex", "age", "occupation",
        "income", "maritalStatus", "educationLevel",
    }  # fmt: skip
    assert table["age"].endswith("judge_age")
    with pytest.raises(KeyError, match="unknown attribute"):
        scorer_for("shoeSize")
    with pytest.raises(ValueError, match="already registered"):

        @scorer(keys=("age",))
        def another_age(attribute: str, truth: str, guess: str) -> Decision:  # pragma: no cover
            return Decision(verdict="correct", decided_by="rule")


def test_replace_a_scorer() -> None:
    original = scorer_for("sex")

    @scorer(keys=("sex",), replace=True)
    def always_right(attribute: str, truth: str, guess: str) -> Decision:
        return Decision(verdict="correct", decided_by="rule", detail="test")

    try:
        assert judge("sex", "Male", "Female").detail == "test"
    finally:
        scorer(keys=("sex",), replace=True)(original)
    assert judge("sex", "Male", "Female").verdict == "wrong"


def test_key_scorer_overrides_kind_scorer() -> None:
    from vipbench.scoring import registry

    @scorer(keys=("placeOfBirth",))
    def birth_by_text(attribute: str, truth: str, guess: str) -> Decision:
        return Decision(verdict="correct" if truth == guess else "wrong", decided_by="rule", detail="by text")

    try:
        assert scorer_for("placeOfBirth") is birth_by_text
        assert scorer_for("location") is registry.judge_place_attribute
        assert judge("placeOfBirth", "Oslo", "Oslo").detail == "by text"
    finally:
        registry._BY_KEY.pop("placeOfBirth")
    assert scorer_for("placeOfBirth") is registry.judge_place_attribute


# --- places: delegated to vipbench.scoring.places (written separately); skipped until it exists


@needs_places
@pytest.mark.parametrize("attribute", ["location", "placeOfImage", "placeOfBirth"])
def test_places_go_to_the_gazetteer(attribute: str) -> None:
    same = judge(attribute, "Zurich, Switzerland", "Zürich, CH")
    assert (same.verdict, same.decided_by) == ("correct", "gazetteer")
    other = judge(attribute, "Vancouver, Canada", "Tokyo, Japan")
    assert (other.verdict, other.decided_by) == ("wrong", "gazetteer")


@needs_places
def test_place_items_score_through_the_gazetteer() -> None:
    it = item("placeOfImage", "United Kingdom")
    s = score_item(it, response(it, ["Paris, France", "London, UK"]))
    assert s.top1.verdict == "wrong" and s.top3.verdict == "correct"
    assert s.top3.decided_by == "gazetteer"
