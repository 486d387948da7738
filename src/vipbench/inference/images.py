"""Images for requests: content hashes, JPEG data URLs for API backends, pixels for local ones.

Hashes are memoised per file. Data URLs are kept in a small LRU so the items of one image
(one per attribute) encode it once. Crops for the chain of zoom come from the full-resolution
image, each shrunk to the max side. All decoding runs in worker threads.
"""

from __future__ import annotations

import asyncio
import base64
from collections import OrderedDict
from pathlib import Path
from typing import TYPE_CHECKING

from vipbench.core.io import file_sha256
from vipbench.imaging.images import encode_jpeg, open_image
from vipbench.imaging.zoom import Box, crop
from vipbench.inference.backend import ImageRef

if TYPE_CHECKING:
    from PIL import Image

#: the image URL in the messages of a local backend: its pixels travel beside the text
PLACEHOLDER_URL = "about:blank"
_INLINE_HASH_BYTES = 256 * 1024
#: content hashes remembered (the items of one image usually come together; a run's memory must
#: not grow with its image count)
_HASHES_KEPT = 4096


def data_url(jpeg: bytes) -> str:
    return "data:image/jpeg;base64," + base64.b64encode(jpeg).decode("ascii")


class Images:
    """Content hashes (memoised) and JPEG data URLs (a small LRU), at one max side."""

    def __init__(self, max_side: int, quality: int = 90, keep: int = 64) -> None:
        self.max_side = max_side
        self.quality = quality
        self._keep = keep
        self._hashes: OrderedDict[Path, str] = OrderedDict()
        self._encoded: OrderedDict[Path, asyncio.Task[str]] = OrderedDict()

    async def content_hash(self, path: Path) -> str:
        """sha256 of the file bytes, with the max side the image is sent at."""
        known = self._hashes.get(path)
        if known is not None:
            self._hashes.move_to_end(path)
            return known
        # Small files are hashed in the loop (a thread hop costs more); big ones in a thread.
        small = path.stat().st_size <= _INLINE_HASH_BYTES
        digest = file_sha256(path) if small else await asyncio.to_thread(file_sha256, path)
        self._hashes[path] = known = f"{digest}:{self.max_side}"
        while len(self._hashes) > _HASHES_KEPT:
            self._hashes.popitem(last=False)
        return known

    # -- API backends: data URLs ------------------------------------------------------------
    def encode(self, path: Path) -> str:
        """The image as a JPEG data URL at the max side (EXIF orientation applied, RGB)."""
        return data_url(encode_jpeg(open_image(path, self.max_side), self.quality))

    async def data_url(self, path: Path) -> str:
        """`encode`, in a thread, shared by concurrent and recent callers."""
        task = self._encoded.get(path)
        if task is None:
            task = asyncio.ensure_future(asyncio.to_thread(self.encode, path))
            self._encoded[path] = task
            while len(self._encoded) > self._keep:
                self._encoded.popitem(last=False)
        else:
            self._encoded.move_to_end(path)
        return await asyncio.shield(task)

    def _crop_urls(self, path: Path, boxes: list[Box]) -> list[str]:
        image = open_image(path, None)
        return [data_url(encode_jpeg(crop(image, b, self.max_side), self.quality)) for b in boxes]

    async def crop_urls(self, path: Path, boxes: list[Box]) -> list[str]:
        return await asyncio.to_thread(self._crop_urls, path, boxes)


def pixels(refs: list[ImageRef], max_side: int) -> list[Image.Image]:
    """The images of one request for a local backend, at `max_side`; crops come from the
    full-resolution file, opened once per request."""
    out: list[Image.Image] = []
    full: dict[Path, Image.Image] = {}
    for ref in refs:
        if ref.box is None:
            out.append(open_image(ref.path, max_side))
            continue
        if ref.path not in full:
            full[ref.path] = open_image(ref.path, None)
        out.append(crop(full[ref.path], ref.box, max_side))
    return out
