"""How ordinary a word is, per language: word frequencies and a few closed word classes.

A statistical NER model that has seen few texts takes capitalised or unfamiliar words for
names: "Maybe" at the start of a sentence, German nouns ("Stadt", "Jahrhundert"), Dutch
chat in lower case ("ouders", "jongens"), order statuses ("shipped"), weekdays ("mardi"),
brands and products ("Klarna", "Echo Dot"). Those words are far more frequent than any
one person's name, and that is measurable: wordfreq ships per-language frequency lists
(Zipf scale: 6 is "the"-like, 3 is once per million words) inside its wheel. The lists are
read straight from the package's data files, without importing wordfreq itself (its
import pulls in ftfy, langcodes and regex: 0.1 s for nothing this needs); the four
"small" lists (about 30,000 words each) load in a few milliseconds.

Frequency alone cannot tell "Merkel" from "Stadt" (wordfreq folds case), so callers
combine it with what the casing says and with the name and place gazetteers; see
`detect.plausibility`.
"""

from __future__ import annotations

import functools
import gzip
import importlib.util
import re
from collections.abc import Sequence
from pathlib import Path

import msgpack

from discreet.detect.base import LETTERS
from discreet.detect.entities import SUPPORTED_LANGUAGES


class WordFrequencyError(RuntimeError):
    """wordfreq, or one of its packaged lists, is not installed."""


def _wordfreq_data() -> Path:
    spec = importlib.util.find_spec("wordfreq")
    locations = list(spec.submodule_search_locations or []) if spec is not None else []
    if not locations:
        raise WordFrequencyError("wordfreq is not installed; its word frequency lists are needed")
    return Path(locations[0]) / "data"


@functools.cache
def zipf_table(language: str) -> dict[str, float]:
    """Casefolded word -> Zipf frequency for `language` (a supported language)."""
    if language not in SUPPORTED_LANGUAGES:
        raise ValueError(
            f"no word frequencies for language {language!r}; "
            f"use one of {', '.join(SUPPORTED_LANGUAGES)}"
        )
    path = _wordfreq_data() / f"small_{language}.msgpack.gz"
    if not path.is_file():
        raise WordFrequencyError(f"wordfreq's {language} list {path} is missing")
    with gzip.open(path) as handle:
        packed = msgpack.load(handle, raw=False)
    header, buckets = packed[0], packed[1:]
    if not isinstance(header, dict) or header.get("format") != "cB":
        raise WordFrequencyError(f"wordfreq's {language} list {path} has an unknown format")
    # Bucket i holds the words of frequency 10^(-i/100) (centibels); Zipf = log10(f) + 9.
    table: dict[str, float] = {}
    for index, bucket in enumerate(buckets):
        zipf = 9.0 - index / 100.0
        for word in bucket:
            table.setdefault(word, zipf)
    return table


def load_all() -> None:
    """Load every language's list now, not on the first text that needs one."""
    for language in SUPPORTED_LANGUAGES:
        zipf_table(language)


def _frequency(key: str, language: str) -> float:
    """The Zipf frequency of the casefolded `key`. wordfreq lists elided words split ("c'"
    and "est"), so a word it does not list that opens with a short elision ("c'est",
    "j'ai", "qu'il", "m'n", "ma'am") is judged by the word after the apostrophe; names
    with one ("O'Brien", "D'Souza", "N'Diaye") stay rare, as the word after is."""
    table = zipf_table(language)
    value = table.get(key)
    if value is not None:
        return value
    head, apostrophe, tail = key.replace("’", "'").partition("'")
    if apostrophe and 0 < len(head) <= 2 and tail.isalpha():
        return table.get(tail, 0.0)
    return 0.0


def zipf(word: str, language: str) -> float:
    """Zipf frequency of `word` in `language`; 0.0 for words too rare to be listed."""
    return _frequency(word.casefold(), language)


def zipf_here(word: str, language: str) -> float:
    """The word's frequency in the text's language or in English, whichever is higher:
    customers write English words into any language ("shipped", "tracking")."""
    key = word.casefold()
    here = _frequency(key, language)
    if language == "en":
        return here
    return max(here, _frequency(key, "en"))


def zipf_spread(word: str, language: str) -> float:
    """How much more frequent `word` is in `language` than in the most frequent other one.

    A name travels: "Obama" or "Smith" is about as frequent in all four languages. A
    common noun does not: "Stadt" is frequent in German and unlisted elsewhere.
    """
    key = word.casefold()
    here = _frequency(key, language)
    others = max(
        (_frequency(key, lang) for lang in SUPPORTED_LANGUAGES if lang != language),
        default=0.0,
    )
    return here - others


NAME_AS_WORD_FREQUENCY = 4.5
NAME_AS_WORD_SPREAD = 1.5


def name_used_as_word(word: str, language: str) -> bool:
    """Whether a name written in lower case ("dan", "op", "may") is more likely the word.

    Only when the word is frequent in `language` and particular to it: names travel, so
    "jan", "thomas" or "nina" are about as frequent in all four languages and stay names;
    "dan" (Dutch "then") is frequent in Dutch alone.
    """
    return (
        zipf(word, language) >= NAME_AS_WORD_FREQUENCY
        and zipf_spread(word, language) >= NAME_AS_WORD_SPREAD
    )


