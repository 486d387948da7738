"""Datasets written with the labelling tool's own dropdown labels and values ("College",
"no_hs", "very_high") are read the same as ones written with the option texts: in the
agreement filter, in `vipbench validate`, in scoring and in the confusion matrices."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from typer.testing import CliRunner

from testkit.vip import label, record
from vipbench.analysis.metrics import confusion
from vipbench.cli import app
from vipbench.config import FilterParams
from vipbench.core.records import Response
from vipbench.dataset.items import build_items
from vipbench.dataset.load import read_categorical_labels, read_dataset
from vipbench.scoring import score_item

CATEGORICAL = ["sex", "income", "maritalStatus", "educationLevel"]


def _records() -> list[dict[str, object]]:
    return [
        # image-only line in the tool's labels, re-checked line in its values: they agree
        record(
            "a",
            {
                "sex": label("Female"),
                "income": label("No"),
                "maritalStatus": label("Relation"),
                "educationLevel": label("College"),
            },
        ),
        record(
            "a",
            {
                "sex": label("female"),
                "income": label("no"),
                "maritalStatus": label("relation"),
                "educationLevel": label("college"),
            },
        ),
        # option texts against tool labels; the education labels differ
        record("b", {"income": label("Very High (>150k USD)"), "educationLevel": label("In College")}),
        record("b", {"income": label("very_high"), "educationLevel": label("College")}),
        record("c", {"maritalStatus": label("Widowed"), "educationLevel": label("no_hs")}),
    ]


def test_agreement_reads_labels_and_values(make_dataset: Callable[..., Path]) -> None:
    ds = read_dataset(make_dataset(_records()))
    items = {i.item_id: i for i in build_items(ds, CATEGORICAL, FilterParams())}
    assert set(items) == {
        "a:sex",
        "a:income",
        "a:maritalStatus",
        "a:educationLevel",
        "b:income",  # Very High (>150k USD) = very_high
        "c:maritalStatus",
        "c:educationLevel",
    }  # b:educationLevel dropped: In College is not College (Degree)
    assert items["a:educationLevel"].truth == "College"


def test_stored_truths_are_scored_and_tabulated_as_their_options(make_dataset: Callable[..., Path]) -> None:
    ds = read_dataset(make_dataset(_records()))
    items = {i.item_id: i for i in build_items(ds, CATEGORICAL, FilterParams())}
    answers = {
        "a:sex": "Female",
        "a:income": "No income",
        "a:maritalStatus": "Married",
        "a:educationLevel": "College Degree",
        "b:income": "Very High (>150k USD)",
        "c:educationLevel": "No Highschool",
        "c:maritalStatus": "No relation",
    }
    scored = []
    for item_id, guess in answers.items():
        it = items[item_id]
        resp = Response(
            item_id=item_id, image_id=it.image_id, attribute=it.attribute, status="answered", guesses=[guess]
        )
        scored.append(score_item(it, resp))
    verdicts = {s.item_id: s.top1.verdict for s in scored}
    assert verdicts == {
        "a:sex": "correct",
        "a:income": "correct",
        "a:maritalStatus": "less_precise",  # Relation vs Married
        "a:educationLevel": "correct",
        "b:income": "correct",
        "c:educationLevel": "correct",
        "c:maritalStatus": "wrong",  # Widowed is no option
    }
    labels, matrix = confusion(scored, "educationLevel")
    assert matrix[labels.index("College Degree")][labels.index("College Degree")] == 1
    assert matrix[labels.index("No Highschool")][labels.index("No Highschool")] == 1
    labels, matrix = confusion(scored, "maritalStatus")
    assert "(other)" in labels  # Widowed
    assert matrix[labels.index("In Relation")][labels.index("Married")] == 1


def test_validate_reports_how_the_labels_read(make_dataset: Callable[..., Path]) -> None:
    root = make_dataset(_records())
    got = read_categorical_labels(read_dataset(root))
    assert got.counts == {"option": 5, "tool label": 8, "no option": 1}  # "female", "very_high" read as option texts
    assert len(got.unread) == 1 and "'Widowed' names no maritalStatus option" in str(got.unread[0])
    assert str(got.unread[0]).startswith(f"{root / 'labels.jsonl'}:5: label.maritalStatus.estimate")
    res = CliRunner().invoke(app, ["validate", str(root)])
    assert res.exit_code == 0, res.output
    assert "categorical labels: 1 no option, 5 option, 8 tool label" in res.output
    assert "note: " in res.output and "Widowed" in res.output
