"""What the two batching transports share: requests wait here and go out in rounds.

The engine works on every item at once. `Batcher` (a local backend) and `BatchAPI` (a provider's
batch API) keep one slot per distinct request key; a round starts when every item in progress
waits here (or is done), so a round takes all the requests that can be had at that moment. The
subclass says what a round does (`_run_round`) and answers each slot with `_resolve`.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Generic, TypeVar

from vipbench.inference.backend import Completion

Result = tuple[Completion, float]


@dataclass
class Slot:
    """One distinct request waiting for its round: its cache key, and the answer to come."""

    key: str
    future: asyncio.Future[Result]


S = TypeVar("S", bound=Slot)


class Rounds(Generic[S]):
    """Slots by key, the queue of the next round, and when a round starts."""

    def __init__(self) -> None:
        self._slots: dict[str, S] = {}
        self._queue: list[S] = []
        self._round: asyncio.Task[None] | None = None
        #: items in progress, and how many of them wait here
        self._live = 0
        self._waiting = 0

    # -- what the engine asks of a transport --------------------------------------------------
    def workers(self, n_items: int) -> int:
        """Every item at once: a round takes whatever all of them wait for."""
        return max(1, n_items)

    @contextlib.asynccontextmanager
    async def flow(self) -> AsyncIterator[None]:
        """An item in progress: a round starts only when every item in progress waits here."""
        self._live += 1
        try:
            yield
        finally:
            self._live -= 1
            self._kick()

    # -- rounds -------------------------------------------------------------------------------
    def _ready(self) -> bool:
        return bool(self._queue) and self._waiting >= self._live

    def _kick(self) -> None:
        if self._round is None and self._ready():
            self._round = asyncio.ensure_future(self._run_round())

    async def _run_round(self) -> None:
        raise NotImplementedError

    def _resolve(self, slot: S, result: Result | None = None, error: BaseException | None = None) -> None:
        """Forget `slot` and answer every item waiting for it (an error is theirs alone to raise)."""
        if self._slots.get(slot.key) is slot:
            del self._slots[slot.key]
        if slot.future.done():
            return
        if isinstance(error, asyncio.CancelledError):
            slot.future.cancel()
        elif error is not None:
            slot.future.set_exception(error)
            slot.future.exception()  # retrieved: only the items waiting for it re-raise it
        else:
            assert result is not None
            slot.future.set_result(result)
