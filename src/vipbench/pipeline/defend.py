"""defend: apply one defense to every image, and measure the image utility it keeps.

Defended images live in a content-hash cache (`.vipbench/defended/<defense>/`), so re-runs and
other runs reuse them. The stage writes the defended items (the same items, pointing at the
defended images) and the mean SSIM/PSNR of defended against original images. An image the
defense cannot work on is left out with its reason, and the stage goes on; the utility file
counts and lists those images. Only when no image at all could be defended does the stage fail.
"""

from __future__ import annotations

from typing import Any

from vipbench.core.io import write_json, write_jsonl
from vipbench.pipeline.prepare import read_items
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
        defended, failed = defend_items(
            items, data_dir, spec.kind, spec.params, ws.defended_images_dir(defense), on_image=progress.tick
        )
    if images and len(failed) == len(images):
        first = next(iter(sorted(failed.items())))
        raise DefenseError(
            f"defense {defense}: none of the {len(images)} images could be defended (first: {first[0]}: {first[1]})"
        )
    original = {it.item_id: it.image for it in items}
    pairs = sorted({(data_dir / original[it.item_id], data_dir / it.image) for it in defended})
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