def _words(block: str) -> frozenset[str]:
    return frozenset(w.casefold() for w in block.split())


WEEKDAYS: frozenset[str] = _words(
    """
    monday tuesday wednesday thursday friday saturday sunday
    maandag dinsdag woensdag donderdag vrijdag zaterdag zondag
    montag dienstag mittwoch donnerstag freitag samstag sonnabend sonntag
    lundi mardi mercredi jeudi vendredi samedi dimanche
    """
)

WEEKDAYS_AND_MONTHS: frozenset[str] = WEEKDAYS | _words(
    """
    january february march april june july august september october november december
    januari februari maart mei juni juli augustus oktober
    januar februar märz juni oktober dezember
    janvier février mars avril mai juin juillet août septembre octobre novembre décembre
    """
)
"""Never a name or a place on their own ("see you on mardi", "Lieferung am Dienstag").
(May, April, August and June are also first names; the names recognizer's cues still
find "my name is April".)"""

ORDER_STATUSES: frozenset[str] = _words(
    """
    pending paid processing processed shipped dispatched delivered cancelled canceled returned
    refunded backordered
    verzonden geleverd bezorgd geannuleerd betaald retour teruggestuurd terugbetaald
    versandt versendet geliefert zugestellt storniert bezahlt erstattet retourniert
    expédié expédiée livré livrée annulé annulée payé payée remboursé remboursée retourné
    """
)

CONSUMER_BRANDS: frozenset[str] = frozenset(
    (
        # Fashion houses and shoe and clothing brands named after their founders, whose
        # brand customers name far more often than the person.
        "ralph lauren", "polo ralph lauren", "tommy hilfiger", "hugo boss", "calvin klein",
        "jean paul gaultier", "armani", "emporio armani",
        "yves saint laurent", "saint laurent", "dior", "christian dior", "chanel",
        "michael kors", "kate spade", "tory burch", "tom tailor",
        "marc o'polo", "jack wolfskin", "jack & jones", "jack and jones", "levi's",
        "lacoste", "scotch & soda", "g-star", "h&m", "primark", "uniqlo", "esprit",
        "s.oliver", "gerry weber", "betty barclay", "camel active", "celio", "kiabi",
        "promod", "pimkie", "desigual", "benetton", "massimo dutti", "bershka", "c&a",
        "peek & cloppenburg", "timberland", "dr. martens", "dr martens", "birkenstock",
        "van haren", "deichmann", "hunkemöller", "victoria's secret",
        "abercrombie & fitch", "burberry", "louis vuitton", "gucci", "prada",
        "versace", "balenciaga", "givenchy", "moncler", "the north face", "superdry",
        "marks & spencer", "debenhams", "harrods", "galeries lafayette",
        "de bijenkorf", "bijenkorf", "kaufhof", "karstadt",
        # Pets' food and litter, groceries and drinks.
        "royal canin", "hill's", "hill's science plan", "purina", "pedigree", "whiskas",
        "lily's kitchen", "yarrah", "catsan", "kerbl", "fressnapf", "zooplus",
        "earl grey", "english breakfast", "lipton", "twinings", "douwe egberts", "senseo",
        "heineken", "hertog jan", "grolsch", "kronenbourg", "orangina",
        "coca-cola", "coca cola", "pepsi", "fanta", "red bull", "evian", "vittel",
        "perrier", "san pellegrino", "spezi", "singha", "peroni", "stella artois", "leffe",
        "duvel", "jupiler", "beck's", "warsteiner", "krombacher", "bitburger", "paulaner",
        "erdinger", "haribo", "ritter sport", "lindt",
        "tony's chocolonely", "nutella", "ben & jerry's", "alpro", "oatly",
        # Travel, energy, telecom and media services.
        "shell recharge", "fastned", "anwb", "transavia", "ouigo", "eurostar", "thalys",
        "flixbus", "ryanair", "easyjet", "klm", "lufthansa", "air france", "vodafone",
        "odido", "kpn", "ziggo", "telenet", "proximus", "freebox", "livebox", "bouygues",
        "sfr", "telekom", "magentatv", "sky q", "netflix", "disney+", "spotify", "deezer",
        "videoland", "canal+", "kobo", "tolino",
        # Shops, marketplaces, delivery and furniture, bicycles and games.
        "darty", "decathlon", "intersport", "gamma", "praxis", "karwei", "obi",
        "leroy merlin", "castorama", "picnic", "rewe", "edeka", "carrefour", "auchan",
        "intermarché", "monoprix", "franprix", "tesco", "sainsbury's", "waitrose", "ocado",
        "deliveroo", "thuisbezorgd", "lieferando", "uber eats", "just eat", "about you",
        "asos", "vinted", "marktplaats", "ebay", "etsy", "temu", "shein", "auping",
        "swiss sense", "beter bed", "kwantum", "jysk", "home24", "westwing",
        "maisons du monde", "conforama", "roche bobois", "riese & müller", "batavus",
        "vanmoof", "babboe", "mario kart", "minecraft", "fortnite",
        "call of duty", "ea sports fc", "ninja foodi", "airfryer", "dolce gusto",
        "tassimo", "chromecast", "roomba",
    )
)  # fmt: skip
"""Brands and shops customers name, many after a founder, a town or a word ("the Hugo
Boss jacket", "Royal Canin Mini Adult", "bij Shell Recharge", "la Kobo Libra"): the
shop's vocabulary too. Not those that are also frequent first names or surnames, or
places, which a customer may be or live in ("Boulanger", "Leclerc", "Felix", "Zara",
"Milka", "Zelda", "Sparta", "Hollister", "Hornbach", "Lévis", "Amstel", "Côte d'Or"), nor
those named like ordinary people ("Fred Perry", "Ted Baker", "John Lewis", "Leen Bakker").
A brand the gazetteer knows as a place ("Vittel", "Carrefour") stays a place where the
model reads one."""

