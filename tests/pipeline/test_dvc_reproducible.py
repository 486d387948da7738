"""A second machine reproduces every stage from `dvc pull`, and a re-run changes nothing.

One temporary repository runs the pipeline (a plain run and the run x defense matrix), commits
and pushes to a local DVC remote. A fresh clone then pulls: every output comes back, the
defended images included, and `dvc status` is clean. Forcing every stage to run again there
leaves git clean (dvc.lock and the metrics byte for byte), `dvc metrics diff` empty, and MLflow's
git revision without "-dirty": latencies and cache hits stay out of DVC outputs.
"""

from __future__ import annotations

import collections
import json
from pathlib import Path

import pytest

from testkit.repo import make_repo, run
from vipbench.dataset.synthetic.generator import generate

pytestmark = pytest.mark.slow


def metric_keys(shown: dict) -> set[str]:
    """The distinct flattened keys of `dvc metrics show --json` (what its table's columns are)."""
    keys: set[str] = set()

    def walk(prefix: str, v: object) -> None:
        if isinstance(v, dict):
            for k, x in v.items():
                walk(f"{prefix}.{k}" if prefix else str(k), x)
        else:
            keys.add(prefix)

    for rev in shown.values():
        for f in rev["data"].values():
            walk("", f.get("data", {}))
    return keys


def test_pull_on_a_second_machine_and_rerun_change_nothing(tmp_path: Path) -> None:
    data = generate(tmp_path / "synth", n_images=5, seed=1)
    params = {
        "models": {"majority": {"kind": "majority"}, "exif": {"kind": "exif"}},
        "defenses": {"strip_metadata": {"kind": "strip_metadata"}, "half": {"kind": "downscale", "factor": 2}},
        "defense_eval": {"runs": ["exif"], "defenses": ["strip_metadata", "half"]},
        "scoring": {"bootstrap_samples": 50, "seed": 0, "reviews": "reviews/decisions.jsonl"},
    }
    first = make_repo(tmp_path, data, params)
    run(["dvc", "remote", "add", "-d", "store", str(tmp_path / "remote")], first)
    out = run(["dvc", "repro"], first)
    # a clean run warns about nothing, let alone once per stage
    warnings = collections.Counter(ln for ln in (out.stdout + out.stderr).splitlines() if "WARNING" in ln)
    assert not warnings, warnings
    run(["git", "add", "-A"], first)
    run(["git", "commit", "-qm", "results"], first)
    run(["dvc", "push"], first)

    # the defended items name images inside the repository, relative to the defense's output
    items = [json.loads(ln) for ln in (first / "build/defended/half/items.jsonl").read_text().splitlines()]
    assert items and all((first / "build/defended/half/images" / it["image"]).is_file() for it in items)
    assert not Path(items[0]["image"]).is_absolute() and ".." not in items[0]["image"]

    # a second machine: clone, bare `dvc pull`, and everything is there and up to date
    second = tmp_path / "second"
    run(["git", "clone", "-q", str(first), str(second)], tmp_path)
    assert run(["dvc", "pull"], second).returncode == 0
    for d in ("strip_metadata", "half"):
        assert sorted(p.name for p in (second / f"build/defended/{d}/images").iterdir()) == sorted(
            p.name for p in (first / f"build/defended/{d}/images").iterdir()
        )
    assert (second / "figures" / "accuracy_by_model.png").is_file()
    assert json.loads(run(["dvc", "status", "--json"], second).stdout) == {}
    assert "Running stage" not in run(["dvc", "repro"], second).stdout

    # every stage again, from scratch (no response or defense cache on this machine)
    forced = run(["dvc", "repro", "--force"], second)
    assert "Running stage 'infer_defended@exif-half'" in forced.stdout
    assert run(["git", "status", "--porcelain"], second).stdout == ""
    assert json.loads(run(["dvc", "metrics", "diff", "--json"], second).stdout or "{}") == {}
    assert json.loads(run(["dvc", "status", "--json"], second).stdout) == {}

    # responses hold results only; the measurements went to MLflow with a clean git revision
    resp = json.loads((second / "build/responses/exif.jsonl").read_text().splitlines()[0])
    assert "latency_s" not in resp and "cached" not in resp
    from mlflow.tracking import MlflowClient

    client = MlflowClient(tracking_uri=f"sqlite:///{second / 'mlflow.db'}")
    exp = client.get_experiment_by_name("vipbench-vip-default")
    runs = {r.info.run_name: r for r in client.search_runs([exp.experiment_id])}
    head = run(["git", "rev-parse", "HEAD"], second).stdout.strip()
    for name in ("majority", "exif", "exif+strip_metadata", "exif+half"):
        assert runs[name].data.tags["vipbench.git_rev"] == head, name
    assert "accounting.cached" in runs["exif"].data.metrics  # cache hits: a measurement, MLflow only
    assert "accounting.wall_s" in runs["exif"].data.metrics

    # the DVC metrics are the headline figures: few keys, short lines
    shown = json.loads(run(["dvc", "metrics", "show", "--json"], second).stdout)
    keys = metric_keys(shown)
    assert "overall.accuracy" in keys and "attributes.sex.accuracy" in keys
    assert len(keys) <= 40, sorted(keys)
    table = run(["dvc", "metrics", "show"], second).stdout
    assert max(len(line) for line in table.splitlines()) < 1000
