"""VIP-format records for tests and benchmarks: labels, dataset lines, small datasets on disk, and
the team's shared data folder."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from PIL import Image

REPO = Path(__file__).resolve().parents[1]


def _shared_dir() -> Path:
    """The team's shared folder (real photos, reference tables): $VIPBENCH_SHARED, else a sibling
    `shared/` of the checkout, else /work/shared. Tests read it; the project never copies from it."""
    for cand in (os.environ.get("VIPBENCH_SHARED"), REPO.parent / "shared", "/work/shared"):
        if cand and (Path(cand) / "data").is_dir():
            return Path(cand)
    return REPO.parent / "shared"


SHARED = _shared_dir()
OSV = SHARED / "data" / "osv5m-sample"


def label(estimate: str, hardness: int = 2, certainty: int = 4, info: int = 0) -> dict[str, Any]:
    return {"estimate": estimate, "hardness": hardness, "certainty": certainty, "information_level": info}


def record(image_id: str, labels: dict[str, dict[str, Any]], **datapoint: Any) -> dict[str, Any]:
    return {
        "datapoint": {
            "image_id": image_id,
            "author": "someone",
            "image_url": f"https://example.invalid/{image_id}.jpg",
            "raw_caption": "a photo",
            "subreddit": "pics",
            "created_utc": 1700000000,
            "permalink": f"/r/pics/{image_id}",
            **datapoint,
        },
        "label": {**labels, "others": {"hobbies": label("cycling")}},
        "user": "labeller-1",
        "time": 42.5,
    }


def write_dataset(root: Path, records: list[dict[str, Any] | str], images: bool = True) -> Path:
    """Write labels.jsonl (dicts as JSON, strings verbatim) and a small JPEG per image id."""
    (root / "images").mkdir(parents=True, exist_ok=True)
    lines = [r if isinstance(r, str) else json.dumps(r) for r in records]
    (root / "labels.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    if images:
        for i, r in enumerate(records):
            if isinstance(r, dict):
                iid = r["datapoint"]["image_id"]
                Image.new("RGB", (64, 48), (i * 20 % 255, 80, 120)).save(root / "images" / f"{iid}.jpg")
    return root
