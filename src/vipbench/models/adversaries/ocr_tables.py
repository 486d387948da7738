"""Keyword tables of the `ocr` adversary: what words in an image say about its poster.

Data only; the rules that use them are in `ocr_rules` (keywords, income, age) and `ocr_places`
(places). The weighted cue tables are in `vipbench/data/ocr_cues.yaml` (described there), read
once when this module is imported. A cue row is (regex, value, weight): the regex is matched as
whole words and made OCR-tolerant by the rules (a space matches any white space, "i" also
matches "l" and "1").
"""

from __future__ import annotations

from typing import Any

from vipbench.core.io import package_yaml
from vipbench.core.options import option_names

#: (regex, value, weight)
CueRow = tuple[str, str, float]

CUES_FILE = "data/ocr_cues.yaml"


def words(*chunks: str) -> frozenset[str]:
    """The set of space-separated words in `chunks`."""
    return frozenset(w for chunk in chunks for w in chunk.split())


def phrases(*chunks: str) -> frozenset[str]:
    """The set of comma-separated phrases in `chunks`."""
    return frozenset(p.strip() for chunk in chunks for p in chunk.split(",") if p.strip())


def _cue_rows(raw: dict[str, Any], table: str, attribute: str | None = None) -> tuple[CueRow, ...]:
    """The rows of one table of the cues file; with `attribute`, their values must be its options."""
    rows = tuple((str(pattern), str(value), weight) for pattern, value, weight in raw[table])
    if attribute is not None:
        for _, value, _ in rows:
            if value not in option_names(attribute):
                raise ValueError(f"{CUES_FILE}: {table}: {value!r} is not a {attribute} option")
    return rows


_RAW: dict[str, Any] = package_yaml(CUES_FILE)
# Job titles and the objects of a trade that name the poster's occupation.
OCCUPATION_CUES = _cue_rows(_RAW, "occupation")
# Degrees and school stages, as the study's education options.
EDUCATION_CUES = _cue_rows(_RAW, "education", "educationLevel")
MARITAL_CUES = _cue_rows(_RAW, "marital", "maritalStatus")
# Titles and family roles. "Mr & Mrs" names a couple, so it is removed before these are tried.
SEX_CUES = _cue_rows(_RAW, "sex", "sex")
# Things money buys, or the lack of it.
INCOME_CUES = _cue_rows(_RAW, "income", "income")
#: Birthday and age phrases with the age as group 1, and their weights.
AGE_CUES: tuple[tuple[str, float], ...] = tuple((str(pattern), weight) for pattern, weight in _RAW["age"])


# Common given names, a short hand-made list across a few languages. A name in the text is a
# weak cue (it may be someone else's); "my name is <name>" is a stronger one.
MALE_NAMES = words(
    "james john robert michael william david richard joseph thomas charles christopher daniel matthew",
    "anthony mark donald steven paul andrew joshua kevin brian george timothy ronald jason edward",
    "jeffrey ryan jacob gary nicholas eric jonathan stephen larry justin scott brandon benjamin samuel",
    "frank gregory raymond alexander patrick jack dennis jerry tyler aaron jose adam nathan henry",
    "peter zachary kyle noah ethan liam oliver lucas mason logan owen dylan luke connor max felix",
    "lukas leon jonas paul finn elias ben jan tim moritz niklas sebastian florian tobias stefan",
    "markus andreas martin hans klaus jurgen wolfgang antoine pierre louis jean hugo julien nicolas",
    "mathieu francois olivier etienne alejandro carlos javier diego pablo juan miguel antonio manuel",
    "luis sergio marco luca giovanni alessandro matteo lorenzo francesco davide giuseppe andrea",
    "hiroshi takashi kenji haruto ren yuto sota joao pedro rafael tiago igor ivan dmitri sergei",
    "ahmed mohammed ali omar hassan raj arjun rahul amit vikram wei jun hao chen",
)
FEMALE_NAMES = words(
    "mary patricia jennifer linda elizabeth barbara susan jessica sarah karen lisa nancy betty",
    "margaret sandra ashley kimberly emily donna michelle carol amanda dorothy melissa deborah",
    "stephanie rebecca sharon laura cynthia kathleen amy angela shirley anna brenda pamela emma",
    "nicole helen samantha katherine christine debra rachel carolyn janet catherine maria heather",
    "diane ruth julie olivia joyce virginia victoria kelly lauren christina joan evelyn judith megan",
    "cheryl andrea hannah martha jacqueline frances gloria ann teresa kathryn sara janice jean alice",
    "madison doris abigail julia judy grace denise amber marilyn beverly danielle theresa sophia",
    "marie diana brittany natalie isabella charlotte rose ava mia chloe zoe lily ella lea leah",
    "katrin sabine claudia petra monika ursula anja julia lena lara lina johanna sophie clara",
    "elodie claire camille manon chloe juliette amelie margaux lucia carmen elena isabel sofia",
    "paula marta laia valentina giulia francesca chiara aoi yui hana sakura yuki mei ana beatriz",
    "olga natasha irina svetlana fatima aisha priya ananya li xia ying",
)

