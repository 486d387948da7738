"""Offline judge for place attributes (location, placeOfImage, placeOfBirth).

The study's hierarchical rule:

* **correct**: the guess names the same place, or a place inside the truth ("London, UK" for truth
  "United Kingdom"; a city of the truth's region; a borough, campus or landmark of the truth's city);
* **less_precise**: the guess is in the same country but coarser ("Canada" for "Vancouver, Canada"),
  or names another city, region or site of that country;
* **wrong**: another country (a territory that ISO lists as a country, such as Hong Kong or
  Réunion, is the same place as its sovereign's region of that name, "Hong Kong SAR" or "La
  Réunion"), a continent or world region ("Asia" for "Japan": it is not a place
  in the truth's country), a guess that cannot be resolved, or an empty guess;
* **undecided**: the offline judge cannot tell with confidence; a LLM judge panel or a person decides.

Both strings go through :func:`vipbench.places.gazetteer.resolve_readings`; a guess written as a
sentence is first cut to the place it names, and a guess offering several places ("Tokyo or
Yokohama") gets the verdict they all get, else undecided (:mod:`vipbench.places.answers`). The
layout models wrap a place in (fields, lists, ranges, postcodes, streets, quarters of a city) is
taken off first (:mod:`vipbench.places.forms`), and coordinates written in the guess are judged
as a point (:func:`judge_point`, :mod:`vipbench.places.coordinates`). Choices
made where the gazetteer cannot be sure:

* **Sub-city places.** A guess whose point (a landmark-table site, or a GeoNames place such as
  Brooklyn or Shibuya) lies inside the truth city counts as that city. A site the table places in
  the truth city is inside it. Otherwise the city's extent comes from its population
  (:mod:`vipbench.places.geo`): a smaller place within half the core radius is inside; between
  half and the full core radius (Cambridge beside Boston) it is undecided; beyond it, another city.
* **Ambiguous names.** "Georgia", "Portland" or "CO" have several readings. A careful reader gives
  the benefit of the doubt when a reading that names the truth is comparably prominent (at most
  ``gazetteer.MAX_RATIO`` times less populous), and takes a reading that merely lands in the truth's
  country only when it is about as prominent as the first (``PARTIAL_CHARITY_RATIO``: "Georgia" for
  Atlanta is the state, "Athens" for Athens, Ohio is still Greece). "Paris" for "Paris, Texas" stays
  wrong.
* **Misspellings.** A guess with no exact reading is matched fuzzily within the country it names,
  or else among the bigger cities (``BORROWED_MIN_POPULATION``) of the truth's country; a grey-zone
  match is undecided. A guess that exactly names only a small town is also read as a misspelling of
  a far bigger city of the truth's country ("Johannesberg"), and a near-spelling of the truth's
  country name as that country ("Columbia" for Colombia).
* **Areas across borders.** "Borneo" or "Kashmir" alone names part of several countries and none of
  them: the verdict each country's part gets, else undecided. With a country or a town it is that
  country's part ("Borneo, Malaysia" is coarser than Kuching).
* **A wrongly named region.** "Tacloban, Central Visayas" is read as an unknown town of the region
  named, since the data puts Tacloban in Eastern Visayas (see :mod:`vipbench.places.resolve`).
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
city name, ">site" a landmark or district, "~" a fuzzy match), e.g.
``truth=CH/Zürich/Zürich guess=CH/-/-; coarser (country)``.
"""

from __future__ import annotations

import functools

from vipbench.core.records import Decision, Verdict
from vipbench.places.answers import alternatives, answer_phrases
from vipbench.places.coordinates import text_point
from vipbench.places.forms import between_candidates, capitalised_runs, clean_answer, loose_forms, plain_parts
from vipbench.places.gazetteer import (
    MAX_RATIO,
    Place,
    Reading,
    area_parts,
    bare_name,
    fuzzy_city,
    normalize,
    region_contains,
    resolve_place,
    resolve_readings,
    split_place,
    territory_view,
    unarticled,
)
from vipbench.places.geo import core_radius_km, haversine_km, outer_radius_km
from vipbench.places.landmarks import site_radius_km
from vipbench.places.scripts import expand_abbreviations, has_non_latin
from vipbench.places.worldregions import WorldRegion, world_region
from vipbench.scoring.alternatives import shared_verdict

