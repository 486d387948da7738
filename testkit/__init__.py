"""What tests/ and bench/ share (neither imports the other): VIP records and datasets (`vip`), a
fake OpenAI-compatible server (`openai_server`), temporary repository copies (`repo`), tiny
local models (`tiny_vlm`), GPS-tagged JPEGs (`gps`), a headless browser (`browser`), and items."""

from __future__ import annotations

from pathlib import Path

from PIL import Image

from vipbench.core.records import Item


def items(
    n: int,
    attribute: str = "location",
    truth: str = "x",
    prefix: str = "img",
    image_dir: str = "images",
    hardness: int | None = None,
) -> list[Item]:
    """`n` items named `<prefix><i>:<attribute>`, their images `<image_dir>/<prefix><i>.jpg` (not
    written); hardness cycles through 1-5 unless given."""
    return [
        Item(
            item_id=f"{prefix}{i}:{attribute}",
            image_id=f"{prefix}{i}",
            attribute=attribute,
            truth=truth,
            hardness=hardness if hardness is not None else 1 + i % 5,
            certainty=3,
            image=f"{image_dir}/{prefix}{i}.jpg",
        )
        for i in range(n)
    ]


def image_items(
    root: Path, n: int, attribute: str = "location", size: tuple[int, int] = (64, 48), prefix: str = "img"
) -> list[Item]:
    """`n` items, each with its own small JPEG (distinct colours) under `root/images/`."""
    (root / "images").mkdir(parents=True, exist_ok=True)
    made = items(n, attribute, prefix=prefix, hardness=1)
    for i, it in enumerate(made):
        Image.new("RGB", size, (i * 37 % 256, i * 11 % 256, 90 + i % 100)).save(root / it.image)
    return made
