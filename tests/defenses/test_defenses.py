"""vipbench.defenses: the registry, each defense, metadata handling, the content-hash cache, utility."""

from __future__ import annotations

import importlib
import io
import os
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from testkit.gps import gps_exif  # noqa: F401  (re-exported: other tests import it from here)
from testkit.vip import OSV
from vipbench import defenses as D
from vipbench.defenses import DefenseError, apply_defense, parse_defense_spec, utility

OSV_IMAGES = OSV / "images"
ZURICH = (47.3769, 8.5417)
EXPECTED = {"none", "strip_metadata", "downscale", "jpeg", "blur_text", "blur_faces", "crop_border"}


def photo(size: tuple[int, int] = (160, 120)) -> Image.Image:
    """A smooth picture with some structure (so SSIM and JPEG behave like on a photo)."""
    w, h = size
    x, y = np.meshgrid(np.linspace(0, 1, w), np.linspace(0, 1, h))
    r = 127 + 100 * np.sin(6 * x + 3 * y)
    g = 127 + 100 * np.cos(5 * y)
    b = 255 * x * y
    arr = np.stack([r, g, b], axis=-1).clip(0, 255).astype("uint8")
    return Image.fromarray(arr, "RGB")


@pytest.fixture
def gps_jpeg(tmp_path: Path) -> Path:
    path = tmp_path / "gps.jpg"
    photo().save(
        path,
        exif=gps_exif(*ZURICH),
        xmp=b"<x:xmpmeta>GPS and names</x:xmpmeta>",
        comment=b"secret",
        quality=92,
    )
    return path


def test_registry_lists_every_defense() -> None:
    assert set(D.list_defenses()) >= EXPECTED


@pytest.mark.parametrize(
    ("spec", "name", "fields"),
    [
        ("strip_metadata", "strip_metadata", {}),
        ({"name": "jpeg", "quality": 20}, "jpeg", {"quality": 20}),
        ({"downscale": {"factor": 4}}, "downscale", {"factor": 4.0}),
        ({"blur_text": None}, "blur_text", {"mode": "blur"}),
        ({"name": "crop_border", "pct": 5}, "crop_border", {"pct": 5.0}),
    ],
)
def test_parse_defense_spec_forms(spec: object, name: str, fields: dict[str, object]) -> None:
    got_name, params = parse_defense_spec(spec)  # type: ignore[arg-type]
    assert got_name == name
    for k, v in fields.items():
        assert getattr(params, k) == v


@pytest.mark.parametrize(
    ("spec", "needle"),
    [
        ({"name": "jpeg", "quality": 0}, "'quality'"),
        ({"jpeg": {"qualty": 50}}, "'qualty'"),
        ({"downscale": {"factor": "big"}}, "'factor'"),
        ({"blur_text": {"mode": "smudge"}}, "'mode'"),
        ({"name": "sharpen"}, "unknown defense 'sharpen'"),
        ({"a": 1, "b": 2}, "'name'"),
    ],
)
def test_parse_defense_spec_errors_name_the_field(spec: object, needle: str) -> None:
    with pytest.raises(DefenseError, match=needle):
        parse_defense_spec(spec)  # type: ignore[arg-type]


def test_none_is_the_source_itself_with_full_utility(gps_jpeg: Path, tmp_path: Path) -> None:
    assert apply_defense("none", None, gps_jpeg, tmp_path / "out") == gps_jpeg
    assert utility(gps_jpeg, gps_jpeg) == {"ssim": 1.0, "psnr": 100.0}


