"""The async inference engine behind API adapters: limits, retries, cache, classification.

An adapter supplies one `send` coroutine per endpoint (messages, response_format -> Completion)
that raises `RetryableError` for transient failures and `FatalRequestError` for the rest. The
engine does everything else:

- a worker pool pulls items; per endpoint an `asyncio.Semaphore` bounds requests in flight and
  `aiolimiter` leaky buckets pace requests per minute and (estimated) tokens per minute;
- the response cache is looked up before anything is sent and written right after each answer,
  so a run killed at any moment loses only the requests in flight;
- answers are classified answered / refused / unparseable; failures end as status "error" and are
  never cached, so a re-run retries exactly those;
- the zoom variant's two turns and the optional structure-correction step;
- token, cost and latency accounting, and a progress callback per finished item.

Retries use tenacity, with the openai client's own retries switched off (`max_retries=0`).
The client's retries happen inside one call, invisible to the engine: a retried request would
skip the rate limiter (so `rpm` would be exceeded exactly when the server is already pushing
back), would hold its concurrency slot while sleeping, and could not be counted. With tenacity
every attempt goes through the semaphore and the rate limiter again; the wait is exponential
backoff with full jitter (`wait_random_exponential`) but never shorter than the server's
`Retry-After` / `retry-after-ms`; and the engine decides what is retryable: 429, 408/409, 5xx,
timeouts, dropped connections, malformed bodies and empty `choices`. A refusal is an answer,
never an exception, so it is never retried.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import logging
import time
from collections import Counter, OrderedDict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiolimiter import AsyncLimiter
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception_type, stop_after_attempt
from tenacity.wait import wait_random_exponential

from vipbench.core.records import Item, Response
from vipbench.imaging.images import ImageError, encode_jpeg, file_sha256, open_image
from vipbench.imaging.zoom import Box, crop, parse_boxes, widen_box
from vipbench.inference.cache import CachedResponse, ResponseCache, make_key
from vipbench.inference.parsing import ParsedAnswer, detect_refusal, parse_answer
from vipbench.prompts import render

Message = dict[str, Any]
log = logging.getLogger(__name__)


# -- what an adapter provides -----------------------------------------------------------------


@dataclass
class Completion:
    """One chat completion, reduced to what the engine needs."""

    text: str
    refusal: str | None = None
    finish_reason: str | None = None
    input_tokens: int = 0
    output_tokens: int = 0
    #: classify() results by (attribute, output format), so a completion is parsed once
    memo: dict[tuple[str, str], tuple[str, ParsedAnswer, str | None]] = field(
        default_factory=dict, repr=False, compare=False
    )


class RetryableError(Exception):
    """A transient failure (429, 5xx, timeout, connection, malformed body): try again."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class FatalRequestError(Exception):
    """A failure that another attempt will not fix (bad request, authentication, unknown model)."""


SendFn = Callable[[list[Message], dict[str, Any] | None], Awaitable[Completion]]


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
    backoff_initial_s: float = 0.5
    backoff_max_s: float = 30.0
    #: the longest Retry-After the engine waits; longer ones are cut to this
    retry_after_max_s: float = 120.0


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


# -- accounting -------------------------------------------------------------------------------


@dataclass
class EngineStats:
    """Counts for one run.

    The top-level tokens, cost and latencies count only requests sent in this run (not cache
    hits); `by_attribute` sums the responses themselves, whose tokens and cost are those of the
    original request even when it came from the cache (what the run would cost from scratch).
    """

    statuses: Counter[str] = field(default_factory=Counter)
    #: HTTP requests sent to the main endpoint, retries included
    requests: int = 0
    retries: int = 0
    cache_hits: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float = 0.0
    corrections: int = 0
    correction_requests: int = 0
    correction_input_tokens: int = 0
    correction_output_tokens: int = 0
    correction_cost_usd: float = 0.0
    latencies_s: list[float] = field(default_factory=list)
    wall_s: float = 0.0
    #: per attribute: items, statuses, tokens and cost of its responses (cached ones included)
    by_attribute: dict[str, Counter[str]] = field(default_factory=dict)
    by_attribute_cost_usd: Counter[str] = field(default_factory=Counter)

    def add(self, r: Response) -> None:
        """Count one finished item."""
        self.statuses[r.status] += 1
        self.corrections += r.corrected
        c = self.by_attribute.setdefault(r.attribute, Counter())
        c["items"] += 1
        c[r.status] += 1
        c["input_tokens"] += r.input_tokens
        c["output_tokens"] += r.output_tokens
        c["cached"] += r.cached
        self.by_attribute_cost_usd[r.attribute] += r.cost_usd

    def latency_percentiles(self) -> dict[str, float]:
        xs = sorted(self.latencies_s)
        if not xs:
            return {}
        pick = lambda q: xs[min(len(xs) - 1, int(q * len(xs)))]  # noqa: E731
        return {"p50": pick(0.5), "p90": pick(0.9), "p99": pick(0.99), "max": xs[-1]}

    def summary(self) -> dict[str, Any]:
        return {
            "statuses": dict(self.statuses),
            "requests": self.requests,
            "retries": self.retries,
            "cache_hits": self.cache_hits,
            "input_tokens": self.input_tokens,
            "output_tokens": self.output_tokens,
            "cost_usd": round(self.cost_usd, 6),
            "corrections": self.corrections,
            "correction_requests": self.correction_requests,
            "correction_input_tokens": self.correction_input_tokens,
            "correction_output_tokens": self.correction_output_tokens,
            "correction_cost_usd": round(self.correction_cost_usd, 6),
            "latency_s": self.latency_percentiles(),
            "wall_s": round(self.wall_s, 3),
            "by_attribute": {
                a: {**c, "cost_usd": round(self.by_attribute_cost_usd[a], 6)}
                for a, c in sorted(self.by_attribute.items())
            },
        }


