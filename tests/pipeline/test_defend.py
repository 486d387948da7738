"""The defend stage: a corrupt image is recorded with its reason and the stage goes on."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from testkit.vip import label, record, write_dataset
from vipbench.core.io import read_jsonl
from vipbench.defenses import DefenseError
from vipbench.pipeline.defend import defend
from vipbench.pipeline.prepare import prepare
from vipbench.workspace import Workspace

REPO = Path(__file__).resolve().parents[2]


def workspace(root: Path) -> Workspace:
    recs = [record(f"img{i}", {"sex": label("Female"), "age": label("30")}) for i in range(4)]
    write_dataset(root / "data", recs)
    params = yaml.safe_load((REPO / "params.yaml").read_text())
    params["models"] = {"majority": {"kind": "majority"}}
    params["defenses"] = {"half": {"kind": "downscale", "factor": 2}}
    params["defense_eval"] = {"runs": ["majority"], "defenses": ["half"]}
    (root / "params.yaml").write_text(yaml.safe_dump(params))
    ws = Workspace.load(root)
    prepare(ws)
    return ws


def test_a_corrupt_image_is_recorded_and_the_stage_goes_on(tmp_path: Path) -> None:
    ws = workspace(tmp_path)
    (ws.data_dir / "images" / "img2.jpg").write_bytes(b"\xff\xd8 not really a jpeg")
    u = defend(ws, "half")
    assert u["n_failed"] == 1
    assert list(u["failed"]) == ["images/img2.jpg"] and u["failed"]["images/img2.jpg"]
    assert str(tmp_path) not in json.dumps(u["failed"]), "reasons name the image relative to the dataset"
    assert u["n_images"] == 3.0 and 0.0 < u["ssim"] <= 1.0
    written = json.loads(ws.defended_utility_file("half").read_text())
    assert written["n_failed"] == 1 and list(written["failed"]) == ["images/img2.jpg"]
    items = list(read_jsonl(ws.defended_items_file("half")))
    assert {it["image_id"] for it in items} == {"img0", "img1", "img3"}
    assert all(it["image"] != f"images/{it['image_id']}.jpg" for it in items)


def test_the_cli_reports_the_count(tmp_path: Path) -> None:
    from vipbench.cli import app

    ws = workspace(tmp_path)
    (ws.data_dir / "images" / "img1.jpg").write_bytes(b"")
    res = CliRunner().invoke(app, ["defend", "half", "--repo", str(tmp_path)])
    assert res.exit_code == 0, res.output
    assert "over 3 images" in res.stdout
    assert "1 image(s) could not be defended" in res.stderr and "images/img1.jpg" in res.stderr


def test_no_image_defended_is_an_error(tmp_path: Path) -> None:
    ws = workspace(tmp_path)
    for p in (ws.data_dir / "images").iterdir():
        p.write_bytes(b"garbage")
    with pytest.raises(DefenseError, match="none of the 4 images could be defended"):
        defend(ws, "half")


def test_defended_images_are_an_output_inside_the_repository(tmp_path: Path) -> None:
    ws = workspace(tmp_path)
    defend(ws, "half")
    items = list(read_jsonl(ws.defended_items_file("half")))
    out = ws.defended_images_dir("half")
    assert out == tmp_path / "build" / "defended" / "half" / "images"
    assert all((out / it["image"]).is_file() and "/" not in it["image"] for it in items)
    assert {p.name for p in out.iterdir()} == {it["image"] for it in items}
    # a second run rewrites the same files from the cache, and leaves nothing stale behind
    (out / "stale.jpg").write_bytes(b"old")
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.name != "stale.jpg"}
    defend(ws, "half")
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
