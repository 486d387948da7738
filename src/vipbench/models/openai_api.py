"""The `openai` model kind: any OpenAI-compatible chat endpoint (OpenAI, Azure OpenAI, vLLM,
Ollama, LM Studio, OpenRouter, Google's and Anthropic's compatibility endpoints).

The API key is read from the environment variable named by `api_key_env` when the run starts.
It is never stored in the spec, the cache, the responses or any log. A server without
authentication (a local vLLM or Ollama, say) works without the variable: the client then sends
the placeholder key "EMPTY". The real OpenAI endpoint (no `base_url`) requires it.

`OpenAIBackend` answers one request; `OpenAIAdapter` runs items through the engine with it (and
with a second backend for structure correction). The LLM judges use the same backend.
`openai` is imported only when a run starts, so loading params.yaml stays fast.
"""

from __future__ import annotations

import asyncio
import email.utils
import json
import logging
import os
import time
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from vipbench.core.errors import ConfigError
from vipbench.core.records import Item, Response
from vipbench.inference.backend import Completion, FatalRequestError, Message, Options, RetryableError
from vipbench.inference.specs import OPENAI_DEFAULT_BASE_URL, AzureSpec, EndpointSpec
from vipbench.models.openai_quirks import RequestQuirks, preset, refusal_of
from vipbench.models.registry import RunContext, register
from vipbench.models.specs import OpenAISpec

if TYPE_CHECKING:
    from openai import AsyncOpenAI

    from vipbench.inference.accounting import EngineStats
    from vipbench.inference.cache import ResponseCache
    from vipbench.inference.endpoint import Endpoint, EndpointConfig
    from vipbench.inference.gateway import Transport

log = logging.getLogger(__name__)

PLACEHOLDER_KEY = "EMPTY"
#: finish reasons that mean a provider's safety system blocked the answer: Gemini's own reasons
#: (passed through by its compatibility endpoint) and Anthropic's "refusal" stop reason
_BLOCKED = frozenset(
    {
        "content_filter",
        "safety",
        "recitation",
        "blocklist",
        "prohibited_content",
        "spii",
        "image_safety",
        "image_prohibited_content",
        "refusal",
    }
)


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


