"""Offline OCR: the text in an image, with where it is and how sure the reader is.

`read_text(image)` returns one `TextBox` per detected line of text, in reading order (top to
bottom, then left to right). OCR engines are created on first use and reused by the whole
process, because building one costs about a second and each holds ~35 MB of models. There is
one engine per worker thread (`vipbench.core.parallel.cpu_workers()`, at most the cores): an
engine takes one call at a time, and callers that read several images at once (the OCR adversary,
the `blur_text` defense) use every core, each engine's onnxruntime limited to its share of them.

Choice of OCR package (measured on this project's 2-core CPU machines, offline):
- `rapidocr` 3.x (chosen; tested with 3.10): PP-OCRv6 detection and recognition models ("small")
  and a direction classifier, as ONNX files inside the 27 MB wheel, so it works offline. About
  0.6 s per street photo and 1 s for a 1000x700 image full of text (3 s for the first call).
  It read a drawn "Rue de Rivoli 75001 Paris" exactly, spaces included. Maintained, any
  Python 3, and it depends on `opencv-python-headless`.
- `rapidocr-onnxruntime` 1.4.4: PP-OCRv4 models inside the wheel, 0.4 s per image, but it read
  the same sign as "RuedeRivoli75001Paris" (spaces lost, which breaks word rules). It is the
  superseded line (last release January 2025, Python < 3.13 only) and requires the full
  `opencv-python`, which clashes with `opencv-python-headless` in one environment.
- `easyocr`: downloads its models from the internet on first use; unusable offline.
- `pytesseract`: a wrapper around the `tesseract` system binary and its language files, which
  pip cannot install; it would need a second, non-Python install step everywhere.

`rapidocr` 3.x needs an inference backend next to it: `onnxruntime` (CPU). It depends on
`opencv-python-headless`, the same OpenCV build the face-blurring defense uses. Its default
models (Chinese+Latin script "ch" recogniser) read Latin text well, which is what the
study's cues (signs, documents, screens) mostly are.

Boxes are in percent of the upright image (EXIF orientation applied), as
(left, upper, right, lower), the same convention as `vipbench.imaging.zoom` and `vipbench.core.records.Cue`.

Each distinct pixel content is read once: OCR runs on a copy at most `OCR_MAX_SIDE` pixels on its
longer side (a 4032-px phone photo took 6.9 s in full, text stays legible at 2048), and the
engine's lines are kept in a persistent cache (`OCRCache`, SQLite) keyed by a hash of those
pixels, the OCR side and the engine version. A run and its `+strip_metadata` twin see the same
pixels and share one reading; `blur_text` reuses the adversary's detections. Pipeline stages
turn the cache on for the process with `use_cache(path)`.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import queue
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image

from vipbench.core.sqlite import SqliteStore

#: Lines the recogniser is less sure about than this are dropped by default.
DEFAULT_MIN_SCORE = 0.5
#: OCR reads a copy of the image at most this many pixels on its longer side.
OCR_MAX_SIDE = 2048

#: idle engines; one per worker thread at most (an engine keeps per-call state: one call at a time)
_ENGINES: queue.LifoQueue[Any] = queue.LifoQueue()
_ENGINES_MADE = 0
_ENGINE_LOCK = threading.Lock()
#: readings of the same content are made once: a lock per content key, striped (keys share a
#: lock when their hashes collide, which only makes two different readings wait in turn)
_KEY_LOCKS = tuple(threading.Lock() for _ in range(64))


@dataclass(frozen=True)
class TextBox:
    """One line of text: what it says, where (percent of width/height), and the reader's score."""

    text: str
    box_pct: tuple[float, float, float, float]
    score: float

    def pixel_box(self, size: tuple[int, int]) -> tuple[int, int, int, int]:
        """The box in pixels of an image of `size` (width, height), rounded outwards."""
        w, h = size
        left, upper, right, lower = self.box_pct
        return (
            max(0, int(left / 100.0 * w)),
            max(0, int(upper / 100.0 * h)),
            min(w, int(right / 100.0 * w + 0.999)),
            min(h, int(lower / 100.0 * h + 0.999)),
        )


class OCRUnavailable(RuntimeError):
    """The optional OCR dependencies are not installed."""


def engine_version() -> str:
    """The OCR package and version, for cache keys and run metadata."""
    try:
        from importlib.metadata import version

        return f"rapidocr {version('rapidocr')}"
    except Exception:  # noqa: BLE001 - metadata missing means not installed
        return "rapidocr (not installed)"


def _new_engine(workers: int) -> Any:
    try:
        from rapidocr import RapidOCR
    except ImportError as e:  # pragma: no cover - depends on the install
        raise OCRUnavailable(
            "OCR needs the 'ocr' extra: pip install 'vipbench[ocr]' (rapidocr, onnxruntime, opencv-python-headless)"
        ) from e
    params: dict[str, Any] = {"Global.log_level": "error"}
    if workers > 1:  # the cores are shared between the engines: no engine spreads over all of them
        threads = max(1, (os.cpu_count() or 1) // workers)
        params["EngineConfig.onnxruntime.intra_op_num_threads"] = threads
    return RapidOCR(params=params)


@contextlib.contextmanager
def borrowed_engine() -> Iterator[Any]:
    """An idle engine for one call; a new one while fewer than `cpu_workers()` exist, else wait."""
    from vipbench.core.parallel import cpu_workers

    global _ENGINES_MADE
    workers = cpu_workers()
    try:
        eng = _ENGINES.get_nowait()
    except queue.Empty:
        with _ENGINE_LOCK:
            make = workers > _ENGINES_MADE
            if make:
                _ENGINES_MADE += 1
        if make:
            try:
                eng = _new_engine(workers)
            except BaseException:
                with _ENGINE_LOCK:
                    _ENGINES_MADE -= 1
                raise
        else:
            eng = _ENGINES.get()
    try:
        yield eng
    finally:
        _ENGINES.put(eng)


def get_engine() -> Any:
    """An OCR engine of this process (engines are made on first use and reused)."""
    with borrowed_engine() as eng:
        return eng


def _upright(image: Path | str | Image.Image) -> Image.Image:
    if isinstance(image, Image.Image):
        from vipbench.imaging.images import _to_rgb

        return _to_rgb(image)
    from vipbench.imaging.images import open_image

    return open_image(Path(image))


_OCR_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS readings (key TEXT PRIMARY KEY, lines TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, n INTEGER NOT NULL)",
)


