"""What the Prefect flows cost on top of the pipeline they run.

    python bench/bench_flows.py [--repeats 3] [--images 12]

Two identical temporary repository copies (testkit/repo.py) with a local DVC remote and
three runs: `majority` and two `openai` models served by testkit/openai_server.py (in a
thread of this process, 20 ms latency).

- pipeline: in copy A, the exact DVC commands `evaluate` runs, typed directly:
  `dvc repro infer@<run> score@<run>` per run, then `dvc repro -s report`.
- flow: in copy B, `evaluate(repo=B)` in this process (Prefect's temporary local server),
  after a warm-up flow so that the server's start-up is not counted here.
- A warm-up pipeline run first; the order of the two alternates between repeats; medians.
- overhead = flow - pipeline. It includes the dataset versioning step (`version_dataset`:
  validation, `dvc status`, `dvc status -c`, `dvc push`, `git add`), reported separately.
- The same again with nothing to do (every stage up to date), where the overhead dominates.
- Prefect start-up: the first flow run of a fresh process, with a fresh PREFECT_HOME and with
  an existing one (separate processes).

Results are printed and written to bench/results/flows.json.
"""

from __future__ import annotations

import argparse
import atexit
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

HOME = tempfile.mkdtemp(prefix="bench-prefect-home-")
atexit.register(shutil.rmtree, HOME, True)  # runs after Prefect has stopped its server (LIFO)
os.environ["PREFECT_HOME"] = HOME
os.environ.pop("PREFECT_API_URL", None)

import flows  # noqa: E402,F401  (quiet defaults before Prefect)
from testkit.openai_server import FakeOpenAIServer, Request, guess_answer  # noqa: E402
from testkit.repo import make_repo, run  # noqa: E402
from testkit.vip import label, record, write_dataset  # noqa: E402

STARTUP_CODE = """
import time
t0 = time.perf_counter()
import flows
from prefect import flow
@flow
def noop() -> int:
    return 1
t1 = time.perf_counter()
noop()
t2 = time.perf_counter()
noop()
t3 = time.perf_counter()
print(round(t1 - t0, 2), round(t2 - t1, 2), round(t3 - t2, 2))
"""


def answer(req: Request) -> str:
    if "placeOfImage" in req.text:
        return guess_answer(["Zurich, Switzerland"], attribute="placeOfImage")
    return guess_answer(["Female", "Male"], attribute="sex")


def make(tmp: Path, name: str, n: int, base_url: str) -> Path:
    recs = [
        record(
            f"img{i}",
            {"sex": label("Female" if i % 3 else "Male"), "placeOfImage": label("Zurich, Switzerland")},
        )
        for i in range(n)
    ]
    common = {"kind": "openai", "base_url": base_url, "max_concurrency": 4, "timeout": 10}
    params = {
        "attributes": ["sex", "placeOfImage"],
        "models": {
            "majority": {"kind": "majority"},
            "api-a": {**common, "model": "a"},
            "api-b": {**common, "model": "b", "prompt": "naive"},
        },
        "scoring": {"bootstrap_samples": 200, "seed": 0, "reviews": "reviews/decisions.jsonl"},
        "defenses": {},
        "defense_eval": {"runs": [], "defenses": []},
    }
    (tmp / name).mkdir()
    root = make_repo(tmp / name, write_dataset(tmp / name / "ds", recs), params)
    run(["dvc", "remote", "add", "-d", "store", str(tmp / name / "remote")], root)
    run(["git", "commit", "-qam", "remote"], root)
    return root


def pipeline(root: Path, runs: list[str]) -> float:
    t0 = time.perf_counter()
    for r in runs:
        run(["dvc", "repro", f"infer@{r}", f"score@{r}"], root)
    run(["dvc", "repro", "-s", "report"], root)
    return time.perf_counter() - t0


