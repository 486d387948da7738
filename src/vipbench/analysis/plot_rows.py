"""The rows of the DVC plot files under plots/, in the shape the templates in .dvc/plots/ read.

The plot specs themselves live in one place: the `plots:` sections of dvc.yaml, which name the
Vega-Lite templates committed under .dvc/plots/ (`vipbench_accuracy`, `vipbench_capability`,
`vipbench_privacy`). This module only writes their data, and these are the fields they read:

- every file has a `kind` and a `note` on each row. A file with nothing to plot holds one row of
  kind "note" whose `note` says why, and the template puts that reason in the chart's title;
- DVC keeps a file's rows only when every row has the same keys, so each builder fills every key
  (None where a value is unknown);
- accuracies are fractions in [0, 1].
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from vipbench.analysis.figures import run_accuracy

#: file names (under plots/) of the DVC plots data
ACCURACY_FILE = "accuracy_by_model.json"
CAPABILITY_FILE = "accuracy_vs_capability.json"
PRIVACY_FILE = "privacy_vs_utility.json"

Row = dict[str, Any]


def _note_row(keys: Sequence[str], note: str) -> Row:
    return {**dict.fromkeys(keys), "kind": "note", "note": note}


def run_order(runs: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """Runs in their configured order, each defended run right after the run it defends."""
    names = list(runs)
    bases = [r for r in names if not runs[r].get("defense")]
    order: list[str] = []
    for base in bases:
        order.append(base)
        order += [r for r in names if runs[r].get("defense") and r.split("+", 1)[0] == base]
    return order + [r for r in names if r not in order]


ACCURACY_KEYS = ("run", "attribute", "accuracy", "ci_low", "ci_high", "kind", "note")


def accuracy_rows(runs: Mapping[str, Mapping[str, Any]], attributes: Sequence[str]) -> list[Row]:
    """One row per run and attribute ("overall" first if listed) that has an accuracy."""
    rows: list[Row] = []
    for attr in attributes:
        for run in run_order(runs):
            acc, lo, hi = run_accuracy(runs[run], attr)
            if acc is not None:
                rows.append(
                    {"run": run, "attribute": attr, "accuracy": acc, "ci_low": lo, "ci_high": hi}
                    | {"kind": "run", "note": None}
                )
    if not rows:
        why = "no run has been scored yet (run `dvc repro`)" if not runs else "no run has an accuracy"
        rows.append(_note_row(ACCURACY_KEYS, why))
    return rows


CAPABILITY_KEYS = ("run", "model", "prompt", "capability", "accuracy", "fit", "kind", "note")


def capability_rows(
    runs: Mapping[str, Mapping[str, Any]], fits: Mapping[str, Mapping[str, Any]], column: str
) -> list[Row]:
    """Per prompt variant: each undefended run with a `column` score, the fitted line, the projection.

    Points are labelled with the run's model (its run name when the spec names no model); the
    colour tells the prompt variant.

    `runs` is the report's summary (each run with its "prompt", "defense", "capability" and
    "accuracy"); `fits` maps a prompt variant to `fit_all`'s result. A row's `fit` is the line's
    value at the run's capability (None without a fit), and its `note` says what is missing from
    its prompt's panel: the fit's own message, or the runs that have no `column` score.
    """
    rows: list[Row] = []
    for prompt, fit_set in fits.items():
        fit = fit_set.get("overall") or {}
        ok = fit.get("status") == "ok"
        group = {r: s for r, s in runs.items() if s.get("prompt") == prompt and not s.get("defense")}
        unscored = [r for r, s in group.items() if (s.get("capability") or {}).get(column) is None]
        notes = [] if ok else [str(fit.get("message") or "no fit")]
        if unscored:
            notes.append(f"no {column} score: {', '.join(unscored)}")
        note = f"{prompt}: {'; '.join(notes)}" if notes else None
        for run, s in group.items():
            cap = (s.get("capability") or {}).get(column)
            acc, _, _ = run_accuracy(s, "overall")
            if cap is None or acc is None:
                continue
            line = fit["intercept"] + fit["slope"] * cap if ok else None
            rows.append(
                {"run": run, "model": s.get("model") or run, "prompt": prompt, "capability": float(cap)}
                | {"accuracy": acc, "fit": line}
                | {"kind": "run", "note": note}
            )
        proj = fit.get("projection") if ok else None
        if proj is not None:
            rows.append(
                {"run": None, "model": None, "prompt": prompt, "capability": proj["at"], "accuracy": None}
                | {"fit": proj["accuracy"], "kind": "projection", "note": note}
            )
    if not any(r["kind"] == "run" for r in rows):
        rows = [_note_row(CAPABILITY_KEYS, _why_no_capability(runs, fits, column))]
    return rows


def _why_no_capability(runs: Mapping[str, Mapping[str, Any]], fits: Mapping[str, Any], column: str) -> str:
    if not runs:
        return "no run has been scored yet (run `dvc repro`)"
    if not fits:
        return (
            "no run uses a prompt (the runs are offline adversaries), so no model's capability applies;"
            " add a VLM under `models` in params.yaml"
        )
    return (
        f"no prompt run has a {column} score; give the model a `capability:` in params.yaml"
        " or pick another report.capability_column"
    )


PRIVACY_KEYS = ("run", "defense", "ssim", "drop", "accuracy_base", "accuracy_defended", "p_value", "kind", "note")


def privacy_rows(defense_rows: Sequence[Mapping[str, Any]], configured: bool) -> list[Row]:
    """One row per (adversary run, defense) over all attributes: SSIM kept against accuracy drop.

    `defense_rows` are the report's defense table rows (every attribute; only "overall" is
    plotted); `configured` tells whether params.yaml asks for any defended run, which the note of
    an empty file distinguishes.
    """
    rows = [
        {k: r.get(k) for k in PRIVACY_KEYS} | {"kind": "run", "note": None}
        for r in defense_rows
        if r.get("attribute") == "overall"
    ]
    if not rows:
        why = (
            "the defended runs have no scores yet (run `dvc repro`)"
            if configured
            else "no defense is evaluated; list runs and defenses under defense_eval in params.yaml"
        )
        rows.append(_note_row(PRIVACY_KEYS, why))
    return rows
