"""JPEG files with a GPS fix in their EXIF, as a phone writes them: for the `exif` adversary."""

from __future__ import annotations

from pathlib import Path

from PIL import Image


def gps_exif(lat: float, lon: float, orientation: int = 1) -> Image.Exif:
    """EXIF with a GPS position (degrees, minutes, seconds), a camera, a capture time and, unless
    1, an orientation tag."""
    exif = Image.Exif()
    exif[0x010F] = "Pixelcam"
    exif[0x0110] = "P9 Pro"
    if orientation != 1:
        exif[0x0112] = orientation
    gps = exif.get_ifd(0x8825)

    def dms(x: float) -> tuple[float, float, float]:
        x = abs(x)
        d = int(x)
        m = int((x - d) * 60)
        return (float(d), float(m), round(((x - d) * 60 - m) * 60, 4))

    gps[1], gps[2] = ("N" if lat >= 0 else "S"), dms(lat)
    gps[3], gps[4] = ("E" if lon >= 0 else "W"), dms(lon)
    exif.get_ifd(0x8769)[0x9003] = "2024:06:01 10:30:00"
    return exif


def save_with_gps(image: Image.Image | Path, dst: Path, lat: float, lon: float) -> Path:
    """Write `image` to dst with GPS: a picture is encoded as JPEG; a JPEG file keeps its bytes and
    gains an EXIF segment (its pixels stay exactly the same, as when a phone tags a photo)."""
    dst.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(image, Path):
        dst.write_bytes(with_exif_segment(image.read_bytes(), gps_exif(lat, lon).tobytes()))
    else:
        image.convert("RGB").save(dst, format="JPEG", exif=gps_exif(lat, lon), quality=90)
    return dst


def with_exif_segment(jpeg: bytes, exif: bytes) -> bytes:
    """The JPEG stream with `exif` (b"Exif\\0\\0" + TIFF) as its only EXIF segment, right after the
    start marker; every other segment and the compressed pixels are copied unchanged."""
    if jpeg[:2] != b"\xff\xd8":
        raise ValueError("not a JPEG stream")
    kept, i = [], 2
    while i + 4 <= len(jpeg) and jpeg[i] == 0xFF and jpeg[i + 1] not in (0xDA, 0xD9):  # header segments
        end = i + 2 + int.from_bytes(jpeg[i + 2 : i + 4], "big")
        if not (jpeg[i + 1] == 0xE1 and jpeg[i + 4 : i + 10] == b"Exif\x00\x00"):
            kept.append(jpeg[i:end])
        i = end
    segment = b"\xff\xe1" + (len(exif) + 2).to_bytes(2, "big") + exif
    return jpeg[:2] + segment + b"".join(kept) + jpeg[i:]


def write_geo_table(path: Path, rows: list[dict[str, object]]) -> Path:
    """A geolocation table as `vipbench import-geo` reads it (file, latitude, longitude, city, ...)."""
    import csv

    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path
