"""Defenses: image transformations applied before inference, one registry entry each.

A defense works on an image *file* and writes a new file, so that removing metadata is a
defense like any other: `apply_defense(name, params, src, dst_dir) -> Path`. Outputs are cached
by content: the name is `sha256(source bytes, defense name, version, params JSON)[:20]` plus an
extension (the OCR or OpenCV version joins the hash for blur_text and blur_faces). A file that
exists is reused as it is, and a new one is written atomically (temporary file, then rename), so
parallel runs and interrupted runs never leave half a file.

Each defense does exactly one thing, so that they can be measured independently:
- `none`: nothing; returns the source path itself. All metadata is there (same file).
- `strip_metadata`: removes EXIF (GPS, camera, time, thumbnail), XMP, IPTC, comments and PNG
  text. The ICC colour profile stays, and an Orientation other than 1 is written back as a
  one-tag EXIF, so the image looks the same. JPEG pixels are untouched (metadata segments are
  dropped and the compressed data is copied byte for byte); PNG and WebP are re-encoded
  losslessly; other formats become lossless PNG.
- `downscale(factor)`: each side divided by `factor` (Lanczos). Metadata kept.
- `jpeg(quality)`: re-encoded as JPEG at `quality` (transparency flattened on white). Metadata kept.
- `blur_text(mode, radius, min_score, pad)`: text lines found by OCR blurred or boxed out.
  Metadata kept.
- `blur_faces(mode, radius, scale_factor, min_neighbors, min_size_pct, profiles, pad)`: faces found
  by OpenCV's Haar cascades blurred or boxed out. Metadata kept.
- `crop_border(pct)`: `pct` percent of the width and height cut from every side. Metadata kept.

"Kept" for the pixel defenses means: the EXIF tags (with GPS and camera), XMP, ICC profile and
JPEG comment are carried to the output. Two things are changed on purpose: the pixels are
turned upright and the Orientation tag is reset (so boxes found on the upright image land where
they should), and the EXIF thumbnail is dropped, because it is a small copy of the undefended
pixels and would undo a blur. IPTC (Photoshop APP13) blocks are not carried: Pillow cannot write
them. Pixel defenses keep the source format (JPEG re-encoded at quality 95, PNG and WebP
losslessly); other formats (GIF, TIFF, BMP, ...) are written as PNG.

For a run, `defend_items(items, data_dir, name, params, dst_dir)` defends each item's image once
and points the items at the copies.

Utility: `utility(original, defended)` gives SSIM and PSNR of the defended image against the
original (grey, defended resized to the original's size, both capped at `max_side`).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from PIL import Image, ImageFilter, ImageOps
from PIL.PngImagePlugin import PngInfo
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from vipbench.core.errors import ConfigError

if TYPE_CHECKING:
    from vipbench.core.records import Item

Level = Literal["pixels", "file"]
P = TypeVar("P", bound=BaseModel)

#: Pillow format -> extension for outputs that keep the source format.
_KEEP_FORMATS: dict[str, str] = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp"}
#: JPEG quality used when a pixel defense re-encodes a JPEG source.
REENCODE_QUALITY = 95
#: PSNR of identical images (infinite) is reported as this.
PSNR_CAP = 100.0


class DefenseError(ConfigError):
    """An unknown defense or invalid defense parameters."""


class DefenseParams(BaseModel):
    """Base of every defense's parameters: strict, immutable, hashable as JSON."""

    model_config = ConfigDict(extra="forbid", frozen=True)


@dataclass(frozen=True)
class Defense:
    name: str
    params: type[DefenseParams]
    level: Level
    #: pixels: (upright image, params) -> image; file: (src, dst, params) -> None
    fn: Callable[..., Any]
    #: bump when the output for the same input changes, so cached files are not reused
    version: str
    summary: str
    #: the versions of outside code the output depends on (an OCR model, OpenCV), for the cache key
    depends_on: Callable[[], str] | None = None


_DEFENSES: dict[str, Defense] = {}


