"""Convert a geolocation table (file, latitude, longitude, city, region, country) to a VIP dataset.

Each row becomes one image with a `placeOfImage` label "city, region, country name" (a city that
shares its region's name keeps both: "An Najaf, An Najaf, Iraq" is the city, "An Najaf, Iraq" only
the province). The coordinates go into the datapoint as extra fields. Nothing is written unless
every row is valid.

`file` is a path relative to the images directory, as users keep their photos: subfolders and
spaces are fine ("2023/rome trip/IMG 0042.JPG"; a backslash counts as a separator), while ".."
and absolute paths are refused. The image id is the path without its extension, with folders
joined by "__" and every character an id cannot hold turned into "_" ("2023__rome_trip__IMG_0042");
the original path is kept in the datapoint as `source_file`.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
import tempfile
from pathlib import Path, PurePosixPath

from vipbench.core.errors import InputError, Problem
from vipbench.dataset.schema import IMAGE_ID_RE, Record

REQUIRED = ("file", "latitude", "longitude", "city", "region", "country")


def country_name(code: str) -> str:
    import pycountry

    c = pycountry.countries.get(alpha_2=code.upper()) if len(code) == 2 else None
    if c is None:
        return code
    return str(getattr(c, "common_name", None) or c.name)


_NOT_IN_ID = re.compile(r"[^A-Za-z0-9_.\-]+")


def relative_image_path(file: str) -> PurePosixPath:
    """The CSV's `file` as a safe relative path; ValueError for an empty, absolute or ".." path."""
    text = file.strip().replace("\\", "/")
    path = PurePosixPath(text)
    if not text or text.endswith("/"):
        raise ValueError("empty file name")
    if path.is_absolute() or re.match(r"^[A-Za-z]:", text):
        raise ValueError("an absolute path; give the path relative to the images directory")
    if ".." in path.parts:
        raise ValueError("'..' may not appear in the path")
    return path


def image_id_for(path: PurePosixPath) -> str:
    """The dataset image id for a relative image path: folders joined by "__", unsafe runs as "_"."""
    parts = [*path.parent.parts, path.stem] if path.parent.parts else [path.stem]
    image_id = "__".join(_NOT_IN_ID.sub("_", p.strip()) for p in parts if p not in ("", "."))
    image_id = image_id.lstrip(".-")
    return image_id if IMAGE_ID_RE.match(image_id) else ""


def _row_record(row: dict[str, str], hardness: int, certainty: int) -> Record:
    parts = [(row["city"] or "").strip(), (row["region"] or "").strip(), country_name((row["country"] or "").strip())]
    # empty parts go; a city that shares its region's name stays (the city, not only the province)
    estimate = ", ".join(p for p in parts if p)
    path = relative_image_path(row["file"])
    return Record.model_validate(
        {
            "datapoint": {
                "image_id": image_id_for(path),
                "source_file": str(path),
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


def _dir_mode() -> int:
    """The mode a new directory gets under the process's umask (0o755 under the usual 022)."""
    import os

    mask = os.umask(0)
    os.umask(mask)
    return 0o777 & ~mask


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
            file = row["file"] or ""
            try:
                rel = relative_image_path(file)
            except ValueError as e:
                problems.append(Problem(str(csv_file), lineno, "file", f"unsafe file name {file!r}: {e}"))
                continue
            stem = image_id_for(rel)
            if not stem:
                problems.append(Problem(str(csv_file), lineno, "file", f"no usable image id in {file!r}"))
                continue
            if stem in seen:
                why = f"duplicate of line {seen[stem]}: {file!r} is image {stem!r}"
                problems.append(Problem(str(csv_file), lineno, "file", why))
                continue
            seen[stem] = lineno
            try:
                lat, lon = float(row["latitude"] or "nan"), float(row["longitude"] or "nan")
                if not (-90 <= lat <= 90 and -180 <= lon <= 180):
                    raise ValueError("out of range")
            except ValueError as e:
                problems.append(
                    Problem(
                        str(csv_file),
                        lineno,
                        "latitude/longitude",
                        f"invalid coordinates {row['latitude']!r}, {row['longitude']!r}: {e}",
                    )
                )
                continue
            if not (row["country"] or "").strip():
                problems.append(Problem(str(csv_file), lineno, "country", f"empty ({row['country']!r})"))
                continue
            src = images_dir / rel
            if not src.is_file():
                problems.append(Problem(str(csv_file), lineno, "file", f"image not found: {src}"))
                continue
            rows.append((_row_record(row, hardness, certainty), src))
    if problems:
        raise InputError(problems)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    tmp.chmod(_dir_mode())  # mkdtemp makes it private (0700); the dataset is shared like any folder
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