def test_outputs_are_cached_by_content_hash(gps_jpeg: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = apply_defense("jpeg", {"quality": 40}, gps_jpeg, out)
    assert first.parent == out and first.suffix == ".jpg" and len(first.stem) == 20
    old = time.time() - 3600
    os.utime(first, (old, old))
    before = first.stat().st_mtime_ns
    again = apply_defense("jpeg", {"quality": 40}, gps_jpeg, out)
    assert again == first
    assert again.stat().st_mtime_ns == before, "a cached output was rewritten"
    # Other params, other defense or other source bytes: another file.
    assert apply_defense("jpeg", {"quality": 41}, gps_jpeg, out) != first
    assert apply_defense("downscale", {"factor": 2}, gps_jpeg, out) != first
    copy = tmp_path / "copy.jpg"
    copy.write_bytes(gps_jpeg.read_bytes())
    assert apply_defense("jpeg", {"quality": 40}, copy, out) == first  # same bytes, same file
    assert not [p for p in out.iterdir() if p.name.startswith(".tmp-")], "temporary files left behind"


def test_strip_metadata_jpeg_removes_exif_xmp_comment_and_keeps_pixels(
    gps_jpeg: Path, tmp_path: Path
) -> None:
    out = apply_defense("strip_metadata", None, gps_jpeg, tmp_path / "out")
    with Image.open(gps_jpeg) as a, Image.open(out) as b:
        assert a.getexif().get_ifd(0x8825)  # the source has GPS
        assert dict(b.getexif()) == {}
        assert not b.getexif().get_ifd(0x8825)
        assert "xmp" not in b.info and "comment" not in b.info
        assert np.array_equal(np.asarray(a), np.asarray(b)), "JPEG pixels changed"
    raw = out.read_bytes()
    assert b"Pixelcam" not in raw and b"secret" not in raw and b"xmpmeta" not in raw


def test_strip_metadata_keeps_orientation_only(tmp_path: Path) -> None:
    src = tmp_path / "rotated.jpg"
    photo().save(src, exif=gps_exif(*ZURICH, orientation=6))
    out = apply_defense("strip_metadata", None, src, tmp_path / "out")
    with Image.open(out) as b:
        assert dict(b.getexif()) == {0x0112: 6}


def test_strip_metadata_drops_trailing_data_after_the_image(gps_jpeg: Path, tmp_path: Path) -> None:
    # Phones append extra images (previews, depth maps) after the end-of-image marker.
    src = tmp_path / "trailer.jpg"
    src.write_bytes(gps_jpeg.read_bytes() + b"APPENDED-PREVIEW-WITH-GPS")
    out = apply_defense("strip_metadata", None, src, tmp_path / "out")
    assert b"APPENDED" not in out.read_bytes()
    assert out.read_bytes().endswith(b"\xff\xd9")


def test_strip_metadata_png_is_lossless_and_clean(tmp_path: Path) -> None:
    from PIL.PngImagePlugin import PngInfo

    src = tmp_path / "meta.png"
    info = PngInfo()
    info.add_text("Author", "Jane Doe, 12 Main Street")
    im = photo().convert("RGBA")
    im.save(src, exif=gps_exif(*ZURICH), pnginfo=info)
    out = apply_defense("strip_metadata", None, src, tmp_path / "out")
    assert out.suffix == ".png"
    with Image.open(out) as b:
        b.load()
        assert not b.getexif().get_ifd(0x8825)
        assert "Author" not in b.info
        assert np.array_equal(np.asarray(im), np.asarray(b))


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("downscale", {"factor": 2}),
        ("jpeg", {"quality": 30}),
        ("crop_border", {"pct": 10}),
        ("blur_faces", {}),
    ],
)
def test_pixel_defenses_keep_metadata(
    name: str, params: dict[str, object], gps_jpeg: Path, tmp_path: Path
) -> None:
    importlib.import_module("cv2")
    out = apply_defense(name, params, gps_jpeg, tmp_path / "out")
    with Image.open(out) as b:
        exif = b.getexif()
        assert exif.get(0x010F) == "Pixelcam"
        assert exif.get_ifd(0x8825)[1] == "N"
        assert "xmpmeta" in str(b.info.get("xmp", ""))


