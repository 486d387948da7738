"""Run and defense names with dots (gpt-4.1, qwen2.5-vl) through `dvc repro`, the flows and `vipbench`.

DVC reads a params path `models.gpt-4.1` as nested keys, so the run's stages depend on the file the
`configure` stage writes for it instead. This runs the real pipeline in a temporary repository:
a dotted run in the run x defense matrix with a dotted defense, a dotted model that
`watch_releases` finds on a real local OpenAI-compatible server, and an edit of one dotted run
that re-runs only that run's stages.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from testkit.openai_server import FakeOpenAIServer
from testkit.repo import run
from tests.flows import flow_repo
from tests.flows.test_watch_releases import answer

pytestmark = pytest.mark.slow


def ran(stdout: str) -> set[str]:
    return {line.split("'")[1] for line in stdout.splitlines() if line.startswith("Running stage '")}


def test_dotted_names_through_dvc_the_flows_and_vipbench(tmp_path: Path) -> None:
    from flows.watch_releases import watch_releases

    with FakeOpenAIServer(answer=answer, models=["vlm-4.1"]) as srv:
        root = flow_repo(tmp_path, {"majority": {"kind": "majority"}, "maj.v2": {"kind": "majority"}})
        p = yaml.safe_load((root / "params.yaml").read_text())
        p["defenses"] = {"jpeg.q30": {"kind": "jpeg", "quality": 30}}
        p["defense_eval"] = {"runs": ["maj.v2"], "defenses": ["jpeg.q30"]}
        p["watch"] = {
            "providers": [
                {
                    "name": "local",
                    "kind": "openai",
                    "base_url": srv.base_url,
                    "api_key_env": "VIPBENCH_TEST_NO_KEY",
                    "spec_defaults": {"max_retries": 1, "timeout": 10},
                }
            ]
        }
        (root / "params.yaml").write_text(yaml.safe_dump(p, sort_keys=False))
        run(["git", "commit", "-qam", "dotted names"], root)

        # the watcher adds `local-vlm-4.1-final` and evaluates it with `dvc repro infer@... score@...`
        out = watch_releases(repo=str(root))
        new = "local-vlm-4.1-final"
        assert out["new_runs"] == [new]
        assert out["evaluation"]["failed"] == {} and out["evaluation"]["mlflow_run_ids"][new]
        assert json.loads((root / "metrics" / f"{new}.json").read_text())["overall"]["n"] == 12

        # the whole pipeline, the dotted matrix cell included
        full = run(["dvc", "repro"], root)
        assert {"infer@maj.v2", "infer_defended@maj.v2-jpeg.q30", "score_defended@maj.v2-jpeg.q30"} <= ran(
            full.stdout
        )
        assert f"infer@{new}" not in ran(full.stdout)  # the flow already made it
        assert (root / "metrics" / "maj.v2+jpeg.q30.json").is_file()
        assert any((root / "build" / "defended" / "jpeg.q30" / "images").iterdir())
        assert json.loads(run(["dvc", "status", "--json"], root).stdout) == {}

        # the evaluate flow names the matrix cells as DVC does, dots and all
        from flows.evaluate import evaluate

        again = evaluate(repo=str(root), runs=["maj.v2"], version_data=False)
        assert again["failed"] == {} and again["timings"]["maj.v2"]["ran"] == []

        # editing one dotted run re-runs that run's stages only
        p = yaml.safe_load((root / "params.yaml").read_text())
        p["models"]["maj.v2"]["prompt"] = "naive"
        (root / "params.yaml").write_text(yaml.safe_dump(p, sort_keys=False))
        edited = ran(run(["dvc", "repro"], root).stdout)
        assert edited == {
            "configure",
            "infer@maj.v2",
            "score@maj.v2",
            "infer_defended@maj.v2-jpeg.q30",
            "score_defended@maj.v2-jpeg.q30",
            "report",
        }, edited

        # and `vipbench` takes the names as they are
        shown = run(["vipbench", "score", "maj.v2+jpeg.q30"], root)
        assert "maj.v2+jpeg.q30: accuracy" in shown.stdout
        # the same results: MLflow already holds the run the flow logged
        logged = out["evaluation"]["mlflow_run_ids"][new]
        assert run(["vipbench", "track", new], root).stdout.strip() == f"{new}: MLflow run {logged}"
        assert srv.count() == 12  # the model was asked once per item, in the flow only