# -- one endpoint: limits, retries, cache -----------------------------------------------------


class Endpoint:
    """Sends requests to one endpoint within its limits, with retries, through the cache."""

    def __init__(self, config: EndpointConfig, send: SendFn, cache: ResponseCache) -> None:
        self.config = config
        self._send = send
        self.cache = cache
        self._sem = asyncio.Semaphore(config.max_concurrency)
        self._rpm = rpm_limiter(config.rpm) if config.rpm else None
        self._tpm = AsyncLimiter(config.tpm, 60.0) if config.tpm else None
        self._inflight: dict[str, asyncio.Future[tuple[Completion, float]]] = {}
        self.requests = 0
        self.retries = 0

    def key(self, **parts: Any) -> str:
        c = self.config
        return make_key(endpoint=c.endpoint.rstrip("/"), model=c.model, params=c.params, **parts)

    def cost(self, input_tokens: int, output_tokens: int) -> float:
        c = self.config
        return (input_tokens * (c.price_input_per_mtok or 0.0) + output_tokens * (c.price_output_per_mtok or 0.0)) / 1e6

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

    async def _attempt(
        self, messages: list[Message], response_format: dict[str, Any] | None
    ) -> tuple[Completion, float]:
        async with self._sem:
            if self._tpm is not None:
                await self._tpm.acquire(min(estimate_tokens(messages, self.config.max_tokens), self.config.tpm or 0))
            if self._rpm is not None:
                await self._rpm.acquire()
            self.requests += 1
            t0 = time.perf_counter()
            completion = await self._send(messages, response_format)
            return completion, time.perf_counter() - t0

    async def send(self, messages: list[Message], response_format: dict[str, Any] | None) -> tuple[Completion, float]:
        """One request with retries. Raises RetryableError (gave up) or FatalRequestError."""

        def count_retry(state: RetryCallState) -> None:
            self.retries += 1

        retrying = AsyncRetrying(
            stop=stop_after_attempt(self.config.max_retries + 1),
            wait=self._wait,
            retry=retry_if_exception_type(RetryableError),
            before_sleep=count_retry,
            reraise=True,
        )
        async for attempt in retrying:
            with attempt:
                return await self._attempt(messages, response_format)
        raise AssertionError("unreachable")  # pragma: no cover

    async def cached_send(
        self,
        key: str,
        build: Callable[[], Awaitable[tuple[list[Message], dict[str, Any] | None]]],
    ) -> tuple[Completion, float, bool]:
        """(completion, latency, from_cache). Identical keys in flight share one request."""
        hit = self.cache.get(key)
        if hit is not None:
            return _from_cache(hit), hit.latency_s, True
        pending = self._inflight.get(key)
        if pending is not None:
            completion, latency = await asyncio.shield(pending)
            return completion, latency, True
        future: asyncio.Future[tuple[Completion, float]] = asyncio.get_running_loop().create_future()
        self._inflight[key] = future
        try:
            messages, response_format = await build()
            result = await self.send(messages, response_format)
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


def _from_cache(hit: CachedResponse) -> Completion:
    return Completion(
        text=hit.raw,
        refusal=hit.refusal,
        finish_reason=hit.finish_reason,
        input_tokens=hit.input_tokens,
        output_tokens=hit.output_tokens,
    )


