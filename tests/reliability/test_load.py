"""A quick run of bench/bench_load.py: the infer stage's memory stays flat because images and
responses are streamed, not held.

The full measurement (10,000 against 2,000 items) is `python bench/bench_load.py`; this runs 1,000
and 3,000 items so CI catches a stage that starts keeping images (~42 kB per item as data URLs
here) or responses.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from testkit.repo import env

pytestmark = pytest.mark.slow

BENCH = Path(__file__).resolve().parents[2] / "bench" / "bench_load.py"


def test_memory_stays_bounded_under_load(tmp_path: Path) -> None:
    out = tmp_path / "load.json"
    cmd = [sys.executable, str(BENCH), "--n", "3000", "--checkpoint", "1000", "--out", str(out)]
    cmd += ["--data", str(tmp_path / "data")]
    p = subprocess.run(cmd, capture_output=True, text=True, env=env(), timeout=600)
    assert p.returncode == 0, p.stdout + p.stderr
    result = json.loads(out.read_text())
    for n in ("1000", "3000"):
        run = result["runs"][n]
        assert run["responses"] == int(n) and run["statuses"] == {"answered": int(n)}
    assert result["flat"] and result["peak_ratio"] <= 1.15
    # far below one image per item
    assert result["growth_per_extra_item_kb"] < result["mean_data_url_kb"] / 3
    print("\n" + p.stdout)
