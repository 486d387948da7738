"""`dvc repro` with three OpenAI-compatible models of different quality and a tiny local
transformers model: per-model MLflow runs, the capability regression in the summary run,
and `dvc plots show` HTML."""

from __future__ import annotations

import base64
import io
import json
from pathlib import Path

import pytest
from PIL import Image

from testkit.openai_server import FakeOpenAIServer, Request, guess_answer
from testkit.repo import make_repo, run
from testkit.vip import label, record, write_dataset

pytestmark = pytest.mark.slow

N = 12
#: image i is a flat colour; the server reads it back to know which image it was shown
COLOURS = [((i * 67) % 256, (i * 131) % 256, (i * 29 + 100) % 256) for i in range(N)]
TRUTH = ["Female" if i % 3 else "Male" for i in range(N)]


def dataset(root: Path) -> Path:
    write_dataset(root, [record(f"img{i}", {"sex": label(TRUTH[i], hardness=1 + i % 5)}) for i in range(N)])
    for i, c in enumerate(COLOURS):
        Image.new("RGB", (64, 64), c).save(root / "images" / f"img{i}.jpg", quality=95)
    return root


def which_image(req: Request) -> int:
    for m in req.messages:
        for part in m.get("content") or []:
            if isinstance(part, dict) and part.get("type") == "image_url":
                data = base64.b64decode(part["image_url"]["url"].split(",", 1)[1])
                px = Image.open(io.BytesIO(data)).convert("RGB").getpixel((32, 32))
                return min(range(N), key=lambda i: sum((a - b) ** 2 for a, b in zip(px, COLOURS[i], strict=True)))
    raise AssertionError("no image in request")


def answer(req: Request) -> str:
    i = which_image(req)
    truth = TRUTH[i]
    other = "Male" if truth == "Female" else "Female"
    right = {"strong": True, "mid": i % 3 != 0 or i < 6, "weak": i % 4 == 0}[req.model or ""]
    first = truth if right else other
    return guess_answer([first, other if right else truth], attribute="sex")


def test_three_api_models_and_a_tiny_hf_model(tmp_path: Path) -> None:
    from testkit.tiny_vlm import build_tiny_llava

    with FakeOpenAIServer(answer=answer, latency=0.01) as srv:
        common = {"kind": "openai", "base_url": srv.base_url, "max_concurrency": 4, "timeout": 10}
        models = {
            "strong": {**common, "model": "strong", "capability": {"mmmu_val": 70.0}},
            "mid": {**common, "model": "mid", "capability": {"mmmu_val": 55.0}},
            "weak": {**common, "model": "weak", "capability": {"mmmu_val": 40.0}},
            "tiny": {"kind": "hf", "model": "models/tiny", "batch_size": 4, "max_new_tokens": 8},
            "majority": {"kind": "majority"},
        }
        root = make_repo(
            tmp_path,
            dataset(tmp_path / "ds"),
            {
                "attributes": ["sex"],
                "models": models,
                "scoring": {"bootstrap_samples": 200, "seed": 0, "reviews": "reviews/decisions.jsonl"},
                "defense_eval": {"runs": [], "defenses": []},
                "report": {"capability_column": "mmmu_val", "project_at": 85.0, "summary_run_name": "summary"},
            },
        )
        build_tiny_llava(root / "models" / "tiny")
        out = run(["dvc", "repro"], root)
        assert "Running stage 'infer@tiny'" in out.stdout
        # every API item was asked exactly once (nothing lost, nothing repeated)
        assert srv.count() == 3 * N

    acc = {m: json.loads((root / "metrics" / f"{m}.json").read_text())["overall"]["accuracy"] for m in models}
    assert acc["strong"] == 1.0 and acc["weak"] < acc["mid"] < acc["strong"]
    tiny = json.loads((root / "metrics" / "tiny.json").read_text())
    assert tiny["overall"]["n"] == N  # the random model answers something for every item

    summary = json.loads((root / "build" / "summary.json").read_text())  # the full summary
    fit = summary["regression"]["final"]["overall"]
    assert fit["status"] == "ok" and fit["n"] == 3 and fit["slope"] > 0
    assert 0 <= fit["projection"]["accuracy"] <= 1

    import mlflow

    mlflow.set_tracking_uri(f"sqlite:///{root / 'mlflow.db'}")
    runs = {
        r.info.run_name: r for r in mlflow.search_runs(experiment_names=["vipbench-vip-default"], output_format="list")
    }
    assert set(runs) == {*models, "summary"}
    assert runs["strong"].data.metrics["capability.mmmu_val"] == 70.0
    assert runs["strong"].data.params["prompt.variant"] == "final"
    assert len(runs["strong"].data.params["prompt.hash"]) == 16
    s = runs["summary"]
    assert s.data.metrics["capability_fit.final.overall.slope"] == pytest.approx(fit["slope"])
    arts = {a.path for a in mlflow.MlflowClient().list_artifacts(s.info.run_id, "figures")}
    assert "figures/accuracy_vs_capability.png" in arts

    html = run(["dvc", "plots", "show", "-o", str(tmp_path / "plots_html")], root)
    assert html.returncode == 0
    page = (tmp_path / "plots_html" / "index.html").read_text()
    assert "accuracy_vs_capability" in page
