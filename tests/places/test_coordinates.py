"""A point written in a place answer, in the notations models use (vipbench.places.coordinates)."""

from __future__ import annotations

import pytest

from vipbench.places.coordinates import text_point


@pytest.mark.parametrize(
    ("text", "lat", "lon"),
    [
        ("52.3676° N, 4.9041° E", 52.3676, 4.9041),  # degrees and hemispheres
        ("33.4489 S, 70.6693 W", -33.4489, -70.6693),  # hemispheres without degree signs
        ("latitude 55.68, longitude 12.57", 55.68, 12.57),  # labelled
        ("lat: -6.2088 / lng: 106.8456", -6.2088, 106.8456),
        ("(41.9028, 12.4964)", 41.9028, 12.4964),  # a bare pair with decimals
        ("Somewhere near -22.9068, -43.1729.", -22.9068, -43.1729),
        ("59°19′46″N 18°4′7″E", 59.3294, 18.0686),  # degrees, minutes, seconds
        ("30°2'N 31°14'E", 30.0333, 31.2333),  # ASCII minutes
        ("S 37.81, E 144.96", -37.81, 144.96),  # hemisphere first
        ("139.69 E, 35.69 N", 35.69, 139.69),  # longitude first, said by its letters
    ],
)
def test_a_written_point(text: str, lat: float, lon: float) -> None:
    point = text_point(text)
    assert point is not None
    assert point == pytest.approx((lat, lon), abs=1e-3)


@pytest.mark.parametrize(
    "text",
    [
        "221 Baker Street, London",  # a house number
        "Rio de Janeiro - RJ, 20040-020",  # a postcode
        "Nairobi 00100",
        "Route 66, Arizona",
        "District 7, Ho Chi Minh City",
        "1998, Osaka",  # a year and a town: whole numbers are no degrees
        "95.5, 200.1",  # out of range
        "Lyon",
    ],
)
def test_no_point(text: str) -> None:
    assert text_point(text) is None
