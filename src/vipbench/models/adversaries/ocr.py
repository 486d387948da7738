"""The `ocr` adversary: how much leaks through the text in an image alone, with no VLM.

Each image is read once by offline OCR (vipbench.imaging.ocr; cached per image path within the run).
Hand-written rules then turn the text into up to three guesses for the item's attribute:
- places (location, placeOfImage, placeOfBirth): `ocr_places`, gazetteer look-ups of the
  words that need evidence to count (a common word, a brand or a small town alone does not);
- occupation, educationLevel, maritalStatus, sex, income, age: `ocr_rules`, weighted keyword
  tables (`ocr_tables`), pay amounts in the shared income brackets, birthday phrases.

An item with no cue gets status "abstained" with reason "no cue found in text"; it counts as
wrong, as a missing answer does in the study. The OCR text is the response's `inference`; `raw`
holds the OCR lines with boxes and the cues that fired, as JSON.
"""

from __future__ import annotations

import datetime as _dt
import json
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vipbench.core.attributes import PLACE_ATTRIBUTES
from vipbench.core.records import Item, Response
from vipbench.models.adversaries.ocr_places import default_resolver, guess_places, person_words
from vipbench.models.adversaries.ocr_rules import (
    EDUCATION,
    MARITAL,
    OCCUPATION,
    guess_age,
    guess_income,
    guess_sex,
    match_table,
)
from vipbench.models.registry import PerItemAdapter, RunContext, register
from vipbench.models.specs import OCRSpec

__all__ = [
    "EDUCATION",
    "MARITAL",
    "NO_CUE",
    "OCCUPATION",
    "OCRAdapter",
    "OCRSpec",
    "guess_age",
    "guess_income",
    "guess_places",
    "guess_sex",
    "match_table",
    "person_words",
]

NO_CUE = "no cue found in text"


# ------------------------------------------------------------------------ the adapter


@dataclass
class _Reading:
    lines: list[str]
    scores: list[float]
    raw: list[dict[str, Any]]
    seconds: float
    error: str | None = None


@register("ocr", OCRSpec)
class OCRAdapter(PerItemAdapter):
    def __init__(self, spec: OCRSpec, ctx: RunContext) -> None:
        self.spec = spec
        self.ctx = ctx
        self._readings: dict[Path, _Reading] = {}
        #: images whose reading an earlier item already reported (later items say "cached")
        self._used: set[Path] = set()
        self._resolver: Callable[[str], Any] | None = None
        self._resolver_loaded = False
        self.reference_year = spec.reference_year or _dt.date.today().year

    def infer(self, items: Sequence[Item]) -> Iterator[Response]:
        """Each distinct image is read once, on every core (`cpu_workers()` engines), in the order
        the items first name them; items are answered in their order as their reading arrives."""
        from vipbench.core.parallel import ordered_map

        paths = list(dict.fromkeys(self.ctx.data_dir / it.image for it in items))
        reads = ordered_map(self._read, paths)
        try:
            for it in items:
                while self.ctx.data_dir / it.image not in self._readings:
                    next(reads)
                r = self.respond(it)
                if self.ctx.progress:
                    self.ctx.progress(r)
                yield r
        finally:
            reads.close()  # stops the reads not started when the caller leaves early

    def _read(self, path: Path) -> _Reading:
        if path in self._readings:
            return self._readings[path]
        from vipbench.imaging.ocr import read_text

        t0 = time.perf_counter()
        try:
            boxes = read_text(path, min_score=self.spec.min_score)
            reading = _Reading(
                lines=[b.text for b in boxes],
                scores=[b.score for b in boxes],
                raw=[
                    {"text": b.text, "box": [round(x, 2) for x in b.box_pct], "score": round(b.score, 4)} for b in boxes
                ],
                seconds=time.perf_counter() - t0,
            )
        except Exception as e:  # noqa: BLE001 - an unreadable image is an error response, not a crash
            reading = _Reading([], [], [], time.perf_counter() - t0, error=f"{type(e).__name__}: {e}")
        self._readings[path] = reading
        return reading

    def _resolve(self) -> Callable[[str], Any] | None:
        if not self._resolver_loaded:
            self._resolver = default_resolver()
            self._resolver_loaded = True
        return self._resolver

    def guesses(self, attribute: str, lines: list[str], scores: list[float]) -> tuple[list[str], list[str]]:
        """Guesses for `attribute` from OCR lines, and the cues that produced them."""
        text = "\n".join(lines)
        if not text.strip():
            return [], []
        if attribute in PLACE_ATTRIBUTES:
            resolve = self._resolve()
            if resolve is None:
                return [], ["no gazetteer: vipbench.places.gazetteer is not importable"]
            return guess_places(lines, resolve, scores, birth=attribute == "placeOfBirth")
        if attribute == "occupation":
            return match_table(text, OCCUPATION)
        if attribute == "educationLevel":
            return match_table(text, EDUCATION)
        if attribute == "maritalStatus":
            return match_table(text, MARITAL)
        if attribute == "sex":
            return guess_sex(text)
        if attribute == "income":
            return guess_income(lines)
        if attribute == "age":
            return guess_age(text, self.reference_year)
        return [], []

    def respond(self, it: Item) -> Response:
        path = self.ctx.data_dir / it.image
        reading = self._read(path)
        cached = path in self._used
        self._used.add(path)
        base: dict[str, Any] = {
            "item_id": it.item_id,
            "image_id": it.image_id,
            "attribute": it.attribute,
            "cached": cached,
            "latency_s": 0.0 if cached else reading.seconds,
        }
        if reading.error is not None:
            return Response(**base, status="error", reason=reading.error)
        guesses, fired = self.guesses(it.attribute, reading.lines, reading.scores)
        raw = json.dumps({"ocr": reading.raw, "cues": fired}, ensure_ascii=False)
        inference = "\n".join(reading.lines)
        if guesses:
            return Response(**base, status="answered", guesses=guesses, inference=inference, raw=raw)
        return Response(**base, status="abstained", reason=NO_CUE, inference=inference, raw=raw)

    def close(self) -> None:
        self._readings.clear()
        self._used.clear()
