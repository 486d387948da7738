"""What a model's tokens cost and how it counts image tokens: the price table and a spec's own prices.

`src/vipbench/data/prices.csv` holds one row per model family: its provider, prices per million
input and output tokens (standard and batch), the image-token rule, and the page the prices come
from with the date they were published. A spec's `price_*` fields win over the table. The table
applies to the provider's own API (OpenAI or Azure OpenAI; Anthropic's and Google's endpoints);
a model behind any other `base_url` (vLLM, Ollama, OpenRouter) has no price unless its spec
gives one, and the generic image rule. A row matches a model name exactly or as the longest
prefix followed by '-' (a dated snapshot such as gpt-4o-2024-08-06).
"""

from __future__ import annotations

import csv
import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from vipbench.core.io import package_text
from vipbench.inference.tokens import ImageRule, RequestTokens, request_tokens

if TYPE_CHECKING:
    from vipbench.inference.specs import EndpointSpec

#: the part of a base URL that says which provider's API it is
_PROVIDER_HOSTS = {"anthropic": "anthropic.com", "google": "googleapis.com"}
#: batch prices when the table has none and the spec gives only standard prices: half, as
#: OpenAI's, Anthropic's and Google's batch APIs charge
BATCH_DISCOUNT = 0.5


@dataclass(frozen=True)
class PriceRow:
    model: str
    provider: str
    input_per_mtok: float
    output_per_mtok: float
    batch_input_per_mtok: float
    batch_output_per_mtok: float
    image_rule: ImageRule
    source: str
    as_of: str


@functools.lru_cache(maxsize=1)
def price_table() -> tuple[PriceRow, ...]:
    text = package_text("data/prices.csv")
    rows = []
    for r in csv.DictReader(text.splitlines()):
        rule = ImageRule(r["image_rule"], float(r["image_base"]), float(r["image_per_unit"]))  # type: ignore[arg-type]
        rows.append(
            PriceRow(
                model=r["model"],
                provider=r["provider"],
                input_per_mtok=float(r["input_per_mtok"]),
                output_per_mtok=float(r["output_per_mtok"]),
                batch_input_per_mtok=float(r["batch_input_per_mtok"]),
                batch_output_per_mtok=float(r["batch_output_per_mtok"]),
                image_rule=rule,
                source=r["source"],
                as_of=r["as_of"],
            )
        )
    return tuple(rows)


def find_row(model: str) -> PriceRow | None:
    """The table row of `model`: an exact match, else the longest prefix followed by '-'."""
    name = model.lower().rsplit("/", 1)[-1]
    best: PriceRow | None = None
    for row in price_table():
        matches = name == row.model or name.startswith(row.model + "-")
        if matches and (best is None or len(row.model) > len(best.model)):
            best = row
    return best


def provider_of(spec: EndpointSpec) -> str | None:
    """Which provider's own API `spec` talks to, or None for any other server."""
    if spec.official:
        return "openai"
    url = (spec.base_url or "").lower()
    for provider, host in _PROVIDER_HOSTS.items():
        if host in url:
            return provider
    return None


@dataclass(frozen=True)
class Pricing:
    """Prices per million tokens and the image rule of one model, standard or batch."""

    input_per_mtok: float = 0.0
    output_per_mtok: float = 0.0
    image_rule: ImageRule = ImageRule()
    #: the text tokenizer (an OpenAI encoding), counted offline
    encoding: str | None = "o200k_base"
    #: where the prices come from: "spec", the table's source URL and date, or "none"
    source: str = "none"
    batch: bool = False

    def cost(self, input_tokens: float, output_tokens: float) -> float:
        return (input_tokens * self.input_per_mtok + output_tokens * self.output_per_mtok) / 1e6

    def tokens(self, messages: list[dict[str, Any]]) -> RequestTokens:
        return request_tokens(messages, self.image_rule, self.encoding)

    @property
    def priced(self) -> bool:
        return self.input_per_mtok > 0 or self.output_per_mtok > 0


def pricing_for(spec: EndpointSpec, batch: bool = False) -> Pricing:
    """The prices and image rule of `spec`: its own `price_*` fields, else the table's row for its
    model on the provider's own API, else free with the generic rule."""
    provider = provider_of(spec)
    row = find_row(spec.model) if provider is not None else None
    if row is not None and row.provider != provider:
        row = None
    rule = row.image_rule if row is not None else ImageRule()
    own_in, own_out = spec.price_input_per_mtok, spec.price_output_per_mtok
    if own_in is not None or own_out is not None:
        pin, pout = own_in or 0.0, own_out or 0.0
        if batch:
            bin_ = getattr(spec, "batch_price_input_per_mtok", None)
            bout = getattr(spec, "batch_price_output_per_mtok", None)
            pin = bin_ if bin_ is not None else pin * BATCH_DISCOUNT
            pout = bout if bout is not None else pout * BATCH_DISCOUNT
        return Pricing(pin, pout, rule, source="spec", batch=batch)
    if row is None:
        return Pricing(image_rule=rule, source="none", batch=batch)
    if batch:
        pin, pout = row.batch_input_per_mtok, row.batch_output_per_mtok
    else:
        pin, pout = row.input_per_mtok, row.output_per_mtok
    return Pricing(pin, pout, rule, source=f"{row.source} ({row.as_of})", batch=batch)
