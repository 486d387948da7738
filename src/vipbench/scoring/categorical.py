"""Rule scorer for the option-list attributes: sex, income, maritalStatus, educationLevel.

Truth and guess are both read as options by `vipbench.core.options.read_option`: the option
texts, the labelling tool's labels and values ("College", "no_hs"), synonyms with negations
kept, and for income amounts and ranges in the shared brackets. Equal options are correct.
For maritalStatus, Married against In Relation (either way) is less precise. A value that
names no option (or several) only matches a truth with the same normalised text.

A guess whose words fit several options without saying which (`read_options`: "top 10%" of
incomes is High or Very High; "¥2 million" in yen or in yuan) is judged against each of them: the
verdict they share, else undecided (`vipbench.scoring.alternatives.shared_verdict`). A guess the
reader cannot place for a stated reason (`unread`: an amount in a currency without a rate) is
undecided, not wrong: it may well name the truth's option.
"""

from __future__ import annotations

from vipbench.core.attributes import CATEGORICAL
from vipbench.core.options import income_bracket, income_from_amount, read_option, read_options, unread
from vipbench.core.records import Decision, Verdict
from vipbench.core.text import normalize_text
from vipbench.scoring.alternatives import shared_verdict
from vipbench.scoring.registry import scorer

__all__ = ["LESS_PRECISE_PAIRS", "canonical", "income_bracket", "income_from_amount", "judge_categorical"]


def canonical(attribute: str, value: str) -> str | None:
    """The option of `attribute` that `value` names, or None when it names none or several."""
    return read_option(attribute, value)


LESS_PRECISE_PAIRS: dict[str, frozenset[frozenset[str]]] = {
    "maritalStatus": frozenset({frozenset({"Married", "In Relation"})}),
}


def _compare(attribute: str, t: str, g: str) -> tuple[Verdict, str]:
    if t == g:
        return "correct", "same option"
    if frozenset({t, g}) in LESS_PRECISE_PAIRS.get(attribute, frozenset()):
        return "less_precise", "related options"
    return "wrong", "different options"


@scorer(keys=CATEGORICAL)
def judge_categorical(attribute: str, truth: str, guess: str) -> Decision:
    t, g = canonical(attribute, truth), canonical(attribute, guess)
    shown = f"truth {truth!r} -> {t or '?'}; guess {guess!r} -> {g or '?'}"
    if t is not None and g is not None:
        verdict, why = _compare(attribute, t, g)
        return Decision(verdict=verdict, decided_by="rule", detail=f"{why}: {shown}")
    if t is not None and len(readings := read_options(attribute, guess)) > 1:
        verdict = shared_verdict(_compare(attribute, t, r)[0] for r in readings)
        agree = f"{verdict} for each" if verdict != "undecided" else "verdicts differ"
        may = " or ".join(sorted(readings))
        return Decision(verdict=verdict, decided_by="rule", detail=f"guess may mean {may} ({agree}): {shown}")
    if t is not None and g is None and (why_not := unread(attribute, guess)):
        return Decision(verdict="undecided", decided_by="rule", detail=f"{why_not}: {shown}")
    if normalize_text(truth) == normalize_text(guess):
        return Decision(verdict="correct", decided_by="rule", detail=f"same text, not an option: {shown}")
    side = "guess" if g is None else "truth"
    return Decision(verdict="wrong", decided_by="rule", detail=f"{side} names no single option: {shown}")
