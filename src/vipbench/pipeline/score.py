"""score: judge every response and compute the run's metrics.

Writes the run's headline figures to metrics/<run>.json (the DVC metric), everything else to
build/details/<run>.json (a DVC output), and how many LLM-judge votes were asked or cached to
build/tracking/<run>.judges.json (a measurement, not an output). DVC outputs hold only what a
re-run repeats. MLflow gets the run from `pipeline.track` (the report stage, the flows, or
`vipbench track`), so this stage never imports MLflow: ~3 s less CPU a run.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from vipbench.core.io import file_sha256, write_json, write_jsonl
from vipbench.core.records import Item, ScoredItem
from vipbench.readers import read_items, read_responses, read_utility
from vipbench.workspace import Workspace


def score(ws: Workspace, run: str) -> dict[str, Any]:
    """Score a run; returns its full metrics (the details)."""
    from vipbench.analysis.metrics import headline, run_metrics
    from vipbench.pipeline.accounting import accounting
    from vipbench.review.store import agreement, load_overrides, read_reviews
    from vipbench.scoring import score_run

    p = ws.params
    this = ws.run(run)
    items = read_items(ws, this)
    responses = read_responses(ws, run)
    overrides = load_overrides(ws.reviews_file)
    panel = _judge_panel(ws)
    try:
        scored = score_run(items, responses, overrides, judge_fn=panel.judge_fn if panel else None)
        floor = _floor(items, scored, overrides, panel, p.attributes)
    finally:
        if panel:
            panel.close()
    details = run_metrics(scored, p.attributes, n_boot=p.scoring.bootstrap_samples, seed=p.scoring.seed)
    details["floor"] = floor
    details["accounting"] = accounting(list(responses.values()))
    details["review_agreement"] = agreement(read_reviews(ws.reviews_file))
    if any(r.zoom_boxes for r in responses.values()):
        from vipbench.imaging.zoom import cue_hits

        details["zoom"] = cue_hits(
            [
                (list(responses[it.item_id].zoom_boxes), [c.box for c in it.cues])
                for it in items
                if it.item_id in responses
            ]
        )
    if (u := read_utility(this)) is not None:
        # the image utility the defense kept, so the report needs no other file
        kept = {k: u.get(k) for k in ("kind", "ssim", "psnr", "n_images", "n_failed")}
        details["defense"] = {"name": this.defense, **kept}
    if panel:
        # votes and disagreements repeat; how many votes came from the cache does not
        details["llm_judge"] = {"votes": panel.calls + panel.cache_hits, "disagreements": len(panel.disagreements)}
    # the MLflow run id of earlier results no longer describes these (`pipeline.track` writes it)
    this.tracking_file.unlink(missing_ok=True)
    # never empty (DVC warns about an empty output): the run, and its judges' disagreeing votes
    write_json(this.judging_file, {"run": run, "disagreements": panel.disagreements if panel else []})
    write_jsonl(this.scores_file, scored)
    if panel:
        measured = {"calls": panel.calls, "cache_hits": panel.cache_hits}
        scores_sha256 = file_sha256(this.scores_file)  # ties them to these scores
        write_json(this.judge_measurements_file, {"llm_judge": measured, "scores_sha256": scores_sha256})
    else:
        this.judge_measurements_file.unlink(missing_ok=True)
    write_json(this.details_file, details)
    write_json(this.metrics_file, headline(details))
    return details


def _floor(
    items: Sequence[Item], scored: list[ScoredItem], overrides: Any, panel: Any, attributes: Sequence[str]
) -> dict[str, Any]:
    """The majority guess on the same items, judged the same way, and the run's lift over it."""
    from vipbench.analysis.floor import floor_block
    from vipbench.core.floor import floor_response, majority_guesses
    from vipbench.scoring import score_run

    guesses = majority_guesses(items)
    responses = {it.item_id: floor_response(it, guesses) for it in items}
    floor = score_run(items, responses, overrides, judge_fn=panel.judge_fn if panel else None)
    return floor_block(scored, floor, attributes)


def _judge_panel(ws: Workspace):  # type: ignore[no-untyped-def]
    if not ws.params.scoring.judges:
        return None
    from vipbench.scoring.llm_judge import LLMJudgePanel

    return LLMJudgePanel(ws.params.scoring.judges, ws.judge_cache_path)
