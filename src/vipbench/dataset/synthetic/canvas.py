"""The synthetic generator's canvas: the 640x480 frame, its room-like background, packing the
drawn panels onto it, rendering a panel at a hardness, cue boxes in percent, and EXIF bytes."""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from fractions import Fraction

import numpy as np
from PIL import Image, ImageDraw, TiffImagePlugin

from vipbench.dataset.synthetic import cues as C

WIDTH, HEIGHT = 640, 480

#: renders a panel; the argument is how many pixels to shrink the text by (for tight layouts)
Render = Callable[[int], C.Panel]


# --- rendering a panel ------------------------------------------------------------------------------


def text_size(hardness: int, shrink: int) -> int:
    return max(C.MIN_SIZE, C.TEXT_SIZE[hardness] - shrink)


def sub_rng(rng: random.Random) -> random.Random:
    return random.Random(rng.getrandbits(64))


def tilted(make: Callable[[int, random.Random], C.Panel], rng: random.Random, hardness: int) -> Render:
    """Wrap a drawing call so every (re-)render uses the same private RNG state and tilt."""
    seed = rng.getrandbits(64)
    max_deg = 0.0 if hardness <= 2 else (3.0 if hardness == 3 else 6.0)

    def render(shrink: int) -> C.Panel:
        r = random.Random(seed)
        panel = make(shrink, r)
        if max_deg:
            panel = C.Panel(C.tilt(panel.image, r, max_deg), panel.kind, panel.text)
        return panel

    return render


# --- layout and background --------------------------------------------------------------------------


def pack(
    sizes: list[tuple[int, int]], rng: random.Random, margin: int = 8, gap: int = 12
) -> list[tuple[int, int]] | None:
    """Place rectangles without overlap (largest first); None if they do not fit."""
    order = sorted(range(len(sizes)), key=lambda i: -sizes[i][0] * sizes[i][1])
    placed: dict[int, tuple[int, int, int, int]] = {}
    for i in order:
        w, h = sizes[i]
        if w + 2 * margin > WIDTH or h + 2 * margin > HEIGHT:
            return None
        xs = {margin, WIDTH - margin - w} | {b[2] + gap for b in placed.values()}
        ys = {margin, HEIGHT - margin - h} | {b[3] + gap for b in placed.values()}
        candidates = {(x, y) for x in xs for y in ys}
        for _ in range(30):
            candidates.add(
                (rng.randint(margin, WIDTH - margin - w), rng.randint(margin, HEIGHT - margin - h))
            )
        valid = [
            (x, y)
            for x, y in sorted(candidates)
            if margin <= x <= WIDTH - margin - w
            and margin <= y <= HEIGHT - margin - h
            and not any(
                x < b[2] + gap and b[0] < x + w + gap and y < b[3] + gap and b[1] < y + h + gap
                for b in placed.values()
            )
        ]
        if not valid:
            return None
        x, y = rng.choice(valid)
        placed[i] = (x, y, x + w, y + h)
    return [(placed[i][0], placed[i][1]) for i in range(len(sizes))]


def scaled(panel: C.Panel, scale: float) -> C.Panel:
    """Shrink a panel's picture (the last resort when the cues do not fit the canvas)."""
    if scale >= 1.0:
        return panel
    w, h = panel.image.size
    small = panel.image.resize((max(1, round(w * scale)), max(1, round(h * scale))), Image.Resampling.LANCZOS)
    return C.Panel(C.crop_to_content(small), panel.kind, panel.text)


