"""prepare: validate the dataset and write one item per image x counted attribute.

`read_items` is how the later stages read those items; `ItemsFile` reads them from disk on each
pass instead of holding them (the infer stage, whose memory must not grow with the item count).
The dataset code is imported inside `prepare` only, so that a stage that reads items does not run
(and depend on) it.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from vipbench.core.io import write_json, write_jsonl
from vipbench.workspace import Workspace


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
