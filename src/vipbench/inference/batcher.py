"""Batches for a local backend: the engine's requests grouped into `batch_size` calls, in rounds.

The engine works on every item at once; each item's request waits here. When every item in
progress is waiting (or done), a round starts: it takes all waiting requests, sorts them by
length (so a batch pads little), and runs them in batches of `batch_size`. Requests made while
a round runs wait for the next one, so with the chain of zoom all first turns run before all
second turns. Identical requests of one round are generated once.

The pixels of a batch are decoded just before it runs and dropped right after, so memory holds
one batch of images, not the dataset. Decoding and generation run in the event loop's thread,
which waits for them: a local model has the machine to itself, and its thread pools stay those
of one calling thread. An image that cannot be decoded fails its own request
only. A batch that raises is split: each request runs alone, so one bad request fails alone.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field

from vipbench.inference.backend import BatchBackend, Build, Completion, FatalRequestError, Request
from vipbench.inference.images import pixels
from vipbench.inference.rounds import Result, Rounds, Slot


@dataclass
class _Slot(Slot):
    """One distinct request waiting for a batch, and how many items wait for it."""

    request: Request | None = None
    waiters: int = 0
    #: the exception that stopped decoding the request's images, if any
    failed: BaseException | None = field(default=None, repr=False)


def _size(slot: _Slot) -> int:
    """Characters of text in a request: a cheap stand-in for its length in tokens."""
    assert slot.request is not None
    n = 0
    for m in slot.request.messages:
        content = m.get("content")
        if isinstance(content, str):
            n += len(content)
        else:
            n += sum(len(p.get("text", "")) for p in content or [])
    return n


class Batcher(Rounds[_Slot]):
    """The transport of a batch backend: rounds of batches, pixels per batch, failures isolated."""

    #: requests carry pixels (`Request.images`), not data URLs
    image_mode = "pixels"

    def __init__(self, backend: BatchBackend, max_side: int) -> None:
        super().__init__()
        self.backend = backend
        self.max_side = max_side
        #: rows generated (each row of a batch counts), and rows run again alone after a batch failed
        self.requests = 0
        self.retries = 0

    async def send(self, key: str, build: Build) -> tuple[Completion, float, bool]:
        """(completion, latency, shared) once the request's batch has run."""
        slot = self._slots.get(key)
        if slot is not None:
            slot.waiters += 1
            self._waiting += 1
            self._kick()
            completion, latency = await asyncio.shield(slot.future)
            return completion, latency, True
        slot = self._slots[key] = _Slot(key, asyncio.get_running_loop().create_future())
        try:
            slot.request = await build()
        except BaseException as e:
            self._resolve(slot, error=e)
            raise
        slot.waiters += 1
        self._waiting += 1
        self._queue.append(slot)
        self._kick()
        completion, latency = await slot.future
        return completion, latency, False

    # -- rounds -------------------------------------------------------------------------------
    async def _run_round(self) -> None:
        if not self._ready():  # items that started meanwhile are still on their way here
            self._round = None
            return
        slots, self._queue = self._queue, []
        slots.sort(key=_size)
        try:
            size = max(1, self.backend.batch_size)
            for start in range(0, len(slots), size):
                await self._run_batch(slots[start : start + size])
        except BaseException as e:  # a bug here must not leave items waiting for ever
            for slot in slots:
                if not slot.future.done():
                    self._resolve(slot, error=e)
            if not isinstance(e, Exception):
                raise
        finally:
            self._round = None
            self._kick()

    async def _run_batch(self, batch: list[_Slot]) -> None:
        self._decode(batch)
        ready = []
        for slot in batch:
            if slot.failed is not None:
                self._resolve(slot, error=slot.failed)
            else:
                ready.append(slot)
        self._generate(ready)
        await asyncio.sleep(0)  # the items of this batch go on (cache writes, progress) before the next

    def _decode(self, batch: list[_Slot]) -> None:
        for slot in batch:
            assert slot.request is not None
            try:
                slot.request.images = pixels(slot.request.image_refs, self.max_side)
            except Exception as e:  # ImageError, OSError: this request fails, the batch goes on
                slot.failed = e

    def _generate(self, batch: list[_Slot]) -> None:
        if not batch:
            return
        requests = [s.request for s in batch if s.request is not None]
        self.requests += len(batch)
        start = time.perf_counter()
        try:
            completions = self.backend.generate(requests)
            if len(completions) != len(batch):
                raise ValueError(f"the backend returned {len(completions)} completions for {len(batch)} requests")
        except Exception as e:
            if len(batch) == 1:
                error = FatalRequestError(f"generation failed: {type(e).__name__}: {e}")
                self._resolve(batch[0], error=error)
                return
            for slot in batch:  # alone, so one bad request fails alone
                self.retries += 1
                self._generate([slot])
            return
        share = (time.perf_counter() - start) / len(batch)
        for slot, completion in zip(batch, completions, strict=True):
            latency = completion.latency_s if completion.latency_s is not None else share
            self._resolve(slot, result=(completion, latency))

    def _resolve(self, slot: _Slot, result: Result | None = None, error: BaseException | None = None) -> None:
        """Answer every item waiting for `slot`; they stop counting as waiting right now."""
        if slot.request is not None:
            slot.request.images = []  # free the pixels
        self._waiting -= slot.waiters
        slot.waiters = 0
        super()._resolve(slot, result, error)
