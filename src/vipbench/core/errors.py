"""Errors that the CLI turns into a clear message and a non-zero exit."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One problem found in an input file: where it is and what is wrong."""

    file: str
    line: int | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"


class VipbenchError(Exception):
    """A user-facing error: bad input or bad configuration."""


class InputError(VipbenchError):
    def __init__(self, problems: list[Problem]):
        self.problems = problems
        shown = "\n".join(f"  {p}" for p in problems[:50])
        more = f"\n  ... and {len(problems) - 50} more" if len(problems) > 50 else ""
        super().__init__(f"{len(problems)} problem(s) found:\n{shown}{more}")


class ConfigError(VipbenchError):
    pass


class RunFailed(VipbenchError):
    """A run whose inference failed for too many items: it must not be scored or reported."""


class BudgetReached(VipbenchError):
    """A run stopped before a request that could take it past its budget (`inference.max_cost_usd`).

    Its answers so far are cached: a re-run with a higher budget resumes and asks nothing twice.
    """


#: how the reason of an item whose request waits in an unfinished batch begins
BATCH_PENDING = "batch pending"


class BatchPending(VipbenchError):
    """A run (`vipbench infer --no-wait`) whose batches have not ended yet: run it again later.

    Nothing is lost or sent twice: the batches are recorded, and the next run collects them.
    """


class ImageError(ValueError):
    """An image that cannot be used, with the reason."""
