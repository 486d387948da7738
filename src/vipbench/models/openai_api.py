"""The `openai` model kind: any OpenAI-compatible chat endpoint (OpenAI, Azure OpenAI, vLLM,
Ollama, LM Studio, OpenRouter, Google's and Anthropic's compatibility endpoints).

The API key is read from the environment variable named by `api_key_env` when the run starts.
It is never stored in the spec, the cache, the responses or any log. A server without
authentication (a local vLLM or Ollama, say) works without the variable: the client then sends
the placeholder key "EMPTY". The real OpenAI endpoint (no `base_url`) requires it.

`openai` is imported only when a run starts, so loading params.yaml stays fast.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import email.utils
import json
import os
import time
from collections.abc import Callable, Coroutine, Iterator, Sequence
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from pydantic import Field

from vipbench.core.errors import ConfigError
from vipbench.core.records import Item, Response
from vipbench.inference.specs import EndpointSpec, check_env_name  # noqa: F401  (re-exported)
from vipbench.models.registry import ModelSpec, RunContext, register

if TYPE_CHECKING:
    from openai import AsyncOpenAI

    from vipbench.inference.engine import Completion, EndpointConfig, EngineStats, SendFn

OPENAI_DEFAULT_BASE_URL = "https://api.openai.com/v1"
PLACEHOLDER_KEY = "EMPTY"
T = TypeVar("T")


class CorrectionSpec(EndpointSpec):
    """The structure-correction model: a second OpenAI-compatible endpoint, text only."""

    max_concurrency: int = Field(4, ge=1, le=1024)
    max_tokens: int = Field(400, ge=1)


class OpenAISpec(ModelSpec, EndpointSpec):
    """A model behind an OpenAI-compatible chat-completions API."""

    kind: Literal["openai"] = "openai"
    seed: int | None = None
    image_detail: Literal["auto", "low", "high"] = "auto"
    structure_correction: CorrectionSpec | None = None


# -- secrets ----------------------------------------------------------------------------------


def resolve_api_key(api_key_env: str, base_url: str | None) -> str:
    """The key from the environment; "EMPTY" for a custom endpoint when the variable is unset."""
    key = os.environ.get(api_key_env)
    if key:
        return key
    if base_url is None:
        raise ConfigError(
            f"the environment variable {api_key_env} is not set; it must hold the API key for "
            f"{OPENAI_DEFAULT_BASE_URL} (set it, or name another variable with api_key_env)"
        )
    return PLACEHOLDER_KEY


# -- one request ------------------------------------------------------------------------------


def parse_retry_after(headers: Any) -> float | None:
    """Seconds to wait from `retry-after-ms` or `Retry-After` (seconds or an HTTP date)."""
    if headers is None:
        return None
    ms = headers.get("retry-after-ms")
    if ms is not None:
        try:
            return max(0.0, float(ms) / 1000.0)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _error_message(e: Any) -> str:
    body = getattr(e, "body", None)
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict) and inner.get("message"):
            return str(inner["message"])[:300]
    return str(getattr(e, "message", e))[:300]


def _is_content_filter(e: Any) -> bool:
    """Azure OpenAI answers a flagged prompt with 400 and code "content_filter"."""
    body = getattr(e, "body", None)
    inner = body.get("error", body) if isinstance(body, dict) else None
    return isinstance(inner, dict) and inner.get("code") == "content_filter"


def make_send(
    client: Callable[[], AsyncOpenAI],
    model: str,
    temperature: float,
    max_tokens: int,
    seed: int | None,
    timeout: float,
) -> SendFn:
    """A `send` coroutine for the engine that maps openai errors to retryable / fatal ones.

    `client` returns the AsyncOpenAI client; it is called at the first request only.
    """
    import openai

    from vipbench.inference.engine import Completion, FatalRequestError, RetryableError

    async def send(messages: list[dict[str, Any]], response_format: dict[str, Any] | None) -> Completion:
        kwargs: dict[str, Any] = {
            "model": model,
            "messages": messages,
            "temperature": temperature,
            "max_tokens": max_tokens,
        }
        if seed is not None:
            kwargs["seed"] = seed
        if response_format is not None:
            kwargs["response_format"] = response_format
        try:
            # client.post is the client's documented way to send a raw body and read a raw reply.
            # The messages are already in wire format: create() would first walk them against its
            # TypedDicts and then build a ChatCompletion model, about 1.5 ms of CPU per request
            # together, which is most of the engine's own overhead at high concurrency.
            body = await client().post("/chat/completions", cast_to=dict, body=kwargs)
        except openai.APITimeoutError as e:
            raise RetryableError(f"timed out after {timeout:g}s") from e
        except openai.APIConnectionError as e:
            raise RetryableError(f"connection error: {e}") from e
        except openai.APIStatusError as e:
            code = e.status_code
            if code == 429 or code >= 500 or code in (408, 409):
                raise RetryableError(f"HTTP {code}: {_error_message(e)}", parse_retry_after(e.response.headers)) from e
            if _is_content_filter(e):
                return Completion(text="", finish_reason="content_filter")
            raise FatalRequestError(f"HTTP {code}: {_error_message(e)}") from e
        except (json.JSONDecodeError, openai.APIResponseValidationError) as e:
            raise RetryableError(f"malformed response body: {e}") from e
        return completion_from_body(body)

    return send


def completion_from_body(body: Any) -> Completion:
    """A Completion from a chat-completion JSON body; RetryableError if it is not one."""
    from vipbench.inference.engine import Completion, RetryableError

    if not isinstance(body, dict):
        raise RetryableError(f"malformed response body: not a JSON object: {str(body)[:100]!r}")
    choices = body.get("choices")
    if not choices or not isinstance(choices, list) or not isinstance(choices[0], dict):
        raise RetryableError("the response has no choices")
    choice = choices[0]
    message = choice.get("message") or {}
    usage = body.get("usage") or {}
    content = message.get("content")
    if isinstance(content, list):  # some servers send content parts even for text
        content = "".join(p.get("text", "") for p in content if isinstance(p, dict))
    return Completion(
        text=content or "",
        refusal=message.get("refusal") or None,
        finish_reason=choice.get("finish_reason"),
        input_tokens=int(usage.get("prompt_tokens") or 0),
        output_tokens=int(usage.get("completion_tokens") or 0),
    )


class _Clients:
    """AsyncOpenAI clients made on first use, so a fully cached run opens no connection at all."""

    def __init__(self) -> None:
        self._made: list[AsyncOpenAI] = []

    def lazy(self, base_url: str | None, api_key: str, timeout: float) -> Callable[[], AsyncOpenAI]:
        box: list[AsyncOpenAI] = []

        def get() -> AsyncOpenAI:
            if not box:
                import openai

                # Retries are the engine's (tenacity), so every attempt passes the rate limiter
                # again. The client's default pool (1000 connections, 100 kept alive) is ample.
                box.append(openai.AsyncOpenAI(base_url=base_url, api_key=api_key, timeout=timeout, max_retries=0))
                self._made.append(box[0])
            return box[0]

        return get

    async def aclose(self) -> None:
        for c in self._made:
            await c.close()


def _endpoint_config(spec: OpenAISpec | CorrectionSpec, max_tokens: int, params: dict[str, Any]) -> EndpointConfig:
    from vipbench.inference.engine import EndpointConfig

    return EndpointConfig(
        endpoint=spec.base_url or OPENAI_DEFAULT_BASE_URL,
        model=spec.model,
        params=params,
        max_concurrency=spec.max_concurrency,
        rpm=spec.rpm,
        tpm=getattr(spec, "tpm", None),
        max_retries=spec.max_retries,
        max_tokens=max_tokens,
        price_input_per_mtok=spec.price_input_per_mtok,
        price_output_per_mtok=spec.price_output_per_mtok,
    )


def run_sync(coro: Coroutine[Any, Any, T]) -> T:
    """asyncio.run in this thread, or in a helper thread when this thread already runs a loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


