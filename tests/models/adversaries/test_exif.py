"""The `exif` adversary: GPS, camera and time from the file's own metadata, reverse-geocoded offline."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest
from PIL import Image

import vipbench.models.adversaries.exif as exif_mod  # registers the "exif" kind
from tests.defenses.test_defenses import ZURICH, gps_exif, photo
from vipbench.core.records import Item, Response
from vipbench.defenses import apply_defense
from vipbench.models.adversaries.exif import EXIFSpec, nearest_cities, read_metadata
from vipbench.models.kinds import create_adapter, spec_class
from vipbench.models.registry import RunContext


def item(attribute: str, image: str, image_id: str = "img") -> Item:
    return Item(
        item_id=f"{image_id}:{attribute}",
        image_id=image_id,
        attribute=attribute,
        truth="x",
        hardness=2,
        certainty=4,
        image=image,
    )


def run(data_dir: Path, items: list[Item], **spec: object) -> dict[str, Response]:
    seen: list[Response] = []
    ctx = RunContext(
        run_name="exif", data_dir=data_dir, cache_path=data_dir / "cache.sqlite", progress=seen.append
    )
    adapter = create_adapter(EXIFSpec(**spec), ctx)  # type: ignore[arg-type]
    try:
        out = {r.item_id: r for r in adapter.infer(items)}
    finally:
        adapter.close()
    assert len(seen) == len(items)
    return out


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    images = tmp_path / "images"
    images.mkdir()
    photo().save(images / "zurich.jpg", exif=gps_exif(*ZURICH))
    photo().save(images / "rio.jpg", exif=gps_exif(-22.9068, -43.1729))
    photo().save(images / "plain.jpg")
    return tmp_path


def test_kind_is_registered_and_ignores_prompts() -> None:
    assert spec_class("exif") is EXIFSpec
    assert EXIFSpec().uses_prompt() is False
    assert exif_mod.EXIFAdapter is not None


def test_reads_gps_camera_and_time(data_dir: Path) -> None:
    meta = read_metadata(data_dir / "images" / "zurich.jpg")
    assert meta.lat == pytest.approx(ZURICH[0], abs=1e-3)
    assert meta.lon == pytest.approx(ZURICH[1], abs=1e-3)
    assert (meta.make, meta.model, meta.taken) == ("Pixelcam", "P9 Pro", "2024:06:01 10:30:00")
    south_west = read_metadata(data_dir / "images" / "rio.jpg")
    assert south_west.lat is not None and south_west.lat < 0
    assert south_west.lon is not None and south_west.lon < 0


def test_nearest_city_is_a_town_not_a_district() -> None:
    zurich = nearest_cities(*ZURICH)
    assert zurich[0].country_code == "CH" and zurich[0].name == "Zürich"
    assert zurich[0].guess() == "Zürich, Zürich, Switzerland"
    paris = nearest_cities(48.8566, 2.3522)
    assert paris[0].name == "Paris" and paris[0].country == "France"


def test_recovers_the_place_from_gps(data_dir: Path) -> None:
    items = [
        item("placeOfImage", "images/zurich.jpg", "z"),
        item("location", "images/zurich.jpg", "z"),
        item("sex", "images/zurich.jpg", "z"),
        item("placeOfImage", "images/rio.jpg", "r"),
    ]
    got = run(data_dir, items)
    poi = got["z:placeOfImage"]
    assert poi.status == "answered"
    assert 1 <= len(poi.guesses) <= 3
    assert poi.guesses[0].startswith("Zürich") and poi.guesses[0].endswith("Switzerland")
    assert "GPS 47.37" in poi.inference and "Pixelcam" in poi.inference
    assert got["z:location"].status == "answered" and got["z:location"].cached  # one read per image
    assert got["z:sex"].status == "abstained" and got["z:sex"].reason == "no metadata cue"
    assert got["r:placeOfImage"].guesses[0].endswith("Brazil")


def test_the_guess_resolves_in_the_gazetteer(data_dir: Path) -> None:
    gazetteer = importlib.import_module("vipbench.places.gazetteer")
    got = run(data_dir, [item("placeOfImage", "images/zurich.jpg")])
    place = gazetteer.resolve_place(got["img:placeOfImage"].guesses[0])
    assert place is not None and place.country_code == "CH" and place.level == "city"


def test_finds_nothing_after_strip_metadata(data_dir: Path) -> None:
    stripped = apply_defense(
        "strip_metadata", None, data_dir / "images" / "zurich.jpg", data_dir / "defended"
    )
    rel = str(stripped.relative_to(data_dir))
    got = run(data_dir, [item("placeOfImage", rel), item("location", rel)])
    for r in got.values():
        assert r.status == "abstained" and r.reason == "no metadata cue" and r.guesses == []


def test_no_exif_and_broken_files(data_dir: Path) -> None:
    (data_dir / "images" / "broken.jpg").write_bytes(b"garbage")
    got = run(
        data_dir,
        [
            item("placeOfImage", "images/plain.jpg", "plain"),
            item("placeOfImage", "images/broken.jpg", "broken"),
            item("placeOfImage", "images/missing.jpg", "missing"),
        ],
    )
    assert got["plain:placeOfImage"].status == "abstained"
    assert got["broken:placeOfImage"].status == "error" and got["broken:placeOfImage"].reason
    assert got["missing:placeOfImage"].status == "error"


def test_zero_zero_and_out_of_range_gps_are_ignored(tmp_path: Path) -> None:
    path = tmp_path / "null_island.jpg"
    photo().save(path, exif=gps_exif(0.0, 0.0))
    assert read_metadata(path).lat is None
    png = tmp_path / "gps.png"
    Image.new("RGB", (20, 20)).save(png, exif=gps_exif(*ZURICH))
    assert read_metadata(png).lat == pytest.approx(ZURICH[0], abs=1e-3)