__all__ = ["compare_places", "judge_place", "judge_point"]

JUDGE = "gazetteer"
#: An other reading that does not name the truth but lands in its country must be about as prominent.
PARTIAL_CHARITY_RATIO = 2.0
#: A bare guess with no exact reading is matched fuzzily among the truth country's cities this big.
BORROWED_MIN_POPULATION = 100_000
#: A guess that exactly names only a town smaller than this may be a misspelling of a big city.
SMALL_TOWN = 15_000
#: A smaller place inside the truth city's core radius, within this fraction of it, is inside the city.
DEEP_INSIDE = 0.5

_ORDER: dict[Verdict, int] = {"wrong": 0, "undecided": 1, "less_precise": 2, "correct": 3}


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
    if not truth.city or not guess.city or not _same_name(truth.city, guess.city):
        return False
    return region_contains(truth.admin1_code, guess.admin1_code) is not False


def _same_name(a: str, b: str) -> bool:
    """Whether two town names are the same name: equal once normalised, with or without a leading
    Arabic article, and with the first word abbreviated or written out ("St. Josef", "Sankt Josef")."""

    def keys(name: str) -> set[str]:
        key = unarticled(normalize(name))
        return {key, *expand_abbreviations(key)}

    return bool(keys(a) & keys(b))


def _point(place: Place) -> tuple[float, float] | None:
    if place.site_lat is not None and place.site_lon is not None:
        return place.site_lat, place.site_lon
    if place.lat is not None and place.lon is not None and place.level == "city":
        return place.lat, place.lon
    return None


def _inside_city(truth: Place, guess: Place) -> tuple[Verdict, str] | None:
    """Whether a guess that is another GeoNames city, or a site, lies inside the truth city."""
    point = _point(guess)
    if truth.lat is None or truth.lon is None or point is None:
        return None
    km = haversine_km(truth.lat, truth.lon, *point)
    core = core_radius_km(truth.population)
    if guess.site is None and (guess.population or 0) * 2 > (truth.population or 0):
        return None  # a city as big as the truth is another city, however close
    if guess.site_kind == "natural" and guess.level != "city":
        return None  # a natural area the table puts in no town (Cappadocia) spans more than the town at its point
    if region_contains(truth.admin1_code, guess.admin1_code) is False:
        return None  # across a state or province border (Newark is not in New York City)
    if km <= DEEP_INSIDE * core:
        return "correct", f"inside the city ({km:.0f} km from its centre)"
    if km <= core:
        return "undecided", f"{km:.0f} km from the city's centre: inside it or a neighbouring place"
    return None


def _compare_sites(truth: Place, guess: Place) -> tuple[Verdict, str]:
    """The truth names a site (landmark, district, natural place) in the guess's country."""
    t_point, g_point = _point(truth), _point(guess)
    assert t_point is not None
    if guess.site and g_point is not None:
        km = haversine_km(*t_point, *g_point)
        if km <= max(site_radius_km(truth.site_kind), 0.3):
            return "correct", f"same site ({km:.1f} km apart)"
        return "less_precise", f"same country, another site ({km:.0f} km apart)"
    if guess.level == "city" and g_point is not None:
        if truth.geonameid is not None and guess.geonameid == truth.geonameid:
            return "less_precise", "coarser (the city around the site)"
        km = haversine_km(*t_point, *g_point)
        if km <= site_radius_km(truth.site_kind):
            return "correct", f"a place at the site ({km:.1f} km)"
        return "less_precise", f"same country, another place ({km:.0f} km from the site)"
    if guess.level == "region":
        same = region_contains(truth.admin1_code, guess.admin1_code)
        return "less_precise", "coarser (the region around the site)" if same else "same country, other region"
    return "less_precise", "coarser (country)"


