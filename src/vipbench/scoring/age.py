"""The age rule: two numbers within 5 years, intervals by overlap coefficient, a number inside an interval.

An age is parsed to a closed interval (low, high); a single number is the zero-length
interval (n, n). Then:
- two numbers: correct when they are at most 5 years apart;
- two intervals: correct when overlap / (length of the shorter one) >= 0.5;
- a number and an interval: correct when the number lies inside (inclusive).
A zero-length interval ("30-30") is a number. Otherwise wrong; this rule has no "less precise".
"""

from __future__ import annotations

from vipbench.core.ages import MAX_AGE, Interval, parse_age
from vipbench.core.records import Decision
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


@scorer(keys=("age",))
def judge_age(attribute: str, truth: str, guess: str) -> Decision:
    t, g = parse_age(truth), parse_age(guess)
    if t is None:
        return Decision(verdict="wrong", decided_by="rule", detail=f"truth {truth!r} is not an age")
    if g is None:
        return Decision(verdict="wrong", decided_by="rule", detail=f"guess {guess!r} is not an age")
    ok, why = compare_ages(t, g)
    detail = f"truth {_fmt(t)}, guess {_fmt(g)}: {why}"
    return Decision(verdict="correct" if ok else "wrong", decided_by="rule", detail=detail)
