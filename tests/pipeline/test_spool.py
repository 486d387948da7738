"""The infer stage's spool: responses written as they arrive, committed in item order, nothing
held in memory but a small record per item, the scratch file gone however the stage ends."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from testkit import items as make_items
from vipbench.core.io import write_jsonl
from vipbench.core.records import Item, Response
from vipbench.pipeline.accounting import MEASURED_FIELDS
from vipbench.pipeline.spool import NO_RESPONSE, ResponseSpool


def resp(it: Item, status: str = "answered", **kw: object) -> Response:
    return Response(
        item_id=it.item_id,
        image_id=it.image_id,
        attribute=it.attribute,
        status=status,  # type: ignore[arg-type]
        guesses=["30"] if status == "answered" else [],
        raw=f"answer to {it.item_id} " + "é" * 50,
        latency_s=0.5,
        cached=True,
        **kw,  # type: ignore[arg-type]
    )


def test_commit_writes_item_order_with_the_bytes_of_a_plain_write(tmp_path: Path) -> None:
    its = make_items(5, "age")
    rs = [resp(it) for it in its]
    out = tmp_path / "build" / "responses" / "r.jsonl"
    with ResponseSpool(out, MEASURED_FIELDS) as spool:
        for r in reversed(rs):  # completion order differs from item order
            spool.add(r)
        assert spool.commit(its) == 5
    expected = tmp_path / "plain.jsonl"
    write_jsonl(expected, [r.model_dump(mode="json", exclude=set(MEASURED_FIELDS)) for r in rs])
    assert out.read_bytes() == expected.read_bytes()
    assert not any(p.name.endswith(".spool") for p in out.parent.iterdir())


def test_missing_items_become_errors_and_a_later_response_replaces_an_earlier(tmp_path: Path) -> None:
    its = make_items(3, "age")
    out = tmp_path / "r.jsonl"
    with ResponseSpool(out) as spool:
        spool.add(resp(its[0], "error", reason="HTTP 503"))
        spool.add(resp(its[0]))  # the retry that worked
        spool.add(resp(its[2], "refused", reason="I can't help"))
        outcomes = spool.outcomes(its)
        spool.commit(its)
    assert [(o.status, o.reason) for o in outcomes] == [("answered", None), ("error", NO_RESPONSE), ("refused", None)]
    rows = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert [r["item_id"] for r in rows] == [it.item_id for it in its]
    assert [r["status"] for r in rows] == ["answered", "error", "refused"]
    assert rows[1]["reason"] == NO_RESPONSE


def test_outcomes_keep_the_measurements_not_the_text(tmp_path: Path) -> None:
    it = make_items(1, "age")[0]
    with ResponseSpool(tmp_path / "r.jsonl") as spool:
        spool.add(resp(it))
        (o,) = spool.outcomes([it])
    assert (o.attribute, o.latency_s, o.cached) == ("age", 0.5, True)
    assert not hasattr(o, "raw") and not hasattr(o, "__dict__")  # slots: a few fields, no answer text


def test_a_failed_stage_leaves_neither_output_nor_scratch(tmp_path: Path) -> None:
    its = make_items(2, "age")
    out = tmp_path / "r.jsonl"
    with pytest.raises(RuntimeError), ResponseSpool(out) as spool:
        spool.add(resp(its[0]))
        raise RuntimeError("killed between two items")
    assert list(tmp_path.iterdir()) == []
