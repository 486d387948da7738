"""Reading a source image for a pixel defense and writing its output with the metadata carried.

The image is decoded and turned upright (Orientation reset, so boxes found on it land where they
should); EXIF (without the thumbnail, a small copy of the undefended pixels), XMP, the ICC profile,
the JPEG comment and PNG text are carried to the output. Outputs keep the source format (JPEG at
quality 95, PNG and WebP losslessly); other formats are written as PNG.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image, ImageOps
from PIL.PngImagePlugin import PngInfo

from .registry import Defense, DefenseError, DefenseParams

#: Pillow format -> extension for outputs that keep the source format.
KEEP_FORMATS: dict[str, str] = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp"}
#: JPEG quality used when a pixel defense re-encodes a JPEG source.
REENCODE_QUALITY = 95


@dataclass
class Meta:
    """Metadata to carry from a source image to a pixel defense's output."""

    exif: bytes | None
    xmp: bytes | str | None
    icc: bytes | None
    comment: bytes | None
    png_text: dict[str, str]


def sniff_format(data: bytes, src: Path) -> str:
    """Pillow's format name for the image bytes; DefenseError when they are not an image."""
    try:
        with Image.open(io.BytesIO(data)) as im:
            return im.format or ""
    except Exception as e:  # noqa: BLE001 - reported with the path
        raise DefenseError(f"{src}: not a readable image: {e}") from e


def load_upright(data: bytes) -> tuple[Image.Image, Meta]:
    """Decode, turn upright (Orientation reset), and collect the metadata to carry."""
    from vipbench.imaging.images import MAX_PIXELS

    with Image.open(io.BytesIO(data)) as raw:
        if raw.size[0] * raw.size[1] > MAX_PIXELS:
            raise DefenseError(f"image is {raw.size[0]}x{raw.size[1]}, above the pixel limit")
        raw.load()
        im = ImageOps.exif_transpose(raw)
    exif = im.getexif()
    # Exif.tobytes writes IFD0 with its Exif and GPS sub-IFDs, not IFD1: the thumbnail is dropped.
    exif_bytes = exif.tobytes() if len(exif) else None
    png_text: dict[str, str] = {}
    if raw.format == "PNG":
        png_text = {k: v for k, v in getattr(raw, "text", {}).items() if isinstance(v, str)}
    meta = Meta(
        exif=exif_bytes,
        xmp=im.info.get("xmp"),
        icc=im.info.get("icc_profile"),
        comment=im.info.get("comment"),
        png_text=png_text,
    )
    return im, meta


def flatten(im: Image.Image) -> Image.Image:
    """RGB or L for JPEG: transparency composited on white, other modes converted."""
    if im.mode in ("RGB", "L"):
        return im
    if im.mode in ("P", "PA", "LA", "RGBA") or "transparency" in im.info:
        rgba = im.convert("RGBA")
        bg = Image.new("RGB", rgba.size, (255, 255, 255))
        bg.paste(rgba, mask=rgba.getchannel("A"))
        return bg
    from vipbench.imaging.images import _to_rgb

    return _to_rgb(im)


def workable(im: Image.Image) -> Image.Image:
    """A mode that filters and drawing accept, keeping transparency."""
    if im.mode in ("RGB", "RGBA", "L"):
        return im
    if im.mode in ("P", "PA", "LA") or "transparency" in im.info:
        return im.convert("RGBA")
    return flatten(im)


def save(im: Image.Image, dst: Path, fmt: str, meta: Meta | None, **opts: Any) -> None:
    """Save `im` as `fmt` ("JPEG", "PNG", "WEBP") with `meta` carried (None: no metadata)."""
    kw: dict[str, Any] = dict(opts)
    if meta is not None:
        if meta.exif:
            kw["exif"] = meta.exif
        if meta.icc:
            kw["icc_profile"] = meta.icc
        if meta.xmp and fmt in ("JPEG", "WEBP"):
            kw["xmp"] = meta.xmp
        if meta.comment and fmt == "JPEG":
            kw["comment"] = meta.comment
        if meta.png_text and fmt == "PNG":
            info = PngInfo()
            for k, v in meta.png_text.items():
                info.add_itxt(k, v)
            kw["pnginfo"] = info
    if fmt == "JPEG":
        im = flatten(im)
        kw.setdefault("quality", REENCODE_QUALITY)
    elif fmt == "WEBP":
        kw.setdefault("lossless", True)
    im.save(dst, format=fmt, **kw)


def run_pixel_defense(d: Defense, params: DefenseParams, data: bytes, dst: Path, fmt: str) -> None:
    """Load upright, apply the defense's pixel function, save in the kept format with metadata."""
    im, meta = load_upright(data)
    out = d.fn(workable(im), params)
    save(out, dst, fmt if fmt in KEEP_FORMATS else "PNG", meta)
