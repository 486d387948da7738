"""Defenses: image transformations applied before inference, one registry entry each.

A defense works on an image *file* and writes a new file, so that removing metadata is a
defense like any other: `apply_defense(name, params, src, dst_dir) -> Path`, cached by content.
The package is small modules with one job each; this module re-exports their public API:

- `registry`: the registry, `register_defense`, params validation, the cache key;
- `transforms`: none, strip_metadata, downscale, jpeg, crop_border;
- `redact`: blur_text (OCR lines) and blur_faces (faces), blurred or boxed out;
- `imagefile`: loading upright and saving with the metadata carried ("kept" for pixel defenses
  means EXIF with GPS and camera, XMP, ICC and the JPEG comment; the EXIF thumbnail is dropped);
- `jpeg`: the JPEG segment parser behind strip_metadata; `faces`: face detection;
- `apply`: one image, content-hash cached; `items`: the defend loop over a run's items, which
  records the images it cannot defend and goes on;
- `similarity`: SSIM and PSNR of a defended image against its original.
"""

from __future__ import annotations

from . import redact, transforms  # noqa: F401 - importing them registers the defenses
from .apply import apply_defense
from .faces import FaceDetectionParams, detect_faces
from .imagefile import REENCODE_QUALITY
from .items import IMAGE_FAILURES, defend_items
from .jpeg import strip_jpeg_segments
from .redact import BlurFacesParams, BlurTextParams
from .registry import (
    Defense,
    DefenseError,
    DefenseParams,
    defense_key,
    get_defense,
    list_defenses,
    params_for,
    parse_defense_spec,
    register_defense,
    validate_params,
)
from .similarity import PSNR_CAP, mean_utility, utility
from .transforms import CropBorderParams, DownscaleParams, JpegParams, NoParams

__all__ = [
    "IMAGE_FAILURES",
    "PSNR_CAP",
    "REENCODE_QUALITY",
    "BlurFacesParams",
    "BlurTextParams",
    "CropBorderParams",
    "Defense",
    "DefenseError",
    "DefenseParams",
    "DownscaleParams",
    "FaceDetectionParams",
    "JpegParams",
    "NoParams",
    "apply_defense",
    "defend_items",
    "defense_key",
    "detect_faces",
    "get_defense",
    "list_defenses",
    "mean_utility",
    "params_for",
    "parse_defense_spec",
    "register_defense",
    "strip_jpeg_segments",
    "utility",
    "validate_params",
]
