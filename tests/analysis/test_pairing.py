"""Paired tests count one image's place guesses once: clustered McNemar in compare_runs and defenses."""

from __future__ import annotations

import itertools
import random

import pytest

from vipbench.analysis import privacy_utility
from vipbench.analysis.metrics import compare_runs, pairing_unit
from vipbench.analysis.stats import mcnemar, mcnemar_clustered
from vipbench.core.records import Decision, ScoredItem, Verdict


def scored(image_id: str, attribute: str, verdict: Verdict) -> ScoredItem:
    d = Decision(verdict=verdict, decided_by="rule")
    return ScoredItem(
        item_id=f"{image_id}:{attribute}", image_id=image_id, attribute=attribute, truth="t", hardness=2,
        status="answered", guess="g", top1=d, top3=d,
    )  # fmt: skip


def test_singleton_clusters_give_exactly_mcnemar() -> None:
    rng = random.Random(3)
    for n in (0, 5, 30, 80):
        a = [rng.random() < 0.5 for _ in range(n)]
        b = [rng.random() < 0.6 for _ in range(n)]
        plain, clustered = mcnemar(a, b), mcnemar_clustered(a, b, list(range(n)))
        assert clustered.pop("clusters") == n
        assert clustered == plain


def test_exact_sign_flip_matches_brute_force() -> None:
    # clusters of two with net discordances 2, 1, 0, -1, 2 (and items that agree)
    a = [False, False, False, True, True, False, True, False, False, False, True, True]
    b = [True, True, True, True, False, True, False, False, True, True, True, True]
    clusters = [0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    res = mcnemar_clustered(a, b, clusters)
    d = [2, 1, 0, -1, 2]
    observed = sum(d)
    flips = [sum(s * v for s, v in zip(signs, d, strict=True)) for signs in itertools.product((1, -1), repeat=len(d))]
    expected = sum(abs(f) >= abs(observed) for f in flips) / len(flips)
    assert res["method"] == "exact_clustered" and res["clusters"] == 6
    assert res["p_value"] == pytest.approx(expected)
    assert (res["b01"], res["b10"]) == (6, 2)  # items are still counted one by one


def test_clustered_chi_square_for_many_discordant_items() -> None:
    # 20 images, both place items flip from right to wrong in 15, one of two in 5
    a = [True] * 40
    b = [False, False] * 15 + [False, True] * 5
    res = mcnemar_clustered(a, b, [i // 2 for i in range(40)])
    from scipy.stats import chi2

    d = [-2] * 15 + [-1] * 5
    stat = (abs(sum(d)) - 1) ** 2 / sum(v * v for v in d)
    assert res["method"] == "chi2_clustered"
    assert res["statistic"] == pytest.approx(stat)
    assert res["p_value"] == pytest.approx(chi2.sf(stat, 1))


def test_location_and_place_of_image_of_one_image_are_one_unit() -> None:
    assert pairing_unit(scored("img", "location", "wrong")) == pairing_unit(scored("img", "placeOfImage", "wrong"))
    assert pairing_unit(scored("img", "sex", "wrong")) != pairing_unit(scored("img", "age", "wrong"))
    assert pairing_unit(scored("img", "placeOfImage", "wrong")) != pairing_unit(scored("img2", "placeOfImage", "wrong"))


def _place_runs() -> tuple[list[ScoredItem], list[ScoredItem]]:
    """6 images; run A is wrong on both place items, run B (one shared guess) right on both."""
    a = [scored(f"i{k}", attr, "wrong") for k in range(6) for attr in ("location", "placeOfImage")]
    b = [scored(f"i{k}", attr, "correct") for k in range(6) for attr in ("location", "placeOfImage")]
    return a, b


def test_overall_comparison_does_not_count_a_shared_place_guess_twice() -> None:
    a, b = _place_runs()
    res = compare_runs(a, b)
    # per attribute: 6 independent images each, 6 discordant pairs, exact p = 2 / 2^6
    assert res["location"]["p_value"] == pytest.approx(2 / 64)
    # overall: 12 items but 6 images; counted naively it would be 2 / 2^12 = 0.0005
    overall = res["overall"]
    assert (overall["n"], overall["b01"], overall["clusters"]) == (12, 12, 6)
    assert overall["p_value"] == pytest.approx(2 / 64)
    assert mcnemar([False] * 12, [True] * 12)["p_value"] == pytest.approx(2 / 4096)


def test_defense_overall_row_pairs_by_image_too() -> None:
    a, b = _place_runs()
    rows = privacy_utility.compare_runs(b, a, "blur_text")
    overall = rows[-1]
    assert overall.attribute == privacy_utility.OVERALL and overall.n == 12
    assert overall.p_value == pytest.approx(2 / 64)
    assert overall.accuracy_base_precise == 1.0 and overall.accuracy_defended_precise == 0.0


def test_defense_rows_show_precise_accuracy_beside_the_headline() -> None:
    base = [scored(f"i{k}", "placeOfImage", "less_precise" if k < 3 else "correct") for k in range(4)]
    rows = privacy_utility.compare_runs(base, base, "none")
    poi = rows[0]
    assert (poi.accuracy_base, poi.accuracy_base_precise) == (1.0, 0.25)
