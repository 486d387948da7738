"""The bad-input corpus, built on the fly: one small VIP dataset (or params.yaml) per case.

Every dataset case starts from the same two valid images and adds exactly one defect, so the
problems a case must report are exactly the ones it lists. A `Case` says where the message has
to point: the file (a path suffix), the line and the field, plus a few words of the message.
`ok=True` cases are inputs that look unusual but must work (CMYK, 16-bit, palette with alpha,
EXIF orientation).

Images are written with Pillow, except the PNGs Pillow cannot write (16 bits per channel RGB,
and the decompression bomb), which `png_bytes` assembles chunk by chunk.
"""

from __future__ import annotations

import io
import json
import struct
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from testkit.vip import label, record

#: the valid records every dataset case starts from (lines 1 and 2 of labels.jsonl)
BASE_IDS = ("good0", "good1")


def pinned_params() -> dict[str, Any]:
    """params.yaml overrides that keep the tests' pipelines small and independent of the repository's
    current model and defense lists (top-level keys, as testkit.repo.make_repo takes them)."""
    return {
        "models": {"majority": {"kind": "majority"}},
        "defenses": {},
        "defense_eval": {"runs": [], "defenses": []},
        "scoring": {"bootstrap_samples": 50, "seed": 0, "reviews": "reviews/decisions.jsonl"},
    }


#: the bomb's side: 20000 x 20000 = 400 M pixels, far above both vipbench's and Pillow's limits
BOMB_SIDE = 20_000


@dataclass(frozen=True)
class Expect:
    """One problem a case must report: `<...file>:<line>: <field>: ...<words>...`."""

    file: str
    line: int | None
    field: str | None
    words: str

    def matches(self, message: str) -> bool:
        where = f"{self.file}:{self.line}:" if self.line is not None else f"{self.file}:"
        if self.field is not None:
            where += f" {self.field}"
        return where in message and self.words in message


@dataclass
class Case:
    name: str
    #: writes the case into a dataset directory that already holds the two valid images
    build: Callable[[Path], None]
    expect: list[Expect] = field(default_factory=list)
    #: the input must be accepted (and these image ids must become items)
    ok: bool = False


@dataclass
class ParamsCase:
    """An invalid params.yaml: `edit` changes the parsed mapping; `keys` must be named."""

    name: str
    edit: Callable[[dict[str, Any]], None]
    keys: list[str]


# -- writing datasets ---------------------------------------------------------------------------


def good_record(image_id: str) -> dict[str, Any]:
    return record(image_id, {"sex": label("Female"), "age": label("25-35")})


def noise_jpeg(size: tuple[int, int] = (64, 48), seed: int = 0, quality: int = 90) -> bytes:
    """A JPEG of random pixels (so every seed gives distinct bytes, and truncation really cuts data)."""
    rng = np.random.default_rng(seed)
    arr = rng.integers(0, 256, size=(size[1], size[0], 3), dtype=np.uint8)
    buf = io.BytesIO()
    Image.fromarray(arr, "RGB").save(buf, format="JPEG", quality=quality)
    return buf.getvalue()


def write_base(root: Path) -> None:
    """The two valid images and their labels (lines 1 and 2)."""
    (root / "images").mkdir(parents=True, exist_ok=True)
    for i, iid in enumerate(BASE_IDS):
        (root / "images" / f"{iid}.jpg").write_bytes(noise_jpeg(seed=1000 + i))
    write_lines(root, [json.dumps(good_record(i)) for i in BASE_IDS])


def write_lines(root: Path, lines: Iterable[str | bytes], append: bool = False) -> None:
    data = b"".join((ln if isinstance(ln, bytes) else ln.encode("utf-8")) + b"\n" for ln in lines)
    with open(root / "labels.jsonl", "ab" if append else "wb") as fh:
        fh.write(data)


def add(root: Path, *lines: str | bytes | dict[str, Any]) -> None:
    """Append lines (dicts as JSON) after the base records."""
    write_lines(root, [json.dumps(ln) if isinstance(ln, dict) else ln for ln in lines], append=True)


def add_image_record(root: Path, image_id: str, data: bytes, ext: str = ".jpg") -> None:
    (root / "images" / f"{image_id}{ext}").write_bytes(data)
    add(root, good_record(image_id))


def build_case(case: Case, root: Path) -> Path:
    """A fresh dataset directory for a case."""
    root.mkdir(parents=True, exist_ok=True)
    write_base(root)
    case.build(root)
    return root


