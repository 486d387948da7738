"""Offline judge for place attributes (location, placeOfImage, placeOfBirth).

The rule is hierarchical (design.md, section 2):

* **correct**: the guess names the same place, or a place inside the truth ("London, UK" for truth
  "United Kingdom"; a city of the truth's region);
* **less_precise**: the guess is in the same country but coarser ("Canada" for "Vancouver, Canada"),
  or names another city or region of that country;
* **wrong**: another country, a guess that cannot be resolved, or an empty guess.

Both strings go through :func:`vipbench.scoring.gazetteer.resolve_place`. Choices made where the
gazetteer cannot be sure:

* A city the gazetteer does not know (a small town) keeps its raw name at the coarser level the
  string gives explicitly ("Gumeracha, South Australia, Australia" is region AU-SA plus the name
  "Gumeracha"). Such a truth still counts as city-level: a guess is correct only if it names a
  city with the same normalised name in the same country (and no conflicting region).
* Truth is a region and the guess a city whose region cannot be confirmed (its GeoNames admin1
  code has no known ISO equivalent, and the guess names no region): less_precise, and ``detail``
  says "region not confirmed" so that a reviewer or the LLM judge can look again.
* Truth that cannot be resolved at all falls back to comparing normalised comma-separated parts
  (equal: correct; guess ends with the truth: correct; truth ends with the guess: less_precise;
  otherwise wrong); ``detail`` says so. ``decided_by`` is "gazetteer" in every case.

``detail`` shows both places compactly as ``CC/admin1/city`` ("-" unknown, "?" an unconfirmed
city name), e.g. ``truth=CH/Zürich/Zürich guess=CH/-/-; coarser (country)``.
"""

from __future__ import annotations

from vipbench.core.records import Decision, Verdict
from vipbench.scoring.gazetteer import Place, normalize, region_contains, resolve_place, split_place

__all__ = ["compare_places", "judge_place", "same_country"]

JUDGE = "gazetteer"


def _decision(verdict: Verdict, detail: str) -> Decision:
    return Decision(verdict=verdict, decided_by=JUDGE, detail=detail)


def _specificity(place: Place) -> int:
    """0 country, 1 region, 2 city (a confirmed city or a raw, unconfirmed city name)."""
    if place.city:
        return 2
    if place.level == "region":
        return 1
    return 0


def _same_city(truth: Place, guess: Place) -> bool:
    if truth.geonameid is not None and guess.geonameid is not None:
        return truth.geonameid == guess.geonameid
    if not truth.city or not guess.city or normalize(truth.city) != normalize(guess.city):
        return False
    return region_contains(truth.admin1_code, guess.admin1_code) is not False


def compare_places(truth: Place, guess: Place) -> tuple[Verdict, str]:
    """The verdict for two resolved places, with a short reason."""
    if truth.country_code != guess.country_code:
        return "wrong", "other country"
    t_spec, g_spec = _specificity(truth), _specificity(guess)
    if t_spec == 0:
        return "correct", "same country" if g_spec == 0 else "inside the country"
    if t_spec == 1:
        if g_spec == 0:
            return "less_precise", "coarser (country)"
        inside = region_contains(truth.admin1_code, guess.admin1_code)
        if inside:
            return "correct", "same region" if g_spec == 1 else "inside the region"
        if inside is None:
            return "less_precise", "same country, region not confirmed"
        return "less_precise", "same country, other region"
    if g_spec == 2:
        if _same_city(truth, guess):
            return "correct", "same city"
        return "less_precise", "same country, other city"
    return "less_precise", "coarser (region)" if g_spec == 1 else "coarser (country)"


def _string_fallback(truth: str, guess: str) -> Decision:
    t_parts = [normalize(p) for p in split_place(truth)]
    g_parts = [normalize(p) for p in split_place(guess)]
    note = "truth not in gazetteer; normalised string comparison: "
    if t_parts == g_parts:
        return _decision("correct", note + "same text")
    if t_parts and len(g_parts) > len(t_parts) and g_parts[-len(t_parts) :] == t_parts:
        return _decision("correct", note + "guess inside truth")
    if g_parts and len(t_parts) > len(g_parts) and t_parts[-len(g_parts) :] == g_parts:
        return _decision("less_precise", note + "guess coarser")
    return _decision("wrong", note + "different")


def judge_place(truth: str, guess: str) -> Decision:
    """Judge a place guess against the labelled truth with the offline gazetteer."""
    if not guess or not normalize(guess):
        return _decision("wrong", "empty guess")
    truth_place = resolve_place(truth)
    if truth_place is None:
        return _string_fallback(truth, guess)
    guess_place = resolve_place(guess)
    if guess_place is None:
        return _decision("wrong", f"truth={truth_place.short()} guess=unresolved")
    verdict, reason = compare_places(truth_place, guess_place)
    return _decision(verdict, f"truth={truth_place.short()} guess={guess_place.short()}; {reason}")


def same_country(a: str, b: str) -> bool | None:
    """Whether two place strings are in the same country; None if either cannot be resolved."""
    place_a, place_b = resolve_place(a), resolve_place(b)
    if place_a is None or place_b is None:
        return None
    return place_a.country_code == place_b.country_code
