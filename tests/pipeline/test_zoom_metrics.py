"""Chain of zoom through infer and score: the score stage reports whether crops covered the cues."""

from __future__ import annotations

from pathlib import Path

import yaml

from testkit.openai_server import FakeOpenAIServer, Request, guess_answer
from vipbench.dataset.synthetic.generator import generate
from vipbench.pipeline.infer import infer
from vipbench.pipeline.prepare import prepare
from vipbench.pipeline.score import score
from vipbench.workspace import Workspace


def answer(req: Request) -> str:
    if req.n_images == 1:  # turn 1: ask for the whole picture as a crop
        return "I want a closer look. bounding_box(0%, 0%, 100%, 100%)"
    return guess_answer(["Female", "Male"], attribute="sex")


def test_zoom_run_reports_cue_hit_rate(tmp_path: Path) -> None:
    generate(tmp_path / "data", n_images=6, seed=1)
    with FakeOpenAIServer(answer=answer) as srv:
        params = {
            "attributes": ["sex"],
            "scoring": {"bootstrap_samples": 0},
            "models": {"zoomer": {"kind": "openai", "model": "m", "base_url": srv.base_url, "prompt": "zoom"}},
        }
        (tmp_path / "params.yaml").write_text(yaml.safe_dump(params))
        ws = Workspace.load(tmp_path)
        info = prepare(ws)
        infer(ws, "zoomer")
        m = score(ws, "zoomer")
        # two turns per item: the first with one image, the second with the crop added
        assert srv.count() == 2 * info["items"]
    zoom = m["zoom"]
    assert zoom["zoomed"] == info["items"] > 0
    assert zoom["cue_hit_rate"] == 1.0  # a whole-image crop covers every cue
