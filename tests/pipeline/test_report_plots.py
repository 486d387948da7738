"""The report stage writes every file dvc.yaml plots, in the templates' shape, even when empty."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from testkit import plot_runs
from vipbench.pipeline.report import write_plot_files
from vipbench.workspace import Workspace

REPO = Path(__file__).resolve().parents[2]


def _ws(root: Path, defended: bool) -> Workspace:
    params = yaml.safe_load((REPO / "params.yaml").read_text())
    if not defended:
        params["defenses"], params["defense_eval"] = {}, {"runs": [], "defenses": []}
    (root / "params.yaml").write_text(yaml.safe_dump(params))
    return Workspace.load(root)


def _plots(root: Path) -> dict[str, list[dict]]:
    declared = yaml.safe_load((REPO / "dvc.yaml").read_text())["stages"]["report"]["plots"]
    names = [next(iter(p)) for p in declared]
    return {Path(n).name: json.loads((root / n).read_text()) for n in names}


def test_every_declared_plot_file_is_written_with_a_reason_when_empty(tmp_path: Path) -> None:
    write_plot_files(_ws(tmp_path, defended=False), {}, {}, [])
    files = _plots(tmp_path)
    assert len(files) == 3
    assert all([r["kind"] for r in rows] == ["note"] for rows in files.values())
    for name in ("accuracy_by_model.json", "accuracy_vs_capability.json"):
        assert files[name][0]["note"] == "no run has been scored yet (run `dvc repro`)"
    assert "no defense is evaluated" in files["privacy_vs_utility.json"][0]["note"]


def test_the_report_summary_becomes_rows_in_configured_order(tmp_path: Path) -> None:
    runs = plot_runs.summary(8)
    write_plot_files(_ws(tmp_path, defended=True), runs, {}, plot_runs.defense_rows(runs))
    files = _plots(tmp_path)
    overall = [r["run"] for r in files["accuracy_by_model.json"] if r["attribute"] == "overall"]
    assert overall == list(runs)  # each defended run follows its adversary, as generated
    assert {r["defense"] for r in files["privacy_vs_utility.json"]} == {"strip_metadata", "blur_text", "downscale_256"}
    assert "no run uses a prompt" in files["accuracy_vs_capability.json"][0]["note"]