BRANDS_AND_PRODUCTS: frozenset[str] = (
    frozenset(
        (
            "klarna",
            "paypal",
            "ideal",
            "bancontact",
            "mastercard",
            "maestro",
            "jcb",
            "diners",
            "diners club",
            "discover",
            "unionpay",
            "vpay",
            "v pay",
            "visa",
            "american express",
            "amex",
            "apple pay",
            "google pay",
            "samsung pay",
            "sofort",
            "sofortüberweisung",
            "giropay",
            "afterpay",
            "riverty",
            "in3",
            "payconiq",
            "tikkie",
            "twint",
            "cartes bancaires",
            "carte bancaire",
            "carte bleue",
            "sepa",
            "swift",
            "postnl",
            "dhl",
            "dhl express",
            "ups",
            "dpd",
            "gls",
            "fedex",
            "tnt",
            "hermes",
            "bpost",
            "de post",
            "colissimo",
            "chronopost",
            "la poste",
            "deutsche post",
            "mondial relay",
            "royal mail",
            "evri",
            "parcelforce",
            "yodel",
            "usps",
            "amazon",
            "amazon prime",
            "google",
            "google nest",
            "apple",
            "samsung",
            "sony",
            "bose",
            "philips",
            "tefal",
            "bosch",
            "siemens",
            "miele",
            "lenovo",
            "asus",
            "microsoft",
            "nintendo",
            "bol.com",
            "bol",
            "zalando",
            "coolblue",
            "otto",
            "wehkamp",
            "ikea",
            "mediamarkt",
            "lidl",
            "aldi",
            "kruidvat",
            "etos",
            "blokker",
            "albert heijn",
            "rossmann",
            "fnac",
            "cdiscount",
            "echo dot",
            "echo",
            "alexa",
            "kindle",
            "kindle paperwhite",
            "fire tv",
            "airpods",
            "iphone",
            "ipad",
            "macbook",
            "apple watch",
            "galaxy",
            "pixel",
            "playstation",
            "xbox",
            "nintendo switch",
            "thermomix",
            "dyson",
            "nespresso",
            "philips hue",
            "hue",
            "sonos",
            "fitbit",
            "garmin",
            "tomtom",
            "gopro",
            "whatsapp",
            "facebook",
            "instagram",
            "messenger",
            "gmail",
            "outlook",
            "hotmail",
            "hema",
            "hamburger",
            "cheeseburger",
            "croissant",
            "track-and-trace",
            "track and trace",
            "sendungsverfolgung",
            "point relais",
            "relais colis",
            "packstation",
            "help centre",
            "help center",
            "helpcentrum",
            "hilfe-center",
            "hilfecenter",
            "centre d'aide",
            # The shop's terms, which it capitalises ("Conditions Générales de Vente").
            "terms and conditions",
            "terms of service",
            "privacy policy",
            "cookie policy",
            "algemene voorwaarden",
            "privacyverklaring",
            "allgemeine geschäftsbedingungen",
            "datenschutzerklärung",
            "conditions générales de vente",
            "conditions générales d'utilisation",
            "conditions générales",
            "politique de confidentialité",
        )
    )
    | CONSUMER_BRANDS
)
"""Payment methods, carriers, shops, products and apps customers mention: the shop's
vocabulary, not personal data, when a model tags them as a person or place."""


