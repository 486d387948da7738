"""Image loading: orientation, modes, size limits and memory for large JPEGs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from PIL import Image

from vipbench.imaging.images import open_image


def _rotated_jpeg(path: Path, size: tuple[int, int]) -> None:
    im = Image.new("RGB", size, (200, 30, 30))
    im.paste((30, 30, 200), (0, 0, size[0] // 4, size[1]))  # a blue band on the left edge
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90 CW to display"
    im.save(path, quality=90, exif=exif)


def test_large_jpeg_is_downscaled_and_still_upright(tmp_path: Path) -> None:
    p = tmp_path / "big.jpg"
    _rotated_jpeg(p, (4000, 3000))
    im = open_image(p, max_side=512)
    # orientation 6 turns a landscape file into a portrait picture, and the band moves to the top
    assert im.size == (384, 512)
    assert im.getpixel((192, 10))[2] > 150
    full = open_image(p)
    assert full.size == (3000, 4000)


def _peak_rss_mb(path: Path, max_side: int | None) -> float:
    # VmHWM belongs to the new process image; ru_maxrss would carry over the (large) pytest parent's
    code = (
        "from pathlib import Path; from vipbench.imaging.images import open_image; "
        f"open_image(Path({str(path)!r}), max_side={max_side!r}); "
        "hwm = [ln for ln in open('/proc/self/status') if ln.startswith('VmHWM:')][0]; "
        "print(int(hwm.split()[1]) / 1024)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(out.stdout.strip())


def test_large_jpeg_decodes_at_reduced_scale(tmp_path: Path) -> None:
    p = tmp_path / "huge.jpg"
    Image.new("RGB", (8000, 6000), (90, 120, 150)).save(p, quality=70)
    full = _peak_rss_mb(p, None)
    small = _peak_rss_mb(p, 1024)
    # a full decode holds 8000*6000*3 bytes = 144 MB; the reduced decode a small fraction of it
    assert full - small > 100


def test_huge_png_is_refused_before_decoding(tmp_path: Path) -> None:
    import pytest

    from vipbench.imaging.images import MAX_FULL_DECODE_PIXELS, ImageError

    p = tmp_path / "huge.png"
    Image.new("1", (10_000, 8_000)).save(p)  # 80 MP, a few kB on disk
    assert MAX_FULL_DECODE_PIXELS < 10_000 * 8_000
    with pytest.raises(ImageError, match="PNG image is 10000x8000"):
        open_image(p, max_side=1024)
    # the same file is fine when nothing asks for a downscale (e.g. a defense that keeps full size)
    assert open_image(p).size == (10_000, 8_000)
    # and a PNG under the budget is decoded and downscaled as before
    ok = tmp_path / "ok.png"
    Image.new("RGB", (3000, 2000), (10, 20, 30)).save(ok)
    assert open_image(ok, max_side=600).size == (600, 400)
