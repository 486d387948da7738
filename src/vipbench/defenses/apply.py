"""Applying one defense to one image file, with outputs cached by content.

The output is named `sha256(source bytes, defense name, version, outside versions, params)[:20]`
plus an extension. A file that exists is reused as it is; a new one is written atomically
(temporary file, then rename), so parallel and interrupted runs never leave half a file.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .imagefile import KEEP_FORMATS, run_pixel_defense, sniff_format
from .registry import DefenseParams, defense_key, get_defense, params_for


def output_ext(name: str, fmt: str) -> str:
    """The defended file's extension: .jpg for `jpeg`, else the source format's (PNG otherwise)."""
    if name == "jpeg":
        return ".jpg"
    return KEEP_FORMATS.get(fmt, ".png")


def apply_defense(name: str, params: DefenseParams | Mapping[str, Any] | None, src: Path, dst_dir: Path) -> Path:
    """The defended copy of `src` in `dst_dir` (created if needed); cached by content hash.

    `none` returns `src` itself. Params may be given as a mapping and are validated.
    """
    d = get_defense(name)
    params = params_for(name, params)
    src = Path(src)
    if name == "none":
        return src
    data = src.read_bytes()
    fmt = sniff_format(data, src)
    ext = output_ext(name, fmt)
    dst = Path(dst_dir) / f"{defense_key(name, params, data)}{ext}"
    if dst.exists():
        return dst
    dst.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=".tmp-", suffix=ext, dir=dst.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        if d.level == "file":
            d.fn(src, tmp, params)
        else:
            run_pixel_defense(d, params, data, tmp, fmt)
        os.replace(tmp, dst)
    finally:
        tmp.unlink(missing_ok=True)
    return dst
