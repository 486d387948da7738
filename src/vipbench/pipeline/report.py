"""report: every configured run in one place, and accuracy against general capability.

Writes the full summary to build/summary.json (every run, the regressions, the defense table),
its headline figures to metrics/summary.json (the DVC metric: the number of runs and, per prompt
variant, the regression's slope, R², Pearson r and projected accuracy), metrics/report.md, DVC
plot data under plots/ and PNG figures under figures/. It records every reported run in MLflow
(`pipeline.track`: only those whose results MLflow does not already hold) and logs one summary
MLflow run per dataset version that links them. Re-running refits and updates the same summary
run; it never adds a second one.

Only runs with scores and details count. A run whose inference failed or stopped (its outcome
file is a failure record, see `pipeline.infer`) or that was never scored is left out of every table,
figure and fit, and report.md lists it with the reason, so a broken endpoint never looks like a
model with an accuracy.
"""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

from vipbench.core.io import atomic_open, write_json
from vipbench.ops.tags import Tag
from vipbench.readers import mlflow_run_id, read_dataset_info, read_details, read_scores, unreported_reason
from vipbench.workspace import Run, Workspace


def collect(ws: Workspace) -> dict[str, dict[str, Any]]:
    """Each reported run's full metrics, as the score stage computed them."""
    runs: dict[str, dict[str, Any]] = {}
    for run in ws.run_names():
        if unreported_reason(ws, run) is None and (details := read_details(ws, run)) is not None:
            runs[run] = details
    return runs


def run_capability(run: Run) -> dict[str, float]:
    from vipbench.analysis.capability import scores_for

    return scores_for(getattr(run.spec, "model", None), run.spec.capability)


def summarise(ws: Workspace, runs: dict[str, dict[str, Any]]) -> dict[str, Any]:
    from vipbench.analysis.floor import places_within

    out: dict[str, Any] = {}
    for run, m in runs.items():
        this = ws.run(run)
        spec = this.spec
        out[run] = {
            "kind": spec.kind,
            "model": getattr(spec, "model", None),
            "prompt": spec.prompt if spec.uses_prompt() else None,
            "defense": this.defense,
            "capability": run_capability(this),
            "accuracy": m["overall"]["accuracy"],
            "accuracy_ci": [m["overall"]["accuracy_ci_low"], m["overall"]["accuracy_ci_high"]],
            "accuracy_precise": m["overall"]["accuracy_precise"],
            "macro_accuracy": m["overall"]["macro_accuracy"],
            "top3_accuracy": m["overall"]["top3_accuracy"],
            "refusal_rate": m["overall"]["refusal_rate"],
            "n": m["overall"]["n"],
            "within_25km": places_within(m.get("distance") or {}),
            "floor": (m.get("floor") or {}).get("overall") or {},
            "attributes": {a: v["accuracy"] for a, v in m["attributes"].items()},
            "attributes_ci": {a: [v["accuracy_ci_low"], v["accuracy_ci_high"]] for a, v in m["attributes"].items()},
        }
    return out


def regressions(ws: Workspace, summary: dict[str, Any]) -> dict[str, Any]:
    """One fit per prompt variant, over the undefended runs of this dataset version."""
    from vipbench.analysis.regression import fit_all

    p = ws.params
    by_prompt: dict[str, dict[str, Any]] = defaultdict(dict)
    for run, r in summary.items():
        if r["prompt"] is not None and r["defense"] is None:
            by_prompt[r["prompt"]][run] = r
    return {
        prompt: fit_all(
            group,
            p.report.capability_column,
            p.report.project_at,
            n_boot=p.scoring.bootstrap_samples,
            seed=p.scoring.seed,
            attributes=p.attributes,
        )
        for prompt, group in sorted(by_prompt.items())
    }


def report(ws: Workspace, track: bool = True) -> dict[str, Any]:
    from vipbench.analysis import figures as report_plots

    p = ws.params
    runs = collect(ws)
    summary = summarise(ws, runs)
    fits = regressions(ws, summary)
    dataset = read_dataset_info(ws)
    result: dict[str, Any] = {
        "dataset": {k: dataset.get(k) for k in ("name", "version", "items")},
        "capability_column": p.report.capability_column,
        "runs": summary,
        "regression": fits,
        "missing_runs": sorted(set(ws.run_names()) - set(runs)),
        "unreported": {r: why for r in ws.run_names() if r not in runs and (why := unreported_reason(ws, r))},
    }
    defended = _defense_table(ws, summary)
    if defended:
        result["defenses"] = defended

    # PNG figures (matplotlib), then the DVC plot data
    main_fit_prompt = next(iter(fits), None)
    main_fit = fits[main_fit_prompt]["overall"] if main_fit_prompt else None
    from vipbench.analysis.regression import points_for

    points = points_for(
        {r: s for r, s in summary.items() if s["prompt"] == main_fit_prompt and s["defense"] is None},
        p.report.capability_column,
    )
    figures = ws.figures_dir
    figures.mkdir(exist_ok=True)
    report_plots.accuracy_by_model_png(summary, p.attributes, figures / "accuracy_by_model.png")
    report_plots.accuracy_vs_capability_png(points, main_fit or {}, figures / "accuracy_vs_capability.png")
    if defended:
        from vipbench.analysis.privacy_utility import plot_privacy_utility

        for base, eff in defended.pop("effects"):
            plot_privacy_utility(eff, figures / f"privacy_vs_utility_{base}.png", title=f"{base}: privacy vs utility")
    write_plot_files(ws, summary, fits, (defended or {}).get("rows", []))
    write_markdown(ws, runs, summary, fits, defended, result["unreported"])
    write_json(ws.summary_details_file, result)
    write_json(ws.summary_file, headline(result))
    summary_id = None
    if track and runs:
        from vipbench.pipeline.track import track as track_runs

        track_runs(ws, list(runs))  # each run's results, unless MLflow already holds them
        summary_id = track_summary(ws, result, fits)
    write_json(ws.tracking_file("summary"), {"run": "summary", "mlflow_run_id": summary_id})
    return result


