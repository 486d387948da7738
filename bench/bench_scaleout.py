"""Scale-out: the same evaluation through one Prefect worker and through several.

    python bench/bench_scaleout.py --workers 2 --models 4 [--latency 20] [--images 4]

Real processes on this machine (testkit/scaleout.py): a `prefect server`, an `mlflow server`,
OpenAI-compatible endpoints that answer after `--latency` seconds and count the requests they
have in flight, a bare git origin and a local DVC remote, deployments from the project's own
prefect.yaml, and process workers (`--limit 1` each) that clone the repository.

`--models` API models (one request at a time each, `max_concurrency: 1`), spread over
`--workers` endpoints, are evaluated twice, each time in a fresh project: through one worker
(sequential) and through `--workers` workers (parallel). Each child pays a fixed cost (a fresh
clone, `dvc pull`, Python start-up for each stage, `dvc push`), so the model's latency has to
dominate for the fan-out to pay: at the defaults a run spends 2 x images x latency seconds
waiting for answers.

Prints one JSON line and writes bench/results/scaleout.json:
- wall_sequential_s, wall_parallel_s, speedup: the parent flow's wall time, start to commit;
- identical: the gathered metrics/ of the parallel evaluation equal, byte for byte, what a plain
  `dvc repro` of the same revision in a fresh clone produces;
- max_in_flight, limit: the most requests any endpoint saw at once (over both evaluations), and
  the runs' max_concurrency;
- workers_used: which workers ran children in the parallel evaluation.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from testkit.openai_server import ServerProcess  # noqa: E402
from testkit.scaleout import Servers, Team, git_rev, metrics_files, one_machine, start_servers  # noqa: E402


def models(servers: Servers, n: int) -> dict[str, dict[str, Any]]:
    """`n` API models, one request at a time each, spread over the endpoints in turn."""
    return {
        f"api{i}": {
            "kind": "openai",
            "model": f"vlm-{i}",
            "base_url": servers.apis[(i - 1) % len(servers.apis)].base_url,
            "max_concurrency": 1,
        }
        for i in range(1, n + 1)
    }


def evaluate(
    servers: Servers, where: Path, n_models: int, n_workers: int, images: int
) -> tuple[Team, str, float, dict[str, Any]]:
    """A fresh project evaluated through `n_workers` workers: (team, evaluated revision, wall, result)."""
    team = Team(servers, where)
    team.project(models(servers, n_models), n_images=images)
    revision = git_rev(team.repo)
    for i in range(n_workers):
        team.start_worker(f"w{i + 1}")
    t0 = time.perf_counter()
    out = team.evaluate(timeout=3600)
    wall = time.perf_counter() - t0
    team.stop()
    if out["returncode"] != 0:
        raise SystemExit(f"the evaluation failed:\n{out['stderr'][-4000:]}")
    return team, revision, wall, out["result"]


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--models", type=int, default=4)
    ap.add_argument("--latency", type=float, default=20.0, help="seconds before each answer")
    ap.add_argument("--images", type=int, default=4, help="images in the dataset (2 items each)")
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory")
    a = ap.parse_args(argv)

    tmp = Path(tempfile.mkdtemp(prefix="vipbench-scaleout-"))
    servers = start_servers(tmp / "servers", latency=a.latency, endpoints=a.workers)
    try:
        _, _, wall_seq, _ = evaluate(servers, tmp / "sequential", a.models, 1, a.images)
        team, revision, wall_par, result = evaluate(servers, tmp / "parallel", a.models, a.workers, a.images)
        max_in_flight = max(api.stats()["max_in_flight"] for api in servers.apis)
        # the comparison run asks the same endpoints (same URLs, so the same specs), now without
        # the latency, which changes no answer, only how long a plain `dvc repro` waits for it
        for i, api in enumerate(servers.apis):
            port = int(api.base_url.rsplit(":", 1)[1].split("/")[0])
            api.close()
            servers.apis[i] = ServerProcess(latency=0.0, port=port)
        alone = one_machine(team, revision, tmp / "one-machine")
        gathered, expected = metrics_files(team.repo), metrics_files(alone)
        out = {
            "workers": a.workers,
            "models": a.models,
            "latency_s": a.latency,
            "items_per_model": 2 * a.images,
            "wall_sequential_s": round(wall_seq, 1),
            "wall_parallel_s": round(wall_par, 1),
            "speedup": round(wall_seq / wall_par, 2),
            "identical": gathered == expected,
            "max_in_flight": max_in_flight,
            "limit": 1,
            "workers_used": sorted({t.get("worker", "?") for t in result.get("timings", {}).values()}),
        }
    finally:
        servers.stop()
        if not a.keep:
            shutil.rmtree(tmp, ignore_errors=True)
    line = json.dumps(out)
    print(line)
    results = ROOT / "bench" / "results"
    results.mkdir(exist_ok=True)
    (results / "scaleout.json").write_text(json.dumps(out, indent=1) + "\n")


if __name__ == "__main__":
    main()
