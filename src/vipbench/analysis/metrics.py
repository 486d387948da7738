"""Run metrics from scored items (design.md section 2, "Metrics the study reports").

Counting, as in the study:
- accuracy = (correct + less_precise) / n, the headline; refused, unparseable and error
  items are in n and count as wrong;
- accuracy_precise = correct / n;
- top3_accuracy = items whose best-of-three verdict is correct or less precise, over n;
- accuracy_answered = (correct + less_precise) / answered; refusal_rate = refused / n.
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

from vipbench.analysis.stats import CONFIDENCE, bootstrap_ci, bootstrap_macro_ci, mcnemar, rng_for
from vipbench.core import attributes as attribute_table
from vipbench.core.records import ScoredItem

HARDNESS_LEVELS: tuple[int, ...] = (1, 2, 3, 4, 5)
CATEGORICAL: tuple[str, ...] = ("sex", "income", "maritalStatus", "educationLevel")
NO_ANSWER = "(none)"
OTHER = "(other)"


def _hit(s: ScoredItem) -> bool:
    return s.top1.verdict != "wrong"


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
    "top3_accuracy": (lambda s: s.top3.verdict != "wrong", False, "top3"),
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
        "errors": sum(s.status == "error" for s in rows),
        "correct": sum(s.top1.verdict == "correct" for s in rows),
        "less_precise": sum(s.top1.verdict == "less_precise" for s in rows),
        "wrong": sum(s.top1.verdict == "wrong" for s in rows),
        "top3_correct": sum(s.top3.verdict == "correct" for s in rows),
        "top3_less_precise": sum(s.top3.verdict == "less_precise" for s in rows),
    }
    for name, (outcome, only_answered, ci_key) in _ACCURACIES.items():
        pool = answered if only_answered else rows
        hits = [outcome(s) for s in pool]
        out[name] = _ratio(sum(hits), len(hits))
        out[f"{ci_key}_ci_low"], out[f"{ci_key}_ci_high"] = _ci(hits, n_boot, seed, label, name)
    out["refusal_rate"] = _ratio(out["refused"], n)
    return out


def run_metrics(
    scored: Sequence[ScoredItem], attributes: Sequence[str], n_boot: int = 1000, seed: int = 0
) -> dict[str, Any]:
    """Overall, per-attribute, per-hardness and per-human-depicted metrics of one run.

    Only items of the listed attributes count; every listed attribute gets an entry, with
    accuracies None when it has no items. Hardness levels 1-5 are always listed.
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
HEADLINE_ATTRIBUTE: tuple[str, ...] = ("accuracy",)


def headline(metrics: Mapping[str, Any]) -> dict[str, Any]:
    """The figures `dvc metrics show` lists for a run: overall accuracy (less precise counted as
    correct), precise accuracy, top-3 accuracy, refusal and error rates, the label count, and
    each attribute's accuracy. Everything else stays in the full metrics."""
    o = metrics["overall"]
    overall = {**o, "error_rate": _ratio(o["errors"], o["n"])}
    return {
        "overall": {k: overall.get(k) for k in HEADLINE_OVERALL},
        "attributes": {
            a: {k: v.get(k) for k in HEADLINE_ATTRIBUTE} for a, v in metrics.get("attributes", {}).items()
        },
    }


# ----------------------------------------------------------------------------- MLflow names

_SECTION_PREFIX: dict[str, Callable[[str], str]] = {
    "overall": lambda k: "overall",
    "attributes": lambda k: k,
    "by_hardness": lambda k: f"hardness_{k}",
    "by_human_depicted": lambda k: f"human_depicted_{k}",
}
_NOT_METRICS = frozenset({"bootstrap", "mlflow_run_id"})


def _numeric(v: Any) -> float | None:
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return None
    f = float(v)
    return f if math.isfinite(f) else None


def _walk(prefix: str, value: Any, out: dict[str, float]) -> None:
    if isinstance(value, Mapping):
        for k, v in value.items():
            _walk(f"{prefix}.{k}" if prefix else str(k), v, out)
        return
    num = _numeric(value)
    if num is not None:
        out[prefix] = num


def flatten(metrics: Mapping[str, Any]) -> dict[str, float]:
    """Numeric metrics under stable dotted names for MLflow.

    "overall.accuracy", "<attribute>.accuracy", "hardness_3.accuracy",
    "human_depicted_true.accuracy"; any other section keeps its own path
    ("accounting.overall.requests"). None, NaN, booleans and strings are left out.
    """
    out: dict[str, float] = {}
    for section, body in metrics.items():
        if section in _NOT_METRICS:
            continue
        name = _SECTION_PREFIX.get(section)
        if name is not None and isinstance(body, Mapping):
            if section == "overall":
                _walk("overall", body, out)
            else:
                for key, block in body.items():
                    _walk(name(str(key)), block, out)
        else:
            _walk(section, body, out)
    return out


# ------------------------------------------------------------------------------ comparisons


def compare_runs(
    scored_a: Sequence[ScoredItem], scored_b: Sequence[ScoredItem], attributes: Sequence[str] | None = None
) -> dict[str, dict[str, Any]]:
    """Run B against run A on the items both scored (paired on item_id), per attribute and overall.

    Each entry: n (pairs), acc_a, acc_b, delta = acc_b - acc_a (headline accuracy), and the
    McNemar result (b01 = A wrong and B right, b10 = A right and B wrong).
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
            **mcnemar(hits_a, hits_b),
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
    from vipbench.scoring.categorical import canonical

    if attribute not in CATEGORICAL:
        raise ValueError(f"confusion matrices are for {', '.join(CATEGORICAL)}, not {attribute!r}")
    rows = [s for s in scored if s.attribute == attribute]
    cells: list[tuple[str, str]] = []
    for s in rows:
        truth = canonical(attribute, s.truth) or OTHER
        guess = NO_ANSWER if s.guess is None else canonical(attribute, s.guess) or OTHER
        cells.append((truth, guess))
    labels = list(attribute_table.get(attribute).options)
    if any(OTHER in c for c in cells):
        labels.append(OTHER)
    columns = [*labels, NO_ANSWER]
    matrix = [[0] * len(columns) for _ in labels]
    for truth, guess in cells:
        matrix[labels.index(truth)][columns.index(guess)] += 1
    return labels, matrix
