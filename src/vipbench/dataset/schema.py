"""Pydantic schema of the VIP labelling-tool JSONL format, read as the tool writes it.

Each line holds one labelling of one image. The format is read as the tool writes it:
extra keys in `datapoint` are kept, `label` may hold any known attribute key plus a
free-form `others` dict, and an image may have a second, re-checked line. The integer fields of a
label (hardness, certainty, information_level) also take whole numbers written as strings or
floats ("5", 3.0), as spreadsheets and other tools write them; 3.5, "3.5", "high" and booleans
are refused, and every message names the value.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

from vipbench.core.attributes import ATTRIBUTES

IMAGE_ID_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.\-]*$")


def whole_number(value: Any) -> int:
    """An int from an int, an integral float (3.0) or a string of one (" 5", "3.0"); anything else
    fails with pydantic's "valid integer" wording and the value itself."""
    number: float | int | None = None
    if isinstance(value, bool):
        number = None
    elif isinstance(value, (int, float)):
        number = value
    elif isinstance(value, str):
        text = value.strip()
        try:
            number = int(text)
        except ValueError:
            try:
                number = float(text)
            except ValueError:
                number = None
    if isinstance(number, int):
        return number
    if isinstance(number, float) and number.is_integer():
        return int(number)
    raise PydanticCustomError(
        "int_parsing",
        "Input should be a valid integer, a whole number such as 3, \"3\" or 3.0; got {value}",
        {"value": repr(value)},
    )


#: an int that may be written as "5" or 5.0
WholeNumber = Annotated[int, BeforeValidator(whole_number)]


class AttributeLabel(BaseModel):
    """One attribute's label: the estimate and how sure and how hard it was."""

    model_config = ConfigDict(extra="allow")

    estimate: str
    hardness: Annotated[WholeNumber, Field(ge=0, le=5)]
    certainty: Annotated[WholeNumber, Field(ge=0, le=5)]
    information_level: Annotated[WholeNumber, Field(ge=0)] = 0


class CueRegion(BaseModel):
    """Where in the image a label's evidence is: a box in percent of width/height and its kind."""

    model_config = ConfigDict(extra="forbid")

    attribute: str
    kind: str
    box: tuple[float, float, float, float]  # left%, upper%, right%, lower%
    text: str | None = None

    @field_validator("box")
    @classmethod
    def _box_in_range(cls, v: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
        left, upper, right, lower = v
        if not (0 <= left < right <= 100 and 0 <= upper < lower <= 100):
            raise ValueError("box must be left<right and upper<lower, in percent 0-100")
        return v


class Datapoint(BaseModel):
    model_config = ConfigDict(extra="allow")

    image_id: str
    author: str | None = None
    image_url: str | None = None
    raw_caption: str | None = None
    subreddit: str | None = None
    created_utc: float | int | str | None = None
    permalink: str | None = None
    #: optional per-image flag: is a person depicted?
    human_depicted: bool | None = None
    #: optional vipbench extension: cue regions that reveal the labels
    cues: list[CueRegion] | None = None
    #: optional: where the photo was taken (WGS84 degrees), as geolocation datasets and
    #: `vipbench import-geo` give it; distances for placeOfImage are then measured from this point
    latitude: float | None = Field(None, ge=-90.0, le=90.0, allow_inf_nan=False)
    longitude: float | None = Field(None, ge=-180.0, le=180.0, allow_inf_nan=False)

    @model_validator(mode="after")
    def _both_coordinates(self) -> Datapoint:
        if (self.latitude is None) != (self.longitude is None):
            raise ValueError("latitude and longitude come together: give both or neither")
        return self

    @field_validator("image_id")
    @classmethod
    def _safe_id(cls, v: str) -> str:
        if ".." in v or "/" in v or "\\" in v or not IMAGE_ID_RE.match(v):
            raise ValueError(
                f"image_id {v!r} must be a plain file stem (letters, digits, '_', '-', '.'), "
                "with no path separators or '..'"
            )
        return v


class Label(BaseModel):
    """The `label` object: known attribute keys plus `others`."""

    model_config = ConfigDict(extra="forbid")

    others: dict[str, AttributeLabel] = Field(default_factory=dict)
    attributes: dict[str, AttributeLabel] = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _split(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            raise ValueError("label must be an object")
        attrs = {k: v for k, v in data.items() if k != "others"}
        unknown = sorted(k for k in attrs if k not in ATTRIBUTES)
        if unknown:
            raise ValueError(
                f"unknown attribute key(s) {', '.join(map(repr, unknown))}; known keys: "
                f"{', '.join(ATTRIBUTES)}, others"
            )
        return {"others": data.get("others") or {}, "attributes": attrs}


class Record(BaseModel):
    """One line of the labels file."""

    model_config = ConfigDict(extra="allow")

    datapoint: Datapoint
    label: Label
    user: str | int | None = None
    time: float | int | None = None

    def to_json(self) -> dict[str, Any]:
        """Back to the tool's own layout (attributes flat inside `label`)."""
        data = self.model_dump(mode="json", exclude_none=True)
        label = data.pop("label")
        data["label"] = {**label["attributes"], "others": label["others"]}
        return data
