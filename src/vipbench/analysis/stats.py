"""Uncertainty and paired tests for accuracies.

- `bootstrap_ci`: 95% percentile bootstrap interval of a mean of 0/1 outcomes. Items are
  resampled with replacement, `n_boot` times, with numpy's `default_rng`; the same seed
  gives the same interval. (Chosen over scipy.stats.bootstrap for a plain, explicit
  resampling loop that also serves the stratified macro average below.)
- `bootstrap_macro_ci`: the same for a mean of group means (macro accuracy); each group
  is resampled within itself, so every resample keeps every group's size.
- `mcnemar`: paired comparison of two classifiers on the same items: exact two-sided
  binomial test on the discordant pairs when there are few of them, otherwise the
  chi-square test with continuity correction (both via scipy).
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from typing import Any

import numpy as np

CONFIDENCE = 0.95
#: below this many discordant pairs McNemar uses the exact binomial test
EXACT_BELOW = 25


def rng_for(seed: int, *labels: str) -> np.random.Generator:
    """A generator determined by the seed and a label, independent of what else is computed.

    Each interval gets its own stream, so adding an attribute or a breakdown never changes
    another interval. Labels are hashed with CRC32 (stable across processes, unlike hash()).
    """
    return np.random.default_rng([seed, *(zlib.crc32(lab.encode()) for lab in labels)])


#: at most this many resampled values are held in memory at once
_CHUNK_CELLS = 2_000_000


def _resampled_means(x: np.ndarray, n_boot: int, rng: np.random.Generator) -> np.ndarray:
    """Means of n_boot resamples (with replacement) of x, drawn in memory-bounded chunks."""
    out = np.empty(n_boot)
    step = max(1, _CHUNK_CELLS // x.size)
    for start in range(0, n_boot, step):
        stop = min(n_boot, start + step)
        out[start:stop] = x[rng.integers(0, x.size, size=(stop - start, x.size))].mean(axis=1)
    return out


def _interval(samples: np.ndarray, confidence: float) -> tuple[float, float]:
    alpha = (1.0 - confidence) / 2.0
    lo, hi = np.quantile(samples, [alpha, 1.0 - alpha])
    return float(lo), float(hi)


def bootstrap_ci(
    values: Sequence[float] | np.ndarray,
    n_boot: int = 1000,
    seed: int | np.random.Generator = 0,
    confidence: float = CONFIDENCE,
) -> tuple[float | None, float | None]:
    """Percentile bootstrap interval of the mean; (None, None) for no values or n_boot < 1."""
    x = np.asarray(values, dtype=float)
    if x.size == 0 or n_boot < 1:
        return None, None
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    return _interval(_resampled_means(x, n_boot, rng), confidence)


def bootstrap_macro_ci(
    groups: Sequence[Sequence[float] | np.ndarray],
    n_boot: int = 1000,
    seed: int | np.random.Generator = 0,
    confidence: float = CONFIDENCE,
) -> tuple[float | None, float | None]:
    """Percentile bootstrap interval of the mean of group means (empty groups are left out)."""
    arrays = [np.asarray(g, dtype=float) for g in groups]
    arrays = [a for a in arrays if a.size]
    if not arrays or n_boot < 1:
        return None, None
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    means = np.zeros(n_boot)
    for a in arrays:
        means += _resampled_means(a, n_boot, rng)
    return _interval(means / len(arrays), confidence)


def mcnemar(a: Sequence[bool], b: Sequence[bool], exact_below: int = EXACT_BELOW) -> dict[str, Any]:
    """McNemar's test on paired outcomes (True = correct) of runs A and B over the same items.

    b01 counts items A got wrong and B right; b10 items A got right and B wrong.
    """
    if len(a) != len(b):
        raise ValueError(f"paired outcomes differ in length: {len(a)} vs {len(b)}")
    x, y = np.asarray(a, dtype=bool), np.asarray(b, dtype=bool)
    b01 = int(np.sum(~x & y))
    b10 = int(np.sum(x & ~y))
    n = b01 + b10
    if n == 0:
        return {"b01": 0, "b10": 0, "statistic": 0.0, "p_value": 1.0, "method": "exact"}
    if n < exact_below:
        from scipy.stats import binomtest

        p = binomtest(min(b01, b10), n, 0.5, alternative="two-sided").pvalue
        return {
            "b01": b01,
            "b10": b10,
            "statistic": float(min(b01, b10)),
            "p_value": float(p),
            "method": "exact",
        }
    from scipy.stats import chi2

    stat = (abs(b01 - b10) - 1.0) ** 2 / n
    return {
        "b01": b01,
        "b10": b10,
        "statistic": float(stat),
        "p_value": float(chi2.sf(stat, df=1)),
        "method": "chi2_corrected",
    }
