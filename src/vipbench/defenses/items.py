"""The defend loop: every image of a run's items defended once, the items pointed at the copies.

An image that cannot be defended (unreadable, corrupt, too large) does not stop the loop: its
reason is recorded, and its items are left out, so they are never evaluated undefended by
mistake; the comparison with the undefended run pairs items by id and counts them as unpaired.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PIL import Image

from .apply import apply_defense
from .registry import DefenseError, DefenseParams, params_for

if TYPE_CHECKING:
    from vipbench.core.records import Item

log = logging.getLogger(__name__)

#: what an image that cannot be defended raises (Pillow's bomb guard is not an OSError)
IMAGE_FAILURES: tuple[type[BaseException], ...] = (
    DefenseError,
    OSError,
    ValueError,
    SyntaxError,
    Image.DecompressionBombError,
)


def defend_items(
    items: Sequence[Item],
    data_dir: Path,
    name: str,
    params: DefenseParams | Mapping[str, Any] | None,
    dst_dir: Path,
    on_image: Callable[[], None] | None = None,
) -> tuple[list[Item], dict[str, str]]:
    """Items whose `image` points at the defended copy (relative to `data_dir`, as adapters read
    `ctx.data_dir / item.image`), each image defended once; plus image -> reason for the images
    that could not be defended, whose items are left out. `on_image` is called after each image.
    """
    from vipbench.core.parallel import ordered_map

    typed = params_for(name, params)  # checked once, shared by the worker threads

    def defend_one(image: str) -> tuple[str, str | None, str | None]:
        try:
            path = apply_defense(name, typed, Path(data_dir) / image, dst_dir)
            return image, os.path.relpath(path, data_dir), None
        except IMAGE_FAILURES as e:
            # relative to the dataset, so the record is the same on every machine
            return image, None, (str(e) or type(e).__name__).replace(str(Path(data_dir) / image), image)

    done: dict[str, str] = {}
    failed: dict[str, str] = {}
    # each distinct image once, on every core (the defenses run in native code that frees the GIL)
    for image, rel, reason in ordered_map(defend_one, list(dict.fromkeys(it.image for it in items))):
        if rel is not None:
            done[image] = rel
        else:
            failed[image] = reason or "unknown error"
            log.warning("defense %s: %s left out: %s", name, image, failed[image])
        if on_image is not None:
            on_image()
    return [it.model_copy(update={"image": done[it.image]}) for it in items if it.image in done], failed
