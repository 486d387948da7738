"""Markdown tables of report.md, from run metrics (`metrics.run_metrics`) and the run summary.

Every accuracy is shown as the study's headline (less precise counted as correct) beside the
precise accuracy (less precise counted wrong): on photos from one country the headline rewards
"same country" guesses that a careful reader would not call a hit. Pure functions: each returns
the lines of one table, with its note.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from typing import Any

from vipbench.analysis.floor import ONE_COUNTRY_SHARE, places_within
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


def _signed(v: float | None) -> str:
    return "-" if v is None else f"{100 * v:+.1f}"


def floor_table(runs: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """Each run's headline beside its precise accuracy, the place share within 25 km, its
    abstentions, and the floor (the majority guess on the same items) with the lift over it."""
    lines = [
        "## Runs beside the floor",
        "",
        "In %. Headline: correct or less precise (the study's accuracy); precise: correct only;",
        "<=25 km: place items whose top guess lies within 25 km of the truth (of the photo when the",
        "data has its coordinates). Floor: the majority guess scored on the same items; lift: the run",
        "minus the floor. Abstained: items the run gave no answer for (counted wrong).",
        "",
        "| run | labels | headline | precise | <=25 km | abstained | floor headline | floor precise "
        "| lift | lift precise |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for run, m in runs.items():
        o, floor = m["overall"], (m.get("floor") or {}).get("overall") or {}
        within = places_within(m.get("distance") or {})
        lines.append(
            f"| {run} | {o['n']} | {pct(o.get('accuracy'))} | {pct(o.get('accuracy_precise'))} | "
            f"{pct(within)} | {o.get('abstained', 0)} | {pct(floor.get('floor_accuracy'))} | "
            f"{pct(floor.get('floor_accuracy_precise'))} | {_signed(floor.get('lift'))} | "
            f"{_signed(floor.get('lift_precise'))} |"
        )
    return lines


#: a run whose headline is within this of the floor's (or below it) gets a warning
FLOOR_MARGIN = 0.05


def floor_warnings(runs: Mapping[str, Mapping[str, Any]], floor_runs: Collection[str] = ()) -> list[str]:
    """Warnings that the headline may mislead: most place truths in one country, or a run whose
    headline is within FLOOR_MARGIN of the floor's, or below it (`floor_runs`, the majority runs,
    are the floor itself and get none)."""
    out: list[str] = []
    countries: dict[tuple[str, str], float] = {}
    for m in runs.values():
        for attr, c in ((m.get("floor") or {}).get("truth_countries") or {}).items():
            if c["share"] > ONE_COUNTRY_SHARE:
                countries[(attr, c["country"])] = max(countries.get((attr, c["country"]), 0.0), c["share"])
    for (attr, country), share in sorted(countries.items()):
        out.append(
            f"- **{attr}: {pct(share)}% of the truths lie in one country ({country}).** A guess of that country, "
            "or of any town in it, counts as less precise and so as a hit in the headline; read precise "
            "accuracy, the share within 25 km and the lift over the floor instead."
        )
    for run, m in runs.items():
        floor = (m.get("floor") or {}).get("overall") or {}
        lift = floor.get("lift")
        if lift is not None and lift <= FLOOR_MARGIN and run not in floor_runs:
            where = "below" if lift < -FLOOR_MARGIN else "within 5 points of"
            out.append(
                f"- **{run}: headline {pct(m['overall'].get('accuracy'))}%, {where} the floor's "
                f"{pct(floor.get('floor_accuracy'))}% (lift {_signed(lift)} points).** A constant guess does as well "
                f"on the headline; the precise lift is {_signed(floor.get('lift_precise'))} points."
            )
    return ["## Warnings", "", *out] if out else []


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
                f"| {run} | {attribute} | {ladder['n']} | {ladder.get('located', 0)} | "
                f"{ladder.get('from_photo', 0)} | {ladder.get('from_answer_point', 0)} | "
                f"{ladder.get('guesses', 0)} | {ladder.get('other_country', 0)} | {pct(acc.get('accuracy'))} | "
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
        "From photo: located items measured from where the photo was taken (the dataset's latitude and",
        "longitude; placeOfImage only), the rest from the truth's place. Answer point: the guess's point is",
        "the answer's own coordinates (an EXIF GPS fix), the rest its named place. Guesses: answered items;",
        "other country: of those, the ones whose top guess names another country than the truth.",
        "",
        f"| run | attribute | items | located | from photo | answer point | guesses | other country | headline | "
        f"precise | {steps} | median km |",
        "|---|---|---|---|---|---|---|---|---|---|" + "---|" * len(DISTANCE_THRESHOLDS_KM) + "---|",
        *rows,
    ]


def defense_table(rows: Sequence[Mapping[str, Any]]) -> list[str]:
    """Privacy against utility rows (`privacy_utility.as_records`, plus a "run" key)."""
    lines = [
        "## Defenses: privacy against utility",
        "",
        "Accuracy: headline / precise, in %. Drops are undefended minus defended, on the headline and on",
        "precise accuracy; McNemar's test is on the headline (overall, one image's location and",
        "placeOfImage items count as one unit). A headline drop with no precise drop (marked *) only",
        "removed \"same country\" guesses: the defense gets no credit for it.",
        "",
        "| run | defense | attribute | accuracy | undefended | drop | drop precise | McNemar p | SSIM | PSNR |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        defended = {"accuracy": r.get("accuracy_defended"), "accuracy_precise": r.get("accuracy_defended_precise")}
        base = {"accuracy": r.get("accuracy_base"), "accuracy_precise": r.get("accuracy_base_precise")}
        drop_precise = r.get("drop_precise")
        headline_only = (r.get("drop") or 0) > 0 and (drop_precise or 0) <= 0
        lines.append(
            f"| {r['run']} | {r['defense']} | {r['attribute']} | {both(defended)} | {both(base)} | "
            f"{pct(r.get('drop'))}{'*' if headline_only else ''} | {pct(drop_precise)} | "
            f"{_fmt(r.get('p_value'), '.3g')} | {_fmt(r.get('ssim'), '.3f')} | {_fmt(r.get('psnr'), '.1f')} |"
        )
    return lines


def _fmt(v: float | None, spec: str) -> str:
    return "-" if v is None else format(v, spec)
