"""The defenses that change the file or the whole picture: none, strip_metadata, downscale, jpeg,
crop_border. Each does exactly one thing, so that they can be measured independently.

- `none`: nothing (apply_defense returns the source path itself).
- `strip_metadata`: removes EXIF (GPS, camera, time, thumbnail), XMP, IPTC, comments and PNG
  text. The ICC colour profile stays, and an Orientation other than 1 is written back, so the
  image looks the same. JPEG pixels are untouched (see `jpeg.strip_jpeg_segments`); PNG and WebP
  are re-encoded losslessly; other formats become lossless PNG.
- `downscale(factor)`, `jpeg(quality)`, `crop_border(pct)`: pixels changed, metadata kept.
"""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image
from pydantic import Field

from .imagefile import Meta, load_upright, save
from .jpeg import strip_jpeg_segments
from .registry import DefenseParams, register_defense


class NoParams(DefenseParams):
    pass


@register_defense("none", NoParams, level="file")
def _none(src: Path, dst: Path, params: NoParams) -> None:
    """Identity: the undefended image (apply_defense returns the source path)."""
    dst.write_bytes(src.read_bytes())


@register_defense("strip_metadata", NoParams, level="file")
def _strip_metadata(src: Path, dst: Path, params: NoParams) -> None:
    """Remove EXIF (GPS, camera, time), XMP, IPTC, comments and text chunks; pixels unchanged."""
    data = src.read_bytes()
    with Image.open(io.BytesIO(data)) as im:
        fmt = im.format
        orientation = im.getexif().get(0x0112, 1)
    if fmt == "JPEG":
        dst.write_bytes(strip_jpeg_segments(data, orientation=orientation))
        return
    im, meta = load_upright(data)
    # PNG, WebP and others: re-encoded losslessly with nothing but the colour profile.
    keep = Meta(exif=None, xmp=None, icc=meta.icc, comment=None, png_text={})
    im.info.pop("comment", None)
    save(im, dst, fmt if fmt in ("PNG", "WEBP") else "PNG", keep)


class DownscaleParams(DefenseParams):
    #: each side is divided by this (2 = half width and half height)
    factor: float = Field(2.0, ge=1.0, le=64.0)


@register_defense("downscale", DownscaleParams)
def _downscale(im: Image.Image, params: DownscaleParams) -> Image.Image:
    """Divide width and height by `factor` (Lanczos resampling); at least 1 pixel per side."""
    size = (max(1, round(im.width / params.factor)), max(1, round(im.height / params.factor)))
    return im.resize(size, Image.Resampling.LANCZOS)


class JpegParams(DefenseParams):
    quality: int = Field(30, ge=1, le=100)


@register_defense("jpeg", JpegParams, level="file")
def _jpeg(src: Path, dst: Path, params: JpegParams) -> None:
    """Re-encode as JPEG at `quality`; metadata carried over."""
    im, meta = load_upright(src.read_bytes())
    save(im, dst, "JPEG", meta, quality=params.quality)


class CropBorderParams(DefenseParams):
    #: percent of the width (height) cut from the left and from the right (top and bottom)
    pct: float = Field(10.0, ge=0.0, lt=50.0)


@register_defense("crop_border", CropBorderParams)
def _crop_border(im: Image.Image, params: CropBorderParams) -> Image.Image:
    """Cut `pct` percent of the width and height from every side (the centre is kept)."""
    dx = int(im.width * params.pct / 100.0)
    dy = int(im.height * params.pct / 100.0)
    if im.width - 2 * dx < 1 or im.height - 2 * dy < 1:
        return im.copy()
    return im.crop((dx, dy, im.width - dx, im.height - dy))
