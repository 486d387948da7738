"""How long the quickstart pipeline takes on this machine, and whether OCR reads each image once.

    .venv/bin/python bench/bench_quickstart.py [--runs 3]

Each run is a fresh `git clone` of this repository (setup excluded: the clone uses this
checkout's .venv through PATH), then `dvc pull data.dvc` and a timed `dvc repro`, exactly the
pipeline part of scripts/quickstart. Reported: every wall time and their median, against the
180 s target; and the OCR engine calls the shared OCR cache counted, against the number of
distinct pixel contents the OCR adversary and blur_text saw (the original images and every
defended copy that an `ocr` run reads). Writes bench/results/quickstart.json.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from vipbench.ops.quiet import command_env

REPO = Path(__file__).resolve().parents[1]
TARGET_S = 180.0


def _env() -> dict[str, str]:
    env = command_env()
    env.pop("MLFLOW_TRACKING_URI", None)
    return env


def distinct_ocr_contents(root: Path) -> int:
    """Distinct pixel contents the OCR adversary reads: the images of every ocr run's items."""
    from vipbench.imaging.images import open_image
    from vipbench.imaging.ocr import content_key, ocr_copy
    from vipbench.workspace import Workspace

    ws = Workspace.load(root)
    keys: set[str] = set()
    for name in ws.run_names():
        run = ws.run(name)
        if run.spec.kind != "ocr":
            continue
        for line in run.items_file.read_text().splitlines():
            image = json.loads(line)["image"]
            keys.add(content_key(ocr_copy(open_image(run.images_dir / image))))
    return len(keys)


def one_run(work: Path) -> dict[str, float | int]:
    clone = work / "clone"
    subprocess.run(["git", "clone", "-q", str(REPO), str(clone)], check=True)
    env = _env()
    subprocess.run(["dvc", "pull", "-q", "data.dvc"], cwd=clone, env=env, check=True)
    t0 = time.perf_counter()
    subprocess.run(["dvc", "repro", "-q"], cwd=clone, env=env, check=True, capture_output=True)
    wall = time.perf_counter() - t0
    from vipbench.imaging.ocr import OCRCache

    calls = OCRCache(clone / ".vipbench" / "ocr-cache.sqlite").calls
    return {"wall_s": round(wall, 1), "ocr_calls": calls, "distinct_ocr_contents": distinct_ocr_contents(clone)}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    a = ap.parse_args(argv)
    runs = []
    for i in range(a.runs):
        with tempfile.TemporaryDirectory(prefix="vipbench-qs-") as tmp:
            r = one_run(Path(tmp))
        print(f"run {i + 1}: {r}", flush=True)
        runs.append(r)
    median = statistics.median(r["wall_s"] for r in runs)
    out = {
        "runs": runs,
        "median_wall_s": median,
        "target_s": TARGET_S,
        "median_over_target": round(median / TARGET_S, 3),
        "ocr_calls_equal_distinct_contents": all(r["ocr_calls"] == r["distinct_ocr_contents"] for r in runs),
        "cpu_count": os.cpu_count(),
        "load_avg_at_end": os.getloadavg(),
    }
    (REPO / "bench" / "results").mkdir(parents=True, exist_ok=True)
    (REPO / "bench" / "results" / "quickstart.json").write_text(json.dumps(out, indent=1) + "\n")
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
