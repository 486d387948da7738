"""testkit.gps: a GPS fix written into a JPEG file leaves its pixels exactly as they were."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from testkit.gps import save_with_gps, with_exif_segment


def test_a_tagged_copy_has_the_same_pixels_and_the_new_fix(tmp_path: Path) -> None:
    src = tmp_path / "photo.jpg"
    Image.effect_noise((64, 48), 40).convert("RGB").save(src, quality=75)
    tagged = save_with_gps(src, tmp_path / "out" / "tagged.jpg", -33.9, 18.4)
    again = save_with_gps(tagged, tmp_path / "again.jpg", 48.85, 2.35)  # replaces the first fix
    with Image.open(src) as a, Image.open(tagged) as b, Image.open(again) as c:
        assert a.tobytes() == b.tobytes() == c.tobytes()
        gps = c.getexif().get_ifd(0x8825)
    assert (gps[1], gps[2][0], gps[3], gps[4][0]) == ("N", 48.0, "E", 2.0)
    assert tagged.read_bytes().count(b"Exif\x00\x00") == again.read_bytes().count(b"Exif\x00\x00") == 1


def test_only_a_jpeg_stream_is_tagged() -> None:
    with pytest.raises(ValueError, match="not a JPEG"):
        with_exif_segment(b"\x89PNG\r\n\x1a\n", b"Exif\x00\x00")