class OpenAIBackend:
    """One model behind an OpenAI-compatible chat-completions endpoint: builds the request body,
    sends it, maps failures to retryable or fatal ones, and reads the reply body.

    The client is made at the first request, so a fully cached run opens no connection at all.
    Its own retries are off (`max_retries=0`): the engine's endpoint retries, so that every
    attempt passes the rate limiter again.

    Request adaptation: when the server answers 400 `unsupported_parameter`/`unsupported_value`
    for a field it can do without (see `openai_quirks`), the body is adapted and sent again at
    once, inside the same attempt: such a 400 is neither an error nor a retry. Until one request
    has come back, requests go one at a time (the others wait), so each refusal is met once per
    (endpoint, model), not once per request in flight. `on_adapt` hears every new adaptation
    (the adapter stores them in the cache database for later runs).
    """

    #: the most adaptations one request may go through (each field at most once)
    max_adaptations = 4

    def __init__(
        self,
        *,
        base_url: str | None,
        api_key: str,
        timeout: float,
        model: str,
        temperature: float | None,
        max_tokens: int,
        seed: int | None = None,
        reasoning_effort: str | None = None,
        extra_body: dict[str, Any] | None = None,
        extra_headers: dict[str, str] | None = None,
        azure: AzureSpec | None = None,
        quirks: RequestQuirks | None = None,
    ) -> None:
        self.base_url = base_url
        self._api_key = api_key
        self.timeout = timeout
        self.model = model
        self.temperature = temperature
        self.max_tokens = max_tokens
        self.seed = seed
        self.reasoning_effort = reasoning_effort
        self.extra_body = dict(extra_body or {})
        self._headers = dict(extra_headers or {})
        self.azure = azure
        self.quirks = quirks or RequestQuirks()
        self.on_adapt: Callable[[RequestQuirks], None] | None = None
        #: requests sent again after an adaptation
        self.adaptations = 0
        self._settled = False
        self._probe: asyncio.Lock | None = None
        self._client: AsyncOpenAI | None = None

    @classmethod
    def from_spec(cls, spec: EndpointSpec, seed: int | None = None, offline: bool = False) -> OpenAIBackend:
        """A backend for `spec`, with the key read from its environment variable now (`offline`:
        a backend that only builds request bodies, for dry runs and batch files; it needs no key)."""
        return cls(
            base_url=spec.base_url,
            api_key=PLACEHOLDER_KEY if offline else resolve_api_key(spec.api_key_env, spec.base_url),
            timeout=spec.timeout,
            model=spec.model,
            temperature=spec.temperature,
            max_tokens=spec.max_tokens,
            seed=seed,
            reasoning_effort=spec.reasoning_effort,
            extra_body=spec.extra_body,
            extra_headers=spec.extra_headers,
            azure=spec.azure,
            quirks=preset(spec.model, spec.official, spec.temperature),
        )

    def __repr__(self) -> str:  # never shows the key or the headers
        return f"OpenAIBackend(model={self.model!r}, base_url={self.base_url!r})"

    def _get_client(self) -> AsyncOpenAI:
        if self._client is None:
            import openai

            # The client's default pool (1000 connections, 100 kept alive) is ample.
            common: dict[str, Any] = {
                "api_key": self._api_key,
                "timeout": self.timeout,
                "max_retries": 0,
                "default_headers": self._headers or None,
            }
            if self.azure is not None:
                self._client = openai.AsyncAzureOpenAI(
                    azure_endpoint=self.azure.endpoint,
                    azure_deployment=self.azure.deployment,
                    api_version=self.azure.api_version,
                    **common,
                )
            else:
                self._client = openai.AsyncOpenAI(base_url=self.base_url, **common)
        return self._client

    def body(self, messages: list[Message], options: Options) -> dict[str, Any]:
        """The request body as this model takes it (after the adaptations known so far)."""
        body: dict[str, Any] = {"model": self.model, "messages": messages, "max_tokens": self.max_tokens}
        if self.temperature is not None:
            body["temperature"] = self.temperature
        if self.seed is not None:
            body["seed"] = self.seed
        if self.reasoning_effort is not None:
            body["reasoning_effort"] = self.reasoning_effort
        if options.response_format is not None:
            body["response_format"] = options.response_format
        body.update(self.extra_body)
        return self.quirks.apply(body)

    async def generate(self, messages: list[Message], options: Options) -> Completion:
        if self._settled:
            return await self._send(messages, options)
        if self._probe is None:
            self._probe = asyncio.Lock()
        async with self._probe:  # until the server has answered once, one request at a time
            if self._settled:
                return await self._send(messages, options)
            try:
                completion = await self._send(messages, options)
            except FatalRequestError:
                self._settled = True  # the server answered; adapting will not help
                raise
            self._settled = True
            return completion

    async def _send(self, messages: list[Message], options: Options) -> Completion:
        import openai

        for _ in range(self.max_adaptations + 1):
            try:
                # client.post is the client's documented way to send a raw body and read a raw
                # reply. The messages are already in wire format: create() would first walk them
                # against its TypedDicts and then build a ChatCompletion model, about 1.5 ms of CPU
                # per request together, most of the engine's own overhead at high concurrency.
                reply = await self._get_client().post(
                    "/chat/completions", cast_to=dict, body=self.body(messages, options)
                )
            except openai.APITimeoutError as e:
                raise RetryableError(f"timed out after {self.timeout:g}s") from e
            except openai.APIConnectionError as e:
                raise RetryableError(f"connection error: {e}") from e
            except openai.APIStatusError as e:
                code = e.status_code
                if code == 429 or code >= 500 or code in (408, 409):
                    raise RetryableError(
                        f"HTTP {code}: {_error_message(e)}", parse_retry_after(e.response.headers)
                    ) from e
                if _is_content_filter(e):
                    return Completion(text="", finish_reason="content_filter")
                if code == 400 and self._adapt(e):
                    continue
                raise FatalRequestError(f"HTTP {code}: {_error_message(e)}") from e
            except (json.JSONDecodeError, openai.APIResponseValidationError) as e:
                raise RetryableError(f"malformed response body: {e}") from e
            return completion_from_body(reply)
        raise FatalRequestError(f"the endpoint kept refusing request fields: {self.quirks.to_json()}")

    def _adapt(self, e: Any) -> bool:
        change = self.quirks.adapt(*refusal_of(getattr(e, "body", None)))
        if change is None:
            return False
        self.adaptations += 1
        log.warning("%s at %s refused a request field; vipbench now %s", self.model, self.base_url or "", change)
        if self.on_adapt is not None:
            self.on_adapt(self.quirks)
        return True

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.close()
            self._client = None


def completion_from_body(body: Any) -> Completion:
    """A Completion from a chat-completion JSON body; RetryableError if it is not one."""
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
        finish_reason=normalise_finish_reason(choice.get("finish_reason")),
        input_tokens=int(usage.get("prompt_tokens") or 0),
        output_tokens=int(usage.get("completion_tokens") or 0),
    )


def normalise_finish_reason(reason: Any) -> str | None:
    """OpenAI's finish reasons as they are; a provider's own safety-block reasons as "content_filter"."""
    if not reason:
        return None
    r = str(reason).lower()
    if r in _BLOCKED:
        return "content_filter"
    return "length" if r == "max_tokens" else r


def endpoint_config(spec: EndpointSpec, params: dict[str, Any], batch: bool = False) -> EndpointConfig:
    """Limits, retries and prices of `spec` for the engine; `params` go into every cache key.

    Prices are the spec's own, else the price table's for its model on its provider's API (see
    `inference.pricing`); `batch` picks the batch prices.
    """
    from vipbench.inference.endpoint import SPEC_LIMITS, EndpointConfig
    from vipbench.inference.pricing import pricing_for

    limits = {name: getattr(spec, name) for name in SPEC_LIMITS}
    return EndpointConfig(spec.endpoint_url, spec.model, params, pricing=pricing_for(spec, batch=batch), **limits)


