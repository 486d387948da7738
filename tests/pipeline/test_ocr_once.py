"""Each distinct pixel content is read by OCR once per pipeline: across the OCR run, its
strip_metadata twin (same pixels, other bytes) and the blur_text defense (which reads text to
cover it)."""

from __future__ import annotations

import importlib
import json
from pathlib import Path

import pytest
import yaml
from PIL import Image

from testkit.vip import label, record, write_dataset
from tests.imaging.test_ocr import draw_text_image
from vipbench.imaging.images import open_image
from vipbench.imaging.ocr import OCRCache, content_key, ocr_copy
from vipbench.pipeline.defend import defend
from vipbench.pipeline.infer import infer
from vipbench.pipeline.prepare import prepare
from vipbench.workspace import OCR_CACHE_ENV, Workspace

importlib.import_module("rapidocr")
REPO = Path(__file__).resolve().parents[2]


def test_ocr_calls_equal_distinct_pixel_contents(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(OCR_CACHE_ENV)  # this workspace's own cache, so that it counts only these calls
    recs = [record(f"img{i}", {"occupation": label("nurse"), "sex": label("Female")}) for i in range(3)]
    write_dataset(tmp_path / "data", recs)
    for i, words in enumerate(["Staff Nurse Anna", "City Hospital Ward 4", ""]):
        path = tmp_path / "data" / "images" / f"img{i}.jpg"
        if words:
            draw_text_image(path, [words], exif=_exif())
        else:
            Image.new("RGB", (400, 300), (90, 90, 90)).save(path, exif=_exif())  # nothing to read
    params = yaml.safe_load((REPO / "params.yaml").read_text())
    params["attributes"] = ["occupation", "sex"]
    params["models"] = {"ocr": {"kind": "ocr"}}
    params["defenses"] = {"strip_metadata": {"kind": "strip_metadata"}, "blur_text": {"kind": "blur_text"}}
    params["defense_eval"] = {"runs": ["ocr"], "defenses": ["strip_metadata", "blur_text"]}
    (tmp_path / "params.yaml").write_text(yaml.safe_dump(params))
    ws = Workspace.load(tmp_path)
    prepare(ws)
    for d in ("strip_metadata", "blur_text"):
        defend(ws, d)
    for run in ("ocr", "ocr+strip_metadata", "ocr+blur_text"):
        infer(ws, run)

    seen: set[str] = set()
    for run in ("ocr", "ocr+strip_metadata", "ocr+blur_text"):
        this = ws.run(run)
        for it in this.items_file.read_text().splitlines():
            image = json.loads(it)["image"]
            seen.add(content_key(ocr_copy(open_image(this.images_dir / image))))
    calls = OCRCache(ws.ocr_cache_path).calls
    # originals (3) + blurred copies of the two images with text (the blank one is unchanged)
    assert len(seen) == 5
    assert calls == len(seen)


def _exif() -> Image.Exif:
    e = Image.Exif()
    e[0x010F] = "PhoneMaker"
    return e
