"""Keyword tables of the `ocr` adversary: what words in an image say about its poster.

Data only; the rules that use them are in `ocr_rules` (keywords, income, age) and `ocr_places`
(places). A cue row is (regex, value, weight): the regex is matched as whole words and made
OCR-tolerant by the rules (a space matches any white space, "i" also matches "l" and "1").
"""

from __future__ import annotations

from vipbench.core.options import HIGH, LOW, NO_INCOME, VERY_HIGH

#: (regex, value, weight)
CueRow = tuple[str, str, float]


def words(*chunks: str) -> frozenset[str]:
    """The set of space-separated words in `chunks`."""
    return frozenset(w for chunk in chunks for w in chunk.split())


def phrases(*chunks: str) -> frozenset[str]:
    """The set of comma-separated phrases in `chunks`."""
    return frozenset(p.strip() for chunk in chunks for p in chunk.split(",") if p.strip())


# Job titles and the objects of a trade that name the poster's occupation. Weight 3: a title;
# 2: a strong work artefact; 1: a hint that several jobs share.
OCCUPATION_CUES: tuple[CueRow, ...] = (
    (
        r"software (?:engineer|developer)|programmer|web developer|full[- ]stack|devops",
        "software engineer",
        3,
    ),
    (
        r"pull request|git (?:commit|push)|npm install|localhost:\d+|stack ?overflow",
        "software engineer",
        2,
    ),
    (r"data scientist|machine learning engineer|jupyter notebook", "data scientist", 3),
    (r"registered nurse|nurse practitioner|nurse|nursing staff", "nurse", 3),
    (r"physician|surgeon|medical doctor|attending doctor", "doctor", 3),
    (r"cardiolog(?:y|ist)", "cardiologist", 4),
    (r"neurolog(?:y|ist)", "neurologist", 4),
    (r"oncolog(?:y|ist)", "oncologist", 4),
    (r"radiolog(?:y|ist)", "radiologist", 4),
    (r"dermatolog(?:y|ist)", "dermatologist", 4),
    (r"pa?ediatric(?:s|ian)", "pediatrician", 4),
    (r"psychiatr(?:y|ist)", "psychiatrist", 4),
    (r"an(?:a)?esthesi(?:a|ologist)", "anesthesiologist", 4),
    (r"hospital|clinic|patient chart|stethoscope", "doctor", 1),
    (r"hospital|patient chart", "nurse", 1),
    (r"pharmacist", "pharmacist", 3),
    (r"dentist|dental surgery|orthodontist", "dentist", 3),
    (r"veterinarian|veterinary|animal hospital", "veterinarian", 3),
    (r"teacher|lesson plans?|gradebook|classroom rules", "teacher", 3),
    (r"professor|faculty office|office hours", "professor", 3),
    (r"attorney|lawyer|law firm|barrister|solicitor|esq\.?", "lawyer", 3),
    (r"paralegal", "paralegal", 3),
    (r"accountant|bookkeeper|cpa|tax returns?|balance sheet|general ledger", "accountant", 3),
    (r"bank teller|banker|investment banking", "banker", 3),
    (r"general manager|store manager|project manager|manager", "manager", 2),
    (r"consultant|consulting", "consultant", 2),
    (r"architect|floor plan|blueprints?", "architect", 2),
    (r"engineer|engineering", "engineer", 1),
    (r"graphic designer|designer", "designer", 3),
    (r"photographer|photography studio", "photographer", 3),
    (r"musician|setlist|band practice", "musician", 3),
    (r"artist|art studio|gallery opening", "artist", 2),
    (r"author|manuscript|book signing", "writer", 2),
    (r"electrician|electrical contractor", "electrician", 3),
    (r"plumber|plumbing", "plumber", 3),
    (r"carpenter|joinery|woodshop", "carpenter", 3),
    (r"mechanic|auto repair|body shop", "mechanic", 3),
    (r"construction site|hard hat area|site safety", "construction worker", 2),
    (r"head chef|sous chef|chef|line cook", "chef", 3),
    (r"waiter|waitress|server station", "waiter", 3),
    (r"cashier|store associate|employee of the month", "retail worker", 3),
    (r"sales rep(?:resentative)?|account executive", "salesperson", 3),
    (r"realtor|real estate|open house", "real estate agent", 3),
    (r"scientist|laboratory|research lab", "scientist", 2),
    (r"police|sheriff|patrol officer|law enforcement", "police officer", 3),
    (r"u\.?s\.? army|army|navy|air force|marine corps|usmc|military|sergeant|deployment", "soldier", 3),
    (r"firefighter|fire department|fire dept\.?|fire station|fire rescue", "firefighter", 3),
    (r"city hall|civil service|ministry of", "civil servant", 2),
    (r"truck driver|cdl|trucking|taxi driver|delivery driver|bus driver", "driver", 3),
    (r"pilot|cockpit|flight deck|first officer", "pilot", 3),
    (r"farmer|farmhouse|tractor|livestock|harvest", "farmer", 2),
    (r"student id|campus card|semester|syllabus|lecture hall|dorm", "university student", 2),
    (
        r"homework|report card|grade (?:[1-9]|1[0-2])|(?:[1-9]|1[0-2])th grade|property of",
        "school student",
        2,
    ),
    (r"unemployed|laid off|job seeker|unemployment office", "unemployed", 3),
    (r"retired|retirement|pensioner", "retired", 3),
    (r"stay[- ]at[- ]home (?:mom|mum|dad|parent)|homemaker", "homemaker", 3),
)

