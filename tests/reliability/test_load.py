"""A quick run of bench/bench_load.py: memory stays bounded because images are streamed, not held.

The full measurement (10,000 items) is `python bench/bench_load.py`; this runs 1,000 and 3,000
items so CI catches an engine that starts keeping images (~42 kB per item as data URLs here).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.repo import env

pytestmark = pytest.mark.slow

BENCH = Path(__file__).resolve().parents[2] / "bench" / "bench_load.py"


def test_memory_stays_bounded_under_load(tmp_path: Path) -> None:
    out = tmp_path / "load.json"
    cmd = [sys.executable, str(BENCH), "--n", "3000", "--checkpoint", "1000", "--no-trace", "--out", str(out)]
    cmd += ["--max-growth-kb", "12", "--data", str(tmp_path / "data")]
    p = subprocess.run(cmd, capture_output=True, text=True, env=env(), timeout=600)
    assert p.returncode == 0, p.stdout + p.stderr
    result = json.loads(out.read_text())
    for n in ("1000", "3000"):
        run = result["runs"][n]
        assert run["responses"] == int(n) and run["statuses"] == {"answered": int(n)}
    assert result["bounded"]
    # far below one image per item
    assert result["growth_per_extra_item_kb"] < result["mean_data_url_kb"] / 3
    print("\n" + p.stdout)
