"""vipbench.analysis.privacy_utility: accuracy drop per defense and attribute, McNemar, and the plot."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from PIL import Image

from vipbench.analysis.privacy_utility import (
    OVERALL,
    as_records,
    compare_runs,
    is_correct,
    plot_privacy_utility,
    privacy_utility_table,
)
from vipbench.core.records import Decision, ScoredItem, Verdict
from vipbench.defenses.similarity import mean_utility


def scored(item_id: str, attribute: str, verdict: Verdict) -> ScoredItem:
    d = Decision(verdict=verdict, decided_by="rule")
    return ScoredItem(
        item_id=item_id,
        image_id=item_id.split(":")[0],
        attribute=attribute,
        truth="t",
        hardness=2,
        status="answered",
        top1=d,
        top3=d,
    )


def runs() -> tuple[list[ScoredItem], dict[str, list[ScoredItem]]]:
    """Base: 30 place items all correct, 10 sex items half correct.
    blur_text: 25 of the 30 place items become wrong; sex unchanged. jpeg: nothing changes."""
    base = [scored(f"i{k}:placeOfImage", "placeOfImage", "correct") for k in range(30)]
    base += [scored(f"i{k}:sex", "sex", "correct" if k % 2 else "wrong") for k in range(10)]
    blurred = [
        scored(f"i{k}:placeOfImage", "placeOfImage", "wrong" if k < 25 else "correct") for k in range(30)
    ]
    blurred += [scored(f"i{k}:sex", "sex", "correct" if k % 2 else "wrong") for k in range(10)]
    return base, {"blur_text": blurred, "jpeg": list(base)}


def test_drop_and_mcnemar_per_attribute_and_overall() -> None:
    base, defended = runs()
    rows = privacy_utility_table(base, defended, {"blur_text": {"ssim": 0.9, "psnr": 30.0}})
    by = {(r.defense, r.attribute): r for r in rows}
    poi = by[("blur_text", "placeOfImage")]
    assert (poi.n, poi.accuracy_base, poi.drop) == (30, 1.0, pytest.approx(25 / 30))
    assert (poi.b10, poi.b01) == (25, 0)
    assert poi.p_value < 0.001
    assert poi.ssim == 0.9 and poi.psnr == 30.0
    sex = by[("blur_text", "sex")]
    assert sex.drop == 0.0 and sex.p_value == 1.0
    overall = by[("blur_text", OVERALL)]
    assert overall.n == 40 and overall.drop == pytest.approx(25 / 40)
    same = by[("jpeg", OVERALL)]
    assert same.drop == 0.0 and same.p_value == 1.0 and same.ssim is None
    # Attributes sorted, overall last, defenses in the given order.
    assert [r.attribute for r in rows[:3]] == ["placeOfImage", "sex", OVERALL]
    assert [r.defense for r in rows] == ["blur_text"] * 3 + ["jpeg"] * 3


def test_less_precise_counts_unless_strict() -> None:
    lp = scored("a:location", "location", "less_precise")
    assert is_correct(lp) and not is_correct(lp, strict=True)
    base = [scored(f"{k}:location", "location", "less_precise") for k in range(8)]
    defended = [scored(f"{k}:location", "location", "wrong") for k in range(8)]
    assert compare_runs(base, defended, "d")[-1].drop == 1.0
    assert compare_runs(base, defended, "d", strict=True)[-1].drop == 0.0


def test_unpaired_items_are_left_out_and_counted() -> None:
    base = [scored(f"{k}:age", "age", "correct") for k in range(5)]
    defended = [scored(f"{k}:age", "age", "correct") for k in range(1, 7)]
    overall = compare_runs(base, defended, "d")[-1]
    assert overall.n == 4 and overall.n_unpaired == 3


def test_duplicate_items_are_refused() -> None:
    one = scored("x:age", "age", "correct")
    with pytest.raises(ValueError, match="twice"):
        compare_runs([one, one], [one], "d")


def test_records() -> None:
    base, defended = runs()
    rows = privacy_utility_table(base, defended, {"blur_text": {"ssim": 0.9, "psnr": 30.0}})
    recs = as_records(rows)
    assert recs[0]["defense"] == "blur_text" and isinstance(recs[0]["p_value"], float)


def test_mean_utility_over_image_pairs(tmp_path: Path) -> None:
    a = tmp_path / "a.png"
    b = tmp_path / "b.png"
    Image.new("RGB", (64, 48), (120, 80, 40)).save(a)
    Image.effect_noise((64, 48), 40).convert("RGB").save(b)
    u = mean_utility([(a, a), (a, b)])
    assert u["n_images"] == 2.0
    assert u["ssim"] < 1.0 and u["psnr"] < 100.0
    assert math.isnan(mean_utility([])["ssim"])


def test_plot_writes_a_png(tmp_path: Path) -> None:
    base, defended = runs()
    rows = privacy_utility_table(
        base, defended, {"blur_text": {"ssim": 0.93, "psnr": 31.0}, "jpeg": {"ssim": 0.88, "psnr": 29.0}}
    )
    out = plot_privacy_utility(rows, tmp_path / "plots" / "privacy_utility.png", title="ocr adversary")
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with Image.open(out) as im:
        assert im.width > 300 and im.height > 200