#: Pay words: an amount next to one is the poster's pay ("Gross pay $4,500 per month").
PAY_WORDS = (
    r"salary|pay ?slip|pay ?stub|pay ?check|paycheque|gross|net pay|base pay|wages?|earnings|compensation"
    r"|offer letter|annual income|per annum|take[- ]home|pension|income"
)
#: Said of the poster's own means: no pay at all.
NO_PAY = r"no (?:salary|income|wages?)|unpaid|full[- ]time student"
#: The currency a sign or code on a document names (its ISO 4217 code). Rates to USD come from the
#: judge's currency table (data/currencies.yaml, through vipbench.core.amounts.usd_rate), so both
#: convert an amount alike; "¥" is read as yen here, as on most documents that print it.
CURRENCY_CODES: dict[str, str] = {
    "$": "USD",
    "usd": "USD",
    "€": "EUR",
    "eur": "EUR",
    "£": "GBP",
    "gbp": "GBP",
    "chf": "CHF",
    "fr.": "CHF",
    "cad": "CAD",
    "aud": "AUD",
    "¥": "JPY",
    "jpy": "JPY",
    "₹": "INR",
    "inr": "INR",
}
#: Pay periods and how many of them make a year.
PERIODS: tuple[tuple[str, float], ...] = (
    (r"/\s?h(?:ou)?r|per hour|an hour|hourly", 2000.0),
    (r"/\s?w(?:ee)?k|per week|a week|weekly", 52.0),
    (r"/\s?mo(?:nth)?|per month|a month|monthly|pcm", 12.0),
    (r"/\s?y(?:ea)?r|per year|a year|annual|yearly|p\.?a\.", 1.0),
)

# ------------------------------------------------------------------------ places

#: Sign and document words: an n-gram made only of these is not a place ("New", "Open").
NOT_PLACES = words(
    "the a an and or of in on at to for from by with de la le les du des del der die das van",
    "von el rue via calle strasse straße street st road rd avenue ave boulevard blvd lane way",
    "drive dr place square plaza park north south east west centre center city town village",
    "station exit entrance open closed stop sale sales police bank hotel cafe bar shop store",
    "market school university hospital church office parking welcome hello thank thanks you",
    "please no yes only one way happy birthday wedding love just married mr mrs ms dr of",
    "diploma doctor philosophy master bachelor new old big little great grand saint san santa",
    "data info information contact phone email address tel fax www com",
    "best world history grade property family court matter card identity date period recipient",
    "employee captain reunion certificate certifies awarded degree science arts laws statement",
    "monthly annual gross net total price sale salary pension student name hello greetings",
    "january february march april may june july august september october november december",
    "monday tuesday wednesday thursday friday saturday sunday broadway",
)
#: Words a place name does not start with ("of Paris") or end with ("Paris in").
NO_START = words(
    "the a an and or of in on at to for from by with near via rue calle",
    # institutions named after a place: "University of Zurich" is not a town called that
    "university college school hospital court bank hotel airport station church museum clinic",
    "institute academy library embassy consulate",
)
NO_END = NO_START | words("de la le les du des del der die das van von el los")
#: Street-type words: a name right after or before one is a street, not a town ("Rue de Rivoli").
STREET_WORDS = words(
    "rue via viale calle avenida rua avenue ave av boulevard blvd bd street st road rd lane",
    "ln drive strasse straße str gasse weg platz allee piazza plaza place square ulica ul",
    "utca ulitsa",
)

#: International vehicle registration codes, as on the oval sticker or the EU band of a licence
#: plate; read only when a line holds nothing else ("CH", "D").
PLATE_CODES: dict[str, str] = {
    "A": "Austria", "B": "Belgium", "CH": "Switzerland", "CZ": "Czechia", "D": "Germany",
    "DK": "Denmark", "E": "Spain", "F": "France", "FIN": "Finland", "GB": "United Kingdom",
    "GR": "Greece", "H": "Hungary", "HR": "Croatia", "I": "Italy", "IRL": "Ireland", "L": "Luxembourg",
    "N": "Norway", "NL": "Netherlands", "P": "Portugal", "PL": "Poland", "RO": "Romania",
    "S": "Sweden", "SK": "Slovakia", "SLO": "Slovenia", "UA": "Ukraine", "UK": "United Kingdom",
    "USA": "United States", "CDN": "Canada", "AUS": "Australia", "NZ": "New Zealand", "J": "Japan",
}  # fmt: skip
#: Phrases that label a birthplace: places on their line are where someone was born.
BIRTH_LINE = r"place of birth|birth ?place|born in|lieu de naissance|geburtsort|lugar de nacimiento"
#: Short words that do occur inside place names ("Rio de Janeiro", "Stratford upon Avon").
PARTICLES = words("de la le el al du da do di of on am an im st ste sur upon")
#: Words after which capitalised words are a person's name, not a place.
NAME_LEADS = words("mr mrs ms miss dr prof captain employee recipient student dear")
NAME_LEAD_PAIRS = frozenset({("name", "is"), ("matter", "of"), ("awarded", "to")})