DISHES: frozenset[str] = frozenset(
    (
        # Pizzas, named after a person, a place or their toppings.
        "margherita", "pizza margherita", "quattro formaggi", "quattro stagioni",
        "frutti di mare", "capricciosa", "diavola", "calzone", "savoyarde",
        "quatre fromages", "pizza reine", "pizza hawaii", "pizza hawaï",
        # Dishes and drinks named after people and places.
        "pad thai", "saté ajam", "sate ajam", "nasi goreng", "bami goreng",
        "beef wellington", "eggs benedict", "caesar salad", "waldorf salad",
        "lancashire hotpot", "cornish pasty", "yorkshire pudding", "black forest gateau",
        "kaiserschmarrn", "wiener schnitzel", "wiener art", "schnitzel wiener art",
        "pommes schranke", "schwarzwälder kirschtorte", "frikandel speciaal", "kapsalon",
        "croque monsieur", "croque madame", "tarte tatin", "salade niçoise",
        "quiche lorraine", "boeuf bourguignon", "crêpe suzette", "pêche melba",
        "chili con carne", "spaghetti bolognese", "tikka masala", "rooibos",
        "pepermuntthee",
    )
)  # fmt: skip
"""Dishes and drinks a menu names, many after a person or a place ("the Beef Wellington",
"la tarte Tatin", "die Pizza Frutti di Mare", "de Saté Ajam"): no one and nowhere. Not the
places and names alone ("Wellington", "Hawaii", "Tatin"): the phrase is read around them.
"Margherita" alone is the pizza to the model's findings (in service text it outnumbers the
first name); the names recognizer still reads it as a name after a cue ("ik ben
Margherita")."""

HOLIDAYS_AND_GREETINGS: frozenset[str] = frozenset(
    (
        "merry christmas", "happy christmas", "happy holidays", "happy new year",
        "season's greetings", "happy easter", "happy thanksgiving", "happy halloween",
        "christmas eve", "new year's eve", "black friday", "cyber monday", "boxing day",
        "fijne feestdagen", "prettige feestdagen", "vrolijk kerstfeest", "vrolijke kerst",
        "fijne kerst", "fijne kerstdagen", "prettige kerstdagen", "gelukkig nieuwjaar",
        "gelukkig nieuw jaar", "fijne jaarwisseling", "vrolijk pasen", "fijne pasen",
        "fijne paasdagen", "frohe weihnachten", "fröhliche weihnachten", "frohe feiertage",
        "schöne feiertage", "frohes fest", "frohes neues jahr", "gutes neues jahr",
        "guten rutsch", "frohe ostern", "schöne ostern", "frohe pfingsten", "joyeux noël",
        "bonnes fêtes", "joyeuses fêtes", "bonne année", "meilleurs vœux", "meilleurs voeux",
        "joyeuses pâques", "bonnes vacances",
        # Holidays and their figures.
        "good friday", "easter sunday", "easter monday", "whit monday", "valentine's day",
        "mother's day", "father's day", "santa claus", "father christmas",
        "eerste paasdag", "tweede paasdag", "eerste kerstdag", "tweede kerstdag",
        "koningsdag", "hemelvaartsdag", "moederdag", "vaderdag", "sinterklaas", "kerstman",
        "karfreitag", "ostersonntag", "ostermontag", "pfingstmontag", "muttertag",
        "vatertag", "weihnachtsmann", "der nikolaus", "lundi de pâques", "saint-valentin",
        "fête des mères", "fête des pères", "père noël",
    )
)  # fmt: skip
"""Holidays, season's greetings and shopping days, which shops capitalise ("Joyeux Noël",
"Fijne Feestdagen", "Merry Christmas", "Easter Monday"): the model takes a capitalised pair
for a person or a place ("Noël" and "Nikolaus" are first names as well), but in these
phrases the words name no one."""


FEASTS: frozenset[str] = _words(
    """
    christmas xmas easter whitsun kerst kerstmis pasen pinksteren weihnachten ostern
    pfingsten silvester noël pâques pentecôte toussaint halloween thanksgiving
    """
)
"""Feasts named alone ("delivery before Christmas", "livraison avant Noël"): a date, not
the person "Noël"; in a longer name they stay its words ("Easter Road", "Christmas
Island")."""


@functools.cache
def first_words(phrases: frozenset[str]) -> dict[str, int]:
    """Each phrase's first word -> the most words a phrase opening with it has (read once
    per set of phrases)."""
    longest: dict[str, int] = {}
    for phrase in phrases:
        words = phrase.split()
        longest[words[0]] = max(longest.get(words[0], 0), len(words))
    return longest


def phrase_words(keys: Sequence[str], phrases: frozenset[str]) -> list[bool]:
    """Per word of `keys` (case-folded words in a row): whether it belongs to one of
    `phrases` there ("apple pay" in BRANDS_AND_PRODUCTS, "joyeux noël" in
    HOLIDAYS_AND_GREETINGS)."""
    marked = [False] * len(keys)
    opening = first_words(phrases)
    for i, key in enumerate(keys):
        longest = opening.get(key)
        if longest is None:
            continue  # no phrase opens with this word: most words
        for n in range(min(longest, len(keys) - i), 0, -1):
            if " ".join(keys[i : i + n]) in phrases:
                marked[i : i + n] = [True] * n
                break
    return marked


