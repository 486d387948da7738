"""Every request to one model passes here: cache lookup, transport, accounting, the cache write.

A `Gateway` pairs a transport (an `Endpoint` for API backends, a `Batcher` for local ones) with
the response cache and the model's identity (endpoint, model, generation parameters), which
prefixes every cache key. It is the only writer of the response cache: an answer is stored the
moment it arrives, with its metadata, so a run killed at any moment loses only the requests in
flight. The caller decides what an answer's cached status is, or that it is not cached at all.
Failures raise and are never cached, so a re-run retries exactly those.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from vipbench.inference.backend import Build, Completion, Request
from vipbench.inference.budget import Budget
from vipbench.inference.cache import CachedResponse, ResponseCache, model_key
from vipbench.inference.pricing import Pricing

if TYPE_CHECKING:
    from vipbench.inference.endpoint import Endpoint

#: the status an answer is cached with, or None to leave it out of the cache
StatusOf = Callable[[Completion], "str | None"]


class Transport(Protocol):
    """How requests reach a backend: `Endpoint` (API) or `Batcher` (local)."""

    #: "data_url" (images inside the messages) or "pixels" (decoded images beside them)
    image_mode: str
    requests: int
    retries: int

    def workers(self, n_items: int) -> int:
        """How many items the engine should work on at once."""
        ...

    def flow(self) -> AbstractAsyncContextManager[None]:
        """Brackets the work on one item."""
        ...

    async def send(self, key: str, build: Build) -> tuple[Completion, float, bool]:
        """(completion, latency, shared with an identical request in flight)."""
        ...


@dataclass
class Call:
    completion: Completion
    latency_s: float
    #: answered from the cache (or by an identical request in flight), not sent for this call
    cached: bool


@dataclass
class Usage:
    """What this run's requests cost; cache hits count only in `cache_hits`."""

    cache_hits: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float = 0.0
    latencies_s: list[float] = field(default_factory=list)


class Gateway:
    """One model's requests through the response cache."""

    def __init__(
        self,
        transport: Transport,
        cache: ResponseCache,
        *,
        endpoint: str,
        model: str,
        params: dict[str, Any],
        price_input_per_mtok: float | None = None,
        price_output_per_mtok: float | None = None,
        pricing: Pricing | None = None,
        budget: Budget | None = None,
        max_tokens: int = 0,
    ) -> None:
        self.transport = transport
        self.cache = cache
        self.endpoint = endpoint.rstrip("/")
        self.model = model
        self.params = params
        self.pricing = pricing or Pricing(price_input_per_mtok or 0.0, price_output_per_mtok or 0.0)
        self.budget = budget
        #: the output token limit: a request's worst case for the budget
        self.max_tokens = max_tokens
        self.usage = Usage()

    @classmethod
    def for_endpoint(
        cls, endpoint: Endpoint, cache: ResponseCache, budget: Budget | None = None, transport: Transport | None = None
    ) -> Gateway:
        """A gateway with `endpoint`'s identity and prices; `transport` replaces the endpoint as the
        way requests go out (a batch API, a dry run), keeping the same identity and cache keys."""
        c = endpoint.config
        return cls(
            transport or endpoint,
            cache,
            endpoint=c.endpoint,
            model=c.model,
            params=c.params,
            pricing=c.pricing or Pricing(c.price_input_per_mtok or 0.0, c.price_output_per_mtok or 0.0),
            budget=budget,
            max_tokens=c.max_tokens,
        )

    def key(self, **parts: Any) -> str:
        """The cache key of a request to this model; `parts` say what else the answer depends on."""
        return model_key(self.endpoint, self.model, self.params, **parts)

    def cost(self, input_tokens: int, output_tokens: int) -> float:
        return self.pricing.cost(input_tokens, output_tokens)

    def worst_case(self, request: Request) -> float:
        """The most `request` can cost: its counted input tokens and the full output limit."""
        return self.pricing.cost(self.pricing.tokens(request.messages).total, self.max_tokens)

    async def call(self, key: str, build: Build, status_of: StatusOf, meta: dict[str, Any]) -> Call:
        """The answer to the request `build` makes, from the cache or sent (then accounted and cached).

        With a budget, the request is built, its worst case reserved (BudgetExceeded if that does
        not fit), and only then sent.
        """
        hit = self.cache.get(key)
        if hit is not None:
            self.usage.cache_hits += 1
            if self.budget is not None:
                self.budget.charge(self.cost(hit.input_tokens, hit.output_tokens))
            return Call(_from_cache(hit), hit.latency_s, True)
        held = [0.0]
        budget = self.budget
        if budget is not None and self.pricing.priced:
            inner = build

            async def build() -> Request:
                request = await inner()
                worst = self.worst_case(request)
                budget.reserve(worst)
                held[0] = worst
                return request

        try:
            completion, latency, shared = await self.transport.send(key, build)
        except BaseException:
            if budget is not None and held[0]:
                budget.release(held[0])
            raise
        if shared:
            self.usage.cache_hits += 1
            return Call(completion, latency, True)
        u = self.usage
        u.input_tokens += completion.input_tokens
        u.output_tokens += completion.output_tokens
        cost = self.cost(completion.input_tokens, completion.output_tokens)
        u.cost_usd += cost
        if budget is not None:
            budget.settle(held[0], cost)
        u.latencies_s.append(latency)
        status = status_of(completion)
        if status is not None:
            self.cache.put(key, status=status, latency_s=latency, meta=meta, **_to_cache(completion))
        return Call(completion, latency, False)


#: what the cache keeps of a completion under the same names (its text is the cached `raw`)
_CACHED_FIELDS = ("refusal", "finish_reason", "input_tokens", "output_tokens")


def _to_cache(completion: Completion) -> dict[str, Any]:
    """The answer fields `ResponseCache.put` takes, from `completion`."""
    return {"raw": completion.text, **{name: getattr(completion, name) for name in _CACHED_FIELDS}}


def _from_cache(hit: CachedResponse) -> Completion:
    return Completion(text=hit.raw, **{name: getattr(hit, name) for name in _CACHED_FIELDS})
