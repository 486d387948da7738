"""Pillow drawing helpers for the synthetic dataset: one small picture ("panel") per cue.

Each helper returns a `Panel`: an RGBA image cropped tightly to the drawn pixels (everything outside
the cue is fully transparent), the cue kind as used in `CueRegion.kind`, and the text that was drawn
(or None for a purely pictorial cue; most of those are in `pictures`). The generator pastes panels
onto a cluttered background; because a panel is cropped to its alpha channel, the pasted rectangle
is exactly the cue's bounding box.

All helpers are pure functions of their arguments; any variation (colours, tilt) comes from the
`random.Random` passed in, so rendering is deterministic. Text uses Pillow's scalable built-in font
(`ImageFont.load_default(size=...)`, FreeType-backed since Pillow 10.1) at sizes chosen for OCR.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import lru_cache

from PIL import Image, ImageDraw, ImageFont

RGB = tuple[int, int, int]

#: Font size of the text that reveals a label, by the label's hardness (1 easy ... 5 hard).
TEXT_SIZE: dict[int, int] = {0: 24, 1: 38, 2: 32, 3: 27, 4: 23, 5: 20}
#: Smallest font used for revealing text; supporting text may go down to SMALL.
MIN_SIZE = 20
SMALL = 17
#: Widest a text panel may be, in pixels (the canvas is 640 wide).
MAX_WIDTH = 310

INK: RGB = (20, 20, 24)
WHITE: RGB = (255, 255, 255)
CLEAR = (0, 0, 0, 0)


@dataclass
class Panel:
    """A drawn cue, ready to paste: RGBA, transparent outside the cue."""

    image: Image.Image
    kind: str
    text: str | None


@dataclass(frozen=True)
class Line:
    """One line of text on a card."""

    text: str
    size: int
    color: RGB | None = None  # None: the card's ink
    stroke: int = 0
    align: str | None = None  # None: the card's alignment


@lru_cache(maxsize=64)
def font(size: int) -> ImageFont.FreeTypeFont:
    """The built-in scalable font at `size` pixels."""
    return ImageFont.load_default(size=size)  # type: ignore[return-value]


def fit_line(line: Line, width: int, floor: int) -> Line:
    """Shrink a line's font until it fits `width` pixels (never below `floor`)."""
    size = line.size
    while size > floor and font(size).getlength(line.text) + 2 * line.stroke > width:
        size -= 1
    return Line(line.text, size, line.color, line.stroke, line.align)


def line_height(size: int) -> int:
    ascent, descent = font(size).getmetrics()
    return ascent + descent


def crop_to_content(image: Image.Image) -> Image.Image:
    """Crop an RGBA image to the bounding box of its non-transparent pixels."""
    box = image.getchannel("A").getbbox()
    return image.crop(box) if box else image


def tilt(image: Image.Image, rng: random.Random, max_degrees: float) -> Image.Image:
    """Rotate an RGBA panel by a small seeded angle, keeping it whole and tightly cropped."""
    angle = round(rng.uniform(-max_degrees, max_degrees), 1)
    if abs(angle) < 0.5:
        return image
    rotated = image.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=CLEAR)
    return crop_to_content(rotated)


