"""infer: ask one configured model about every item; write its classified responses.

A run fails loudly when more than `inference.max_error_rate` of its items end in error (an
endpoint that refuses every request, a wrong model name, a missing key): the responses file is
not written (so DVC fails the stage and nothing downstream scores it), the run's outcome file
(build/outcomes/<run>.json, an output of this stage) holds a failure record (so `vipbench report`
lists the run as not reported), and the distinct error messages are raised with their counts. Finished
answers stay in the response cache, so a fixed configuration resumes where this run stopped.

A run with a budget (`inference.max_cost_usd`, `vipbench infer --max-cost-usd`, or the
`VIPBENCH_MAX_COST_USD` variable that the evaluate flow sets; the smallest applies) stops before
the request that could cross it: no responses file, a failure record saying so, and
`BudgetReached` (exit 4). The answers it got are cached, so a higher budget resumes.

The responses file is a DVC output, so it holds results only; latencies, cache hits and wall
time go to a machine-local file that `pipeline.track` logs to MLflow.
"""

from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from vipbench.core.errors import BATCH_PENDING, BatchPending, BudgetReached, RunFailed
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

if TYPE_CHECKING:
    from vipbench.inference.budget import Budget

#: distinct error messages shown when a run fails
SHOWN_ERRORS = 10
#: a budget for each run, in USD, set by the evaluate flow (what is left of an evaluation's budget)
BUDGET_ENV = "VIPBENCH_MAX_COST_USD"
#: "0": batch runs do not wait for their batches (`vipbench infer --no-wait`; the evaluate flow sets it)
BATCH_WAIT_ENV = "VIPBENCH_BATCH_WAIT"


def run_budget(ws: Workspace, max_cost_usd: float | None = None) -> float | None:
    """The smallest of the budgets that apply: params, the command line, the environment."""
    limits = [ws.params.inference.max_cost_usd, max_cost_usd]
    env = os.environ.get(BUDGET_ENV)
    if env:
        try:
            limits.append(float(env))
        except ValueError:
            from vipbench.core.errors import ConfigError

            raise ConfigError(f"{BUDGET_ENV}={env!r} is not a number of dollars") from None
    given = [x for x in limits if x is not None]
    return min(given) if given else None


def infer(
    ws: Workspace,
    run: str,
    max_cost_usd: float | None = None,
    transport: Callable[..., Any] | None = None,
    wait: bool | None = None,
) -> dict[str, int]:
    """Answer every item of `run`; `transport` replaces how an API model's requests go out (see
    `RunContext.transport`; `batch import` answers them from a file). `wait=False` (default: the
    `VIPBENCH_BATCH_WAIT` variable, else True) leaves unfinished batches for a later run and
    raises `BatchPending` (exit 5)."""
    this = ws.run(run)
    if this.defended and this.name not in ws.run_names():
        from vipbench.core.errors import ConfigError

        raise ConfigError(f"params.yaml: defense_eval: {this.name!r} is not a configured (run, defense) cell")
    items = ItemsFile(this.items_file)  # read from disk on each pass, not held
    ocr.use_cache(ws.ocr_cache_path)  # each distinct pixel content is read once, across runs
    started = time.perf_counter()
    from vipbench.inference.budget import Budget  # here: the report stage imports this module

    limit = run_budget(ws, max_cost_usd)
    budget = Budget(limit) if limit is not None else None
    with (
        RunProgress(len(items), f"infer {this.name}", budget_usd=limit) as progress,
        ResponseSpool(this.responses_file, MEASURED_FIELDS) as spool,
    ):
        ctx = RunContext(
            run_name=this.name,
            data_dir=this.images_dir,
            cache_path=ws.cache_path,
            max_side=ws.params.inference.max_side,
            progress=progress.update,
            all_items=items,
            budget=budget,
            transport=transport,
            batch_wait=wait if wait is not None else os.environ.get(BATCH_WAIT_ENV, "1") != "0",
        )
        adapter = create_adapter(this.spec, ctx)
        try:
            for r in adapter.infer(items):  # each response goes to disk as it finishes
                spool.add(r)
        finally:
            adapter.close()
        # Every item ends with a response; nothing is silently dropped.
        outcomes = spool.outcomes(items)
        waiting = sum(1 for o in outcomes if (o.reason or "").startswith(BATCH_PENDING))
        if waiting:
            this.responses_file.unlink(missing_ok=True)
            record = {"run": this.name, "failed": True, "stage": "infer", "stopped": "batch_pending",
                      "items": len(outcomes), "waiting": waiting}
            write_json(this.outcome_file, record)
            raise BatchPending(
                f"run {this.name!r}: {waiting} of {len(outcomes)} items wait in unfinished batches; run again "
                "later to collect them (nothing is submitted twice)"
            )
        if budget is not None and budget.stopped is not None:
            stop = budget_record(this.name, outcomes, budget)
            this.responses_file.unlink(missing_ok=True)
            write_json(this.outcome_file, stop)
            raise BudgetReached(budget_message(stop))
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


def budget_record(run: str, outcomes: Sequence[Outcome], budget: Budget) -> dict[str, Any]:
    """The failure record of a run stopped at its budget (the report lists it as not reported)."""
    answered = sum(o.status != "error" for o in outcomes)
    return {
        "run": run,
        "failed": True,
        "stage": "infer",
        "stopped": "budget",
        "items": len(outcomes),
        "finished": answered,
        "not_sent": len(outcomes) - answered,
        "cost_usd": round(budget.spent, 6),
        "max_cost_usd": budget.limit,
        "reason": budget.stopped,
    }


def budget_message(stop: dict[str, Any]) -> str:
    return (
        f"run {stop['run']!r} stopped at its budget: {stop['finished']} of {stop['items']} items finished "
        f"for ${stop['cost_usd']:.4f} of ${stop['max_cost_usd']:.4f}; {stop['reason']}. "
        "The finished answers are cached: raise inference.max_cost_usd (or --max-cost-usd) and run again "
        "to resume; nothing is asked twice."
    )


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