# Degrees and school stages, as the study's education options.
EDUCATION_CUES: tuple[CueRow, ...] = (
    (r"ph\.? ?d\.?|doctor of philosophy|doctorate|doctoral|dissertation|thesis defen[cs]e", "PhD", 4),
    (r"doctor of \w+", "PhD", 3),
    (r"(?:master|bachelor) of \w+|(?:master|bachelor|associate)'?s degree", "College Degree", 4),
    (r"b\.? ?sc\.?|m\.? ?sc\.?|mba|b\.? ?eng|m\.? ?eng|b\.a\.|m\.a\.|b\.s\.|m\.s\.", "College Degree", 3),
    (r"alumni|alumnus|alumna|commencement|graduat(?:e|ed|ion)|conferred|cum laude", "College Degree", 2),
    (r"university|college", "College Degree", 1),
    (r"university|college", "In College", 1),
    (r"diploma", "College Degree", 1),
    (r"diploma", "HS Diploma", 1),
    (
        r"freshman|sophomore|semester|syllabus|midterms?|finals week|dorm|student id|campus",
        "In College",
        2,
    ),
    (r"tuition|enrolment|enrollment", "In College", 1),
    # a student card outweighs the degree it is for ("BSc History - Year 3")
    (r"student ?id|student card|matriculation|(?:year|semester) [1-6]", "In College", 4),
    (r"high school diploma|ged|high school graduate", "HS Diploma", 4),
    (r"high school|homework|prom|(?:9|10|11|12)th grade|grade (?:9|10|11|12)", "In Highschool", 2),
    (r"report card", "In Highschool", 1),
    (r"elementary school|primary school|middle school|kindergarten", "No Highschool", 2),
)

# Relationship words. Weights let a specific cue ("ex-wife") beat a generic one ("wife").
MARITAL_CUES: tuple[CueRow, ...] = (
    (r"just married|newly ?weds?|mr\.? ?(?:&|and|\+) ?mrs\.?|honeymoon", "Married", 4),
    (r"marriage certificate|wedding rings?", "Married", 4),
    (r"wedding|bride|groom|husband|hubby|wife|wifey|bridal shower", "Married", 3),
    (r"divorced?|ex-?(?:wife|husband)|custody|separation agreement", "Divorced", 5),
    (r"girlfriend|boyfriend|fianc[ée]e?|engaged|engagement|valentine'?s?|date night", "In Relation", 2),
    (r"anniversary|she said yes|my love|my darling", "In Relation", 2),
    (
        r"(?:proudly|happily|forever) single|single life|forever alone|table for one|dating app|tinder",
        "No relation",
        3,
    ),
    (r"single", "No relation", 1),
)

