"""Countries, regions and cities from the packaged gazetteer (`detect.places`).

A capitalised (or upper-case: "OULU") run of up to four words that the gazetteer knows is
a place. Names that are also ordinary words or people's names ("Nice", "Best", "Deal",
"Chelsea", "Florence", "Paris" the surname), and small towns far from discreet's
customers, which share names with products ("Bose", "Ingenio"), need more: a preposition
of place right before ("in", "from", "naar", "uit", "nach", "aus", "à", "près de"), or a
postal code right before them ("1012 AB Amsterdam", "75002 Paris"). A place followed by a product
noun is a product line ("the Lyon sofa", "Chelsea boots"). In French, an elided article or
preposition is cut off the name ("l'Oise", "d'Athènes").
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from discreet.detect.base import WORD, DetectionInput, Finding, Recognizer
from discreet.detect.entities import EntityType
from discreet.detect.ordinary import (
    BRANDS_AND_PRODUCTS,
    PLACE_HEADS,
    PLACE_LEADS,
    WEEKDAYS_AND_MONTHS,
    colour_phrase,
    product_follows,
    zipf_here,
)
from discreet.detect.places import (
    PLACE_CUE_BEFORE,
    PlaceKind,
    fold,
    gazetteer,
    lower_case_town,
    well_known_place,
)
from discreet.detect.plausibility import (
    CAPITALISED_ORDINARY,
    PLACES_RECOGNIZER,
    after_make,
    no_ones_phrase,
    product_context,
)
from discreet.detect.plausibility import sentence_initial as _sentence_initial
from discreet.detect.recognizers.names import FIRST_NAMES, PARTICLES, known_name
from discreet.detect.registry import builtin
from discreet.detect.stopwords import any_stop_words, stop_words

SCORE = {PlaceKind.COUNTRY: 0.7, PlaceKind.REGION: 0.6, PlaceKind.CITY: 0.55}
SCORE_AMBIGUOUS_WITH_CUE = 0.5
SCORE_PHRASE = 0.6
FAR_SHORT = 4
"""A region far from discreet's customers (`detect.places.Gazetteer.far`) named in this
many letters or fewer needs a cue before it, as names people bear do."""
# A postal code (four or five digits, the Dutch form with its letters) and a blank before a
# word: the word is where the code is. A code that reads as a year needs the comma or line
# break that ends the street before it ("Meir 12, 2000 antwerpen").
_CODE_BEFORE = re.compile(
    r"(?<![\w.,/-])(?:\d{4}[ ]?[A-Za-z]{2}|(?P<year>1[89]\d\d|20\d\d)|\d{4,5})[ \t]+$"
)
# A single word this frequent (Zipf, see detect.ordinary) is a word before it is a place.
ORDINARY = 3.8
SENTENCE_START_ORDINARY = 3.0

# Words inside a multi-word place name: "Frankfurt am Main", "Stratford-upon-Avon",
# "Bergen op Zoom", "Saint-Étienne-du-Rouvray", "Châlons-en-Champagne", "Antigua and
# Barbuda" (a run is a place only if the gazetteer holds all of it: "Berlin und Hamburg"
# is two).
_INNER = frozenset(
    [
        "am",
        "an",
        "der",
        "den",
        "de",
        "du",
        "des",
        "la",
        "le",
        "les",
        "op",
        "aan",
        "upon",
        "on",
        "sur",
        "en",
        "and",  # "Bosnia and Herzegovina", "Trinidad en Tobago", "Bosnien und Herzegowina"
        "und",
        "et",
        "im",
        "ob",
        "bei",
        "sous",
        "lès",
        "d'",
        "di",
        "es",  # "Dar es Salaam"
    ]
)
# French départements named like a word: "Cher client", "le lot de trois", "la somme due".
# In French text a preposition right before the capitalised name says the département or
# its river ("des Landes", "dans l'Allier", "du Cher", "de la Creuse", "sur le Lot"); a bare
# article does not ("la Manche de la veste"), nor does "du" before "Nord" ("du Nord au Sud").
_FRENCH_DEPARTMENT_WORDS = frozenset(
    [
        "lot", "cher", "manche", "eure", "landes", "somme", "var", "aube", "ain", "gard",
        "gers", "orne", "creuse", "allier", "marne",
    ]
)  # fmt: skip
_FRENCH_PREPOSITION_BEFORE = re.compile(
    r"\b(?:(?:du|des|en|dans|sur|vers|de|à|par) |(?:dans|de|sur|vers|à|par) (?:la|le|les) "
    r"|l['’] ?)$"
)

# Large cities and regions named like a common word of one of the four languages ("Nice to
# meet you", "das Essen", "Reading this", "Cher client"): a preposition or postal code must
# say they are places.
WORD_LIKE_CITIES = _FRENCH_DEPARTMENT_WORDS | frozenset(
    [
        "nice",
        "reading",
        "essen",
        "halle",
        "hof",
        "bergen",
        "soul",
        "sale",
        "mobile",
        "split",
        "bath",
        "best",
        "wake",  # Wake Island, a former US territory (ISO 3166-3)
        "deal",
        "most",
        "male",
        "buffalo",
        "phoenix",
        "paradise",
        "spoken",
        "columbus",
        "derby",
        "orange",
        "victoria",
        "florence",
        "charlotte",
        "leon",
        "hamilton",
        "lincoln",
        "kennedy",
        "madison",
        "orlando",
        "austin",
        "logan",
        "kyle",
        "franklin",
        "warren",
        "richmond",
        "gilbert",
        "mason",
        "hudson",
        "queens",
        "laval",
        "ami",
        "bar",
        "bon",
        "bone",
        "gold",
        "oral",
        "sucre",
        "canton",
        "monster",
        "klang",
        "lion",
        "manger",
        "plaisir",
        "mad",
        "essen",
        "vie",
        "mar",
        "christmas",
        "easter",
        "latina",
        "nord",  # a French département, but more often the point of the compass
        # Regions and cities named like a common word of a language discreet reads ("der
        # Zug", "im Namen", "des Kantons", "Come on"): Zug, Namur and Guangzhou in German
        # ("Namen", "Kanton"), Como in French ("Côme"), and the Dutch names of Nord and
        # Denmark's Capital Region ("Noord", "Hoofdstad": north, capital).
        "zug",
        "namen",
        "kanton",
        "come",
        "noord",
        "hoofdstad",
        "reunion",  # Réunion is written with its accent; "the Reunion dinner" is a word
    ]
)


# A place word with a capitalised name: "Platte River", "Lake Placid", "Gulf of Mexico",
# "Provinz Oberschlesien", "canton de Vaud". Leads that open a name without a connector
# only when capitalised ("Lake Placid"; "mount the TV" is a verb, "Golf GTI" a car).
_BARE_LEADS = frozenset(
    [
        "lake", "mount", "mt", "cape", "isle", "isles", "county", "province", "provincie",
        "provinz", "kanton", "landkreis", "kreis", "bezirk", "regierungsbezirk", "insel",
        # German sites and states named after their place ("Schloss Schönhausen", "Bistum
        # Lüttich", "Oblast Donezk"), capitalised as German writes them. Not "Stadt", nor
        # the Dutch "gemeente": the town alone is the place ("die Stadt Frankfurt").
        "schloss", "burg", "kloster", "bistum", "erzbistum", "oblast", "khanat",
        "fürstentum", "herzogtum", "grafschaft", "königreich", "kaiserreich",
    ]
)  # fmt: skip
# In Dutch text, Dutch leads open a name without a connector, in lower case too ("kasteel
# Wijnandsrade", "station Breda", "hertogdom Stiermarken").
_DUTCH_BARE_LEADS = frozenset(
    [
        "kasteel", "station", "abdij", "hertogdom", "graafschap", "koninkrijk", "vorstendom",
        "dierenpark",
    ]
)  # fmt: skip
_CONNECTORS = frozenset(
    ["of", "von", "van", "de", "du", "des", "d", "l", "la", "del", "della", "di"]
)
# In French text, French leads open a name without a connector, in lower case too ("monts
# Torricelli", "stade Jean-Dauger", "région Lorraine"); not those that also open a common
# noun phrase ("pays Basque" is a people, "le fort Marc" a compliment). Elsewhere some are
# words of the language ("Glacier National Park", "Tunnel Vision").
_FRENCH_BARE_LEADS = frozenset(
    [
        "lac", "mont", "monts", "canton", "région", "île", "îles", "massif", "fleuve", "rivière",
        "gare", "aéroport", "col", "cap", "pyramide", "stade", "château", "cathédrale",
        "abbaye", "basilique", "église", "chapelle", "monastère", "prieuré", "mausolée",
        "palais", "parc", "jardin", "forêt", "cirque", "gouffre", "pic", "tunnel", "barrage",
        "porte", "pont", "mer", "océan", "désert", "archipel", "glacier", "volcan", "musée",
        "vélodrome", "hippodrome", "aérodrome",
    ]
)  # fmt: skip
# Heads written after the name, less those that are also surnames or product words ("Kees
# Bos", "Docking Station") and the French ones, which lead ("lac de Genève").
_TRAILING_HEADS = PLACE_HEADS - PLACE_LEADS - frozenset(["bos", "meer", "station"])
# A point of the compass joined to a German place's name, four letters or more after it:
# "Ostdeutschland", "Südtirol", "Nordwesteuropa".
_COMPASS_JOINED = re.compile(r"(?:Nord|Süd|Ost|West|Mittel)(?:ost|west)?(?=[a-zäöü]{4})")
# Capitals of three letters or fewer are codes ("DE", "NL", "FR"), except these.
_UNAMBIGUOUS_CODES = frozenset(["usa"])
# A place whose name is a surname particle (`PARTICLES`: "Van", a city in Turkey) opens a
# name when another particle and a capital follow: "from Van der Westhuizen".
_PARTICLE_THEN_NAME = re.compile(r" (?:der|den|de|la|le|los|van|von) [A-ZÀ-Þ]")
# Abbreviations that name a place only in capitals ("the US", "in the UK"; "us" and "Uk"
# are something else), and not in a shouted line ("CONTACT US").
_CAPS_PLACES = {
    "US": PlaceKind.COUNTRY,
    "UK": PlaceKind.COUNTRY,
    "UAE": PlaceKind.COUNTRY,
    "NYC": PlaceKind.CITY,
}
# Languages with abbreviations of their own: Dutch "de VS", "het VK" (elsewhere "VS" is
# "versus").
_CAPS_PLACES_IN = {"nl": {**_CAPS_PLACES, "VS": PlaceKind.COUNTRY, "VK": PlaceKind.COUNTRY}}
# A point of the compass that is part of a French place's name ("Europe de l'Est",
# "Yorkshire du Nord", "Thrace orientale", "Afrique centrale").
_COMPASS_AFTER = re.compile(
    r" (?:du (?:Nord|Sud)|de l['’] ?(?:Est|Ouest)"
    r"|(?:orient|occident|septentrion|méridion|centr)(?:al|ale|ales|aux))\b(?! au | à )"
)
# French states and regions named by a capitalised noun and an adjective ("République
# tchèque", "Confédération allemande", "Massif armoricain", "Presqu'île guérandaise").
_STATE_NOUNS = frozenset(
    [
        "république", "confédération", "fédération", "empire", "royaume", "massif",
        "presqu'île", "alpes", "préalpes", "plateau", "bassin", "côte", "golfe", "mer",
    ]
)  # fmt: skip
_ADJECTIVE = re.compile(r"[^\W\d_]*(?:ais|ois|ain|ien|ienn|iqu|èqu|and|an|in|al)e?s?|[^\W\d_]*aux")
# Between the words of one name: a space; around "d'": an apostrophe ("comté d' Accomack").
_GAPS = frozenset([" ", "' ", "'", "’", "’ "])


@builtin
class PlaceRecognizer(Recognizer):
    """Countries, regions and cities the gazetteer knows, in the four languages."""

    name = PLACES_RECOGNIZER
    entity_types = frozenset({EntityType.LOCATION})
    languages = frozenset({"en", "nl", "de", "fr"})

    def __init__(self) -> None:
        self._gazetteer = gazetteer()
        self._places = self._gazetteer.places
        # A lone place name is a word only where it is a stop word of the text's own
        # language: "Indien" is India in German text, "if" only in Dutch.
        self._stop_in = {lang: stop_words(lang) for lang in self.languages}
        self._stop = any_stop_words()

    def analyze(self, item: DetectionInput) -> Iterator[Finding]:
        text = item.text
        # (start, end, word) per word; most are lower case and cost one test each.
        words = item.unelided
        places = self._places
        first_words = self._gazetteer.first_words
        german = item.language == "de"
        caps_places = _CAPS_PLACES_IN.get(item.language, _CAPS_PLACES)
        i = 0
        while i < len(words):
            start, _, word = words[i]
            if not word[0].isupper():
                # A town in lower case right after a postal code, as chat writes addresses
                # ("32, quai des chartrons, 81874 caen"); one character test per word first.
                if start > 1 and text[start - 2].isdigit():
                    finding = self._after_code(item, start, words[i][1])
                    if finding is not None:
                        yield finding
                i += 1
                continue
            if word in caps_places:
                finding = self._abbreviation(item, words, i, caps_places[word])
                if finding is not None:
                    yield finding
                i += 1
                continue
            if fold(word) not in first_words:
                if german:
                    finding = self._german_form(*words[i])
                    if finding is not None:
                        yield finding
                i += 1
                continue
            # The longest run of words that can form one name: single spaces between
            # them, lower-case words only inside ("Frankfurt am Main").
            last = i
            while (
                last + 1 < len(words)
                and last - i < 3
                and words[last][1] + 1 == words[last + 1][0]
                and text[words[last][1]] == " "
                and (words[last + 1][2][0].isupper() or words[last + 1][2].casefold() in _INNER)
            ):
                last += 1
            # Longest name first: "New York" before "York", "Den Haag" before "Den".
            found = False
            for j in range(last, i - 1, -1):
                if j > i and not words[j][2][0].isupper():
                    continue
                end = words[j][1]
                value = places.get(fold(text[start:end]))
                if value is not None:
                    longer = self._qualified(text, start, end)
                    n_words = j - i + 1 + (longer > end)
                    finding = self._finding(item, start, longer, PlaceKind(int(value[0])), n_words)
                    if finding is not None:
                        yield finding
                    i = j
                    found = True
                    break
            if not found and german:
                finding = self._german_form(*words[i])
                if finding is not None:
                    yield finding
            i += 1
        yield from self._phrases(item, words)

    def _after_code(self, item: DetectionInput, start: int, end: int) -> Finding | None:
        """A lower-case word right after a postal code that the gazetteer knows as a place
        and the language does not use often: "81874 caen", "4877 lokeren"."""
        text = item.text
        code = _CODE_BEFORE.search(text, max(0, start - 10), start)
        if code is None:
            return None
        if code["year"] is not None and text[: code.start()].rstrip(" \t")[-1:] not in (",", "\n"):
            return None  # "Eind 1998 telde de EU", "bis 1996 trat er": a year, then a verb
        word = text[start:end]
        if not lower_case_town(word, item.language):
            return None
        value = self._places[fold(word)]
        return Finding(start, end, EntityType.LOCATION, SCORE[PlaceKind(int(value[0]))], self.name)

    def _abbreviation(
        self, item: DetectionInput, words: Sequence[tuple[int, int, str]], i: int, kind: PlaceKind
    ) -> Finding | None:
        """The abbreviations "US", "UK", "UAE", "NYC" in a sentence; not in one written in
        capitals ("EMAIL US"), nor joined to the next word ("US-based", "US-Präsident")."""
        start, end, _ = words[i]
        if item.text[end : end + 1] in ("-", "‑") or any(
            0 <= k < len(words) and len(words[k][2]) > 1 and words[k][2].isupper()
            for k in (i - 1, i + 1)
        ):
            return None
        if product_follows(item.text, end):
            return None
        return Finding(start, end, EntityType.LOCATION, SCORE[kind], self.name)

    def _qualified(self, text: str, start: int, end: int) -> int:
        """The end of the place at `start:end` with the lower-case words of its name
        ("Polynésie française", which the run of capitalised words stops before) and a
        point of the compass after it ("Europe de l'Est", "Yorkshire du Nord", "Afrique
        centrale"): one name, as the gazetteer's and the annotators' spans have it."""
        while text[end : end + 1] == " ":
            word = WORD.match(text, end + 1)
            if word is None or not word.group().islower():
                break
            if fold(text[start : word.end()]) not in self._places:
                break
            end = word.end()
        compass = _COMPASS_AFTER.match(text, end)
        return end if compass is None else compass.end()

    def _german_form(self, start: int, end: int, word: str) -> Finding | None:
        """A German form of a place the gazetteer knows under its plain name: the genitive
        of a country, region or large city ("Deutschlands", "Griechenlandes", "Israels",
        "Bagdads"; smaller towns' genitives are left to the NER), and a country or region
        with a point of the compass joined to it ("Ostdeutschland", "Südtirol",
        "Westeuropas"; not "Osthang")."""
        compass = _COMPASS_JOINED.match(word)
        stem = word[compass.end() :] if compass is not None else word
        keys = []
        if compass is not None:  # without one, the plain name is the gazetteer's, found before
            keys.append(fold(stem))
        if len(stem) >= 5 and stem.endswith("s"):
            keys.append(fold(stem[:-1]))
            if stem.endswith("landes"):  # "Griechenlandes", "Saarlandes"
                keys.append(fold(stem[:-2]))
        for key in keys:
            kind = self._gazetteer.kind(key)
            if (
                kind is None
                or key in self._stop_in["de"]
                or known_name(key)
                or key in WORD_LIKE_CITIES  # "des Kantons": the noun's genitive
            ):
                continue
            if kind is PlaceKind.CITY and (compass is not None or not self._gazetteer.major(key)):
                continue
            return Finding(start, end, EntityType.LOCATION, SCORE[kind], self.name)
        return None

    def _phrases(
        self, item: DetectionInput, words: Sequence[tuple[int, int, str]]
    ) -> Iterator[Finding]:
        """Names made places by a place word before or after them (see `_BARE_LEADS`)."""
        text, n = item.text, len(words)
        french = item.language == "fr"
        dutch = item.language == "nl"
        for idx in range(n):
            start, end, word = words[idx]
            key = word.casefold()
            if (
                french
                and key in _STATE_NOUNS
                and word[0].isupper()
                and idx + 1 < n
                and words[idx + 1][0] == end + 1
                and text[end] == " "
                and words[idx + 1][2].islower()
                and _ADJECTIVE.fullmatch(words[idx + 1][2]) is not None
            ):
                adjective_end = words[idx + 1][1]
                yield Finding(start, adjective_end, EntityType.LOCATION, SCORE_PHRASE, self.name)
            if key in _TRAILING_HEADS and word[0].isupper() and idx > 0:
                first = idx
                while (
                    first > 0
                    and idx - first < 3
                    and text[words[first - 1][1] : words[first][0]] == " "
                    and words[first - 1][2][0].isupper()
                    and words[first - 1][2].casefold() not in self._stop
                ):
                    first -= 1
                if first < idx and words[idx - 1][2].casefold() in FIRST_NAMES:
                    continue  # "Anna Park", "John Lake": a person
                if first < idx and _sentence_initial(text, words[first][0]):
                    first += 1  # "Visit Hudson Bay": capitals at a sentence's start say nothing
                if first < idx and self._named(item, words[first:idx]):
                    yield Finding(
                        words[first][0], end, EntityType.LOCATION, SCORE_PHRASE, self.name
                    )
            elif (
                key in PLACE_LEADS
                and idx + 1 < n
                and (
                    french
                    or word[0].isupper()
                    or key in _FRENCH_BARE_LEADS
                    or (dutch and key in _DUTCH_BARE_LEADS)
                )
            ):
                # A lower-case lead opens a French name ("lac de Genève", also in English:
                # "the île de la Cité") and, in Dutch text, a Dutch one ("kasteel
                # Wijnandsrade"); in "the province of Schleswig" or "de provincie Utrecht"
                # the name is the place's own.
                j = idx + 1
                while (
                    j < n
                    and j - idx <= 2
                    and words[j][2] in _CONNECTORS
                    and text[words[j - 1][1] : words[j][0]] in _GAPS
                ):
                    j += 1
                if j > idx + 1 and words[idx + 1][2] == "van" and not word[0].isupper():
                    continue  # "het station van Peking": Peking's, whose name is its own
                if (
                    j == idx + 1
                    and not (french and key in _FRENCH_BARE_LEADS)
                    and not (dutch and key in _DUTCH_BARE_LEADS)
                    and not (word[0].isupper() and key in _BARE_LEADS)
                ):
                    continue
                last = self._name_end(text, words, j)
                # French capitalises no common noun: after a French lead, any capital names
                # ("parc des Princes", "région Lorraine", "delta du Rhin").
                if last > j and (
                    (french and key in _FRENCH_BARE_LEADS) or self._named(item, words[j:last])
                ):
                    yield Finding(
                        start, words[last - 1][1], EntityType.LOCATION, SCORE_PHRASE, self.name
                    )

    @staticmethod
    def _name_end(text: str, words: Sequence[tuple[int, int, str]], j: int) -> int:
        """The index after the capitalised name that starts at word `j` (`j` if none): up
        to three capitalised words, with connectors between them ("Croix du Prince",
        "Beaux-Arts de Pau", "Sainte-Marie d' Oloron")."""
        n, last, capitals = len(words), j, 0
        while last < n and capitals < 3 and text[words[last - 1][1] : words[last][0]] in _GAPS:
            if words[last][2][0].isupper():
                capitals += 1
                last += 1
                continue
            # A connector belongs to the name only with a capitalised word after it.
            k = last
            while k < n and k - last < 2 and words[k][2] in _CONNECTORS:
                k += 1
            if (
                last == j
                or k in (last, n)
                or not words[k][2][0].isupper()
                or any(text[words[m - 1][1] : words[m][0]] not in _GAPS for m in range(last, k + 1))
            ):
                break
            last = k
        return last

    def _named(self, item: DetectionInput, words: Sequence[tuple[int, int, str]]) -> bool:
        """Whether capitalised `words` name something: one of them is not a frequent word
        ("Platte", "Placid"; not "Docking", "Big"), or together they are a known place that
        is not one very frequent word ("Federal Reserve": there is a town Federal)."""
        frequencies = [zipf_here(w, item.language) for _, _, w in words]
        if any(f < ORDINARY for f in frequencies):
            return True
        name = item.text[words[0][0] : words[-1][1]]
        if fold(name) not in self._places:
            return False
        return len(words) > 1 or frequencies[0] < CAPITALISED_ORDINARY or well_known_place(name)

    def _finding(
        self, item: DetectionInput, start: int, end: int, kind: PlaceKind, n_words: int
    ) -> Finding | None:
        text = item.text
        value = text[start:end]
        key = value.casefold()
        if product_context(text, start, end, place=True):
            return None  # "the Lyon sofa", "das Modell Wien", "fit my Newfoundland?"
        if after_make(item, start):
            return None  # "the Cube Kathmandu Hybrid", "a Seat Toledo"
        if colour_phrase(text, start, end, item.language, after_only=True):
            return None  # "the sofa in Forest Green"; not "in Green Bay", nor "in Walnut"
        if no_ones_phrase(item, start, end):
            return None  # "the Beef Wellington", "das Bayern München Trikot"
        if key in PARTICLES and _PARTICLE_THEN_NAME.match(text, end):
            return None  # "from Van der Westhuizen": a name's particles
        ambiguous = n_words == 1 and (
            key in self._stop_in[item.language]
            or key in WEEKDAYS_AND_MONTHS
            or known_name(key)
            or key in WORD_LIKE_CITIES
            or key in BRANDS_AND_PRODUCTS
            or (value.isupper() and len(value) <= 3 and key not in _UNAMBIGUOUS_CODES)
            # A far region's short name is as often someone's ("Shan", "Hela", "Edo").
            or (len(value) <= FAR_SHORT and self._gazetteer.far(fold(value)))
            or (
                kind is PlaceKind.CITY
                and not self._gazetteer.major(fold(value))
                and (
                    not self._gazetteer.home(fold(value))
                    or zipf_here(value, item.language) >= ORDINARY
                )
            )
        )
        if (
            not ambiguous
            and n_words == 1
            and kind is PlaceKind.CITY
            and not self._gazetteer.major(fold(value))
            and _sentence_initial(text, start)
            and zipf_here(value, item.language) >= SENTENCE_START_ORDINARY
        ):
            ambiguous = True  # "Balen! Weer een gemiste levering": capitals say nothing
        if ambiguous:
            if PLACE_CUE_BEFORE.search(text, max(0, start - 24), start) is None and not (
                item.language == "fr"
                and key in _FRENCH_DEPARTMENT_WORDS
                and _FRENCH_PREPOSITION_BEFORE.search(text, max(0, start - 10), start)
            ):
                return None
            return Finding(start, end, EntityType.LOCATION, SCORE_AMBIGUOUS_WITH_CUE, self.name)
        return Finding(start, end, EntityType.LOCATION, SCORE[kind], self.name)
