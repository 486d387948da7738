"""Image and text token counts against the providers' documented examples."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from vipbench.inference.images import data_url
from vipbench.inference.tokens import (
    ImageRule,
    approx_tokens,
    area_tokens,
    gemini_tokens,
    patch_count,
    request_tokens,
    text_tokens,
    tile_tokens,
)


@pytest.mark.parametrize(
    ("w", "h", "detail", "tokens"),
    [
        (1024, 1024, "high", 765),  # OpenAI: scaled to 768 x 768, 4 tiles: 170 * 4 + 85
        (2048, 4096, "high", 1105),  # to 1024 x 2048, then 768 x 1536: 6 tiles
        (4096, 8192, "low", 85),  # low detail is the base alone, whatever the size
        (640, 480, "high", 425),  # the bundled images: no scaling, 2 x 1 tiles
        (512, 512, "auto", 255),  # auto counts as high (the worst case)
    ],
)
def test_openai_tile_rule_matches_the_documented_examples(w: int, h: int, detail: str, tokens: int) -> None:
    assert tile_tokens(w, h, detail) == tokens


def test_openai_patch_rule_matches_the_documented_examples() -> None:
    assert patch_count(1024, 1024) == 1024  # 32 x 32 patches
    assert patch_count(1800, 2400) == 1452  # scaled down to 1056 x 1408 to fit 1536 patches
    # the multiplier of gpt-4.1-mini applies on top
    assert ImageRule("patch", 0, 1.62).tokens(1024, 1024) == 1659


@pytest.mark.parametrize(("side", "tokens"), [(200, 54), (1000, 1334), (1092, 1590)])
def test_anthropic_area_rule_matches_the_documented_examples(side: int, tokens: int) -> None:
    assert area_tokens(side, side) == tokens


def test_anthropic_scales_long_images_down_first() -> None:
    # 3136 x 1568 is halved to 1568 x 784 (long side 1568), whose 1639 tokens are then capped at 1600
    assert area_tokens(3136, 1568) == area_tokens(1568, 784) == 1600


def test_gemini_rule() -> None:
    assert gemini_tokens(384, 384) == 258
    assert gemini_tokens(1024, 768) == 2 * 258


def test_text_tokens_use_the_offline_o200k_tokenizer() -> None:
    pytest.importorskip("bpe_openai")
    assert text_tokens("hello world") == 2
    assert approx_tokens("hello world") == 3


def test_request_tokens_count_text_formatting_and_images_at_their_sent_size() -> None:
    buf = io.BytesIO()
    Image.new("RGB", (1024, 1024)).save(buf, "JPEG")
    url = data_url(buf.getvalue())
    messages = [
        {"role": "system", "content": "You are an investigator."},
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "Where?"},
                {"type": "image_url", "image_url": {"url": url, "detail": "high"}},
            ],
        },
    ]
    t = request_tokens(messages, ImageRule("tile", 85, 170))
    assert t.images == 1 and t.image == 765
    assert t.text == 3 + 2 * 3 + text_tokens("You are an investigator.") + text_tokens("Where?")
