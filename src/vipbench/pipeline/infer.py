"""infer: ask one configured model about every item; write its classified responses.

A run fails loudly when more than `inference.max_error_rate` of its items end in error (an
endpoint that refuses every request, a wrong model name, a missing key): the responses file is
not written (so DVC fails the stage and nothing downstream scores it), the run's metrics file is
replaced by a failure record (so `vipbench report` and `dvc metrics show` never show a stale or
empty accuracy for it), and the distinct error messages are raised with their counts. Finished
answers stay in the response cache, so a fixed configuration resumes where this run stopped.

The responses file is a DVC output, so it holds results only; latencies, cache hits and wall
time go to a machine-local file that the score stage logs to MLflow.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Sequence
from typing import Any

from vipbench.core.errors import RunFailed
from vipbench.core.io import file_sha256, write_json
from vipbench.core.records import Response
from vipbench.imaging import ocr
from vipbench.inference.progress import RunProgress
from vipbench.models.kinds import create_adapter
from vipbench.models.registry import RunContext
from vipbench.pipeline.accounting import MEASURED_FIELDS, measurements
from vipbench.pipeline.spool import Outcome, ResponseSpool
from vipbench.readers import ItemsFile
from vipbench.workspace import Workspace

#: distinct error messages shown when a run fails
SHOWN_ERRORS = 10


def infer(ws: Workspace, run: str) -> dict[str, int]:
    this = ws.run(run)
    if this.defended and this.name not in ws.run_names():
        from vipbench.core.errors import ConfigError

        raise ConfigError(f"params.yaml: defense_eval: {this.name!r} is not a configured (run, defense) cell")
    items = ItemsFile(this.items_file)  # read from disk on each pass, not held
    ocr.use_cache(ws.ocr_cache_path)  # each distinct pixel content is read once, across runs
    started = time.perf_counter()
    with (
        RunProgress(len(items), f"infer {this.name}") as progress,
        ResponseSpool(this.responses_file, MEASURED_FIELDS) as spool,
    ):
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
            for r in adapter.infer(items):  # each response goes to disk as it finishes
                spool.add(r)
        finally:
            adapter.close()
        # Every item ends with a response; nothing is silently dropped.
        outcomes = spool.outcomes(items)
        failure = failure_record(this.name, outcomes, ws.params.inference.max_error_rate)
        if failure is not None:
            this.responses_file.unlink(missing_ok=True)
            write_json(this.outcome_file, failure)
            raise RunFailed(failure_message(failure))
        spool.commit(items)
    counts = dict(sorted(Counter(o.status for o in outcomes).items()))
    write_json(this.outcome_file, {"run": this.name, "failed": False, "statuses": counts})
    measured = measurements(outcomes, time.perf_counter() - started)
    # ties the measurements to these responses: pulled responses come without them
    write_json(this.measurements_file, {**measured, "responses_sha256": file_sha256(this.responses_file)})
    return counts


def failure_record(run: str, responses: Sequence[Outcome | Response], max_error_rate: float) -> dict[str, Any] | None:
    """The failure record of a run with too many errors, or None if the run may be scored."""
    errors = Counter(r.reason or "unknown error" for r in responses if r.status == "error")
    n, n_err = len(responses), sum(errors.values())
    if n == 0 or n_err / n <= max_error_rate:
        return None
    return {
        "run": run,
        "failed": True,
        "stage": "infer",
        "items": n,
        "errors": n_err,
        "error_rate": n_err / n,
        "max_error_rate": max_error_rate,
        "error_messages": dict(errors.most_common()),
    }


def failure_message(failure: dict[str, Any]) -> str:
    """What the user reads: how many items failed, the distinct errors with counts, what to do."""
    msgs = list(failure["error_messages"].items())
    lines = [
        f"run {failure['run']!r} failed: {failure['errors']} of {failure['items']} items ended in error "
        f"({100 * failure['error_rate']:.0f}% > inference.max_error_rate {100 * failure['max_error_rate']:.0f}%); "
        "its responses were not written and it will not be scored or reported.",
        f"{len(msgs)} distinct error(s):",
        *(f"  {count:>6} x {msg}" for msg, count in msgs[:SHOWN_ERRORS]),
    ]
    if len(msgs) > SHOWN_ERRORS:
        lines.append(f"  ... and {len(msgs) - SHOWN_ERRORS} more (see build/outcomes/{failure['run']}.json)")
    lines.append("Finished answers are cached: fix the configuration and run again to resume.")
    return "\n".join(lines)