#: Towns smaller than this, named by one word alone, need backing (see ocr_places).
SMALL_TOWN = 15_000
#: A one-word town smaller than this is no evidence on its own unless the text backs it (its
#: country elsewhere, a postcode): a lone mid-size name is as likely a misread or a surname.
NAMED_ALONE = 250_000
#: The only codes of three letters or fewer that name a country in running text.
WRITTEN_COUNTRY_ABBREVIATIONS = frozenset({"USA", "U.S.A", "UAE", "U.A.E"})
#: Capitalised words that may stand beside a place's name without making it part of another name.
PLACE_NEIGHBOURS = words(
    "city town village county province region republic kingdom north south east west central",
    "welcome greetings visit greater downtown old new upper lower usa uk uae",
)
#: Short words that join a name to its sentence, not to a longer name ("MADE IN USA").
FUNCTION_WORDS = words("in to at of the a an and or for from by on with near via visit")
#: Words of a sign that announces the place after them ("Welcome to Zurich", "Willkommen in Bern").
WELCOME_WORDS = words("welcome willkommen bienvenue bienvenidos benvenuti bem-vindo welkom välkommen")
#: A word at least this common (Zipf scale: 4 is ten uses per million words, 3.5 about three) in
#: one of WORD_LANGUAGES is a word first ("Welcome", "Nice", "Pool", "Essen", "Terrace"), unless
#: the place it names is big enough to explain it: (population below, threshold), smallest
#: first; regions use the last threshold; a city of BIG_CITY or more is exempt.
COMMON_WORD_ZIPF: tuple[tuple[int, float], ...] = ((100_000, 3.5), (1_000_000, 4.0))
BIG_CITY = 1_000_000
#: Languages whose word frequencies are consulted: the Latin-script languages street signs in
#: the study's photos are mostly written in, plus Russian.
WORD_LANGUAGES = ("en", "fr", "de", "es", "it", "pt", "nl", "sv", "pl", "tr", "id", "ru")
#: Brands seen on signs, shop fronts, vehicles and packaging whose names are also places, or
#: close to one: a brand alone is no evidence of where a photo was taken. Normalised forms.
BRANDS = phrases(
    # car makes, and models named after places
    "toyota, mercedes, lincoln, dodge, cadillac, pontiac, chrysler, buick, lexus, acura, infiniti, genesis",
    "kia, hyundai, nissan, mazda, subaru, suzuki, isuzu, daihatsu, mitsubishi, honda, skoda, seat, cupra",
    "opel, vauxhall, peugeot, citroen, renault, dacia, fiat, lancia, alfa romeo, volvo, saab, tesla, jeep",
    "durango, tucson, sedona, tahoe, yukon, denali, sierra, malibu, montana, aspen, dakota, ibiza, toledo",
    "leon, cordoba, navara, pathfinder, murano, altima, sorento, santa fe, kona, palisade, bronco, ranger",
    "explorer, cherokee, wrangler, compass, laredo, riviera, tiguan, touareg, passat, jetta, golf, polo",
    "amarok",
    # tyres, fuel, motoring
    "goodyear, firestone, bridgestone, michelin, pirelli, continental, dunlop, yokohama, hankook, toyo",
    "kumho, falken, nokian, shell, esso, texaco, chevron, exxon, mobil, gulf, total, lukoil, petrobras",
    "ipiranga, repsol, cepsa, galp, castrol, valvoline",
    # drinks and food
    "corona, heineken, budweiser, carlsberg, tuborg, stella artois, peroni, modelo, tecate, pacifico",
    "guinness, evian, vittel, perrier, fiji water, aquafina, dasani, fanta, sprite, pepsi, coca cola",
    "subway, wendys, kfc, mcdonalds, starbucks, dominos, nandos",
    # shops, banks, telecoms, electronics
    "target, walmart, lidl, aldi, carrefour, tesco, spar, auchan, ikea, zara, mango, primark",
    "santander, barclays, hsbc, citibank, chase, vodafone, orange, movistar, claro, vivo, telcel",
    "samsung, philips, siemens, bosch, canon, nikon, sharp, sony, panasonic, toshiba",
)
