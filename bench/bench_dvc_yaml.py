"""What a pipeline command costs before it does any work: DVC's YAML parsing, and MLflow in a stage.

    python bench/bench_dvc_yaml.py [--repeat 5]

In a clone of this repository with the bundled results pulled from its DVC remote (nothing is
asked of a model), CPU seconds (user + sys of the child processes), the median of `--repeat`:

1. `dvc status` with ruamel.yaml's C parser (what `pip install vipbench` installs) against the
   same command with the pure-Python parser (the C parser hidden): the ratio is what the
   `ruamel.yaml.clib` dependency saves on every `dvc status` / `dvc repro`.
2. `vipbench score majority` (files only) against `vipbench track majority --force` (the run's
   MLflow record, in its own process) and `vipbench track --force` (every scored run, one
   process): what moving MLflow out of the score stage saves each stage, and what the report
   pays per run instead.
3. `dvc status` and a `dvc repro` with nothing to do, with each stage's code named by its folder
   of links (`deps/stages/<stage>`, as committed) against the same pipeline listing every file
   (dvc.yaml rewritten by `vipbench.ops.stage_deps.rewrite`, dvc.lock by `dvc commit -f`): what the
   folders save on every `dvc` command, and the size of dvc.lock both ways.

Written to bench/results/dvc_yaml.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: runs `dvc` with ruamel.yaml's C parser hidden, as if ruamel.yaml.clib were not installed
PURE_DVC = "import ruamel.yaml.main as m; m.CParser = None; from dvc.cli import main; raise SystemExit(main())"


def cpu_of(cmd: list[str], cwd: Path, env: dict[str, str]) -> float:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    p = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    if p.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{p.stdout}\n{p.stderr}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def median_cpu(cmd: list[str], cwd: Path, env: dict[str, str], repeat: int) -> float:
    return round(statistics.median(cpu_of(cmd, cwd, env) for _ in range(repeat)), 3)


def _status_and_noop(repo: Path, env: dict[str, str], repeat: int) -> dict[str, float]:
    subprocess.run(["dvc", "status", "-q"], cwd=repo, env=env, check=True)  # up to date, state db filled
    return {
        "dvc_status_cpu_s": median_cpu(["dvc", "status", "-q"], repo, env, repeat),
        "noop_repro_cpu_s": median_cpu(["dvc", "repro", "-q"], repo, env, repeat),
        "dvc_lock_bytes": (repo / "dvc.lock").stat().st_size,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--out", default=str(ROOT / "bench" / "results" / "dvc_yaml.json"))
    args = ap.parse_args()
    from vipbench.ops.quiet import quiet_defaults

    quiet_defaults()
    env = {**os.environ}
    bindir = str(Path(sys.executable).parent)
    env["PATH"] = bindir + os.pathsep + env.get("PATH", "")
    with tempfile.TemporaryDirectory() as tmp:
        repo = Path(tmp) / "repo"
        subprocess.run(["git", "clone", "-q", str(ROOT), str(repo)], check=True)
        subprocess.run(["dvc", "pull", "-q"], cwd=repo, env=env, check=True)
        subprocess.run(["dvc", "status", "-q"], cwd=repo, env=env, check=False)  # DVC's state db, once
        c_parser = median_cpu(["dvc", "status", "-q"], repo, env, args.repeat)
        pure = median_cpu([sys.executable, "-c", PURE_DVC, "status", "-q"], repo, env, args.repeat)
        cpu_of(["vipbench", "track"], repo, env)  # the MLflow store's tables, created once
        score = median_cpu(["vipbench", "score", "majority"], repo, env, args.repeat)
        track_one = median_cpu(["vipbench", "track", "majority", "--force"], repo, env, args.repeat)
        runs = len(json.loads(subprocess.run(
            ["dvc", "metrics", "show", "--json"], cwd=repo, env=env, capture_output=True, text=True, check=True
        ).stdout or "{}").get("", {}).get("data", {})) - 1  # minus metrics/summary.json
        track_all = median_cpu(["vipbench", "track", "--force"], repo, env, max(1, args.repeat // 2))
        folders = _status_and_noop(repo, env, args.repeat)
        from vipbench.ops.stage_deps import expected_deps, rewrite

        dvc_yaml = repo / "dvc.yaml"
        dvc_yaml.write_text(rewrite(dvc_yaml.read_text(encoding="utf-8"), expected_deps(repo)), encoding="utf-8")
        subprocess.run(["dvc", "commit", "-f", "-q"], cwd=repo, env=env, check=True)
        files = _status_and_noop(repo, env, args.repeat)
    result = {
        "dvc_status_cpu_s": {"c_parser": c_parser, "pure_python": pure, "ratio_pure_to_c": round(pure / c_parser, 2)},
        "score_cpu_s": score,
        "track_one_run_cpu_s": track_one,
        "track_all_runs_cpu_s": {"runs": runs, "cpu_s": track_all, "per_run_s": round(track_all / max(runs, 1), 3)},
        "stage_code": {
            "folders": folders,
            "every_file": files,
            "ratio_status_files_to_folders": round(files["dvc_status_cpu_s"] / folders["dvc_status_cpu_s"], 2),
            "ratio_noop_repro_files_to_folders": round(
                files["noop_repro_cpu_s"] / folders["noop_repro_cpu_s"], 2
            ),
        },
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
    }
    print(json.dumps(result, indent=1))
    Path(args.out).write_text(json.dumps(result, indent=1) + "\n")


if __name__ == "__main__":
    main()
