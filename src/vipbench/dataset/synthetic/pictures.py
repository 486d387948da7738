"""Pictures without words for the synthetic dataset: landmark postcards, a person, hobby objects.

Like every cue in `cues`, each returns a `Panel` cropped to its drawn pixels, and any variation
comes from the `random.Random` passed in.
"""

from __future__ import annotations

import random

from PIL import Image, ImageDraw

from vipbench.dataset.synthetic.cues import (
    CLEAR,
    INK,
    MAX_WIDTH,
    MIN_SIZE,
    RGB,
    WHITE,
    Line,
    Panel,
    crop_to_content,
    fit_line,
    font,
    line_height,
    muted,
    stick_person,
)


def postcard(shape: str, caption: str | None, size: int, rng: random.Random) -> Panel:
    """A landmark drawn with a few shapes on a sky background, captioned unless `caption` is None."""
    width, sky_h = 210, 200
    cap_line = fit_line(Line(caption, size, INK, stroke=1), MAX_WIDTH - 30, MIN_SIZE) if caption else None
    if cap_line is not None:
        width = max(width, int(font(cap_line.size).getlength(caption or "")) + 34)
    height = sky_h + (line_height(cap_line.size) + 20 if cap_line else 8)
    img = Image.new("RGBA", (width, height), CLEAR)
    draw = ImageDraw.Draw(img)
    draw.rectangle((0, 0, width - 1, height - 1), fill=WHITE, outline=(170, 170, 170))
    sky = (150 + rng.randint(0, 40), 195 + rng.randint(0, 30), 235)
    draw.rectangle((6, 6, width - 7, sky_h), fill=sky)
    draw.rectangle((6, sky_h - 22, width - 7, sky_h), fill=(110, 150, 90))
    landmark_drawing(draw, shape, width // 2, sky_h - 22)
    if cap_line is not None and caption:
        cw = font(cap_line.size).getlength(caption)
        draw.text(
            ((width - cw) / 2, sky_h + 8),
            caption,
            font=font(cap_line.size),
            fill=INK,
            stroke_width=1,
            stroke_fill=INK,
        )
    return Panel(img, "landmark", caption)


def landmark_drawing(draw: ImageDraw.ImageDraw, shape: str, cx: int, ground: int) -> None:
    dark: RGB = (70, 60, 55)
    if shape == "lattice":  # an Eiffel-like tower
        top = ground - 160
        draw.polygon(
            [
                (cx, top),
                (cx - 55, ground),
                (cx - 30, ground),
                (cx, ground - 60),
                (cx + 30, ground),
                (cx + 55, ground),
            ],
            fill=(120, 90, 60),
        )
        for i, y in enumerate((ground - 110, ground - 60)):
            half = 14 + i * 22
            draw.rectangle((cx - half, y, cx + half, y + 6), fill=dark)
        draw.line((cx, top, cx, top - 14), fill=dark, width=2)
    elif shape in ("needle", "saucer"):  # CN Tower / Space Needle
        top = ground - 170
        draw.polygon(
            [(cx - 4, top), (cx + 4, top), (cx + 14, ground), (cx - 14, ground)], fill=(200, 200, 205)
        )
        if shape == "needle":
            draw.ellipse((cx - 20, ground - 120, cx + 20, ground - 100), fill=dark)
            draw.line((cx, top, cx, top - 25), fill=dark, width=2)
        else:
            draw.ellipse((cx - 45, top + 10, cx + 45, top + 30), fill=(230, 230, 235), outline=dark, width=2)
            draw.polygon([(cx - 30, top + 30), (cx + 30, top + 30), (cx, top + 55)], fill=(180, 180, 190))
            draw.line((cx, top + 10, cx, top - 15), fill=dark, width=2)
    elif shape == "clock_tower":  # Big Ben
        draw.rectangle((cx - 20, ground - 140, cx + 20, ground), fill=(200, 170, 110), outline=dark)
        draw.ellipse((cx - 15, ground - 130, cx + 15, ground - 100), fill=WHITE, outline=dark, width=2)
        draw.line((cx, ground - 115, cx, ground - 126), fill=dark, width=2)
        draw.line((cx, ground - 115, cx + 8, ground - 115), fill=dark, width=2)
        draw.polygon([(cx - 22, ground - 140), (cx + 22, ground - 140), (cx, ground - 180)], fill=dark)
    elif shape == "castle":  # Osaka Castle
        for i, half in enumerate((70, 55, 40, 26)):
            y = ground - 30 - i * 32
            draw.rectangle((cx - half + 8, y, cx + half - 8, y + 30), fill=WHITE, outline=dark)
            draw.polygon(
                [(cx - half, y + 4), (cx + half, y + 4), (cx + half - 14, y - 8), (cx - half + 14, y - 8)],
                fill=(60, 110, 100),
            )
        draw.rectangle((cx - 80, ground - 8, cx + 80, ground), fill=(130, 130, 130))
    elif shape == "gate":  # Brandenburg Gate
        draw.rectangle((cx - 80, ground - 100, cx + 80, ground - 82), fill=(210, 195, 160), outline=dark)
        for i in range(6):
            x = cx - 74 + i * 28
            draw.rectangle((x, ground - 82, x + 10, ground), fill=(220, 205, 170), outline=dark)
        draw.polygon(
            [(cx - 20, ground - 100), (cx + 20, ground - 100), (cx, ground - 122)], fill=(60, 120, 90)
        )
    elif shape == "shells":  # Sydney Opera House
        for i, (dx, hgt) in enumerate(((-55, 70), (-15, 95), (25, 80), (60, 55))):
            draw.polygon(
                [(cx + dx - 30, ground - 10), (cx + dx + 20, ground - 10), (cx + dx - 10, ground - 10 - hgt)],
                fill=(245, 245, 245),
                outline=(150, 150, 150),
            )
            del i
        draw.rectangle((cx - 95, ground - 12, cx + 95, ground), fill=(200, 160, 120))
    elif shape == "arena":  # Colosseum
        draw.rectangle((cx - 85, ground - 90, cx + 85, ground), fill=(200, 160, 110), outline=dark)
        for row in range(3):
            for col in range(8):
                x = cx - 78 + col * 20
                y = ground - 82 + row * 28
                draw.rounded_rectangle((x, y, x + 12, y + 20), radius=6, fill=(90, 60, 40))
    elif shape == "twin_towers":  # Grossmuenster
        for dx in (-32, 12):
            draw.rectangle((cx + dx, ground - 120, cx + dx + 22, ground), fill=(225, 215, 190), outline=dark)
            draw.polygon(
                [(cx + dx, ground - 120), (cx + dx + 22, ground - 120), (cx + dx + 11, ground - 150)],
                fill=dark,
            )
        draw.rectangle((cx - 60, ground - 60, cx + 60, ground), fill=(225, 215, 190), outline=dark)
    else:  # "skyscraper": an Empire-State-like stepped tower
        for i, half in enumerate((40, 30, 20, 12)):
            draw.rectangle(
                (cx - half, ground - 60 - i * 30, cx + half, ground - i * 30),
                fill=(170, 170, 180),
                outline=dark,
            )
        draw.line((cx, ground - 150, cx, ground - 185), fill=dark, width=3)


def figure(female: bool, rng: random.Random) -> Panel:
    """A standalone stick figure (a person in the scene)."""
    img = Image.new("RGBA", (110, 190), CLEAR)
    draw = ImageDraw.Draw(img)
    stick_person(draw, 38, 8, 1.25, muted(rng, 10, 90), female=female)
    return Panel(crop_to_content(img), "object", None)


def hobby_object(hobby: str, rng: random.Random) -> Panel:
    """A pictorial hobby cue: a bicycle, a guitar, a chessboard or a football."""
    img = Image.new("RGBA", (200, 150), CLEAR)
    draw = ImageDraw.Draw(img)
    c = muted(rng, 20, 120)
    if hobby == "cycling":
        draw.ellipse((8, 60, 78, 130), outline=INK, width=5)
        draw.ellipse((118, 60, 188, 130), outline=INK, width=5)
        draw.line([(43, 95), (88, 55), (148, 55), (153, 95), (98, 95), (43, 95)], fill=c, width=5)
        draw.line([(88, 55), (98, 95)], fill=c, width=5)
        draw.line([(148, 55), (143, 40), (160, 38)], fill=INK, width=4)
        draw.line([(80, 50), (98, 50)], fill=INK, width=5)
    elif hobby == "music":
        draw.ellipse((10, 70, 80, 140), fill=(180, 110, 50), outline=INK, width=2)
        draw.ellipse((45, 55, 105, 115), fill=(180, 110, 50), outline=INK, width=2)
        draw.ellipse((45, 95, 65, 115), fill=INK)
        draw.polygon([(92, 70), (180, 18), (186, 28), (98, 80)], fill=(90, 60, 30))
        draw.rectangle((176, 8, 196, 30), fill=INK)
    elif hobby == "chess":
        sq = 16
        for r in range(8):
            for col in range(8):
                fill = (240, 220, 180) if (r + col) % 2 == 0 else (120, 80, 50)
                draw.rectangle((30 + col * sq, 8 + r * sq, 30 + (col + 1) * sq, 8 + (r + 1) * sq), fill=fill)
        draw.rectangle((30, 8, 30 + 8 * sq, 8 + 8 * sq), outline=INK, width=2)
    else:  # football
        draw.ellipse((40, 15, 160, 135), fill=WHITE, outline=INK, width=3)
        draw.regular_polygon((100, 75, 20), 5, fill=INK)
        for ang in range(5):
            draw.line(
                [
                    (100, 75),
                    (
                        100 + 50 * [0, 0.95, 0.59, -0.59, -0.95][ang],
                        75 - 50 * [1, 0.31, -0.81, -0.81, 0.31][ang],
                    ),
                ],
                fill=INK,
                width=2,
            )
    return Panel(crop_to_content(img), "object", None)
