"""The version_dataset flow on a temporary repository copy, with real DVC, git and a local remote."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PIL import Image

from testkit.repo import run
from testkit.vip import label, record
from tests.flows import flow_repo

pytestmark = pytest.mark.slow


def remote_files(remote: Path) -> set[Path]:
    return {p.relative_to(remote) for p in remote.rglob("*") if p.is_file()}


def test_new_image_is_added_pushed_and_pullable_from_a_fresh_clone(tmp_path: Path) -> None:
    from flows.version_dataset import version_dataset

    root = flow_repo(tmp_path)
    before = (root / "data.dvc").read_bytes()

    # a new labelled image
    Image.new("RGB", (64, 48), (10, 200, 30)).save(root / "data" / "images" / "fresh.jpg")
    line = record("fresh", {"sex": label("Male"), "placeOfImage": label("Bern, Switzerland")})
    with open(root / "data" / "labels.jsonl", "a", encoding="utf-8") as fh:
        fh.write(json.dumps(line) + "\n")

    out = version_dataset(repo=str(root), commit=True)
    assert out["changed"] is True
    assert out["md5"] != out["previous_md5"]
    assert out["images"] == 7
    assert out["files_pushed"] >= 2  # the image, labels.jsonl and the directory manifest
    after = (root / "data.dvc").read_bytes()
    assert after != before and out["md5"].encode() in after
    assert out["commit"]
    assert run(["git", "status", "--porcelain", "data.dvc"], root).stdout.strip() == ""
    assert run(["git", "log", "-1", "--format=%s"], root).stdout.strip() == f"data: version {out['md5']}"

    # a fresh clone gets the new data from the remote
    clone = tmp_path / "clone"
    run(["git", "clone", "-q", str(root), str(clone)], tmp_path)
    run(["dvc", "pull", "data.dvc"], clone)
    assert (clone / "data" / "images" / "fresh.jpg").read_bytes() == (
        root / "data/images/fresh.jpg"
    ).read_bytes()
    assert (clone / "data" / "labels.jsonl").read_text() == (root / "data" / "labels.jsonl").read_text()

    # unchanged data: nothing is rewritten or uploaded
    pushed = remote_files(tmp_path / "remote")
    again = version_dataset(repo=str(root))
    assert again["changed"] is False and again["md5"] == out["md5"]
    assert again["files_pushed"] == 0
    assert (root / "data.dvc").read_bytes() == after
    assert remote_files(tmp_path / "remote") == pushed


def test_invalid_dataset_fails_the_flow_and_leaves_data_dvc_alone(tmp_path: Path) -> None:
    from flows.version_dataset import version_dataset

    root = flow_repo(tmp_path)
    before = (root / "data.dvc").read_bytes()
    with open(root / "data" / "labels.jsonl", "a", encoding="utf-8") as fh:
        fh.write('{"datapoint": {"image_id": "broken"\n')  # truncated JSON
    (root / "data" / "images" / "img2.jpg").write_bytes(b"not a jpeg")

    state = version_dataset(repo=str(root), return_state=True)
    assert state.is_failed()
    err = state.result(raise_on_failure=False)
    text = str(err)
    assert "labels.jsonl:7" in text and "invalid JSON" in text
    assert "img2.jpg" in text
    assert (root / "data.dvc").read_bytes() == before
    assert not (tmp_path / "remote").exists() or not remote_files(tmp_path / "remote")
    assert run(["git", "status", "--porcelain", "data.dvc"], root).stdout.strip() == ""
