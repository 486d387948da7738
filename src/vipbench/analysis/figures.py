"""Report figures drawn with matplotlib (imported lazily, Agg backend): accuracy by model and
attribute, and accuracy against capability, for MLflow and the Markdown report.

Accuracies are fractions in [0, 1] in the inputs and percentages on the PNG axes. The data of the
DVC plots (`dvc plots show`) is written by `vipbench.analysis.plot_rows`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from vipbench.analysis.plots import figure
from vipbench.analysis.regression import Point


def _num(v: Any) -> float | None:
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return None
    return float(v) if math.isfinite(v) else None


def run_accuracy(run: Mapping[str, Any], attribute: str) -> tuple[float | None, float | None, float | None]:
    """(accuracy, CI low, CI high) of one attribute of a run; "overall" for the run's overall accuracy.

    Reads either shape the report stage has at hand:
    - a metrics/summary.json run: {"accuracy": a, "accuracy_ci": [lo, hi], "attributes": {attr: a},
      optionally "attributes_ci": {attr: [lo, hi]}};
    - a `run_metrics` result: {"overall": {...}, "attributes": {attr: {"accuracy": a,
      "accuracy_ci_low": lo, "accuracy_ci_high": hi}}}.
    """
    if attribute == "overall":
        v: Any = run.get("overall", run.get("accuracy"))
        band: Any = run.get("accuracy_ci")
    else:
        v = (run.get("attributes") or {}).get(attribute)
        band = (run.get("attributes_ci") or {}).get(attribute)
    if isinstance(v, Mapping):
        band = [v.get("accuracy_ci_low"), v.get("accuracy_ci_high")] if band is None else band
        v = v.get("accuracy")
    lo, hi = (band[0], band[1]) if isinstance(band, Sequence) and len(band) == 2 else (None, None)
    return _num(v), _num(lo), _num(hi)


# ---------------------------------------------------------------------------- PNG figures


def accuracy_by_model_png(
    runs: Mapping[str, Mapping[str, Any]],
    attributes: Sequence[str],
    path: str | Path,
    *,
    title: str = "Accuracy by attribute and model",
) -> Path:
    """Grouped bars: one group per attribute, one bar per model; error bars where CIs are known."""
    import matplotlib

    path = Path(path)
    models = list(runs)
    n_attr, n_models = max(1, len(attributes)), max(1, len(models))
    width = 0.8 / n_models
    fig, ax = figure((max(6.0, 1.5 + n_attr * (0.5 + 0.25 * n_models)), 4.5))
    cmap = matplotlib.colormaps["tab10" if n_models <= 10 else "tab20"]
    for i, model in enumerate(models):
        xs, heights, err_x, err_y, err_lo, err_hi = [], [], [], [], [], []
        for j, attr in enumerate(attributes):
            acc, lo, hi = run_accuracy(runs[model], attr)
            if acc is None:
                continue
            x = j - 0.4 + width * (i + 0.5)
            xs.append(x)
            heights.append(100 * acc)
            if lo is not None and hi is not None:
                err_x.append(x)
                err_y.append(100 * acc)
                err_lo.append(max(0.0, 100 * (acc - lo)))
                err_hi.append(max(0.0, 100 * (hi - acc)))
        ax.bar(xs, heights, width=width * 0.95, label=model, color=cmap(i % cmap.N))
        if err_x:
            ax.errorbar(err_x, err_y, yerr=[err_lo, err_hi], fmt="none", ecolor="black", elinewidth=0.8, capsize=2)
    ax.set_xticks(range(len(attributes)))
    ax.set_xticklabels(attributes, rotation=30, ha="right")
    ax.set_ylim(0, 100)
    ax.set_ylabel("accuracy (%)")
    ax.set_title(title)
    ax.grid(axis="y", alpha=0.3)
    if models:
        ax.legend(fontsize=7, ncol=1 + n_models // 8, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    return path


def accuracy_vs_capability_png(
    points: Iterable[Point],
    fit: Mapping[str, Any] | None,
    path: str | Path,
    *,
    xlabel: str | None = None,
    title: str = "Accuracy against general capability",
) -> Path:
    """Scatter of models with their labels, the fitted line, and the projection (star, with its CI)."""
    path = Path(path)
    pts = [(str(lbl), _num(c), _num(a)) for lbl, c, a in points]
    scored = [(lbl, c, a) for lbl, c, a in pts if c is not None and a is not None]
    unscored = [lbl for lbl, c, a in pts if c is None or a is None]
    fig, ax = figure((7.0, 5.0))
    if scored:
        ax.scatter([c for _, c, _ in scored], [100 * a for _, _, a in scored], zorder=3, color="tab:blue")
        for lbl, c, a in scored:
            ax.annotate(lbl, (c, 100 * a), textcoords="offset points", xytext=(4, 4), fontsize=7)

    ok = bool(fit) and fit.get("status") == "ok"  # type: ignore[union-attr]
    if ok:
        assert fit is not None
        xs = [p["capability"] for p in fit["points"]] or [c for _, c, _ in scored]
        proj = fit.get("projection")
        lo, hi = min(xs), max(xs)
        ax.plot(
            [lo, hi],
            [100 * (fit["intercept"] + fit["slope"] * v) for v in (lo, hi)],
            color="tab:red",
            label=_fit_label(fit),
        )
        if proj is not None:
            at = proj["at"]
            if at < lo or at > hi:  # the extrapolated part of the line, dashed
                end = hi if at > hi else lo
                ax.plot(
                    [end, at],
                    [100 * (fit["intercept"] + fit["slope"] * v) for v in (end, at)],
                    color="tab:red",
                    linestyle="--",
                )
            note = " (clipped)" if proj["clipped"] else ""
            ax.scatter(
                [at],
                [100 * proj["accuracy"]],
                marker="*",
                s=200,
                color="tab:orange",
                zorder=4,
                label=f"projected at {at:g}: {100 * proj['accuracy']:.1f}%{note}",
            )
            if proj.get("ci"):
                y = 100 * proj["accuracy"]
                ax.errorbar(
                    [at],
                    [y],
                    yerr=[[max(0.0, y - 100 * proj["ci"][0])], [max(0.0, 100 * proj["ci"][1] - y)]],
                    fmt="none",
                    ecolor="tab:orange",
                    capsize=4,
                )
        ax.legend(fontsize=8, loc="lower right")
    elif fit and fit.get("message"):
        ax.text(
            0.5,
            0.92,
            str(fit["message"]),
            transform=ax.transAxes,
            ha="center",
            va="top",
            fontsize=9,
            wrap=True,
            bbox={"boxstyle": "round", "facecolor": "lightyellow", "edgecolor": "gray"},
        )
    if unscored:
        ax.text(
            0.01,
            0.01,
            "no score: " + ", ".join(unscored),
            transform=ax.transAxes,
            fontsize=7,
            color="gray",
            va="bottom",
        )
    ax.set_xlabel(xlabel or (fit or {}).get("column") or "capability")
    ax.set_ylabel("accuracy (%)")
    ax.set_ylim(0, 100)
    ax.set_title(title)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    return path


def _fit_label(fit: Mapping[str, Any]) -> str:
    parts = [f"fit: {100 * fit['slope']:+.2f} accuracy points per {fit.get('column', 'capability')} point"]
    if fit.get("r2") is not None:
        parts.append(f"R²={fit['r2']:.2f}")
    if fit.get("pearson_r") is not None:
        parts.append(f"r={fit['pearson_r']:.2f}")
    if fit.get("spearman_rho") is not None:
        parts.append(f"ρ={fit['spearman_rho']:.2f}")
    return ", ".join(parts) + f" (n={fit['n']})"
