"""Retries and limits for an API backend: the one place that paces, bounds and retries requests.

Per endpoint an `asyncio.Semaphore` bounds the requests in flight and `aiolimiter` leaky buckets
pace requests per minute and (estimated) tokens per minute, within this process; when an
evaluation fans out to several workers, `shared_limits` adds the same bounds across them.
Retries use tenacity, with the client's own retries switched off: a retry inside the client
would skip the rate limiter (so `rpm` would be exceeded exactly when the server is already pushing back), would hold its
concurrency slot while sleeping, and could not be counted. Here every attempt goes through the
semaphore and the limiters again; the wait is exponential backoff with full jitter
(`wait_random_exponential`) but never shorter than the server's `Retry-After` (capped). What is
retryable is the backend's call: it raises `RetryableError` for 429, 408/409, 5xx, timeouts,
dropped connections, malformed bodies and empty `choices`. A refusal is an answer, never an
exception, so it is never retried. Identical requests in flight at the same time share one.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from aiolimiter import AsyncLimiter
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception_type, stop_after_attempt
from tenacity.wait import wait_random_exponential

from vipbench.inference.backend import (
    APIBackend,
    Build,
    Completion,
    FatalRequestError,
    Message,
    Request,
    RetryableError,
)
from vipbench.inference.pricing import Pricing
from vipbench.inference.shared_limits import for_endpoint


@dataclass
class EndpointConfig:
    """One endpoint + model: its identity (for cache keys), its limits and its prices."""

    endpoint: str
    model: str
    #: generation parameters that change answers; part of every cache key
    params: dict[str, Any]
    max_concurrency: int = 8
    rpm: float | None = None
    tpm: float | None = None
    max_retries: int = 5
    max_tokens: int = 800
    price_input_per_mtok: float | None = None
    price_output_per_mtok: float | None = None
    #: prices and image rule (wins over the two price fields when set)
    pricing: Pricing | None = None
    backoff_initial_s: float = 0.5
    backoff_max_s: float = 30.0
    #: the longest Retry-After the engine waits; longer ones are cut to this
    retry_after_max_s: float = 120.0


#: the limits of an `EndpointConfig` that an endpoint spec sets, under the same names
SPEC_LIMITS = ("max_concurrency", "rpm", "tpm", "max_retries", "max_tokens")


def rpm_limiter(rpm: float) -> AsyncLimiter:
    """A leaky bucket at `rpm` per minute whose burst is about one second's worth (at least 1).

    aiolimiter's bucket holds `max_rate` and drains over `time_period`; a full minute's bucket
    would allow the whole minute's requests as one burst at the start.
    """
    per_s = rpm / 60.0
    capacity = max(1.0, per_s)
    return AsyncLimiter(capacity, capacity / per_s)


def estimate_tokens(messages: list[Message], max_tokens: int) -> int:
    """A rough token count of a request for the tpm limiter: text/4, a flat cost per image, output."""
    chars, images = 0, 0
    for m in messages:
        content = m.get("content")
        if isinstance(content, str):
            chars += len(content)
            continue
        for part in content or []:
            if part.get("type") == "text":
                chars += len(part.get("text", ""))
            elif part.get("type") == "image_url":
                images += 85 if part["image_url"].get("detail") == "low" else 765
    return chars // 4 + images + max_tokens


class Endpoint:
    """Sends requests to one API backend within its limits, with retries."""

    #: requests carry their images as data URLs in the messages
    image_mode = "data_url"

    def __init__(self, config: EndpointConfig, backend: APIBackend) -> None:
        self.config = config
        self.backend = backend
        self._sem = asyncio.Semaphore(config.max_concurrency)
        self._rpm = rpm_limiter(config.rpm) if config.rpm else None
        self._tpm = AsyncLimiter(config.tpm, 60.0) if config.tpm else None
        #: the endpoint's limits across workers (a fan-out sets them), else nothing
        self._shared = for_endpoint(config.endpoint, config.rpm)
        self._inflight: dict[str, asyncio.Future[tuple[Completion, float]]] = {}
        #: requests sent, retries included
        self.requests = 0
        self.retries = 0

    # -- what the engine asks of a transport --------------------------------------------------
    def workers(self, n_items: int) -> int:
        """Items worked on at once: twice the concurrency, so image preparation overlaps requests."""
        return max(4, 2 * self.config.max_concurrency)

    @contextlib.asynccontextmanager
    async def flow(self) -> AsyncIterator[None]:
        """An item being worked on; an endpoint needs no bookkeeping for it."""
        yield

    async def send(self, key: str, build: Build) -> tuple[Completion, float, bool]:
        """(completion, latency, shared): one request with retries; identical keys in flight share one.

        Raises FatalRequestError when the request failed for good (retries exhausted included).
        """
        pending = self._inflight.get(key)
        if pending is not None:
            completion, latency = await asyncio.shield(pending)
            return completion, latency, True
        future: asyncio.Future[tuple[Completion, float]] = asyncio.get_running_loop().create_future()
        self._inflight[key] = future
        try:
            request = await build()
            result = await self._with_retries(request)
            future.set_result(result)
            return (*result, False)
        except asyncio.CancelledError:
            future.cancel()
            raise
        except BaseException as e:
            future.set_exception(e)
            future.exception()  # mark it retrieved: only waiters (if any) re-raise it
            raise
        finally:
            del self._inflight[key]

    # -- retries and limits -------------------------------------------------------------------
    def _wait(self, state: RetryCallState) -> float:
        """Exponential backoff with full jitter, but never shorter than the server's Retry-After.

        Jitter on top of Retry-After matters: a rate-limited server gives every waiting request
        the same short hint, and retrying them all at the same instant just collides again.
        """
        backoff = wait_random_exponential(multiplier=self.config.backoff_initial_s, max=self.config.backoff_max_s)
        delay = float(backoff(state))
        exc = state.outcome.exception() if state.outcome else None
        retry_after = getattr(exc, "retry_after", None)
        if retry_after is not None and retry_after >= 0:
            delay = max(delay, min(retry_after, self.config.retry_after_max_s))
        return delay

    async def _attempt(self, request: Request) -> tuple[Completion, float]:
        async with self._sem:
            if self._tpm is not None:
                tokens = estimate_tokens(request.messages, self.config.max_tokens)
                await self._tpm.acquire(min(tokens, self.config.tpm or 0))
            if self._rpm is not None:
                await self._rpm.acquire()
            async with self._shared.slot():
                self.requests += 1
                t0 = time.perf_counter()
                completion = await self.backend.generate(request.messages, request.options)
                return completion, time.perf_counter() - t0

    async def _with_retries(self, request: Request) -> tuple[Completion, float]:
        def count_retry(state: RetryCallState) -> None:
            self.retries += 1

        retrying = AsyncRetrying(
            stop=stop_after_attempt(self.config.max_retries + 1),
            wait=self._wait,
            retry=retry_if_exception_type(RetryableError),
            before_sleep=count_retry,
            reraise=True,
        )
        try:
            async for attempt in retrying:
                with attempt:
                    return await self._attempt(request)
        except RetryableError as e:
            raise FatalRequestError(f"gave up after {self.config.max_retries + 1} attempts: {e}") from e
        raise AssertionError("unreachable")  # pragma: no cover