def compare_places(truth: Place, guess: Place) -> tuple[Verdict, str]:
    """The verdict for two resolved places, with a short reason."""
    if truth.country_code != guess.country_code:
        # a territory that is also a region of its sovereign: "Hong Kong SAR" (CN-HK) for Hong Kong
        for t_view, g_view in ((truth, territory_view(guess)), (territory_view(truth), guess)):
            if t_view is not None and g_view is not None and t_view.country_code == g_view.country_code:
                return compare_places(t_view, g_view)
        return "wrong", "other country"
    if truth.site:
        return _compare_sites(truth, guess)
    t_spec, g_spec = _specificity(truth), _specificity(guess)
    if truth.area is not None and t_spec == 0:  # the truth is a named area's part in this country
        parts = area_parts(truth.area, truth.country_code)
        if guess.area == truth.area or (g_spec and (not parts or guess.admin1_code in parts)):
            return "correct", f"inside {truth.area}"
        return "less_precise", "coarser (country)" if g_spec == 0 else f"same country, outside {truth.area}"
    if t_spec == 0:
        return "correct", "same country" if g_spec == 0 else "inside the country"
    if t_spec == 1:
        if g_spec == 0:
            return "less_precise", "coarser (country)"
        inside = region_contains(truth.admin1_code, guess.admin1_code)
        if inside:
            return "correct", "same region" if g_spec == 1 else "inside the region"
        namesake = guess.level == "city" and guess.city and truth.admin1 and _same_name(guess.city, truth.admin1)
        if inside is None and namesake:
            # the region's namesake town, where GeoNames' code for the town's region has no ISO
            # equivalent: "Domagnano" (town) lies in Domagnano (castello), Eschen in Eschen
            return "correct", "the region's namesake town"
        if inside is None:
            return "less_precise", "same country, region not confirmed"
        return "less_precise", "same country, other region"
    if g_spec == 2 or guess.site:
        if _same_city(truth, guess):
            return "correct", "same city" if not guess.site else f"{guess.site_kind} in the city"
        if guess.within is not None and guess.within == truth.geonameid:
            return "correct", "a district of the city"
        if truth.level == "city" and (guess.level == "city" or guess.site):
            inside = _inside_city(truth, guess)
            if inside is not None:
                return inside
        return "less_precise", "same country, other city" if g_spec == 2 else "same country, another place"
    if g_spec == 0 and guess.area is not None:  # a country's part of a named area ("Borneo, Malaysia")
        codes = area_parts(guess.area, guess.country_code)
        inside = not codes or truth.admin1_code in codes
        return "less_precise", f"coarser ({guess.area})" if inside else f"same country, outside {guess.area}"
    if g_spec == 0:
        return "less_precise", "coarser (country)"
    # a region guess for a town: coarser only if the region holds the town (Oregon does not hold Seattle)
    holds = region_contains(truth.admin1_code, guess.admin1_code)
    if holds is None:
        return "less_precise", "same country, region not confirmed to hold the truth"
    return "less_precise", "coarser (region)" if holds else "same country, other region"


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


def _world_verdict(truth_region: WorldRegion | None, truth: Place | None, guess: WorldRegion) -> Decision:
    """The guess is a continent or world region."""
    if truth_region is not None:
        if truth_region.key == guess.key:
            return _decision("correct", f"same world region ({guess.name})")
        if guess.members and guess.members < truth_region.members:
            return _decision("correct", f"{guess.name} lies in {truth_region.name}")
        if guess.members and truth_region.members < guess.members:
            return _decision("less_precise", f"coarser ({guess.name} holds {truth_region.name})")
        return _decision("wrong", f"another world region ({guess.name})")
    where = truth.short() if truth is not None else "unresolved"
    return _decision("wrong", f"truth={where} guess={guess.name}; a world region, not a place in the truth's country")


def _truth_is_world_region(truth: WorldRegion, guess: str) -> Decision:
    place = resolve_place(guess)
    if place is None:
        return _decision("wrong", f"truth={truth.name} guess=unresolved")
    if place.country_code in truth.members:
        return _decision("correct", f"truth={truth.name} guess={place.short()}; inside the world region")
    return _decision("wrong", f"truth={truth.name} guess={place.short()}; outside the world region")


