"""Uncertainty and paired tests for accuracies.

- `bootstrap_ci`: 95% percentile bootstrap interval of a mean of 0/1 outcomes. Items are
  resampled with replacement, `n_boot` times, with numpy's `default_rng`; the same seed
  gives the same interval. (Chosen over scipy.stats.bootstrap for a plain, explicit
  resampling loop that also serves the stratified macro average below.)
- `bootstrap_macro_ci`: the same for a mean of group means (macro accuracy); each group
  is resampled within itself, so every resample keeps every group's size.
- `mcnemar`: paired comparison of two classifiers on the same items: exact two-sided
  binomial test on the discordant pairs when there are few of them, otherwise the
  chi-square test with continuity correction (both via scipy.special's distribution functions:
  `scipy.stats` takes ~1 s to import, which every report with a defense paid for two numbers).
- `mcnemar_clustered`: the same when some pairs come in clusters whose outcomes are not
  independent (one image's location and placeOfImage items share their evidence, and an offline
  adversary gives both the same guess). Each cluster's net discordance counts once: an exact
  sign-flip test when few items are discordant, else the clustered chi-square of Durkalski et al.
  (2003). With every cluster of one item it is exactly `mcnemar`.
"""

from __future__ import annotations

import zlib
from collections import defaultdict
from collections.abc import Hashable, Sequence
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
        return {
            "b01": b01,
            "b10": b10,
            "statistic": float(min(b01, b10)),
            "p_value": _binomial_two_sided(min(b01, b10), n),
            "method": "exact",
        }
    stat = (abs(b01 - b10) - 1.0) ** 2 / n
    return {
        "b01": b01,
        "b10": b10,
        "statistic": float(stat),
        "p_value": _chi2_1df_sf(stat),
        "method": "chi2_corrected",
    }


def mcnemar_clustered(
    a: Sequence[bool], b: Sequence[bool], clusters: Sequence[Hashable], exact_below: int = EXACT_BELOW
) -> dict[str, Any]:
    """McNemar's test on paired outcomes that come in clusters (`clusters[i]` names item i's cluster).

    Per cluster k, d_k = (items A got wrong and B right) - (items A got right and B wrong). Under
    the null hypothesis A and B are exchangeable within a cluster, so each d_k is as likely as -d_k
    and D = sum(d_k) has the sign-flip distribution. When fewer than `exact_below` items are
    discordant the two-sided p-value P(|D*| >= |D|) is exact (by convolution); otherwise it is the
    chi-square X^2 = (|D| - 1)^2 / sum(d_k^2) with 1 df (Durkalski et al. 2003, Stat Med 22:1417,
    with McNemar's continuity correction). b01 and b10 still count items; `clusters` is the number
    of clusters. With no cluster of more than one item this returns what `mcnemar` returns.
    """
    if not len(a) == len(b) == len(clusters):
        raise ValueError(f"paired outcomes and clusters differ in length: {len(a)}, {len(b)}, {len(clusters)}")
    sizes: dict[Hashable, int] = defaultdict(int)
    net: dict[Hashable, int] = defaultdict(int)
    for x, y, k in zip(a, b, clusters, strict=True):
        sizes[k] += 1
        net[k] += int(bool(y) and not x) - int(bool(x) and not y)
    if all(size == 1 for size in sizes.values()):
        return {**mcnemar(a, b, exact_below), "clusters": len(sizes)}
    x_, y_ = np.asarray(a, dtype=bool), np.asarray(b, dtype=bool)
    b01, b10 = int(np.sum(~x_ & y_)), int(np.sum(x_ & ~y_))
    d = [v for v in net.values() if v]
    total = sum(d)
    base = {"b01": b01, "b10": b10, "clusters": len(sizes)}
    if not d:
        return {**base, "statistic": 0.0, "p_value": 1.0, "method": "exact_clustered"}
    if b01 + b10 < exact_below:
        return {**base, "statistic": float(abs(total)), "p_value": _sign_flip_p(d, total), "method": "exact_clustered"}
    stat = (abs(total) - 1.0) ** 2 / sum(v * v for v in d)
    return {**base, "statistic": float(stat), "p_value": _chi2_1df_sf(stat), "method": "chi2_clustered"}


def _binomial_two_sided(k: int, n: int) -> float:
    """Exact two-sided p-value of `k` (the smaller count) successes in `n` fair trials: the
    distribution is symmetric, so it is twice the lower tail P(X <= k), at most 1."""
    from scipy.special import bdtr

    return min(1.0, 2.0 * float(bdtr(k, n, 0.5)))


def _chi2_1df_sf(stat: float) -> float:
    """P(X >= stat) for a chi-square variable with one degree of freedom."""
    from scipy.special import chdtrc

    return float(chdtrc(1, stat))


def _sign_flip_p(d: Sequence[int], observed: int) -> float:
    """P(|sum of +-d_k with independent fair signs| >= |observed|), counted exactly."""
    counts: dict[int, int] = {0: 1}
    for v in d:
        nxt: dict[int, int] = defaultdict(int)
        for s, c in counts.items():
            nxt[s + v] += c
            nxt[s - v] += c
        counts = nxt
    extreme = sum(c for s, c in counts.items() if abs(s) >= abs(observed))
    return min(1.0, extreme / 2 ** len(d))
