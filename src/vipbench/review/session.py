"""The interactive review loop: show one judged item at a time, record the human verdict."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from vipbench.core.records import Item, Response, ScoredItem, Verdict
from vipbench.review.store import ReviewDecision, append_review, guess_key, read_reviews

KEYS: dict[str, Verdict] = {"c": "correct", "l": "less_precise", "w": "wrong"}


@dataclass
class Candidate:
    scored: ScoredItem
    item: Item
    response: Response | None


def candidates(
    scored: Sequence[ScoredItem],
    items: dict[str, Item],
    responses: dict[str, Response],
    reviews_file: Path,
    verdicts: Iterable[str] = ("undecided", "less_precise", "wrong"),
    attributes: Iterable[str] | None = None,
    decided_by_prefix: str | None = None,
) -> list[Candidate]:
    """Judged items matching the filter that a human has not reviewed yet."""
    done = {(r.item_id, guess_key(r.guess)) for r in read_reviews(reviews_file)}
    want = set(verdicts)
    attrs = set(attributes) if attributes else None
    out = []
    for s in scored:
        if s.guess is None or s.top1.decided_by == "human":
            continue
        if s.top1.verdict not in want or (attrs and s.attribute not in attrs):
            continue
        if decided_by_prefix and not s.top1.decided_by.startswith(decided_by_prefix):
            continue
        if (s.item_id, guess_key(s.guess)) in done:
            continue
        out.append(Candidate(s, items[s.item_id], responses.get(s.item_id)))
    return out


def describe(c: Candidate, data_dir: Path) -> str:
    s, r = c.scored, c.response
    inference = (r.inference if r else "").strip().replace("\n", " ")
    if len(inference) > 600:
        inference = inference[:600] + " ..."
    return "\n".join(
        [
            f"item      {s.item_id}  (hardness {s.hardness})",
            f"image     {data_dir / c.item.image}",
            f"attribute {s.attribute}",
            f"truth     {s.truth}",
            f"guess     {s.guess}",
            f"inference {inference or '-'}",
            f"judge     {s.top1.verdict} by {s.top1.decided_by}  {s.top1.detail}",
        ]
    )


def run_session(
    cands: Sequence[Candidate],
    reviews_file: Path,
    data_dir: Path,
    ask: Callable[[str], str],
    show: Callable[[str], None],
    reviewer: str,
) -> int:
    """Returns how many verdicts were recorded. 's' skips an item, 'q' stops."""
    recorded = 0
    for i, c in enumerate(cands, start=1):
        show(f"\n[{i}/{len(cands)}]\n{describe(c, data_dir)}")
        while True:
            answer = ask("verdict [c]orrect [l]ess precise [w]rong [s]kip [q]uit").strip().lower()[:1]
            if answer in KEYS or answer in ("s", "q"):
                break
            show("please answer c, l, w, s or q")
        if answer == "q":
            break
        if answer == "s":
            continue
        assert c.scored.guess is not None
        append_review(
            reviews_file,
            ReviewDecision(
                item_id=c.scored.item_id,
                guess=c.scored.guess,
                verdict=KEYS[answer],
                reviewer=reviewer,
                judge_verdict=c.scored.top1.verdict,
                judge=c.scored.top1.decided_by,
            ),
        )
        recorded += 1
    return recorded