# -- the adapter ------------------------------------------------------------------------------


@register("openai", OpenAISpec)
class OpenAIAdapter:
    #: JPEG quality of the images sent (part of every cache key)
    jpeg_quality = 90

    def __init__(self, spec: OpenAISpec, ctx: RunContext) -> None:
        self.spec = spec
        self.ctx = ctx
        # Resolve keys now so a missing variable fails before any work; keep them out of the spec.
        self._key = resolve_api_key(spec.api_key_env, spec.base_url)
        sc = spec.structure_correction
        self._correction_key = resolve_api_key(sc.api_key_env, sc.base_url) if sc else None
        self.stats: EngineStats | None = None

    def generation_params(self) -> dict[str, Any]:
        s = self.spec
        return {
            "temperature": s.temperature,
            "max_tokens": s.max_tokens,
            "seed": s.seed,
            "image_detail": s.image_detail,
            "jpeg_quality": self.jpeg_quality,
        }

    def infer(self, items: Sequence[Item]) -> Iterator[Response]:
        """Answer all items (in the calling thread) and yield the responses in completion order."""
        yield from run_sync(self._run(items))

    async def _run(self, items: Sequence[Item]) -> list[Response]:
        from vipbench.inference.cache import ResponseCache
        from vipbench.inference.engine import Endpoint, Engine, EngineSettings

        s = self.spec
        cache = ResponseCache(self.ctx.cache_path)
        clients = _Clients()
        try:
            client = clients.lazy(s.base_url, self._key, s.timeout)
            send = make_send(client, s.model, s.temperature, s.max_tokens, s.seed, s.timeout)
            endpoint = Endpoint(_endpoint_config(s, s.max_tokens, self.generation_params()), send, cache)
            corrector = None
            sc = s.structure_correction
            if sc is not None and self._correction_key is not None:
                cclient = clients.lazy(sc.base_url, self._correction_key, sc.timeout)
                csend = make_send(cclient, sc.model, sc.temperature, sc.max_tokens, None, sc.timeout)
                cparams = {"temperature": sc.temperature, "max_tokens": sc.max_tokens}
                corrector = Endpoint(_endpoint_config(sc, sc.max_tokens, cparams), csend, cache)
            settings = EngineSettings(
                variant=s.prompt,
                output_format=s.output_format,
                data_dir=self.ctx.data_dir,
                max_side=self.ctx.max_side,
                image_detail=s.image_detail,
                jpeg_quality=self.jpeg_quality,
            )
            engine = Engine(settings, endpoint, corrector, progress=self.ctx.progress)
            try:
                return await engine.run(items)
            finally:
                self.stats = engine.stats
        finally:
            await clients.aclose()
            cache.close()

    def close(self) -> None:
        return None
