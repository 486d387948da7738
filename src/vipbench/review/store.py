"""Human review decisions: a JSONL file versioned with the pipeline that overrides the judges.

Each line: {"item_id", "guess", "verdict", "reviewer", "note", "judge_verdict", "judge"}.
A decision applies to one item and one normalised guess, so a new guess is judged afresh.
"""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel, ValidationError

from vipbench.core.errors import InputError, Problem
from vipbench.core.records import Decision, Verdict
from vipbench.core.text import normalize_text


class ReviewDecision(BaseModel):
    item_id: str
    guess: str
    verdict: Verdict
    reviewer: str = "human"
    note: str = ""
    judge_verdict: Verdict | None = None
    judge: str | None = None


def guess_key(guess: str) -> str:
    return normalize_text(guess)


def read_reviews(path: Path) -> list[ReviewDecision]:
    if not path.is_file():
        return []
    out: list[ReviewDecision] = []
    problems: list[Problem] = []
    with open(path, encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                out.append(ReviewDecision.model_validate(json.loads(line)))
            except json.JSONDecodeError as e:
                problems.append(Problem(str(path), lineno, None, f"invalid JSON: {e.msg}"))
            except ValidationError as e:
                problems += [
                    Problem(str(path), lineno, ".".join(map(str, err["loc"])), err["msg"]) for err in e.errors()
                ]
    if problems:
        raise InputError(problems)
    return out


def load_overrides(path: Path) -> dict[tuple[str, str], Decision]:
    """Later lines win, so a reviewer can change their mind by appending."""
    return {
        (r.item_id, guess_key(r.guess)): Decision(verdict=r.verdict, decided_by="human", detail=r.note)
        for r in read_reviews(path)
    }


def append_review(path: Path, decision: ReviewDecision) -> None:
    """Append one decision as a complete line, flushed to disk (a crash never leaves half a line)."""
    import os

    path.parent.mkdir(parents=True, exist_ok=True)
    line = json.dumps(decision.model_dump(mode="json"), ensure_ascii=False, sort_keys=True) + "\n"
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(line)
        fh.flush()
        os.fsync(fh.fileno())


def agreement(reviews: list[ReviewDecision]) -> dict[str, float | int | None]:
    """Judge-human agreement over reviewed items: raw accuracy and Cohen's kappa (scikit-learn)."""
    pairs = [(r.judge_verdict, r.verdict) for r in reviews if r.judge_verdict is not None]
    if not pairs:
        return {"n": 0, "accuracy": None, "kappa": None}
    judge, human = zip(*pairs, strict=True)
    acc = sum(j == h for j, h in pairs) / len(pairs)
    kappa: float | None
    if len(set(judge) | set(human)) < 2:
        kappa = None  # undefined when only one label ever appears
    else:
        from sklearn.metrics import cohen_kappa_score

        kappa = float(cohen_kappa_score(judge, human))
    return {"n": len(pairs), "accuracy": acc, "kappa": kappa}
