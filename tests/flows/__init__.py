"""Tests of the Prefect flows (settings and the session's Prefect home: see conftest.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from testkit.repo import make_repo, run
from testkit.vip import label, record, write_dataset

ATTRIBUTES = ["sex", "placeOfImage"]


def dataset(root: Path, n: int = 6) -> Path:
    """`n` labelled images, two scored attributes each."""
    recs = [
        record(
            f"img{i}",
            {"sex": label("Female" if i % 3 else "Male"), "placeOfImage": label("Zurich, Switzerland")},
        )
        for i in range(n)
    ]
    return write_dataset(root, recs)


def flow_repo(tmp: Path, models: dict[str, Any] | None = None, remote: bool = True) -> Path:
    """A temporary repository copy with a small dataset and, optionally, a local DVC remote."""
    params = {
        "attributes": ATTRIBUTES,
        "models": models or {"majority": {"kind": "majority"}},
        "scoring": {"bootstrap_samples": 100, "seed": 0, "reviews": "reviews/decisions.jsonl"},
        "defenses": {},
        "defense_eval": {"runs": [], "defenses": []},
    }
    root = make_repo(tmp, dataset(tmp / "ds"), params)
    if remote:
        run(["dvc", "remote", "add", "-d", "store", str(tmp / "remote")], root)
        run(["git", "commit", "-qam", "remote"], root)
    return root
