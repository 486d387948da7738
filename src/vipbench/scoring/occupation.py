"""Offline occupation judge on the ISCO-08 taxonomy (see :mod:`vipbench.scoring.isco`).

Both answers are mapped to ISCO-08 groups (plus vipbench's groups for the unemployed, retired,
students, homemakers and the self-employed). Then, as the study's rule asks (the same job is
correct, the same field is less precise):

* **correct**: the same group, or one inside the other ("doctor" and "surgeon", "musician" and
  "guitarist"), or a job against the name of its own field, either way ("software engineer" and
  "IT"); the same text; synonyms ("vet" and "veterinarian", "unemployed" and "none");
* **less_precise**: different jobs of one field ("nurse" and "doctor"), of one ISCO minor group
  ("lawyer" and "judge"), or sharing the head noun when a title is not in the table ("wedding
  planner" and "event planner");
* **wrong**: no shared field; two coarse answers (a field, or a whole ISCO major group such as
  "management") of different fields ("IT" and "Management"); a refusal ("unknown") as the guess;
* **undecided**: an answer that is not in the table and shares nothing visible with the other one;
  a guess "X or Y" whose alternatives get different verdicts.

Titles in other languages and tech abbreviations are read as the English titles they name
(:mod:`vipbench.scoring.occupation_words`), and the detail says so.

An answer naming several jobs held together ("student and part-time barista", "nurse/midwife")
counts by its best-matching job. A guess offering alternatives ("nurse or doctor") gets the
verdict every alternative gets, else undecided (:mod:`vipbench.scoring.alternatives`).

Why a taxonomy rather than only an embedding model: pairwise similarity of small sentence
embeddings does not separate the cases the rule needs ("software engineer" and "IT" score 0.20,
below "nurse" and "lawyer" at 0.38), and a verdict should not move with an optional install.
A sentence-embedding model can still place a title that is not in the table on its nearest
taxonomy title (:mod:`vipbench.scoring.occupation_embed`, off unless ``VIPBENCH_OCCUPATION_EMBEDDINGS=1``
and the ``hf`` extra is installed); those decisions say ``decided_by="embedding"``.

Table decisions say ``decided_by="heuristic"`` (an offline rule, not the study's LLM judge), and
their detail starts with "heuristic (ISCO-08 taxonomy)".
"""

from __future__ import annotations

import os
from itertools import product

from vipbench.core.records import Decision, Verdict
from vipbench.scoring.alternatives import or_alternatives, shared_verdict
from vipbench.scoring.isco import Occupation, english, group_title, parse, split_answers, titles
from vipbench.scoring.normalize import normalize_text
from vipbench.scoring.registry import scorer

__all__ = ["classify", "compare_occupations", "judge_occupation"]

_ORDER: dict[Verdict, int] = {"wrong": 0, "undecided": 1, "less_precise": 2, "correct": 3}
EMBEDDINGS_ENV = "VIPBENCH_OCCUPATION_EMBEDDINGS"


def classify(text: str) -> Occupation:
    """What an occupation string names: a known job (``job``, ``codes``), a whole field, or neither."""
    return parse(text)


def _contains(outer: Occupation, inner: Occupation) -> bool:
    return any(i.startswith(o) for o, i in product(outer.codes, inner.codes))


def _describe(occ: Occupation) -> str:
    if occ.field_only:
        return f"{occ.text!r} (field {next(iter(occ.fields))})"
    if not occ.codes:
        return f"{occ.text!r} (not in the table)"
    codes = "/".join(sorted(occ.codes))
    return f"{occ.text!r} = {codes} {group_title(min(occ.codes, key=len))}"


def _head(occ: Occupation) -> str | None:
    words = occ.text.split()
    return words[-1] if words and len(words[-1]) > 2 else None


def _coarse(occ: Occupation) -> bool:
    """A field ("IT", "healthcare") or a whole ISCO major group ("management", "the military")."""
    return occ.field_only or (bool(occ.codes) and all(len(c) == 1 for c in occ.codes))


