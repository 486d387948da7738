"""report: gather every configured run into metrics/summary.json and a Markdown table."""

from __future__ import annotations

from typing import Any

from vipbench.io import atomic_open, write_json
from vipbench.pipeline.score import read_scores
from vipbench.workspace import Workspace


def collect(ws: Workspace) -> dict[str, dict[str, Any]]:
    """Per-run metrics recomputed from the scored items (deterministic under the seed)."""
    from vipbench.metrics import run_metrics

    p = ws.params
    runs: dict[str, dict[str, Any]] = {}
    for run in p.models:
        if not ws.scores_file(run).is_file():
            continue
        runs[run] = run_metrics(
            read_scores(ws, run), p.attributes, n_boot=p.scoring.bootstrap_samples, seed=p.scoring.seed
        )
    return runs


def report(ws: Workspace) -> dict[str, Any]:
    p = ws.params
    runs = collect(ws)
    summary: dict[str, Any] = {
        "runs": {
            run: {
                "kind": p.models[run].kind,
                "prompt": p.models[run].prompt if p.models[run].uses_prompt() else None,
                "accuracy": m["overall"]["accuracy"],
                "accuracy_ci": [m["overall"]["accuracy_ci_low"], m["overall"]["accuracy_ci_high"]],
                "macro_accuracy": m["overall"]["macro_accuracy"],
                "top3_accuracy": m["overall"]["top3_accuracy"],
                "n": m["overall"]["n"],
                "attributes": {a: v["accuracy"] for a, v in m["attributes"].items()},
            }
            for run, m in runs.items()
        },
        "missing_runs": sorted(set(p.models) - set(runs)),
    }
    write_json(ws.summary_file, summary)
    write_markdown(ws, runs)
    return summary


def _pct(v: float | None) -> str:
    return "-" if v is None else f"{100 * v:.1f}"


def write_markdown(ws: Workspace, runs: dict[str, dict[str, Any]]) -> None:
    attrs = ws.params.attributes
    lines = [
        "# vipbench report",
        "",
        "Accuracy in % (less precise counted as correct, refusals count as wrong); 95% bootstrap CI in brackets.",
        "",
        "| run | overall | " + " | ".join(attrs) + " |",
        "|---|---|" + "---|" * len(attrs),
    ]
    for run, m in runs.items():
        o = m["overall"]
        cells = [
            f"{_pct(m['attributes'][a]['accuracy'])} [{_pct(m['attributes'][a]['accuracy_ci_low'])}, "
            f"{_pct(m['attributes'][a]['accuracy_ci_high'])}]"
            for a in attrs
        ]
        overall = f"{_pct(o['accuracy'])} [{_pct(o['accuracy_ci_low'])}, {_pct(o['accuracy_ci_high'])}]"
        lines.append(f"| {run} | {overall} | " + " | ".join(cells) + " |")
    lines += ["", "## By hardness", "", "| run | " + " | ".join(f"h{h}" for h in range(1, 6)) + " |"]
    lines.append("|---|" + "---|" * 5)
    for run, m in runs.items():
        hb = m.get("by_hardness", {})
        lines.append(f"| {run} | " + " | ".join(_pct(hb.get(str(h), {}).get("accuracy")) for h in range(1, 6)) + " |")
    with atomic_open(ws.root / "metrics" / "report.md") as fh:
        fh.write("\n".join(lines) + "\n")
