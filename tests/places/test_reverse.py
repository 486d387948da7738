"""From a point to the nearest town, with its country and region."""

from __future__ import annotations

import pytest

from vipbench.places.reverse import nearest_place


@pytest.mark.parametrize(
    ("lat", "lon", "country", "region"),
    [
        (49.0669, -81.0331, "CA", "CA-ON"),  # Cochrane, Ontario (GeoNames code 08, mapped to ISO)
        (48.8566, 2.3522, "FR", "FR-IDF"),  # central Paris
        (-33.8688, 151.2093, "AU", "AU-NSW"),  # Sydney
        (35.6762, 139.6503, "JP", "JP-13"),  # Tokyo
    ],
)
def test_nearest_place_names_country_and_region(lat: float, lon: float, country: str, region: str) -> None:
    place, km = nearest_place(lat, lon)
    assert place.country_code == country and place.admin1_code == region
    assert place.level == "city" and km < 10
