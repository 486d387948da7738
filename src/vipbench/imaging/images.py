"""Safe image loading: EXIF orientation, mode normalisation, size limits, bomb refusal."""

from __future__ import annotations

import io
import os
import warnings
from pathlib import Path

from PIL import Image, ImageOps

from vipbench.core.errors import ImageError as ImageError  # where image code raises it

#: Refuse images with more pixels than this (a decompression bomb). About 16k x 16k.
MAX_PIXELS = 16_384 * 16_384
#: Formats that cannot be decoded at a reduced size (PNG, WebP, ...) are refused above this many
#: pixels when a max side is set: decoding one would hold w*h*4 bytes (64 MP: 256 MB) only to
#: throw most of it away. JPEG is exempt: it decodes at a reduced DCT scale instead.
MAX_FULL_DECODE_PIXELS = 64_000_000

IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".webp")


def find_image(images_dir: Path, image_id: str) -> Path | None:
    """The file `<image_id><ext>` in images_dir for any IMAGE_EXTENSIONS ext in any case
    (".jpg", ".JPG", ".Jpeg"); the image id itself must match exactly. None if there is none."""
    for ext in IMAGE_EXTENSIONS:
        for variant in (ext, ext.upper()):
            p = images_dir / f"{image_id}{variant}"
            if p.is_file():
                return p
    # mixed-case extensions (".Jpg") are rare: look through the directory only then
    try:
        entries = sorted(os.scandir(images_dir), key=lambda e: e.name)
    except OSError:
        return None
    for ext in IMAGE_EXTENSIONS:
        for entry in entries:
            stem, dot, suffix = entry.name.rpartition(".")
            if dot and stem == image_id and f".{suffix.lower()}" == ext and entry.is_file():
                return Path(entry.path)
    return None


def open_image(path: Path, max_side: int | None = None) -> Image.Image:
    """Open, fully decode and normalise an image to RGB with EXIF orientation applied.

    Raises ImageError with a clear reason for empty, truncated, non-image and bomb files.
    """
    if path.stat().st_size == 0:
        raise ImageError("file is empty (0 bytes)")
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(path) as im:
                w, h = im.size
                if w * h > MAX_PIXELS:
                    raise ImageError(
                        f"image is {w}x{h} = {w * h} pixels, above the limit of {MAX_PIXELS}; "
                        "refusing a possible decompression bomb"
                    )
                if max_side and im.format == "JPEG":
                    # decode at a reduced DCT scale: a 9000x9000 photo never needs 240 MB when
                    # the model gets at most max_side pixels (the result stays >= max_side)
                    im.draft("RGB", (max_side, max_side))
                elif max_side and w * h > MAX_FULL_DECODE_PIXELS:
                    raise ImageError(
                        f"{im.format or 'this'} image is {w}x{h} = {w * h} pixels; formats other than JPEG are "
                        f"decoded in full, and above {MAX_FULL_DECODE_PIXELS} pixels that costs too much memory "
                        "for an image sent at a few hundred pixels. Convert it to JPEG, or downscale it first."
                    )
                im.load()
                im = ImageOps.exif_transpose(im)
                im = _to_rgb(im)
        except ImageError:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as e:
            raise ImageError(f"refusing a possible decompression bomb: {e}") from e
        except Image.UnidentifiedImageError as e:
            raise ImageError("not a readable image (unknown or corrupt format)") from e
        except (OSError, SyntaxError, ValueError) as e:
            raise ImageError(f"cannot decode image: {e}") from e
    if max_side and max(im.size) > max_side:
        im.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    return im


def _to_rgb(im: Image.Image) -> Image.Image:
    if im.mode == "RGB":
        return im
    if im.mode in ("I;16", "I;16B", "I;16L", "I"):
        # 16-bit or 32-bit grey: scale to 8 bits before converting.
        import numpy as np

        arr = np.asarray(im, dtype=np.float64)
        top = arr.max() or 1.0
        return Image.fromarray((arr / top * 255.0).astype("uint8"), mode="L").convert("RGB")
    if im.mode in ("P", "PA", "LA", "RGBA") or "transparency" in im.info:
        rgba = im.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return im.convert("RGB")


def encode_jpeg(im: Image.Image, quality: int = 90) -> bytes:
    buf = io.BytesIO()
    im.save(buf, format="JPEG", quality=quality)
    return buf.getvalue()
