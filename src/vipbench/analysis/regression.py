"""Accuracy against general capability across models: a linear fit and what it projects.

`fit` takes one point per model, (label, capability score, accuracy), and returns a plain,
JSON-ready dict: the least-squares line (scikit-learn), Pearson's r and Spearman's rho with
p-values (scipy), bootstrap confidence intervals that resample models, and the accuracy the
line projects for a stronger model. With fewer than 3 scored models it returns
{"status": "insufficient", "message": ...} instead, so that callers can show the message.

Accuracy is a fraction in [0, 1]; the capability score is in the column's own unit (% for
MMMU). The projected accuracy is clipped to [0, 1] and says so when it was.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np

#: (model label, capability score or None, accuracy or None)
Point = tuple[str, float | None, float | None]

#: fewest models with a score for which a fit is reported
MIN_MODELS = 3


def _finite(v: Any) -> bool:
    return isinstance(v, (int, float, np.floating, np.integer)) and not isinstance(v, bool) and math.isfinite(v)


def _num(v: Any) -> float | None:
    """A plain float, or None for NaN/inf (JSON has no NaN)."""
    if v is None:
        return None
    f = float(v)
    return f if math.isfinite(f) else None


def _interval(values: np.ndarray, level: float) -> list[float] | None:
    if values.size == 0:
        return None
    tail = (1.0 - level) / 2.0
    lo, hi = np.quantile(values, [tail, 1.0 - tail])
    return [float(lo), float(hi)]


def fit(
    points: Iterable[Point],
    project_at: float | None = None,
    n_boot: int = 1000,
    seed: int = 0,
    *,
    column: str = "capability",
    ci: float = 0.95,
) -> dict[str, Any]:
    """Fit accuracy = intercept + slope * capability over models.

    Points without a capability score (or without an accuracy) are left out and listed under
    "missing". `n_boot` bootstrap resamples draw models with replacement; a resample whose
    models all share one capability value cannot define a slope and is skipped ("n_used"
    counts the ones kept). The same `seed` gives the same intervals.
    """
    pts = list(points)
    usable = [(str(lbl), float(x), float(y)) for lbl, x, y in pts if _finite(x) and _finite(y)]
    missing = [str(lbl) for lbl, x, y in pts if not (_finite(x) and _finite(y))]
    labels = [p[0] for p in usable]
    base: dict[str, Any] = {"column": column, "n": len(usable), "models": labels, "missing": missing}

    if len(usable) < MIN_MODELS:
        have = f"{len(usable)}: {', '.join(labels)}" if labels else "0"
        without = f" (left out: {', '.join(missing)})" if missing else ""
        return {
            "status": "insufficient",
            "message": f"need at least {MIN_MODELS} models with a {column} score, have {have}{without}",
            **base,
        }

    x = np.array([p[1] for p in usable])
    y = np.array([p[2] for p in usable])
    if np.ptp(x) == 0:
        return {
            "status": "insufficient",
            "message": (
                f"need at least 2 distinct {column} values to fit a line, but all {len(usable)} models "
                f"have {column} = {x[0]:g}"
            ),
            **base,
        }

    from scipy import stats
    from sklearn.linear_model import LinearRegression

    reg = LinearRegression().fit(x.reshape(-1, 1), y)
    slope = float(reg.coef_[0])
    intercept = float(reg.intercept_)
    constant_y = bool(np.ptp(y) == 0)
    # With every accuracy equal, R² and both correlations are undefined: report None, not 1 or NaN.
    r2 = None if constant_y else _num(reg.score(x.reshape(-1, 1), y))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pr = stats.pearsonr(x, y)
        sr = stats.spearmanr(x, y)
    corr = {
        "pearson_r": None if constant_y else _num(pr.statistic),
        "pearson_p": None if constant_y else _num(pr.pvalue),
        "spearman_rho": None if constant_y else _num(sr.statistic),
        "spearman_p": None if constant_y else _num(sr.pvalue),
    }

    slopes, intercepts = _bootstrap(x, y, n_boot, seed)
    boot: dict[str, Any] = {
        "n_boot": int(n_boot),
        "n_used": int(slopes.size),
        "level": ci,
        "seed": seed,
        "slope_ci": _interval(slopes, ci),
        "intercept_ci": _interval(intercepts, ci),
    }

    projection = None
    if project_at is not None:
        at = float(project_at)
        raw = intercept + slope * at
        clipped = min(1.0, max(0.0, raw))
        band = _interval(intercepts + slopes * at, ci)
        projection = {
            "at": at,
            "accuracy": clipped,
            "unclipped": raw,
            "clipped": clipped != raw,
            "ci": None if band is None else [min(1.0, max(0.0, b)) for b in band],
            # beyond the scored models' capability range the line is extrapolated
            "extrapolated": bool(at < x.min() or at > x.max()),
        }

    return {
        "status": "ok",
        **base,
        "slope": slope,
        "intercept": intercept,
        "r2": r2,
        **corr,
        "bootstrap": boot,
        "projection": projection,
        "points": [
            {"model": lbl, "capability": cx, "accuracy": cy, "fitted": intercept + slope * cx} for lbl, cx, cy in usable
        ],
    }


def _bootstrap(x: np.ndarray, y: np.ndarray, n_boot: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Least-squares slope and intercept of each resample of models; degenerate resamples dropped."""
    if n_boot <= 0:
        return np.empty(0), np.empty(0)
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, x.size, size=(n_boot, x.size))
    xb, yb = x[idx], y[idx]
    keep = np.ptp(xb, axis=1) > 0
    xb, yb = xb[keep], yb[keep]
    xm = xb.mean(axis=1, keepdims=True)
    ym = yb.mean(axis=1, keepdims=True)
    slopes = ((xb - xm) * (yb - ym)).sum(axis=1) / ((xb - xm) ** 2).sum(axis=1)
    intercepts = ym[:, 0] - slopes * xm[:, 0]
    return slopes, intercepts


