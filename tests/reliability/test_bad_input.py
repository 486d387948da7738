"""Bad input fails loudly and early; unusual but valid images work.

Every case of the corpus (tests/reliability/corpus.py) goes through `vipbench validate DIR` and
through `dvc repro` in one temporary repository whose data/ (or params.yaml) is swapped between
cases. Each must exit non-zero with a message naming the file, the line and the field, and must
leave no partial output behind: DVC deletes a stage's outputs before running it, so after a
failure every file under build/ and metrics/ must be one that was there before, byte for byte.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

from testkit.repo import env, make_repo, run
from tests.reliability.corpus import CASES, MUST_WORK, PARAMS_CASES, Case, ParamsCase, build_case, pinned_params
from vipbench.imaging.images import encode_jpeg, open_image

VIPBENCH = [sys.executable, "-m", "vipbench.cli"]
BAD = [c for c in CASES if not c.ok]
GOOD = next(c for c in CASES if c.ok)


def problem_lines(stderr: str) -> list[str]:
    """The per-problem lines of an error report (not the `vipbench: error: N problem(s)` summary)."""
    return [ln.strip() for ln in stderr.splitlines() if ln.strip() and not ln.startswith("vipbench: error")]


def assert_reported(case: Case, output: str) -> None:
    lines = [ln for ln in problem_lines(output) if "problem(s)" not in ln]
    for e in case.expect:
        assert any(e.matches(ln) for ln in lines), f"{case.name}: no line matches {e}:\n{output}"


# -- vipbench validate ----------------------------------------------------------------------------


@pytest.mark.parametrize("case", BAD, ids=lambda c: c.name)
def test_validate_names_file_line_and_field(case: Case, tmp_path: Path) -> None:
    root = build_case(case, tmp_path / case.name)
    p = subprocess.run([*VIPBENCH, "validate", str(root)], capture_output=True, text=True, env=env(), timeout=120)
    assert p.returncode == 1, p.stdout + p.stderr
    assert "Traceback" not in p.stderr
    assert_reported(case, p.stderr)
    # exactly the one defect: the valid base records raise nothing
    assert len(problem_lines(p.stderr)) == 1, p.stderr
    assert p.stderr.rstrip().endswith(f"1 problem(s) in {root}")


def test_validate_accepts_unusual_valid_images(tmp_path: Path) -> None:
    root = build_case(GOOD, tmp_path / "good")
    p = subprocess.run([*VIPBENCH, "validate", str(root)], capture_output=True, text=True, env=env(), timeout=120)
    assert p.returncode == 0, p.stderr
    assert p.stdout.startswith(f"ok: {2 + len(MUST_WORK)} images")


def test_unusual_images_load_as_rgb(tmp_path: Path) -> None:
    root = build_case(GOOD, tmp_path / "good")
    for iid, (_, ext) in MUST_WORK.items():
        im = open_image(root / "images" / f"{iid}{ext}", max_side=1024)
        assert im.mode == "RGB", iid
        assert encode_jpeg(im)[:3] == b"\xff\xd8\xff", iid
    grey16 = np.asarray(open_image(root / "images" / "grey16.png"))
    assert grey16.min() < 30 and grey16.max() > 220  # scaled from 16 bits, not clipped to white
    pal = np.asarray(open_image(root / "images" / "palette_alpha.png")).astype(int)
    assert tuple(pal[10, 5]) == (255, 255, 255)  # transparent palette entry: composited on white
    assert tuple(pal[10, 60]) == (0, 0, 255)  # opaque entry keeps its colour


@pytest.mark.parametrize(("orientation", "top", "bottom"), [(6, "red", "blue"), (8, "blue", "red")])
def test_exif_orientation_is_applied(orientation: int, top: str, bottom: str, tmp_path: Path) -> None:
    root = build_case(GOOD, tmp_path / "good")
    im = open_image(root / "images" / f"exif_rot{orientation}.jpg")
    assert im.size == (30, 60)  # stored 60 x 30, displayed rotated by a quarter turn
    arr = np.asarray(im).astype(int)

    def colour(px: Any) -> str:
        return "red" if px[0] > 150 and px[2] < 100 else "blue" if px[2] > 150 and px[0] < 100 else "?"

    assert colour(arr[5, 15]) == top and colour(arr[55, 15]) == bottom


# -- params.yaml ---------------------------------------------------------------------------------


def _workspace(tmp: Path, edit: Any = None) -> Path:
    root = tmp / "ws"
    build_case(GOOD, root / "data")
    params = yaml.safe_load((Path(__file__).resolve().parents[2] / "params.yaml").read_text())
    params.update(pinned_params())
    if edit is not None:
        edit(params)
    (root / "params.yaml").write_text(yaml.safe_dump(params, sort_keys=False))
    return root


@pytest.mark.parametrize("case", PARAMS_CASES, ids=lambda c: c.name)
def test_invalid_params_name_the_key_path(case: ParamsCase, tmp_path: Path) -> None:
    root = _workspace(tmp_path, case.edit)
    p = subprocess.run([*VIPBENCH, "prepare", "--repo", str(root)], capture_output=True, text=True, env=env())
    assert p.returncode == 2
    assert "Traceback" not in p.stderr
    for key in case.keys:
        assert key in p.stderr, p.stderr
    assert str(root / "params.yaml") in p.stderr
    assert not (root / "build").exists()


# -- dvc repro -----------------------------------------------------------------------------------


def _snapshot(root: Path) -> dict[str, str]:
    out = {}
    for d in ("build", "metrics", "plots", "figures"):
        for f in sorted((root / d).rglob("*")) if (root / d).exists() else []:
            if f.is_file():
                out[str(f.relative_to(root))] = hashlib.sha256(f.read_bytes()).hexdigest()
    return out


def _assert_no_partial_outputs(before: dict[str, str], root: Path, name: str) -> None:
    after = _snapshot(root)
    new_or_changed = {f for f, h in after.items() if before.get(f) != h}
    assert not new_or_changed, f"{name}: the failed run left {sorted(new_or_changed)}"


def _swap_data(root: Path, dataset: Path) -> None:
    shutil.rmtree(root / "data")
    shutil.copytree(dataset, root / "data")


@pytest.mark.slow
def test_dvc_repro_refuses_every_case(tmp_path: Path) -> None:
    good = build_case(GOOD, tmp_path / "good")
    root = make_repo(tmp_path, good, pinned_params())
    params_text = (root / "params.yaml").read_text()
    t0 = time.perf_counter()
    timings: dict[str, float] = {}

    # the unusual-but-valid images: prepare succeeds and makes items of every one of them
    run(["dvc", "repro", "prepare"], root)
    items = [json.loads(ln) for ln in (root / "build" / "items.jsonl").read_text().splitlines()]
    assert {i["image_id"] for i in items} == {"good0", "good1", *MUST_WORK}

    # invalid params.yaml, against the valid data: the error names the key path
    for pc in PARAMS_CASES:
        run(["dvc", "repro", "prepare"], root)  # a valid build/ to compare against (from the run cache)
        before = _snapshot(root)
        p = yaml.safe_load(params_text)
        pc.edit(p)
        (root / "params.yaml").write_text(yaml.safe_dump(p, sort_keys=False))
        t = time.perf_counter()
        out = run(["dvc", "repro"], root, check=False)
        timings[pc.name] = time.perf_counter() - t
        assert out.returncode != 0, f"{pc.name}: dvc repro succeeded"
        for key in pc.keys:
            assert key in out.stdout + out.stderr, f"{pc.name}:\n{out.stdout}\n{out.stderr}"
        _assert_no_partial_outputs(before, root, pc.name)
        assert not (root / "build" / "responses").exists()
        (root / "params.yaml").write_text(params_text)

    # every bad dataset: prepare fails, names file:line:field, and writes nothing
    for case in BAD:
        _swap_data(root, build_case(case, tmp_path / "cases" / case.name))
        before = _snapshot(root)
        t = time.perf_counter()
        out = run(["dvc", "repro"], root, check=False)
        timings[case.name] = time.perf_counter() - t
        assert out.returncode != 0, f"{case.name}: dvc repro succeeded"
        both = out.stdout + out.stderr
        assert "failed to reproduce 'prepare'" in both, both
        assert "Traceback" not in both
        assert_reported(case, both)
        _assert_no_partial_outputs(before, root, case.name)
        assert not (root / "build" / "items.jsonl").exists()
    total = time.perf_counter() - t0
    print(
        f"\ndvc repro over {len(timings)} bad cases: {total:.1f}s in all, "
        f"{sum(timings.values()) / len(timings):.2f}s per case on average"
    )
