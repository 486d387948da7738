"""defend: apply one defense to every image, and measure the image utility it keeps.

The defended images are a DVC output, `build/defended/<defense>/images/`, so another machine gets
them with `dvc pull`; the defended items (the same items) name them relative to that directory.
They are made through a content-hash cache (`.vipbench/defended/<defense>/`), so a re-run defends
no image twice. The stage also writes the mean SSIM/PSNR of defended against original images. An
image the defense cannot work on is left out with its reason, and the stage goes on; the utility
file counts and lists those images. Only when no image at all could be defended does the stage fail.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from vipbench.core.io import write_json, write_jsonl
from vipbench.core.records import Item
from vipbench.readers import read_items
from vipbench.workspace import Workspace


def defend(ws: Workspace, defense: str) -> dict[str, Any]:
    from vipbench.defenses import DefenseError, defend_items, mean_utility
    from vipbench.imaging import ocr
    from vipbench.inference.progress import RunProgress

    spec = ws.defense(defense)
    items = read_items(ws)
    ocr.use_cache(ws.ocr_cache_path)  # blur_text reuses the OCR adversary's readings, and vice versa
    data_dir = ws.data_dir
    images = {it.image for it in items}
    with RunProgress(len(images), f"defend {defense}", unit_label="images") as progress:
        cached, failed = defend_items(
            items, data_dir, spec.kind, spec.params, ws.defense_cache_dir(defense), on_image=progress.tick
        )
    if images and len(failed) == len(images):
        first = next(iter(sorted(failed.items())))
        raise DefenseError(
            f"defense {defense}: none of the {len(images)} images could be defended (first: {first[0]}: {first[1]})"
        )
    out_dir = ws.defended_images_dir(defense)
    defended = _publish(cached, data_dir, out_dir)
    original = {it.item_id: it.image for it in items}
    pairs = sorted({(data_dir / original[it.item_id], out_dir / it.image) for it in defended})
    utility = {
        "defense": defense,
        "kind": spec.kind,
        **mean_utility(pairs, max_side=ws.params.inference.max_side),
        "n_failed": len(failed),
        "failed": dict(sorted(failed.items())),
    }
    write_jsonl(ws.defended_items_file(defense), defended)
    write_json(ws.defended_utility_file(defense), utility)
    return utility


def _publish(cached: list[Item], data_dir: Path, out_dir: Path) -> list[Item]:
    """Copy each defended image from the cache into `out_dir` (emptied first); the items, naming
    their image relative to `out_dir`.

    Cached copies are named by content hash, so equal names are equal files. The `none` defense
    gives the original files back, which keep their own (unique) names.
    """
    if out_dir.exists():
        shutil.rmtree(out_dir)
    out_dir.mkdir(parents=True)
    out = []
    for it in cached:
        src = (data_dir / it.image).resolve()
        dst = out_dir / src.name
        if not dst.exists():
            shutil.copyfile(src, dst)
        out.append(it.model_copy(update={"image": src.name}))
    return out