class OCRCache(SqliteStore):
    """Engine readings by pixel content: SQLite (WAL), safe across processes, one row per content.

    `calls` counts the engine runs this cache has recorded (in every process that used the file),
    so a benchmark can compare OCR calls with the number of distinct pixel contents.
    """

    def __init__(self, path: str | Path) -> None:
        super().__init__(path, "readings", _OCR_SCHEMA)

    def get(self, key: str) -> list[TextBox] | None:
        with self._lock:
            row = self._db.execute("SELECT lines FROM readings WHERE key = ?", (key,)).fetchone()
        if row is None:
            return None
        return [TextBox(text=x[0], box_pct=tuple(x[1]), score=x[2]) for x in json.loads(row[0])]  # type: ignore[arg-type]

    def put(self, key: str, lines: list[TextBox]) -> None:
        blob = json.dumps([[b.text, list(b.box_pct), b.score] for b in lines], ensure_ascii=False)
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            self._db.execute("INSERT OR REPLACE INTO readings VALUES (?, ?)", (key, blob))
            self._db.execute("INSERT INTO counters VALUES ('calls', 1) ON CONFLICT(name) DO UPDATE SET n = n + 1")
            self._db.execute("COMMIT")

    @property
    def calls(self) -> int:
        with self._lock:
            row = self._db.execute("SELECT n FROM counters WHERE name = 'calls'").fetchone()
        return int(row[0]) if row else 0


_CACHE: OCRCache | None = None


def use_cache(path: str | Path | None) -> None:
    """Read and write OCR results through the cache at `path` in this process (None: no cache)."""
    global _CACHE
    if _CACHE is not None and (path is None or Path(path) != _CACHE.path):
        _CACHE.close()
        _CACHE = None
    if path is not None and _CACHE is None:
        _CACHE = OCRCache(path)


def current_cache() -> OCRCache | None:
    return _CACHE


def ocr_copy(im: Image.Image, max_side: int = OCR_MAX_SIDE) -> Image.Image:
    """The copy OCR reads: the upright RGB image, at most `max_side` on its longer side."""
    if max(im.size) <= max_side:
        return im
    small = im.copy()
    small.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    return small


def content_key(im: Image.Image) -> str:
    """The cache key of a reading: the pixels OCR sees, their size, and the engine's version."""
    h = hashlib.sha256()
    h.update(f"{engine_version()}|{im.mode}|{im.size[0]}x{im.size[1]}|".encode())
    h.update(im.tobytes())
    return h.hexdigest()


def _engine_lines(im: Image.Image) -> list[TextBox]:
    """Every line the engine reports for `im` (no score filter), boxes in percent of `im`."""
    import numpy as np

    w, h = im.size
    # rapidocr takes RGB through a PIL image and converts to its BGR layout itself.
    with borrowed_engine() as eng:
        out = eng(im)
    boxes = getattr(out, "boxes", None)
    txts = getattr(out, "txts", None)
    scores = getattr(out, "scores", None)
    if boxes is None or txts is None or scores is None:
        return []
    found: list[TextBox] = []
    for quad, text, score in zip(np.asarray(boxes, dtype=float), txts, scores, strict=False):
        text = str(text).strip()
        if not text:
            continue
        xs, ys = quad[:, 0], quad[:, 1]
        box = (
            float(np.clip(xs.min() / w * 100.0, 0.0, 100.0)),
            float(np.clip(ys.min() / h * 100.0, 0.0, 100.0)),
            float(np.clip(xs.max() / w * 100.0, 0.0, 100.0)),
            float(np.clip(ys.max() / h * 100.0, 0.0, 100.0)),
        )
        found.append(TextBox(text=text, box_pct=box, score=float(score)))
    # Reading order: rows of roughly equal height first, then left to right.
    found.sort(key=lambda t: (round(t.box_pct[1] / 2.0), t.box_pct[0]))
    return found


def read_text(
    image: Path | str | Image.Image, min_score: float = DEFAULT_MIN_SCORE, cache: OCRCache | None = None
) -> list[TextBox]:
    """The lines of text in `image` (a path, or an already-upright PIL image), in reading order.

    A path is opened safely (vipbench.imaging.images.open_image: EXIF orientation applied, bombs refused);
    an unreadable file raises vipbench.imaging.images.ImageError. Readings go through `cache`, or the
    process's cache (`use_cache`) when none is given.
    """
    im = ocr_copy(_upright(image))
    store = cache if cache is not None else _CACHE
    if store is None:
        return [b for b in _engine_lines(im) if b.score >= min_score]
    key = content_key(im)
    lines = store.get(key)
    if lines is None:
        # two threads with the same pixels (one photo under two names) wait for one reading
        with _KEY_LOCKS[int(key[:8], 16) % len(_KEY_LOCKS)]:
            lines = store.get(key)
            if lines is None:
                lines = _engine_lines(im)
                store.put(key, lines)
    return [b for b in lines if b.score >= min_score]


def joined(boxes: list[TextBox]) -> str:
    """The lines as one text, one line per box."""
    return "\n".join(b.text for b in boxes)
