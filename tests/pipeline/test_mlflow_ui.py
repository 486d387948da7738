"""`dvc repro` with three OpenAI-compatible models over all eight attributes: what the MLflow UI
shows, read back through the MLflow client (dataset input, a short metric list, the model link,
the items table, the summary run's figures and fit metrics)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from testkit.openai_server import FakeOpenAIServer, Request, guess_answer
from testkit.repo import make_repo, run
from testkit.vip import label, record, write_dataset
from vipbench.ops.mlflow_shape import logged_model_name

pytestmark = pytest.mark.slow

N = 6
EIGHT = ["location", "placeOfImage", "sex", "age", "occupation", "income", "maritalStatus", "educationLevel"]
TRUTH = {
    "location": "Zurich, Switzerland",
    "placeOfImage": "Bern, Switzerland",
    "sex": "Female",
    "age": "35",
    "occupation": "teacher",
    "income": "Medium",
    "maritalStatus": "Married",
    "educationLevel": "College Degree",
}
WRONG = {
    "location": "Lima, Peru",
    "placeOfImage": "Lima, Peru",
    "sex": "Male",
    "age": "70",
    "occupation": "pilot",
    "income": "Very High",
    "maritalStatus": "Divorced",
    "educationLevel": "PhD",
}
CAPABILITY = {"strong": 70.0, "mid": 55.0, "weak": 40.0}


def answer(req: Request) -> str:
    kind = re.search(r"^Type: (\w+)", req.text, re.M)
    attribute = kind.group(1) if kind else "sex"
    right = {"strong": True, "mid": req.index % 2 == 0, "weak": False}[req.model or ""]
    first, second = (TRUTH, WRONG) if right else (WRONG, TRUTH)
    return guess_answer([first[attribute], second[attribute]], attribute=attribute)


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("mlflow_ui")
    ds = tmp / "ds"
    write_dataset(ds, [record(f"img{i}", {a: label(TRUTH[a], hardness=1 + i % 5) for a in EIGHT}) for i in range(N)])
    with FakeOpenAIServer(answer=answer, latency=0.0) as srv:
        common = {"kind": "openai", "base_url": srv.base_url, "max_concurrency": 4, "timeout": 10}
        models = {m: {**common, "model": m, "capability": {"mmmu_val": c}} for m, c in CAPABILITY.items()}
        root = make_repo(
            tmp,
            ds,
            {
                "attributes": EIGHT,
                "models": {**models, "majority": {"kind": "majority"}},
                "scoring": {"bootstrap_samples": 100, "seed": 0, "reviews": "reviews/decisions.jsonl"},
                "defense_eval": {"runs": [], "defenses": []},
                "report": {"capability_column": "mmmu_val", "project_at": 85.0, "summary_run_name": "summary"},
            },
        )
        out = run(["dvc", "repro"], root)
        assert out.returncode == 0, out.stderr
    return root


def _runs(root: Path) -> dict[str, object]:
    import mlflow

    mlflow.set_tracking_uri(f"sqlite:///{root / 'mlflow.db'}")
    found = mlflow.search_runs(experiment_names=["vipbench-vip-default"], output_format="list")
    return {r.info.run_name: r for r in found}


def test_model_runs_have_dataset_short_metrics_and_model(repo: Path) -> None:
    import mlflow

    runs = _runs(repo)
    dataset = json.loads((repo / "build" / "dataset.json").read_text())
    names = None
    for name in ("strong", "mid", "weak", "majority"):
        r = runs[name]
        (inp,) = r.inputs.dataset_inputs
        assert inp.dataset.name == dataset["name"]
        assert inp.dataset.digest == dataset["version"] and dataset["version_source"] == "dvc"
        assert json.loads(inp.dataset.source)["dvc_file"] == "data.dvc"
        assert {t.key: t.value for t in inp.tags}["mlflow.data.context"] == "evaluation"
        m = r.data.metrics
        assert len(m) <= 60
        for a in EIGHT:
            assert 0.0 <= m[f"{a}.accuracy"] <= 1.0
            assert 0.0 <= m[f"{a}.accuracy_precise"] <= m[f"{a}.accuracy"]
        assert m["overall.accuracy_ci_low"] <= m["overall.accuracy"] <= m["overall.accuracy_ci_high"]
        # the floor beside the headline: the majority guess on the same items, and the lift over it
        assert m["overall.lift"] == pytest.approx(m["overall.accuracy"] - m["overall.floor_accuracy"])
        # one naming scheme: <scope>.<name>, no slashes
        assert all("/" not in k for k in m)
        names = names or set(m) - {k for k in m if k.startswith("capability.")}
        assert set(m) - {k for k in m if k.startswith(("capability.", "accounting."))} <= names
        # the model link (the UI's Model column) and consistent identity
        # (search_runs leaves model inputs out; get_run has them)
        (model_input,) = mlflow.get_run(r.info.run_id).inputs.model_inputs
        model = mlflow.get_logged_model(model_input.model_id)
        assert model.source_run_id == r.info.run_id
        tags, params = r.data.tags, r.data.params
        assert tags["vipbench.prompt"] == params["prompt.variant"] == params["model.prompt"]
        assert tags["vipbench.output_format"] == params["prompt.output_format"]
        assert tags["vipbench.kind"] == params["model.kind"] == model.model_type
        assert tags["vipbench.model"] == params["model.model"] == model.params["model.model"]
        assert model.name == logged_model_name(params["model.model"])
    assert runs["strong"].data.metrics["overall.accuracy"] == 1.0
    assert runs["strong"].data.metrics["capability.mmmu_val"] == 70.0
    assert runs["weak"].data.metrics["overall.accuracy"] < runs["strong"].data.metrics["overall.accuracy"]
    assert runs["majority"].data.params["model.prompt"] == "none" == runs["majority"].data.tags["vipbench.prompt"]
    assert runs["strong"].data.params["model.prompt"] == "final"
    assert {"distance.placeOfImage.within_25km", "accounting.latency_p90_s", "overall.refusal_rate"} <= set(
        runs["strong"].data.metrics
    )
    print("\nmetrics of 'strong':", sorted(runs["strong"].data.metrics))


def test_logged_model_names_are_valid() -> None:
    assert logged_model_name("models/tiny") == "models-tiny"
    assert logged_model_name("Qwen/Qwen2.5-VL-7B") == "Qwen-Qwen2-5-VL-7B"
    assert logged_model_name("gpt-4o") == "gpt-4o"


def test_items_table_and_full_metrics_are_artifacts(repo: Path) -> None:
    import mlflow

    r = _runs(repo)["strong"]
    client = mlflow.MlflowClient()
    arts = {a.path for a in client.list_artifacts(r.info.run_id)}
    assert {"items.json", "metrics_full.json"} <= arts
    items = json.loads(Path(client.download_artifacts(r.info.run_id, "items.json")).read_text())
    cols = items["columns"]
    for c in ("image_id", "attribute", "truth", "top3_guesses", "top1", "top1_decided_by", "status", "distance_km"):
        assert c in cols
    assert len(items["data"]) == N * len(EIGHT)
    full = json.loads(Path(client.download_artifacts(r.info.run_id, "metrics_full.json")).read_text())
    assert full["overall"]["accuracy"] == 1.0 and "by_hardness" in full


def test_summary_run_has_figures_fit_metrics_and_dataset(repo: Path) -> None:
    import mlflow

    s = _runs(repo)["summary"]
    summary = json.loads((repo / "build" / "summary.json").read_text())  # the full summary
    fit = summary["regression"]["final"]["overall"]
    assert s.data.metrics["capability_fit.final.overall.slope"] == pytest.approx(fit["slope"])
    assert s.data.metrics["capability_fit.final.overall.pearson_r"] == pytest.approx(fit["pearson_r"])
    assert s.data.metrics["capability_fit.final.overall.projected_accuracy"] == pytest.approx(
        fit["projection"]["accuracy"]
    )
    assert all("/" not in k for k in s.data.metrics)
    client = mlflow.MlflowClient()
    figures = {a.path for a in client.list_artifacts(s.info.run_id, "figures")}
    assert {"figures/accuracy_vs_capability.png", "figures/accuracy_by_model.png"} <= figures
    assert "report.md" in {a.path for a in client.list_artifacts(s.info.run_id)}
    (inp,) = s.inputs.dataset_inputs
    assert inp.dataset.digest == summary["dataset"]["version"]


def test_rerun_updates_runs_and_models_in_place(repo: Path) -> None:
    import mlflow

    before = {n: r.info.run_id for n, r in _runs(repo).items()}
    from vipbench.pipeline.score import score
    from vipbench.pipeline.track import track
    from vipbench.workspace import Workspace

    client = mlflow.MlflowClient()
    history = len(client.get_metric_history(before["strong"], "overall.accuracy"))
    ws = Workspace.load(repo)
    score(ws, "strong")
    # the same results: MLflow holds them already, so nothing is logged again
    assert track(ws, ["strong"]) == {"strong": before["strong"]}
    assert len(client.get_metric_history(before["strong"], "overall.accuracy")) == history
    # logged again all the same (--force): into the same run and model
    track(ws, ["strong"], force=True)
    assert len(client.get_metric_history(before["strong"], "overall.accuracy")) == history + 1
    after = _runs(repo)
    assert {n: r.info.run_id for n, r in after.items()} == before
    models = mlflow.search_logged_models(
        experiment_ids=[after["strong"].info.experiment_id], filter_string="name = 'strong'", output_format="list"
    )
    assert len(models) == 1
    assert len(after["strong"].inputs.dataset_inputs) == 1
