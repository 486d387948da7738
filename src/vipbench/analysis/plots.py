"""PNG figures with matplotlib (offline-friendly; DVC's HTML plots need a CDN to render)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path


def _plt():  # type: ignore[no-untyped-def]
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def confusion_png(attribute: str, labels: Sequence[str], matrix: Sequence[Sequence[int]], path: Path) -> Path:
    plt = _plt()
    n = len(labels)
    fig, ax = plt.subplots(figsize=(1.2 + 0.7 * n, 1.0 + 0.6 * n))
    ax.imshow(matrix, cmap="Blues")
    ax.set_xticks(range(len(matrix[0]) if matrix else 0))
    cols = list(labels) + (["(none)"] if matrix and len(matrix[0]) > n else [])
    ax.set_xticklabels(cols, rotation=45, ha="right", fontsize=7)
    ax.set_yticks(range(n))
    ax.set_yticklabels(labels, fontsize=7)
    for i, row in enumerate(matrix):
        for j, v in enumerate(row):
            if v:
                ax.text(j, i, str(v), ha="center", va="center", fontsize=7)
    ax.set_xlabel("top-1 guess")
    ax.set_ylabel("truth")
    ax.set_title(f"{attribute}: confusion")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