def card(
    lines: list[Line],
    *,
    paper: RGB,
    ink: RGB = INK,
    border: RGB | None = None,
    border_width: int = 3,
    pad: int = 14,
    gap: int = 6,
    align: str = "left",
    top: int = 0,
    bottom: int = 0,
    max_width: int = MAX_WIDTH,
    min_width: int = 0,
    band: tuple[Line, RGB] | None = None,
    radius: int = 6,
) -> Image.Image:
    """A rounded card holding lines of text, optionally under a coloured header band.

    `top` and `bottom` reserve empty space (in pixels) above and below the text for decorations
    the caller draws afterwards (a stamp, a seal, a lanyard slot).
    """
    inner = max_width - 2 * pad
    fitted = [fit_line(ln, inner, SMALL if ln.size < MIN_SIZE else MIN_SIZE) for ln in lines]
    band_line = fit_line(band[0], inner, SMALL) if band else None
    widths = [int(font(ln.size).getlength(ln.text)) + 2 * ln.stroke for ln in fitted]
    if band_line is not None:
        widths.append(int(font(band_line.size).getlength(band_line.text)))
    width = max([*widths, min_width - 2 * pad, 1]) + 2 * pad
    band_h = line_height(band_line.size) + 2 * (pad // 2) if band_line is not None else 0
    text_h = sum(line_height(ln.size) for ln in fitted) + gap * max(len(fitted) - 1, 0)
    height = band_h + top + text_h + bottom + 2 * pad

    image = Image.new("RGBA", (width, height), CLEAR)
    draw = ImageDraw.Draw(image)
    outline = border if border is not None else None
    draw.rounded_rectangle(
        (0, 0, width - 1, height - 1),
        radius=radius,
        fill=paper,
        outline=outline,
        width=border_width if outline else 0,
    )
    if band is not None and band_line is not None:
        draw.rounded_rectangle((0, 0, width - 1, band_h), radius=radius, fill=band[1])
        draw.rectangle((0, band_h - radius, width - 1, band_h), fill=band[1])
        _draw_line(
            draw, band_line, WHITE, 0, band_h // 2 - line_height(band_line.size) // 2, width, pad, "center"
        )
    y = band_h + top + pad
    for ln in fitted:
        _draw_line(draw, ln, ink, 0, y, width, pad, ln.align or align)
        y += line_height(ln.size) + gap
    return image


def _draw_line(
    draw: ImageDraw.ImageDraw, ln: Line, ink: RGB, x0: int, y: int, width: int, pad: int, align: str
) -> None:
    f = font(ln.size)
    w = f.getlength(ln.text) + 2 * ln.stroke
    if align == "center":
        x = x0 + (width - w) / 2
    elif align == "right":
        x = x0 + width - pad - w
    else:
        x = x0 + pad
    color = ln.color or ink
    draw.text((x + ln.stroke, y), ln.text, font=f, fill=color, stroke_width=ln.stroke, stroke_fill=color)


def joined(lines: list[Line]) -> str:
    return "\n".join(ln.text for ln in lines)


def muted(rng: random.Random, low: int = 40, high: int = 160) -> RGB:
    return (rng.randint(low, high), rng.randint(low, high), rng.randint(low, high))


# --- documents and cards -----------------------------------------------------------------------


def envelope(address: list[str], size: int, rng: random.Random) -> Panel:
    """A letter/envelope with a stamp and a postmark, addressed in `address` lines."""
    lines = [Line(address[0], size)] + [Line(a, max(MIN_SIZE, size - 4)) for a in address[1:]]
    lines[-1] = Line(address[-1].upper(), max(MIN_SIZE, size - 2))
    img = card(lines, paper=(246, 240, 222), border=(190, 180, 160), border_width=2, top=46, min_width=240)
    draw = ImageDraw.Draw(img)
    w = img.width
    stamp = muted(rng, 80, 200)
    draw.rectangle((w - 58, 10, w - 14, 50), fill=stamp, outline=(60, 60, 60), width=2)
    draw.ellipse((w - 110, 14, w - 66, 48), outline=(90, 90, 110), width=2)
    for i in range(3):
        draw.line((w - 150, 20 + 8 * i, w - 112, 20 + 8 * i), fill=(90, 90, 110), width=1)
    return Panel(img, "letter", joined(lines))


def diploma(
    institution: str, middle: str, degree: str, field: str, name: str, size: int, rng: random.Random
) -> Panel:
    """A framed certificate: the institution, the recipient, a connecting phrase and the degree."""
    lines = [
        Line(institution, max(MIN_SIZE, size - 6), (90, 20, 20)),
        Line("This certifies that", SMALL),
        Line(name, max(MIN_SIZE, size - 6)),
        Line(middle, SMALL),
        Line(degree, size, stroke=1),
        Line(field, max(MIN_SIZE, size - 6)),
    ]
    gold = (170, 130, 40) if rng.random() < 0.5 else (110, 80, 40)
    img = card(
        lines,
        paper=(251, 246, 228),
        border=gold,
        border_width=5,
        align="center",
        bottom=30,
        gap=4,
        max_width=MAX_WIDTH + 20,
    )
    draw = ImageDraw.Draw(img)
    draw.rectangle((7, 7, img.width - 8, img.height - 8), outline=gold, width=1)
    cx, cy = img.width - 40, img.height - 30
    draw.ellipse((cx - 16, cy - 16, cx + 16, cy + 16), fill=(180, 30, 30), outline=(120, 10, 10), width=2)
    draw.line((40, img.height - 24, 140, img.height - 24), fill=INK, width=1)
    return Panel(img, "diploma", joined(lines))


def badge(org: str, lines_text: list[str], size: int, rng: random.Random, kind: str = "badge") -> Panel:
    """A staff/name badge with the organisation in a coloured band and a lanyard slot."""
    band_color = muted(rng, 20, 140)
    lines = [Line(lines_text[0], max(MIN_SIZE, size - 4))] + [Line(t, size) for t in lines_text[1:]]
    img = card(
        lines,
        paper=WHITE,
        border=(120, 120, 120),
        border_width=2,
        align="center",
        band=(Line(org, 20), band_color),
        top=4,
        min_width=200,
    )
    draw = ImageDraw.Draw(img)
    cx = img.width // 2
    draw.rounded_rectangle((cx - 18, 4, cx + 18, 10), radius=3, fill=(235, 235, 235))
    return Panel(img, kind, joined([Line(org, 20), *lines]))


def student_id(university: str, name: str, programme: str, size: int, rng: random.Random) -> Panel:
    """A student ID card: university band, a pictogram portrait and the programme."""
    lines = [
        Line("STUDENT ID", max(MIN_SIZE, size - 4), stroke=1),
        Line(name, MIN_SIZE),
        Line(programme, size),
    ]
    img = card(
        lines,
        paper=(240, 246, 252),
        border=(80, 100, 140),
        border_width=2,
        band=(Line(university, 20), muted(rng, 20, 110)),
        bottom=56,
        min_width=230,
    )
    draw = ImageDraw.Draw(img)
    y = img.height - 62
    draw.rectangle((14, y, 58, y + 50), fill=(200, 205, 215), outline=(120, 120, 130))
    draw.ellipse((27, y + 6, 45, y + 24), fill=(150, 155, 170))
    draw.pieslice((20, y + 26, 52, y + 60), 180, 360, fill=(150, 155, 170))
    for i in range(5):
        x = 80 + i * 9
        draw.rectangle((x, y + 20, x + 4 + (i % 2) * 2, y + 46), fill=INK)
    return Panel(img, "badge", joined([Line(university, 20), *lines]))


def hello_sticker(first_name: str, size: int) -> Panel:
    """The classic red "HELLO my name is" sticker with a first name written on it."""
    red: RGB = (200, 30, 40)
    name = fit_line(Line(first_name, size + 6, stroke=1), MAX_WIDTH - 40, MIN_SIZE)
    name_w = font(name.size).getlength(first_name) + 2
    width = int(max(200, name_w + 40))
    head = line_height(26) + line_height(SMALL) + 16
    height = head + line_height(name.size) + 34
    img = Image.new("RGBA", (width, height), CLEAR)
    draw = ImageDraw.Draw(img)
    draw.rounded_rectangle((0, 0, width - 1, height - 1), radius=12, fill=red)
    draw.rectangle((8, head, width - 9, height - 16), fill=WHITE)
    for text, f, y in (("HELLO", font(26), 6), ("my name is", font(SMALL), 8 + line_height(26))):
        draw.text(((width - f.getlength(text)) / 2, y), text, font=f, fill=WHITE)
    draw.text(
        ((width - name_w) / 2 + 1, head + 8),
        first_name,
        font=font(name.size),
        fill=INK,
        stroke_width=1,
        stroke_fill=INK,
    )
    return Panel(img, "badge", f"HELLO\nmy name is\n{first_name}")


def document(
    title: str, body: list[str], key_lines: list[str], size: int, paper: RGB = (252, 252, 250)
) -> Panel:
    """A printed document: title, supporting lines and the revealing lines at `size`."""
    lines = [Line(title, max(MIN_SIZE, size - 2), stroke=1)]
    lines += [Line(t, SMALL, (70, 70, 80)) for t in body]
    lines += [Line(t, size) for t in key_lines]
    img = card(lines, paper=paper, border=(170, 170, 175), border_width=1, radius=2, gap=5, top=4)
    draw = ImageDraw.Draw(img)
    draw.line((14, 8, img.width - 14, 8), fill=(120, 120, 140), width=2)
    return Panel(img, "document", joined(lines))


def price_tag(item: str, price: str, size: int, rng: random.Random) -> Panel:
    """A hanging price tag: notched card with a hole, the item and a big price."""
    lines = [Line(item, max(MIN_SIZE, size - 6)), Line(price, size + 4, (180, 20, 20), stroke=1)]
    paper = (255, 244, 170) if rng.random() < 0.6 else (235, 245, 255)
    body = card(lines, paper=paper, border=(150, 130, 60), border_width=2, align="center", radius=4)
    notch = 30
    img = Image.new("RGBA", (body.width + notch, body.height), CLEAR)
    draw = ImageDraw.Draw(img)
    h = body.height
    draw.polygon([(0, h // 2), (notch + 2, 0), (notch + 2, h - 1)], fill=paper, outline=(150, 130, 60))
    img.alpha_composite(body, (notch, 0))
    draw.ellipse((12, h // 2 - 6, 24, h // 2 + 6), fill=(110, 100, 80))
    return Panel(img, "price_tag", joined(lines))


def licence_plate(style: str, header: str, number: str, size: int) -> Panel:
    """A car licence plate. `style` is "eu" (blue band with a country code), "uk" (yellow, band),
    "state" (state/province name above the number) or "jp" (office name above, green ink)."""
    big = size + 8
    f = font(big)
    num_w = int(f.getlength(number))
    h = line_height(big) + 26
    if style in ("eu", "uk"):
        band = 40
        w = band + num_w + 34
        paper: RGB = (250, 214, 40) if style == "uk" else (250, 250, 250)
        img = Image.new("RGBA", (w, h), CLEAR)
        draw = ImageDraw.Draw(img)
        draw.rounded_rectangle((0, 0, w - 1, h - 1), radius=8, fill=paper, outline=INK, width=3)
        draw.rounded_rectangle((3, 3, band, h - 4), radius=5, fill=(20, 60, 160))
        for i in range(6):  # a ring of little stars, as dots
            draw.ellipse(
                (band // 2 - 2 + (i - 3) * 3, 10, band // 2 + 1 + (i - 3) * 3, 13), fill=(250, 210, 0)
            )
        code_font = font(MIN_SIZE)
        cw = code_font.getlength(header)
        draw.text(((band + 3 - cw) / 2, h - 30), header, font=code_font, fill=WHITE)
        draw.text((band + 17, 11), number, font=f, fill=INK)
        return Panel(img, "licence_plate", f"{header} {number}")
    ink: RGB = (20, 110, 50) if style == "jp" else INK
    head_size = max(MIN_SIZE, size - 6)
    head_w = int(font(head_size).getlength(header))
    w = max(num_w, head_w) + 40
    h += line_height(head_size)
    img = Image.new("RGBA", (w, h), CLEAR)
    draw = ImageDraw.Draw(img)
    draw.rounded_rectangle((0, 0, w - 1, h - 1), radius=10, fill=(248, 248, 244), outline=INK, width=3)
    head_color: RGB = ink if style == "jp" else (30, 60, 150)
    draw.text(((w - head_w) / 2, 8), header, font=font(head_size), fill=head_color)
    draw.text(((w - num_w) / 2, 12 + line_height(head_size)), number, font=f, fill=ink)
    for x in (10, w - 18):
        draw.ellipse((x, h // 2 - 4, x + 8, h // 2 + 4), fill=(150, 150, 150))
    return Panel(img, "licence_plate", f"{header}\n{number}")


def street_sign(lines_text: list[str], style: str, size: int) -> Panel:
    """A sign board on a pole. `style`: "green" (North American), "blue" (European direction sign),
    "yellow" (German-style town sign) or "white" (French-style town sign with a red border)."""
    colours: dict[str, tuple[RGB, RGB, RGB]] = {
        "green": ((20, 110, 60), WHITE, WHITE),
        "blue": ((25, 70, 160), WHITE, WHITE),
        "yellow": ((250, 205, 30), INK, INK),
        "white": ((250, 250, 250), INK, (200, 30, 30)),
    }
    paper, ink, edge = colours.get(style, colours["blue"])
    lines = [Line(lines_text[0], size + 4, stroke=1)] + [
        Line(t, max(MIN_SIZE, size - 6)) for t in lines_text[1:]
    ]
    board = card(lines, paper=paper, ink=ink, border=edge, border_width=4, align="center", min_width=180)
    pole_h = 60
    img = Image.new("RGBA", (board.width, board.height + pole_h), CLEAR)
    draw = ImageDraw.Draw(img)
    cx = board.width // 2
    draw.rectangle((cx - 5, board.height - 4, cx + 5, board.height + pole_h - 1), fill=(120, 120, 125))
    img.alpha_composite(board, (0, 0))
    return Panel(img, "sign_text", joined(lines))


def banner(lines_text: list[str], size: int, rng: random.Random) -> Panel:
    """A party banner with swallow-tail ends (used for a class-reunion sign)."""
    color = muted(rng, 30, 130)
    lines = [Line(lines_text[0], size, stroke=1)] + [Line(t, max(MIN_SIZE, size - 4)) for t in lines_text[1:]]
    body = card(lines, paper=color, ink=WHITE, align="center", radius=0, min_width=200)
    tail = 26
    img = Image.new("RGBA", (body.width + 2 * tail, body.height), CLEAR)
    draw = ImageDraw.Draw(img)
    h = body.height
    draw.polygon([(0, 0), (tail + 1, 0), (tail + 1, h - 1), (0, h - 1), (tail // 2, h // 2)], fill=color)
    w = img.width
    draw.polygon(
        [(w - 1, 0), (w - tail - 2, 0), (w - tail - 2, h - 1), (w - 1, h - 1), (w - tail // 2, h // 2)],
        fill=color,
    )
    img.alpha_composite(body, (tail, 0))
    return Panel(img, "sign_text", joined(lines))


def calendar(month: str, year: int, first_weekday: int, days: int, day: int, note: str, size: int) -> Panel:
    """A wall-calendar page with one day circled and a handwritten-style note under the grid."""
    cell, cols = 30, 7
    grid_w = cell * cols
    note_line = fit_line(Line(note, size), MAX_WIDTH - 28, MIN_SIZE)
    note_w = int(font(note_line.size).getlength(note))
    width = max(grid_w, note_w) + 28
    head = line_height(24) + 12
    rows = (first_weekday + days + cols - 1) // cols
    height = head + rows * cell + line_height(note_line.size) + 34
    img = Image.new("RGBA", (width, height), CLEAR)
    draw = ImageDraw.Draw(img)
    draw.rectangle((0, 0, width - 1, height - 1), fill=WHITE, outline=(160, 160, 160))
    draw.rectangle((0, 0, width - 1, head), fill=(190, 30, 40))
    title = f"{month.upper()} {year}"
    draw.text(((width - font(24).getlength(title)) / 2, 6), title, font=font(24), fill=WHITE)
    x0 = (width - grid_w) // 2
    small = font(15)
    for d in range(1, days + 1):
        pos = first_weekday + d - 1
        x, y = x0 + (pos % cols) * cell, head + 6 + (pos // cols) * cell
        draw.text((x + 6, y + 5), str(d), font=small, fill=(60, 60, 60))
        if d == day:
            draw.ellipse((x - 1, y, x + cell, y + cell), outline=(200, 20, 20), width=3)
    draw.text(
        ((width - note_w) / 2, height - line_height(note_line.size) - 14),
        note,
        font=font(note_line.size),
        fill=(30, 40, 150),
    )
    return Panel(img, "calendar", f"{title}\n{note}")


# --- objects --------------------------------------------------------------------------------------


def cake(number: int, message: str, size: int, rng: random.Random) -> Panel:
    """A birthday cake: number candles on top and the message piped on the side."""
    msg_font = font(max(MIN_SIZE, size - 6))
    msg_w = int(msg_font.getlength(message))
    num = str(number)
    num_size = size + 14
    num_w = int(font(num_size).getlength(num))
    width = max(msg_w + 40, num_w + 60, 200)
    num_h = line_height(num_size)
    body_top = num_h + 30
    body_h = line_height(msg_font.size) + 50
    height = body_top + body_h + 20
    img = Image.new("RGBA", (width, height), CLEAR)
    draw = ImageDraw.Draw(img)
    frosting = (250, 190, 210) if rng.random() < 0.5 else (240, 230, 200)
    draw.ellipse((0, height - 30, width - 1, height - 1), fill=(235, 235, 240), outline=(170, 170, 180))
    draw.rectangle((14, body_top, width - 15, height - 16), fill=(150, 90, 50))
    draw.ellipse((14, body_top - 14, width - 15, body_top + 14), fill=frosting)
    draw.rectangle((14, body_top, width - 15, body_top + 8), fill=frosting)
    draw.text(((width - msg_w) / 2, body_top + 22), message, font=msg_font, fill=WHITE)
    # number candles: the digits themselves, with a wick and flame on each
    x = (width - num_w) / 2
    y = 18
    draw.text(
        (x, y), num, font=font(num_size), fill=(40, 120, 200), stroke_width=2, stroke_fill=(20, 60, 120)
    )
    for i in range(len(num)):
        fx = x + (i + 0.5) * num_w / len(num)
        draw.line((fx, y + 4, fx, y - 4), fill=INK, width=2)
        draw.ellipse((fx - 4, y - 16, fx + 4, y - 3), fill=(255, 170, 0))
    return Panel(img, "object", f"{num}\n{message}")


def mug(text: list[str], size: int, rng: random.Random) -> Panel:
    """A coffee mug with a printed slogan."""
    lines = [Line(t, size) for t in text]
    body = card(
        lines,
        paper=(250, 250, 250),
        align="center",
        radius=12,
        border=(150, 150, 160),
        border_width=2,
        pad=16,
        top=6,
        bottom=14,
        min_width=160,
    )
    handle = 34
    img = Image.new("RGBA", (body.width + handle, body.height), CLEAR)
    draw = ImageDraw.Draw(img)
    h = body.height
    draw.ellipse(
        (body.width - 30, h // 4, body.width + handle - 1, 3 * h // 4), outline=(150, 150, 160), width=9
    )
    img.alpha_composite(body, (0, 0))
    accent = muted(rng, 60, 200)
    d2 = ImageDraw.Draw(img)
    d2.rectangle((4, h - 12, body.width - 5, h - 6), fill=accent)
    return Panel(img, "object", joined(lines))


def greeting_card(text: list[str], size: int, rng: random.Random, hearts: bool) -> Panel:
    """A folded greeting card with a message (and hearts for romantic ones)."""
    lines = [Line(text[0], size, (150, 20, 60) if hearts else (20, 60, 130), stroke=1)]
    lines += [Line(t, max(MIN_SIZE, size - 6)) for t in text[1:]]
    img = card(
        lines,
        paper=(255, 248, 240),
        border=(200, 160, 170),
        border_width=3,
        align="center",
        top=34,
        radius=3,
        min_width=200,
    )
    draw = ImageDraw.Draw(img)
    for i in range(3):
        cx = img.width // 2 + (i - 1) * 34
        color = (210, 40, 70) if hearts else muted(rng, 60, 220)
        if hearts:
            draw.ellipse((cx - 10, 12, cx, 22), fill=color)
            draw.ellipse((cx, 12, cx + 10, 22), fill=color)
            draw.polygon([(cx - 10, 18), (cx + 10, 18), (cx, 32)], fill=color)
        else:
            draw.regular_polygon((cx, 22, 10), 5, fill=color)
    return Panel(img, "object", joined(lines))


def rings_box(caption: str, size: int) -> Panel:
    """An open ring box with two gold rings and a caption card below."""
    cap = fit_line(Line(caption, size, (120, 20, 50), stroke=1), MAX_WIDTH - 30, MIN_SIZE)
    cap_w = int(font(cap.size).getlength(caption)) + 2
    width = max(cap_w + 30, 170)
    box_h = 90
    height = box_h + line_height(cap.size) + 30
    img = Image.new("RGBA", (width, height), CLEAR)
    draw = ImageDraw.Draw(img)
    cx = width // 2
    draw.rounded_rectangle(
        (cx - 70, 4, cx + 70, box_h), radius=12, fill=(120, 20, 40), outline=(70, 10, 20), width=2
    )
    draw.rectangle((cx - 58, 30, cx + 58, box_h - 10), fill=(60, 10, 20))
    gold = (230, 180, 50)
    draw.ellipse((cx - 42, 36, cx + 2, 76), outline=gold, width=6)
    draw.ellipse((cx - 4, 36, cx + 40, 76), outline=gold, width=6)
    draw.rectangle((0, box_h + 6, width - 1, height - 1), fill=(255, 255, 255), outline=(200, 200, 200))
    draw.text(
        ((width - cap_w) / 2 + 1, box_h + 16),
        caption,
        font=font(cap.size),
        fill=cap.color,
        stroke_width=1,
        stroke_fill=cap.color,
    )
    return Panel(img, "object", caption)


def stick_person(
    draw: ImageDraw.ImageDraw, x: int, y: int, scale: float, color: RGB, female: bool, veil: bool = False
) -> None:
    """A simple stick figure whose head's top-left is near (x, y); about 120*scale pixels tall."""
    s = scale
    head = int(22 * s)
    cx = x + head // 2
    draw.ellipse((x, y, x + head, y + head), fill=(240, 200, 170), outline=color, width=2)
    draw.ellipse((cx - int(6 * s), y + int(8 * s), cx - int(3 * s), y + int(11 * s)), fill=color)
    draw.ellipse((cx + int(3 * s), y + int(8 * s), cx + int(6 * s), y + int(11 * s)), fill=color)
    draw.arc(
        (cx - int(6 * s), y + int(10 * s), cx + int(6 * s), y + int(17 * s)), 20, 160, fill=color, width=2
    )
    neck = y + head
    hip = neck + int(45 * s)
    if female:
        draw.line(
            (x - int(2 * s), y + int(4 * s), x - int(4 * s), y + int(30 * s)), fill=(90, 60, 30), width=4
        )
        draw.line(
            (x + head + int(2 * s), y + int(4 * s), x + head + int(4 * s), y + int(30 * s)),
            fill=(90, 60, 30),
            width=4,
        )
        draw.polygon(
            [
                (cx, neck + int(10 * s)),
                (cx - int(22 * s), hip + int(8 * s)),
                (cx + int(22 * s), hip + int(8 * s)),
            ],
            fill=WHITE if veil else (200, 60, 90),
            outline=color,
        )
    draw.line((cx, neck, cx, hip), fill=color, width=3)
    draw.line(
        (cx - int(20 * s), neck + int(22 * s), cx + int(20 * s), neck + int(22 * s)), fill=color, width=3
    )
    draw.line((cx, hip, cx - int(14 * s), hip + int(40 * s)), fill=color, width=3)
    draw.line((cx, hip, cx + int(14 * s), hip + int(40 * s)), fill=color, width=3)
    if veil:
        draw.polygon(
            [
                (x, y),
                (x + head, y),
                (x + head + int(12 * s), y + int(40 * s)),
                (x - int(12 * s), y + int(40 * s)),
            ],
            outline=(200, 200, 210),
        )


def wedding_photo(caption: str, date: str, size: int, rng: random.Random) -> Panel:
    """A framed wedding photo (two stick figures, one with a veil) with a caption."""
    cap = fit_line(Line(caption, size, (120, 20, 50), stroke=1), MAX_WIDTH - 40, MIN_SIZE)
    cap_w = int(font(cap.size).getlength(caption)) + 2
    date_w = int(font(SMALL).getlength(date))
    width = max(cap_w, date_w, 170) + 44
    photo_h = 150
    height = photo_h + line_height(cap.size) + line_height(SMALL) + 46
    img = Image.new("RGBA", (width, height), CLEAR)
    draw = ImageDraw.Draw(img)
    frame = (110, 70, 40) if rng.random() < 0.5 else (170, 140, 60)
    draw.rectangle((0, 0, width - 1, height - 1), fill=frame)
    draw.rectangle((12, 12, width - 13, height - 13), fill=(250, 248, 240))
    draw.rectangle((20, 20, width - 21, photo_h), fill=(190, 215, 235))
    draw.rectangle((20, photo_h - 30, width - 21, photo_h), fill=(120, 170, 100))
    cx = width // 2
    stick_person(draw, cx - 46, 30, 0.85, INK, female=False)
    stick_person(draw, cx + 12, 30, 0.85, INK, female=True, veil=True)
    y = photo_h + 8
    draw.text(
        ((width - cap_w) / 2 + 1, y),
        caption,
        font=font(cap.size),
        fill=cap.color,
        stroke_width=1,
        stroke_fill=cap.color,
    )
    draw.text(
        ((width - date_w) / 2, y + line_height(cap.size) + 4), date, font=font(SMALL), fill=(80, 80, 80)
    )
    return Panel(img, "object", f"{caption}\n{date}")


def textbook(title: str, subtitle: str, owner: str, size: int, rng: random.Random) -> Panel:
    """A school textbook cover with a spine and a name sticker."""
    color = muted(rng, 30, 150)
    lines = [Line(title, size + 2, WHITE, stroke=1), Line(subtitle, size, WHITE), Line(owner, SMALL, INK)]
    img = card(lines, paper=color, align="center", radius=2, top=10, bottom=26, pad=16, min_width=200)
    draw = ImageDraw.Draw(img)
    draw.rectangle((0, 0, 12, img.height - 1), fill=tuple(max(0, c - 40) for c in color))
    # owner sticker behind the last line
    y = img.height - 26 - 16 - line_height(SMALL) - 2
    ow = font(SMALL).getlength(owner)
    draw.rectangle(
        ((img.width - ow) / 2 - 6, y - 2, (img.width + ow) / 2 + 6, y + line_height(SMALL) + 2),
        fill=(250, 250, 240),
    )
    draw.text(((img.width - ow) / 2, y), owner, font=font(SMALL), fill=INK)
    draw.regular_polygon((img.width // 2, img.height - 20, 10), 6, fill=(240, 220, 120))
    return Panel(img, "object", joined(lines))
