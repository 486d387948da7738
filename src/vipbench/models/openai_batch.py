"""Batch mode of the `openai` kind (`batch: true`): OpenAI's files and batches endpoints.

`OpenAIBatchClient` uploads a batch input file (`POST /files`, purpose "batch"), creates the
batch (`POST /batches`), reads its status and downloads its output and error files, with the
same client, key and headers as the model's chat requests; `batch_transport` puts it under the
engine as a `BatchAPI` transport (`inference.batches`), whose ledger lives beside the response
cache. Request bodies are the ones the chat requests would send (`OpenAIBackend.body`), so a
batch answer enters the cache under the same key and a later run without `batch` asks nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

from vipbench.inference.backend import Completion, FatalRequestError, Options, Request, RetryableError
from vipbench.inference.batches import BatchAPI, BatchLedger, BatchLimits, BatchStatus

if TYPE_CHECKING:
    from vipbench.inference.cache import ResponseCache


class OpenAIBackend(Protocol):
    """What batch mode needs of the `openai` kind's backend: its client, and the chat request body."""

    def _get_client(self) -> Any: ...

    def body(self, messages: list[dict[str, Any]], options: Options) -> dict[str, Any]: ...


class OpenAISpec(Protocol):
    """The `openai` kind's spec fields that batch mode reads."""

    model: str
    batch_window: str
    batch_max_requests: int
    batch_max_bytes: int
    batch_poll_s: float
    batch_poll_max_s: float
    batch_resubmits: int

    @property
    def endpoint_url(self) -> str: ...

_WINDOWS = {"24h": 24 * 3600.0}


def _mapped(e: Exception) -> Exception:
    """An openai exception as the engine's retryable or fatal error."""
    import openai

    if isinstance(e, (openai.APITimeoutError, openai.APIConnectionError)):
        return RetryableError(str(e))
    if isinstance(e, openai.APIStatusError):
        code = e.status_code
        if code == 429 or code >= 500 or code in (408, 409):
            return RetryableError(f"HTTP {code}: {e.message}")
        return FatalRequestError(f"HTTP {code}: {e.message}")
    return e


class OpenAIBatchClient:
    """`inference.batches.BatchClient` over the openai package."""

    def __init__(self, backend: OpenAIBackend, window: str = "24h") -> None:
        self.backend = backend
        self.window = window

    async def _call(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return await fn(*args, **kwargs)
        except Exception as e:
            mapped = _mapped(e)
            if mapped is e:
                raise
            raise mapped from e

    async def upload(self, data: bytes) -> str:
        client = self.backend._get_client()
        got = await self._call(client.files.create, file=("batch.jsonl", data, "application/jsonl"), purpose="batch")
        return str(got.id)

    async def create(self, input_file_id: str, metadata: dict[str, str]) -> str:
        client = self.backend._get_client()
        got = await self._call(
            client.batches.create,
            input_file_id=input_file_id,
            endpoint="/v1/chat/completions",
            completion_window=self.window,
            metadata=metadata,
        )
        return str(got.id)

    async def find(self, input_file_id: str) -> str | None:
        client = self.backend._get_client()
        page = await self._call(client.batches.list, limit=100)
        for b in page.data:
            if b.input_file_id == input_file_id:
                return str(b.id)
        return None

    async def retrieve(self, batch_id: str) -> BatchStatus:
        got = await self._call(self.backend._get_client().batches.retrieve, batch_id)
        errors = [f"{e.code}: {e.message}" for e in (got.errors.data or [])] if got.errors else []
        return BatchStatus(got.status, got.output_file_id, got.error_file_id, errors)

    async def download(self, file_id: str) -> bytes:
        got = await self._call(self.backend._get_client().files.content, file_id)
        return bytes(got.content)


def batch_transport(
    spec: OpenAISpec,
    backend: OpenAIBackend,
    cache: ResponseCache,
    parse: Callable[[dict[str, Any]], Completion],
    wait: bool = True,
) -> BatchAPI:
    """The transport of a `batch: true` run: batches of its uncached requests, ledger beside the cache.

    `parse` reads a chat completion body (`openai_api.completion_from_body`). Without `wait`,
    each batch is checked once and an unfinished one is left for the next run.
    """
    def body(request: Request) -> dict[str, Any]:
        return backend.body(request.messages, request.options)

    limits = BatchLimits(
        max_requests=spec.batch_max_requests,
        max_bytes=spec.batch_max_bytes,
        poll_s=spec.batch_poll_s,
        poll_max_s=max(spec.batch_poll_s, spec.batch_poll_max_s),
        deadline_s=_WINDOWS.get(spec.batch_window, 24 * 3600.0) + 2 * 3600.0,
        resubmits=spec.batch_resubmits,
    )
    ledger = BatchLedger(cache.path.parent / "batches", spec.endpoint_url.rstrip("/"), spec.model)
    return BatchAPI(OpenAIBatchClient(backend, spec.batch_window), ledger, body, parse, limits, wait=wait)
