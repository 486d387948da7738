"""The defenses that cover what a detector finds: blur_text (OCR lines) and blur_faces (faces).

Each found box is blurred (Gaussian) or filled black; the rest of the image and its metadata stay.
The OCR engine's or OpenCV's version joins the cache key, since the boxes depend on it.
"""

from __future__ import annotations

from typing import Any, Literal

from PIL import Image, ImageFilter
from pydantic import Field

from .faces import FaceDetectionParams, detect_faces, detector_versions
from .registry import DefenseParams, register_defense

Box = tuple[int, int, int, int]


def cover(im: Image.Image, boxes: list[Box], mode: str, radius: float | None) -> Image.Image:
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


@register_defense("blur_text", BlurTextParams, depends_on=_ocr_version)
def _blur_text(im: Image.Image, params: BlurTextParams) -> Image.Image:
    """Blur (or box out) every text line that OCR finds."""
    from vipbench.imaging.ocr import read_text

    boxes = []
    for tb in read_text(im, min_score=params.min_score):
        left, upper, right, lower = tb.pixel_box(im.size)
        m = int((lower - upper) * params.pad)
        boxes.append((max(0, left - m), max(0, upper - m), min(im.width, right + m), min(im.height, lower + m)))
    return cover(im, boxes, params.mode, params.radius)


class BlurFacesParams(FaceDetectionParams):
    mode: Literal["blur", "box"] = "blur"
    #: Gaussian radius in pixels; None scales with each face (half its size)
    radius: float | None = Field(None, gt=0.0, le=500.0)


@register_defense("blur_faces", BlurFacesParams, depends_on=detector_versions)
def _blur_faces(im: Image.Image, params: BlurFacesParams) -> Image.Image:
    """Blur (or box out) every face that OpenCV's Haar cascades or dlib's HOG detector find."""
    return cover(im, detect_faces(im, params), params.mode, params.radius)
