"""The age rule: two numbers within 5 years, intervals by overlap coefficient, a number inside an interval.

An age is parsed to a closed interval (low, high); a single number is the zero-length
interval (n, n). Then:
- two numbers: correct when they are at most 5 years apart;
- two intervals: correct when overlap / (length of the shorter one) >= 0.5;
- a number and an interval: correct when the number lies inside (inclusive).
A zero-length interval ("30-30") is a number. Otherwise wrong; this rule has no "less precise".

Answers that are not exact ages are read by `vipbench.core.age_answers.read_age`: an open-ended
answer ("35+", "under 18") is the span it names; a life-stage word ("middle-aged") is two spans,
the years every reading includes and the years some reading includes, and the verdict is the one
both give, else undecided. "X or Y" ("40 or 45") is judged per alternative and gets the verdict
both share, else undecided (`vipbench.scoring.alternatives`).
"""

from __future__ import annotations

from itertools import product

from vipbench.core.age_answers import read_age
from vipbench.core.ages import MAX_AGE, Interval, parse_age
from vipbench.core.records import Decision, Verdict
from vipbench.scoring.alternatives import or_alternatives, shared_verdict
from vipbench.scoring.registry import scorer

NUMBER_TOLERANCE = 5.0
MIN_OVERLAP = 0.5
#: an age is read into a closed interval of years (vipbench.core.ages)
__all__ = ["MAX_AGE", "MIN_OVERLAP", "NUMBER_TOLERANCE", "Interval", "compare_ages", "judge_age", "parse_age"]


def _fmt(iv: Interval) -> str:
    lo, hi = (f"{x:g}" for x in iv)
    return lo if iv[0] == iv[1] else f"{lo}-{hi}"


def compare_ages(truth: Interval, guess: Interval) -> tuple[bool, str]:
    """(correct?, why) under the age rule."""
    t_point, g_point = truth[0] == truth[1], guess[0] == guess[1]
    if t_point and g_point:
        diff = abs(truth[0] - guess[0])
        return diff <= NUMBER_TOLERANCE, f"numbers {diff:g} years apart (limit {NUMBER_TOLERANCE:g})"
    if t_point or g_point:
        point, (lo, hi) = (truth[0], guess) if t_point else (guess[0], truth)
        inside = lo <= point <= hi
        return inside, f"{point:g} {'inside' if inside else 'outside'} {lo:g}-{hi:g}"
    overlap = max(0.0, min(truth[1], guess[1]) - max(truth[0], guess[0]))
    shorter = min(truth[1] - truth[0], guess[1] - guess[0])
    coef = overlap / shorter
    return coef >= MIN_OVERLAP, f"interval overlap coefficient {coef:.2f} (needs {MIN_OVERLAP:g})"


def _judge_one(truth: tuple[Interval, ...], guess_text: str) -> tuple[Verdict, str]:
    guess = read_age(guess_text)
    if guess is None:
        return "wrong", f"guess {guess_text!r} is not an age"
    results = [(compare_ages(t, g), t, g) for t, g in product(truth, guess)]
    verdict = shared_verdict("correct" if ok else "wrong" for (ok, _), _, _ in results)
    (_, why), t, g = results[0]
    detail = f"truth {_fmt(t)}, guess {_fmt(g)}: {why}"
    if len(results) > 1:
        spans = ", ".join(_fmt(g) for g in guess)
        agree = "the readings agree" if verdict != "undecided" else "the readings disagree"
        detail += f" (a life-stage word, read as {spans}: {agree})"
    return verdict, detail


@scorer(keys=("age",))
def judge_age(attribute: str, truth: str, guess: str) -> Decision:
    t = read_age(truth)
    if t is None:
        return Decision(verdict="wrong", decided_by="rule", detail=f"truth {truth!r} is not an age")
    parts = or_alternatives(guess, lambda p: read_age(p) is not None)
    results = [_judge_one(t, p) for p in parts]
    verdict = shared_verdict(v for v, _ in results)
    if len(parts) == 1:
        detail = results[0][1]
    else:
        detail = "; ".join(f"{p!r}: {d}" for p, (_, d) in zip(parts, results, strict=True))
    return Decision(verdict=verdict, decided_by="rule", detail=detail)
