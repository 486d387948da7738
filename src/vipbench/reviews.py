"""Human review decisions: a JSONL file versioned with the pipeline that overrides the judges.

Each line: {"item_id", "guess", "verdict", "reviewer", "note", "judge_verdict", "judge"}.
A decision applies to one item and one normalised guess, so a new guess is judged afresh.
"""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel, ValidationError

from vipbench.errors import InputError, Problem
from vipbench.records import Decision, Verdict


class ReviewDecision(BaseModel):
    item_id: str
    guess: str
    verdict: Verdict
    reviewer: str = "human"
    note: str = ""
    judge_verdict: Verdict | None = None
    judge: str | None = None


def guess_key(guess: str) -> str:
    from vipbench.scoring.normalize import normalize_text

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