def write_plot_files(ws: Workspace, summary: dict[str, Any], fits: dict[str, Any], defense_rows: list[Any]) -> None:
    """plots/*.json, the data of dvc.yaml's plots (each file is written, with a note when empty)."""
    from vipbench.analysis import plot_rows

    p = ws.params
    files = {
        plot_rows.ACCURACY_FILE: plot_rows.accuracy_rows(summary, ["overall", *p.attributes]),
        plot_rows.CAPABILITY_FILE: plot_rows.capability_rows(summary, fits, p.report.capability_column),
        plot_rows.PRIVACY_FILE: plot_rows.privacy_rows(defense_rows, bool(p.defense_eval.runs)),
    }
    for name, rows in files.items():
        write_json(ws.plot_file(name), rows)


#: per prompt variant, the regression figures metrics/summary.json lists
HEADLINE_FIT = ("n", "slope", "r2", "pearson_r", "projected_accuracy")


def headline(result: dict[str, Any]) -> dict[str, Any]:
    """The report's DVC metric: how many runs it summarises, and each prompt's capability fit."""
    fits = {}
    for prompt, f in result["regression"].items():
        o = f["overall"]
        values = {**o, "projected_accuracy": (o.get("projection") or {}).get("accuracy")}
        ok = o.get("status") == "ok"  # an insufficient fit has its model count only
        fits[prompt] = {k: values.get(k) if ok or k == "n" else None for k in HEADLINE_FIT}
    return {"runs": len(result["runs"]), "regression": fits}


def _defense_table(ws: Workspace, summary: dict[str, Any]) -> dict[str, Any] | None:
    """Privacy against utility: accuracy drop per (run, defense) and attribute, with McNemar p-values."""
    from vipbench.analysis.privacy_utility import as_records, privacy_utility_table

    by_base: dict[str, dict[str, str]] = defaultdict(dict)
    for run in summary:
        this = ws.run(run)
        if this.defense is not None and this.base in summary:
            by_base[this.base][this.defense] = run
    if not by_base:
        return None
    rows: list[dict[str, Any]] = []
    effects = []
    for base, cells in sorted(by_base.items()):
        utility = {}
        for d, run in cells.items():
            if kept := (read_details(ws, run) or {}).get("defense"):
                utility[d] = kept
        eff = privacy_utility_table(
            read_scores(ws, base), {d: read_scores(ws, run) for d, run in cells.items()}, utility
        )
        effects.append((base, eff))
        rows += [{"run": base, **r} for r in as_records(eff)]
    return {"rows": rows, "effects": effects}


def track_summary(ws: Workspace, result: dict[str, Any], fits: dict[str, Any]) -> str:
    from vipbench.ops import mlflow_shape as shape
    from vipbench.ops import tracking

    p = ws.params
    metrics = shape.summary_metrics(fits, len(result["runs"]))
    identity = {"summary": p.report.summary_run_name, "dataset": result["dataset"]["version"]}
    params = {
        "dataset.version": result["dataset"]["version"],
        "dataset.name": result["dataset"]["name"],
    }
    tags = {
        Tag.KIND: "summary",
        Tag.DATASET_VERSION: str(result["dataset"]["version"]),
        Tag.CAPABILITY_COLUMN: p.report.capability_column,
        Tag.LINKED_RUNS: json.dumps({r: rid for r in result["runs"] if (rid := mlflow_run_id(ws, r))})[:5000],
    }
    artifacts = {"figures": ws.figures_dir, "": ws.report_file}
    dataset = read_dataset_info(ws)
    return tracking.log_run(
        ws.root,
        ws.experiment,
        p.report.summary_run_name,
        identity,
        params,
        metrics,
        tags,
        artifacts=artifacts,
        dataset=shape.dataset_ref(ws.root, ws.data_dir, dataset),
        texts={"summary.json": json.dumps(result, indent=1, default=str)},
    )


