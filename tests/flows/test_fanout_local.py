"""Asked to fan out with no Prefect server (or with `local`), `evaluate` runs everything itself."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.flows import flow_repo

pytestmark = pytest.mark.slow


def test_without_a_server_the_fan_out_runs_in_this_process(tmp_path: Path) -> None:
    from flows.evaluate import evaluate
    from flows.fanout import CHILD_DEPLOYMENT

    root = flow_repo(tmp_path)
    out = evaluate(repo=str(root), runs=["majority"], push=False, fan_out=CHILD_DEPLOYMENT)
    # nothing fanned out (the log says: no Prefect server), nothing committed, the run done here
    assert out["fanned_out_to"] is None and out["committed"] is None and out["failed"] == {}
    assert json.loads((root / "metrics" / "majority.json").read_text())["overall"]["n"] == 12
    assert "worker" not in out["timings"]["majority"]
