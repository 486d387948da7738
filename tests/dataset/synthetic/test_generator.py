"""Tests of the synthetic default-dataset generator (vipbench.dataset.synthetic.generator)."""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from vipbench.core.attributes import ATTRIBUTES, SCORED
from vipbench.dataset.load import read_dataset
from vipbench.dataset.schema import CueRegion, Record
from vipbench.dataset.synthetic.generator import generate

PLACE_KEYS = ("location", "placeOfImage", "placeOfBirth")


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate(tmp_path_factory.mktemp("synth") / "default")


def _lines(root: Path) -> list[dict[str, Any]]:
    with open(root / "labels.jsonl", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _by_image(root: Path) -> dict[str, list[dict[str, Any]]]:
    grouped: dict[str, list[dict[str, Any]]] = {}
    for obj in _lines(root):
        grouped.setdefault(obj["datapoint"]["image_id"], []).append(obj)
    return grouped


def _digests(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def _passes_filters(lab: dict[str, Any]) -> bool:
    return (
        bool(lab["estimate"].strip())
        and lab["certainty"] >= 3
        and lab["hardness"] > 0
        and lab["information_level"] == 0
    )


def _age_range(text: str) -> tuple[int, int]:
    lo, _, hi = text.partition("-")
    return int(lo), int(hi or lo)


def _agree(attribute: str, first: str, last: str) -> bool:
    if attribute in PLACE_KEYS:
        return first.split(",")[-1].strip() == last.split(",")[-1].strip()
    if attribute == "age":
        a, b = _age_range(first), _age_range(last)
        return a[0] <= b[1] and b[0] <= a[1]
    return first == last


def _counted(root: Path) -> tuple[Counter[str], Counter[int], int]:
    """Counted labels per scored attribute and per hardness, and how many disagreements were dropped."""
    per_attribute: Counter[str] = Counter()
    per_hardness: Counter[int] = Counter()
    dropped = 0
    for lines in _by_image(root).values():
        first, last = lines[0], (lines[-1] if len(lines) > 1 else None)
        for attribute in SCORED:
            lab = first["label"].get(attribute)
            if lab is None or not _passes_filters(lab):
                continue
            if last is not None:
                other = last["label"].get(attribute)
                if other is None or not other["estimate"].strip():
                    continue
                if not _agree(attribute, lab["estimate"], other["estimate"]):
                    dropped += 1
                    continue
            per_attribute[attribute] += 1
            per_hardness[lab["hardness"]] += 1
    return per_attribute, per_hardness, dropped


def test_same_seed_gives_byte_identical_files(dataset: Path, tmp_path: Path) -> None:
    again = generate(tmp_path / "again", seed=0)
    assert _digests(again) == _digests(dataset)


def test_other_seed_differs_and_existing_dirs_are_protected(tmp_path: Path) -> None:
    out = generate(tmp_path / "small", n_images=5, seed=7)
    assert len(list((out / "images").iterdir())) == 5
    first_labels = (out / "labels.jsonl").read_bytes()
    with pytest.raises(ValueError, match="not empty"):
        generate(out, n_images=2, seed=8)
    generate(out, n_images=2, seed=8, overwrite=True)
    assert sorted(p.name for p in (out / "images").iterdir()) == ["synth_000.jpg", "synth_001.jpg"]
    assert (out / "labels.jsonl").read_bytes() != first_labels


def test_every_line_validates_in_the_tool_format(dataset: Path) -> None:
    age_re = re.compile(r"^\d{1,3}(-\d{1,3})?$")
    for obj in _lines(dataset):
        assert set(obj) == {"datapoint", "label", "user", "time"}
        Record.model_validate(obj)
        dp = obj["datapoint"]
        for key in (
            "image_id",
            "author",
            "image_url",
            "raw_caption",
            "subreddit",
            "created_utc",
            "permalink",
        ):
            assert dp[key] not in (None, "")
        assert isinstance(dp["human_depicted"], bool)
        assert isinstance(obj["user"], str) and isinstance(obj["time"], float)
        for attribute, lab in obj["label"].items():
            if attribute == "others" or not lab["estimate"]:
                continue
            options = ATTRIBUTES[attribute].options
            if options:
                assert lab["estimate"] in options, (attribute, lab["estimate"])
            if attribute == "age":
                assert age_re.match(lab["estimate"])
            if attribute in PLACE_KEYS:
                assert 1 <= len(lab["estimate"].split(", ")) <= 3
    assert read_dataset(dataset).problems == []


def test_images_exist_once_and_open(dataset: Path) -> None:
    ids = set(_by_image(dataset))
    assert len(ids) >= 40
    files = sorted((dataset / "images").iterdir())
    stems = [f.stem for f in files]
    assert len(stems) == len(set(stems)) and set(stems) == ids
    for f in files:
        assert f.suffix == ".jpg"
        with Image.open(f) as im:
            assert im.format == "JPEG" and im.size == (640, 480)
            im.load()
    total = sum(p.stat().st_size for p in dataset.rglob("*") if p.is_file())
    assert total < 3_000_000


def test_each_scored_attribute_has_enough_counted_labels(dataset: Path) -> None:
    per_attribute, per_hardness, dropped = _counted(dataset)
    for attribute in SCORED:
        assert per_attribute[attribute] >= 6, (attribute, per_attribute)
    assert set(per_hardness) == {1, 2, 3, 4, 5}
    assert dropped >= 2  # the agreement filter has work to do


def test_some_labels_deliberately_do_not_count(dataset: Path) -> None:
    reasons: Counter[str] = Counter()
    grouped = _by_image(dataset)
    for lines in grouped.values():
        for attribute, lab in lines[0]["label"].items():
            if attribute == "others":
                continue
            if not lab["estimate"].strip():
                reasons["empty"] += 1
            elif lab["certainty"] < 3:
                reasons["certainty"] += 1
            elif lab["hardness"] == 0:
                reasons["hardness"] += 1
            elif lab["information_level"] != 0:
                reasons["information_level"] += 1
    assert set(reasons) == {"empty", "certainty", "hardness", "information_level"}
    rechecked = sum(len(lines) > 1 for lines in grouped.values())
    assert len(grouped) / 8 <= rechecked <= len(grouped) / 4
    assert any(lines[0]["label"]["others"] for lines in grouped.values())
    human = [lines[0]["datapoint"]["human_depicted"] for lines in grouped.values()]
    assert 3 <= sum(human) < len(human) / 2


def test_every_label_has_a_visible_cue(dataset: Path) -> None:
    for obj in _lines(dataset):
        dp = obj["datapoint"]
        cues = [CueRegion.model_validate(c) for c in dp["cues"]]
        labelled = {a for a, lab in obj["label"].items() if a != "others" and lab["estimate"]}
        labelled |= {a for a, lab in obj["label"]["others"].items() if lab["estimate"]}
        assert labelled <= {c.attribute for c in cues}, dp["image_id"]
        with Image.open(dataset / "images" / f"{dp['image_id']}.jpg") as im:
            grey = np.asarray(im.convert("L"), dtype=np.float64)
        h, w = grey.shape
        for cue in cues:
            left, upper, right, lower = cue.box
            assert 0 <= left < right <= 100 and 0 <= upper < lower <= 100
            if cue.text is None:
                continue
            assert cue.text.strip()
            crop = grey[
                int(upper / 100 * h) : int(lower / 100 * h), int(left / 100 * w) : int(right / 100 * w)
            ]
            assert crop.size > 0 and crop.std() > 20, (dp["image_id"], cue)


def _degrees(dms: tuple[Any, ...], ref: str) -> float:
    value = float(dms[0]) + float(dms[1]) / 60 + float(dms[2]) / 3600
    return -value if ref in ("S", "W") else value


def test_exif_gps_is_present_where_claimed(dataset: Path) -> None:
    claimed = 0
    for image_id, lines in _by_image(dataset).items():
        with Image.open(dataset / "images" / f"{image_id}.jpg") as im:
            exif = im.getexif()
        gps = exif.get_ifd(0x8825)
        claim = lines[0]["datapoint"].get("exif")
        if claim is None:
            assert not gps, image_id
            continue
        claimed += 1
        lat, lon = claim["gps"]
        assert abs(_degrees(gps[2], gps[1]) - lat) < 1e-3
        assert abs(_degrees(gps[4], gps[3]) - lon) < 1e-3
        assert exif[0x010F] == claim["make"] and exif[0x0110] == claim["model"]
        assert exif.get_ifd(0x8769)[0x9003] == claim["datetime_original"]
        assert "placeOfImage" in lines[0]["label"]
    assert claimed == 4


def _dvc_dir_md5(root: Path) -> str:
    """A directory's hash as DVC records it in a .dvc file (md5 of its sorted file listing)."""
    files = sorted(p for p in root.rglob("*") if p.is_file())
    entries = [
        {"md5": hashlib.md5(p.read_bytes()).hexdigest(), "relpath": p.relative_to(root).as_posix()} for p in files
    ]
    entries.sort(key=lambda e: e["relpath"])
    return hashlib.md5(json.dumps(entries, sort_keys=True).encode()).hexdigest() + ".dir"


def test_the_default_arguments_make_the_bundled_data_that_data_dvc_pins(dataset: Path) -> None:
    import yaml

    from testkit.repo import REPO

    pinned = yaml.safe_load((REPO / "data.dvc").read_text())["outs"][0]["md5"]
    assert _dvc_dir_md5(dataset) == pinned
