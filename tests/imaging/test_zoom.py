"""Chain-of-zoom geometry: box parsing, widening, edge margins, crops."""

from __future__ import annotations

import pytest
from PIL import Image

from vipbench.imaging.zoom import crop, parse_boxes, pixel_box, widen_box


def test_parse_boxes_forms() -> None:
    text = (
        "The sign is small.\nbounding_box(10%, 20%, 30%, 40%)\n"
        "Also BOUNDING_BOX( 50 , 60 , 70 , 80 ) and bounding box(0.1, 0.2, 0.3, 0.4)\n"
        "bounding_box(10%, 20%, 30%, 40%) again, bounding_box(left%, upper%, right%, lower%) is the syntax"
    )
    # the fraction box and the repeated one are the first box again: duplicates are dropped
    assert parse_boxes(text) == [(10, 20, 30, 40), (50, 60, 70, 80)]
    assert parse_boxes("bounding_box(0.5, 0.5, 0.9, 0.9)") == [(50.0, 50.0, 90.0, 90.0)]
    assert parse_boxes("bounding_box(0, 0, 1, 1)") == [(0.0, 0.0, 1.0, 1.0)]  # no fraction: all 0/1
    assert parse_boxes("bounding_box(100, 200, 640, 480)") == []  # pixels are ignored
    assert parse_boxes("no boxes here") == [] and parse_boxes("") == []
    many = " ".join(f"bounding_box({i}, {i}, {i + 5}, {i + 5})" for i in range(10))
    assert len(parse_boxes(many)) == 4 and len(parse_boxes(many, max_boxes=2)) == 2


@pytest.mark.parametrize(
    ("box", "widened"),
    [
        ((40, 40, 60, 60), (30, 30, 70, 70)),  # too small: grown around its centre
        ((0, 0, 10, 10), (4, 4, 44, 44)),  # at the corner: grown, then pushed off the edges
        ((90, 95, 100, 100), (56, 56, 96, 96)),
        ((10, 20, 80, 90), (10, 20, 80, 90)),  # big enough already
        ((0, 0, 100, 100), (4, 4, 96, 96)),  # the whole image: kept 4% off every edge
        ((60, 70, 20, 30), (20, 30, 60, 70)),  # corners given the wrong way round
        ((-10, 50, 5, 150), (4, 46, 44, 96)),  # out of range values are clamped first
    ],
)
def test_widen_box(box: tuple[float, ...], widened: tuple[float, ...]) -> None:
    got = widen_box(box)  # type: ignore[arg-type]
    assert got == pytest.approx(widened)
    left, upper, right, lower = got
    assert right - left >= 40 - 1e-9 and lower - upper >= 40 - 1e-9
    assert min(left, upper) >= 4 - 1e-9 and max(right, lower) <= 96 + 1e-9


def test_widen_box_parameters() -> None:
    assert widen_box((45, 45, 55, 55), min_size=20, margin=0) == pytest.approx((40, 40, 60, 60))


def test_pixel_box_and_crop() -> None:
    im = Image.new("RGB", (200, 100), (0, 0, 0))
    im.paste((255, 0, 0), (100, 50, 200, 100))
    assert pixel_box((50, 50, 100, 100), im.size) == (100, 50, 200, 100)
    c = crop(im, (50, 50, 100, 100))
    assert c.size == (100, 50) and c.getpixel((10, 10)) == (255, 0, 0)
    assert crop(im, (0, 0, 100, 100), max_side=50).size == (50, 25)
    assert pixel_box((10, 10, 10, 10), im.size) == (20, 10, 21, 11)  # never empty


def test_cue_hits_counts_crops_that_cover_the_cue() -> None:
    from vipbench.imaging.zoom import covers, cue_hits

    cue = (10.0, 10.0, 20.0, 20.0)
    assert covers((0.0, 0.0, 50.0, 50.0), cue)
    assert not covers((15.0, 15.0, 60.0, 60.0), cue)  # a quarter of the cue only
    assert covers((15.0, 10.0, 60.0, 60.0), cue)  # exactly half
    out = cue_hits(
        [
            ([(0.0, 0.0, 50.0, 50.0)], [cue]),  # zoomed onto the cue
            ([(50.0, 50.0, 96.0, 96.0)], [cue]),  # zoomed elsewhere
            ([], [cue]),  # did not zoom
            ([(0.0, 0.0, 50.0, 50.0)], []),  # zoomed, no known cue
        ]
    )
    assert out == {"items": 4, "zoomed": 3, "zoomed_with_cue": 2, "cue_hit_rate": 0.5}
