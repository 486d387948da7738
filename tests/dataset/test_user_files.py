"""Datasets as users hold them: upper-case and .jpeg extensions, whole numbers written as strings or
floats, messages that name the offending value, and import-geo with subfolders and spaces."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PIL import Image

from testkit.vip import label, record, write_dataset
from vipbench.config import FilterParams
from vipbench.core.errors import InputError
from vipbench.dataset.importgeo import import_geo
from vipbench.dataset.items import build_items
from vipbench.dataset.load import read_dataset
from vipbench.dataset.schema import AttributeLabel
from vipbench.imaging.images import find_image


@pytest.mark.parametrize("name", ["a.JPG", "a.jpeg", "a.JPEG", "a.Jpg", "a.PNG", "a.webp"])
def test_find_image_whatever_the_case_of_the_extension(tmp_path: Path, name: str) -> None:
    Image.new("RGB", (8, 8)).save(tmp_path / name, format="PNG" if "png" in name.lower() else "JPEG")
    found = find_image(tmp_path, "a")
    assert found is not None and found.name == name
    assert find_image(tmp_path, "A") is None  # the image id itself is matched exactly
    assert find_image(tmp_path, "b") is None
    assert find_image(tmp_path / "missing", "a") is None


def test_a_dataset_with_upper_case_jpegs_validates_and_builds_items(tmp_path: Path) -> None:
    root = write_dataset(
        tmp_path / "ds", [record("p1", {"sex": label("Male")}), record("p2", {"sex": label("Female")})]
    )
    (root / "images" / "p1.jpg").rename(root / "images" / "p1.JPG")
    (root / "images" / "p2.jpg").rename(root / "images" / "p2.jpeg")
    ds = read_dataset(root)
    assert ds.problems == []
    items = list(build_items(ds, ["sex"], FilterParams(min_certainty=1, require_agreement=False)))
    assert sorted(i.image for i in items) == ["images/p1.JPG", "images/p2.jpeg"]


@pytest.mark.parametrize(("written", "value"), [("5", 5), (3.0, 3), (" 4 ", 4), ("2.0", 2), (1, 1)])
def test_whole_numbers_written_as_strings_or_floats(written: object, value: int) -> None:
    lab = AttributeLabel.model_validate(
        {"estimate": "x", "hardness": written, "certainty": written, "information_level": 0}
    )
    assert lab.hardness == value and lab.certainty == value and isinstance(lab.hardness, int)


@pytest.mark.parametrize("written", [3.5, "3.5", "high", True, "", None, float("nan")])
def test_other_values_are_refused(written: object) -> None:
    with pytest.raises(ValueError):
        AttributeLabel.model_validate({"estimate": "x", "hardness": written, "certainty": 4})


def test_every_schema_error_names_the_offending_value(tmp_path: Path) -> None:
    recs = [
        record("a", {"sex": {"estimate": "Male", "hardness": 3.5, "certainty": 4, "information_level": 0}}),
        record("b", {"sex": {"estimate": "Male", "hardness": 2, "certainty": "sure", "information_level": 0}}),
        record("c", {"sex": {"estimate": "Male", "hardness": 9, "certainty": 4, "information_level": 0}}),
        record("d", {"sex": {"estimate": "Male", "hardness": "7", "certainty": 4, "information_level": "-1"}}),
        record("e", {"sex": {"estimate": 42, "hardness": 2, "certainty": 4}}),
        record("f", {"sex": label("Male")}, human_depicted="maybe"),
        record("g", {"sex": {"estimate": "Male", "hardness": "2", "certainty": 4.0, "information_level": "0"}}),
    ]
    root = write_dataset(tmp_path / "ds", recs)
    problems = [str(p) for p in read_dataset(root).problems]
    labels = root / "labels.jsonl"

    def on_line(n: int) -> str:
        return "\n".join(p for p in problems if f"{labels}:{n}:" in p)

    assert "label.sex.hardness" in on_line(1) and "3.5" in on_line(1)
    assert "label.sex.certainty" in on_line(2) and "'sure'" in on_line(2)
    assert "label.sex.hardness" in on_line(3) and "9" in on_line(3)
    assert "'7'" in on_line(4) and "'-1'" in on_line(4)
    assert "label.sex.estimate" in on_line(5) and "42" in on_line(5)
    assert "datapoint.human_depicted" in on_line(6) and "'maybe'" in on_line(6)
    assert on_line(7) == ""  # "2", 4.0 and "0" are whole numbers
    assert len(problems) == 7  # line 4 has two


# ------------------------------------------------------------------------------------ import-geo


def _jpeg(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (16, 12), (10, 200, 30)).save(path, format="JPEG")


def test_import_geo_accepts_subfolders_and_spaces(tmp_path: Path) -> None:
    imgs = tmp_path / "my photos"
    _jpeg(imgs / "2023" / "rome trip" / "IMG 0042.JPG")
    _jpeg(imgs / "street view.jpeg")
    _jpeg(imgs / "win" / "a b.jpg")
    csv_file = tmp_path / "geo.csv"
    csv_file.write_text(
        "file,latitude,longitude,city,region,country\n"
        "2023/rome trip/IMG 0042.JPG,41.9,12.5,Rome,Lazio,IT\n"
        "street view.jpeg,32.0,44.33,An Najaf,An Najaf,IQ\n"
        "win\\a b.jpg,47.37,8.54,Zurich,Zurich,CH\n"
    )
    n = import_geo(csv_file, imgs, tmp_path / "out")
    assert n == 3
    ds = read_dataset(tmp_path / "out")
    assert ds.problems == []
    assert set(ds.images) == {"2023__rome_trip__IMG_0042", "street_view", "win__a_b"}
    rome = ds.images["2023__rome_trip__IMG_0042"].first
    assert (rome.datapoint.model_extra or {})["source_file"] == "2023/rome trip/IMG 0042.JPG"
    assert (tmp_path / "out" / "images" / "2023__rome_trip__IMG_0042.jpg").is_file()
    assert (tmp_path / "out" / "images" / "street_view.jpeg").is_file()
    # a city that shares its region's name keeps both: the city, not only the province
    najaf = ds.images["street_view"].first.label.attributes["placeOfImage"].estimate
    assert najaf == "An Najaf, An Najaf, Iraq"
    assert ds.images["win__a_b"].first.label.attributes["placeOfImage"].estimate == "Zurich, Zurich, Switzerland"


def test_import_geo_still_refuses_parent_and_absolute_paths(tmp_path: Path) -> None:
    imgs = tmp_path / "imgs"
    _jpeg(imgs / "sub" / "ok.jpg")
    _jpeg(tmp_path / "outside.jpg")
    csv_file = tmp_path / "geo.csv"
    csv_file.write_text(
        "file,latitude,longitude,city,region,country\n"
        f"sub/ok.jpg,1,1,A,B,FR\n"
        f"sub/../../outside.jpg,1,1,A,B,FR\n"
        f"{tmp_path / 'outside.jpg'},1,1,A,B,FR\n"
        "..\\outside.jpg,1,1,A,B,FR\n"
        "C:\\photos\\x.jpg,1,1,A,B,FR\n"
        "sub/ok 2.jpg,north,1,A,B,FR\n"
        "sub/ok.JPG,1,1,A,B,FR\n"
    )
    with pytest.raises(InputError) as e:
        import_geo(csv_file, imgs, tmp_path / "out")
    msg = str(e.value)
    assert f"{csv_file}:3: file: unsafe file name 'sub/../../outside.jpg'" in msg
    assert f"{csv_file}:4: file: unsafe file name {str(tmp_path / 'outside.jpg')!r}" in msg and "absolute" in msg
    assert f"{csv_file}:5: file: unsafe file name" in msg
    assert f"{csv_file}:6: file: unsafe file name 'C:\\\\photos\\\\x.jpg'" in msg
    assert f"{csv_file}:7: latitude/longitude: invalid coordinates 'north', '1'" in msg
    assert f"{csv_file}:8: file: duplicate of line 2: 'sub/ok.JPG' is image 'sub__ok'" in msg
    assert not (tmp_path / "out").exists()


def test_import_geo_writes_labels_the_loader_reads_back(tmp_path: Path) -> None:
    imgs = tmp_path / "imgs"
    _jpeg(imgs / "x y.jpg")
    csv_file = tmp_path / "geo.csv"
    csv_file.write_text("file,latitude,longitude,city,region,country\nx y.jpg,5.05,118.32,Lahad Datu,,MY\n")
    import_geo(csv_file, imgs, tmp_path / "out")
    line = json.loads((tmp_path / "out" / "labels.jsonl").read_text())
    assert line["datapoint"]["image_id"] == "x_y"
    assert line["label"]["placeOfImage"]["estimate"] == "Lahad Datu, Malaysia"  # an empty region is dropped