def generation_params(spec: OpenAISpec, jpeg_quality: int = 90) -> dict[str, Any]:
    """The generation settings of a run that change its answers (part of every cache key)."""
    return {
        "temperature": spec.temperature,
        "max_tokens": spec.max_tokens,
        "seed": spec.seed,
        "image_detail": spec.image_detail,
        "jpeg_quality": jpeg_quality,
        **request_params(spec),
    }


def request_params(spec: EndpointSpec) -> dict[str, Any]:
    """The optional request fields that change answers, for cache keys: only those that are set,
    so the keys of runs that set none stay what they were. Headers are left out."""
    out: dict[str, Any] = {}
    if spec.reasoning_effort is not None:
        out["reasoning_effort"] = spec.reasoning_effort
    if spec.extra_body:
        out["extra_body"] = spec.extra_body
    return out


def remember_quirks(backend: OpenAIBackend, spec: EndpointSpec, cache: ResponseCache) -> None:
    """Start `backend` with the adaptations stored for its (endpoint, model), and store new ones."""
    endpoint = spec.endpoint_url
    stored = cache.get_quirks(endpoint, spec.model)
    if stored is not None:
        backend.quirks = RequestQuirks.from_json(stored)
    backend.on_adapt = lambda q: cache.put_quirks(endpoint, spec.model, q.to_json())


# -- the adapter ------------------------------------------------------------------------------


@register("openai", OpenAISpec)
class OpenAIAdapter:
    #: JPEG quality of the images sent (part of every cache key)
    jpeg_quality = 90

    def __init__(self, spec: OpenAISpec, ctx: RunContext) -> None:
        self.spec = spec
        self.ctx = ctx
        # Keys are read now, so a missing variable fails before any work; they stay out of the spec.
        # A dry run or a batch file sends nothing, needs no key and asks no correction model.
        offline = ctx.transport is not None
        self._backend = OpenAIBackend.from_spec(spec, seed=spec.seed, offline=offline)
        sc = spec.structure_correction
        self._correction = OpenAIBackend.from_spec(sc) if sc and not offline else None
        self.stats: EngineStats | None = None

    def generation_params(self) -> dict[str, Any]:
        return generation_params(self.spec, self.jpeg_quality)

    def _transport(self, endpoint: Endpoint, cache: ResponseCache) -> Transport | None:
        """How the model's requests go out: the context's replacement, the batch API, or the endpoint."""
        if self.ctx.transport is not None:
            return self.ctx.transport(endpoint)
        if self.spec.batch:
            from vipbench.models.openai_batch import batch_transport

            return batch_transport(self.spec, self._backend, cache, completion_from_body, wait=self.ctx.batch_wait)
        return None

    def infer(self, items: Sequence[Item]) -> Iterator[Response]:
        """Answer all items (on an event loop in a helper thread); yield each response as it finishes."""
        from vipbench.inference.runner import stream_sync

        yield from stream_sync(lambda emit: self._run(items, emit))

    async def _run(self, items: Sequence[Item], emit: Callable[[Response], None]) -> None:
        from vipbench.inference.cache import ResponseCache
        from vipbench.inference.endpoint import Endpoint
        from vipbench.inference.engine import Engine, EngineSettings
        from vipbench.inference.gateway import Gateway

        s = self.spec
        backends = [self._backend]
        cache = ResponseCache(self.ctx.cache_path)
        try:
            remember_quirks(self._backend, s, cache)
            batch = s.batch and self.ctx.transport is None
            endpoint = Endpoint(endpoint_config(s, self.generation_params(), batch=batch), self._backend)
            budget = self.ctx.budget
            transport = self._transport(endpoint, cache)
            model = Gateway.for_endpoint(endpoint, cache, budget, transport)
            corrector = None
            sc = s.structure_correction
            if sc is not None and self._correction is not None:
                backends.append(self._correction)
                cparams = {"temperature": sc.temperature, "max_tokens": sc.max_tokens, **request_params(sc)}
                remember_quirks(self._correction, sc, cache)
                corrector_endpoint = Endpoint(endpoint_config(sc, cparams), self._correction)
                corrector = Gateway.for_endpoint(corrector_endpoint, cache, budget)
            settings = EngineSettings(
                variant=s.prompt,
                output_format=s.output_format,
                data_dir=self.ctx.data_dir,
                max_side=self.ctx.max_side,
                image_detail=s.image_detail,
                jpeg_quality=self.jpeg_quality,
            )
            engine = Engine(settings, model, corrector, progress=self.ctx.progress)
            try:
                await engine.run(items, emit)
            finally:
                self.stats = engine.stats
                closing = getattr(transport, "aclose", None)
                if closing is not None:
                    await closing()
        finally:
            for b in backends:  # clients belong to this run's event loop
                await b.aclose()
            cache.close()

    def close(self) -> None:
        return None
