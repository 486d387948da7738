"""Secrets and personal data: the API key and the images stay where they belong.

A full `dvc repro` in a temporary repository runs an `openai`-kind model and an LLM judge
against a local server, with a recognisable fake key in the environment. The server accepts
only that key (so the run proves the key was really sent); afterwards no file of the repository
(MLflow's database and artifacts, build/, metrics/, plots/, figures/, dvc.lock, the caches, DVC's
own cache, .git) and no line of the captured output may contain it. MLflow must not hold any
image either: no dataset image's bytes, no image as sent to the model, no JPEG at all.

A dataset path in params.yaml outside the repository is refused unless explicitly allowed.
"""

from __future__ import annotations

import base64
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import yaml
from PIL import Image

from testkit.openai_server import FakeOpenAIServer, Reply, Request, guess_answer
from testkit.repo import env, make_repo, run
from testkit.vip import label, record, write_dataset
from tests.reliability.corpus import pinned_params

CANARY = "sk-vipbench-SECRET-canary-1234"
KEY_ENV = "VIPBENCH_CANARY_KEY"


def answer(req: Request) -> str | Reply:
    if req.headers.get("authorization") != f"Bearer {CANARY}":
        return Reply(status=401, error_code="invalid_api_key")
    if "You are grading a location guess" in req.text:
        return json.dumps({"verdict": "less_precise", "reason": "same country"})
    kind = re.search(r"^Type: (\w+)", req.text, re.M)
    attribute = kind.group(1) if kind else "location"
    guesses = ["Female"] if attribute == "sex" else ["Bern, Switzerland", "Zurich, Switzerland"]
    return guess_answer(guesses, attribute=attribute)


def noisy_dataset(root: Path, n: int = 6) -> Path:
    recs = [
        record(f"p{i}", {"location": label("Zurich, Switzerland"), "sex": label("Female" if i % 2 else "Male")})
        for i in range(n)
    ]
    write_dataset(root, recs)
    rng = np.random.default_rng(1)
    for i in range(n):  # real-looking, distinct image bytes to search for
        Image.fromarray(rng.integers(0, 256, (48, 64, 3), dtype=np.uint8), "RGB").save(root / "images" / f"p{i}.jpg")
    return root


def forms(secret: str) -> list[bytes]:
    """The key as it could end up in a file: plain, UTF-16, base64 (e.g. in a Basic auth header)."""
    raw = secret.encode()
    return [raw, secret.encode("utf-16-le"), base64.b64encode(raw)[:-4], base64.b64encode(b"x:" + raw)[4:-4]]


def files_under(root: Path) -> list[Path]:
    return [p for p in sorted(root.rglob("*")) if p.is_file()]


