"""Prompt variants as versioned template files, rendered into OpenAI chat messages.

Each variant is a user-message template (`<variant>.txt`, or `zoom_turn1.txt` + `zoom_turn2.txt`)
with an optional system message (`<variant>.system.txt`). Shared blocks are separate files:
`options.txt` (the option list of categorical attributes), `format_text.txt` / `format_json.txt`
(the answer format) and `answer.schema.json` (the JSON schema of structured output).

`template_hash` hashes the bytes of every file a (variant, format) pair uses, so editing any of
them changes every cache key built from it. The `geo` variant, as geolocation benchmarks ask,
also asks place answers for the latitude and longitude of the top guess
(`coordinates_<format>.txt`; the parser reads them into `Response.point`).
"""

from __future__ import annotations

import copy
import hashlib
import json
from functools import cache
from importlib import resources
from typing import Any

from vipbench.core.attributes import PLACE_ATTRIBUTES
from vipbench.core.attributes import get as get_attribute
from vipbench.core.records import Item
from vipbench.imaging.zoom import MAX_BOXES
from vipbench.prompts.variants import OUTPUT_FORMATS, VARIANTS

#: variants that ask place answers for coordinates too (see `wants_point`)
POINT_VARIANTS: tuple[str, ...] = ("geo",)
__all__ = ["OUTPUT_FORMATS", "POINT_VARIANTS", "VARIANTS"]  # re-exported beside the rendering
IMAGE_DETAILS: tuple[str, ...] = ("auto", "low", "high")
#: the most crops a zoom prompt may ask for (more are ignored)
MAX_CROPS = MAX_BOXES
SCHEMA_FILE = "answer.schema.json"
CORRECTION = "correction"

Message = dict[str, Any]


@cache
def _read(name: str) -> bytes:
    return (resources.files("vipbench.prompts") / "templates" / name).read_bytes()


@cache
def _exists(name: str) -> bool:
    return (resources.files("vipbench.prompts") / "templates" / name).is_file()


def _check(variant: str, output_format: str) -> None:
    if variant not in (*VARIANTS, CORRECTION):
        raise ValueError(f"unknown prompt variant {variant!r}; known: {', '.join(VARIANTS)}")
    if output_format not in OUTPUT_FORMATS:
        raise ValueError(f"unknown output format {output_format!r}; known: {', '.join(OUTPUT_FORMATS)}")


def template_files(variant: str, output_format: str) -> list[str]:
    """The template files a variant uses with an output format, in a fixed order."""
    _check(variant, output_format)
    turns = ["zoom_turn1.txt", "zoom_turn2.txt"] if variant == "zoom" else [f"{variant}.txt"]
    system = [f"{variant}.system.txt"] if _exists(f"{variant}.system.txt") else []
    files = [*system, *turns, "options.txt", f"format_{output_format}.txt"]
    if variant in POINT_VARIANTS:
        files.append(f"coordinates_{output_format}.txt")
    if output_format == "json":
        files.append(SCHEMA_FILE)
    return files


@cache
def template_hash(variant: str, output_format: str) -> str:
    """sha256 (first 16 hex digits) over the names and bytes of every template file used."""
    h = hashlib.sha256()
    for name in template_files(variant, output_format):
        h.update(name.encode() + b"\0" + _read(name) + b"\0")
    return h.hexdigest()[:16]


def correction_hash(output_format: str) -> str:
    """The template hash of the structure-correction prompt."""
    return template_hash(CORRECTION, output_format)


def _text(name: str, **values: str) -> str:
    return _read(name).decode("utf-8").format(**values)


def _blocks(attribute: str, output_format: str) -> dict[str, str]:
    spec = get_attribute(attribute)
    options = _text("options.txt", option_list="; ".join(spec.options)) if spec.options else ""
    return {
        "attribute_description": spec.description,
        "attribute_key": spec.key,
        "options": options.rstrip("\n"),
        "format": _text(f"format_{output_format}.txt", attribute_key=spec.key).rstrip("\n"),
        "max_crops": str(MAX_CROPS),
    }


