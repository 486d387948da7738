"""Helpers shared by tests: a fake OpenAI-compatible server (`openai_server`), repo copies (`repo`)."""

from __future__ import annotations

from pathlib import Path

from PIL import Image

from vipbench.core.records import Item


def image_items(
    root: Path, n: int, attribute: str = "location", size: tuple[int, int] = (64, 48), prefix: str = "img"
) -> list[Item]:
    """`n` items, each with its own small JPEG (distinct colours) under `root/images/`."""
    (root / "images").mkdir(parents=True, exist_ok=True)
    items = []
    for i in range(n):
        name = f"{prefix}{i}"
        Image.new("RGB", size, (i * 37 % 256, i * 11 % 256, 90 + i % 100)).save(root / "images" / f"{name}.jpg")
        items.append(
            Item(
                item_id=f"{name}:{attribute}",
                image_id=name,
                attribute=attribute,
                truth="x",
                hardness=1,
                certainty=3,
                image=f"images/{name}.jpg",
            )
        )
    return items