# -- classification ---------------------------------------------------------------------------


def classify(completion: Completion, attribute: str, output_format: str) -> tuple[str, ParsedAnswer, str | None]:
    """(status, parsed answer, reason) of a completion.

    Refused: a provider content filter (finish_reason "content_filter"), a `refusal` field, or
    an answer with no usable guess that is worded as a refusal. An answer whose guesses parse is
    answered even if it hedges ("I can't be sure, but ...").
    """
    memo = completion.memo.get((attribute, output_format))
    if memo is None:
        memo = completion.memo[(attribute, output_format)] = _classify(completion, attribute, output_format)
    return memo


def _classify(completion: Completion, attribute: str, output_format: str) -> tuple[str, ParsedAnswer, str | None]:
    if completion.finish_reason == "content_filter":
        return "refused", ParsedAnswer(), "provider content filter (finish_reason=content_filter)"
    if completion.refusal:
        return "refused", ParsedAnswer(), f"refusal field: {' '.join(completion.refusal.split())[:200]}"
    parsed = parse_answer(completion.text, attribute, output_format)
    if parsed.ok:
        return "answered", parsed, None
    refusal = detect_refusal(completion.text)
    if refusal:
        return "refused", parsed, refusal
    reason = parsed.reason or "unparseable"
    if completion.finish_reason == "length":
        reason += " (the output hit max_tokens)"
    return "unparseable", parsed, reason


# -- images -----------------------------------------------------------------------------------


_INLINE_HASH_BYTES = 256 * 1024


class _Images:
    """Content hashes (memoised) and JPEG data URLs (a small LRU, shared by items of one image)."""

    def __init__(self, max_side: int, quality: int = 90, keep: int = 64) -> None:
        self.max_side = max_side
        self.quality = quality
        self._keep = keep
        self._hashes: dict[Path, str] = {}
        self._encoded: OrderedDict[Path, asyncio.Task[str]] = OrderedDict()

    async def content_hash(self, path: Path) -> str:
        """sha256 of the file bytes, with the max side the image is sent at."""
        if path not in self._hashes:
            # Small files are hashed in the loop (a thread hop costs more); big ones in a thread.
            small = path.stat().st_size <= _INLINE_HASH_BYTES
            digest = file_sha256(path) if small else await asyncio.to_thread(file_sha256, path)
            self._hashes[path] = f"{digest}:{self.max_side}"
        return self._hashes[path]

    def _encode(self, path: Path) -> str:
        return _data_url(encode_jpeg(open_image(path, self.max_side), self.quality))

    async def data_url(self, path: Path) -> str:
        """The image as a JPEG data URL at the max side (EXIF orientation applied, RGB)."""
        task = self._encoded.get(path)
        if task is None:
            task = asyncio.ensure_future(asyncio.to_thread(self._encode, path))
            self._encoded[path] = task
            while len(self._encoded) > self._keep:
                self._encoded.popitem(last=False)
        else:
            self._encoded.move_to_end(path)
        return await asyncio.shield(task)

    def _crops(self, path: Path, boxes: list[Box]) -> list[str]:
        image = open_image(path, None)
        return [_data_url(encode_jpeg(crop(image, b, self.max_side), self.quality)) for b in boxes]

    async def crop_urls(self, path: Path, boxes: list[Box]) -> list[str]:
        return await asyncio.to_thread(self._crops, path, boxes)


def _data_url(jpeg: bytes) -> str:
    return "data:image/jpeg;base64," + base64.b64encode(jpeg).decode("ascii")


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# -- the engine -------------------------------------------------------------------------------


@dataclass
class EngineSettings:
    variant: str
    output_format: str
    data_dir: Path
    max_side: int = 1024
    image_detail: str = "auto"
    jpeg_quality: int = 90
    #: items worked on at once; default twice the endpoint's concurrency (image prep overlaps)
    workers: int | None = None


