"""A dataset outside the repository: tracked when allowed, refused with directions otherwise.

With `data.allow_outside_repo: true`, the stages depend on the configured directory itself, so
editing its labels makes `dvc status` report the stages and `dvc repro` run them again. Without
it, the pipeline stops at once with a message that says how to bring the data in.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from testkit.repo import make_repo, run
from testkit.vip import label, record, write_dataset

pytestmark = pytest.mark.slow


def dataset(root: Path, n: int = 4) -> Path:
    return write_dataset(root, [record(f"img{i}", {"sex": label("Female" if i % 2 else "Male")}) for i in range(n)])


def params(data_dir: str, allow: bool) -> dict:
    return {
        "data": {"dir": data_dir, "labels": "labels.jsonl", "allow_outside_repo": allow, "name": "vip-default"},
        "attributes": ["sex"],
        "models": {"majority": {"kind": "majority"}},
        "defenses": {},
        "defense_eval": {"runs": [], "defenses": []},
        "scoring": {"bootstrap_samples": 20, "seed": 0, "reviews": "reviews/decisions.jsonl"},
    }


@pytest.mark.parametrize("where", ["relative", "absolute"])
def test_outside_data_is_a_tracked_dependency(tmp_path: Path, where: str) -> None:
    outside = dataset(tmp_path / "elsewhere")
    data_dir = "../elsewhere" if where == "relative" else str(outside)
    root = make_repo(tmp_path, dataset(tmp_path / "unused"), params(data_dir, allow=True))
    run(["dvc", "repro"], root)
    assert json.loads(run(["dvc", "status", "--json"], root).stdout) == {}
    n_before = len((root / "build" / "items.jsonl").read_text().splitlines())

    # a labeller adds an image: DVC sees it, and the results follow
    more = dataset(tmp_path / "more", n=6)
    (outside / "labels.jsonl").write_text((more / "labels.jsonl").read_text())
    for p in (more / "images").iterdir():
        (outside / "images" / p.name).write_bytes(p.read_bytes())
    status = json.loads(run(["dvc", "status", "--json"], root).stdout)
    assert {"prepare", "infer@majority"} <= set(status), status
    out = run(["dvc", "repro"], root).stdout
    assert "Running stage 'prepare'" in out and "Running stage 'score@majority'" in out
    assert len((root / "build" / "items.jsonl").read_text().splitlines()) == n_before + 2
    assert json.loads((root / "metrics" / "majority.json").read_text())["overall"]["n"] == 6


def test_outside_data_is_refused_with_directions(tmp_path: Path) -> None:
    dataset(tmp_path / "elsewhere")
    root = make_repo(tmp_path, dataset(tmp_path / "unused"), params("../elsewhere", allow=False))
    out = run(["dvc", "repro"], root, check=False)
    assert out.returncode != 0
    said = out.stdout + out.stderr
    assert "outside the repository" in said and "dvc import-url" in said and "allow_outside_repo" in said
    assert not (root / "build" / "items.jsonl").exists()
    assert not (root / "metrics" / "majority.json").exists()
