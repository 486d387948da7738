"""The `ocr` adversary on 71 real street photos (the shared OSV-5M sample, placeOfImage): its
place guesses may contradict a photo's true country at most twice, on the photos as they are,
after blur_text (the photos with text) and after downscale. Runs real OCR: about 3 minutes."""

from __future__ import annotations

import csv
import importlib
import os
from pathlib import Path

import pytest

from testkit.vip import OSV
from vipbench.core.records import Item, Response
from vipbench.models.kinds import create_adapter
from vipbench.models.registry import RunContext
from vipbench.workspace import OCR_CACHE_ENV

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not (OSV / "labels.csv").is_file(), reason="shared OSV-5M sample not present"),
]

MAX_CONTRADICTIONS = 2


def _run(data_dir: Path, images: dict[str, str]) -> dict[str, Response]:
    from vipbench.models.adversaries.ocr import OCRSpec

    items = [
        Item(item_id=f"{key}:placeOfImage", image_id=key, attribute="placeOfImage", truth="x", hardness=2,
             certainty=4, image=rel)
        for key, rel in images.items()
    ]  # fmt: skip
    ctx = RunContext(run_name="ocr-osv", data_dir=data_dir, cache_path=data_dir / "cache.sqlite")
    adapter = create_adapter(OCRSpec(), ctx)
    try:
        return {r.image_id: r for r in adapter.infer(items)}
    finally:
        adapter.close()


@pytest.fixture(scope="module")
def guesses(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[str, list[str]]]:
    """(true country, place guesses) per photo and version ("none", "blur_text", "downscale")."""
    importlib.import_module("rapidocr")
    from vipbench.defenses import apply_defense
    from vipbench.imaging import ocr

    with open(OSV / "labels.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    root = tmp_path_factory.mktemp("ocr_osv")
    (root / "none").symlink_to(OSV / "images", target_is_directory=True)
    country = {row["file"]: row["country"] for row in rows}
    # as in the pipeline (infer and defend stages), OCR readings go through the content cache:
    # blur_text finds its boxes in the readings the adversary made of the same pixels
    ocr.use_cache(os.environ.get(OCR_CACHE_ENV) or root / "ocr-cache.sqlite")  # the session's (conftest)
    try:
        plain = _run(root, {f"none/{f}": f"none/{f}" for f in country})
        with_text = [key.split("/", 1)[1] for key, r in plain.items() if r.inference.strip()]
        defended: dict[str, str] = {}
        for name, files in (("blur_text", with_text), ("downscale", list(country))):
            for f in files:
                out = apply_defense(name, None, OSV / "images" / f, root / name)
                defended[f"{name}/{f}"] = str(out.relative_to(root))
        responses = {**plain, **_run(root, defended)}
    finally:
        ocr.use_cache(None)
    return {key: (country[key.split("/", 1)[1]], r.guesses) for key, r in responses.items()}


def test_few_place_guesses_contradict_the_true_country(guesses: dict[str, tuple[str, list[str]]]) -> None:
    gazetteer = importlib.import_module("vipbench.places.gazetteer")
    contradicting: list[str] = []
    per_version: dict[str, int] = {}
    for key, (truth, places) in sorted(guesses.items()):
        version = key.split("/", 1)[0]
        per_version.setdefault(version, 0)
        for g in places:
            place = gazetteer.resolve_place(g)
            if place is None or place.country_code != truth:
                contradicting.append(f"{key} ({truth}): {g}")
                per_version[version] += 1
    assert len(guesses) >= 71 * 2
    assert len(contradicting) <= MAX_CONTRADICTIONS, f"{per_version}: " + "; ".join(contradicting)
