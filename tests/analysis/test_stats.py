"""Bootstrap intervals and McNemar's test, checked against scipy computed independently."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import binomtest, chi2

from vipbench.analysis.stats import bootstrap_ci, bootstrap_macro_ci, mcnemar, rng_for


def test_bootstrap_reproducible_under_the_seed_and_not_across_seeds() -> None:
    x = np.random.default_rng(123).random(200) < 0.6
    a = bootstrap_ci(x, n_boot=1000, seed=5)
    assert a == bootstrap_ci(x, n_boot=1000, seed=5)
    assert a != bootstrap_ci(x, n_boot=1000, seed=6)
    lo, hi = a
    assert lo is not None and hi is not None
    assert lo < x.mean() < hi


def test_bootstrap_matches_the_normal_approximation_roughly() -> None:
    x = np.array([1.0] * 300 + [0.0] * 700)
    lo, hi = bootstrap_ci(x, n_boot=4000, seed=0)
    half = 1.96 * np.sqrt(0.3 * 0.7 / 1000)
    assert lo == pytest.approx(0.3 - half, abs=0.01)
    assert hi == pytest.approx(0.3 + half, abs=0.01)


def test_bootstrap_edge_cases() -> None:
    assert bootstrap_ci([], n_boot=100) == (None, None)
    assert bootstrap_ci([1, 0, 1], n_boot=0) == (None, None)
    assert bootstrap_ci([1, 1, 1], n_boot=100) == (1.0, 1.0)


def test_bootstrap_in_chunks_is_still_reproducible(monkeypatch: pytest.MonkeyPatch) -> None:
    import vipbench.analysis.stats as stats

    x = np.arange(50) % 3 == 0
    monkeypatch.setattr(stats, "_CHUNK_CELLS", 120)  # forces many small chunks
    a = bootstrap_ci(x, n_boot=200, seed=9)
    assert a == bootstrap_ci(x, n_boot=200, seed=9)
    assert a[0] is not None and a[0] < x.mean() < a[1]


def test_macro_bootstrap() -> None:
    groups = [np.ones(30), np.zeros(10), []]
    assert bootstrap_macro_ci(groups, n_boot=200, seed=1) == (0.5, 0.5)  # constant groups: no spread
    mixed = [np.arange(40) % 2 == 0, np.arange(20) % 4 == 0]
    lo, hi = bootstrap_macro_ci(mixed, n_boot=500, seed=1)
    assert lo is not None and hi is not None and lo < (0.5 + 0.25) / 2 < hi
    assert (lo, hi) == bootstrap_macro_ci(mixed, n_boot=500, seed=1)
    assert bootstrap_macro_ci([[], []]) == (None, None)


def test_rng_streams_depend_on_seed_and_label() -> None:
    def draw(seed: int, label: str) -> int:
        return int(rng_for(seed, label).integers(0, 10**9))

    assert draw(0, "sex") == draw(0, "sex")
    assert draw(0, "sex") != draw(0, "age")
    assert draw(0, "sex") != draw(1, "sex")


def _pairs(b01: int, b10: int, both: int = 5, neither: int = 3) -> tuple[list[bool], list[bool]]:
    a = [False] * b01 + [True] * b10 + [True] * both + [False] * neither
    b = [True] * b01 + [False] * b10 + [True] * both + [False] * neither
    return a, b


@pytest.mark.parametrize(("b01", "b10"), [(0, 3), (2, 7), (5, 5), (1, 12), (12, 12)])
def test_mcnemar_exact_matches_binomtest(b01: int, b10: int) -> None:
    a, b = _pairs(b01, b10)
    res = mcnemar(a, b)
    assert (res["b01"], res["b10"], res["method"]) == (b01, b10, "exact")
    expected = binomtest(b10, b01 + b10, 0.5).pvalue  # either count: the test is symmetric
    assert res["p_value"] == pytest.approx(expected)


def test_mcnemar_chi_square_with_continuity_correction() -> None:
    a, b = _pairs(30, 12)
    res = mcnemar(a, b)
    stat = (abs(30 - 12) - 1) ** 2 / 42
    assert res["method"] == "chi2_corrected"
    assert res["statistic"] == pytest.approx(stat)
    assert res["p_value"] == pytest.approx(chi2.sf(stat, 1))
    # at this size the exact and the corrected chi-square tests agree closely
    assert res["p_value"] == pytest.approx(binomtest(12, 42, 0.5).pvalue, abs=0.01)


def test_mcnemar_without_discordant_pairs() -> None:
    res = mcnemar([True, False], [True, False])
    assert (res["b01"], res["b10"], res["p_value"]) == (0, 0, 1.0)


def test_mcnemar_needs_pairs() -> None:
    with pytest.raises(ValueError):
        mcnemar([True], [True, False])
