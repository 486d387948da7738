"""A run's spending limit: no request is sent that could take the run past it.

The budget counts what the run's answers cost, those from the cache included (they were paid
for by an earlier attempt at the same run), so re-running with the same limit spends nothing
new and re-running with a higher one carries on where the last attempt stopped. Before a request
is sent, its worst case (its input tokens as counted by `inference.tokens`, plus the full output
token limit) is reserved; when the answer arrives the reservation is replaced by the real cost.
The first request whose reservation does not fit stops the run: it and every later request
that would need sending fail with `BudgetExceeded`, while answers from the cache still come back.
"""

from __future__ import annotations

import threading


class BudgetExceeded(Exception):
    """A request was not sent because it could take the run past its budget."""


class Budget:
    """Spent and reserved dollars against a limit (thread-safe; shared by a run's gateways)."""

    def __init__(self, limit_usd: float | None) -> None:
        self.limit = limit_usd
        self.spent = 0.0
        self.reserved = 0.0
        #: why the run stopped (the first request that did not fit), or None
        self.stopped: str | None = None
        self._lock = threading.Lock()

    def charge(self, usd: float) -> None:
        """Count an answer that needed no request (from the cache)."""
        with self._lock:
            self.spent += usd

    def reserve(self, usd: float) -> None:
        """Hold `usd` for a request about to be sent, or raise BudgetExceeded if it does not fit."""
        with self._lock:
            if self.limit is None:
                self.reserved += usd
                return
            if self.stopped is None and self.spent + self.reserved + usd > self.limit + 1e-12:
                self.stopped = (
                    f"the next request could cost up to ${usd:.4f}, and ${self.spent:.4f} is spent "
                    f"(${self.reserved:.4f} more in flight) of the ${self.limit:.4f} budget"
                )
            if self.stopped is not None:
                raise BudgetExceeded(f"not sent: budget reached ({self.stopped})")
            self.reserved += usd

    def settle(self, reserved: float, actual: float) -> None:
        """Replace a reservation by what the request really cost."""
        with self._lock:
            self.reserved -= reserved
            self.spent += actual

    def release(self, reserved: float) -> None:
        """Drop the reservation of a request that failed (nothing to pay)."""
        with self._lock:
            self.reserved -= reserved