def _guess_readings(truth: Place, guess: str) -> tuple[Reading, ...]:
    """The guess's readings; a bare name that is unknown, or names only a small town, is also tried
    as a misspelling of a big city of the truth's country, or of the truth's country name."""
    readings = resolve_readings(guess)
    if has_non_latin(guess) or len(split_place(guess)) != 1:
        return readings
    first = readings[0].place if readings else None
    if first is not None and (first.level != "city" or (first.population or 0) >= SMALL_TOWN):
        return readings
    extra: list[Reading] = []
    country = _country_spelling(truth.country_code, guess)
    if country is not None:
        extra.append(Reading(country, 1.0))
    place = fuzzy_city(guess, truth.country_code, min_population=BORROWED_MIN_POPULATION)
    if place is None and first is None:  # a small town misspelt ("Hokitka"): only a sure match counts
        place = fuzzy_city(guess, truth.country_code)
        place = place if place is not None and place.match_sure else None
    if place is not None and (first is None or place.match_sure):
        extra.append(Reading(place, 1.0))
    if first is None:
        return tuple(extra)
    return (*readings, *extra)


def _country_spelling(country_code: str, guess: str) -> Place | None:
    """The truth's country, when the guess is one edit away from its name ("Columbia", "Brasill")."""
    from rapidfuzz.distance import DamerauLevenshtein

    key = normalize(guess)
    place = resolve_place(country_code)
    if place is None or len(key) < 5:
        return None
    names = {normalize(place.country)}
    if DamerauLevenshtein.distance(key, min(names, key=lambda n: DamerauLevenshtein.distance(key, n))) <= 1:
        return place.model_copy(update={"match": "fuzzy", "match_score": 90.0})
    return None


def _reads(phrase: str) -> bool:
    """Whether the gazetteer reads the phrase as a place, a world region, or candidates that all read."""
    options = alternatives(phrase)
    if len(options) > 1:
        return all(_reads(o) for o in options)
    return world_region(phrase) is not None or bool(resolve_readings(phrase))


def _reads_cleanly(phrase: str) -> bool:
    """Whether the phrase reads as a place with no stray words kept as the name of an unknown town
    ("the density of motorbikes suggests ..., Vietnam" reads as Vietnam, but not cleanly)."""
    options = alternatives(phrase)
    if len(options) > 1:
        return all(_reads_cleanly(o) for o in options)
    if world_region(phrase) is not None:
        return True
    readings = resolve_readings(phrase)
    if not readings:
        return False
    place = readings[0].place
    return place.level == "city" or not place.city or _name_like(place.city)


def _name_like(text: str) -> bool:
    """Whether every word of a raw town name is capitalised, or a joining word ("Rio de Janeiro")."""
    joins = _name_joins()
    return all(w[:1].isupper() or w.lower() in joins for w in text.split()) and not any(c.isdigit() for c in text)


@functools.cache
def _name_joins() -> frozenset[str]:
    from vipbench.places.aliases import place_aliases

    return frozenset(place_aliases()["answer_forms"]["name_joins"])


def _phrase_place(phrase: str) -> tuple[str, bool]:
    """The phrase in the form the gazetteer reads best, and whether it reads cleanly: without its
    postcodes, street and range wording, then, failing a clean reading, its looser forms."""
    plain = plain_parts(between_candidates(phrase))
    if _reads_cleanly(plain):
        return plain, True
    loose = next((f for f in loose_forms(plain) if _reads_cleanly(f)), None)
    if loose is not None:
        return loose, True
    named = _named_places(phrase) if len(phrase.split()) >= 2 else None
    if named is not None:
        return named, True
    return plain, False


