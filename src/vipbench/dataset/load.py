"""Read and validate a VIP dataset directory, collecting every problem as file:line:field."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from vipbench.core.attributes import CATEGORICAL
from vipbench.core.errors import InputError, Problem
from vipbench.core.options import written_form
from vipbench.dataset.schema import Record
from vipbench.imaging.images import ImageError, find_image, open_image

LABELS_FILE = "labels.jsonl"


@dataclass
class ImageRecords:
    """All lines for one image: the first is image-only, the last (if any) re-checked."""

    image_id: str
    lines: list[int] = field(default_factory=list)
    records: list[Record] = field(default_factory=list)

    @property
    def first(self) -> Record:
        return self.records[0]

    @property
    def rechecked(self) -> Record | None:
        return self.records[-1] if len(self.records) > 1 else None


@dataclass
class Dataset:
    root: Path
    labels_file: Path
    images: dict[str, ImageRecords]
    problems: list[Problem]

    def image_path(self, image_id: str) -> Path | None:
        return find_image(self.root / "images", image_id)


def _field_path(loc: tuple[int | str, ...]) -> str:
    # The schema keeps known attributes under an internal `attributes` key; hide it.
    return ".".join(str(p) for p in loc if p != "attributes")


def _with_value(err: Any) -> str:
    """A validation message that names the offending value (unless it already does, or the value is
    missing or is the whole enclosing object)."""
    msg = str(err["msg"])
    value = err.get("input")
    if err.get("type") == "missing" or isinstance(value, (dict, list)):
        return msg
    shown = repr(value)
    if len(shown) > 80:
        shown = shown[:77] + "..."
    return msg if shown in msg else f"{msg} (got {shown})"


def read_dataset(root: Path, labels: str = LABELS_FILE, check_images: bool = True) -> Dataset:
    """Parse every line; never stop at the first problem."""
    root = Path(root)
    labels_file = root / labels
    rel = str(labels_file)
    problems: list[Problem] = []
    images: dict[str, ImageRecords] = {}
    if not labels_file.is_file():
        problems.append(Problem(rel, None, None, "labels file not found"))
        return Dataset(root, labels_file, images, problems)
    with open(labels_file, "rb") as fh:
        for lineno, raw in enumerate(fh, start=1):
            if not raw.strip():
                continue
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as e:
                problems.append(Problem(rel, lineno, None, f"not valid UTF-8 (byte {e.start})"))
                continue
            try:
                obj = json.loads(text)
            except json.JSONDecodeError as e:
                hint = " (the line looks truncated)" if e.pos >= len(text.rstrip()) else ""
                problems.append(Problem(rel, lineno, None, f"invalid JSON: {e.msg} at column {e.colno}{hint}"))
                continue
            if not isinstance(obj, dict):
                problems.append(Problem(rel, lineno, None, "each line must be a JSON object"))
                continue
            try:
                rec = Record.model_validate(obj)
            except ValidationError as e:
                for err in e.errors():
                    problems.append(Problem(rel, lineno, _field_path(err["loc"]) or None, _with_value(err)))
                continue
            entry = images.setdefault(rec.datapoint.image_id, ImageRecords(rec.datapoint.image_id))
            entry.lines.append(lineno)
            entry.records.append(rec)
    for image_id, entry in images.items():
        if len(entry.records) > 2:
            problems.append(
                Problem(
                    rel,
                    entry.lines[2],
                    "datapoint.image_id",
                    f"duplicate image id {image_id!r}: already on lines {entry.lines[:2]}; an image may have "
                    "at most two lines (image-only, then re-checked)",
                )
            )
    if check_images:
        problems += _check_images(root, labels_file, images)
    return Dataset(root, labels_file, images, problems)


def _check_images(root: Path, labels_file: Path, images: dict[str, ImageRecords]) -> list[Problem]:
    problems = []
    images_dir = root / "images"
    for image_id, entry in images.items():
        path = find_image(images_dir, image_id)
        if path is None:
            problems.append(
                Problem(
                    str(labels_file),
                    entry.lines[0],
                    "datapoint.image_id",
                    f"image not found: {images_dir / image_id}.jpg (or .jpeg, .png, .webp, in any case)",
                )
            )
            continue
        try:
            open_image(path)
        except ImageError as e:
            # The image file is the culprit; also say which labels line and field point at it.
            ref = f"referenced by {labels_file}:{entry.lines[0]}: datapoint.image_id {image_id!r}"
            problems.append(Problem(str(path), None, None, f"{e} [{ref}]"))
    return problems


def load_dataset(root: Path, labels: str = LABELS_FILE, check_images: bool = True) -> Dataset:
    """Read a dataset and raise InputError listing every problem, if any."""
    ds = read_dataset(root, labels, check_images)
    if ds.problems:
        raise InputError(ds.problems)
    return ds


def line_counts(ds: Dataset) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for entry in ds.images.values():
        counts["images"] += 1
        counts["lines"] += len(entry.records)
        counts["rechecked"] += entry.rechecked is not None
    return dict(counts)


@dataclass
class CategoricalReading:
    """How the categorical labels of a dataset read: counts per written form (see
    vipbench.core.options.written_form), and where a label names no option. Such a label is
    allowed (it is scored by its text), but it is worth a look."""

    counts: dict[str, int]
    unread: list[Problem]


def read_categorical_labels(ds: Dataset) -> CategoricalReading:
    """Read every categorical estimate the way the scorers will: the option texts, and the
    labelling tool's labels and values ("College", "no_hs") alike."""
    counts: dict[str, int] = defaultdict(int)
    unread: list[Problem] = []
    for entry in ds.images.values():
        for lineno, rec in zip(entry.lines, entry.records, strict=True):
            for attribute in CATEGORICAL:
                label = rec.label.attributes.get(attribute)
                if label is None or not label.estimate.strip():
                    continue
                form = written_form(attribute, label.estimate)
                counts[form] += 1
                if form == "no option":
                    unread.append(
                        Problem(
                            str(ds.labels_file),
                            lineno,
                            f"label.{attribute}.estimate",
                            f"{label.estimate!r} names no {attribute} option; it is scored by its text alone",
                        )
                    )
    return CategoricalReading(dict(counts), unread)
