"""prepare: validate the dataset and write one item per image x counted attribute.

`read_items` is how the later stages read those items; `ItemsFile` reads them from disk on each
pass instead of holding them (the infer stage, whose memory must not grow with the item count).
The dataset code is imported inside `prepare` only, so that a stage that reads items does not run
(and depend on) it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, overload

from vipbench.core.io import read_jsonl, write_json, write_jsonl
from vipbench.core.records import Item
from vipbench.workspace import Run, Workspace


def prepare(ws: Workspace) -> dict[str, Any]:
    """Validate everything first; write nothing unless the whole dataset is valid."""
    from vipbench.dataset.items import build_items
    from vipbench.dataset.load import line_counts, load_dataset
    from vipbench.ops.versioning import dataset_version

    p = ws.params
    ds = load_dataset(ws.data_dir, p.data.labels, check_images=True)
    items = list(build_items(ds, p.attributes, p.filters))
    version, source = dataset_version(ws.root, ws.data_dir)
    per_attr = Counter(it.attribute for it in items)
    info = {
        "name": p.data.name or ws.data_dir.name,
        "version": version,
        "version_source": source,
        **line_counts(ds),
        "items": len(items),
        "items_per_attribute": {a: per_attr.get(a, 0) for a in p.attributes},
        # every image drawn by vipbench's generator (datapoint.synthetic): the report says so
        "synthetic": bool(ds.images)
        and all(getattr(e.first.datapoint, "synthetic", False) is True for e in ds.images.values()),
    }
    write_jsonl(ws.items_file, items)
    write_json(ws.dataset_file, info)
    return info


def read_items(ws: Workspace, run: Run | None = None) -> list[Item]:
    """The prepared items, or the items a run answers (the defended copies for a defended run)."""
    path = run.items_file if run is not None else ws.items_file
    return [Item.model_validate(r) for r in read_jsonl(path)]


class ItemsFile(Sequence[Item]):
    """A run's items as a sequence that stays on disk: each pass re-reads the JSON Lines file.

    Only the byte offset of each line is held (8 bytes an item, against about 1.4 kB for a
    parsed item), so walking 10,000 items costs what walking 2,000 does. The file must not change
    while it is read; the stages write items files atomically, before any later stage starts.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        offsets: list[int] = []
        with open(path, "rb") as fh:
            pos = 0
            for line in fh:
                if line.strip():
                    offsets.append(pos)
                pos += len(line)
        self._offsets = offsets

    def __len__(self) -> int:
        return len(self._offsets)

    def __iter__(self) -> Iterator[Item]:
        with open(self.path, "rb") as fh:
            for line in fh:
                if line.strip():
                    yield Item.model_validate_json(line)

    @overload
    def __getitem__(self, index: int) -> Item: ...
    @overload
    def __getitem__(self, index: slice) -> list[Item]: ...
    def __getitem__(self, index: int | slice) -> Item | list[Item]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        with open(self.path, "rb") as fh:
            fh.seek(self._offsets[index])
            return Item.model_validate_json(fh.readline())