def _judge_stats(ws: Workspace, runs: list[str]) -> dict[str, tuple[dict[str, Any], dict[str, Any]]]:
    """LLM-judge counters and judge-human agreement, from each run's details."""
    out = {}
    for run in runs:
        m = read_details(ws, run)
        if m is not None and "llm_judge" in m:
            out[run] = (m["llm_judge"], m.get("review_agreement") or {})
    return out


def _pct(v: float | None) -> str:
    return "-" if v is None else f"{100 * v:.1f}"


def _fmt(v: float | None, spec: str) -> str:
    return "-" if v is None else format(v, spec)


def _ci(v: float | None, lo: float | None, hi: float | None) -> str:
    return f"{_pct(v)} [{_pct(lo)}, {_pct(hi)}]"


def what_was_measured(ws: Workspace) -> list[str]:
    """The report's opening: what data this is, how big, and what the numbers count."""
    info = read_dataset_info(ws)
    per_attr = info.get("items_per_attribute") or {}
    counts = ", ".join(f"{a} {n}" for a, n in per_attr.items())
    lines = ["## What this report measured", ""]
    if info.get("synthetic"):
        lines += [
            "**The data is vipbench's bundled synthetic set**, not real posts: drawn scenes (signs, letters,",
            "diplomas, badges, payslips, licence plates) built so that text in the image reveals each label.",
            "It checks that the pipeline works end to end; an OCR adversary is near-perfect on it by",
            "construction, so its numbers say nothing about real leakage. Use your own data for findings.",
            "",
        ]
    lines += [
        f"- Dataset `{info.get('name', '?')}` version `{str(info.get('version', '?'))[:12]}`: "
        f"{info.get('images', '?')} images, {info.get('items', '?')} counted labels ({counts}).",
        "- **Headline accuracy** (the study's): correct or less precise over all labels; refused, "
        "unparseable, abstained and failed items count as wrong.",
        "- **Precise accuracy**: correct only; a less precise guess (same country, another city; Married "
        "against In Relation; the same field of work) counts as wrong. The gap between the two is how much "
        "of the headline is coarse guessing.",
        "- Every table gives its counts; 95% bootstrap intervals are in brackets.",
    ]
    return lines


def write_markdown(
    ws: Workspace,
    runs: dict[str, dict[str, Any]],
    summary: dict[str, Any],
    fits: dict[str, Any],
    defended: dict[str, Any] | None,
    unreported: dict[str, str] | None = None,
) -> None:
    from vipbench.analysis import report_tables as tables

    # the majority runs are the floor itself: no warning that they sit at it
    warnings = tables.floor_warnings(runs, [r for r, s in summary.items() if s["kind"] == "majority"])
    if warnings:
        warnings.append("")
    lines = [
        "# vipbench report",
        "",
        *what_was_measured(ws),
        "",
        *warnings,
        *tables.floor_table(runs),
        "",
        *tables.model_attribute_table(runs, ws.params.attributes),
        "",
        *tables.prompt_variant_table(summary),
        "",
        *tables.hardness_table(runs),
    ]
    ladder = tables.distance_table(runs)
    if ladder:
        lines += ["", *ladder]
    col = ws.params.report.capability_column
    lines += ["", f"## Accuracy against capability ({col})", ""]
    if not fits:
        lines.append("No run uses a prompt (only baselines), so there is nothing to fit.")
    for prompt, f in fits.items():
        o = f["overall"]
        if o.get("status") != "ok":
            lines.append(f"- prompt `{prompt}`: {o.get('message')}")
            continue
        proj = o.get("projection") or {}
        lines.append(
            f"- prompt `{prompt}`: {o['n']} models, slope {100 * o['slope']:.2f} points per capability point "
            f"(95% CI {_ci(None, *(o['bootstrap']['slope_ci'] or [None, None]))[2:]}), R² {o['r2']:.2f}, "
            f"Pearson r {o['pearson_r']:.2f} (p={o['pearson_p']:.3g}), Spearman ρ {o['spearman_rho']:.2f}; "
            f"projected accuracy at {col}={proj.get('at')}: {_pct(proj.get('accuracy'))}%"
        )
    if defended:
        lines += ["", *tables.defense_table(defended["rows"])]
    judged = _judge_stats(ws, list(runs))
    if judged:
        lines += [
            "",
            "## LLM judges",
            "",
            "| run | judge votes | disagreements | judge-human kappa |",
            "|---|---|---|---|",
        ]
        for run, (j, review) in judged.items():
            lines.append(f"| {run} | {j['votes']} | {j['disagreements']} | {_fmt(review.get('kappa'), '.2f')} |")
        lines.append("")
        lines.append("Disagreeing votes per item: `build/judging/<run>.json`.")
    if unreported:
        lines += ["", "## Runs not reported", ""]
        lines.append("These configured runs have no accuracy and are left out of every table, figure and fit:")
        lines.append("")
        lines += [f"- `{run}`: {why}" for run, why in sorted(unreported.items())]
    lines += ["", "Figures: `figures/*.png`. Plot data for `dvc plots show`: `plots/*.json`."]
    with atomic_open(ws.report_file) as fh:
        fh.write("\n".join(lines) + "\n")
