"""Places, street addresses and postal codes of many countries, in the four languages.

Each recognizer is tested on its own (positives and look-alikes per language) and the
detector as a whole on multi-line addresses, with the built-in NER running.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from discreet.detect import Detector, EntityType
from discreet.detect.base import DetectionInput
from discreet.detect.merge import merge_findings
from discreet.detect.places import (
    PlaceKind,
    fold,
    gazetteer,
    german_dative,
    kind_of,
    landmarks,
    well_known_place,
)
from discreet.detect.registry import RecognizerRegistry

THRESHOLD = 0.4
REGISTRY = RecognizerRegistry.default()


def values(name: str, text: str, language: str) -> list[str]:
    recognizer = REGISTRY.get(name)
    return [
        f.value(text)
        for f in recognizer.analyze(DetectionInput(text, language))
        if f.score >= THRESHOLD
    ]


@pytest.fixture(scope="module")
def detector() -> Detector:
    return Detector()


def test_the_gazetteer_knows_native_spellings_and_ignores_case() -> None:
    for name in ("Deutschland", "Duitsland", "Allemagne", "Germany"):
        assert kind_of(name) is PlaceKind.COUNTRY, name
    for name in ("Köln", "Koln", "Keulen", "Cologne", "OULU", "Den Haag", "The Hague"):
        assert kind_of(name) is not None, name
    assert kind_of("Noord-Brabant") is PlaceKind.REGION
    assert kind_of("Bavière") is PlaceKind.REGION
    # The United Kingdom's nations in each language (French ones are not in pycountry).
    for name in ("Scotland", "Schotland", "Schottland", "Écosse", "Pays de Galles"):
        assert kind_of(name) is not None, name
    # England's shire counties; not its boroughs named like words ("Reading", "Bury").
    for name in ("Derbyshire", "North Yorkshire", "Hampshire"):
        assert kind_of(name) is PlaceKind.REGION, name
    assert kind_of("Reading") is not PlaceKind.REGION
    # Former countries (ISO 3166-3) in the four languages, and the Soviet Union by name.
    for name in ("Yugoslavia", "Joegoslavië", "Jugoslawien", "Tchécoslovaquie", "Sowjetunion"):
        assert kind_of(name) is PlaceKind.COUNTRY, name
    # German country names as they stand after a preposition ("aus den Niederlanden").
    for name in ("Niederlanden", "Vereinigten Staaten", "Vereinigten Königreich"):
        assert kind_of(name) is PlaceKind.COUNTRY, name
    # Official names short enough to be written, and their German dative.
    for name in ("Czech Republic", "Tschechische Republik", "Tschechischen Republik"):
        assert kind_of(name) is PlaceKind.COUNTRY, name
    # Rivers, seas, mountains and historical regions from the project's list.
    for name in ("Rhein", "Rijn", "Rhin", "Vlaanderen", "Flandre", "Gaule", "Nordsee", "Alpes"):
        assert kind_of(name) is PlaceKind.REGION, name
    # Territories the news names as places of their own, though no ISO region.
    for name in ("Kosovo", "Gazastreifen", "Bosnien", "Westjordanland", "Cisjordanie"):
        assert kind_of(name) is PlaceKind.REGION, name
    # Not those named like words or products ("Amour", "Java").
    assert kind_of("Amour") is None and kind_of("Java") is None


def test_the_landmark_list_names_its_bad_line(tmp_path: Path) -> None:
    listing = tmp_path / "landmarks.tsv"
    listing.write_text("# rivers\nRhine\tRijn\tRhein\tRhin\nThames\tTheems\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"landmarks.tsv:3: 2 columns, expected 4"):
        landmarks(listing)
    listing.write_text("Tagus\tTaag\tTajo\t-\nAlps\tAlpen\tAlpen\tAlpes|Alpes suisses\n")
    assert landmarks(listing) == [
        "Tagus",
        "Taag",
        "Tajo",
        "Alps",
        "Alpen",
        "Alpen",
        "Alpes",
        "Alpes suisses",
    ]


def test_german_country_names_are_declined_after_a_preposition() -> None:
    assert german_dative("Vereinigte Arabische Emirate") == "Vereinigten Arabischen Emiraten"
    assert german_dative("Vereinigtes Königreich") == "Vereinigten Königreich"
    assert german_dative("Niederlande") == "Niederlanden"
    # Words that only end in "e" stay: no "Coten d'Ivoire", "Islen of Man".
    for name in ("Côte d'Ivoire", "Isle of Man", "Schweiz", "Ukraine"):
        assert german_dative(name) == name
    # GeoNames' alternative names hold codes and function words: none is a place here.
    for word in ("the", "was", "het", "ist"):
        assert kind_of(word) is None, word
    assert gazetteer().major("amsterdam") and not gazetteer().major("best")
    # Continents in the four languages, French départements, Belgian provinces, US counties.
    for name in ("Europe", "Afrique", "Nordamerika", "Zuid-Amerika", "Azië"):
        assert kind_of(name) is PlaceKind.REGION, name
    for name in ("Gironde", "Eure-et-Loir", "Oost-Vlaanderen", "Marin County"):
        assert kind_of(name) is PlaceKind.REGION, name
    # Small towns where the four languages are spoken (GeoNames' cities1000), not in the
    # English-speaking countries, whose small towns include company names ("Acme").
    for name in ("Panazol", "Herzele", "Florenville", "Puchenau"):
        assert kind_of(name) is PlaceKind.CITY, name
    assert kind_of("Acme") is None
    # A small town named like a word is left out: "Oude Gracht 45" is a street.
    assert kind_of("Gracht") is None


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        ("en", "I moved from Uruguay to OULU last year", ["Uruguay", "OULU"]),
        ("en", "Ship it to my sister in Nice please", ["Nice"]),
        # A brand that is a town too, after a cue: the town.
        ("fr", "j'habite à Vittel depuis dix ans", ["Vittel"]),
        # Places named with a colour after a colour's cue stay places.
        ("en", "I moved to a house in Green Bay, she lives in White Plains",
         ["Green Bay", "White Plains"]),
        ("nl", "Ik woon sinds kort in Den Haag, vlakbij Duitsland", ["Den Haag", "Duitsland"]),
        ("nl", "Het pakket ging via Noord-Brabant naar Antwerpen", ["Noord-Brabant", "Antwerpen"]),
        ("de", "Wir wohnen in Frankfurt am Main, nicht in Österreich",
         ["Frankfurt am Main", "Österreich"]),
        ("de", "Lieferung nach München bitte", ["München"]),
        ("fr", "Je vis en Allemagne, près de Saint-Étienne avant", ["Allemagne", "Saint-Étienne"]),
        ("fr", "Livraison à Bruxelles demain", ["Bruxelles"]),
        ("fr", "Il a vécu en Afrique, puis en Gironde, à Panazol",
         ["Afrique", "Gironde", "Panazol"]),
        ("de", "Er reiste durch Nordamerika nach Puchenau", ["Nordamerika", "Puchenau"]),
        ("nl", "Ze woont in Herzele, in Oost-Vlaanderen", ["Herzele", "Oost-Vlaanderen"]),
        ("fr", "Il habite à Lot depuis mars", ["Lot"]),
        # The names people use (CLDR via Babel), not only pycountry's official ones.
        ("en", "Russia, Britain and Turkey met in the Middle East",
         ["Russia", "Britain", "Turkey", "Middle East"]),
        ("nl", "Van Rusland naar West-Europa", ["Rusland", "West-Europa"]),
        ("fr", "Il rentre de Russie", ["Russie"]),
        # "USA" is no code; German genitives of countries and large cities.
        ("de", "Die Hauptstadt Deutschlands liegt nicht in den USA", ["Deutschlands", "USA"]),
        ("de", "Die Geschichte Griechenlandes und des Saarlandes",
         ["Griechenlandes", "Saarlandes"]),
        # A point of the compass joined to a country or region, also in the genitive.
        ("de", "Er investiert in Ostdeutschland, Südtirol und Westeuropas Städte",
         ["Ostdeutschland", "Südtirol", "Westeuropas"]),
        # "US", "UK", "UAE", "NYC" in capitals within a sentence; "America" as a country.
        ("en", "The US lost another helicopter; he moved to the UK", ["US", "UK"]),
        ("en", "Flights from the UAE to NYC and on to America", ["UAE", "NYC", "America"]),
        # A place word before or after a capitalised name makes it a place, with it.
        ("en", "We camped by the Platte River near Lake Placid", ["Platte River", "Lake Placid"]),
        ("en", "Birds nest in the Labrador Nature Reserve", ["Labrador Nature Reserve"]),
        ("de", "Er stammt aus der Provinz Oberschlesien", ["Provinz Oberschlesien"]),
        ("fr", "La source du gave de Pau, dans le comté d' Accomack",
         ["gave de Pau", "comté d' Accomack"]),
        # Dutch abbreviations of the States and the Kingdom.
        ("nl", "Banken in de VS en het VK groeien", ["VS", "VK"]),
    ],
)  # fmt: skip
def test_places_in_four_languages(language: str, text: str, expected: list[str]) -> None:
    assert values("places", text, language) == expected


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "Nice to meet you. Best regards, Anna"),
        ("en", "Reading the manual did not help, most buttons do nothing"),
        ("en", "I love the Lyon sofa and my Chelsea boots"),
        # The noun read past a dash or a second blank, as the model's findings are read.
        ("en", "Lyon - sofa, grey; the Oslo  sofa, blue"),
        # Clothes named after places, and countries named like English words.
        ("en", "Please send the Guernsey sweater back, the Reunion dinner is off"),
        ("de", "Das Trikot ist gut, der London Pullover zu klein"),
        ("nl", "Beste Marieke, het is echt Best zo"),
        ("de", "Das Essen war kalt und die Halle leer"),
        ("de", "Am Montag kommt der Techniker"),
        ("fr", "Le canapé Lyon est superbe, mardi il arrive"),
        # A make's or brand's model named after a place.
        ("de", "Ich schwanke zwischen dem Cube Kathmandu Hybrid und einem anderen"),
        # A colour named like a town and a colour, after its cue.
        ("en", "the sofa in Forest Green arrived today"),
        # A place's name after an article, one or two words before a product's noun.
        ("en", "I ordered the Oslo three-seater sofa and the Stockholm side table"),
        # Furniture and tea named after a place, before their noun.
        ("en", "The Chesterfield armchair has a tear; the Hamilton desk is fine"),
        ("en", "The Earl Grey and London blends are back in stock"),
        # A dish named after a place.
        ("en", "do you do the Beef Wellington or the Lancashire hotpot?"),
        # A breed that opens with a place, before a pet's noun.
        ("nl", "welk kattenbakkorrel is geschikt voor een Maine Coon kitten?"),
        # A model or range named after a town, after its noun.
        ("de", "der Schrank aus der Serie Kopenhagen oder das Modell Wien?"),
        ("nl", "de kast Haarlem past niet, kan ik model Delft krijgen?"),
        ("fr", "l'armoire Bordeaux de la gamme Saint-Tropez ne rentre pas"),
        ("fr", "Merci pour votre aide, bonne journée"),
        # Départements named like words need a cue: "Cher", "Manche", "Lot", "Somme".
        ("fr", "Cher client, la Manche de la veste est trop courte. Lot de trois. Somme due"),
        ("de", "Die Stadt hat das Paket nicht zugestellt"),
        ("en", "Best wishes, James | Acme Home Support"),
        # Place words next to a person, a product or a verb: "Anna Park", "Docking Station",
        # "mount the TV", "Golf GTI" (a car), "Big Lake" (two frequent words).
        ("en", "Anna Park ordered a Docking Station; can you mount the TV?"),
        ("de", "Mein Golf GTI steht im Kreis der Familie"),
        ("en", "Big Lake sale, Great River deals"),
        # A point of the compass before a town or a word: a slope, a wing, an age.
        ("de", "Am Osthang, im Westflügel, seit dem Mittelalter"),
        # A town named like a frequent word is no name before a place word: the Federal
        # Reserve is a bank, though Argentina has a town Federal.
        ("en", "The Federal Reserve raised rates"),
        # German genitive "s" only after countries, regions and large cities' names.
        ("de", "Hans hat Ottos Paket und Rosas Kleid, alles Gute"),
        # "us" is a pronoun, also in a shouted line; "US-based" and "US-Präsident" are
        # adjectives; "Uk" is no abbreviation.
        ("en", "Email us today. CONTACT US NOW. A US-based firm. Uk sizes"),
        ("de", "Der US-Präsident kam nicht"),
        # "VS" is "versus" outside Dutch; "Wake" (Island) is a word.
        ("en", "Lakers VS Celtics tonight"),
        ("en", "Wake me up when the parcel arrives"),
        # Regions named like a noun: Zug, Namur in German, Guangzhou in German ("Kanton").
        ("de", "Der Zug hatte Verspätung; im Namen des Kantons entschuldigen wir uns"),
        ("en", "I think you should Come and collect it"),
        # A breed named after a place: a pet's, after a possessive or before its noun.
        ("en", "Does the harness fit my Newfoundland?"),
        ("en", "Is the bed big enough for a Newfoundland puppy?"),
    ],
)
def test_words_that_are_also_towns_are_not_places(language: str, text: str) -> None:
    assert values("places", text, language) == []


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        # Chat writes the town in lower case after its postal code.
        ("fr", "c'est 171 avenue victor hugo, 53948 quimper. Merci", ["quimper"]),
        ("fr", "32, quai des chartrons, 81874 caen, tél. 01 76 06 11 61", ["caen"]),
        ("nl", "dat is kapelstraat 60, 4877 lokeren.", ["lokeren"]),
        ("nl", "Meir 12, 2000 antwerpen", ["antwerpen"]),  # a year's digits, after a comma
    ],
)
def test_a_lower_case_town_after_its_postal_code(
    language: str, text: str, expected: list[str]
) -> None:
    assert values("places", text, language) == expected


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("nl", "we betaalden 2000 euro en 1500 stuks"),  # words, not towns
        ("nl", "Eind 1998 telde de EU 360 zenders"),  # a year, then a verb (Telde, a town)
        ("de", "Von 1993 bis 1996 trat er an"),  # Trat, a Thai town
    ],
)
def test_lower_case_words_after_numbers_are_not_towns(language: str, text: str) -> None:
    assert values("places", text, language) == []


def test_a_place_is_a_word_only_in_the_language_where_it_is_one() -> None:
    # "indien" is "if" in Dutch: a stop word there, India in German text.
    assert values("places", "Waffen für Syrien und Indien", "de") == ["Syrien", "Indien"]
    assert values("places", "Indien u vragen heeft, bel ons", "nl") == []


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        ("en", "please update my address to 14 Rose Lane, Bristol", ["14 Rose Lane"]),
        ("en", "1600 Pennsylvania Avenue NW, Washington", ["1600 Pennsylvania Avenue NW"]),
        ("en", "send it to 55 Elm Street Suite 200", ["55 Elm Street Suite 200"]),
        ("en", "Mail: PO Box 1234, Springfield", ["PO Box 1234"]),
        ("en", "we live on 3257 hillcrest road now", ["3257 hillcrest road"]),
        ("nl", "Mijn adres is Rooseveltlaan 110, Apt. 949", ["Rooseveltlaan 110, Apt. 949"]),
        ("nl", "Jan van Galenstraat 12 bus 3", ["Jan van Galenstraat 12 bus 3"]),
        ("nl", "Postbus 12, 1000 AA Amsterdam", ["Postbus 12"]),
        # The type word leads, with its preposition; a letter after the house number.
        ("nl", "Laan van Meerdervoort 1024-B, 2564 AZ Den Haag", ["Laan van Meerdervoort 1024-B"]),
        ("nl", "Weg naar de Zee 3 in Katwijk", ["Weg naar de Zee 3"]),
        # Hyphenated names of people before the type word, which is capitalised then.
        ("de", "Ich wohne am Konrad-Adenauer-Platz 1 in Bonn.", ["Konrad-Adenauer-Platz 1"]),
        ("de", "Karl-Marx-Straße 5, 12043 Berlin", ["Karl-Marx-Straße 5"]),
        ("de", "Friedrich-Ebert-Str. 12a", ["Friedrich-Ebert-Str. 12a"]),
        ("nl", "Johan-de-Witt-Laan 4, Den Haag", ["Johan-de-Witt-Laan 4"]),
        ("de", "Ich wohne Am Alten Markt 3a in Köln", ["Am Alten Markt 3a"]),
        ("de", "Hauptstraße 5, 10115 Berlin", ["Hauptstraße 5"]),
        ("de", "Storgata 12 B\n0155 Oslo", ["Storgata 12 B"]),
        ("fr", "J'habite au 12 bis, rue de la Paix", ["12 bis, rue de la Paix"]),
        ("fr", "Rue de la Loi 16, 1000 Bruxelles", ["Rue de la Loi 16"]),
        ("fr", "Odos Ermou 15, Athènes", ["Odos Ermou 15"]),
        ("fr", "Via Roma 12, Milano", ["Via Roma 12"]),
        # A unit before the house number, as British and American addresses write it.
        ("en", "deliver to Unit 4, 88 Canal Street, Birmingham", ["Unit 4, 88 Canal Street"]),
        ("en", "Flat 2, 14 Rose Lane", ["Flat 2, 14 Rose Lane"]),
        ("en", "flat 3, 12 station road, leeds", ["flat 3, 12 station road"]),
        # The type word apart from the name, after an adjective.
        ("nl", "staat mijn adres nog op de Oude Gracht 45?", ["Oude Gracht 45"]),
        ("de", "Lange Straße 12, 10115 Berlin", ["Lange Straße 12"]),
        # With the house number first, the number after the street is its postal code.
        ("fr", "adresse : 146 boulevard Saint-Michel 68189 Dijon", ["146 boulevard Saint-Michel"]),
        ("fr", "Adresse : 114, rue du Moulin 13767 Boulogne", ["114, rue du Moulin"]),
    ],
)
def test_street_addresses_in_international_formats(
    language: str, text: str, expected: list[str]
) -> None:
    assert values("street_address", text, language) == expected


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "my order 12 arrived on 3 May, box 3 of 5 was empty"),
        ("en", "Room for 4 people, Street Fighter 2"),
        ("en", "I need 2 new road bikes and 3 sweet lane markers"),
        ("nl", "Ik heb 3 pakketten besteld, 2 zijn binnen"),
        ("nl", "Pagina 12 van de handleiding"),
        ("de", "Ich habe 3 Kinder und Seite 12 fehlt"),
        ("de", "Mein Sohn ist 12"),
        ("fr", "J'ai commandé 3 articles le 12 mars"),
        ("fr", "Page 12 du manuel"),
        ("de", "Der Weg 3 Minuten zu Fuß"),
        ("en", "the unit 4 is broken, 2 days ago"),
    ],
)
def test_numbers_near_words_are_not_street_addresses(language: str, text: str) -> None:
    assert values("street_address", text, language) == []


@pytest.mark.parametrize(
    ("name", "language", "text", "expected"),
    [
        ("ca_postal_code", "en", "Ottawa ON K1A 0B1", ["K1A 0B1"]),
        ("ie_eircode", "en", "my eircode is D02 X285", ["D02 X285"]),
        ("prefixed_postal_code", "de", "Anschrift: D-10115 Berlin", ["D-10115"]),
        ("prefixed_postal_code", "nl", "adres NL-1012 AB Amsterdam", ["NL-1012 AB"]),
        ("prefixed_postal_code", "fr", "B-1000 Bruxelles", ["B-1000"]),
        ("three_two_postal_code", "en", "Drottninggatan 5, 113 51 Stockholm", ["113 51"]),
        ("pt_postal_code", "fr", "Rua Augusta 12, 1100-048 Lisboa", ["1100-048"]),
        ("pl_postal_code", "de", "ul. Piękna 5, 00-950 Warszawa", ["00-950"]),
        ("be_postal_code", "nl", "Nørregade 12, 1165 København", ["1165"]),
    ],
)
def test_postal_codes_of_more_countries(
    name: str, language: str, text: str, expected: list[str]
) -> None:
    # Addresses abroad turn up in messages of any language: the codes are found in all four.
    for lang in ("en", "nl", "de", "fr"):
        assert values(name, text, lang) == expected, lang


@pytest.mark.parametrize(
    ("name", "language", "text"),
    [
        ("ca_postal_code", "en", "the K1A model"),
        ("three_two_postal_code", "en", "I paid 100 50 times"),
        ("three_two_postal_code", "nl", "ik heb 123 45 keer gebeld"),
        ("pt_postal_code", "fr", "le match a fini 1100-048"),
        ("pl_postal_code", "de", "Das Spiel endete 12-345 für uns"),
        ("prefixed_postal_code", "en", "model A-1010X"),
    ],
)
def test_postal_code_look_alikes(name: str, language: str, text: str) -> None:
    for lang in ("en", "nl", "de", "fr"):
        assert values(name, text, lang) == [], lang


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        (
            "nl",
            "Mijn nieuwe adres:\nRooseveltlaan 110, Apt. 949\n2060 Antwerpen",
            {
                ("Rooseveltlaan 110, Apt. 949", EntityType.STREET_ADDRESS),
                ("Antwerpen", EntityType.LOCATION),
            },
        ),
        (
            "de",
            "Neue Anschrift:\nAm Alten Markt 3a\n50667 Köln",
            {
                ("Am Alten Markt 3a", EntityType.STREET_ADDRESS),
                ("50667", EntityType.POSTAL_CODE),
                ("Köln", EntityType.LOCATION),
            },
        ),
        (
            "en",
            "Please ship to:\n1600 Pennsylvania Avenue NW\nWashington, DC 20500\nUSA",
            {
                ("1600 Pennsylvania Avenue NW", EntityType.STREET_ADDRESS),
                ("20500", EntityType.POSTAL_CODE),
            },
        ),
        (
            "fr",
            "Adresse : 12 bis, rue de la Paix\n75002 Paris",
            {
                ("12 bis, rue de la Paix", EntityType.STREET_ADDRESS),
                ("75002", EntityType.POSTAL_CODE),
                ("Paris", EntityType.LOCATION),
            },
        ),
    ],
)
def test_multi_line_addresses_through_the_detector(
    detector: Detector, language: str, text: str, expected: set[tuple[str, EntityType]]
) -> None:
    found = {(f.value(text), f.type) for f in detector.detect(text, language)}
    assert expected <= found


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("He grew up in Marin County, north of the bay", "Marin County"),
        ("Elle est née dans le Dakota du Nord", "Dakota du Nord"),
    ],
)
def test_a_region_whose_first_word_is_a_first_name_is_a_place(
    detector: Detector, text: str, expected: str
) -> None:
    found = [(f.value(text), f.type) for f in detector.detect(text)]
    assert (expected, EntityType.LOCATION) in found
    assert not any(t is EntityType.PERSON for _, t in found)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Il ne subsiste que la pyramide de Khéops.", ["pyramide de Khéops"]),
        ("Le gave prend sa source au cirque de Gavarnie.", ["cirque de Gavarnie"]),
        # French leads name a place without a connector, in lower case too.
        ("Elle vit dans les monts Torricelli.", ["monts Torricelli"]),
        ("Son stade est le stade Jean-Dauger.", ["stade Jean-Dauger"]),
        ("Jumelée avec la rivière Jacques-Cartier.", ["rivière Jacques-Cartier"]),
        # French capitalises no common noun: a frequent word after the lead is a name too.
        ("Le match au parc des Princes.", ["parc des Princes"]),
        # Connectors inside the name: "des Beaux-Arts de Pau", "Sainte-Marie d' Oloron".
        ("La présence du musée des Beaux-Arts de Pau.", ["musée des Beaux-Arts de Pau"]),
        ("Il fait construire la cathédrale Sainte-Marie d' Oloron.",
         ["cathédrale Sainte-Marie d' Oloron"]),
    ],
)  # fmt: skip
def test_french_sites_named_by_their_place_word(text: str, expected: list[str]) -> None:
    assert values("places", text, "fr") == expected


@pytest.mark.parametrize(
    "text",
    [
        "À la place de Marie, je viens demain.",  # "instead of"; and streets are not leads
        "Merci de ne pas livrer rue de Rivoli.",  # a street without its number: not personal
        "Je bois du Coca au stade.",  # no capitalised name after the place word
        "Il est très fort en maths.",
        "La porte est restée ouverte.",
    ],
)
def test_french_place_words_without_a_name_are_not_places(text: str) -> None:
    assert values("places", text, "fr") == []


def test_french_place_words_open_a_bare_name_in_french_text_only() -> None:
    # In English these are words of the language, and capitalised they name products.
    assert values("places", "We sell the Glacier Mint and Tunnel Runner kits.", "en") == []
    assert values("places", "Au pied du glacier Aletsch.", "fr") == ["glacier Aletsch"]


@pytest.mark.parametrize(
    ("text", "address"),
    [
        ("Livrez au rue de la Paix 12 svp.", "rue de la Paix 12"),
        ("Livrez au 12 bis, rue de la Paix svp.", "12 bis, rue de la Paix"),
    ],
)
def test_a_street_with_its_number_is_an_address_not_a_place(
    detector: Detector, text: str, address: str
) -> None:
    found = [(f.value(text), f.type) for f in detector.detect(text, language="fr")]
    assert (address, EntityType.STREET_ADDRESS) in found
    assert all(t is not EntityType.LOCATION for _, t in found)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # The gazetteer's lower-case words and a point of the compass belong to the name.
        ("Élu président de la Polynésie française en 2014.", ["Polynésie française"]),
        ("Des élites en Europe de l' Est et en Afrique centrale.",
         ["Europe de l' Est", "Afrique centrale"]),
        # A state's or region's noun and its adjective.
        ("Dans le top 10 en République tchèque.", ["République tchèque"]),
        ("Le département fait partie du Massif armoricain.", ["Massif armoricain"]),
        # "du Nord au Sud" is "from north to south", not part of the name.
        ("On a livré à Paris du Nord au Sud.", ["Paris"]),
        ("La République est en marche.", []),
    ],
)  # fmt: skip
def test_french_place_names_with_lower_case_words(text: str, expected: list[str]) -> None:
    assert values("places", text, "fr") == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("She brings him to Shaolin Monastery.", ["Shaolin Monastery"]),
        ("The path runs along Fletcher's Canal.", ["Fletcher's Canal"]),
        ("We sailed across the Gulf of Mexico.", ["Gulf of Mexico"]),
        ("Bukit Timah Nature Reserve is closed today.", ["Bukit Timah Nature Reserve"]),
    ],
)
def test_a_place_word_after_a_name_makes_all_of_it_one_place(
    text: str, expected: list[str]
) -> None:
    found = Detector().detect(text, language="en")
    assert [f.value(text) for f in found if f.type is EntityType.LOCATION] == expected


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        ("en", "capital of the southern province of Guangdong, would", ["Guangdong"]),
        ("en", "It crossed the Seine on the île de la Cité.", ["Seine", "île de la Cité"]),
        ("fr", "La source du gave de Pau est en Béarn.", ["gave de Pau", "Béarn"]),
    ],
)
def test_a_lower_case_place_word_opens_french_names_only(
    language: str, text: str, expected: list[str]
) -> None:
    # French annotators and customers write "lac de Genève" as one name; in English "the
    # province of Guangdong" is Guangdong.
    found = Detector().detect(text, language=language)
    assert [f.value(text) for f in found if f.type is EntityType.LOCATION] == expected


def test_regions_of_every_country_are_places_but_not_ordinary_words() -> None:
    # First-level regions far from discreet's customers, as news and histories name them.
    gaz = gazetteer()
    for name in ("Assam", "Shaanxi", "Dagestan", "Mizoram", "Jalisco", "Sulawesi"):
        assert kind_of(name) is PlaceKind.REGION, name
        assert gaz.far(fold(name)), name
    # Their names that are words of the four languages are left out ("Centre" is a
    # region of Burkina Faso, "Plateau" a state of Nigeria, "Pool" one of Congo).
    for word in ("Centre", "Plateau", "Pool", "Central", "Littoral"):
        assert not gaz.far(fold(word)), word
    # Regions near the customers are not far, nor is a city that is also a region.
    for name in ("Bayern", "Noord-Brabant", "Abu Dhabi"):
        assert not gaz.far(fold(name)), name
    # Far regions are places but not ones more often meant than a person of that name.
    assert well_known_place("Bayern") and not well_known_place("Hela")


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        ("en", "The tea is grown in Assam and sold in Mizoram.", ["Assam", "Mizoram"]),
        ("fr", "Elle vit dans les régions du Yunnan et du Shaanxi.", ["Shaanxi"]),
        ("de", "Die Gruppe lebt auf Sulawesi.", ["Sulawesi"]),
        # A far region named in four letters or fewer needs a cue, as a first name does.
        ("en", "Great video Shan! Hope you had fun.", []),
        ("en", "He moved to Shan after the war.", ["Shan"]),
    ],
)
def test_far_regions(language: str, text: str, expected: list[str]) -> None:
    assert [v for v in values("places", text, language) if v in expected] == expected
    if not expected:
        assert values("places", text, language) == []


@pytest.mark.parametrize(
    ("language", "text", "name"),
    [
        (
            "fr",
            "Au lieu de pacifier, le Jules César de la série ne pense qu'à la guerre.",
            "Jules César",
        ),
        ("en", "So, Shan wants them not to have a dark lord, but a queen.", "Shan"),
    ],
)
def test_a_name_the_model_reads_keeps_a_far_region_inside_it_a_name(
    detector: Detector, language: str, text: str, name: str
) -> None:
    found = [(f.value(text), f.type) for f in detector.detect(text, language=language)]
    assert (name, EntityType.PERSON) in found
    assert not any(t is EntityType.LOCATION for _, t in found)


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        ("de", "Kubikmeter nach Bosnien und Herzegowina.", ["Bosnien und Herzegowina"]),
        ("en", "We ship to Antigua and Barbuda.", ["Antigua and Barbuda"]),
        ("nl", "Hij woont in Bosnië en Herzegovina.", ["Bosnië en Herzegovina"]),
        # Two places joined by a conjunction stay two.
        ("de", "Wir fahren nach Berlin und Hamburg.", ["Berlin", "Hamburg"]),
        ("fr", "Il vit à Paris et à Lyon.", ["Paris", "Lyon"]),
    ],
)
def test_a_country_named_with_a_conjunction_is_one_place(
    language: str, text: str, expected: list[str]
) -> None:
    assert values("places", text, language) == expected


def test_islands_people_live_on_and_travel_to_are_places() -> None:
    for name in ("Texel", "Sylt", "Mallorca", "Majorque", "Lanzarote", "Antigua", "Korfu"):
        assert kind_of(name) is PlaceKind.REGION, name
    # "Juist" is a Dutch word ("right"), "Skye" a first name: left out.
    for word in ("Juist", "Skye"):
        assert kind_of(word) is None, word
    # French "Luçon" stays the town in the Vendée (Luzon is "Luzon" in the other three).
    assert kind_of("Luçon") is PlaceKind.CITY


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        ("nl", "We gaan in juni naar Texel en daarna naar Ameland.", ["Texel", "Ameland"]),
        ("de", "Die Ferienwohnung auf Sylt ist ab Mai frei.", ["Sylt"]),
        ("en", "Antigua was awesome, I survived it without a problem.", ["Antigua"]),
    ],
)
def test_islands_are_found(language: str, text: str, expected: list[str]) -> None:
    assert values("places", text, language) == expected


def test_a_populous_countrys_capital_is_well_known_however_small() -> None:
    for name in ("Lisbon", "Jerusalem", "Helsinki", "Riga", "Zagreb"):
        assert well_known_place(name), name
    # A small country's or a territory's capital is as often a person ("Stanley" of the
    # Falklands, "Douglas" of Man); Bolivia's Sucre is French for sugar.
    for name in ("Stanley", "Douglas", "Sucre"):
        assert not well_known_place(name), name
    # Their GeoNames alternative names are as well known ("Bichkek" of French news), less
    # those that are words or first names ("Pristine", "Athena").
    for name in ("Bichkek", "Helsingfors"):
        assert well_known_place(name), name
    for name in ("Pristine", "Athena", "Tunes"):
        assert not well_known_place(name), name


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        ("fr", "Sa capitale, qui est aussi sa plus grande ville, est Bichkek.", ["Bichkek"]),
        ("en", "Pristine condition, never used.", []),
    ],
)
def test_a_capital_is_found_under_its_other_names(
    language: str, text: str, expected: list[str]
) -> None:
    assert values("places", text, language) == expected


def test_rivers_and_old_regions_the_news_names_alone_are_places() -> None:
    for name in ("Adour", "Durance", "Werra", "Mersey", "Vecht", "Rouergue", "Périgord",
                 "Valachie", "Walachei", "Dekkan", "Cevennen", "Karwendel"):  # fmt: skip
        assert kind_of(name) is PlaceKind.REGION, name
    # Words, a beer and a surname are left out: "Aller" (French "to go"), "Leine" (German
    # "leash"), "Saale" ("im Saale", in the hall), "Amstel", "Havel"; so are a wine and a
    # cheese ("Beaujolais", "Brie").
    for word in ("Aller", "Leine", "Saale", "Amstel", "Havel", "Beaujolais", "Brie"):
        assert kind_of(word) is None, word


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        ("fr", "Le site se trouve au confluent du Verdon et de la Durance.",
         ["Verdon", "Durance"]),
        ("fr", "Il traverse le Quercy et le Rouergue.", ["Quercy", "Rouergue"]),
        ("de", "Wir wohnen direkt an der Lahn, nicht weit von der Werra.", ["Lahn", "Werra"]),
    ],
)  # fmt: skip
def test_rivers_and_old_regions_are_found(language: str, text: str, expected: list[str]) -> None:
    assert values("places", text, language) == expected


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        # A département named like a word, after a preposition: the place.
        ("fr", "Le pin des Landes était en surabondance.", ["Landes"]),
        ("fr", "Il habite dans l'Allier depuis 2010.", ["Allier"]),
        ("fr", "Il pêche dans le Lot, près de Cahors.", ["Lot", "Cahors"]),
        ("fr", "Nous livrons aussi dans la Creuse.", ["Creuse"]),
        # After a bare article, without a preposition, in lower case, outside French: the word.
        ("fr", "Vérifiez la Somme totale avant de payer.", []),
        ("fr", "Cher client, votre colis est parti.", []),
        ("fr", "Le lot de 3 verres est épuisé.", []),
        ("en", "We bought the Lot at the auction.", []),
    ],
)
def test_a_french_departement_named_like_a_word_after_a_preposition(
    language: str, text: str, expected: list[str]
) -> None:
    assert values("places", text, language) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Customers write an elided article or preposition without a blank.
        ("Je viens d'Amsterdam et je vis dans l'Oise.", ["Amsterdam", "Oise"]),
        ("L'Allemagne a gagné.", ["Allemagne"]),
        ("Livraison prévue à Lyon, pas d’Utrecht.", ["Lyon", "Utrecht"]),
        # A word after it stays a word, a word-like town too ("l'Orange mécanique").
        ("C'est l'Essentiel qui compte.", []),
        ("J'ai commandé l'Orange mécanique.", []),
    ],
)
def test_a_french_place_after_an_elided_article(text: str, expected: list[str]) -> None:
    assert values("places", text, "fr") == expected


def test_french_words_are_read_without_an_elided_article() -> None:
    text = "Je vis dans l'Oise, pas d’Utrecht, c'est l'été."
    words = [w for _, _, w in DetectionInput(text, "fr").unelided]
    assert words == ["Je", "vis", "dans", "Oise", "pas", "Utrecht", "c'est", "l'été"]
    start, end, _ = DetectionInput(text, "fr").unelided[3]
    assert text[start:end] == "Oise"
    # Other languages keep the apostrophe's words whole ("D'Souza", "l'Oise" quoted).
    item = DetectionInput(text, "en")
    assert item.unelided == item.words


def test_a_region_named_like_a_noun_is_a_place_after_a_preposition() -> None:
    assert values("places", "Wir fahren morgen nach Zug.", "de") == ["Zug"]
    assert values("places", "Il est né près de Côme, en Italie.", "fr") == ["Côme", "Italie"]


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        (
            "de",
            "In ihrem Witwensitz Schloss Schönhausen empfing sie Gäste.",
            ["Schloss Schönhausen"],
        ),
        ("de", "Das Bistum Hasselt wurde 1967 errichtet.", ["Bistum Hasselt"]),
        ("de", "Ein Zug im Oblast Donezk.", ["Oblast Donezk"]),
        ("nl", "Alleen het kasteel Wijnandsrade bleef intact.", ["kasteel Wijnandsrade"]),
        ("nl", "Het Kasteel van Vaux-le-Vicomte werd gebouwd.", ["Kasteel van Vaux-le-Vicomte"]),
        ("nl", "De tunnel bij station Breda is nieuw.", ["station Breda"]),
        # The town alone is the place: a town's station, its council, the city itself.
        ("nl", "Aan het plein lag het station van Peking.", ["Peking"]),
        ("nl", "Hij werkte voor de gemeente Amsterdam.", ["Amsterdam"]),
        ("de", "Das Sozialamt der Stadt Frankfurt half.", ["Frankfurt"]),
    ],
)
def test_german_and_dutch_sites_named_by_their_place_word(
    language: str, text: str, expected: list[str]
) -> None:
    # The recognizer finds the town inside the site too; merged, one place remains.
    found = REGISTRY.get("places").analyze(DetectionInput(text, language))
    assert [f.value(text) for f in merge_findings(found)] == expected


def test_dutch_place_words_open_a_lower_case_name_in_dutch_text_only() -> None:
    # "station" opens a name in Dutch; in English it stays a word before a town.
    assert values("places", "We waited at the station Breda was far.", "en") == ["Breda"]


def test_a_name_with_an_inner_es_is_one_place() -> None:
    assert values("places", "The bus system of Dar es Salaam is new.", "en") == ["Dar es Salaam"]
