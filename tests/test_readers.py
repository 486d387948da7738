"""The pipeline files' readers. ItemsFile: the infer stage's items, read from disk on each pass rather than held."""

from __future__ import annotations

from pathlib import Path

from testkit import items
from vipbench.core.io import write_jsonl
from vipbench.core.records import Item
from vipbench.readers import ItemsFile


def make(n: int) -> list[Item]:
    return items(n, "sex", truth="Female", image_dir="dir with space")


def test_same_items_in_the_same_order_on_every_pass(tmp_path: Path) -> None:
    items = make(7)
    path = tmp_path / "items.jsonl"
    write_jsonl(path, items)
    with open(path, "a", encoding="utf-8") as fh:
        fh.write("\n")  # a trailing blank line is not an item
    f = ItemsFile(path)
    assert len(f) == 7
    assert list(f) == items and list(f) == items
    assert f[0] == items[0] and f[-1] == items[-1] and f[2:5] == items[2:5]


def test_it_holds_offsets_not_items(tmp_path: Path) -> None:
    path = tmp_path / "items.jsonl"
    write_jsonl(path, make(500))
    f = ItemsFile(path)
    assert set(vars(f)) == {"path", "_offsets"} and all(isinstance(o, int) for o in f._offsets)