def register_defense(
    name: str,
    params: type[DefenseParams],
    *,
    level: Level = "pixels",
    version: str = "1",
    depends_on: Callable[[], str] | None = None,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register a defense function under `name` with its params model.

    level="pixels": `fn(im: PIL.Image, params) -> PIL.Image`, given the upright image; loading,
    metadata carry-over and saving are done here. level="file": `fn(src: Path, dst: Path, params)`
    writes `dst` itself (for defenses about the file rather than the pixels). `depends_on`
    returns the versions of outside code the output depends on; they go into the cache key.
    """

    def deco(fn: Callable[..., Any]) -> Callable[..., Any]:
        doc = (fn.__doc__ or "").strip().splitlines()
        _DEFENSES[name] = Defense(name, params, level, fn, version, doc[0] if doc else "", depends_on)
        return fn

    return deco


def list_defenses() -> list[str]:
    return sorted(_DEFENSES)


def get_defense(name: str) -> Defense:
    try:
        return _DEFENSES[name]
    except KeyError:
        known = ", ".join(list_defenses())
        raise DefenseError(f"unknown defense {name!r}; known defenses: {known}") from None


def parse_defense_spec(spec: str | Mapping[str, Any]) -> tuple[str, DefenseParams]:
    """A defense and its validated params from params.yaml.

    Accepted forms: `"jpeg"` (default params), `{"name": "jpeg", "quality": 30}` and
    `{"jpeg": {"quality": 30}}`. Errors name the defense and the offending field.
    """
    if isinstance(spec, str):
        name, raw = spec, {}
    elif isinstance(spec, Mapping):
        if "name" in spec:
            name, raw = spec["name"], {k: v for k, v in spec.items() if k != "name"}
        elif len(spec) == 1:
            name, raw = next(iter(spec.items()))
            raw = {} if raw is None else raw
            if not isinstance(raw, Mapping):
                raise DefenseError(f"defense {name!r}: params must be a mapping, got {type(raw).__name__}")
        else:
            raise DefenseError(
                "defense spec: field 'name' is missing "
                "(use {name: jpeg, quality: 30} or {jpeg: {quality: 30}})"
            )
    else:
        raise DefenseError(f"defense spec must be a name or a mapping, got {type(spec).__name__}")
    if not isinstance(name, str):
        raise DefenseError(f"defense spec: field 'name' must be a string, got {name!r}")
    d = get_defense(name)
    try:
        params = d.params.model_validate(dict(raw))
    except ValidationError as e:
        parts = []
        for err in e.errors():
            field = ".".join(str(x) for x in err["loc"]) or "params"
            parts.append(f"field {field!r}: {err['msg']}")
        raise DefenseError(f"defense {name!r}: " + "; ".join(parts)) from None
    return name, params


def defense_key(name: str, params: DefenseParams, src_bytes: bytes) -> str:
    """The content hash that names a defended file."""
    d = get_defense(name)
    h = hashlib.sha256()
    h.update(src_bytes)
    h.update(b"\0" + name.encode() + b"\0" + d.version.encode() + b"\0")
    if d.depends_on is not None:
        h.update(d.depends_on().encode() + b"\0")
    h.update(json.dumps(params.model_dump(mode="json"), sort_keys=True).encode())
    return h.hexdigest()[:20]


def apply_defense(
    name: str, params: DefenseParams | Mapping[str, Any] | None, src: Path, dst_dir: Path
) -> Path:
    """The defended copy of `src` in `dst_dir` (created if needed); cached by content hash.

    `none` returns `src` itself. Params may be given as a mapping and are validated.
    """
    d = get_defense(name)
    if not isinstance(params, DefenseParams):
        _, params = parse_defense_spec({name: dict(params or {})})
    elif not isinstance(params, d.params):
        raise DefenseError(
            f"defense {name!r}: params must be {d.params.__name__}, got {type(params).__name__}"
        )
    src = Path(src)
    if name == "none":
        return src
    data = src.read_bytes()
    fmt = _sniff_format(data, src)
    ext = _output_ext(name, fmt)
    dst = Path(dst_dir) / f"{defense_key(name, params, data)}{ext}"
    if dst.exists():
        return dst
    dst.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=".tmp-", suffix=ext, dir=dst.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        if d.level == "file":
            d.fn(src, tmp, params)
        else:
            _run_pixel_defense(d, params, data, tmp, fmt)
        os.replace(tmp, dst)
    finally:
        tmp.unlink(missing_ok=True)
    return dst


def _sniff_format(data: bytes, src: Path) -> str:
    try:
        with Image.open(io.BytesIO(data)) as im:
            return im.format or ""
    except Exception as e:  # noqa: BLE001 - reported with the path
        raise DefenseError(f"{src}: not a readable image: {e}") from e


def _output_ext(name: str, fmt: str) -> str:
    if name == "jpeg":
        return ".jpg"
    return _KEEP_FORMATS.get(fmt, ".png")


# ---------------------------------------------------------------- shared image helpers


@dataclass
class _Meta:
    """Metadata to carry from a source image to a pixel defense's output."""

    exif: bytes | None
    xmp: bytes | str | None
    icc: bytes | None
    comment: bytes | None
    png_text: dict[str, str]


def _load_upright(data: bytes) -> tuple[Image.Image, _Meta]:
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
    meta = _Meta(
        exif=exif_bytes,
        xmp=im.info.get("xmp"),
        icc=im.info.get("icc_profile"),
        comment=im.info.get("comment"),
        png_text=png_text,
    )
    return im, meta


def _flatten(im: Image.Image) -> Image.Image:
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


def _workable(im: Image.Image) -> Image.Image:
    """A mode that filters and drawing accept, keeping transparency."""
    if im.mode in ("RGB", "RGBA", "L"):
        return im
    if im.mode in ("P", "PA", "LA") or "transparency" in im.info:
        return im.convert("RGBA")
    return _flatten(im)


def _save(im: Image.Image, dst: Path, fmt: str, meta: _Meta | None, **opts: Any) -> None:
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
        im = _flatten(im)
        kw.setdefault("quality", REENCODE_QUALITY)
    elif fmt == "WEBP":
        kw.setdefault("lossless", True)
    im.save(dst, format=fmt, **kw)


def _run_pixel_defense(d: Defense, params: DefenseParams, data: bytes, dst: Path, fmt: str) -> None:
    im, meta = _load_upright(data)
    out = d.fn(_workable(im), params)
    _save(out, dst, fmt if fmt in _KEEP_FORMATS else "PNG", meta)


def _cover(
    im: Image.Image, boxes: list[tuple[int, int, int, int]], mode: str, radius: float | None
) -> Image.Image:
    """Blur (Gaussian) or fill each pixel box of `im`. radius None: half the box's shorter side."""
    out = im.copy()
    for left, upper, right, lower in boxes:
        if right <= left or lower <= upper:
            continue
        if mode == "box":
            fill: Any = 0 if out.mode == "L" else (0, 0, 0, 255) if out.mode == "RGBA" else (0, 0, 0)
            out.paste(fill, (left, upper, right, lower))
            continue
        r = radius if radius is not None else max(2.0, min(right - left, lower - upper) / 2.0)
        # Blur a margin around the box too so the blurred patch takes no sharp edge from outside.
        m = int(r * 2)
        ctx = (max(0, left - m), max(0, upper - m), min(out.width, right + m), min(out.height, lower + m))
        patch = out.crop(ctx).filter(ImageFilter.GaussianBlur(r))
        inner = patch.crop((left - ctx[0], upper - ctx[1], right - ctx[0], lower - ctx[1]))
        out.paste(inner, (left, upper))
    return out


# ---------------------------------------------------------------- the defenses


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
    im, meta = _load_upright(data)
    # PNG, WebP and others: re-encoded losslessly with nothing but the colour profile.
    keep = _Meta(exif=None, xmp=None, icc=meta.icc, comment=None, png_text={})
    im.info.pop("comment", None)
    _save(im, dst, fmt if fmt in ("PNG", "WEBP") else "PNG", keep)


#: JPEG markers kept by strip_metadata: APP0 (JFIF), APP14 (Adobe colour transform) and the
#: non-APP coding segments. APP2 is kept only when it is an ICC profile chunk.
_JPEG_APP_KEEP = {0xE0, 0xEE}


def strip_jpeg_segments(data: bytes, orientation: int = 1) -> bytes:
    """The JPEG `data` without metadata segments, the compressed image data copied byte for byte.

    Drops APP1 (EXIF, XMP), APP2 other than ICC (e.g. MPF, FlashPix), APP3-APP13 (incl. IPTC),
    APP15, COM, and anything after the end-of-image marker (appended preview images, trailers).
    An Orientation other than 1 is written back as a minimal EXIF segment with that tag only.
    """
    if data[:2] != b"\xff\xd8":
        raise DefenseError("not a JPEG file (no start-of-image marker)")
    out = bytearray(b"\xff\xd8")
    if orientation not in (None, 1):
        e = Image.Exif()
        e[0x0112] = int(orientation)
        payload = e.tobytes()
        out += b"\xff\xe1" + (len(payload) + 2).to_bytes(2, "big") + payload
    i, n = 2, len(data)
    while i < n:
        if data[i] != 0xFF:
            raise DefenseError(f"corrupt JPEG: expected a marker at byte {i}")
        while i < n and data[i] == 0xFF:  # fill bytes
            i += 1
        if i >= n:
            break
        marker = data[i]
        i += 1
        if marker == 0xD9:  # end of image: stop, dropping any trailer
            out += b"\xff\xd9"
            return bytes(out)
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:  # stand-alone markers
            out += bytes((0xFF, marker))
            continue
        if i + 2 > n:
            raise DefenseError("corrupt JPEG: truncated segment header")
        length = int.from_bytes(data[i : i + 2], "big")
        seg = data[i : i + length]
        end = i + length
        keep = (
            not (0xE0 <= marker <= 0xEF or marker == 0xFE)
            or marker in _JPEG_APP_KEEP
            or (marker == 0xE2 and seg[2:14] == b"ICC_PROFILE\0")
        )
        if keep:
            out += bytes((0xFF, marker)) + seg
        i = end
        if marker == 0xDA:  # start of scan: copy entropy-coded data up to the next real marker
            j = i
            while j < n:
                nxt = data[j + 1] if j + 1 < n else 0x00
                if data[j] == 0xFF and nxt != 0x00 and not 0xD0 <= nxt <= 0xD7:
                    if nxt == 0xFF:  # fill byte before a marker
                        j += 1
                        continue
                    break
                j += 1
            out += data[i:j]
            i = j
    # No end-of-image marker (truncated file): close it so decoders stop cleanly.
    out += b"\xff\xd9"
    return bytes(out)


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
    im, meta = _load_upright(src.read_bytes())
    _save(im, dst, "JPEG", meta, quality=params.quality)


class BlurTextParams(DefenseParams):
    mode: Literal["blur", "box"] = "blur"
    #: Gaussian radius in pixels; None scales with each text line (half its height)
    radius: float | None = Field(None, gt=0.0, le=500.0)
    #: OCR lines read with a lower score are left alone
    min_score: float = Field(0.3, ge=0.0, le=1.0)
    #: margin added around each line, as a fraction of the line's height
    pad: float = Field(0.25, ge=0.0, le=2.0)


def _ocr_version() -> str:
    from vipbench.imaging.ocr import engine_version

    return engine_version()


def _opencv_version() -> str:
    try:
        import cv2

        return f"opencv {cv2.__version__}"
    except ImportError:
        return "opencv (not installed)"


@register_defense("blur_text", BlurTextParams, depends_on=_ocr_version)
def _blur_text(im: Image.Image, params: BlurTextParams) -> Image.Image:
    """Blur (or box out) every text line that OCR finds."""
    from vipbench.imaging.ocr import read_text

    boxes = []
    for tb in read_text(im, min_score=params.min_score):
        left, upper, right, lower = tb.pixel_box(im.size)
        m = int((lower - upper) * params.pad)
        boxes.append(
            (max(0, left - m), max(0, upper - m), min(im.width, right + m), min(im.height, lower + m))
        )
    return _cover(im, boxes, params.mode, params.radius)


class BlurFacesParams(DefenseParams):
    mode: Literal["blur", "box"] = "blur"
    #: Gaussian radius in pixels; None scales with each face (half its size)
    radius: float | None = Field(None, gt=0.0, le=500.0)
    scale_factor: float = Field(1.1, gt=1.0, le=2.0)
    min_neighbors: int = Field(5, ge=1, le=50)
    #: smallest face side, in percent of the image's shorter side
    min_size_pct: float = Field(2.0, gt=0.0, le=100.0)
    #: also run the profile-face cascade (both directions)
    profiles: bool = False
    #: margin added around each face, as a fraction of its size
    pad: float = Field(0.15, ge=0.0, le=2.0)


_CASCADES: dict[str, Any] = {}


def _cascade(file_name: str) -> Any:
    import cv2

    if file_name not in _CASCADES:
        path = os.path.join(cv2.data.haarcascades, file_name)
        c = cv2.CascadeClassifier(path)
        if c.empty():
            raise DefenseError(
                f"OpenCV cascade {path} could not be loaded (opencv-python-headless<5 ships it)"
            )
        _CASCADES[file_name] = c
    return _CASCADES[file_name]


def detect_faces(im: Image.Image, params: BlurFacesParams | None = None) -> list[tuple[int, int, int, int]]:
    """Face boxes (left, upper, right, lower) in pixels of `im`, from OpenCV's Haar cascades."""
    import cv2
    import numpy as np

    p = params or BlurFacesParams()
    # Detect on a copy at most 1024 px on its longer side: faster, and the cascades are scale-free.
    scale = min(1.0, 1024.0 / max(im.size))
    small = im.convert("L")
    if scale < 1.0:
        small = small.resize((max(1, round(im.width * scale)), max(1, round(im.height * scale))))
    grey = cv2.equalizeHist(np.asarray(small, dtype=np.uint8))
    side = max(12, int(min(small.size) * p.min_size_pct / 100.0))
    found: list[tuple[int, int, int, int]] = []

    def run(name: str, img: Any, mirrored: bool) -> None:
        rects = _cascade(name).detectMultiScale(
            img, scaleFactor=p.scale_factor, minNeighbors=p.min_neighbors, minSize=(side, side)
        )
        for x, y, w, h in rects if len(rects) else []:
            if mirrored:
                x = img.shape[1] - x - w
            m = (w + h) / 2.0 * p.pad
            found.append(
                (
                    max(0, int((x - m) / scale)),
                    max(0, int((y - m) / scale)),
                    min(im.width, int((x + w + m) / scale + 0.999)),
                    min(im.height, int((y + h + m) / scale + 0.999)),
                )
            )

    run("haarcascade_frontalface_default.xml", grey, False)
    if p.profiles:
        run("haarcascade_profileface.xml", grey, False)
        run("haarcascade_profileface.xml", np.ascontiguousarray(grey[:, ::-1]), True)
    return found


@register_defense("blur_faces", BlurFacesParams, depends_on=_opencv_version)
def _blur_faces(im: Image.Image, params: BlurFacesParams) -> Image.Image:
    """Blur (or box out) every face that OpenCV's frontal and profile Haar cascades find."""
    return _cover(im, detect_faces(im, params), params.mode, params.radius)


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


# ---------------------------------------------------------------- items


def defend_items(
    items: Sequence[Item],
    data_dir: Path,
    name: str,
    params: DefenseParams | Mapping[str, Any] | None,
    dst_dir: Path,
) -> tuple[list[Item], dict[str, str]]:
    """Items whose `image` points at the defended copy (relative to `data_dir`, as adapters read
    `ctx.data_dir / item.image`), each image defended once; plus image -> reason for the images
    that could not be defended. Those images' items are left out, so they are not silently
    evaluated undefended; the comparison pairs items by id and reports them as unpaired.
    """
    if not isinstance(params, DefenseParams):
        _, params = parse_defense_spec({name: dict(params or {})})
    done: dict[str, str] = {}
    failed: dict[str, str] = {}
    out: list[Item] = []
    for it in items:
        if it.image not in done and it.image not in failed:
            try:
                path = apply_defense(name, params, Path(data_dir) / it.image, dst_dir)
                done[it.image] = os.path.relpath(path, data_dir)
            except (DefenseError, OSError, ValueError) as e:
                failed[it.image] = str(e)
        if it.image in done:
            out.append(it.model_copy(update={"image": done[it.image]}))
    return out, failed


# ---------------------------------------------------------------- utility


def utility(original: Path, defended: Path, max_side: int | None = 1024) -> dict[str, float]:
    """How much of the image a defense keeps: SSIM (grey) and PSNR (dB, capped at 100).

    The defended image is resized to the original's size when they differ; both are first
    brought to at most `max_side` pixels on the longer side (None: full size) for speed.
    """
    import numpy as np
    from skimage.metrics import peak_signal_noise_ratio, structural_similarity

    from vipbench.imaging.images import open_image

    a = open_image(Path(original)).convert("L")
    b = open_image(Path(defended)).convert("L")
    if max_side and max(a.size) > max_side:
        a.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    if b.size != a.size:
        b = b.resize(a.size, Image.Resampling.LANCZOS)
    x = np.asarray(a, dtype=np.uint8)
    y = np.asarray(b, dtype=np.uint8)
    if min(x.shape) < 7:  # SSIM's default window needs 7x7 pixels
        ssim = 1.0 if np.array_equal(x, y) else float(1.0 - np.abs(x.astype(float) - y).mean() / 255.0)
    else:
        ssim = float(structural_similarity(x, y, data_range=255))
    # Identical images have an infinite PSNR: report the cap instead.
    psnr = PSNR_CAP if np.array_equal(x, y) else float(peak_signal_noise_ratio(x, y, data_range=255))
    return {"ssim": ssim, "psnr": min(PSNR_CAP, psnr)}