# -- PNGs by hand -------------------------------------------------------------------------------


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png_bytes(width: int, height: int, bit_depth: int, color_type: int, rows: Iterable[bytes]) -> bytes:
    """A PNG from raw scanlines (filter type 0 is prepended here), compressed as it goes."""
    comp = zlib.compressobj(9)
    parts = [comp.compress(b"\x00" + row) for row in rows]
    parts.append(comp.flush())
    ihdr = struct.pack(">IIBBBBB", width, height, bit_depth, color_type, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", b"".join(parts)) + _chunk(b"IEND", b"")


def bomb_png(side: int = BOMB_SIDE) -> bytes:
    """A valid one-colour 1-bit PNG of side x side pixels: ~50 MB of scanlines in a ~50 kB file."""
    row = b"\x00" * ((side + 7) // 8)
    return png_bytes(side, side, 1, 0, (row for _ in range(side)))


def rgb16_png(width: int = 48, height: int = 32) -> bytes:
    """16 bits per channel RGB (48-bit), a gradient."""
    rows = []
    for y in range(height):
        px = [((x * 1300) & 0xFFFF, (y * 2000) & 0xFFFF, 40000) for x in range(width)]
        rows.append(b"".join(struct.pack(">HHH", *p) for p in px))
    return png_bytes(width, height, 16, 2, rows)


# -- images that must work ----------------------------------------------------------------------


def _save(im: Image.Image, fmt: str, **kw: Any) -> bytes:
    buf = io.BytesIO()
    im.save(buf, format=fmt, **kw)
    return buf.getvalue()


def cmyk_jpeg() -> bytes:
    return _save(Image.new("CMYK", (64, 48), (0, 120, 255, 10)), "JPEG", quality=90)


def grey16_png() -> bytes:
    arr = (np.arange(48 * 64, dtype=np.uint32).reshape(48, 64) * 21).astype(np.uint16)
    im = Image.fromarray(arr)
    assert im.mode.startswith("I;16"), im.mode
    return _save(im, "PNG")


def palette_alpha_png() -> bytes:
    """Mode P with a tRNS chunk: colour 0 transparent, colour 1 half transparent, colour 2 opaque."""
    im = Image.new("P", (64, 48), 0)
    im.putpalette([255, 0, 0, 0, 255, 0, 0, 0, 255] + [0, 0, 0] * 253)
    for x in range(64):
        for y in range(48):
            im.putpixel((x, y), (x // 22) % 3)
    return _save(im, "PNG", transparency=bytes([0, 128, 255]))


def rgba_png() -> bytes:
    return _save(Image.new("RGBA", (64, 48), (10, 200, 30, 100)), "PNG")


def la_png() -> bytes:
    return _save(Image.new("LA", (64, 48), (120, 60)), "PNG")


def oriented_jpeg(orientation: int = 6) -> bytes:
    """60 x 30 pixels, left half red and right half blue, with an EXIF Orientation tag.

    Orientation 6 means "rotate 90 degrees clockwise to display": the loaded image must be
    30 x 60 with red on top; orientation 8 (counter-clockwise) puts blue on top.
    """
    im = Image.new("RGB", (60, 30), (230, 20, 20))
    im.paste((20, 20, 230), (30, 0, 60, 30))
    exif = Image.Exif()
    exif[0x0112] = orientation
    return _save(im, "JPEG", quality=95, exif=exif.tobytes())


#: image id -> (bytes, extension) of every image that must be accepted
MUST_WORK: dict[str, tuple[Callable[[], bytes], str]] = {
    "cmyk": (cmyk_jpeg, ".jpg"),
    "grey16": (grey16_png, ".png"),
    "rgb16": (rgb16_png, ".png"),
    "palette_alpha": (palette_alpha_png, ".png"),
    "rgba": (rgba_png, ".png"),
    "grey_alpha": (la_png, ".png"),
    "exif_rot6": (lambda: oriented_jpeg(6), ".jpg"),
    "exif_rot8": (lambda: oriented_jpeg(8), ".jpg"),
}


def _must_work(root: Path) -> None:
    for iid, (make, ext) in MUST_WORK.items():
        add_image_record(root, iid, make(), ext)


# -- the cases ----------------------------------------------------------------------------------

L = "labels.jsonl"


def _img(iid: str, ext: str = ".jpg") -> str:
    return f"images/{iid}{ext}"


def _bad_label(**overrides: Any) -> Callable[[Path], None]:
    def build(root: Path) -> None:
        rec = good_record("bad")
        rec["label"]["sex"].update(overrides)
        (root / "images" / "bad.jpg").write_bytes(noise_jpeg(seed=7))
        add(root, rec)

    return build


def _no_key(key: str) -> Callable[[Path], None]:
    def build(root: Path) -> None:
        rec = good_record("bad")
        del rec[key]
        (root / "images" / "bad.jpg").write_bytes(noise_jpeg(seed=7))
        add(root, rec)

    return build


def _unsafe_id(image_id: str) -> Callable[[Path], None]:
    return lambda root: add(root, good_record(image_id))


def _truncated_jpeg(root: Path) -> None:
    data = noise_jpeg((96, 96), seed=3)
    add_image_record(root, "cut", data[: len(data) // 2])


def _duplicates(root: Path) -> None:
    # two lines per image are allowed (image-only, then re-checked); a third is a duplicate
    add(root, good_record("good0"))
    add(root, good_record("good0"))


def _unknown_attribute(root: Path) -> None:
    rec = good_record("bad")
    rec["label"]["favouriteColour"] = label("blue")
    (root / "images" / "bad.jpg").write_bytes(noise_jpeg(seed=7))
    add(root, rec)


def _non_utf8(root: Path) -> None:
    line = json.dumps(good_record("bad")).replace('"a photo"', '"caf\\u00e9"').encode("ascii")
    add(root, line.replace(b"caf\\u00e9", b"caf\xe9"))  # latin-1 e-acute: not UTF-8


CASES: list[Case] = [
    Case(
        "invalid_json",
        lambda r: add(r, '{"datapoint": {"image_id": "x"}, "label": }'),
        [Expect(L, 3, None, "invalid JSON")],
    ),
    Case("truncated_line", lambda r: add(r, json.dumps(good_record("cut"))[:70]), [Expect(L, 3, None, "truncated")]),
    Case("not_an_object", lambda r: add(r, "[1, 2, 3]"), [Expect(L, 3, None, "must be a JSON object")]),
    Case("missing_datapoint", _no_key("datapoint"), [Expect(L, 3, "datapoint", "Field required")]),
    Case("missing_label", _no_key("label"), [Expect(L, 3, "label", "Field required")]),
    Case("unknown_attribute", _unknown_attribute, [Expect(L, 3, "label", "'favouriteColour'")]),
    Case("hardness_out_of_range", _bad_label(hardness=9), [Expect(L, 3, "label.sex.hardness", "less than or equal")]),
    Case("hardness_negative", _bad_label(hardness=-1), [Expect(L, 3, "label.sex.hardness", "greater than or equal")]),
    Case("hardness_wrong_type", _bad_label(hardness="two"), [Expect(L, 3, "label.sex.hardness", "valid integer")]),
    Case(
        "certainty_out_of_range", _bad_label(certainty=6), [Expect(L, 3, "label.sex.certainty", "less than or equal")]
    ),
    Case("certainty_wrong_type", _bad_label(certainty="high"), [Expect(L, 3, "label.sex.certainty", "valid integer")]),
    Case("certainty_float", _bad_label(certainty=3.5), [Expect(L, 3, "label.sex.certainty", "valid integer")]),
    Case("duplicate_image_ids", _duplicates, [Expect(L, 4, "datapoint.image_id", "duplicate image id 'good0'")]),
    Case("image_id_slash", _unsafe_id("sub/evil"), [Expect(L, 3, "datapoint.image_id", "path separators")]),
    Case("image_id_dotdot", _unsafe_id("../../etc/passwd"), [Expect(L, 3, "datapoint.image_id", "'..'")]),
    Case("image_id_backslash", _unsafe_id("..\\evil"), [Expect(L, 3, "datapoint.image_id", "path separators")]),
    Case("image_id_absolute", _unsafe_id("/etc/passwd"), [Expect(L, 3, "datapoint.image_id", "plain file stem")]),
    Case(
        "missing_image", lambda r: add(r, good_record("ghost")), [Expect(L, 3, "datapoint.image_id", "image not found")]
    ),
    Case(
        "zero_byte_image",
        lambda r: add_image_record(r, "empty", b""),
        [Expect(_img("empty"), None, None, "empty (0 bytes)"), Expect(L, 3, "datapoint.image_id", "empty")],
    ),
    Case(
        "truncated_jpeg",
        _truncated_jpeg,
        [Expect(_img("cut"), None, None, "truncated"), Expect(L, 3, "datapoint.image_id", "truncated")],
    ),
    Case(
        "not_an_image",
        lambda r: add_image_record(r, "text", b"<html><body>404 Not Found</body></html>\n"),
        [
            Expect(_img("text"), None, None, "not a readable image"),
            Expect(L, 3, "datapoint.image_id", "not a readable image"),
        ],
    ),
    Case(
        "decompression_bomb",
        lambda r: add_image_record(r, "bomb", bomb_png(), ".png"),
        [
            Expect(_img("bomb", ".png"), None, None, "decompression bomb"),
            Expect(L, 3, "datapoint.image_id", "decompression bomb"),
        ],
    ),
    Case("non_utf8_line", _non_utf8, [Expect(L, 3, None, "not valid UTF-8")]),
    Case("must_work_images", _must_work, ok=True),
]


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def edit(p: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node = p
        for k in parents:
            node = node.setdefault(k, {})
        node[last] = value

    return edit


PARAMS_CASES: list[ParamsCase] = [
    ParamsCase(
        "unknown_model_kind",
        _set("models.mystery", {"kind": "gpt-telepathy"}),
        ["models.mystery.kind: unknown model kind 'gpt-telepathy'"],
    ),
    ParamsCase(
        "missing_field",
        _set("models.remote", {"kind": "openai", "base_url": "http://127.0.0.1:9/v1"}),
        ["models.remote.model: Field required"],
    ),
    ParamsCase(
        "wrong_type_model",
        _set("models.remote", {"kind": "openai", "model": "m", "max_tokens": "lots"}),
        ["models.remote.max_tokens: Input should be a valid integer"],
    ),
    ParamsCase(
        "wrong_type_section", _set("inference.max_side", "big"), ["inference.max_side: Input should be a valid integer"]
    ),
    ParamsCase("unknown_key", _set("filters.min_certanity", 2), ["filters.min_certanity: Extra inputs"]),
    ParamsCase("missing_kind", _set("models.nokind", {"prompt": "final"}), ["models.nokind.kind: missing"]),
]
