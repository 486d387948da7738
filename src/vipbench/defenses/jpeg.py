"""A JPEG segment parser that drops metadata segments and copies the compressed image data as is.

Used by `strip_metadata`, so that removing metadata from a JPEG never re-encodes its pixels.
"""

from __future__ import annotations

from PIL import Image

from .registry import DefenseError

#: JPEG markers kept: APP0 (JFIF), APP14 (Adobe colour transform) and the non-APP coding
#: segments. APP2 is kept only when it is an ICC profile chunk.
_APP_KEEP = {0xE0, 0xEE}


def strip_jpeg_segments(data: bytes, orientation: int = 1) -> bytes:
    """The JPEG `data` without metadata segments, the compressed image data copied byte for byte.

    Drops APP1 (EXIF, XMP), APP2 other than ICC (e.g. MPF, FlashPix), APP3-APP13 (incl. IPTC),
    APP15, COM, and anything after the end-of-image marker (appended preview images, trailers).
    An Orientation other than 1 is written back as a minimal EXIF segment with that tag only.
    """
    if data[:2] != b"\xff\xd8":
        raise DefenseError("not a JPEG file (no start-of-image marker)")
    out = bytearray(b"\xff\xd8")
    if orientation not in (None, 1):
        e = Image.Exif()
        e[0x0112] = int(orientation)
        payload = e.tobytes()
        out += b"\xff\xe1" + (len(payload) + 2).to_bytes(2, "big") + payload
    i, n = 2, len(data)
    while i < n:
        if data[i] != 0xFF:
            raise DefenseError(f"corrupt JPEG: expected a marker at byte {i}")
        while i < n and data[i] == 0xFF:  # fill bytes
            i += 1
        if i >= n:
            break
        marker = data[i]
        i += 1
        if marker == 0xD9:  # end of image: stop, dropping any trailer
            out += b"\xff\xd9"
            return bytes(out)
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:  # stand-alone markers
            out += bytes((0xFF, marker))
            continue
        if i + 2 > n:
            raise DefenseError("corrupt JPEG: truncated segment header")
        length = int.from_bytes(data[i : i + 2], "big")
        seg = data[i : i + length]
        end = i + length
        keep = (
            not (0xE0 <= marker <= 0xEF or marker == 0xFE)
            or marker in _APP_KEEP
            or (marker == 0xE2 and seg[2:14] == b"ICC_PROFILE\0")
        )
        if keep:
            out += bytes((0xFF, marker)) + seg
        i = end
        if marker == 0xDA:  # start of scan: copy entropy-coded data up to the next real marker
            j = i
            while j < n:
                nxt = data[j + 1] if j + 1 < n else 0x00
                if data[j] == 0xFF and nxt != 0x00 and not 0xD0 <= nxt <= 0xD7:
                    if nxt == 0xFF:  # fill byte before a marker
                        j += 1
                        continue
                    break
                j += 1
            out += data[i:j]
            i = j
    # No end-of-image marker (truncated file): close it so decoders stop cleanly.
    out += b"\xff\xd9"
    return bytes(out)