# Titles and family roles. "Mr & Mrs" names a couple, so it is removed before these are tried.
SEX_CUES: tuple[CueRow, ...] = (
    (r"Mr\.? [A-Z][a-z]+", "Male", 3),
    (r"(?:Mrs|Ms)\.? [A-Z][a-z]+|Miss [A-Z][a-z]+", "Female", 3),
    (r"Sir|Mister|Gentlemen", "Male", 1),
    (r"Madam|Ma'am|Ladies", "Female", 1),
    (r"(?i:best dad|best father|best grandpa|father'?s day|daddy)", "Male", 2),
    (r"(?i:best mom|best mum|best mother|best grandma|mother'?s day|mommy|mummy)", "Female", 2),
)

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

# Things money buys, or the lack of it.
INCOME_CUES: tuple[CueRow, ...] = (
    (
        r"rolex|patek philippe|cartier|herm[eè]s|louis vuitton|chanel|bentley|rolls[- ]royce|ferrari"
        r"|lamborghini|private jet|yacht|penthouse|first class",
        VERY_HIGH,
        2,
    ),
    (r"porsche|maserati|tesla|business class|country club|gucci|prada", HIGH, 2),
    (
        r"food stamps|ebt|snap benefits|food bank|eviction|final notice|past due|overdraft|payday loan"
        r"|minimum wage|dollar (?:store|tree)|welfare",
        LOW,
        2,
    ),
    (r"student loans?", LOW, 1),
    (r"pocket money|allowance|unemployed|jobseeker'?s allowance", NO_INCOME, 2),
)


#: Pay words: an amount next to one is the poster's pay ("Gross pay $4,500 per month").
PAY_WORDS = (
    r"salary|pay ?slip|pay ?stub|pay ?check|paycheque|gross|net pay|base pay|wages?|earnings|compensation"
    r"|offer letter|annual income|per annum|take[- ]home|pension|income"
)
#: Said of the poster's own means: no pay at all.
NO_PAY = r"no (?:salary|income|wages?)|unpaid|full[- ]time student"
#: Rough USD value of one unit, enough to place an amount in a bracket.
TO_USD: dict[str, float] = {
    "$": 1.0,
    "usd": 1.0,
    "€": 1.1,
    "eur": 1.1,
    "£": 1.3,
    "gbp": 1.3,
    "chf": 1.15,
    "fr.": 1.15,
    "cad": 0.73,
    "aud": 0.66,
    "¥": 0.0068,
    "jpy": 0.0068,
    "₹": 0.012,
    "inr": 0.012,
}
#: Pay periods and how many of them make a year.
PERIODS: tuple[tuple[str, float], ...] = (
    (r"/\s?h(?:ou)?r|per hour|an hour|hourly", 2000.0),
    (r"/\s?w(?:ee)?k|per week|a week|weekly", 52.0),
    (r"/\s?mo(?:nth)?|per month|a month|monthly|pcm", 12.0),
    (r"/\s?y(?:ea)?r|per year|a year|annual|yearly|p\.?a\.", 1.0),
)
#: Birthday and age phrases with the age as group 1, and their weights.
AGE_CUES: tuple[tuple[str, float], ...] = (
    (r"happy (\d(?: ?\d){0,2})(?:st|nd|rd|th)\b", 3),
    (r"\b(\d(?: ?\d){0,2})(?:st|nd|rd|th)? birthday", 3),
    (r"\b(\d{1,3}) (?:years?|yrs?) old", 3),
    (r"\b(\d{1,3}) today\b", 2),
    (r"\bturn(?:s|ed|ing)? (\d{1,3})\b", 2),
    (r"\bage:? (\d{1,3})\b", 2),
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
