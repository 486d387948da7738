"""PNG figures with matplotlib (offline-friendly; DVC's HTML plots need a CDN to render)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any


def figure(figsize: tuple[float, float], dpi: float | None = None) -> tuple[Any, Any]:
    """A new matplotlib figure and its one axes, drawn by Agg.

    Made without pyplot, which keeps global state (open figures to close) and takes longer to
    import than the figure itself: a report process draws a few figures and exits.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=figsize, dpi=dpi)
    FigureCanvasAgg(fig)
    return fig, fig.add_subplot()


def confusion_png(attribute: str, labels: Sequence[str], matrix: Sequence[Sequence[int]], path: Path) -> Path:
    n = len(labels)
    fig, ax = figure((1.2 + 0.7 * n, 1.0 + 0.6 * n))
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
    return path
