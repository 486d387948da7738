"""Readers of the files the pipeline's stages write: the one place that parses each of them.

`Workspace` says where a file lives; this module reads it. Stage modules import readers from
here, never from each other, so the data flows one way: prepare -> configure -> infer -> score
-> report, each stage reading only what an earlier one declared as its output.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, overload

from vipbench.core.io import read_jsonl
from vipbench.core.records import Item, Response, ScoredItem
from vipbench.workspace import Run, Workspace


def read_items(ws: Workspace, run: Run | None = None) -> list[Item]:
    """The prepared items, or the items a run answers (the defended copies for a defended run)."""
    path = run.items_file if run is not None else ws.items_file
    return [Item.model_validate(r) for r in read_jsonl(path)]


class ItemsFile(Sequence[Item]):
    """A run's items as a sequence that stays on disk: each pass re-reads the JSON Lines file.

    Only the byte offset of each line is held (8 bytes an item, against about 1.4 kB for a
    parsed item), so walking 10,000 items costs what walking 2,000 does. The file must not change
    while it is read; the stages write items files atomically, before any later stage starts.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        offsets: list[int] = []
        with open(path, "rb") as fh:
            pos = 0
            for line in fh:
                if line.strip():
                    offsets.append(pos)
                pos += len(line)
        self._offsets = offsets

    def __len__(self) -> int:
        return len(self._offsets)

    def __iter__(self) -> Iterator[Item]:
        with open(self.path, "rb") as fh:
            for line in fh:
                if line.strip():
                    yield Item.model_validate_json(line)

    @overload
    def __getitem__(self, index: int) -> Item: ...
    @overload
    def __getitem__(self, index: slice) -> list[Item]: ...
    def __getitem__(self, index: int | slice) -> Item | list[Item]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        with open(self.path, "rb") as fh:
            fh.seek(self._offsets[index])
            return Item.model_validate_json(fh.readline())


def read_responses(ws: Workspace, run: str) -> dict[str, Response]:
    return {r["item_id"]: Response.model_validate(r) for r in read_jsonl(ws.responses_file(run))}


def read_scores(ws: Workspace, run: str) -> list[ScoredItem]:
    return [ScoredItem.model_validate(r) for r in read_jsonl(ws.scores_file(run))]


def _json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def read_details(ws: Workspace, run: str) -> dict[str, Any] | None:
    """Everything the score stage computed for a run (its full metrics), or None if not scored."""
    data = _json(ws.details_file(run))
    return data if isinstance(data, dict) else None


def read_dataset_info(ws: Workspace) -> dict[str, Any]:
    """What prepare recorded about the dataset (name, version, counts); empty before prepare ran."""
    data = _json(ws.dataset_file)
    return data if isinstance(data, dict) else {}


def read_utility(run: Run) -> dict[str, Any] | None:
    """The mean utility (SSIM, PSNR) a defended run's defense kept; None when undefended."""
    data = _json(run.utility_file) if run.utility_file is not None else None
    return data if isinstance(data, dict) else None


def _measured(path: Path, of: Path, key: str) -> dict[str, Any]:
    """A measurements file, when the output it describes (`of`, whose hash it holds under `key`)
    is the one on disk; else {} (outputs pulled from a DVC remote come without their measurements)."""
    from vipbench.core.io import file_sha256

    data = _json(path)
    if not isinstance(data, dict) or not of.is_file() or data.pop(key, None) != file_sha256(of):
        return {}
    return data


def read_measurements(run: Run) -> dict[str, Any]:
    """The inference's latencies and cache hits, when they belong to the responses on disk."""
    return _measured(run.measurements_file, run.responses_file, "responses_sha256")


def read_judge_measurements(run: Run) -> dict[str, Any]:
    """The LLM judges' calls and cache hits of the scoring that wrote the run's scores on disk."""
    return _measured(run.judge_measurements_file, run.scores_file, "scores_sha256")


def read_failure(ws: Workspace, run: str) -> dict[str, Any] | None:
    """The failure record the infer stage left for a run with too many errors, else None."""
    data = _json(ws.outcome_file(run))
    return data if isinstance(data, dict) and data.get("failed") else None


def unreported_reason(ws: Workspace, run: str) -> str | None:
    """Why a configured run has no results to report or track, or None if it has them."""
    failure = read_failure(ws, run)
    if failure is not None and failure.get("stopped") == "batch_pending":
        return f"waiting for its batches: {failure.get('waiting')} of {failure.get('items')} items"
    if failure is not None and failure.get("stopped") == "budget":
        return (
            f"stopped at its budget: {failure.get('finished')} of {failure.get('items')} items finished "
            f"for ${failure.get('cost_usd')} of ${failure.get('max_cost_usd')} (raise inference.max_cost_usd)"
        )
    if failure is not None:
        top = next(iter(failure.get("error_messages") or {}), "unknown error")
        return (
            f"inference failed: {failure.get('errors')} of {failure.get('items')} items ended in error "
            f"(most often: {top})"
        )
    if not ws.scores_file(run).is_file() or not ws.details_file(run).is_file():
        return "not scored (no scores or details file)"
    return None


def mlflow_run_id(ws: Workspace, run: str) -> str | None:
    """The MLflow run `vipbench track` (or the report) logged for `run`, if any, on this machine."""
    data = _json(ws.tracking_file(run))
    rid = data.get("mlflow_run_id") if isinstance(data, dict) else None
    return str(rid) if rid else None