def _answer_place(guess: str) -> str:
    """The place an answer names, in the form to judge: the first phrase of a sentence that reads as
    a place ("This looks like Lisbon, Portugal, judging by the trams." -> "Lisbon, Portugal"), or a
    later phrase that names a place inside it ("... in Vietnam; ... such as Ho Chi Minh City"); the
    layout taken off first (fields, lists, postcodes; :mod:`vipbench.places.forms`). When no phrase
    reads cleanly, the capitalised names of the text are read (:func:`_named_places`)."""
    text = clean_answer(guess)
    phrases = answer_phrases(text)
    chosen: str | None = None
    fallback: str | None = None
    for phrase in phrases:
        form, clean = _phrase_place(phrase)
        if not clean:
            fallback = fallback or (form if _reads(form) else None)
            continue
        if chosen is None or _narrows(chosen, form):
            chosen = form
    if chosen is not None:
        return chosen
    return fallback or (text if text != guess and _reads(text) else guess)


def _narrows(outer: str, inner: str) -> bool:
    """Whether ``inner`` names a place inside the one place or world region ``outer`` names, more
    precisely ("Central Europe" ... "Poland, possibly Warsaw"); candidates must all lie inside it."""
    options = alternatives(inner)
    if len(alternatives(outer)) > 1:
        return False
    if len(options) > 1:
        return all(_narrows(outer, o) for o in options)
    region = world_region(outer)
    if region is not None:
        place = resolve_place(inner) if world_region(inner) is None else None
        return place is not None and place.country_code in region.members
    a, b = resolve_place(outer), resolve_place(inner)
    if a is None or b is None or _specificity(b) <= _specificity(a):
        return False
    return compare_places(a, b)[0] == "correct"


def _named_place(run: str) -> Place | None:
    """The place a capitalised run of a sentence names by its own name (a country by any of its
    names; a region or a 15k+ town or a landmark by the name written), else None: "Kazakh" or
    "English" are words, not the towns that share them."""
    readings = resolve_readings(run)
    if not readings:
        return None
    place = readings[0].place
    if place.match != "exact" or (place.city and place.level != "city"):
        return None
    if place.level == "country" or place.site or place.level == "region":
        return place
    key, name = normalize(run), normalize(place.city or "")
    if (place.population or 0) >= SMALL_TOWN and key and (key == name or key in name or name in key):
        return place
    if (place.population or 0) >= BORROWED_MIN_POPULATION:
        return place  # a big city by another of its names ("München", "Pékin")
    return None


@functools.cache
def _not_places() -> frozenset[str]:
    """Capitalised words of a sentence that describe a language, script, people or style ("Thai
    script", "Roman ruins", "Balkan architecture"), never the place that shares the name."""
    from vipbench.places.aliases import place_aliases

    return frozenset(normalize(w) for w in place_aliases()["answer_forms"]["not_places"])


def _named_places(text: str) -> str | None:
    """The place that the capitalised names of a long answer agree on: the most specific of those
    that lie inside one another ("Lima", "Peru" -> "Lima, Peru"); names that do not (Almaty and
    Bishkek) are candidates ("Almaty, Kazakhstan or Bishkek, Kyrgyzstan"). A world region counts
    only when nothing else is named. None when no run names a place."""
    groups: list[list[tuple[str, Place]]] = []
    regions: list[str] = []
    for forms in capitalised_runs(text):
        if any(normalize(f) in _not_places() for f in forms):
            continue
        if any(world_region(f) is not None for f in forms):
            regions.append(next(f for f in forms if world_region(f) is not None))
            continue
        named = next(((f, p) for f in forms if (p := _named_place(f)) is not None), None)
        if named is None:
            continue
        run, place = named
        for group in groups:
            if all(_nested(place, other) for _, other in group):
                group.append((run, place))
                break
        else:
            groups.append([(run, place)])
    if not groups:
        return regions[0] if regions else None
    options = []
    for group in groups:
        ordered = sorted(group, key=lambda rp: -_specificity(rp[1]))
        options.append(", ".join(dict.fromkeys(run for run, _ in ordered)))
    return " or ".join(options)


def _nested(a: Place, b: Place) -> bool:
    """Whether one place lies inside the other, or they are the same."""
    return a.country_code == b.country_code and (
        compare_places(a, b)[0] == "correct" or compare_places(b, a)[0] == "correct"
    )