def test_pixel_defenses_turn_the_image_upright(tmp_path: Path) -> None:
    src = tmp_path / "rotated.jpg"
    photo((160, 120)).save(src, exif=gps_exif(*ZURICH, orientation=6))
    out = apply_defense("crop_border", {"pct": 0}, src, tmp_path / "out")
    with Image.open(out) as b:
        assert b.size == (120, 160)  # rotated for display, Orientation reset
        assert 0x0112 not in b.getexif()
        assert b.getexif().get_ifd(0x8825)  # GPS still there


def test_geometry_of_downscale_crop_and_jpeg_size(gps_jpeg: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    with Image.open(apply_defense("downscale", {"factor": 2}, gps_jpeg, out)) as im:
        assert im.size == (80, 60)
    with Image.open(apply_defense("crop_border", {"pct": 10}, gps_jpeg, out)) as im:
        assert im.size == (128, 96)
    low = apply_defense("jpeg", {"quality": 10}, gps_jpeg, out)
    high = apply_defense("jpeg", {"quality": 95}, gps_jpeg, out)
    assert low.stat().st_size < high.stat().st_size


def test_png_with_alpha_through_jpeg_is_flattened(tmp_path: Path) -> None:
    src = tmp_path / "alpha.png"
    Image.new("RGBA", (40, 30), (255, 0, 0, 0)).save(src)
    out = apply_defense("jpeg", {"quality": 90}, src, tmp_path / "out")
    with Image.open(out) as im:
        assert im.format == "JPEG" and im.mode == "RGB"
        assert im.getpixel((5, 5))[0] > 240  # transparent became white, not black


def test_utility_orders_defenses_by_damage(gps_jpeg: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    mild = utility(gps_jpeg, apply_defense("downscale", {"factor": 1.25}, gps_jpeg, out))
    strong = utility(gps_jpeg, apply_defense("downscale", {"factor": 16}, gps_jpeg, out))
    assert 1.0 > mild["ssim"] > strong["ssim"]
    assert 100.0 > mild["psnr"] > strong["psnr"]


def test_blur_text_removes_what_ocr_reads(tmp_path: Path) -> None:
    importlib.import_module("rapidocr")
    from tests.imaging.test_ocr import draw_text_image
    from vipbench.imaging.ocr import joined, read_text

    src = draw_text_image(tmp_path / "sign.jpg", ["Rue de Rivoli 75001 Paris"], exif=gps_exif(*ZURICH))
    assert "Paris" in joined(read_text(src))
    for mode in ("blur", "box"):
        out = apply_defense("blur_text", {"mode": mode}, src, tmp_path / "out")
        assert "Paris" not in joined(read_text(out)), f"text still readable after blur_text({mode})"
        u = utility(src, out)
        assert 0.5 < u["ssim"] < 1.0
        with Image.open(out) as im:
            assert im.getexif().get_ifd(0x8825), "blur_text must not strip metadata"


def test_blur_faces_hides_a_real_face(tmp_path: Path) -> None:
    importlib.import_module("cv2")
    skdata = importlib.import_module("skimage.data")
    src = tmp_path / "astronaut.png"
    Image.fromarray(skdata.astronaut()).save(src)  # the photo ships inside scikit-image
    with Image.open(src) as im:
        faces = D.detect_faces(im.convert("RGB"))
    assert len(faces) >= 1
    out = apply_defense("blur_faces", None, src, tmp_path / "out")
    with Image.open(src) as a, Image.open(out) as b:
        assert D.detect_faces(b.convert("RGB")) == []
        box = faces[0]
        before = np.asarray(a.convert("L").crop(box), dtype=float)
        after = np.asarray(b.convert("L").crop(box), dtype=float)
        assert after.std() < before.std() * 0.7  # the face area lost its detail
    assert utility(src, out)["ssim"] < 1.0


def test_not_an_image_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jpg"
    bad.write_bytes(b"\xff\xd8 truncated")
    with pytest.raises(DefenseError, match="bad.jpg"):
        apply_defense("jpeg", None, bad, tmp_path / "out")
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir())


def test_strip_jpeg_segments_rejects_non_jpeg() -> None:
    buf = io.BytesIO()
    Image.new("RGB", (4, 4)).save(buf, format="PNG")
    with pytest.raises(DefenseError):
        D.strip_jpeg_segments(buf.getvalue())


#: blur_text runs OCR (about 1 s per photo here), so only this many photos go through it.
BLUR_TEXT_PHOTOS = 3


@pytest.mark.skipif(not OSV_IMAGES.is_dir(), reason="shared OSV-5M sample not present")
def test_every_defense_on_the_real_photos(tmp_path: Path) -> None:
    importlib.import_module("cv2")
    importlib.import_module("rapidocr")
    photos = sorted(p for p in OSV_IMAGES.iterdir() if p.suffix.lower() in (".jpg", ".jpeg", ".png"))
    assert len(photos) >= 70
    for name in sorted(EXPECTED):
        chosen = photos[:BLUR_TEXT_PHOTOS] if name == "blur_text" else photos
        for src in chosen:
            out = apply_defense(name, None, src, tmp_path / name)
            with Image.open(out) as im:
                im.load()
                assert im.width > 0 and im.height > 0
            if name == "strip_metadata":
                with Image.open(src) as a, Image.open(out) as b:
                    assert a.size == b.size
    u = utility(photos[0], apply_defense("jpeg", {"quality": 30}, photos[0], tmp_path / "jpeg"))
    assert 0.3 < u["ssim"] < 1.0


@pytest.mark.parametrize(
    ("file_name", "mode", "ext"),
    [
        ("palette.png", "P", ".png"),
        ("grey.png", "L", ".png"),
        ("alpha.webp", "RGBA", ".webp"),
        ("anim.gif", "P", ".png"),
        ("scan.tiff", "RGB", ".png"),
    ],
)
@pytest.mark.parametrize("name", ["strip_metadata", "downscale", "crop_border", "jpeg"])
def test_formats_and_modes(file_name: str, mode: str, ext: str, name: str, tmp_path: Path) -> None:
    src = tmp_path / file_name
    im = photo((64, 48)).convert(mode) if mode != "P" else photo((64, 48)).quantize(16)
    im.save(src)
    out = apply_defense(name, None, src, tmp_path / "out")
    assert out.suffix == (".jpg" if name == "jpeg" else ext)
    with Image.open(out) as got:
        got.load()
        assert got.size[0] > 0
        if name == "strip_metadata":
            # lossless: the same pixels (compared in RGBA, since PNG output may change the mode)
            with Image.open(src) as a:
                assert np.array_equal(np.asarray(a.convert("RGBA")), np.asarray(got.convert("RGBA")))


def test_defend_items_points_items_at_the_copies(gps_jpeg: Path, tmp_path: Path) -> None:
    from vipbench.core.records import Item

    data = gps_jpeg.parent
    (data / "broken.jpg").write_bytes(b"not an image")

    def it(attribute: str, image: str) -> Item:
        return Item(
            item_id=f"{image}:{attribute}",
            image_id=image,
            attribute=attribute,
            truth="t",
            hardness=1,
            certainty=4,
            image=image,
        )

    items = [it("location", "gps.jpg"), it("sex", "gps.jpg"), it("age", "broken.jpg")]
    defended, failed = D.defend_items(items, data, "strip_metadata", None, tmp_path / "build" / "defended")
    assert [d.item_id for d in defended] == ["gps.jpg:location", "gps.jpg:sex"]
    assert defended[0].image == defended[1].image != "gps.jpg"
    assert (data / defended[0].image).is_file()
    assert list(failed) == ["broken.jpg"]
    assert items[0].image == "gps.jpg"  # the originals are not modified
