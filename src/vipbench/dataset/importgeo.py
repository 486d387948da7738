"""Convert a geolocation table (file, latitude, longitude, city, region, country) to a VIP dataset.

Each row becomes one image with a `placeOfImage` label "city, region, country name". The
coordinates go into the datapoint as extra fields. Nothing is written unless every row is valid.
"""

from __future__ import annotations

import csv
import json
import shutil
import tempfile
from pathlib import Path

from vipbench.core.errors import InputError, Problem
from vipbench.dataset.schema import IMAGE_ID_RE, Record

REQUIRED = ("file", "latitude", "longitude", "city", "region", "country")


def country_name(code: str) -> str:
    import pycountry

    c = pycountry.countries.get(alpha_2=code.upper()) if len(code) == 2 else None
    if c is None:
        return code
    return str(getattr(c, "common_name", None) or c.name)


def _row_record(row: dict[str, str], hardness: int, certainty: int) -> Record:
    parts = [row["city"].strip(), row["region"].strip(), country_name(row["country"].strip())]
    estimate = ", ".join(dict.fromkeys(p for p in parts if p))  # drop empty and repeated parts
    stem = Path(row["file"]).stem
    return Record.model_validate(
        {
            "datapoint": {
                "image_id": stem,
                "image_url": None,
                "latitude": float(row["latitude"]),
                "longitude": float(row["longitude"]),
                "source": "import-geo",
                "human_depicted": None,
            },
            "label": {
                "placeOfImage": {
                    "estimate": estimate,
                    "hardness": hardness,
                    "certainty": certainty,
                    "information_level": 0,
                },
                "others": {},
            },
            "user": "import-geo",
            "time": 0,
        }
    )


def import_geo(
    csv_file: Path, images_dir: Path, out: Path, *, hardness: int = 3, certainty: int = 5, overwrite: bool = False
) -> int:
    if out.exists() and any(out.iterdir()) and not overwrite:
        raise InputError([Problem(str(out), None, None, "output directory is not empty (use --overwrite)")])
    problems: list[Problem] = []
    rows: list[tuple[Record, Path]] = []
    seen: dict[str, int] = {}
    with open(csv_file, newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
        if missing:
            raise InputError([Problem(str(csv_file), 1, ",".join(missing), "missing column(s)")])
        for lineno, row in enumerate(reader, start=2):
            stem = Path(row["file"]).stem
            if not IMAGE_ID_RE.match(stem) or "/" in row["file"] or ".." in row["file"]:
                problems.append(Problem(str(csv_file), lineno, "file", f"unsafe file name {row['file']!r}"))
                continue
            if stem in seen:
                problems.append(Problem(str(csv_file), lineno, "file", f"duplicate of line {seen[stem]}"))
                continue
            seen[stem] = lineno
            try:
                lat, lon = float(row["latitude"]), float(row["longitude"])
                if not (-90 <= lat <= 90 and -180 <= lon <= 180):
                    raise ValueError("out of range")
            except ValueError as e:
                problems.append(Problem(str(csv_file), lineno, "latitude/longitude", f"invalid coordinates: {e}"))
                continue
            if not row["country"].strip():
                problems.append(Problem(str(csv_file), lineno, "country", "empty"))
                continue
            src = images_dir / row["file"]
            if not src.is_file():
                problems.append(Problem(str(csv_file), lineno, "file", f"image not found: {src}"))
                continue
            rows.append((_row_record(row, hardness, certainty), src))
    if problems:
        raise InputError(problems)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        (tmp / "images").mkdir()
        with open(tmp / "labels.jsonl", "w", encoding="utf-8") as fh:
            for rec, src in rows:
                ext = src.suffix.lower() if src.suffix.lower() in (".jpg", ".jpeg", ".png", ".webp") else ".jpg"
                shutil.copyfile(src, tmp / "images" / f"{rec.datapoint.image_id}{ext}")
                fh.write(json.dumps(rec.to_json(), ensure_ascii=False) + "\n")
        if out.exists():
            shutil.rmtree(out)
        tmp.rename(out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return len(rows)
