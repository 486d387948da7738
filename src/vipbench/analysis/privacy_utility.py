"""Privacy against utility: how much inferable information a defense removes, and at what cost.

Pure functions over scored items. For each defense and attribute (and "overall", every item
with equal weight), compare the defended run with the undefended run of the same model on the
same items:
- accuracy before and after, and the drop (before - after; positive = the defense helped);
- McNemar's test on the paired per-item outcomes (vipbench.analysis.stats.mcnemar), so a drop can be
  told from noise; in the OVERALL row one image's location and placeOfImage items are one cluster
  (vipbench.analysis.metrics.pairing_unit, stats.mcnemar_clustered): they share their evidence;
- the precise accuracies before and after (less precise counted wrong), beside the headline ones;
- the utility the defense keeps, mean SSIM and PSNR of defended against original images
  (computed by the defend stage, vipbench.defenses.similarity).

An item is "correct" when its top-1 verdict is correct, and by default also when it is less
precise (the study's headline accuracy); `strict=True` counts only correct. Items are paired by
item_id; items missing from either run are left out and counted in `n_unpaired`.

`plot_privacy_utility` draws one point per defense: x = SSIM kept, y = accuracy drop.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from vipbench.core.records import ScoredItem

OVERALL = "overall"


class DefenseEffect(BaseModel):
    """One defense on one attribute (or OVERALL) against the undefended run."""

    defense: str
    attribute: str
    n: int
    n_unpaired: int = 0
    accuracy_base: float
    accuracy_defended: float
    #: accuracy_base - accuracy_defended; positive when the defense removed information
    drop: float
    b01: int
    b10: int
    statistic: float
    p_value: float
    method: str
    ssim: float | None = None
    psnr: float | None = None
    #: the accuracies with less precise counted wrong
    accuracy_base_precise: float | None = None
    accuracy_defended_precise: float | None = None
    #: the drop in precise accuracy: a headline drop without one only removed "same country"
    #: guesses, and the defense gets no credit for it
    drop_precise: float | None = None


def is_correct(item: ScoredItem, strict: bool = False) -> bool:
    """Top-1 correct; less precise counts too unless `strict` (the study's headline counts it)."""
    v = item.top1.verdict
    return v == "correct" or (not strict and v == "less_precise")


def _by_id(items: Iterable[ScoredItem]) -> dict[str, ScoredItem]:
    out: dict[str, ScoredItem] = {}
    for it in items:
        if it.item_id in out:
            raise ValueError(f"item {it.item_id!r} is scored twice in one run")
        out[it.item_id] = it
    return out


def compare_runs(
    base: Sequence[ScoredItem],
    defended: Sequence[ScoredItem],
    defense: str,
    strict: bool = False,
    utility: Mapping[str, float] | None = None,
) -> list[DefenseEffect]:
    """Per-attribute rows (sorted by attribute) then the OVERALL row for one defended run."""
    from vipbench.analysis.metrics import pairing_unit
    from vipbench.analysis.stats import mcnemar_clustered

    a, b = _by_id(base), _by_id(defended)
    common = [k for k in a if k in b]
    unpaired = len(set(a) ^ set(b))
    groups: dict[str, list[str]] = {}
    for k in common:
        groups.setdefault(a[k].attribute, []).append(k)
    u = dict(utility or {})
    rows: list[DefenseEffect] = []
    for attribute, ids in [*sorted(groups.items()), (OVERALL, common)]:
        xa = [is_correct(a[k], strict) for k in ids]
        xb = [is_correct(b[k], strict) for k in ids]
        n = len(ids)
        acc_a = sum(xa) / n if n else 0.0
        acc_b = sum(xb) / n if n else 0.0
        test = mcnemar_clustered(xa, xb, [pairing_unit(a[k]) for k in ids])
        precise_a = sum(is_correct(a[k], strict=True) for k in ids) / n if n else None
        precise_b = sum(is_correct(b[k], strict=True) for k in ids) / n if n else None
        rows.append(
            DefenseEffect(
                defense=defense,
                attribute=attribute,
                n=n,
                n_unpaired=unpaired if attribute == OVERALL else 0,
                accuracy_base=acc_a,
                accuracy_defended=acc_b,
                drop=acc_a - acc_b,
                b01=int(test["b01"]),
                b10=int(test["b10"]),
                statistic=float(test["statistic"]),
                p_value=float(test["p_value"]),
                method=str(test["method"]),
                ssim=u.get("ssim"),
                psnr=u.get("psnr"),
                accuracy_base_precise=precise_a,
                accuracy_defended_precise=precise_b,
                drop_precise=None if precise_a is None or precise_b is None else precise_a - precise_b,
            )
        )
    return rows


def privacy_utility_table(
    base: Sequence[ScoredItem],
    defended: Mapping[str, Sequence[ScoredItem]],
    utility: Mapping[str, Mapping[str, float]] | None = None,
    strict: bool = False,
) -> list[DefenseEffect]:
    """Rows for every defense (in the mapping's order), each per attribute and overall.

    `defended` maps a defense name to the scored items of the same model run on defended
    images; `utility` maps a defense name to {"ssim": ..., "psnr": ...} (see mean_utility).
    """
    util = utility or {}
    rows: list[DefenseEffect] = []
    for name, items in defended.items():
        rows += compare_runs(base, items, name, strict=strict, utility=util.get(name))
    return rows


def as_records(rows: Iterable[DefenseEffect]) -> list[dict[str, Any]]:
    """Plain dicts, for JSON files and tables."""
    return [r.model_dump(mode="json") for r in rows]


def plot_privacy_utility(
    rows: Iterable[DefenseEffect],
    path: Path,
    attribute: str = OVERALL,
    title: str | None = None,
    alpha: float = 0.05,
) -> Path:
    """A PNG with one labelled point per defense: x = SSIM kept, y = accuracy drop (points).

    Filled markers are drops with McNemar p < `alpha`; hollow ones are not significant.
    Defenses without a utility value are left out.
    """
    from vipbench.analysis.plots import figure

    pts = [r for r in rows if r.attribute == attribute and r.ssim is not None and not math.isnan(r.ssim)]
    fig, ax = figure((6.4, 4.6), dpi=120)
    for r in pts:
        y = r.drop * 100.0
        significant = r.p_value < alpha
        ax.scatter(
            [r.ssim],
            [y],
            s=60,
            facecolors="tab:red" if significant else "none",
            edgecolors="tab:red",
            zorder=3,
        )
        ax.annotate(r.defense, (r.ssim, y), textcoords="offset points", xytext=(6, 5), fontsize=9)
    ax.axhline(0.0, color="grey", linewidth=0.8, linestyle="--")
    ax.set_xlabel("utility kept (mean SSIM against the original)")
    ax.set_ylabel(f"accuracy drop, {attribute} (percentage points)")
    ax.set_xlim(min([0.0, *[r.ssim for r in pts if r.ssim is not None]]) - 0.02, 1.05)
    ax.set_title(title or "Privacy against utility: each defense")
    ax.grid(True, alpha=0.3)
    ax.text(
        0.01,
        0.01,
        f"filled: McNemar p < {alpha:g}; better defenses sit top right",
        transform=ax.transAxes,
        fontsize=8,
        color="dimgrey",
    )
    fig.tight_layout()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, format="png")
    return path