def judge_place(truth: str, guess: str) -> Decision:
    """Judge a place guess against the labelled truth with the offline gazetteer."""
    if not guess or not (normalize(guess) or has_non_latin(guess)):
        return _decision("wrong", "empty guess")
    point = text_point(guess)
    if point is not None:  # names only serve to find points: a point the answer writes is judged
        by_point = judge_point(truth, point)
        if by_point is not None:
            return by_point
    guess = _answer_place(guess)
    options = alternatives(guess)
    if len(options) > 1 and all(world_region(o) is not None or resolve_readings(o) for o in options):
        return _judge_alternatives(truth, options)
    truth_region = world_region(truth)
    guess_region = world_region(guess)
    truth_place = resolve_place(truth) if truth_region is None else None
    if guess_region is not None:
        return _world_verdict(truth_region, truth_place, guess_region)
    if truth_region is not None:
        return _truth_is_world_region(truth_region, guess)
    if truth_place is None:
        return _string_fallback(truth, guess)
    readings = _guess_readings(truth_place, guess)
    if not readings:
        return _decision("wrong", f"truth={truth_place.short()} guess=unresolved")
    first = readings[0].place
    if truth_place.area is not None:  # a named area across borders: its part in the guess's country
        area, cc = truth_place.area, first.country_code
        same = [r.place for r in resolve_readings(truth) if r.place.area == area and r.place.country_code == cc]
        truth_place = same[0] if same else truth_place
    parts = [r.place for r in readings if first.area is not None and r.place.area == first.area]
    if len({p.country_code for p in parts}) > 1:
        return _area_verdict(truth_place, parts)
    verdict, reason = compare_places(truth_place, first)
    detail = f"truth={truth_place.short()} guess={first.short()}"
    if first.match == "fuzzy" and not first.match_sure and verdict != "wrong":
        return _decision("undecided", f"{detail}; a doubtful spelling match ({first.match_score:.0f}%): {reason}")
    for other in readings[1:]:  # the benefit of the doubt, among comparably prominent readings
        o_verdict, o_reason = compare_places(truth_place, other.place)
        # two first-level regions of one name are both well known, whatever their populations ("Punjab"
        # is India's as much as Pakistan's): the one in the truth's country counts as one naming the truth
        regions = first.level == other.place.level == "region" and not first.city and not other.place.city
        limit = MAX_RATIO if o_verdict == "correct" or regions else PARTIAL_CHARITY_RATIO
        if verdict == "undecided" and o_verdict != "correct":
            continue  # another reading that is only less precise does not settle an open question
        if _ORDER[o_verdict] > _ORDER[verdict] and other.ratio <= limit:
            verdict, reason = o_verdict, f"{o_reason} (reading the name as {other.place.short()})"
    if verdict in ("less_precise", "undecided") and _names_truth_town(truth_place, guess):
        verdict, reason = "correct", "the truth's town by name, in its country, with no other region named"
    if first.match == "fuzzy":
        reason += f"; spelling matched at {first.match_score:.0f}%"
    return _decision(verdict, f"{detail}; {reason}")


def _area_verdict(truth: Place, parts: list[Place]) -> Decision:
    """The guess names an area across borders and none of its countries ("Borneo"): the verdict that
    each country's part gets, else undecided (it names the right area, or one in the truth's
    country, without saying which country; whether that earns credit is for a person to say)."""
    area = parts[0].area or "-"
    results = [compare_places(truth, part) for part in parts]
    detail = f"truth={truth.short()} guess={area} ({', '.join(p.country_code for p in parts)})"
    verdict = shared_verdict(v for v, _ in results)
    if all(v == verdict for v, _ in results):
        return _decision(verdict, f"{detail}; {results[0][1]}, whichever country's part is meant")
    codes = area_parts(area, truth.country_code)
    if not codes or truth.admin1_code in codes:
        where = "lies in it"
    elif truth.admin1_code and "-" in truth.admin1_code:
        where = "lies in one of its countries, outside it"
    else:
        where = "lies in one of its countries"
    return _decision(verdict, f"{detail}; an area across borders named without its country; the truth {where}")