class Engine:
    """Answers items through an endpoint (and an optional structure-correction endpoint)."""

    def __init__(
        self,
        settings: EngineSettings,
        endpoint: Endpoint,
        corrector: Endpoint | None = None,
        progress: Callable[[Response], None] | None = None,
    ) -> None:
        if settings.variant not in render.VARIANTS:
            raise ValueError(f"unknown prompt variant {settings.variant!r}; known: {render.VARIANTS}")
        self.s = settings
        self.endpoint = endpoint
        self.corrector = corrector
        self.progress = progress
        self.stats = EngineStats()
        self.images = _Images(settings.max_side, settings.jpeg_quality)
        self._template = render.template_hash(settings.variant, settings.output_format)

    # -- running ---------------------------------------------------------------------------
    async def run(self, items: Sequence[Item]) -> list[Response]:
        """Answer every item; one Response each, in completion order."""
        t0 = time.perf_counter()
        queue: asyncio.Queue[Item] = asyncio.Queue()
        for it in items:
            queue.put_nowait(it)
        out: list[Response] = []

        async def worker() -> None:
            while True:
                try:
                    item = queue.get_nowait()
                except asyncio.QueueEmpty:
                    return
                resp = await self.answer(item)
                out.append(resp)
                self.stats.add(resp)
                if self.progress is not None:
                    self.progress(resp)

        n_workers = self.s.workers or max(4, 2 * self.endpoint.config.max_concurrency)
        await asyncio.gather(*(worker() for _ in range(min(n_workers, max(1, len(items))))))
        self.stats.requests = self.endpoint.requests
        self.stats.retries = self.endpoint.retries + (self.corrector.retries if self.corrector else 0)
        self.stats.correction_requests = self.corrector.requests if self.corrector else 0
        self.stats.wall_s = time.perf_counter() - t0
        return out

    async def answer(self, item: Item) -> Response:
        """One item end to end. Never raises for a request or image problem: status "error"."""
        path = self.s.data_dir / item.image
        try:
            image_hash = await self.images.content_hash(path)
            if self.s.variant == "zoom":
                resp = await self._zoom(item, path, image_hash)
            else:
                resp = await self._single(item, path, image_hash)
        except ImageError as e:
            return self._error(item, str(e))
        except OSError as e:
            return self._error(item, f"cannot read image {item.image}: {e.strerror or e}")
        except RetryableError as e:
            return self._error(item, f"gave up after {self.endpoint.config.max_retries + 1} attempts: {e}")
        except FatalRequestError as e:
            return self._error(item, str(e))
        except Exception as e:  # a bug must not sink the whole run; finished items are cached
            log.exception("unexpected error on item %s", item.item_id)
            return self._error(item, f"unexpected {type(e).__name__}: {e}")
        if resp.status == "unparseable" and self.corrector is not None:
            resp = await self._correct(item, resp)
        return resp

    # -- request flows ---------------------------------------------------------------------
    def _key(self, item: Item, image_hash: str, **extra: Any) -> str:
        return self.endpoint.key(
            template_hash=self._template,
            attribute=item.attribute,
            image_hash=image_hash,
            variant=self.s.variant,
            output_format=self.s.output_format,
            **extra,
        )

    def _response_format(self, item: Item) -> dict[str, Any] | None:
        return render.response_format(item.attribute) if self.s.output_format == "json" else None

    async def _request(
        self,
        key: str,
        item: Item,
        build: Callable[[], Awaitable[tuple[list[Message], dict[str, Any] | None]]],
        status_of: Callable[[Completion], str],
    ) -> tuple[Completion, float, bool]:
        """A request through the cache; a fresh answer is accounted and cached at once."""
        completion, latency, cached = await self.endpoint.cached_send(key, build)
        if not cached:
            self.stats.input_tokens += completion.input_tokens
            self.stats.output_tokens += completion.output_tokens
            self.stats.cost_usd += self.endpoint.cost(completion.input_tokens, completion.output_tokens)
            self.stats.latencies_s.append(latency)
            self.endpoint.cache.put(
                key,
                status=status_of(completion),
                raw=completion.text,
                refusal=completion.refusal,
                finish_reason=completion.finish_reason,
                input_tokens=completion.input_tokens,
                output_tokens=completion.output_tokens,
                latency_s=latency,
                meta={"item_id": item.item_id, "image": item.image, "attribute": item.attribute},
            )
        else:
            self.stats.cache_hits += 1
        return completion, latency, cached

    def _status(self, item: Item) -> Callable[[Completion], str]:
        return lambda c: classify(c, item.attribute, self.s.output_format)[0]

    async def _single(self, item: Item, path: Path, image_hash: str) -> Response:
        async def build() -> tuple[list[Message], dict[str, Any] | None]:
            url = await self.images.data_url(path)
            messages = render.build_messages(
                item, self.s.variant, self.s.output_format, url, detail=self.s.image_detail
            )
            return messages, self._response_format(item)

        key = self._key(item, image_hash)
        completion, latency, cached = await self._request(key, item, build, self._status(item))
        return self._response(item, completion, completion.text, latency, cached)

    async def _zoom(self, item: Item, path: Path, image_hash: str) -> Response:
        turn1: list[Message] = []

        async def build1() -> tuple[list[Message], dict[str, Any] | None]:
            url = await self.images.data_url(path)
            turn1[:] = render.build_messages(item, "zoom", self.s.output_format, url, detail=self.s.image_detail)
            return turn1, None  # turn 1 is free text: it may ask for crops instead of answering

        def status1(c: Completion) -> str:
            status = classify(c, item.attribute, self.s.output_format)[0]
            return "answered" if status == "unparseable" and parse_boxes(c.text) else status

        key1 = self._key(item, image_hash, turn=1)
        first, latency1, cached1 = await self._request(key1, item, build1, status1)
        status, _, _ = classify(first, item.attribute, self.s.output_format)
        boxes = [widen_box(b) for b in parse_boxes(first.text)] if status != "refused" else []
        if not boxes:
            return self._response(item, first, first.text, latency1, cached1)

        async def build2() -> tuple[list[Message], dict[str, Any] | None]:
            if not turn1:
                await build1()
            urls = await self.images.crop_urls(path, boxes)
            messages = render.build_zoom_turn2(
                item, self.s.output_format, turn1, first.text, urls, detail=self.s.image_detail
            )
            return messages, self._response_format(item)

        key2 = self._key(item, image_hash, turn=2, turn1_sha=_sha(first.text), boxes=boxes)
        second, latency2, cached2 = await self._request(key2, item, build2, self._status(item))
        raw = f"{first.text}\n\n[zoom turn 2]\n{second.text}"
        resp = self._response(item, second, raw, latency1 + latency2, cached1 and cached2)
        resp.input_tokens += first.input_tokens
        resp.output_tokens += first.output_tokens
        resp.cost_usd = self.endpoint.cost(resp.input_tokens, resp.output_tokens)
        resp.zoom_boxes = boxes
        return resp

    async def _correct(self, item: Item, resp: Response) -> Response:
        """Ask the structure-correction model to put an unparseable answer into the format."""
        assert self.corrector is not None
        fmt = self.s.output_format
        key = self.corrector.key(
            purpose="structure_correction",
            template_hash=render.correction_hash(fmt),
            attribute=item.attribute,
            output_format=fmt,
            raw_sha=_sha(resp.raw),
        )

        async def build() -> tuple[list[Message], dict[str, Any] | None]:
            return render.build_correction_messages(item.attribute, fmt, resp.raw), self._response_format(item)

        try:
            completion, _, cached = await self.corrector.cached_send(key, build)
        except (RetryableError, FatalRequestError) as e:
            resp.reason = f"{resp.reason}; structure correction failed: {e}"
            return resp
        status, parsed, _ = classify(completion, item.attribute, fmt)
        if not cached:
            self.stats.correction_input_tokens += completion.input_tokens
            self.stats.correction_output_tokens += completion.output_tokens
            self.stats.correction_cost_usd += self.corrector.cost(completion.input_tokens, completion.output_tokens)
            self.corrector.cache.put(
                key,
                status="answered" if status == "answered" else "unparseable",
                raw=completion.text,
                finish_reason=completion.finish_reason,
                input_tokens=completion.input_tokens,
                output_tokens=completion.output_tokens,
                meta={"item_id": item.item_id, "attribute": item.attribute, "purpose": "structure_correction"},
            )
        if status != "answered":
            resp.reason = f"{resp.reason}; structure correction found no guesses either"
            return resp
        return resp.model_copy(
            update={
                "status": "answered",
                "guesses": parsed.guesses,
                "inference": parsed.inference or resp.inference,
                "reason": None,
                "corrected": True,
            }
        )

    # -- responses -------------------------------------------------------------------------
    def _response(self, item: Item, c: Completion, raw: str, latency: float, cached: bool) -> Response:
        status, parsed, reason = classify(c, item.attribute, self.s.output_format)
        return Response(
            item_id=item.item_id,
            image_id=item.image_id,
            attribute=item.attribute,
            status=status,  # type: ignore[arg-type]
            guesses=parsed.guesses,
            inference=parsed.inference,
            raw=raw,
            reason=reason,
            input_tokens=c.input_tokens,
            output_tokens=c.output_tokens,
            latency_s=round(latency, 4),
            cost_usd=self.endpoint.cost(c.input_tokens, c.output_tokens),
            cached=cached,
        )

    def _error(self, item: Item, reason: str) -> Response:
        return Response(
            item_id=item.item_id, image_id=item.image_id, attribute=item.attribute, status="error", reason=reason
        )