PRODUCT_NOUNS: frozenset[str] = _words(
    """
    boots boot shoes shoe sneakers trainers sofa couch chair table lamp jacket coat bag
    dress shirt jeans mug cup bed mattress speaker headphones phone case cover model
    edition collection size colour color sweater jumper hoodie jersey scarf trousers skirt
    bookcase bookshelf shelf perfume pizza salad sponge cake sauce soup sandwich pie tart
    vacuum fridge freezer dishwasher printer laptop tablet desk armchair wardrobe sideboard
    cabinet dresser rug trolley blend blends tea
    salade taart soep saus broodje rookworst stofzuiger koelkast vriezer vaatwasser
    wasmachine droger kledingkast vloerkleed
    laarzen laars schoenen schoen bank fauteuil stoel tafel jas tas jurk mok kop bed
    matras speaker model maat kleur editie collectie trui sjaal broek boekenkast kast parfum
    stiefel schuhe schuh sofa sessel stuhl tisch lampe jacke mantel tasche kleid hemd
    tasse becher bett matratze modell größe farbe kollektion pullover schal mütze trikot
    regal parfum salat kuchen torte suppe soße sosse staubsauger kühlschrank
    gefrierschrank geschirrspüler spülmaschine waschmaschine trockner schreibtisch
    kleiderschrank teppich
    bottes bottines chaussures canapé fauteuil chaise lampe veste manteau sac robe
    chemise tasse matelas modèle taille couleur collection écharpe pantalon jupe maillot
    étagère parfum gâteau tarte soupe aspirateur réfrigérateur frigo congélateur
    lave-vaisselle lave-linge sèche-linge imprimante tablette
    """
)
"""A name right before one of these is a product line ("Chelsea boots", "the Lyon sofa",
"de Oslo bank", "a Guernsey sweater", "the Caesar salad", "a Victoria sponge"), not a person
or a place. (Not "hat": in German it is the verb after a name, "Anna hat angerufen"; nor
what is a frequent surname too: "Burger", "Drucker", "Hoover".)"""

PRODUCT_NOUNS_BEFORE: frozenset[str] = _words(
    """
    sofa couch canapé fauteuil sessel bank boots bottes laarzen stiefel jacket jas veste
    jacke lamp lampe mattress matelas matras matratze pizza robe jurk kleid étagère regal
    kast hoekbank bijzettafel dressoir boxspring schrank ecksofa couchtisch kommode
    boxspringbett armoire commode
    offre formule forfait abonnement tarif tariff tarief bundel pakket paket abo
    """
)
"""The product nouns that also come before the line's name ("le canapé Lyon", "de bank
Oslo"), and a plan's before the plan's ("l'offre Vert Électrique", "het abonnement Family
Max"); the others ("case", "model", "size") come before names of people too."""

MAKES: frozenset[str] = _words(
    """
    renault peugeot citroën citroen volkswagen vw opel bmw audi mercedes-benz toyota honda
    nissan mazda kia hyundai skoda škoda fiat volvo tesla dacia suzuki mitsubishi subaru
    lexus porsche jeep chevrolet cupra lancia saab lada iveco vespa yamaha kawasaki ducati
    harley-davidson nike adidas asics reebok vorwerk dyson miele bosch siemens samsung apple
    sony philips xiaomi huawei oneplus motorola nokia lego playmobil ikea logitech lenovo
    asus acer nintendo delonghi krups tefal smeg kenwood nespresso senseo kärcher karcher
    makita dewalt stihl gardena garmin fitbit gopro canon nikon cube gazelle koga
    """
)
"""Makes whose name goes before their models' names, as one run of capitalised words:
"Renault Clio", "Volkswagen Golf", "der Vorwerk Kobold", "Nike Air Zoom Pegasus". No make
that is also a first name or a frequent surname ("Mercedes", "Ford", "Lincoln")."""

MAKERS: frozenset[str] = MAKES | frozenset(b for b in CONSUMER_BRANDS if " " not in b)
"""Makes, and brands of one word whose product lines follow their name the same way
("Kobo Libra", "Freebox Pop", "Auping Original")."""

PET_BREEDS: frozenset[str] = _words("labrador newfoundland chihuahua akita") | frozenset(
    ("jack russell", "king charles", "cavalier king charles", "maine coon", "saint bernard")
)
"""Breeds named after a place or a person that a customer's pet is called by alone: "our
Labrador chewed the cable", "mijn Chihuahua", "my jack russell wont eat it"."""

PLACE_BREEDS: frozenset[str] = PET_BREEDS | _words("yorkshire boston bengal shetland havana")
"""Places that name a breed when a pet's noun follows: "a Yorkshire terrier", "the Bengal
cat", "ein Shetland Pony"."""

PET_NOUNS: frozenset[str] = _words(
    """
    puppy puppies pup dog dogs retriever terrier cat cats kitten kittens pony
    hond honden hondje kat katten
    welpe welpen hund hunde hündin katze katzen kater kätzchen
    chiot chiots chien chiens chienne chat chats chaton chatons poney
    """
)
"""A pet's nouns: after a breed's place they make it the breed ("a Labrador puppy")."""

POSSESSIVES: frozenset[str] = _words(
    """
    my our your his her their
    mijn onze ons jouw je uw zijn haar hun
    mein meine meinen meinem meiner unser unsere unseren unserem unserer dein deine deinen
    deinem ihr ihre ihren ihrem sein seine seinen seinem
    mon ma notre votre ton ta son sa leur
    """
)
"""Possessive determiners: before a breed they make it a pet's ("our Labrador"), before a
role a member of staff ("Onze Teamleider", "Notre Responsable")."""

