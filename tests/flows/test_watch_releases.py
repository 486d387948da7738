"""watch_releases against a real OpenAI-compatible HTTP server on 127.0.0.1, with real DVC and MLflow."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import pytest
import yaml

from testkit.openai_server import FakeOpenAIServer, Request, guess_answer
from tests.flows import flow_repo

pytestmark = pytest.mark.slow


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def answer(req: Request) -> str:
    if "placeOfImage" in req.text or "location" in req.text.lower():
        return guess_answer(["Zurich, Switzerland", "Bern, Switzerland"], attribute="placeOfImage")
    return guess_answer(["Female", "Male"], attribute="sex")


def use_watch(root: Path, watch: dict[str, Any]) -> dict[str, Any] | None:
    """Put `watch` in params.yaml once config.Params knows the section; until then pass it to the flow."""
    from vipbench.config import Params

    if "watch" not in Params.model_fields:
        return watch
    p = yaml.safe_load((root / "params.yaml").read_text())
    p["watch"] = watch
    (root / "params.yaml").write_text(yaml.safe_dump(p, sort_keys=False))
    return None


def test_new_model_is_evaluated_once(tmp_path: Path) -> None:
    from mlflow.tracking import MlflowClient

    from flows.watch_releases import watch_releases

    with FakeOpenAIServer(answer=answer, models=["vlm-new-1", "text-embedding-3", "gpt-old"]) as srv:
        root = flow_repo(tmp_path)
        watch = {
            "schedule": "0 6 * * *",
            "prompts": ["final"],
            "providers": [
                {
                    "name": "local",
                    "kind": "openai",
                    "base_url": srv.base_url,
                    "api_key_env": "VIPBENCH_TEST_NO_KEY",
                    "include": ["vlm-*", "gpt-*"],
                    "exclude": ["*embedding*", "gpt-old"],
                    "spec_defaults": {"max_concurrency": 4, "timeout": 10, "max_retries": 1},
                },
                # a provider that is down is logged and skipped; the others go on
                {
                    "name": "down",
                    "kind": "openai",
                    "base_url": f"http://127.0.0.1:{closed_port()}/v1",
                    "timeout": 2,
                },
            ],
        }
        override = use_watch(root, watch)
        # a comment a person wrote; editing params.yaml must keep it
        text = (root / "params.yaml").read_text().replace("models:\n", "# our runs\nmodels:\n", 1)
        (root / "params.yaml").write_text(text)

        first = watch_releases(repo=str(root), watch=override)
        assert first["new_runs"] == ["local-vlm-new-1-final"]
        assert first["listed"] == {"local": 3, "down": 0}
        ev = first["evaluation"]
        assert ev["failed"] == {}
        rid = ev["mlflow_run_ids"]["local-vlm-new-1-final"]
        asked = srv.count()
        assert asked == 12  # 6 images x 2 attributes, each asked once
        assert {r.model for r in srv.snapshot()} == {"vlm-new-1"}

        # the run is in params.yaml, with the provider's defaults; the comment survived
        text = (root / "params.yaml").read_text()
        assert "# our runs\nmodels:\n" in text
        spec = yaml.safe_load(text)["models"]["local-vlm-new-1-final"]
        assert spec == {
            "kind": "openai",
            "api_key_env": "VIPBENCH_TEST_NO_KEY",
            "base_url": srv.base_url,
            "max_concurrency": 4,
            "timeout": 10,
            "max_retries": 1,
            "model": "vlm-new-1",
            "prompt": "final",
        }

        # MLflow has a run for the model, with metrics, tagged for this dataset version and prompt
        client = MlflowClient(tracking_uri=f"sqlite:///{root / 'mlflow.db'}")
        found = client.search_runs(
            [client.get_experiment_by_name("vipbench-vip-default").experiment_id],
            filter_string="tags.`vipbench.model` = 'vlm-new-1'",
        )
        assert [r.info.run_id for r in found] == [rid]
        r = found[0]
        assert r.data.tags["vipbench.prompt"] == "final"
        assert r.data.tags["vipbench.dataset_version"] == first["dataset_version"]
        assert 0.0 <= r.data.metrics["overall.accuracy"] <= 1.0
        assert r.data.metrics["placeOfImage.accuracy"] == 1.0

        # a second poll finds that run and evaluates nothing
        second = watch_releases(repo=str(root), watch=override)
        assert second["new_runs"] == [] and second["evaluation"] is None
        assert srv.count() == asked
        assert (root / "params.yaml").read_text() == text

        # evaluate the same model with a second prompt variant, by hand; the watcher then knows
        # both (model, prompt) pairs from MLflow and still has nothing to do
        from flows.evaluate import evaluate

        by_hand = evaluate(repo=str(root), runs=["local-vlm-new-1-final"], prompts=["final", "naive"])
        assert sorted(by_hand["mlflow_run_ids"]) == ["local-vlm-new-1-final", "local-vlm-new-1-final-naive"]
        assert srv.count() == 2 * asked  # only the new variant asked the server
        naive = yaml.safe_load((root / "params.yaml").read_text())["models"]["local-vlm-new-1-final-naive"]
        assert naive == {**spec, "prompt": "naive"}
        both = {**watch, "prompts": ["final", "naive"]}
        if override is None:
            use_watch(root, both)
        third = watch_releases(repo=str(root), watch=both if override is not None else None)
        assert third["new_runs"] == [] and srv.count() == 2 * asked


def test_dry_run_changes_nothing(tmp_path: Path) -> None:
    """--no-evaluate lists new models but leaves git, DVC and params.yaml exactly as they were."""
    from flows.watch_releases import main, watch_releases
    from testkit.repo import run

    with FakeOpenAIServer(answer=answer, models=["vlm-new-1"]) as srv:
        root = flow_repo(tmp_path)
        watch = {
            "providers": [
                {"name": "local", "kind": "openai", "base_url": srv.base_url, "api_key_env": "VIPBENCH_TEST_NO_KEY"}
            ]
        }
        override = use_watch(root, watch)
        run(["git", "commit", "-qam", "watch"], root)

        def snapshot() -> dict[str, object]:
            remote = tmp_path / "remote"
            return {
                "status": run(["git", "status", "--porcelain"], root).stdout,
                "data.dvc": (root / "data.dvc").read_bytes(),
                "params": (root / "params.yaml").read_bytes(),
                "head": run(["git", "rev-parse", "HEAD"], root).stdout,
                "remote": sorted(str(p) for p in remote.rglob("*")) if remote.exists() else [],
            }

        # new data in the work tree: a versioning step would `dvc add` it and stage data.dvc
        (root / "data" / "extra.txt").write_text("a new file\n")
        before = snapshot()
        out = watch_releases(repo=str(root), watch=override, evaluate_new=False)
        assert out["new_runs"] == ["local-vlm-new-1-final"]
        assert out["evaluation"] is None and "skipped" in out["dataset"]
        if override is None:
            main(["--repo", str(root), "--no-evaluate"])  # the command line's dry run too
        after = snapshot()
        assert after == before
        assert srv.count() == 0  # nothing was asked of the model
