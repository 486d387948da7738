"""A temporary copy of the vipbench repository for end-to-end tests of the real DVC pipeline."""

from __future__ import annotations

import atexit
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import yaml

from vipbench.ops.quiet import command_env

REPO = Path(__file__).resolve().parents[1]
COPIED = ("dvc.yaml", "params.yaml", "src", "deps", "reviews", "flows", "prefect.yaml", "automations")


def env() -> dict[str, str]:
    e = command_env()
    e.pop("MLFLOW_TRACKING_URI", None)
    return e


def run(cmd: list[str], cwd: Path, check: bool = True, **kw: Any) -> subprocess.CompletedProcess[str]:
    p = subprocess.run(cmd, cwd=cwd, env=kw.pop("env", None) or env(), capture_output=True, text=True, **kw)
    if check and p.returncode != 0:
        raise AssertionError(f"{' '.join(cmd)} failed ({p.returncode}):\n{p.stdout}\n{p.stderr}")
    return p


#: per process: an empty git + DVC repository (configured as make_repo's copies are), made once
_SKELETON: Path | None = None


def _skeleton() -> Path:
    """git init, dvc init, `dvc config` and an empty MLflow store once per process; make_repo
    copies the result.

    Those four commands cost a few seconds of DVC start-up each, the same for every copy, and
    nothing in their output depends on the repository's path.
    """
    global _SKELETON
    if _SKELETON is None or not (_SKELETON / ".dvc" / "config").is_file():
        root = Path(tempfile.mkdtemp(prefix="vipbench-repo-skeleton-"))
        atexit.register(shutil.rmtree, root, True)
        run(["git", "init", "-q"], root)
        run(["git", "config", "user.email", "test@example.invalid"], root)
        run(["git", "config", "user.name", "test"], root)
        run(["dvc", "init", "-q"], root)
        shutil.copy2(REPO / ".dvcignore", root / ".dvcignore")  # bytecode caches are not code
        # the plot templates dvc.yaml names, and the offline page, as a clone has them
        shutil.copytree(REPO / ".dvc" / "plots", root / ".dvc" / "plots", dirs_exist_ok=True)
        run(["dvc", "config", "plots.html_template", "plots/offline.html"], root)
        run(["dvc", "config", "core.analytics", "false"], root)
        shutil.rmtree(root / ".dvc" / "tmp", ignore_errors=True)  # DVC's per-repository state
        _mlflow_store(root / "mlflow.db")
        _SKELETON = root
    return _SKELETON


def _mlflow_store(db: Path) -> None:
    """An empty MLflow store, its tables made by MLflow itself (alembic's ~60 migrations: about
    1.5 s of CPU that every new repository's first `vipbench report` would pay again). A fresh
    clone still starts without one, so its creation inside the pipeline stays tested."""
    from mlflow.tracking import MlflowClient

    from vipbench.ops.quiet import quiet_defaults

    quiet_defaults()
    MlflowClient(tracking_uri=f"sqlite:///{db}").search_experiments()


def make_repo(tmp: Path, dataset: Path, params: dict[str, Any] | None = None) -> Path:
    """Copy the pipeline files into `tmp/repo`, put `dataset` in data/, and track it with DVC.

    The repository starts as a copy of a per-process skeleton (git init, dvc init, the plot
    templates, `dvc config`, an empty MLflow store), so only `dvc add data` runs DVC here.
    """
    root = tmp / "repo"
    shutil.copytree(_skeleton(), root, symlinks=True)
    for name in COPIED:
        src = REPO / name
        if src.is_dir():
            # deps/ holds links into src/ (each model kind's code, see dvc.yaml): copied as links
            shutil.copytree(
                src, root / name, symlinks=True, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info")
            )
        elif src.exists():
            shutil.copy2(src, root / name)
    shutil.copytree(dataset, root / "data")
    p = yaml.safe_load((root / "params.yaml").read_text())
    for key, value in (params or {}).items():
        p[key] = value
    (root / "params.yaml").write_text(yaml.safe_dump(p, sort_keys=False))
    run(["dvc", "add", "-q", "data"], root)
    (root / ".gitignore").write_text("/build/\n/mlflow.db\n/mlruns/\n/.vipbench/\n/data\n")
    run(["git", "add", "-A"], root)
    run(["git", "commit", "-qm", "init"], root)
    return root


#: the scored attributes of `flow_repo`'s small dataset
FLOW_ATTRIBUTES = ["sex", "placeOfImage"]


def small_dataset(root: Path, n: int = 6) -> Path:
    """`n` labelled images, two scored attributes each."""
    from testkit.vip import label, record, write_dataset

    recs = [
        record(
            f"img{i}",
            {"sex": label("Female" if i % 3 else "Male"), "placeOfImage": label("Zurich, Switzerland")},
        )
        for i in range(n)
    ]
    return write_dataset(root, recs)


def flow_repo(tmp: Path, models: dict[str, Any] | None = None, remote: bool = True, n: int = 6) -> Path:
    """A temporary repository copy with a small dataset and, optionally, a local DVC remote."""
    params = {
        "attributes": FLOW_ATTRIBUTES,
        "models": models or {"majority": {"kind": "majority"}},
        "scoring": {"bootstrap_samples": 100, "seed": 0, "reviews": "reviews/decisions.jsonl"},
        "defenses": {},
        "defense_eval": {"runs": [], "defenses": []},
    }
    root = make_repo(tmp, small_dataset(tmp / "ds", n), params)
    if remote:
        run(["dvc", "remote", "add", "-d", "store", str(tmp / "remote")], root)
        run(["git", "commit", "-qam", "remote"], root)
    return root