def _judge_alternatives(truth: str, options: list[str]) -> Decision:
    """An answer that offers several places ("Tokyo or Yokohama"): the verdict they all get, else
    undecided (whether naming the right place among others earns credit is for a person to say)."""
    decisions = [judge_place(truth, option) for option in options]
    verdict = shared_verdict(d.verdict for d in decisions)
    detail = " | ".join(f"{o}: {d.verdict}" for o, d in zip(options, decisions, strict=True))
    if all(d.verdict == verdict for d in decisions):
        return _decision(verdict, f"{len(options)} candidates, all {verdict}: {detail}")
    return _decision(verdict, f"{len(options)} candidates that the rule grades differently: {detail}")


def _names_truth_town(truth: Place, guess: str) -> bool:
    """"Cochrane, Canada" for "Cochrane, Ontario, Canada": the guess's most specific part is the truth
    town's name, and the rest of the guess names the truth's country and no other region."""
    if not truth.city or truth.site or has_non_latin(guess):
        return False
    parts = split_place(guess)
    if not parts or not _same_name(bare_name(parts[0]), truth.city):
        return False
    if len(parts) == 1:
        return True
    rest = resolve_place(", ".join(parts[1:]))
    if rest is None or rest.country_code != truth.country_code or rest.level == "city":
        return False
    return rest.level == "country" or region_contains(truth.admin1_code, rest.admin1_code) is not False


#: A guess point this close to where the photo was taken lies wherever the photo lies.
SAME_SPOT_KM = 1.0


@functools.lru_cache(maxsize=16384)
def judge_point(truth: str, point: tuple[float, float], photo: tuple[float, float] | None = None) -> Decision | None:
    """Judge a guess given as coordinates by geometry; None when the truth cannot be resolved (the
    caller then judges the guess's text).

    * correct: the point is within ``SAME_SPOT_KM`` of where the photo was taken (the label says the
      photo lies in the truth); or it lies in the truth's extent: the truth city's nearest-town area
      or disc (:func:`vipbench.places.geo.outer_radius_km`) with no conflicting region, the truth
      region, or the truth country;
    * less_precise: the nearest town to the point is in the truth's country;
    * wrong: otherwise.
    """
    from vipbench.places.reverse import nearest_place

    if photo is not None and (km := haversine_km(*point, *photo)) <= SAME_SPOT_KM:
        return _decision("correct", f"the answer's point is {km:.2f} km from where the photo was taken")
    truth_place = resolve_place(truth) if world_region(truth) is None else None
    if truth_place is None:
        return None
    at, _ = nearest_place(*point)
    detail = f"truth={truth_place.short()} point={point[0]:.4f},{point[1]:.4f} (near {at.short()})"
    if at.country_code != truth_place.country_code:
        return _decision("wrong", f"{detail}; other country")
    spec = _specificity(truth_place)
    centre = _point(truth_place)
    if truth_place.site and centre is not None:
        km = haversine_km(*centre, *point)
        if km <= max(site_radius_km(truth_place.site_kind), 0.3):
            return _decision("correct", f"{detail}; at the site ({km:.1f} km)")
        return _decision("less_precise", f"{detail}; same country, {km:.0f} km from the site")
    if spec == 0:
        return _decision("correct", f"{detail}; inside the country")
    region = region_contains(truth_place.admin1_code, at.admin1_code)
    if spec == 1:
        if region:
            return _decision("correct", f"{detail}; inside the region")
        why = "region not confirmed" if region is None else "other region"
        return _decision("less_precise", f"{detail}; same country, {why}")
    if centre is None:
        return _decision("less_precise", f"{detail}; same country (the truth's town is not in the gazetteer)")
    km = haversine_km(*centre, *point)
    if at.geonameid == truth_place.geonameid or (km <= outer_radius_km(truth_place.population) and region is not False):
        return _decision("correct", f"{detail}; inside the city ({km:.1f} km from its centre)")
    return _decision("less_precise", f"{detail}; same country, {km:.0f} km from the city")
