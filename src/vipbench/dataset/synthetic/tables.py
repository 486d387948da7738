"""The synthetic generator's tables: places, names, jobs, captions, subreddits, cameras, hobbies, months.

They live in `vipbench/data/synthetic.yaml` and are read once, into frozen records. A job's
incomes and education are option texts of those attributes, checked when the file is read.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from vipbench.core.attributes import ATTRIBUTES
from vipbench.core.io import package_yaml

DATA_FILE = "data/synthetic.yaml"


@dataclass(frozen=True)
class Place:
    city: str
    region: str
    country: str
    lat: float
    lon: float
    address: tuple[str, str]  # street line, postcode/city line
    street: str  # a street name for signs
    plate: tuple[str, str, str]  # style, header (country code or state), number pattern (A letter, 9 digit)
    sign: str  # sign style, see cues.street_sign
    currency: str
    usd_per_unit: float
    university: str
    culture: str  # which name list to use
    landmark: tuple[str, str] | None = None  # (name, drawing shape)

    @property
    def label(self) -> str:
        return f"{self.city}, {self.region}, {self.country}"


@dataclass(frozen=True)
class Job:
    key: str
    occupation: str  # the label estimate
    ages: tuple[int, int]
    incomes: tuple[str, ...]
    education: str
    badge_title: str | None = None  # the job line on a staff badge; None: no badge
    org: str = ""  # badge band; "{city}" and "{university}" are filled in
    honorific: str = ""  # "Dr.", "Prof.", "Captain"
    degree: tuple[str, str] | None = None  # diploma: degree, field ("{city}" allowed)


#: culture -> (male first names, female first names, last names)
Names = dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]]


@dataclass(frozen=True)
class Tables:
    places: tuple[Place, ...]
    names: Names
    #: the school-leaving certificate (degree, class line); jobs without a degree of their own show it
    high_school: tuple[str, str]
    jobs: tuple[Job, ...]
    captions: tuple[str, ...]
    subreddits: tuple[str, ...]
    cameras: tuple[tuple[str, str], ...]
    #: hobby key -> how the label names it
    hobbies: dict[str, str]
    #: the calendar cue's month names and lengths (February with 29 days)
    months: tuple[str, ...]
    month_days: tuple[int, ...]


def _tuple(v: Any) -> Any:
    return tuple(v) if isinstance(v, list) else v


def _option(attribute: str, text: str) -> str:
    if text not in ATTRIBUTES[attribute].options:
        raise ValueError(f"{DATA_FILE}: {text!r} is not a {attribute} option")
    return text


def _job(raw: dict[str, Any], high_school: tuple[str, str]) -> Job:
    fields = {k: _tuple(v) for k, v in raw.items()}
    fields["incomes"] = tuple(_option("income", i) for i in fields["incomes"])
    fields["education"] = _option("educationLevel", fields["education"])
    if fields.get("degree") == "high_school":
        fields["degree"] = high_school  # the one certificate, so `job.degree is high_school` holds
    return Job(**fields)


@cache
def load_tables() -> Tables:
    raw = package_yaml(DATA_FILE)
    high_school = tuple(raw["high_school"])
    return Tables(
        places=tuple(Place(**{k: _tuple(v) for k, v in p.items()}) for p in raw["places"]),
        names={c: (tuple(n["male"]), tuple(n["female"]), tuple(n["last"])) for c, n in raw["names"].items()},
        high_school=high_school,  # type: ignore[arg-type]
        jobs=tuple(_job(j, high_school) for j in raw["jobs"]),  # type: ignore[arg-type]
        captions=tuple(raw["captions"]),
        subreddits=tuple(raw["subreddits"]),
        cameras=tuple(tuple(c) for c in raw["cameras"]),  # type: ignore[misc]
        hobbies=dict(raw["hobbies"]),
        months=tuple(raw["months"]),
        month_days=tuple(raw["month_days"]),
    )
