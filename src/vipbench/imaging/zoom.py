"""The study's chain of zoom: crop requests from turn 1, widened and kept off the edges.

In turn 1 the model may ask for regions as `bounding_box(left%, upper%, right%, lower%)`. Each
box is widened to at least `MIN_SIZE` percent of the image on each axis (around its centre) and
kept `MARGIN` percent away from every edge, then cropped from the full-resolution image. The
geometry is pure and works in percent of the image width and height.
"""

from __future__ import annotations

import re

from PIL import Image

Box = tuple[float, float, float, float]  # left, upper, right, lower, in percent

MIN_SIZE = 40.0
MARGIN = 4.0
MAX_BOXES = 4

_NUM = r"\s*([-+]?\d+(?:\.\d+)?)\s*(%?)\s*"
_BOX_RE = re.compile(r"bounding[_ ]?box\s*\(" + ",".join([_NUM] * 4) + r"\)", re.IGNORECASE)


def parse_boxes(text: str, max_boxes: int = MAX_BOXES) -> list[Box]:
    """The `bounding_box(...)` requests in `text`, in percent, in order, without duplicates.

    Four values all within 0..1 and written without `%` are read as fractions of the image.
    A box with a value outside 0..100 (pixels, say) is ignored. At most `max_boxes` are returned.
    """
    out: list[Box] = []
    for m in _BOX_RE.finditer(text or ""):
        vals = [float(m.group(2 * i + 1)) for i in range(4)]
        pct = any(m.group(2 * i + 2) for i in range(4))
        if not pct and all(0.0 <= v <= 1.0 for v in vals) and any(0.0 < v < 1.0 for v in vals):
            vals = [v * 100.0 for v in vals]
        if any(v < 0.0 or v > 100.0 for v in vals):
            continue
        box: Box = (vals[0], vals[1], vals[2], vals[3])
        if box not in out:
            out.append(box)
        if len(out) >= max_boxes:
            break
    return out


def _widen_axis(lo: float, hi: float, min_size: float, margin: float) -> tuple[float, float]:
    lo, hi = sorted((min(max(lo, 0.0), 100.0), min(max(hi, 0.0), 100.0)))
    usable = 100.0 - 2 * margin
    size = min(max(hi - lo, min_size), usable)
    centre = (lo + hi) / 2
    lo, hi = centre - size / 2, centre + size / 2
    if lo < margin:
        lo, hi = margin, margin + size
    if hi > 100.0 - margin:
        lo, hi = 100.0 - margin - size, 100.0 - margin
    return round(lo, 4), round(hi, 4)


def widen_box(box: Box, min_size: float = MIN_SIZE, margin: float = MARGIN) -> Box:
    """At least `min_size`% on each axis, at least `margin`% from each edge (shrunk if needed)."""
    left, right = _widen_axis(box[0], box[2], min_size, margin)
    upper, lower = _widen_axis(box[1], box[3], min_size, margin)
    return (left, upper, right, lower)


def pixel_box(box: Box, size: tuple[int, int]) -> tuple[int, int, int, int]:
    """A percent box in pixels of an image of `size` (width, height), at least 1 px wide and high."""
    w, h = size
    left, upper = round(box[0] / 100 * w), round(box[1] / 100 * h)
    right, lower = max(left + 1, round(box[2] / 100 * w)), max(upper + 1, round(box[3] / 100 * h))
    return left, upper, min(right, w), min(lower, h)


def crop(image: Image.Image, box: Box, max_side: int | None = None) -> Image.Image:
    """The region `box` (percent) of `image`, shrunk to `max_side` if larger."""
    out = image.crop(pixel_box(box, image.size))
    if max_side and max(out.size) > max_side:
        out.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    return out


def covers(crop_box: Box, cue_box: Box, min_fraction: float = 0.5) -> bool:
    """Does a crop show at least `min_fraction` of a cue region's area? Boxes in percent."""
    left, upper = max(crop_box[0], cue_box[0]), max(crop_box[1], cue_box[1])
    right, lower = min(crop_box[2], cue_box[2]), min(crop_box[3], cue_box[3])
    inter = max(0.0, right - left) * max(0.0, lower - upper)
    area = (cue_box[2] - cue_box[0]) * (cue_box[3] - cue_box[1])
    return area > 0 and inter / area >= min_fraction


def cue_hits(pairs: list[tuple[list[Box], list[Box]]]) -> dict[str, float | int | None]:
    """Chain-of-zoom targeting over (crops asked for, cue boxes of the label) pairs.

    Counts the items where the model zoomed at all, and among those that have a known cue,
    the share where some crop covers the cue that reveals the label.
    """
    zoomed = [(crops, cues) for crops, cues in pairs if crops]
    with_cue = [(crops, cues) for crops, cues in zoomed if cues]
    hits = sum(any(covers(c, q) for c in crops for q in cues) for crops, cues in with_cue)
    return {
        "items": len(pairs),
        "zoomed": len(zoomed),
        "zoomed_with_cue": len(with_cue),
        "cue_hit_rate": hits / len(with_cue) if with_cue else None,
    }
