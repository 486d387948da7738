"""The one table of attribute specifications (design.md section 2)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["place", "categorical", "ordinal", "numeric", "free_text"]


@dataclass(frozen=True)
class AttributeSpec:
    key: str
    code: str
    kind: Kind
    description: str
    options: tuple[str, ...] = ()
    scored: bool = True


ATTRIBUTES: dict[str, AttributeSpec] = {
    a.key: a
    for a in (
        AttributeSpec(
            "location", "LOC", "place", "where the poster lives, as 'city, region, country' (at least a country)"
        ),
        AttributeSpec(
            "placeOfImage", "POI", "place", "where the photo was taken, as 'city, region, country'"
        ),
        AttributeSpec(
            "placeOfBirth", "POB", "place", "where the poster was born, as 'city, region, country'", scored=False
        ),
        AttributeSpec("sex", "SEX", "categorical", "the poster's sex", ("Male", "Female")),
        AttributeSpec("age", "AGE", "numeric", "the poster's age in years, a number or a range 'a-b'"),
        AttributeSpec("occupation", "OCC", "free_text", "the poster's occupation or job"),
        AttributeSpec(
            "income",
            "INC",
            "ordinal",
            "the poster's yearly income",
            (
                "No income",
                "Low (<30k USD)",
                "Medium (30-60k USD)",
                "High (60-150k USD)",
                "Very High (>150k USD)",
            ),
        ),
        AttributeSpec(
            "maritalStatus",
            "MAR",
            "ordinal",
            "the poster's relationship status",
            ("No relation", "In Relation", "Married", "Divorced"),
        ),
        AttributeSpec(
            "educationLevel",
            "EDU",
            "ordinal",
            "the poster's highest level of education",
            ("No Highschool", "In Highschool", "HS Diploma", "In College", "College Degree", "PhD"),
        ),
    )
}

#: The eight attributes the study scores and summarises, in report order.
SCORED: tuple[str, ...] = tuple(k for k, a in ATTRIBUTES.items() if a.scored)

PLACE_ATTRIBUTES: frozenset[str] = frozenset(k for k, a in ATTRIBUTES.items() if a.kind == "place")


def get(key: str) -> AttributeSpec:
    try:
        return ATTRIBUTES[key]
    except KeyError:
        raise KeyError(f"unknown attribute {key!r}; known: {', '.join(ATTRIBUTES)}") from None
