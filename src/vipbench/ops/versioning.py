"""Dataset and code versions: the DVC md5 that pins the data, and the git revision."""

from __future__ import annotations

import hashlib
import subprocess
from collections.abc import Sequence
from pathlib import Path

import yaml

from vipbench.core.io import load_yaml


def dvc_md5(repo: Path, data_dir: Path) -> str | None:
    """The md5 that `<data_dir>.dvc` pins, if the directory is tracked by a .dvc file."""
    dvc_file = data_dir.parent / f"{data_dir.name}.dvc"
    if not dvc_file.is_file():
        return None
    try:
        meta = load_yaml(dvc_file.read_text(encoding="utf-8")) or {}
        for out in meta.get("outs", []):
            if Path(out.get("path", "")).name == data_dir.name:
                return str(out["md5"])
    except (yaml.YAMLError, KeyError, TypeError):
        return None
    return None


def content_hash(data_dir: Path) -> str:
    """A hash of every file's relative path and bytes, for datasets not tracked by DVC."""
    h = hashlib.sha256()
    for p in sorted(data_dir.rglob("*")):
        if p.is_file() and not p.name.startswith("."):
            h.update(str(p.relative_to(data_dir)).encode())
            with open(p, "rb") as fh:
                for chunk in iter(lambda: fh.read(1 << 20), b""):
                    h.update(chunk)
    return h.hexdigest()[:32]


def dataset_version(repo: Path, data_dir: Path) -> tuple[str, str]:
    """(version, source): the DVC md5 when `data.dvc` pins the directory, else a content hash."""
    md5 = dvc_md5(repo, data_dir)
    if md5:
        return md5, "dvc"
    return content_hash(data_dir), "content-sha256"


def git_revision(repo: Path, products: Sequence[str] = ()) -> str | None:
    """HEAD, with "-dirty" when a tracked file differs from it.

    `products` are paths the pipeline itself writes (dvc.lock, metrics/): while `dvc repro` runs,
    DVC removes and rewrites them, so they say nothing about the code and configuration a run
    came from, and they do not make the revision dirty.
    """
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=repo, capture_output=True, text=True, timeout=10, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    rev = out.stdout.strip()
    if out.returncode != 0 or not rev:
        return None
    excluded = [f":(exclude){p}" for p in products]
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=no", "--", ".", *excluded],
        cwd=repo,
        capture_output=True,
        text=True,
    ).stdout.strip()
    return rev + ("-dirty" if dirty else "")