def _accuracy(v: Any) -> float | None:
    """An accuracy given as a number or as a metrics dict with an "accuracy" key."""
    if isinstance(v, Mapping):
        v = v.get("accuracy")
    return float(v) if _finite(v) else None


def points_for(runs: Mapping[str, Mapping[str, Any]], column: str, attribute: str | None = None) -> list[Point]:
    """One point per run: (label, its `column` capability score, its overall or per-attribute accuracy).

    A run is {"capability": {column: value}, "accuracy": float, "attributes": {attr: float}} and may
    carry a display "label"; otherwise the run name labels it.
    """
    pts: list[Point] = []
    for run, r in runs.items():
        if r.get("failed"):  # a run whose inference failed has no accuracy, not a zero one
            continue
        cap = (r.get("capability") or {}).get(column)
        acc = r.get("accuracy") if attribute is None else (r.get("attributes") or {}).get(attribute)
        pts.append((str(r.get("label") or run), float(cap) if _finite(cap) else None, _accuracy(acc)))
    return pts


def fit_all(
    runs: Mapping[str, Mapping[str, Any]],
    column: str,
    project_at: float | None = None,
    n_boot: int = 1000,
    seed: int = 0,
    *,
    attributes: Sequence[str] | None = None,
    ci: float = 0.95,
) -> dict[str, Any]:
    """Fit overall accuracy and each attribute's accuracy against one capability column.

    `attributes` defaults to every attribute any run reports, in first-seen order.
    """
    if attributes is None:
        seen: dict[str, None] = {}
        for r in runs.values():
            seen.update(dict.fromkeys(r.get("attributes") or {}))
        attributes = list(seen)
    kw: dict[str, Any] = {"project_at": project_at, "n_boot": n_boot, "seed": seed, "column": column, "ci": ci}
    return {
        "column": column,
        "project_at": project_at,
        "overall": fit(points_for(runs, column), **kw),
        "attributes": {a: fit(points_for(runs, column, a), **kw) for a in attributes},
    }
