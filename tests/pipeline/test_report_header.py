"""report.md opens with what it measured: the data, its size, and what the headline counts."""

from __future__ import annotations

from pathlib import Path

import yaml

from testkit.vip import label, record, write_dataset
from vipbench.dataset.synthetic.generator import generate
from vipbench.pipeline.prepare import prepare
from vipbench.pipeline.report import what_was_measured
from vipbench.workspace import Workspace

REPO = Path(__file__).resolve().parents[2]


def _ws(root: Path) -> Workspace:
    params = yaml.safe_load((REPO / "params.yaml").read_text())
    params["models"] = {"majority": {"kind": "majority"}}
    params["defenses"], params["defense_eval"] = {}, {"runs": [], "defenses": []}
    (root / "params.yaml").write_text(yaml.safe_dump(params))
    ws = Workspace.load(root)
    prepare(ws)
    return ws


def test_bundled_synthetic_data_is_named_as_such(tmp_path: Path) -> None:
    generate(tmp_path / "data", n_images=6, seed=0)
    text = "\n".join(what_was_measured(_ws(tmp_path)))
    assert "bundled synthetic set" in text and "text in the image reveals" in text
    assert "6 images" in text and "counted labels" in text
    assert "Precise accuracy" in text and "Headline accuracy" in text


def test_real_data_is_not_called_synthetic(tmp_path: Path) -> None:
    write_dataset(tmp_path / "data", [record(f"i{i}", {"sex": label("Male")}) for i in range(3)])
    text = "\n".join(what_was_measured(_ws(tmp_path)))
    assert "synthetic" not in text
    assert "3 images, 3 counted labels" in text and "sex 3" in text