def compare_occupations(truth: Occupation, guess: Occupation) -> tuple[Verdict, str]:
    """The verdict for two parsed answers, with a short reason."""
    if guess.how == "non-answer":
        return "wrong", "the guess names no occupation"
    if truth.text == guess.text and truth.text:
        return "correct", f"same text {truth.text!r}"
    if truth.known and guess.known:
        if _coarse(truth) and _coarse(guess):  # "IT" and "Management": two fields, not a job in a field
            if truth.fields & guess.fields:
                return "correct", "same field"
            return "wrong", "different fields"
        if _contains(truth, guess):
            return "correct", "the guess is the same job or inside the truth's group" if not truth.field_only else (
                "a job in the named field"
            )
        if _contains(guess, truth):
            return "correct", "the truth is inside the guess's group" if not guess.field_only else (
                "a job in the named field"
            )
        shared = truth.fields & guess.fields
        if shared:
            return "less_precise", f"same field {', '.join(sorted(shared))!r}, different jobs"
        minor = {c[:3] for c in truth.codes if len(c) >= 3} & {c[:3] for c in guess.codes if len(c) >= 3}
        if minor:
            return "less_precise", f"same ISCO minor group {group_title(min(minor))!r}"
        return "wrong", "no shared job or field"
    head_t, head_g = _head(truth), _head(guess)
    if head_t and head_t == head_g:
        return "less_precise", f"same head noun {head_t!r}"
    return "undecided", "an answer is not in the occupation table"


def _embedded(occ: Occupation) -> Occupation | None:
    """An unknown title placed on its nearest taxonomy title by the optional embedding model."""
    if occ.known or occ.how == "non-answer" or os.environ.get(EMBEDDINGS_ENV, "").lower() not in ("1", "true"):
        return None
    from vipbench.scoring.occupation_embed import nearest_title

    title = nearest_title(occ.text)
    return parse(title) if title else None


def _judge_one(truth_text: str, guess_text: str) -> tuple[Verdict, str, bool]:
    truth, guess = parse(truth_text), parse(guess_text)
    verdict, reason = compare_occupations(truth, guess)
    used_model = False
    if verdict == "undecided":
        t2, g2 = _embedded(truth) or truth, _embedded(guess) or guess
        if (t2, g2) != (truth, guess):
            verdict, reason = compare_occupations(t2, g2)
            truth, guess, used_model = t2, g2, True
            reason += " (placed by the embedding model)"
    return verdict, f"truth {_describe(truth)}, guess {_describe(guess)}: {reason}", used_model


def _best(truth: str, guess: str) -> tuple[Verdict, str, bool]:
    """The verdict of the best-matching pair of jobs named in truth and guess."""
    best: tuple[Verdict, str, bool] | None = None
    for t, g in product(split_answers(truth), split_answers(guess)):
        result = _judge_one(t, g)
        if best is None or _ORDER[result[0]] > _ORDER[best[0]]:
            best = result
    assert best is not None
    return best


def _alternatives(guess: str) -> list[str]:
    """The alternatives of "X or Y" (not of a title that holds "or")."""
    if normalize_text(guess) in titles() or parse(guess).how == "non-answer":
        return [guess]
    return or_alternatives(guess, lambda part: bool(normalize_text(part)))


@scorer(keys=("occupation",))
def judge_occupation(attribute: str, truth: str, guess: str) -> Decision:
    """Judge an occupation guess: several jobs held count by the best-matching one; alternatives
    ("X or Y") by the verdict they share, else undecided."""
    read = english(guess)  # "PM" stands for two titles: alternatives
    results = [_best(truth, alternative) for alternative in _alternatives(read)]
    verdict = shared_verdict(r[0] for r in results)
    why = results[0][1] if len(results) == 1 else "; ".join(f"{r[0]}: {r[1]}" for r in results)
    if len(results) > 1:
        why = f"alternatives{' disagree' if verdict == 'undecided' else ' agree'} ({why})"
    if normalize_text(read) != normalize_text(guess):
        why += f" (the guess {guess!r} read as {normalize_text(read)!r})"
    if any(r[2] for r in results):
        return Decision(verdict=verdict, decided_by="embedding", detail=f"embedding (nearest ISCO-08 title): {why}")
    return Decision(verdict=verdict, decided_by="heuristic", detail=f"heuristic (ISCO-08 taxonomy): {why}")
