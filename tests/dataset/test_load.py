from __future__ import annotations

import json
from pathlib import Path

from testkit.vip import label, record
from vipbench.config import FilterParams
from vipbench.dataset.items import build_items
from vipbench.dataset.load import read_dataset


def problems_of(root: Path) -> list[str]:
    return [str(p) for p in read_dataset(root).problems]


def test_valid_dataset_reads_both_lines_and_others(make_dataset) -> None:
    first = record("img1", {"sex": label("Female"), "age": label("30-40")})
    second = record("img1", {"sex": label("Female", certainty=5), "age": label("35")})
    root = make_dataset([first, second, record("img2", {"income": label("High (60-150k USD)")})])
    ds = read_dataset(root)
    assert ds.problems == []
    entry = ds.images["img1"]
    assert entry.lines == [1, 2]
    assert entry.rechecked is not None and entry.rechecked.label.attributes["sex"].certainty == 5
    assert entry.first.label.others["hobbies"].estimate == "cycling"


def test_broken_lines_are_reported_with_file_line_and_field(make_dataset) -> None:
    good = record("ok", {"sex": label("Male")})
    bad_hardness = record("h", {"sex": label("Male", hardness=9)})
    wrong_type = record("t", {"age": {"estimate": "30", "hardness": "2.5", "certainty": 4, "information_level": 0}})
    unknown = record("u", {"favouriteColour": label("blue")})
    no_label = {"datapoint": {"image_id": "n"}, "user": "x", "time": 1}
    unsafe = record("../etc", {"sex": label("Male")})
    root = make_dataset(
        [good, "{not json", json.dumps(good)[:40], bad_hardness, wrong_type, unknown, no_label, unsafe],
        images=False,
    )
    # only the good record's image exists
    from PIL import Image

    Image.new("RGB", (8, 8)).save(root / "images" / "ok.jpg")
    msgs = problems_of(root)
    labels = str(root / "labels.jsonl")
    joined = "\n".join(msgs)
    assert f"{labels}:2: invalid JSON" in joined
    assert f"{labels}:3: invalid JSON" in joined and "truncated" in joined
    assert f"{labels}:4: label.sex.hardness:" in joined
    assert f"{labels}:5: label.age.hardness:" in joined
    assert f"{labels}:6: label:" in joined and "favouriteColour" in joined
    assert f"{labels}:7: label:" in joined and "Field required" in joined
    assert f"{labels}:8: datapoint.image_id:" in joined
    # records that failed schema do not also report missing images
    assert not any("image not found" in m and ":4:" in m for m in msgs)


def test_missing_and_broken_images(make_dataset) -> None:
    root = make_dataset([record("a", {"sex": label("Male")}), record("b", {"sex": label("Male")})])
    (root / "images" / "a.jpg").unlink()
    (root / "images" / "b.jpg").write_bytes(b"")
    msgs = problems_of(root)
    assert any("labels.jsonl:1: datapoint.image_id: image not found" in m for m in msgs)
    assert any(m.startswith(str(root / "images" / "b.jpg")) and "empty" in m for m in msgs)


def test_duplicate_image_ids_and_non_utf8(make_dataset) -> None:
    r = record("d", {"sex": label("Male")})
    root = make_dataset([r, r, r])
    with open(root / "labels.jsonl", "ab") as fh:
        fh.write(b'{"datapoint": {"image_id": "\xff"}}\n')
    msgs = problems_of(root)
    assert any(":3: datapoint.image_id: duplicate image id 'd'" in m for m in msgs)
    assert any(":4: not valid UTF-8" in m for m in msgs)


def test_filters_and_agreement(make_dataset) -> None:
    recs = [
        record(
            "a",
            {
                "sex": label("Male"),
                "age": label("30", certainty=2),  # too uncertain
                "income": label("Low (<30k USD)", hardness=0),  # hardness 0 does not count
                "occupation": label("nurse", info=1),  # needs more information
                "educationLevel": label(""),  # empty
                "maritalStatus": label("Married"),
            },
            human_depicted=True,
        ),
        record("b", {"age": label("25-35"), "sex": label("Female"), "maritalStatus": label("Married")}),
        record("b", {"age": label("33"), "sex": label("Male"), "maritalStatus": label("Married")}),
    ]
    ds = read_dataset(make_dataset(recs))
    items = {
        i.item_id: i
        for i in build_items(
            ds, ["sex", "age", "income", "occupation", "maritalStatus", "educationLevel"], FilterParams()
        )
    }
    assert set(items) == {"a:sex", "a:maritalStatus", "b:age", "b:maritalStatus"}
    assert items["a:sex"].human_depicted is True and items["a:sex"].truth == "Male"
    # the image-only label is the truth; the re-checked one only has to agree
    assert items["b:age"].truth == "25-35"
    loose = {i.item_id for i in build_items(ds, ["sex"], FilterParams(require_agreement=False))}
    assert loose == {"a:sex", "b:sex"}
    lenient = {i.item_id for i in build_items(ds, ["age"], FilterParams(min_certainty=1, require_agreement=False))}
    assert lenient == {"a:age", "b:age"}


def test_photo_coordinates_are_optional_and_validated(make_dataset) -> None:
    """datapoint.latitude/longitude: where the photo was taken, both or neither, in range."""
    place = {"placeOfImage": label("Fresno, California")}
    ok = record("ok", place, latitude=36.7378, longitude=-119.7871)
    plain = record("plain", place)
    only_lat = record("lat", place, latitude=36.7)
    north = record("north", place, latitude=95.0, longitude=10.0)
    text = record("text", place, latitude="north", longitude=10.0)
    root = make_dataset([ok, plain, only_lat, north, text])
    joined = "\n".join(problems_of(root))
    labels = str(root / "labels.jsonl")
    assert f"{labels}:3: datapoint:" in joined and "latitude and longitude come together" in joined
    assert f"{labels}:4: datapoint.latitude:" in joined and "less than or equal to 90" in joined
    assert f"{labels}:5: datapoint.latitude:" in joined
    assert ":1:" not in joined and ":2:" not in joined
    ds = read_dataset(make_dataset([ok, plain], name="good"))
    items = {it.item_id: it for it in build_items(ds, ["placeOfImage"], FilterParams())}
    assert items["ok:placeOfImage"].photo_point == (36.7378, -119.7871)
    assert items["plain:placeOfImage"].photo_point is None