def startup(fresh: bool) -> dict[str, float]:
    home = tempfile.mkdtemp(prefix="bench-prefect-startup-")
    env = {**os.environ, "PREFECT_HOME": home}
    if not fresh:  # create the database first
        subprocess.run(
            [sys.executable, "-c", STARTUP_CODE], env=env, cwd=ROOT, capture_output=True, check=True
        )
    p = subprocess.run(
        [sys.executable, "-c", STARTUP_CODE], env=env, cwd=ROOT, capture_output=True, text=True
    )
    shutil.rmtree(home, ignore_errors=True)
    imp, first, second = (float(x) for x in p.stdout.split())
    return {"import_s": imp, "first_flow_run_s": first, "next_flow_run_s": second}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--images", type=int, default=12)
    a = ap.parse_args()

    from prefect import flow

    from flows.evaluate import evaluate

    @flow
    def warm_up() -> None:
        return None

    t0 = time.perf_counter()
    warm_up()
    in_process_startup = time.perf_counter() - t0

    runs = ["majority", "api-a", "api-b"]
    rows: list[dict[str, Any]] = []
    with FakeOpenAIServer(answer=answer, latency=0.02) as srv, tempfile.TemporaryDirectory() as tmp:
        # warm-up: the first pipeline run on a machine pays for cold imports and caches
        (Path(tmp) / "warm").mkdir()
        pipeline(make(Path(tmp) / "warm", "w", a.images, srv.base_url), runs)
        for i in range(a.repeats):
            rep = Path(tmp) / f"rep{i}"
            rep.mkdir()
            a_root = make(rep, "a", a.images, srv.base_url)
            b_root = make(rep, "b", a.images, srv.base_url)

            def flow_once(b: Path = b_root) -> float:
                t0 = time.perf_counter()
                res = evaluate(repo=str(b), runs=runs)
                assert not res["failed"], res["failed"]
                return time.perf_counter() - t0

            # alternate which goes first, so that neither always meets a warmer machine
            if i % 2 == 0:
                pipe = pipeline(a_root, runs)
                flow_s = flow_once()
            else:
                flow_s = flow_once()
                pipe = pipeline(a_root, runs)

            pipe_noop = pipeline(a_root, runs)
            t0 = time.perf_counter()
            evaluate(repo=str(b_root), runs=runs)
            flow_noop = time.perf_counter() - t0

            # the versioning step alone, on unchanged data (what every evaluate pays before the runs)
            from flows.version_dataset import version_dataset

            t0 = time.perf_counter()
            version_dataset(repo=str(b_root))
            version_noop = time.perf_counter() - t0
            row = {
                "pipeline_s": round(pipe, 2),
                "flow_s": round(flow_s, 2),
                "overhead_s": round(flow_s - pipe, 2),
                "overhead_pct": round(100 * (flow_s - pipe) / pipe, 1),
                "noop_pipeline_s": round(pipe_noop, 2),
                "noop_flow_s": round(flow_noop, 2),
                "noop_overhead_s": round(flow_noop - pipe_noop, 2),
                "version_dataset_unchanged_s": round(version_noop, 2),
            }
            rows.append(row)
            print(json.dumps(row))

    def med(key: str) -> float:
        return round(statistics.median(r[key] for r in rows), 2)

    result = {
        "bench": "prefect_flows",
        "python": platform.python_version(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cpus",
        "setup": f"{a.images} images x 2 attributes, runs {runs} "
        "(openai runs on a local server, 20 ms latency)",
        "repeats": rows,
        "median": {
            k: med(k)
            for k in (
                "pipeline_s",
                "flow_s",
                "overhead_s",
                "overhead_pct",
                "noop_pipeline_s",
                "noop_flow_s",
                "noop_overhead_s",
                "version_dataset_unchanged_s",
            )
        },
        "prefect_startup": {
            "in_process_first_flow_run_s": round(in_process_startup, 2),
            "fresh_home": startup(fresh=True),
            "existing_home": startup(fresh=False),
        },
    }
    out = ROOT / "bench" / "results" / "flows.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result["median"], indent=1))
    print(json.dumps(result["prefect_startup"], indent=1))


if __name__ == "__main__":
    main()
