"""The engine: items in, classified responses out, the same way for every backend.

It owns, once for all backends:

- prompt rendering (the variant's messages; images as data URLs for API backends, as pixels
  beside placeholder parts for local ones);
- the chain of zoom: turn 1, the crops it asks for (widened), turn 2, and the combined raw text;
- classification into answered / refused / unparseable, and status "error" for failures;
- structure correction of unparseable answers by a second model;
- the response cache and accounting, through one `Gateway` per model;
- progress: a callback per finished item.

Retries and limits live in the transport under each gateway: `Endpoint` (API backends) or
`Batcher` (local batch backends). The engine works on items concurrently; with a batcher it
works on all of them at once, so their requests meet in batches.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vipbench.core.records import Item, Response
from vipbench.imaging.images import ImageError
from vipbench.imaging.zoom import Box, parse_boxes, widen_box
from vipbench.inference.accounting import EngineStats
from vipbench.inference.backend import (
    Completion,
    FatalRequestError,
    ImageRef,
    Message,
    Options,
    Request,
    RetryableError,
)
from vipbench.inference.budget import BudgetExceeded
from vipbench.inference.classify import classify
from vipbench.inference.gateway import Build, Call, Gateway, StatusOf
from vipbench.inference.images import PLACEHOLDER_URL, Images
from vipbench.prompts import render

log = logging.getLogger(__name__)

#: separates the two turns of the chain of zoom in a response's raw text
ZOOM_TURN_2 = "[zoom turn 2]"


@dataclass
class EngineSettings:
    variant: str
    output_format: str
    data_dir: Path
    max_side: int = 1024
    image_detail: str = "auto"
    jpeg_quality: int = 90
    #: items worked on at once; None lets the transport decide
    workers: int | None = None
    #: the setting that cuts an answer off, named in the reason of a truncated unparseable answer
    token_limit: str = "max_tokens"


class Engine:
    """Answers items through a model's gateway (and an optional structure-correction gateway)."""

    def __init__(
        self,
        settings: EngineSettings,
        model: Gateway,
        corrector: Gateway | None = None,
        progress: Callable[[Response], None] | None = None,
    ) -> None:
        if settings.variant not in render.VARIANTS:
            raise ValueError(f"unknown prompt variant {settings.variant!r}; known: {', '.join(render.VARIANTS)}")
        self.s = settings
        self.model = model
        self.corrector = corrector
        self.progress = progress
        self.stats = EngineStats()
        self.images = Images(settings.max_side, settings.jpeg_quality)
        self._pixels = model.transport.image_mode == "pixels"
        self._template = render.template_hash(settings.variant, settings.output_format)

    # -- running ---------------------------------------------------------------------------
    async def run(self, items: Sequence[Item], emit: Callable[[Response], None] | None = None) -> list[Response]:
        """Answer every item; one Response each, in completion order.

        With `emit`, each response is handed to it as it finishes and none is kept (the returned
        list is empty): a caller that writes them to disk holds no run's worth of responses.
        """
        t0 = time.perf_counter()
        pending = iter(items)  # read as the workers go: `items` may be a file on disk
        out: list[Response] = []
        hand_over = emit if emit is not None else out.append
        transport = self.model.transport

        async def worker() -> None:
            while (item := next(pending, None)) is not None:
                async with transport.flow():
                    resp = await self.answer(item)
                self.stats.add(resp)
                if self.progress is not None:
                    self.progress(resp)
                hand_over(resp)

        n_workers = self.s.workers or transport.workers(len(items))
        await asyncio.gather(*(worker() for _ in range(min(n_workers, max(1, len(items))))))
        self._account(time.perf_counter() - t0)
        return out

    def _account(self, wall_s: float) -> None:
        st, main, corr = self.stats, self.model, self.corrector
        st.requests = main.transport.requests
        st.retries = main.transport.retries + (corr.transport.retries if corr else 0)
        st.cache_hits = main.usage.cache_hits
        st.input_tokens = main.usage.input_tokens
        st.output_tokens = main.usage.output_tokens
        st.cost_usd = main.usage.cost_usd
        st.latencies_s = list(main.usage.latencies_s)
        if corr is not None:
            st.correction_requests = corr.transport.requests
            st.correction_input_tokens = corr.usage.input_tokens
            st.correction_output_tokens = corr.usage.output_tokens
            st.correction_cost_usd = corr.usage.cost_usd
        st.wall_s = wall_s

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
        except (FatalRequestError, RetryableError, BudgetExceeded) as e:
            return self._error(item, str(e))
        except Exception as e:  # a bug must not sink the whole run; finished items are cached
            log.exception("unexpected error on item %s", item.item_id)
            return self._error(item, f"unexpected {type(e).__name__}: {e}")
        if resp.status == "unparseable" and self.corrector is not None:
            resp = await self._correct(item, resp)
        return resp

    # -- requests ---------------------------------------------------------------------------
    def _key(self, item: Item, image_hash: str, **extra: Any) -> str:
        return self.model.key(
            template_hash=self._template,
            attribute=item.attribute,
            image_hash=image_hash,
            variant=self.s.variant,
            output_format=self.s.output_format,
            **extra,
        )

    def _options(self, item: Item) -> Options:
        fmt = self.s.output_format
        point = render.wants_point(self.s.variant, item.attribute)
        return Options(render.response_format(item.attribute, point) if fmt == "json" else None)

    async def _image_urls(self, path: Path, boxes: list[Box] | None = None) -> tuple[list[str], list[ImageRef]]:
        """The image (or with `boxes`, its crops) as URLs for the messages, and the refs for pixels."""
        if self._pixels:
            refs = [ImageRef(path, b) for b in boxes] if boxes is not None else [ImageRef(path)]
            return [PLACEHOLDER_URL] * len(refs), refs
        if boxes is not None:
            return await self.images.crop_urls(path, boxes), []
        return [await self.images.data_url(path)], []

    def _status(self, item: Item) -> StatusOf:
        return lambda c: classify(c, item.attribute, self.s.output_format, self.s.token_limit)[0]

    async def _call(self, key: str, item: Item, build: Build, status_of: StatusOf) -> Call:
        meta = {"item_id": item.item_id, "image": item.image, "attribute": item.attribute}
        return await self.model.call(key, build, status_of, meta)

    async def _single(self, item: Item, path: Path, image_hash: str) -> Response:
        async def build() -> Request:
            (url,), refs = await self._image_urls(path)
            messages = render.build_messages(
                item, self.s.variant, self.s.output_format, url, detail=self.s.image_detail
            )
            return Request(messages, self._options(item), refs)

        call = await self._call(self._key(item, image_hash), item, build, self._status(item))
        return self._response(item, call.completion, call.completion.text, call.latency_s, call.cached)

    async def _zoom(self, item: Item, path: Path, image_hash: str) -> Response:
        """The chain of zoom: turn 1 may ask for crops; if it does, turn 2 shows them and answers."""
        fmt = self.s.output_format
        turn1: list[Message] = []
        refs1: list[ImageRef] = []

        async def build1() -> Request:
            (url,), refs = await self._image_urls(path)
            turn1[:] = render.build_messages(item, "zoom", fmt, url, detail=self.s.image_detail)
            refs1[:] = refs
            return Request(turn1, Options(), refs)  # turn 1 is free text: it may ask for crops instead

        def status1(c: Completion) -> str:
            status = classify(c, item.attribute, fmt, self.s.token_limit)[0]
            return "answered" if status == "unparseable" and parse_boxes(c.text) else status  # crops asked for

        first = await self._call(self._key(item, image_hash, turn=1), item, build1, status1)
        status, _, _ = classify(first.completion, item.attribute, fmt, self.s.token_limit)
        boxes = [widen_box(b) for b in parse_boxes(first.completion.text)] if status != "refused" else []
        if not boxes:
            return self._response(item, first.completion, first.completion.text, first.latency_s, first.cached)

        async def build2() -> Request:
            if not turn1:
                await build1()
            urls, refs = await self._image_urls(path, boxes)
            messages = render.build_zoom_turn2(
                item, fmt, turn1, first.completion.text, urls, detail=self.s.image_detail
            )
            return Request(messages, self._options(item), [*refs1, *refs])

        key2 = self._key(item, image_hash, turn=2, turn1_sha=_sha(first.completion.text), boxes=boxes)
        second = await self._call(key2, item, build2, self._status(item))
        raw = f"{first.completion.text}\n\n{ZOOM_TURN_2}\n{second.completion.text}"
        latency = first.latency_s + second.latency_s
        resp = self._response(item, second.completion, raw, latency, first.cached and second.cached)
        resp.input_tokens += first.completion.input_tokens
        resp.output_tokens += first.completion.output_tokens
        resp.cost_usd = self.model.cost(resp.input_tokens, resp.output_tokens)
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

        async def build() -> Request:
            return Request(render.build_correction_messages(item.attribute, fmt, resp.raw), self._options(item))

        def status_of(c: Completion) -> str:
            return "answered" if classify(c, item.attribute, fmt)[0] == "answered" else "unparseable"

        meta = {"item_id": item.item_id, "attribute": item.attribute, "purpose": "structure_correction"}
        try:
            call = await self.corrector.call(key, build, status_of, meta)
        except (FatalRequestError, RetryableError, BudgetExceeded) as e:
            resp.reason = f"{resp.reason}; structure correction failed: {e}"
            return resp
        status, parsed, _ = classify(call.completion, item.attribute, fmt)
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

    # -- responses --------------------------------------------------------------------------
    def _response(self, item: Item, c: Completion, raw: str, latency: float, cached: bool) -> Response:
        status, parsed, reason = classify(c, item.attribute, self.s.output_format, self.s.token_limit)
        return Response(
            item_id=item.item_id,
            image_id=item.image_id,
            attribute=item.attribute,
            status=status,  # type: ignore[arg-type]
            guesses=parsed.guesses,
            inference=parsed.inference,
            point=parsed.point if status == "answered" else None,
            raw=raw,
            reason=reason,
            input_tokens=c.input_tokens,
            output_tokens=c.output_tokens,
            latency_s=round(latency, 4),
            cost_usd=self.model.cost(c.input_tokens, c.output_tokens),
            cached=cached,
        )

    def _error(self, item: Item, reason: str) -> Response:
        return Response(
            item_id=item.item_id, image_id=item.image_id, attribute=item.attribute, status="error", reason=reason
        )


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