def wants_point(variant: str, attribute: str) -> bool:
    """Whether the prompt asks for the answer's latitude and longitude (place attributes only)."""
    return variant in POINT_VARIANTS and attribute in PLACE_ATTRIBUTES


def _tidy(text: str) -> str:
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", "\n\n")
    return text.strip()


def render_text(name: str, attribute: str, output_format: str, **extra: str) -> str:
    """One template file rendered for an attribute (placeholders from `_blocks` plus `extra`)."""
    if not extra:
        return _render_cached(name, attribute, output_format)
    return _tidy(_text(name, **_blocks(attribute, output_format), **extra))


@cache
def _render_cached(name: str, attribute: str, output_format: str) -> str:
    return _tidy(_text(name, **_blocks(attribute, output_format)))


def json_schema(attribute: str, point: bool = False) -> dict[str, Any]:
    """The JSON schema of a structured answer; guesses are restricted to the options if any, and
    with `point` the answer also carries its latitude and longitude."""
    schema: dict[str, Any] = copy.deepcopy(json.loads(_read(SCHEMA_FILE)))
    spec = get_attribute(attribute)
    if spec.options:
        schema["properties"]["guesses"]["items"] = {"type": "string", "enum": list(spec.options)}
    if point:
        for key, limit in (("latitude", 90), ("longitude", 180)):
            schema["properties"][key] = {"type": "number", "description": f"decimal degrees, -{limit} to {limit}"}
            schema["required"].append(key)
    return schema


def response_format(attribute: str, point: bool = False) -> dict[str, Any]:
    """The `response_format` argument of a chat completion asking for `json_schema(attribute, point)`."""
    return {
        "type": "json_schema",
        "json_schema": {"name": f"{attribute}_guesses", "strict": True, "schema": json_schema(attribute, point)},
    }


def _image_part(url: str, detail: str) -> Message:
    return {"type": "image_url", "image_url": {"url": url, "detail": detail}}


def _system(variant: str) -> list[Message]:
    name = f"{variant}.system.txt"
    return [{"role": "system", "content": _tidy(_text(name))}] if _exists(name) else []


def build_messages(
    item: Item, variant: str, output_format: str, image_url: str, *, detail: str = "auto"
) -> list[Message]:
    """The chat messages of the first (for zoom: turn-1) request about an item."""
    _check(variant, output_format)
    if variant == CORRECTION:
        raise ValueError("use build_correction_messages for the correction prompt")
    if detail not in IMAGE_DETAILS:
        raise ValueError(f"image detail must be one of {IMAGE_DETAILS}, not {detail!r}")
    name = "zoom_turn1.txt" if variant == "zoom" else f"{variant}.txt"
    if variant in POINT_VARIANTS:
        ask = _text(f"coordinates_{output_format}.txt") if wants_point(variant, item.attribute) else ""
        text = render_text(name, item.attribute, output_format, coordinates=ask.rstrip("\n"))
    else:
        text = render_text(name, item.attribute, output_format)
    user = {"role": "user", "content": [{"type": "text", "text": text}, _image_part(image_url, detail)]}
    return [*_system(variant), user]


def build_zoom_turn2(
    item: Item,
    output_format: str,
    turn1_messages: list[Message],
    turn1_text: str,
    crop_urls: list[str],
    *,
    detail: str = "auto",
) -> list[Message]:
    """Turn 2 of the chain of zoom: the conversation so far, then the crops and the final ask."""
    text = render_text("zoom_turn2.txt", item.attribute, output_format)
    parts: list[Message] = [{"type": "text", "text": text}, *(_image_part(u, detail) for u in crop_urls)]
    return [*turn1_messages, {"role": "assistant", "content": turn1_text}, {"role": "user", "content": parts}]


def build_correction_messages(attribute: str, output_format: str, raw: str) -> list[Message]:
    """A text-only request asking a second model to put a free-text answer into the format."""
    text = render_text("correction.txt", attribute, output_format, raw=raw.strip())
    return [{"role": "user", "content": text}]
