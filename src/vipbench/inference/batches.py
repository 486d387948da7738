"""A provider's batch API as a transport: the engine's uncached requests go out as batch files.

The engine works on every item at once; each uncached request waits here as one line of a batch
input file (`custom_id` is its cache key). When every item in progress waits (or is done), a
round starts (see `rounds`): its lines are split into batches within the provider's limits
(requests and bytes per file), each batch is uploaded and created, and every batch is polled
with exponential backoff (tenacity) until it ends. Its output and error files are then read and
each line is mapped back to its request by `custom_id`: an answer goes to the gateway (which
classifies and caches it as any answer), an error line fails its request (status "error",
never cached, so a re-run asks again). A batch that expired, failed or was cancelled sends the
requests it left unanswered again, in a new batch, at most `resubmits` times.

The ledger (`BatchLedger`, one small JSON file per batch beside the response cache) records a
batch's input file before the batch is created and its id right after, and is cleared only when
the batch's results have been handed over. A process killed while it waits therefore resumes
polling the same batch on the next run instead of submitting its requests again; a crash between
the upload and the creation is caught by looking the input file up among the provider's batches.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import tempfile
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, Any, Protocol

from vipbench.core.errors import BATCH_PENDING
from vipbench.core.io import write_json
from vipbench.inference.backend import Build, Completion, FatalRequestError, Request, RetryableError
from vipbench.inference.rounds import Rounds, Slot

log = logging.getLogger(__name__)

#: statuses after which a batch changes no more
TERMINAL = frozenset({"completed", "failed", "expired", "cancelled"})


@dataclass
class BatchStatus:
    status: str
    output_file_id: str | None = None
    error_file_id: str | None = None
    #: why a failed batch failed
    errors: list[str] = field(default_factory=list)


class BatchClient(Protocol):
    """The provider's files and batches endpoints."""

    async def upload(self, data: bytes) -> str: ...

    async def create(self, input_file_id: str, metadata: dict[str, str]) -> str: ...

    async def find(self, input_file_id: str) -> str | None:
        """The batch already created over `input_file_id`, if any."""
        ...

    async def retrieve(self, batch_id: str) -> BatchStatus: ...

    async def download(self, file_id: str) -> bytes: ...


@dataclass
class BatchLimits:
    max_requests: int = 50_000
    max_bytes: int = 200_000_000
    #: the first wait between status checks, and the longest
    poll_s: float = 30.0
    poll_max_s: float = 600.0
    #: give up waiting after this long (the batch stays in the ledger; a re-run polls it again)
    deadline_s: float = 26 * 3600.0
    resubmits: int = 2


@dataclass
class LedgerEntry:
    endpoint: str
    model: str
    keys: list[str]
    input_file_id: str
    batch_id: str | None = None
    created_at: float = field(default_factory=time.time)
    local_id: str = field(default_factory=lambda: uuid.uuid4().hex)


class BatchLedger:
    """Batches submitted and not yet collected: one JSON file each in `directory`."""

    def __init__(self, directory: Path, endpoint: str, model: str) -> None:
        self.dir = directory
        self.endpoint, self.model = endpoint, model

    def pending(self) -> list[LedgerEntry]:
        out = []
        for f in sorted(self.dir.glob("*.json")) if self.dir.is_dir() else []:
            try:
                e = LedgerEntry(**json.loads(f.read_text(encoding="utf-8")))
            except (OSError, ValueError, TypeError):
                continue
            if (e.endpoint, e.model) == (self.endpoint, self.model):
                out.append(e)
        return out

    def save(self, entry: LedgerEntry) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        write_json(self.dir / f"{entry.local_id}.json", asdict(entry))

    def done(self, entry: LedgerEntry) -> None:
        (self.dir / f"{entry.local_id}.json").unlink(missing_ok=True)


@dataclass
class _Slot(Slot):
    #: where the request's line is in the spool file
    offset: int = 0
    size: int = 0
    tries: int = 0


#: one output line read back: a completion, or why the request failed
Outcome = Completion | FatalRequestError