_WORD_BEFORE_BLANK = re.compile(r"([^\W\d_]+)[ ]$")
_WORD_AFTER_BLANK = re.compile(r"[ ]([^\W\d_]+)")
_WORD_AFTER_GAP = re.compile(r"[ \t-]*+([^\W\d_]+)")


def word_before(text: str, start: int, reach: int = 24) -> str | None:
    """The word that ends one blank before `start`, case-folded, read in the `reach`
    characters before it ("the" of "the Billy bookcase"); None where no word stands so."""
    match = _WORD_BEFORE_BLANK.search(text, max(0, start - reach), start)
    return None if match is None else match.group(1).casefold()


UI_NOUNS: frozenset[str] = _words(
    """
    option button menu tab screen setting
    optie knop menu tabblad scherm instelling rubriek
    option optionen schaltfläche button menü reiter bildschirm einstellung bereich
    option bouton menu onglet écran paramètre rubrique
    """
)
"""An app's controls, named before their label ("die Option Auslandseinsatz", "de optie
Betalen Buitenland", "le bouton Réinitialiser"): the label names no one and no place."""

MODEL_NOUNS: frozenset[str] = _words(
    """
    model modell modèle serie série reeks collectie kollektion collection gamme
    """
)
"""Nouns before a product's model or range when a place names it ("model Delft", "der
Schrank Berlin aus der Serie Kopenhagen", "la gamme Saint-Tropez"). Only before a place:
before a person they are what the person is ("Model Kate Moss", "die Kollektion von
Jil Sander")."""


def product_precedes(text: str, start: int, *, place: bool = False) -> bool:
    """Whether a product noun that comes before its line's name stands right before
    `start` ("le canapé Lyon", "de bank Oslo"; see PRODUCT_NOUNS_BEFORE); with `place`, a
    model's or range's noun too ("Modell Wien", see MODEL_NOUNS)."""
    before = word_before(text, start)
    return before in PRODUCT_NOUNS_BEFORE or (place and before in MODEL_NOUNS)


def product_follows(text: str, end: int) -> bool:
    """Whether a product noun follows `end`, across blanks, tabs or a dash, within 24
    characters ("the Oslo sofa", "the Chelsea - boots"): a line's name before its noun is
    no place or person. One reading for the places recognizer and for the model's
    findings (`plausibility`), so the two agree on what a product line is."""
    match = _WORD_AFTER_GAP.match(text, end, end + 24)
    return match is not None and match.group(1).casefold() in PRODUCT_NOUNS


_LONG_BREEDS = tuple(breed for breed in PLACE_BREEDS if " " in breed)
_LONG_BREED_EDGES = frozenset(
    edge for breed in _LONG_BREEDS for edge in (breed.split()[0], breed.split()[-1])
)


def pet_breed(text: str, start: int, end: int) -> bool:
    """Whether the place at `start`:`end` names a pet's breed: a breed after a possessive
    ("our Labrador", "Notre Labrador") or a breed's place before a pet's noun ("a Labrador
    puppy", "Yorkshire Terrier"). Not "they moved to Labrador"."""
    key = text[start:end].casefold()
    if key not in PLACE_BREEDS:
        if key not in _LONG_BREED_EDGES:
            return False
        # The finding may open or end a breed's longer name: "Maine" of "a Maine Coon
        # kitten", "charles" of "my cavalier king charles".
        longer = [
            (s, s + len(breed))
            for breed in _LONG_BREEDS
            for s in (start, end - len(breed))
            if s >= 0
            and text[s : s + len(breed)].casefold() == breed
            and not text[s + len(breed) : s + len(breed) + 1].isalpha()
            and not text[s - 1 : s].isalpha()
        ]
        if not longer:
            return False
        start, end = max(longer, key=lambda span: span[1] - span[0])
        key = text[start:end].casefold()
    after = _WORD_AFTER_BLANK.match(text, end)
    if after is not None and after.group(1).casefold() in PET_NOUNS:
        return True
    return key in PET_BREEDS and word_before(text, start, reach=16) in POSSESSIVES


COLOURS: frozenset[str] = _words(
    """
    red blue green black white brown grey gray pink purple yellow orange beige navy
    tan olive khaki cream silver gold taupe ivory turquoise mint coral camel burgundy
    rood blauw groen zwart wit bruin grijs roze paars geel oranje
    antraciet zilver goud crème donkerblauw lichtblauw
    rot blau grün schwarz weiß weiss braun grau rosa lila gelb
    anthrazit silber creme dunkelblau hellblau
    rouge bleu vert noir blanc marron gris rose violet jaune
    argent doré kaki turquoise
    """
)
"""Colours: never a place, and in lower case never a name ("in brown", "en rouge"); in
capitals some are surnames (Brown, Schwarz, Blanc), which stay."""

FINISHES: frozenset[str] = _words(
    """
    oak walnut beech pine teak birch maple leather suede velvet linen marble chrome steel
    titanium graphite copper brass bronze stonewash stonewashed
    eiken eikenhout noten notenhout beuken grenen leer fluweel linnen marmer staal koper
    eiche nussbaum buche kiefer leder samt leinen marmor stahl kupfer
    chêne noyer hêtre cuir daim velours marbre acier cuivre laiton
    """
)
"""Woods, fabrics and finishes a product comes in ("in Natural Oak", "en Chêne Foncé")."""