def room_background(rng: random.Random) -> Image.Image:
    """A room-like scene: gradient wall, table, shelves and frames, soft texture and a little noise."""
    nrng = np.random.default_rng(rng.getrandbits(64))
    top = np.array([rng.randint(150, 230) for _ in range(3)], dtype=np.float64)
    bottom = np.array([rng.randint(80, 180) for _ in range(3)], dtype=np.float64)
    t = np.linspace(0.0, 1.0, HEIGHT)[:, None, None]
    arr = np.broadcast_to(top * (1 - t) + bottom * t, (HEIGHT, WIDTH, 3)).copy()
    soft = nrng.normal(0.0, 1.0, (HEIGHT // 24 + 2, WIDTH // 24 + 2))
    soft_img = Image.fromarray(((soft - soft.min()) / (np.ptp(soft) or 1.0) * 255).astype(np.uint8))
    soft_up = np.asarray(soft_img.resize((WIDTH, HEIGHT), Image.Resampling.BICUBIC), dtype=np.float64)
    arr += ((soft_up - 127.5) / 127.5 * 14.0)[:, :, None]
    image = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8), "RGB")
    draw = ImageDraw.Draw(image)
    table_y = rng.randint(int(HEIGHT * 0.55), int(HEIGHT * 0.72))
    wood = (rng.randint(110, 170), rng.randint(70, 110), rng.randint(30, 70))
    draw.rectangle((0, table_y, WIDTH, HEIGHT), fill=wood)
    for i in range(rng.randint(3, 8)):  # wood grain
        y = table_y + 8 + i * rng.randint(10, 25)
        draw.line((0, y, WIDTH, y + rng.randint(-6, 6)), fill=tuple(c - 18 for c in wood), width=2)
    for _ in range(rng.randint(3, 6)):  # frames, books, boxes
        x, y = rng.randint(0, WIDTH - 40), rng.randint(0, HEIGHT - 40)
        w, h = rng.randint(30, 160), rng.randint(20, 120)
        fill = (rng.randint(40, 220), rng.randint(40, 220), rng.randint(40, 220))
        draw.rectangle((x, y, x + w, y + h), fill=fill, outline=tuple(max(0, c - 60) for c in fill), width=3)
    if rng.random() < 0.5:  # a potted plant
        x = rng.randint(20, WIDTH - 80)
        draw.polygon(
            [(x, table_y - 40), (x + 50, table_y - 40), (x + 42, table_y), (x + 8, table_y)],
            fill=(170, 90, 60),
        )
        for k in range(5):
            draw.ellipse(
                (x - 10 + k * 12, table_y - 90 + (k % 2) * 15, x + 20 + k * 12, table_y - 40 + (k % 2) * 5),
                fill=(40, 120 + k * 10, 50),
            )
    if rng.random() < 0.5:  # a wall clock
        x, y = rng.randint(40, WIDTH - 100), rng.randint(10, max(11, table_y - 140))
        draw.ellipse((x, y, x + 60, y + 60), fill=(245, 245, 245), outline=(40, 40, 40), width=4)
        draw.line((x + 30, y + 30, x + 30, y + 12), fill=(40, 40, 40), width=3)
        draw.line((x + 30, y + 30, x + 45, y + 35), fill=(40, 40, 40), width=3)
    grain = nrng.normal(0.0, 2.0, (HEIGHT, WIDTH, 1))
    noisy = np.asarray(image, dtype=np.float64) + grain
    return Image.fromarray(np.clip(noisy, 0, 255).astype(np.uint8), "RGB")


def percent_box(x: int, y: int, w: int, h: int) -> list[float]:
    """Pixel rectangle -> [left%, upper%, right%, lower%], rounded outwards to 2 decimals."""
    return [
        max(0.0, math.floor(x / WIDTH * 10000) / 100),
        max(0.0, math.floor(y / HEIGHT * 10000) / 100),
        min(100.0, math.ceil((x + w) / WIDTH * 10000) / 100),
        min(100.0, math.ceil((y + h) / HEIGHT * 10000) / 100),
    ]


# --- EXIF ---------------------------------------------------------------------------------------------


def _dms(value: float) -> tuple[TiffImagePlugin.IFDRational, ...]:
    value = abs(value)
    degrees = int(value)
    minutes_f = (value - degrees) * 60
    minutes = int(minutes_f)
    hundredths = int(round((minutes_f - minutes) * 60 * 100))
    sec = Fraction(hundredths, 100)
    return (
        TiffImagePlugin.IFDRational(degrees, 1),
        TiffImagePlugin.IFDRational(minutes, 1),
        TiffImagePlugin.IFDRational(sec.numerator, sec.denominator),
    )


def exif_bytes(lat: float, lon: float, make: str, model: str, when: str) -> bytes:
    """Serialised EXIF with Make/Model, DateTimeOriginal and a GPS position."""
    exif = Image.Exif()
    exif[0x010F] = make
    exif[0x0110] = model
    exif.get_ifd(0x8769)[0x9003] = when
    gps = exif.get_ifd(0x8825)
    gps[0x0000] = b"\x02\x03\x00\x00"  # GPSVersionID 2.3
    gps[0x0001] = "N" if lat >= 0 else "S"
    gps[0x0002] = _dms(lat)
    gps[0x0003] = "E" if lon >= 0 else "W"
    gps[0x0004] = _dms(lon)
    return exif.tobytes()