class BatchAPI(Rounds[_Slot]):
    """The transport of a model with `batch: true` (see the module docstring)."""

    image_mode = "data_url"

    def __init__(
        self,
        client: BatchClient,
        ledger: BatchLedger,
        body: Callable[[Request], dict[str, Any]],
        parse: Callable[[dict[str, Any]], Completion],
        limits: BatchLimits | None = None,
        url: str = "/v1/chat/completions",
        wait: bool = True,
    ) -> None:
        super().__init__()
        #: False: check each batch once, and leave the unfinished ones for a later run
        self.wait = wait
        self.client = client
        self.ledger = ledger
        self.body = body
        self.parse = parse
        self.limits = limits or BatchLimits()
        self.url = url
        #: the lines of waiting requests, on disk: a run's worth of images is not held in memory
        self._spool: IO[bytes] | None = None
        #: requests handed to the provider (resubmissions included), and resubmissions
        self.requests = 0
        self.retries = 0
        #: batches created by this process
        self.created: list[str] = []

    # -- what the engine asks of a transport ----------------------------------------------------
    async def send(self, key: str, build: Build) -> tuple[Completion, float, bool]:
        slot = self._slots.get(key)
        if slot is not None:
            self._waiting += 1
            self._kick()
            try:
                completion, latency = await asyncio.shield(slot.future)
            finally:
                self._waiting -= 1
            return completion, latency, True
        slot = self._slots[key] = _Slot(key, asyncio.get_running_loop().create_future())
        try:
            request = await build()
            line = {"custom_id": key, "method": "POST", "url": self.url, "body": self.body(request)}
            del request
            self._write(slot, (json.dumps(line, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8"))
            del line
        except BaseException:
            del self._slots[key]
            if not slot.future.done():
                slot.future.cancel()
            raise
        self._queue.append(slot)
        self._waiting += 1
        self._kick()
        try:
            completion, latency = await slot.future
        finally:
            self._waiting -= 1
        return completion, latency, False

    # -- the spool ------------------------------------------------------------------------------
    def _write(self, slot: _Slot, data: bytes) -> None:
        if self._spool is None:
            self._spool = tempfile.TemporaryFile(prefix="vipbench-batch-")  # noqa: SIM115 - closed in aclose
        slot.offset = self._spool.seek(0, os.SEEK_END)
        slot.size = len(data)
        self._spool.write(data)

    def _lines(self, slots: list[_Slot]) -> bytes:
        assert self._spool is not None
        out = []
        for s in slots:
            self._spool.seek(s.offset)
            out.append(self._spool.read(s.size))
        return b"".join(out)

    async def aclose(self) -> None:
        if self._spool is not None:
            self._spool.close()
            self._spool = None

    # -- rounds ---------------------------------------------------------------------------------
    async def _run_round(self) -> None:
        slots, self._queue = self._queue, []
        try:
            by_key = {s.key: s for s in slots}
            jobs = []
            for entry in self.ledger.pending():  # submitted by an earlier process: poll, not resend
                mine = [by_key.pop(k) for k in entry.keys if k in by_key]
                if mine:
                    log.info("resuming batch %s (%d of its requests)", entry.batch_id or entry.input_file_id, len(mine))
                    jobs.append(self._guarded(mine, entry))
            jobs += [self._guarded(chunk) for chunk in self._split(list(by_key.values()))]
            await asyncio.gather(*jobs)
        except BaseException as e:  # a bug must not leave items waiting for ever
            self._fail(slots, e)
            if not isinstance(e, Exception):
                raise
        finally:
            self._round = None
            self._kick()

    async def _guarded(self, slots: list[_Slot], entry: LedgerEntry | None = None) -> None:
        """Submit (unless `entry` exists) and collect one batch; its failure fails its requests only.

        A batch that fails this way stays in the ledger, so a re-run polls it again.
        """
        try:
            await self._collect(entry or await self._submit(slots), slots)
        except Exception as e:
            self._fail(slots, e)

    def _fail(self, slots: list[_Slot], e: BaseException) -> None:
        error = e if isinstance(e, FatalRequestError) else FatalRequestError(f"batch: {type(e).__name__}: {e}")
        for slot in slots:
            self._resolve(slot, error=error)

    def _split(self, slots: list[_Slot]) -> list[list[_Slot]]:
        """Consecutive chunks within the request and byte limits of one batch."""
        chunks: list[list[_Slot]] = []
        size = 0
        lim = self.limits
        for slot in slots:
            if not chunks or len(chunks[-1]) >= lim.max_requests or size + slot.size > lim.max_bytes:
                chunks.append([])
                size = 0
            chunks[-1].append(slot)
            size += slot.size
        return chunks

    async def _submit(self, chunk: list[_Slot]) -> LedgerEntry:
        file_id = await self.client.upload(self._lines(chunk))
        entry = LedgerEntry(self.ledger.endpoint, self.ledger.model, [s.key for s in chunk], file_id)
        self.ledger.save(entry)  # before the creation: a crash now is caught by `find`
        entry.batch_id = await self.client.create(file_id, {"vipbench_ledger": entry.local_id})
        self.ledger.save(entry)
        self.created.append(entry.batch_id)
        self.requests += len(chunk)
        for s in chunk:
            s.tries += 1
        log.info("batch %s created with %d requests", entry.batch_id, len(chunk))
        return entry

    async def _wait(self, batch_id: str) -> BatchStatus:
        """The batch's final status, checked with exponential backoff until it ends."""
        from tenacity import (
            AsyncRetrying,
            RetryError,
            retry_if_exception_type,
            retry_if_result,
            stop_after_delay,
            wait_exponential,
        )

        lim = self.limits
        retrying = AsyncRetrying(
            retry=retry_if_result(lambda st: st.status not in TERMINAL) | retry_if_exception_type(RetryableError),
            wait=wait_exponential(multiplier=lim.poll_s, min=lim.poll_s, max=lim.poll_max_s),
            stop=stop_after_delay(lim.deadline_s),
            reraise=True,
        )
        try:
            status: BatchStatus = await retrying(self.client.retrieve, batch_id)
        except RetryError as e:
            raise FatalRequestError(
                f"batch {batch_id} did not end within {lim.deadline_s:g}s; run again to resume waiting for it"
            ) from e
        if status.status not in TERMINAL:
            raise FatalRequestError(
                f"batch {batch_id} did not end within {lim.deadline_s:g}s; run again to resume waiting for it"
            )
        return status

    async def _collect(self, entry: LedgerEntry, slots: list[_Slot]) -> None:
        """Wait for `entry`'s batch, hand its answers over, and resend what it left unanswered."""
        started = time.perf_counter()
        if entry.batch_id is None:  # created, or not, just before a crash
            entry.batch_id = await self.client.find(entry.input_file_id)
            if entry.batch_id is None:
                entry.batch_id = await self.client.create(entry.input_file_id, {"vipbench_ledger": entry.local_id})
                self.created.append(entry.batch_id)
                self.requests += len(slots)
            self.ledger.save(entry)
        status = await self._wait(entry.batch_id) if self.wait else await self.client.retrieve(entry.batch_id)
        if status.status not in TERMINAL:  # not waiting: the ledger keeps it for the next run
            raise FatalRequestError(f"{BATCH_PENDING}: batch {entry.batch_id} is {status.status}; run again later")
        results: dict[str, Outcome] = {}
        for file_id in (status.output_file_id, status.error_file_id):
            if file_id:
                results.update(self._read(await self.client.download(file_id)))
        latency = (time.perf_counter() - started) / max(1, len(slots))
        left = []
        for slot in slots:
            got = results.get(slot.key)
            if isinstance(got, Completion):
                self._resolve(slot, result=(got, latency))
            elif isinstance(got, FatalRequestError) and not _unanswered(got):
                self._resolve(slot, error=got)
            else:
                left.append(slot)
        self.ledger.done(entry)
        if not left:
            return
        why = f"batch {entry.batch_id} {status.status}" + (f": {'; '.join(status.errors)}" if status.errors else "")
        retry = [s for s in left if s.tries <= self.limits.resubmits]
        for s in left:
            if s not in retry:
                self._resolve(s, error=FatalRequestError(f"{why}; no answer after {s.tries} batch(es)"))
        if retry:
            log.warning("%s: sending %d unanswered request(s) again", why, len(retry))
            self.retries += len(retry)
            await asyncio.gather(*(self._guarded(c) for c in self._split(retry)))

    def _read(self, data: bytes) -> dict[str, Outcome]:
        return {key: self.outcome(line) for _, key, line in keyed_lines(data.splitlines()) if key is not None}

    def outcome(self, line: dict[str, Any]) -> Outcome:
        """One line of an output or error file: the completion, or the error it reports."""
        return read_line(line, self.parse)


class _Unanswered(FatalRequestError):
    """A line the provider never processed (the batch expired or was cancelled first)."""


def _unanswered(e: FatalRequestError) -> bool:
    return isinstance(e, _Unanswered)


#: error codes of lines a batch left unprocessed rather than failed
_NOT_PROCESSED = frozenset({"batch_expired", "batch_cancelled"})


def keyed_lines(lines: Iterable[str | bytes]) -> Iterator[tuple[int, str | None, Any]]:
    """(line number, custom_id, line) of each non-blank line of a batch output or error file; the
    custom_id is None (and the line too) where the line is not JSON with one."""
    for n, raw in enumerate(lines, 1):
        if not raw.strip():
            continue
        try:
            line = json.loads(raw)
            key = str(line["custom_id"])
        except (ValueError, KeyError, TypeError):
            line, key = None, None
        yield n, key, line


def read_line(line: dict[str, Any], parse: Callable[[dict[str, Any]], Completion]) -> Outcome:
    """A batch output or error line (OpenAI's format, which vLLM's run-batch writes too)."""
    error = line.get("error")
    if error:
        code = str(error.get("code") or "") if isinstance(error, dict) else ""
        message = error.get("message") if isinstance(error, dict) else str(error)
        cls = _Unanswered if code in _NOT_PROCESSED else FatalRequestError
        return cls(f"batch line failed: {code or 'error'}: {message}")
    response = line.get("response") or {}
    status = int(response.get("status_code") or 0)
    body = response.get("body")
    if status != 200:
        inner = body.get("error", body) if isinstance(body, dict) else body
        message = inner.get("message") if isinstance(inner, dict) else str(inner)
        return FatalRequestError(f"HTTP {status}: {message}")
    try:
        return parse(body)
    except RetryableError as e:
        return FatalRequestError(str(e))
