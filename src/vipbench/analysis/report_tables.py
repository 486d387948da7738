"""Markdown tables of report.md, from run metrics (`metrics.run_metrics`) and the run summary.

Every accuracy is shown as the study's headline (less precise counted as correct) beside the
precise accuracy (less precise counted wrong): on photos from one country the headline rewards
"same country" guesses that a careful reader would not call a hit. Pure functions: each returns
the lines of one table, with its note.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from vipbench.core.attributes import DISTANCE_THRESHOLDS_KM, within_key

#: a hardness cell with fewer items than this is shown in italics: too few to read anything into
MIN_CELL_ITEMS = 5
HARDNESS_COLUMNS = (1, 2, 3, 4, 5)


def pct(v: float | None) -> str:
    return "-" if v is None else f"{100 * v:.1f}"


def both(block: Mapping[str, Any]) -> str:
    """ "headline / precise" in percent."""
    return f"{pct(block.get('accuracy'))} / {pct(block.get('accuracy_precise'))}"


def with_ci(block: Mapping[str, Any]) -> str:
    """ "headline [CI] / precise" in percent."""
    ci = f"[{pct(block.get('accuracy_ci_low'))}, {pct(block.get('accuracy_ci_high'))}]"
    return f"{pct(block.get('accuracy'))} {ci} / {pct(block.get('accuracy_precise'))}"


def model_attribute_table(runs: Mapping[str, Mapping[str, Any]], attributes: Sequence[str]) -> list[str]:
    lines = [
        "## Model x attribute",
        "",
        "Each cell: headline accuracy [95% CI] / precise accuracy, in %.",
        "",
        "| run | overall | " + " | ".join(attributes) + " |",
        "|---|---|" + "---|" * len(attributes),
    ]
    for run, m in runs.items():
        cells = [with_ci(m["attributes"].get(a, {})) for a in attributes]
        lines.append(f"| {run} | {with_ci(m['overall'])} | " + " | ".join(cells) + " |")
    return lines


def prompt_variant_table(summary: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """Mean and best accuracy per prompt variant, over the runs that use a prompt and no defense."""
    lines = [
        "## Prompt variants",
        "",
        "Runs that use a prompt, undefended; baselines (majority, ocr, exif, face) and defended runs",
        "are left out. Accuracy: headline / precise, in %.",
        "",
        "| prompt | runs | mean accuracy | best run |",
        "|---|---|---|---|",
    ]
    by_prompt: dict[str, list[str]] = defaultdict(list)
    for run, s in summary.items():
        if s.get("prompt") is not None and s.get("defense") is None:
            by_prompt[str(s["prompt"])].append(run)
    if not by_prompt:
        return [*lines[:4], "No run uses a prompt without a defense."]
    for prompt, rs in sorted(by_prompt.items()):
        mean = {k: _mean([summary[r].get(k) for r in rs]) for k in ("accuracy", "accuracy_precise")}
        best = max(rs, key=lambda r: summary[r].get("accuracy") or 0)
        lines.append(f"| {prompt} | {len(rs)} | {both(mean)} | {best} ({both(summary[best])}) |")
    return lines


def _mean(values: Sequence[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return sum(present) / len(present) if present else None


def hardness_cell(block: Mapping[str, Any] | None) -> str:
    n = int((block or {}).get("n") or 0)
    if n == 0:
        return "– (0)"
    text = both(block or {})
    return f"*{text}* ({n})" if n < MIN_CELL_ITEMS else f"{text} ({n})"


def hardness_table(runs: Mapping[str, Mapping[str, Any]]) -> list[str]:
    lines = [
        "## By hardness",
        "",
        "Each cell: headline / precise accuracy in %, (items). Cells with fewer than "
        f"{MIN_CELL_ITEMS} items are in italics: too few to read anything into.",
        "",
        "| run | " + " | ".join(f"h{h}" for h in HARDNESS_COLUMNS) + " |",
        "|---|" + "---|" * len(HARDNESS_COLUMNS),
    ]
    for run, m in runs.items():
        hb = m.get("by_hardness", {})
        lines.append(f"| {run} | " + " | ".join(hardness_cell(hb.get(str(h))) for h in HARDNESS_COLUMNS) + " |")
    return lines


def _km(v: float | None) -> str:
    return "–" if v is None else f"{v:,.0f}" if v >= 10 else f"{v:.1f}"


def distance_table(runs: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """The distance ladder of every run's location and placeOfImage items; no lines if none has any."""
    rows = []
    for run, m in runs.items():
        for attribute, ladder in (m.get("distance") or {}).items():
            if not ladder.get("n"):
                continue
            acc = m["attributes"].get(attribute, {})
            cells = [pct(ladder.get(within_key(k))) for k in DISTANCE_THRESHOLDS_KM]
            rows.append(
                f"| {run} | {attribute} | {ladder['n']} | {ladder.get('located', 0)} | {pct(acc.get('accuracy'))} | "
                f"{pct(acc.get('accuracy_precise'))} | " + " | ".join(cells) + f" | {_km(ladder.get('median_km'))} |"
            )
    if not rows:
        return []
    steps = " | ".join(f"≤{k} km" for k in DISTANCE_THRESHOLDS_KM)
    return [
        "## Distance ladder (places)",
        "",
        "Beyond the study, as image-geolocation benchmarks (IM2GPS, OpenStreetView-5M) score: the share of",
        "items whose top-1 guess lies within each distance of the truth, in %, beside the study's verdicts",
        "(headline and precise accuracy). Located: items where both truth and guess resolve to a point (a",
        "city or a landmark); every other item (refused, unresolved, a country or region) counts as beyond",
        "every distance. Median error in km, with unlocated items infinitely far (– when half or more are).",
        "",
        f"| run | attribute | items | located | headline | precise | {steps} | median km |",
        "|---|---|---|---|---|---|" + "---|" * len(DISTANCE_THRESHOLDS_KM) + "---|",
        *rows,
    ]


def defense_table(rows: Sequence[Mapping[str, Any]]) -> list[str]:
    """Privacy against utility rows (`privacy_utility.as_records`, plus a "run" key)."""
    lines = [
        "## Defenses: privacy against utility",
        "",
        "Accuracy: headline / precise, in %. The drop and McNemar's test are on the headline; overall,",
        "one image's location and placeOfImage items count as one unit.",
        "",
        "| run | defense | attribute | accuracy | undefended | drop | McNemar p | SSIM | PSNR |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        defended = {"accuracy": r.get("accuracy_defended"), "accuracy_precise": r.get("accuracy_defended_precise")}
        base = {"accuracy": r.get("accuracy_base"), "accuracy_precise": r.get("accuracy_base_precise")}
        lines.append(
            f"| {r['run']} | {r['defense']} | {r['attribute']} | {both(defended)} | {both(base)} | "
            f"{pct(r.get('drop'))} | {_fmt(r.get('p_value'), '.3g')} | {_fmt(r.get('ssim'), '.3f')} | "
            f"{_fmt(r.get('psnr'), '.1f')} |"
        )
    return lines


def _fmt(v: float | None, spec: str) -> str:
    return "-" if v is None else format(v, spec)
