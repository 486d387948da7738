"""A screenshot of the Prefect UI: a fanned-out evaluation's parent flow run and its child runs.

    .venv/bin/python scripts/prefect_screenshot.py [--out docs/img/prefect-fanout.png] [--models 3]

Starts the team's servers on this machine (testkit/scaleout.py: a `prefect server` with its UI,
an `mlflow server`, an OpenAI-compatible endpoint), a project deployed from its prefect.yaml, and
two process workers; runs `python -m flows.evaluate --fan-out ...`; then opens the parent flow
run's page in headless Chromium (Debian's `chromium`) and saves a PNG.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from testkit.browser import screenshot  # noqa: E402
from testkit.scaleout import BASELINES, Team, api_models, start_servers  # noqa: E402


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=REPO / "docs" / "img" / "prefect-fanout.png")
    ap.add_argument("--models", type=int, default=3)
    ap.add_argument("--size", default="1500,1100")
    a = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="vipbench-ui-") as tmp:
        servers = start_servers(Path(tmp) / "servers", latency=0.5, ui=True)
        team = Team(servers, Path(tmp) / "team")
        try:
            team.project({**api_models(servers.api.base_url, a.models), "majority": BASELINES["majority"]})
            team.start_worker("w1")
            team.start_worker("w2")
            out = team.evaluate()
            if out["returncode"] != 0:
                raise SystemExit(out["stderr"][-4000:])
            parent = next(r for r in team.flow_runs("evaluate"))
            url = f"{servers.prefect.ui}/runs/flow-run/{parent['id']}?tab=Subflow%20Runs"
            a.out.parent.mkdir(parents=True, exist_ok=True)
            screenshot(url, a.out, size=a.size, budget_ms=20000)
            print(a.out)
        finally:
            team.stop()
            servers.stop()


if __name__ == "__main__":
    main()
