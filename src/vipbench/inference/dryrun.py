"""Transports that send nothing: a recorder for dry runs and a replay of answers read from a file.

`Recorder` builds each request, hands it to a callback, and fails it. `vipbench estimate` counts
the requests a run would send (after the cache) and their tokens this way, and `vipbench batch
export` writes them to a batch input file: both go through the real engine and gateway, so
prompts, images, the chain of zoom's first turn and the cache keys are the ones a real run would
use. Identical requests are handed over once.

`Replay` answers each request from outcomes read elsewhere (`vipbench batch import`: the output
file of a batch answered on another host), by cache key; a request it has no line for fails.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable

from vipbench.inference.backend import Build, Completion, FatalRequestError, Request
from vipbench.inference.batches import Outcome


class NotSent(FatalRequestError):
    """The request was recorded, not sent (a dry run)."""


class _Offline:
    """A transport that sends nothing over the network: a few workers, no rate limits, no retries."""

    image_mode = "data_url"

    def __init__(self) -> None:
        self.requests = 0
        self.retries = 0

    def workers(self, n_items: int) -> int:
        return 4

    @contextlib.asynccontextmanager
    async def flow(self) -> AsyncIterator[None]:
        yield


class Recorder(_Offline):
    """The transport of a dry run: `on_request(key, request)` for each distinct request."""

    def __init__(self, on_request: Callable[[str, Request], None], reason: str = "dry run: not sent") -> None:
        super().__init__()
        self.on_request = on_request
        self.reason = reason
        self.keys: set[str] = set()

    async def send(self, key: str, build: Build) -> tuple[Completion, float, bool]:
        if key not in self.keys:
            self.keys.add(key)
            self.on_request(key, await build())
        raise NotSent(self.reason)


class Replay(_Offline):
    """The transport of `batch import`: each request's answer, looked up by its key."""

    def __init__(self, outcomes: dict[str, Outcome], source: str = "the imported file") -> None:
        super().__init__()
        self.outcomes = outcomes
        self.source = source
        #: keys answered from `outcomes`
        self.used: set[str] = set()

    async def send(self, key: str, build: Build) -> tuple[Completion, float, bool]:
        got = self.outcomes.get(key)
        if got is None:
            raise FatalRequestError(f"no answer in {self.source} (export the run again and answer the new file)")
        if isinstance(got, Exception):
            raise got
        self.used.add(key)
        self.requests += 1
        return got, 0.0, False
