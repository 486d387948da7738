"""`vipbench batch export` / `batch import`: requests written to a batch file, answered by another
process in the output format, imported, and scored exactly as the same answers given online."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import yaml

from testkit.batch_answerer import answer_messages
from testkit.openai_server import FakeOpenAIServer, Request
from testkit.repo import env
from testkit.vip import REPO, label, record, write_dataset
from vipbench.pipeline.batchfiles import export_batch
from vipbench.pipeline.infer import infer
from vipbench.pipeline.prepare import prepare
from vipbench.pipeline.score import score
from vipbench.workspace import Workspace

N = 12
CITIES = ["Zurich, Switzerland", "Lyon, France", "Porto, Portugal", "Lima, Peru"]
COMPARED = ("overall", "attributes", "by_hardness")


def online_answer(req: Request) -> str:
    return answer_messages(req.body["messages"])


def cli(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "vipbench.cli", *args, "--repo", str(root)]
    return subprocess.run(cmd, env=env(), capture_output=True, text=True, check=False)


def test_export_answer_elsewhere_import_scores_like_the_online_run(tmp_path: Path) -> None:
    recs = [
        record(f"img{i}", {"location": label(CITIES[i % 4]), "sex": label("Female" if i % 2 else "Male")})
        for i in range(N)
    ]
    write_dataset(tmp_path / "data", recs)
    (tmp_path / "reviews").mkdir()
    (tmp_path / "reviews" / "decisions.jsonl").write_text("")
    with FakeOpenAIServer(online_answer) as srv:
        models = {
            "online": {"kind": "openai", "model": "vlm", "base_url": srv.base_url},
            # a host this machine cannot reach: its requests travel as files
            "offline": {"kind": "openai", "model": "vlm", "base_url": "http://gpu-host.invalid:8000/v1"},
        }
        params = {
            "attributes": ["location", "sex"],
            "scoring": {"bootstrap_samples": 50, "seed": 0, "reviews": "reviews/decisions.jsonl"},
            "models": models,
            "defense_eval": {"runs": [], "defenses": []},
        }
        (tmp_path / "params.yaml").write_text(yaml.safe_dump(params))
        ws = Workspace.load(tmp_path)
        prepare(ws)
        infer(ws, "online")
        online = score(ws, "online")
        sent_online = srv.count()

        exported = cli(tmp_path, "batch", "export", "offline")
        assert exported.returncode == 0, exported.stderr
        batch_in = tmp_path / "build" / "batch" / "offline.input.jsonl"
        lines = [json.loads(x) for x in batch_in.read_text().splitlines()]
        assert len(lines) == 2 * N and {x["url"] for x in lines} == {"/v1/chat/completions"}
        assert all(x["body"]["model"] == "vlm" and x["body"]["messages"] for x in lines)

        batch_out = tmp_path / "answers.jsonl"
        subprocess.run(
            [sys.executable, "-m", "testkit.batch_answerer", str(batch_in), str(batch_out)],
            cwd=REPO,
            check=True,
        )
        imported = cli(tmp_path, "batch", "import", "offline", str(batch_out))
        assert imported.returncode == 0, imported.stderr
        assert f"answered {2 * N}" in imported.stdout
        offline = score(Workspace.load(tmp_path), "offline")
        assert srv.count() == sent_online  # the offline run asked the server nothing

    for block in COMPARED:
        assert offline[block] == online[block], block
    # the answers are cached: nothing is left to export, and `vipbench infer` asks nothing
    assert export_batch(Workspace.load(tmp_path), "offline")[1] == 0
    assert infer(Workspace.load(tmp_path), "offline") == {"answered": 2 * N}


def test_import_without_an_answer_for_every_request_fails_like_an_endpoint_would(tmp_path: Path) -> None:
    write_dataset(tmp_path / "data", [record(f"img{i}", {"sex": label("Male")}) for i in range(5)])
    models = {"offline": {"kind": "openai", "model": "vlm", "base_url": "http://gpu-host.invalid:8000/v1"}}
    (tmp_path / "params.yaml").write_text(yaml.safe_dump({"attributes": ["sex"], "models": models}))
    ws = Workspace.load(tmp_path)
    prepare(ws)
    path, n = export_batch(ws, "offline")
    assert n == 5
    (tmp_path / "empty.jsonl").write_text("")
    got = cli(tmp_path, "batch", "import", "offline", str(tmp_path / "empty.jsonl"))
    assert got.returncode == 3 and "no answer in" in got.stderr
