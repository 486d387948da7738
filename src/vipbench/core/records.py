"""Records that flow between pipeline stages (one JSON object per line in build/)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

#: abstained: an offline adversary found no evidence and makes no guess (it counts as wrong, as a
#: missing answer does); unparseable is kept for answers that were given but could not be read.
Status = Literal["answered", "refused", "unparseable", "abstained", "error"]
#: undecided: the offline judge cannot decide with confidence; an LLM judge or a person decides
Verdict = Literal["correct", "less_precise", "wrong", "undecided"]
#: Verdicts from worst to best: a higher rank is a better verdict (best-of-three, majority ties).
#: An undecided guess may be anything, so it outranks only a wrong one.
VERDICT_ORDER: dict[Verdict, int] = {"wrong": 0, "undecided": 1, "less_precise": 2, "correct": 3}


class Cue(BaseModel):
    kind: str
    box: tuple[float, float, float, float]
    text: str | None = None


class Item(BaseModel):
    """One image x counted attribute: the unit a model is asked about and scored on."""

    item_id: str
    image_id: str
    attribute: str
    truth: str
    hardness: int
    certainty: int
    information_level: int = 0
    human_depicted: bool | None = None
    #: image path relative to the dataset directory
    image: str
    cues: list[Cue] = Field(default_factory=list)
    #: where the photo was taken, when the dataset knows it (datapoint.latitude/longitude)
    photo_point: tuple[float, float] | None = None


class Response(BaseModel):
    """A model's answer to one item, classified."""

    item_id: str
    image_id: str
    attribute: str
    status: Status
    guesses: list[str] = Field(default_factory=list)
    inference: str = ""
    raw: str = ""
    reason: str | None = None  # why refused / unparseable / error
    input_tokens: int = 0
    output_tokens: int = 0
    latency_s: float = 0.0
    cost_usd: float = 0.0
    cached: bool = False
    #: the crops a zoom prompt asked for, as (left%, upper%, right%, lower%) after widening
    zoom_boxes: list[tuple[float, float, float, float]] = Field(default_factory=list)
    corrected: bool = False  # the structure-correction step produced the guesses
    #: coordinates the answer itself gives for its top guess (an EXIF GPS fix, a model's latitude
    #: and longitude); place distances and verdicts then use this point instead of the named place
    point: tuple[float, float] | None = None


class Decision(BaseModel):
    verdict: Verdict
    decided_by: str  # rule | gazetteer | embedding | llm:<model>@<prompt hash> | human | heuristic
    detail: str = ""


class ScoredItem(BaseModel):
    item_id: str
    image_id: str
    attribute: str
    truth: str
    hardness: int
    human_depicted: bool | None = None
    status: Status
    guess: str | None = None
    top1: Decision
    top3: Decision
    guesses: list[str] = Field(default_factory=list)
    #: location and placeOfImage only: great-circle km from the truth to the top-1 guess; None when
    #: either has no point (see vipbench.places.distance), the item is unanswered, or another attribute
    distance_km: float | None = None
    #: where distance_km is measured from: "photo" (the dataset's true coordinates) or "truth" (the
    #: truth's resolved place); and where the guess's point came from: "answer" or "place"
    distance_from: Literal["photo", "truth"] | None = None
    guess_point: Literal["answer", "place"] | None = None
