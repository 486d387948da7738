"""A small git+DVC repository that carries the project's live plot specs, for `dvc plots` tests.

It holds the repository's own dvc.yaml, params.yaml, .dvc/config and .dvc/plots/ (the templates
and the offline page), so a test or a screenshot exercises the specs users get, and plot files
chosen by the caller: the bundled ones, or generated ones (tests/support/plot_runs.py).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from testkit.repo import REPO, run

#: what `dvc plots show` needs from the repository, besides the plot files
SPEC_FILES = ("dvc.yaml", "params.yaml", ".dvc/config", ".dvc/.gitignore", ".dvc/plots")


def write_plots(root: Path, files: Mapping[str, list[dict[str, Any]]]) -> None:
    """Write plot files under root/plots/, in the report stage's JSON layout."""
    (root / "plots").mkdir(exist_ok=True)
    for name, rows in files.items():
        (root / "plots" / name).write_text(json.dumps(rows, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def make(root: Path, files: Mapping[str, list[dict[str, Any]]] | None = None, source: Path = REPO) -> Path:
    """A committed repository at `root` with `source`'s plot specs and `files` (default: source's plots/)."""
    root.mkdir(parents=True)
    for name in SPEC_FILES:
        src, dst = source / name, root / name
        dst.parent.mkdir(parents=True, exist_ok=True)
        if src.is_dir():
            shutil.copytree(src, dst)
        else:
            shutil.copy2(src, dst)
    if files is None:
        shutil.copytree(source / "plots", root / "plots")
    else:
        write_plots(root, files)
    run(["git", "init", "-q", "-b", "main"], root)
    commit(root, "plots")
    return root


def commit(root: Path, message: str) -> None:
    run(["git", "add", "-A"], root)
    run(["git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", message], root)


def show(root: Path, *args: str) -> Path:
    """`dvc plots show` (or `dvc plots diff REV...` when args are given) into root/out; the page."""
    cmd = ["dvc", "plots", "diff", *args] if args else ["dvc", "plots", "show"]
    run([*cmd, "-o", "out"], root)
    return root / "out" / "index.html"


def read(root: Path, name: str) -> list[dict[str, Any]]:
    """The rows of plots/<name> in the working copy."""
    return json.loads((root / "plots" / name).read_text(encoding="utf-8"))


def move_one_run(root: Path, by: float = 0.25) -> str:
    """Change one run's overall accuracy in the working copy (not committed); return the run's name."""
    path = root / "plots" / "accuracy_by_model.json"
    rows = json.loads(path.read_text(encoding="utf-8"))
    row = next(r for r in rows if r.get("attribute") == "overall" and r.get("accuracy") is not None)
    row["accuracy"] = round(min(1.0, row["accuracy"] + by) if row["accuracy"] < 0.5 else row["accuracy"] - by, 6)
    for bound in ("ci_low", "ci_high"):
        row[bound] = None
    path.write_text(json.dumps(rows, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return str(row["run"])