COLOUR_CUES: frozenset[str] = _words(
    """
    in im colour color finish kleur uitvoering farbe ausführung couleur coloris teinte
    """
)
"""Words a product's colour or finish follows ("in Forest Green", "kleur Oker", "Farbe
Salbeigrün", "coloris Vert Sauge"); in French "en" too ("en Bleu Marine"), which in Dutch
is "and" ("Jan en Piet Groen")."""

_COLOUR_ENDS = tuple(_words("groen blauw rood grijs zwart grün blau grau schwarz weiß braun marin"))


SHADES: frozenset[str] = _words(
    """
    natural dark light pale deep bright matte brushed washed antique
    naturel donker licht natur dunkel hell foncé clair
    """
)
"""Words that shade a colour or finish ("Natural Oak", "Chêne Foncé", "Donker Eiken")."""

_CAPITALISED_AFTER = re.compile(r"(?:[ \t]+[A-ZÀ-Ý][^\W\d_]*){1,2}")


def colour_word(key: str) -> bool:
    """Whether the case-folded `key` is a colour or a finish, or a Dutch or German colour
    compound ("salbeigrün", "donkergroen")."""
    return key in COLOURS or key in FINISHES or (len(key) > 6 and key.endswith(_COLOUR_ENDS))


def colour_phrase(
    text: str, start: int, end: int, language: str, *, after_only: bool = False
) -> bool:
    """Whether `start`:`end` names a product's colour or finish after its cue: a word of it,
    or of the capitalised words right after it, is a colour or finish ("in Forest Green",
    "in Desert Titanium", "en Bleu Marine", "in Salbeigrün", "kleur Donkergroen").
    `after_only`: only the words after it count, for a span the gazetteer knows as a place
    whatever its words ("in Green Bay", "in White Plains"; "Forest" of "in Forest Green")."""
    before = word_before(text, start)
    if before not in COLOUR_CUES and not (before == "en" and language == "fr"):
        return False
    run = _CAPITALISED_AFTER.match(text, end)
    if after_only:
        start = end
    if run is not None:
        end = run.end()
    return any(colour_word(word.casefold()) for word in LETTERS.findall(text, start, end))


TIERS: frozenset[str] = _words(
    """
    premium plus pro extra unlimited basic basis standard essential essentials
    essentiel essentielle comfort confort komfort light lite deluxe classic classique
    klassiek klassik flex family familie famille business zakelijk start starter
    menu menü tarief tarif tariff kit
    """
)
"""Words that end a plan's, subscription's or product's name in shops' Title Case ("Netflix
Premium", "Allrisk Extra", "Vollkasko Premium", "Dynamisch Tarief", "the Tasting Menu").
Not "max": a first name ("Mud Max")."""

SIGN_OFF_WORDS: frozenset[str] = _words(
    """
    regards cheers thanks thank best greetings groeten groet bedankt dank
    grüße grüsse gruß danke merci cordialement salutations amitiés bises
    """
)
"""Words that end a message on their own line: a sign-off, not the signature's name."""

PLACE_HEADS: frozenset[str] = _words(
    """
    park bridge highway motorway lake sea bay gulf ocean strait straits river creek falls
    valley mountain mountains hills island islands peninsula beach coast harbor harbour
    airport station district county province region canal forest desert reservoir
    reserve plateau basin canyon glacier volcano lagoon marsh moor fjord
    abbey cathedral monastery priory castle palace aqueduct prison stadium
    abdij kathedraal klooster paleis stuwmeer
    kloster kathedrale palast stausee
    meer zee baai rivier brug eiland eilanden luchthaven kanaal bos gebergte
    see brücke insel inseln fluss bucht bahnhof flughafen gebirge tal wald kanal
    lac pont île îles baie fleuve rivière gare aéroport vallée forêt
    """
)
"""Last words that make a capitalised phrase a place ("George Washington Bridge",
"Muskegon Lake", "Zachary Taylor Historic State Park"), not the person in its name."""

PLACE_LEADS: frozenset[str] = _words(
    """
    lake mount mt cape isle isles gulf county province provinz kanton landkreis kreis
    bezirk regierungsbezirk golf insel provincie
    lac mont monts canton département région baie golfe île îles vallée massif gave fleuve
    rivière delta pays comté gare aéroport col plateau cap détroit presqu'île
    pyramide stade château cathédrale abbaye basilique église chapelle monastère prieuré
    mausolée palais parc jardin forêt cirque gouffre pic puy tunnel barrage fort forteresse
    porte pont mer océan désert plaine archipel marais étang glacier volcan colline musée
    vélodrome hippodrome aérodrome cité péninsule arrondissement circonscription
    schloss burg kloster bistum erzbistum oblast khanat fürstentum herzogtum grafschaft
    königreich kaiserreich
    kasteel station abdij hertogdom graafschap koninkrijk vorstendom dierenpark
    """
)
"""First words that make the capitalised name after them a place ("Lake Placid", "Gulf of
Mexico", "Provinz Oberschlesien", "canton de Vaud", "gave de Pau", "pyramide de Khéops"),
with it; French, German and Dutch sites are named so too ("stade du Hameau", "musée des
Beaux-Arts de Pau", "Schloss Schönhausen", "kasteel Wijnandsrade").
Not streets: without a house number customers' streets are not personal data ("ne pas
livrer rue de Rivoli"), and capitalised they name products ("la collection Boulevard
Haussmann"); with one they are addresses (recognizers.street_address)."""

