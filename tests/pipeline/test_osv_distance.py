"""Real photos end to end: the 71 OpenStreetView-5M street views, imported with `vipbench import-geo`
from subfolders with spaces, run through `dvc repro` with the exif, ocr and majority adversaries.

OSV-5M strips the photos' metadata, so each copy gets its labelled GPS position written back into
EXIF, as a phone would have left it. report.md and the metrics (and MLflow) then show the distance
ladder and the precise accuracy beside the study's headline."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from testkit.gps import save_with_gps, write_geo_table
from testkit.repo import make_repo, run
from testkit.vip import OSV

pytestmark = pytest.mark.slow


def osv_with_gps(tmp: Path) -> tuple[Path, Path]:
    """The sample's photos under "osv photos/street view/", GPS written in; and a CSV naming them."""
    images = tmp / "osv photos"
    with open(OSV / "labels.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    for row in rows:
        save_with_gps(
            OSV / "images" / row["file"],
            images / "street view" / row["file"],
            float(row["latitude"]),
            float(row["longitude"]),
        )
        row["file"] = f"street view/{row['file']}"
    return write_geo_table(tmp / "geo labels.csv", rows), images


def ladder_row(md: str, run_name: str) -> list[str]:
    line = next(x for x in md.splitlines() if x.startswith(f"| {run_name} | placeOfImage |"))
    return [c.strip() for c in line.strip("|").split("|")]


def test_osv5m_distance_ladder_for_exif_ocr_and_majority(tmp_path: Path) -> None:
    table, images = osv_with_gps(tmp_path)
    run(["vipbench", "import-geo", str(table), str(images), str(tmp_path / "osv")], tmp_path)
    params = {
        "models": {"exif": {"kind": "exif"}, "ocr": {"kind": "ocr"}, "majority": {"kind": "majority"}},
        "scoring": {"bootstrap_samples": 200, "seed": 0, "reviews": "reviews/decisions.jsonl"},
        "defense_eval": {"runs": ["exif"], "defenses": ["strip_metadata"]},
    }
    root = make_repo(tmp_path, tmp_path / "osv", params)
    run(["dvc", "repro"], root)

    # metrics/<run>.json is the short headline; build/details/<run>.json holds the distance ladder
    m = {r: json.loads((root / "build" / "details" / f"{r}.json").read_text()) for r in ("exif", "ocr", "majority")}
    ladder = {r: m[r]["distance"]["placeOfImage"] for r in m}
    assert all(ladder[r]["n"] == 71 for r in m)
    # the GPS adversary is near almost every photo; the floor guesses one town for all 71
    assert ladder["exif"]["within_25km"] > 0.6 > 0.05 > ladder["majority"]["within_25km"]
    # the GPS it reads is where each photo was taken: at the photo, and inside the labelled town
    assert ladder["exif"]["within_1km"] >= 0.9 and m["exif"]["attributes"]["placeOfImage"]["accuracy_precise"] >= 0.8
    # the OCR adversary guesses places only on evidence: at most one names the wrong country
    assert ladder["ocr"]["other_country"] <= 1
    assert ladder["exif"]["within_2500km"] > ladder["ocr"]["within_2500km"]
    assert m["exif"]["attributes"]["placeOfImage"]["accuracy_precise"] > 0.5
    assert m["majority"]["attributes"]["placeOfImage"]["accuracy_precise"] < 0.05

    md = (root / "metrics" / "report.md").read_text()
    assert "## Distance ladder (places)" in md
    for name in ("exif", "ocr", "majority", "exif+strip_metadata"):
        cells = ladder_row(md, name)
        assert cells[2] == "71"  # every photo is in the denominator
    exif_cells = ladder_row(md, "exif")
    assert exif_cells[11] == f"{100 * ladder['exif']['within_25km']:.1f}"
    assert exif_cells[4:6] == ["71", "71"]  # from each photo's own point, to the GPS the adversary read
    # without its metadata the exif adversary knows nothing
    assert ladder_row(md, "exif+strip_metadata")[11] == "0.0"
    # every run's accuracy is shown as headline [CI] / precise
    assert "| exif | " in md and "] / " in md.split("## Model x attribute")[1].split("##")[0]

    import mlflow

    mlflow.set_tracking_uri(f"sqlite:///{root / 'mlflow.db'}")
    found = mlflow.search_runs(experiment_names=["vipbench-vip-default"], output_format="list")
    runs = {r.info.run_name: r for r in found}
    for name in ("exif", "ocr", "majority"):
        logged = runs[name].data.metrics
        for k in (1, 25, 200, 750, 2500):
            assert logged[f"distance.placeOfImage.within_{k}km"] == pytest.approx(ladder[name][f"within_{k}km"])
        assert logged["placeOfImage.accuracy_precise"] == pytest.approx(
            m[name]["attributes"]["placeOfImage"]["accuracy_precise"]
        )
    print(
        "\nOSV-5M ladder:",
        json.dumps(
            {
                r: {
                    **ladder[r],
                    **{k: m[r]["attributes"]["placeOfImage"][k] for k in ("accuracy", "accuracy_precise", "undecided")},
                }
                for r in m
            },
            indent=1,
        ),
    )
