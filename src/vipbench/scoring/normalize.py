"""Text normalisation for the scorers, re-exported from `vipbench.core.text` (its one home).

Kept so that `from vipbench.scoring.normalize import normalize_text` goes on working.
"""

from __future__ import annotations

from vipbench.core.text import (
    HEDGES,
    PhraseTable,
    alternatives,
    ascii_key,
    fold,
    normalize_text,
    strip_accents,
    without_hedges,
)

__all__ = [
    "HEDGES",
    "PhraseTable",
    "alternatives",
    "ascii_key",
    "fold",
    "normalize_text",
    "strip_accents",
    "without_hedges",
]
