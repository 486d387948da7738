"""infer: ask one configured model about every item; write its classified responses.

The responses file is a DVC output, so it holds results only; latencies, cache hits and wall
time go to a machine-local file that the score stage logs to MLflow.
"""

from __future__ import annotations

import time

from vipbench.core.io import write_json, write_jsonl
from vipbench.core.records import Response
from vipbench.imaging.images import file_sha256
from vipbench.inference.progress import RunProgress
from vipbench.models.registry import RunContext, create_adapter
from vipbench.pipeline.accounting import MEASURED_FIELDS, measurements
from vipbench.pipeline.prepare import read_items
from vipbench.workspace import Workspace


def infer(ws: Workspace, run: str) -> dict[str, int]:
    this = ws.run(run)
    if this.defended and this.name not in ws.run_names():
        from vipbench.core.errors import ConfigError

        raise ConfigError(f"params.yaml: defense_eval: {this.name!r} is not a configured (run, defense) cell")
    items = read_items(ws, this)
    started = time.perf_counter()
    with RunProgress(len(items), f"infer {this.name}") as progress:
        ctx = RunContext(
            run_name=this.name,
            data_dir=this.images_dir,
            cache_path=ws.cache_path,
            max_side=ws.params.inference.max_side,
            progress=progress.update,
            all_items=items,
        )
        adapter = create_adapter(this.spec, ctx)
        try:
            got: dict[str, Response] = {}
            for r in adapter.infer(items):
                got[r.item_id] = r
        finally:
            adapter.close()
    # Every item ends with a response; nothing is silently dropped.
    ordered = [
        got.get(it.item_id)
        or Response(
            item_id=it.item_id, image_id=it.image_id, attribute=it.attribute, status="error", reason="no response"
        )
        for it in items
    ]
    write_jsonl(this.responses_file, [r.model_dump(mode="json", exclude=set(MEASURED_FIELDS)) for r in ordered])
    measured = measurements(ordered, time.perf_counter() - started)
    # ties the measurements to these responses: pulled responses come without them
    write_json(this.measurements_file, {**measured, "responses_sha256": file_sha256(this.responses_file)})
    counts: dict[str, int] = {}
    for r in ordered:
        counts[r.status] = counts.get(r.status, 0) + 1
    return counts
