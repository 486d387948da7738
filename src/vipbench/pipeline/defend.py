"""defend: apply one defense to every image, and measure the image utility it keeps.

Defended images live in a content-hash cache (`.vipbench/defended/<defense>/`), so re-runs and
other runs reuse them. The stage writes the defended items (the same items, pointing at the
defended images) and the mean SSIM/PSNR of defended against original images.
"""

from __future__ import annotations

import os
from typing import Any

from vipbench.core.io import write_json, write_jsonl
from vipbench.core.records import Item
from vipbench.pipeline.prepare import read_items
from vipbench.workspace import Workspace


def defense_spec(ws: Workspace, defense: str) -> tuple[str, Any]:
    from vipbench.core.errors import ConfigError
    from vipbench.defenses import parse_defense_spec

    raw = ws.params.defenses.get(defense)
    if raw is None:
        raise ConfigError(f"params.yaml: defenses.{defense}: no such defense; have {sorted(ws.params.defenses)}")
    return parse_defense_spec(defense_mapping(raw))


def defense_mapping(raw: dict[str, Any]) -> dict[str, Any]:
    """params.yaml writes `{kind: blur_text, radius: 8}`; the registry reads `{name: ...}`."""
    return {"name": raw.get("kind"), **{k: v for k, v in raw.items() if k != "kind"}}


def defend(ws: Workspace, defense: str) -> dict[str, Any]:
    from vipbench.analysis.privacy_utility import mean_utility
    from vipbench.defenses import apply_defense
    from vipbench.inference.progress import RunProgress

    name, params = defense_spec(ws, defense)
    items = read_items(ws)
    cache_dir = ws.root / ".vipbench" / "defended" / defense
    data_dir = ws.data_dir
    defended: dict[str, str] = {}
    pairs = []
    images = sorted({it.image for it in items})
    with RunProgress(len(images), f"defend {defense}", unit_label="images") as progress:
        for rel in images:
            src = data_dir / rel
            dst = apply_defense(name, params, src, cache_dir)
            defended[rel] = os.path.relpath(dst, data_dir)
            pairs.append((src, dst))
            progress.tick()
    out_items = [Item.model_validate({**it.model_dump(), "image": defended[it.image]}) for it in items]
    utility = {"defense": defense, "kind": name, **mean_utility(pairs, max_side=ws.params.inference.max_side)}
    write_jsonl(ws.defended_items_file(defense), out_items)
    write_json(ws.defended_utility_file(defense), utility)
    return utility