@pytest.mark.slow
def test_no_key_and_no_image_leaks_after_a_full_run(tmp_path: Path) -> None:
    ds = noisy_dataset(tmp_path / "ds")
    with FakeOpenAIServer(answer) as srv:
        params = {
            **pinned_params(),
            "models": {
                "vlm": {"kind": "openai", "model": "leak-test", "base_url": srv.base_url, "api_key_env": KEY_ENV},
                "majority": {"kind": "majority"},
            },
            "scoring": {
                "bootstrap_samples": 50,
                "seed": 0,
                "reviews": "reviews/decisions.jsonl",
                "judges": [{"model": "judge", "base_url": srv.base_url, "api_key_env": KEY_ENV, "max_retries": 0}],
            },
        }
        root = make_repo(tmp_path, ds, params)
        e = env()
        e[KEY_ENV] = CANARY
        e["OPENAI_API_KEY"] = CANARY
        out = run(["dvc", "repro"], root, env=e)
        log = srv.snapshot()

    # the key was really used: every request carried it, and every item was answered
    assert log and all(q.headers.get("authorization") == f"Bearer {CANARY}" for q in log)
    assert any("grading" in q.text for q in log)  # the judge ran too
    assert "## LLM judges" in (root / "metrics" / "report.md").read_text()  # and the report says so
    responses = [json.loads(ln) for ln in (root / "build" / "responses" / "vlm.jsonl").open()]
    assert responses and all(r["status"] == "answered" for r in responses)
    assert (root / "metrics" / "vlm.json").is_file() and (root / "mlflow.db").is_file()
    assert any((root / "mlruns").rglob("*.png"))  # figures were logged, so artifacts were searched
    # the judges' calls reached MLflow, a measurement that no DVC output holds
    from mlflow.tracking import MlflowClient

    client = MlflowClient(tracking_uri=f"sqlite:///{root / 'mlflow.db'}")
    experiment = client.get_experiment_by_name("vipbench-vip-default")
    (vlm,) = client.search_runs([experiment.experiment_id], "run_name = 'vlm'")
    judged = json.loads((root / "build" / "details" / "vlm.json").read_text())["llm_judge"]
    assert vlm.data.metrics["llm_judge.votes"] == judged["votes"] > 0
    assert vlm.data.metrics["llm_judge.calls"] + vlm.data.metrics["llm_judge.cache_hits"] == judged["votes"]
    assert "calls" not in judged

    # ...and it is nowhere: not in any file of the repository, not in the output
    checked = files_under(root)
    for where in ("mlflow.db", "dvc.lock", "mlruns", "build", "metrics", "plots", "figures", ".vipbench"):
        assert any(str(p.relative_to(root)).startswith(where) for p in checked), where
    leaks = [str(p.relative_to(root)) for p in checked if any(f in p.read_bytes() for f in forms(CANARY))]
    assert not leaks, f"the API key leaked into {leaks}"
    for stream in (out.stdout, out.stderr):
        assert CANARY not in stream and CANARY[-12:] not in stream

    # no image in MLflow: neither the dataset's bytes nor the JPEGs sent to the model
    from vipbench.inference.images import Images

    enc = Images(max_side=1024)
    needles: list[bytes] = [b"data:image", b"JFIF\x00", b"Exif\x00\x00"]  # data URLs, JPEG/EXIF headers
    for img in sorted((root / "data" / "images").glob("*.jpg")):
        data = img.read_bytes()
        sent = enc.encode(img).split(",", 1)[1].encode()
        needles += [data[:4096], base64.b64encode(data)[:400], sent[:400], base64.b64decode(sent)[:4096]]
    mlflow_files = [root / "mlflow.db", *files_under(root / "mlruns")]
    hits = [(str(p.relative_to(root)), i) for p in mlflow_files for i, n in enumerate(needles) if n in p.read_bytes()]
    assert not hits, f"image data in MLflow: {hits[:10]}"
    jpegs = [str(p.relative_to(root)) for p in mlflow_files if p.read_bytes()[:3] == b"\xff\xd8\xff"]
    assert not jpegs, f"JPEG files in MLflow: {jpegs}"


# -- a dataset outside the repository ---------------------------------------------------------------


def _repo_with_data_at(tmp: Path, data_dir: str, allow: bool | None = None) -> Path:
    root = tmp / "repo"
    root.mkdir()
    src = yaml.safe_load((Path(__file__).resolve().parents[2] / "params.yaml").read_text())
    src.update(pinned_params())
    src["data"]["dir"] = data_dir
    if allow is not None:
        src["data"]["allow_outside_repo"] = allow
    (root / "params.yaml").write_text(yaml.safe_dump(src, sort_keys=False))
    return root


def _prepare(root: Path) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "vipbench.cli", "prepare", "--repo", str(root)]
    return subprocess.run(cmd, capture_output=True, text=True, env=env(), timeout=120)


@pytest.mark.parametrize("how", ["relative", "absolute", "symlink"])
def test_dataset_outside_the_repo_is_refused(how: str, tmp_path: Path) -> None:
    outside = noisy_dataset(tmp_path / "elsewhere", n=2)
    if how == "relative":
        root = _repo_with_data_at(tmp_path, "../elsewhere")
    elif how == "absolute":
        root = _repo_with_data_at(tmp_path, str(outside))
    else:  # data/ inside the repository is a symlink to a directory outside it
        root = _repo_with_data_at(tmp_path, "data")
        os.symlink(outside, root / "data")
    p = _prepare(root)
    assert p.returncode == 2, p.stdout + p.stderr
    assert "data.dir" in p.stderr and "outside the repository" in p.stderr and "allow_outside_repo" in p.stderr
    assert not (root / "build").exists()


def test_dataset_outside_the_repo_when_allowed(tmp_path: Path) -> None:
    noisy_dataset(tmp_path / "elsewhere", n=2)
    root = _repo_with_data_at(tmp_path, "../elsewhere", allow=True)
    p = _prepare(root)
    assert p.returncode == 0, p.stderr
    assert (root / "build" / "items.jsonl").is_file()