COMPANY_HEADS: frozenset[str] = _words(
    """
    company corporation corp inc ltd llc plc press publishing books studios pictures
    records energy futures services systems solutions technologies holdings securities
    insurance communications consulting enterprises industries software
    """
)
"""Last words that make a capitalised phrase a company whoever or wherever it is named
after ("Carr Futures", "El Paso Energy", "Rodale Press"): never a person nor a place."""

CLUB_ABBREVIATIONS: frozenset[str] = frozenset(
    """
    FC AFC CF SC SV VfB VfL VfR TSV TSG SpVgg SSV FSV FSG BSC KSV RSC RC AC AS AJ OGC SSC ADO AZ
    NAC NEC PSV RKC IFK AIK BK FK NK HNK SK CSKA ZSKA KV KRC KAA
    """.split()  # noqa: SIM905 - a list literal of 41 strings reads worse
)
"""Sports clubs' abbreviations written before the town they play for ("FC Utrecht", "VfB
Stuttgart", "PSV Eindhoven", "AS Monaco"), as clubs write them: case counts ("as", "Sc").
Not "US" ("US Virgin Islands"), "SG" (Singapore) or "BV" (a legal form)."""

CLUB_LEADS: frozenset[str] = _words(
    """
    real inter atlético atletico athletic dinamo dynamo sporting olympique borussia werder
    bayer eintracht fortuna hertha hansa arminia alemannia rapid sturm sparta slavia
    steaua spartak lokomotive lokomotiv galatasaray fenerbahçe fenerbahce beşiktaş besiktas
    benfica juventus lazio ajax feyenoord vitesse heracles excelsior girondins racing
    standard deportivo club
    """
)
"""Capitalised words that open a sports club's name before its town ("Real Madrid", "Werder
Bremen", "Ajax Amsterdam", "Standard de Liège"). Not "Celtic" ("Celtic Britain") nor
"Union" ("Union Berlin", but "Union" + a place is as often a union), nor
"Energie" ("Energie Cottbus", but German "die Energie Europas")."""

CLUB_TAILS: frozenset[str] = _words(
    """
    united rovers wanderers albion hotspur athletic kickers saint-germain fc cf afc
    pirates bears braves yankees mets giants cardinals phillies padres astros nationals cubs
    dodgers angels mariners orioles royals brewers rockies marlins diamondbacks rangers
    packers patriots cowboys eagles steelers 49ers raiders chiefs broncos seahawks chargers
    dolphins colts titans texans jaguars ravens bengals browns vikings saints falcons
    buccaneers redskins commanders lakers celtics bulls knicks 76ers spurs rockets mavericks
    warriors clippers suns nuggets pistons pacers cavaliers bucks hawks hornets raptors
    timberwolves grizzlies pelicans wizards supersonics flyers capitals penguins bruins
    canadiens oilers flames canucks sabres islanders blackhawks predators avalanche coyotes
    """
) | frozenset(("blue jays", "white sox", "red sox", "maple leafs", "red wings", "trail blazers"))
"""Capitalised words that close a sports club's or team's name after its town ("Leeds
United", "Pittsburgh Pirates", "Paris Saint-Germain"), or open it before "de" in French
("Yankees de New York"). Not "City", "County" or "Town" ("Mexico City", "Orange County",
"Cape Town"), nor team names that are as often plain words after a place ("Heat", "Magic",
"Stars", "Kings")."""

LEGAL_FORMS: frozenset[str] = _words(
    "inc ltd llc plc corp gmbh ag kg bv nv cv vof bvba commv sa sarl sas srl"
)
"""A company's legal form, casefolded without its dots ("B.V." is "bv"); alone ("CCNG,
Inc."), it is no name or place. (Not "SpA" or "Co": "Spa" is a Belgian town, "Co" a
county's abbreviation.)"""

ORGANISATION_HEADS: frozenset[str] = COMPANY_HEADS | _words(
    """
    university college school academy church cathedral museum theatre theater
    center centre institute hospital hotel restaurant pizza grill cafe café
    league club party council ministry department bank group
    foundation association society railway railways airlines motorsports development
    housing festival
    universiteit hogeschool school kerk ziekenhuis stichting vereniging gemeente
    universität hochschule kirche krankenhaus stiftung verein verlag gesellschaft gmbh
    université école église hôpital musée théâtre société banque
    """
)
"""Last words that make a capitalised phrase an organisation ("Princeton University",
"Richard Rodgers Theatre", "Malcolm Smith Motorsports"), not the person in its name."""
