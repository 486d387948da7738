"""On photos from one country the study's headline flatters the majority floor: every "same country"
guess is less precise and counts as right. The precise accuracy and the distance ladder do not, and
an adversary that knows where each photo was taken (exif, real GPS) stays high on all of them."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml
from PIL import Image

from testkit.gps import save_with_gps
from testkit.vip import label, record, write_dataset
from vipbench.pipeline.infer import infer
from vipbench.pipeline.prepare import prepare
from vipbench.pipeline.report import report
from vipbench.pipeline.score import score
from vipbench.workspace import Workspace

# 20 photos in 18 US cities: (label, latitude, longitude of the city centre). Chicago three times,
# so the majority floor guesses Chicago for every photo.
PHOTOS = [
    ("Chicago, Illinois, United States", 41.8781, -87.6298),
    ("Chicago, Illinois, United States", 41.8827, -87.6233),
    ("Chicago, Illinois, United States", 41.8756, -87.6244),
    ("Seattle, Washington, United States", 47.6062, -122.3321),
    ("Denver, Colorado, United States", 39.7392, -104.9903),
    ("Boston, Massachusetts, United States", 42.3601, -71.0589),
    ("Atlanta, Georgia, United States", 33.7490, -84.3880),
    ("Phoenix, Arizona, United States", 33.4484, -112.0740),
    ("Miami, Florida, United States", 25.7617, -80.1918),
    ("Minneapolis, Minnesota, United States", 44.9778, -93.2650),
    ("Nashville, Tennessee, United States", 36.1627, -86.7816),
    ("Portland, Oregon, United States", 45.5152, -122.6784),
    ("Salt Lake City, Utah, United States", 40.7608, -111.8910),
    ("New Orleans, Louisiana, United States", 29.9511, -90.0715),
    ("Pittsburgh, Pennsylvania, United States", 40.4406, -79.9959),
    ("Albuquerque, New Mexico, United States", 35.0844, -106.6504),
    ("Omaha, Nebraska, United States", 41.2565, -95.9345),
    ("Boise, Idaho, United States", 43.6150, -116.2023),
    ("Anchorage, Alaska, United States", 61.2181, -149.9003),
    ("Buffalo, New York, United States", 42.8864, -78.8784),
]


def street_photo(seed: int) -> Image.Image:
    rng = np.random.default_rng(seed)
    return Image.fromarray(rng.integers(0, 255, size=(96, 128, 3), dtype=np.uint8), "RGB")


def test_majority_floor_is_weak_on_precise_and_distance_metrics_while_exif_is_strong(tmp_path: Path) -> None:
    data = tmp_path / "data"
    recs = [
        record(f"us{i:02d}", {"placeOfImage": label(city, hardness=3, certainty=5)})
        for i, (city, _, _) in enumerate(PHOTOS)
    ]
    write_dataset(data, recs, images=False)
    for i, (_, lat, lon) in enumerate(PHOTOS):
        save_with_gps(street_photo(i), data / "images" / f"us{i:02d}.jpg", lat, lon)
    params = {
        "attributes": ["placeOfImage"],
        "scoring": {"bootstrap_samples": 100, "seed": 0, "reviews": "reviews/decisions.jsonl"},
        "models": {"majority": {"kind": "majority"}, "exif": {"kind": "exif"}},
        "defense_eval": {"runs": [], "defenses": []},
    }
    (tmp_path / "params.yaml").write_text(yaml.safe_dump(params))
    ws = Workspace.load(tmp_path)
    assert prepare(ws)["items"] == 20
    m = {}
    for run in ("majority", "exif"):
        infer(ws, run)
        m[run] = score(ws, run)

    maj, maj_ladder = m["majority"]["attributes"]["placeOfImage"], m["majority"]["distance"]["placeOfImage"]
    ex, ex_ladder = m["exif"]["attributes"]["placeOfImage"], m["exif"]["distance"]["placeOfImage"]
    # the headline: "Chicago" is the same country as every truth, so the floor looks strong ...
    assert maj["accuracy"] == 1.0
    # ... but it names the right city only for the three Chicago photos
    assert maj["accuracy_precise"] == pytest.approx(3 / 20)
    assert maj_ladder["within_25km"] == pytest.approx(3 / 20)
    assert maj_ladder["within_1km"] == pytest.approx(3 / 20)
    assert maj_ladder["median_km"] > 750
    # the adversary that reads the true GPS is high on every measure
    assert ex["accuracy"] >= 0.95 and ex["accuracy_precise"] >= 0.9
    assert ex_ladder["within_25km"] >= 0.95 and ex_ladder["median_km"] < 25
    # the precise accuracy and the ladder rank them the right way round; the headline barely does
    assert ex["accuracy_precise"] - maj["accuracy_precise"] >= 0.7
    assert ex_ladder["within_25km"] - maj_ladder["within_25km"] >= 0.7
    assert ex["accuracy"] - maj["accuracy"] <= 0.05

    out = report(ws, track=False)
    md = (tmp_path / "metrics" / "report.md").read_text()
    assert "## Distance ladder (places)" in md
    ladder_rows = {line.split("|")[1].strip(): line for line in md.splitlines() if "| placeOfImage | 20 |" in line}
    assert set(ladder_rows) == {"majority", "exif"}
    assert "| 100.0 | 15.0 |" in ladder_rows["majority"]  # headline 100 beside precise 15
    assert out["runs"]["majority"]["accuracy_precise"] == pytest.approx(3 / 20)
