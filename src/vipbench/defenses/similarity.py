"""How much of an image a defense keeps: SSIM and PSNR of the defended image against the original,
per image and as a mean over (original, defended) pairs.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from pathlib import Path

from PIL import Image

#: PSNR of identical images (infinite) is reported as this.
PSNR_CAP = 100.0


def utility(original: Path, defended: Path, max_side: int | None = 1024) -> dict[str, float]:
    """SSIM (grey) and PSNR (dB, capped at 100) of `defended` against `original`.

    The defended image is resized to the original's size when they differ; both are first
    brought to at most `max_side` pixels on the longer side (None: full size) for speed.
    """
    import numpy as np
    from skimage.metrics import peak_signal_noise_ratio, structural_similarity

    from vipbench.imaging.images import open_image

    a = open_image(Path(original)).convert("L")
    b = open_image(Path(defended)).convert("L")
    if max_side and max(a.size) > max_side:
        a.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    if b.size != a.size:
        b = b.resize(a.size, Image.Resampling.LANCZOS)
    x = np.asarray(a, dtype=np.uint8)
    y = np.asarray(b, dtype=np.uint8)
    if min(x.shape) < 7:  # SSIM's default window needs 7x7 pixels
        ssim = 1.0 if np.array_equal(x, y) else float(1.0 - np.abs(x.astype(float) - y).mean() / 255.0)
    else:
        ssim = float(structural_similarity(x, y, data_range=255))
    # Identical images have an infinite PSNR: report the cap instead.
    psnr = PSNR_CAP if np.array_equal(x, y) else float(peak_signal_noise_ratio(x, y, data_range=255))
    return {"ssim": ssim, "psnr": min(PSNR_CAP, psnr)}


def mean_utility(pairs: Iterable[tuple[Path, Path]], max_side: int | None = 1024) -> dict[str, float]:
    """Mean SSIM and PSNR over (original, defended) image pairs, and how many pairs there were."""
    ssim: list[float] = []
    psnr: list[float] = []
    for original, defended in pairs:
        u = utility(original, defended, max_side=max_side)
        ssim.append(u["ssim"])
        psnr.append(u["psnr"])
    if not ssim:
        return {"ssim": math.nan, "psnr": math.nan, "n_images": 0.0}
    return {"ssim": sum(ssim) / len(ssim), "psnr": sum(psnr) / len(psnr), "n_images": float(len(ssim))}
