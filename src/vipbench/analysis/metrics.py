"""Run metrics from scored items: the study's counts and accuracies, with intervals.

Counting, as in the study:
- accuracy = (correct + less_precise) / n, the headline; refused, unparseable and error
  items are in n and count as wrong;
- accuracy_precise = correct / n;
- top3_accuracy = items whose best-of-three verdict is correct or less precise, over n;
- accuracy_answered = (correct + less_precise) / answered; refusal_rate = refused / n.
- undecided: the offline judge could not decide (and no LLM judge or person did). The headline
  counts these as wrong; accuracy_undecided_right counts them as right, so the true accuracy lies
  between the two.
Beyond the study, a distance ladder for location and placeOfImage (as image-geolocation benchmarks
such as IM2GPS and OpenStreetView-5M score): the share of items whose top-1 guess lies within 1, 25,
200, 750 and 2500 km of the truth, and the median error. Its denominator is every item of the
attribute; an item without a distance (refused, unresolvable, a country or region with no point)
counts as beyond every threshold. `compare_runs` pairs one image's place items as one unit.
Overall is label-weighted (every label counts once); macro_accuracy is the plain mean of
the attribute accuracies with n > 0. Every accuracy has a 95% percentile bootstrap interval
(vipbench.analysis.stats; numpy default_rng, reproducible under `seed`). Undefined numbers are None,
never NaN, so the result is plain JSON.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from vipbench.analysis.stats import CONFIDENCE, bootstrap_ci, bootstrap_macro_ci, mcnemar_clustered, rng_for
from vipbench.core import attributes as attribute_table
from vipbench.core.attributes import CATEGORICAL, GEO_ATTRIBUTES
from vipbench.core.options import read_option
from vipbench.core.records import ScoredItem

HARDNESS_LEVELS: tuple[int, ...] = (1, 2, 3, 4, 5)
#: the distance ladder's thresholds in km (the steps of the IM2GPS / OSV-5M geolocation benchmarks:
#: street, city, region, country, continent)
DISTANCE_THRESHOLDS_KM: tuple[int, ...] = attribute_table.DISTANCE_THRESHOLDS_KM
NO_ANSWER = "(none)"
OTHER = "(other)"


_HITS = ("correct", "less_precise")


def _hit(s: ScoredItem) -> bool:
    return s.top1.verdict in _HITS


def _ratio(num: float, den: float) -> float | None:
    return num / den if den else None


def _ci(values: Sequence[bool], n_boot: int, seed: int, *label: str) -> tuple[float | None, float | None]:
    if not values:
        return None, None
    return bootstrap_ci(np.asarray(values, dtype=float), n_boot, rng_for(seed, *label))


#: accuracy name -> (outcome per item, whether only answered items count, CI key prefix)
_ACCURACIES: dict[str, tuple[Callable[[ScoredItem], bool], bool, str]] = {
    "accuracy": (_hit, False, "accuracy"),
    "accuracy_precise": (lambda s: s.top1.verdict == "correct", False, "accuracy_precise"),
    "top3_accuracy": (lambda s: s.top3.verdict in _HITS, False, "top3"),
    "top3_accuracy_precise": (lambda s: s.top3.verdict == "correct", False, "top3_precise"),
    "accuracy_answered": (_hit, True, "accuracy_answered"),
}


def summarize(
    rows: Sequence[ScoredItem], n_boot: int = 1000, seed: int = 0, label: str = ""
) -> dict[str, Any]:
    """Counts, accuracies and bootstrap intervals for one group of scored items."""
    n = len(rows)
    answered = [s for s in rows if s.status == "answered"]
    out: dict[str, Any] = {
        "n": n,
        "answered": len(answered),
        "refused": sum(s.status == "refused" for s in rows),
        "unparseable": sum(s.status == "unparseable" for s in rows),
        "abstained": sum(s.status == "abstained" for s in rows),
        "errors": sum(s.status == "error" for s in rows),
        "correct": sum(s.top1.verdict == "correct" for s in rows),
        "less_precise": sum(s.top1.verdict == "less_precise" for s in rows),
        "wrong": sum(s.top1.verdict == "wrong" for s in rows),
        "undecided": sum(s.top1.verdict == "undecided" for s in rows),
        "top3_correct": sum(s.top3.verdict == "correct" for s in rows),
        "top3_less_precise": sum(s.top3.verdict == "less_precise" for s in rows),
    }
    for name, (outcome, only_answered, ci_key) in _ACCURACIES.items():
        pool = answered if only_answered else rows
        hits = [outcome(s) for s in pool]
        out[name] = _ratio(sum(hits), len(hits))
        out[f"{ci_key}_ci_low"], out[f"{ci_key}_ci_high"] = _ci(hits, n_boot, seed, label, name)
    out["refusal_rate"] = _ratio(out["refused"], n)
    out["accuracy_undecided_right"] = _ratio(sum(_hit(s) or s.top1.verdict == "undecided" for s in rows), n)
    return out


def place_guesses(rows: Sequence[ScoredItem]) -> tuple[int, int]:
    """(answered place guesses, those whose top guess names another country than the truth)."""
    from vipbench.places.gazetteer import resolve_place

    guessed = [s for s in rows if s.status == "answered" and s.guess]
    other = 0
    for s in guessed:
        truth, guess = resolve_place(s.truth), resolve_place(s.guess or "")
        other += truth is not None and guess is not None and truth.country_code != guess.country_code
    return len(guessed), other


def distance_ladder(rows: Sequence[ScoredItem]) -> dict[str, Any]:
    """Accuracy within each of DISTANCE_THRESHOLDS_KM and the median error, over all `rows`.

    n: items; located: items with a distance, of which from_photo measured from the dataset's photo
    coordinates and from_answer_point to the answer's own coordinates; guesses: answered items, of
    which other_country name another country than the truth. within_<k>km: share of all n within k km (an item
    with no distance is beyond every threshold). median_km: the median error with those items
    infinitely far, so None when half or more of the items have no distance (or n is 0);
    median_km_located: the median over located items only.
    """
    n = len(rows)
    dists = sorted(s.distance_km for s in rows if s.distance_km is not None)
    out: dict[str, Any] = {"n": n, "located": len(dists)}
    out["from_photo"] = sum(s.distance_from == "photo" for s in rows if s.distance_km is not None)
    out["from_answer_point"] = sum(s.guess_point == "answer" for s in rows if s.distance_km is not None)
    out["guesses"], out["other_country"] = place_guesses(rows)
    for k in DISTANCE_THRESHOLDS_KM:
        out[f"within_{k}km"] = _ratio(sum(d <= k for d in dists), n)
    padded = np.asarray(dists + [math.inf] * (n - len(dists)), dtype=float)
    median = float(np.median(padded)) if n else math.inf
    out["median_km"] = round(median, 3) if math.isfinite(median) else None
    out["median_km_located"] = round(float(np.median(dists)), 3) if dists else None
    return out


def run_metrics(
    scored: Sequence[ScoredItem], attributes: Sequence[str], n_boot: int = 1000, seed: int = 0
) -> dict[str, Any]:
    """Overall, per-attribute, per-hardness and per-human-depicted metrics of one run.

    Only items of the listed attributes count; every listed attribute gets an entry, with
    accuracies None when it has no items. Hardness levels 1-5 are always listed. `distance` holds
    the distance ladder (`distance_ladder`) of each listed location / placeOfImage attribute.
    """
    wanted = list(dict.fromkeys(attributes))
    rows = [s for s in scored if s.attribute in set(wanted)]
    by_attr = {a: [s for s in rows if s.attribute == a] for a in wanted}

    overall = summarize(rows, n_boot, seed, "overall")
    present = [a for a in wanted if by_attr[a]]
    per_attr = {a: summarize(by_attr[a], n_boot, seed, f"attribute:{a}") for a in wanted}
    for key, name in (
        ("macro_accuracy", "accuracy"),
        ("macro_accuracy_precise", "accuracy_precise"),
        ("macro_top3_accuracy", "top3_accuracy"),
    ):
        vals = [per_attr[a][name] for a in present]
        overall[key] = sum(vals) / len(vals) if vals else None
    overall["macro_ci_low"], overall["macro_ci_high"] = bootstrap_macro_ci(
        [[_hit(s) for s in by_attr[a]] for a in present], n_boot, rng_for(seed, "overall", "macro_accuracy")
    )
    overall["attributes_scored"] = len(present)

    levels = sorted({*HARDNESS_LEVELS, *(s.hardness for s in rows)})
    out: dict[str, Any] = {
        "overall": overall,
        "attributes": per_attr,
        "by_hardness": {
            str(h): summarize([s for s in rows if s.hardness == h], n_boot, seed, f"hardness:{h}")
            for h in levels
        },
    }
    flags = {s.human_depicted for s in rows}
    if flags - {None}:
        groups = {"true": True, "false": False, **({"unknown": None} if None in flags else {})}
        out["by_human_depicted"] = {
            k: summarize([s for s in rows if s.human_depicted is v], n_boot, seed, f"human_depicted:{k}")
            for k, v in groups.items()
        }
    out["distance"] = {a: distance_ladder(by_attr[a]) for a in wanted if a in GEO_ATTRIBUTES}
    out["bootstrap"] = {"n_boot": n_boot, "seed": seed, "confidence": CONFIDENCE, "method": "percentile"}
    return out


# ------------------------------------------------------------------------ headline figures

#: the overall figures of a run's DVC metric file; the rest of `run_metrics` is in its details
HEADLINE_OVERALL: tuple[str, ...] = (
    "accuracy",
    "accuracy_precise",
    "top3_accuracy",
    "refusal_rate",
    "error_rate",
    "n",
)
#: the per-attribute figures of a run's DVC metric file
HEADLINE_ATTRIBUTE: tuple[str, ...] = ("accuracy", "accuracy_precise")
#: beside them, from the floor block: overall the floor's headline and both lifts (per attribute the
#: lifts are in the details, MLflow and report.md: `dvc metrics show` prints a column per key)
HEADLINE_FLOOR: tuple[str, ...] = ("floor_accuracy", "lift", "lift_precise")


def headline(metrics: Mapping[str, Any]) -> dict[str, Any]:
    """The figures `dvc metrics show` lists for a run: overall accuracy (less precise counted as
    correct), precise accuracy, top-3 accuracy, refusal and error rates, the label count, and
    each attribute's headline and precise accuracy; beside them the floor's headline (the majority
    guess on the same items) and the lifts over it, and for places the share within 25 km. At most
    ~40 keys, so the table stays readable; everything else (the floor's figures and lifts per
    attribute, the distance ladder) stays in the full metrics."""
    o = metrics["overall"]
    overall = {**o, "error_rate": _ratio(o["errors"], o["n"])}
    floor = metrics.get("floor") or {}
    out = {"overall": {k: overall.get(k) for k in HEADLINE_OVERALL}, "attributes": {}}
    out["overall"].update({k: (floor.get("overall") or {}).get(k) for k in HEADLINE_FLOOR if floor})
    for a, v in metrics.get("attributes", {}).items():
        row = {k: v.get(k) for k in HEADLINE_ATTRIBUTE}
        if a in GEO_ATTRIBUTES and (floor.get("attributes") or {}).get(a):
            row["within_25km"] = (metrics.get("distance") or {}).get(a, {}).get("within_25km")
        out["attributes"][a] = row
    return out


# ------------------------------------------------------------------------------ comparisons


def pairing_unit(s: ScoredItem) -> str:
    """The unit a paired test counts once: one image's place items (location and placeOfImage,
    answered from the same evidence, often with the very same guess) form one unit; any other
    item is its own unit."""
    return f"{s.image_id}#places" if s.attribute in GEO_ATTRIBUTES else s.item_id


def compare_runs(
    scored_a: Sequence[ScoredItem], scored_b: Sequence[ScoredItem], attributes: Sequence[str] | None = None
) -> dict[str, dict[str, Any]]:
    """Run B against run A on the items both scored (paired on item_id), per attribute and overall.

    Each entry: n (pairs), acc_a, acc_b, delta = acc_b - acc_a (headline accuracy), and the
    McNemar result (b01 = A wrong and B right, b10 = A right and B wrong). Overall, one image's
    location and placeOfImage items are one cluster (`pairing_unit`, `mcnemar_clustered`), so a
    shared place guess is not counted as two independent pieces of evidence.
    """
    a_by_id = {s.item_id: s for s in scored_a}
    pairs = [(a_by_id[s.item_id], s) for s in scored_b if s.item_id in a_by_id]
    attrs = list(attributes) if attributes is not None else list(dict.fromkeys(a.attribute for a, _ in pairs))

    def entry(group: list[tuple[ScoredItem, ScoredItem]]) -> dict[str, Any]:
        hits_a = [_hit(a) for a, _ in group]
        hits_b = [_hit(b) for _, b in group]
        acc_a, acc_b = _ratio(sum(hits_a), len(group)), _ratio(sum(hits_b), len(group))
        return {
            "n": len(group),
            "acc_a": acc_a,
            "acc_b": acc_b,
            "delta": None if acc_a is None or acc_b is None else acc_b - acc_a,
            **mcnemar_clustered(hits_a, hits_b, [pairing_unit(a) for a, _ in group]),
        }

    out = {attr: entry([(a, b) for a, b in pairs if a.attribute == attr]) for attr in attrs}
    out["overall"] = entry([(a, b) for a, b in pairs if a.attribute in set(attrs)])
    return out


def confusion(scored: Sequence[ScoredItem], attribute: str) -> tuple[list[str], list[list[int]]]:
    """Confusion matrix of normalised truth (rows) against normalised top-1 guess (columns).

    Labels are the attribute's options in table order, then "(other)" if some value maps to
    no single option. Columns are the labels plus a last "(none)" column for items without
    a top-1 guess (refused, unparseable, error).
    """
    if attribute not in CATEGORICAL:
        raise ValueError(f"confusion matrices are for {', '.join(CATEGORICAL)}, not {attribute!r}")
    rows = [s for s in scored if s.attribute == attribute]
    cells: list[tuple[str, str]] = []
    for s in rows:
        truth = read_option(attribute, s.truth) or OTHER
        guess = NO_ANSWER if s.guess is None else read_option(attribute, s.guess) or OTHER
        cells.append((truth, guess))
    labels = list(attribute_table.get(attribute).options)
    if any(OTHER in c for c in cells):
        labels.append(OTHER)
    columns = [*labels, NO_ANSWER]
    matrix = [[0] * len(columns) for _ in labels]
    for truth, guess in cells:
        matrix[labels.index(truth)][columns.index(guess)] += 1
    return labels, matrix
