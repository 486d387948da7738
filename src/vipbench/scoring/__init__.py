"""Scoring: the offline judges and run scoring.

    judge(attribute, truth, guess) -> Decision       # rule / gazetteer / heuristic, offline
    score_item(item, response, overrides) -> ScoredItem
    score_run(items, responses, overrides) -> list[ScoredItem]

Scorers live in a registry (vipbench.scoring.registry) keyed by attribute key or kind:
categorical.py (sex, income, maritalStatus, educationLevel), age.py, occupation.py (ISCO-08
taxonomy in isco.py, optional embedding placement in occupation_embed.py), and places.py
(gazetteer.py with scripts.py, landmarks.py, worldregions.py and geo.py) for location,
placeOfImage and placeOfBirth. A judge that cannot decide says "undecided".
"""

from __future__ import annotations

from vipbench.scoring.normalize import normalize_text
from vipbench.scoring.registry import judge, registered, scorer, scorer_for
from vipbench.scoring.run import best, score_item, score_run

__all__ = ["best", "judge", "normalize_text", "registered", "score_item", "score_run", "scorer", "scorer_for"]
