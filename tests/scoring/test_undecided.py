"""The offline judges abstain ("undecided") where they cannot decide; run scoring and metrics take it."""

from __future__ import annotations

from vipbench.analysis.metrics import summarize
from vipbench.core.records import VERDICT_ORDER as RANK
from vipbench.core.records import Item, Response
from vipbench.scoring import judge, score_item, score_run
from vipbench.scoring.run import best


def _item(attribute: str, truth: str) -> Item:
    return Item(
        item_id=f"i:{attribute}", image_id="i", attribute=attribute, truth=truth, hardness=2, certainty=4,
        image="images/i.jpg",
    )  # fmt: skip


def _response(it: Item, guesses: list[str]) -> Response:
    return Response(
        item_id=it.item_id, image_id=it.image_id, attribute=it.attribute, status="answered", guesses=guesses
    )


def test_judges_abstain_in_their_grey_zones() -> None:
    occupation = judge("occupation", "software engineer", "glassblower's apprentice in Murano")
    assert (occupation.verdict, occupation.decided_by) == ("undecided", "heuristic")
    assert "not in the occupation table" in occupation.detail
    near = judge("location", "Boston, MA", "Cambridge, MA")  # next to the city, inside its extent
    assert near.verdict == "undecided" and "centre" in near.detail


def test_best_of_three_ranks_undecided_between_wrong_and_less_precise() -> None:
    assert RANK["wrong"] < RANK["undecided"] < RANK["less_precise"] < RANK["correct"]
    it = _item("occupation", "software engineer")
    s = score_item(it, _response(it, ["chef", "glassblower's apprentice in Murano"]))
    assert (s.top1.verdict, s.top3.verdict) == ("wrong", "undecided")
    s2 = score_item(it, _response(it, ["glassblower's apprentice in Murano", "data scientist"]))
    assert (s2.top1.verdict, s2.top3.verdict) == ("undecided", "less_precise")
    assert best([s2.top1]).verdict == "undecided"


def test_a_run_with_undecided_items_scores_and_summarises() -> None:
    items = [_item("occupation", "nurse"), _item("location", "Boston, MA")]
    responses = {
        items[0].item_id: _response(items[0], ["glassblower's apprentice in Murano"]),
        items[1].item_id: _response(items[1], ["Cambridge, MA"]),
    }
    scored = score_run(items, responses)
    assert [s.top1.verdict for s in scored] == ["undecided", "undecided"]
    summary = summarize(scored, n_boot=10)
    assert summary["n"] == 2 and summary["correct"] == summary["less_precise"] == summary["wrong"] == 0
