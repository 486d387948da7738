"""vipbench.imaging.ocr: the offline OCR wrapper (one shared engine; boxes in percent of the upright image)."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

importlib.import_module("rapidocr")

from vipbench.imaging.images import ImageError  # noqa: E402
from vipbench.imaging.ocr import TextBox, get_engine, joined, read_text  # noqa: E402


def draw_text_image(
    path: Path,
    lines: list[str],
    size: tuple[int, int] = (900, 400),
    font_size: int = 56,
    background: tuple[int, int, int] = (40, 90, 60),
    panel: tuple[int, int, int] | None = (20, 50, 140),
    ink: tuple[int, int, int] = (255, 255, 255),
    **save: object,
) -> Path:
    """An image with large, clean text lines (a sign, a certificate), saved to `path`."""
    im = Image.new("RGB", size, background)
    draw = ImageDraw.Draw(im)
    font = ImageFont.load_default(size=font_size)
    step = int(font_size * 1.9)
    top = max(10, (size[1] - step * len(lines)) // 2)
    if panel is not None:
        draw.rectangle((40, top - 20, size[0] - 40, top + step * len(lines)), fill=panel)
    for i, text in enumerate(lines):
        draw.text((70, top + i * step), text, font=font, fill=ink)
    path.parent.mkdir(parents=True, exist_ok=True)
    im.save(path, **save)  # type: ignore[arg-type]
    return path


@pytest.fixture(scope="module")
def sign(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return draw_text_image(tmp_path_factory.mktemp("ocr") / "sign.jpg", ["Rue de Rivoli 75001 Paris"])


def test_reads_a_drawn_sign_with_its_box(sign: Path) -> None:
    boxes = read_text(sign)
    assert boxes, "OCR found no text on a clean, large sign"
    assert "Paris" in joined(boxes)
    assert "Rivoli" in joined(boxes)
    (line,) = [b for b in boxes if "Paris" in b.text]
    left, upper, right, lower = line.box_pct
    # The text was drawn from x=70 px on a 900 px wide image, around the middle of its height.
    assert 0.0 <= left < 15.0 < 50.0 < right <= 100.0
    assert 25.0 < upper < 50.0 < lower < 75.0
    assert 0.5 <= line.score <= 1.0


def test_engine_is_created_once_per_process(sign: Path) -> None:
    assert get_engine() is get_engine()


def test_exif_rotated_image_is_read_upright(tmp_path: Path, sign: Path) -> None:
    # Store the sign rotated on its side with Orientation=6 ("rotate 90 CW to display"): a viewer
    # and our reader must both see upright text, and boxes refer to the upright image.
    upright = Image.open(sign)
    stored = upright.transpose(Image.Transpose.ROTATE_90)
    exif = Image.Exif()
    exif[0x0112] = 6
    path = tmp_path / "rotated.jpg"
    stored.save(path, exif=exif)
    boxes = read_text(path)
    assert "Paris" in joined(boxes)
    (line,) = [b for b in boxes if "Paris" in b.text]
    assert line.box_pct[2] - line.box_pct[0] > line.box_pct[3] - line.box_pct[1]  # wide, not tall


def test_blank_image_has_no_text(tmp_path: Path) -> None:
    path = tmp_path / "blank.png"
    Image.new("RGB", (300, 200), (200, 200, 200)).save(path)
    assert read_text(path) == []


def test_unreadable_file_is_an_image_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jpg"
    bad.write_bytes(b"not an image at all")
    with pytest.raises(ImageError):
        read_text(bad)


def test_pixel_box_rounds_outwards_and_clips() -> None:
    tb = TextBox(text="x", box_pct=(10.0, 20.0, 50.5, 100.0), score=0.9)
    assert tb.pixel_box((200, 100)) == (20, 20, 101, 100)


def test_same_pixels_in_two_files_are_read_once(tmp_path: Path, sign: Path) -> None:
    from vipbench.imaging.ocr import OCRCache

    cache = OCRCache(tmp_path / "ocr.sqlite")
    # the same pixels as a lossless PNG and again with EXIF metadata: two files, one content
    png = tmp_path / "sign.png"
    Image.open(sign).save(png)
    tagged = tmp_path / "tagged.png"
    exif = Image.Exif()
    exif[0x010F] = "SomeCamera"
    Image.open(sign).save(tagged, exif=exif)
    first = read_text(png, cache=cache)
    second = read_text(tagged, cache=cache)
    assert cache.calls == 1 and len(cache) == 1
    assert first == second and "Paris" in joined(first)
    # a different min_score filters the cached reading instead of reading again
    assert read_text(png, min_score=0.99, cache=cache) == [b for b in first if b.score >= 0.99]
    assert cache.calls == 1
    # the counter is in the file: another process (here: another handle) sees it
    assert OCRCache(tmp_path / "ocr.sqlite").calls == 1


def test_big_photo_is_read_from_a_bounded_copy(tmp_path: Path) -> None:
    from vipbench.imaging.ocr import OCR_MAX_SIDE, OCRCache, ocr_copy

    big = draw_text_image(tmp_path / "big.jpg", ["Rue de Rivoli 75001 Paris"], size=(4032, 1800), font_size=200)
    assert max(ocr_copy(Image.open(big)).size) == OCR_MAX_SIDE
    cache = OCRCache(tmp_path / "ocr.sqlite")
    boxes = read_text(big, cache=cache)
    assert "Paris" in joined(boxes)
    (line,) = [b for b in boxes if "Paris" in b.text]
    assert line.box_pct[0] < 10.0  # percent of the full image, whatever size OCR read


def test_concurrent_reads_use_one_engine_each(monkeypatch: pytest.MonkeyPatch, sign: Path) -> None:
    """Two threads reading at once get two engines (each core busy), and the same lines."""
    import threading

    from vipbench.imaging import ocr

    monkeypatch.setenv("VIPBENCH_WORKERS", "2")
    used: set[int] = set()
    barrier = threading.Barrier(2)
    results: list[list[str]] = []

    def read() -> None:
        with ocr.borrowed_engine() as eng:
            used.add(id(eng))
            barrier.wait(timeout=60)  # both hold an engine at the same time
        results.append([b.text for b in read_text(sign, cache=None)])

    threads = [threading.Thread(target=read) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(used) == 2
    assert results[0] == results[1] and results[0]


def test_one_reading_for_the_same_pixels_under_two_names(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, sign: Path
) -> None:
    """Two threads reading the same photo under two file names at once: one engine call."""
    import shutil
    import threading

    from vipbench.imaging.ocr import OCRCache

    monkeypatch.setenv("VIPBENCH_WORKERS", "2")
    copy = shutil.copy(sign, tmp_path / "same photo.png")
    cache = OCRCache(tmp_path / "ocr.sqlite")
    barrier = threading.Barrier(2)
    got: list[list[str]] = []

    def read(path: Path) -> None:
        barrier.wait(timeout=60)
        got.append([b.text for b in read_text(path, cache=cache)])

    threads = [threading.Thread(target=read, args=(p,)) for p in (sign, Path(copy))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert cache.calls == 1 and len(cache) == 1
    assert got[0] == got[1] and got[0]
    cache.close()
