"""Street addresses in the formats of Europe and North America, one line at a time.

* House number after the street (NL, BE, DE, AT, CH, the Nordics, Southern and Eastern
  Europe): "Rooseveltlaan 110", "Hauptstraße 5a", "Am Alten Markt 3a", "Storgata 12 B",
  "Rue de la Loi 16", "Via Roma 12", "Calle Mayor 5", "Odos Ermou 15".
* House number before the street (UK, US, CA, FR, LU): "14 Rose Lane", "1600 Pennsylvania
  Avenue NW", "12 bis, rue de la Paix", "221B Baker Street".
* A unit, suite, apartment, floor or box after either ("Apt. 949", "Suite 200", "Unit 4",
  "bus 3", "boîte 2", "Wohnung 5", "3e étage"), and post office boxes on their own ("PO Box
  1234", "Postbus 12", "Postfach 10 01 23", "BP 45", "Boîte postale 12").

The street's type word is the evidence ("-straat", "-straße", "rue", "Street", "Via"); a
line in a multi-line address is matched on its own, and the postal code and city of the
next line are the postal-code and place recognizers' findings.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from discreet.detect.base import DIGIT, LETTERS, DetectionInput, Finding, Recognizer
from discreet.detect.entities import EntityType
from discreet.detect.ordinary import WEEKDAYS_AND_MONTHS
from discreet.detect.registry import builtin

SCORE = 0.8
SCORE_PO_BOX = 0.75

_CAP = r"[A-ZÀ-ÖØ-Þ][\w'’.\-]*"
# "5a", "12 B", "3/2", "1024-B".
_HOUSE_TAIL = r"(?:[ ]?[a-zA-Z](?![\w]))?(?:[-/]\d{1,5}[a-zA-Z]?|-[a-zA-Z](?![\w]))?"
_HOUSE = rf"\d{{1,5}}{_HOUSE_TAIL}"
# A house number that begins a match ("14 Rose Lane"), not after a word, dot, comma or
# hyphen. The look-behind follows the first digit, so the pattern starts with a digit and
# the regex engine skips from digit to digit instead of trying every position (same
# matches as the look-behind first; the patterns took 2x as long with it first).
_HOUSE_FIRST = rf"\d(?<![\w.,-]\d)\d{{0,4}}{_HOUSE_TAIL}"
# Street-type word endings written as one word with the name: Rooseveltlaan, Hauptstraße,
# Storgata, Drottninggatan, Nørregade, Kirkevej, Bahnhofplatz.
_SUFFIX = (
    r"(?:straat|laan|weg|plein|gracht|kade|singel|dreef|steeg|dijk|hof|markt|park|pad|"
    r"baan|wal|veld|ring|steenweg|lei|"
    r"stra(?:ß|ss)e|str\.|gasse|allee|platz|damm|ufer|chaussee|pfad|stieg|zeile|"
    r"gata|gatan|gade|vej|veien|vegen|vägen|väg|gränd|torg|torget|plass|plads|tie|katu|"
    r"polku|kuja)"
)
# Street-type words before the name: "Rue de la Loi", "Via Roma", "Avenue Louise", and the
# German "Am Alten Markt", "An der Alster" (capitalised: lower-case "am", "op de", "auf der"
# are prepositions in running text: "op de Nieuwstraat 16", "auf der Seite 12").
_LEAD = (
    r"(?:[Rr]ue|[Aa]venue|[Aa]v\.|[Bb]oulevard|[Bb]d\.?|[Aa]llée|[Pp]lace|[Cc]hemin|[Ii]mpasse|"
    r"[Qq]uai|[Cc]ours|[Rr]oute|[Ss]quare|[Pp]assage|[Vv]ia|[Vv]iale|[Pp]iazza|[Cc]orso|"
    r"[Cc]alle|[Aa]venida|[Pp]laza|[Pp]aseo|[Rr]ua|[Tt]ravessa|[Ll]argo|[Oo]dos|[Ll]eoforos|"
    r"[Uu]lica|[Uu]l\.|Am|An der|An den)"
)
# English street types after the name: "Rose Lane", "Pennsylvania Avenue NW".
_EN_TYPE = (
    r"(?:Street|St\.?|Road|Rd\.?|Avenue|Ave\.?|Lane|Ln\.?|Drive|Dr\.?|Boulevard|Blvd\.?|"
    r"Court|Ct\.?|Place|Pl\.?|Way|Terrace|Close|Crescent|Square|Sq\.?|Highway|Hwy\.?|"
    r"Parkway|Pkwy\.?|Circle|Cir\.?|Trail|Row|Mews|Gardens|Grove|Hill|Walk|Park)"
)
_UNIT = (
    r"(?:,?[ ]+(?:[Aa]pt\.?|[Aa]partment|[Ss]uite|[Ss]te\.?|[Uu]nit|[Ff]lat|[Ff]loor|[Rr]oom|"
    r"#|[Bb]us|[Bb]te\.?|[Bb]oîte|[Bb]oite|[Ww]ohnung|[Ww]hg\.?|[Aa]pp\.?|[Aa]ppartement|"
    r"[Éé]tage|[Ss]tock|[Vv]erdieping|[Bb]ox)[ ]?[#]?\d{1,5}[a-zA-Z]?)?"
)
# A street whose type word stands apart after an adjective, both capitalised: "Oude Gracht
# 45", "Nieuwe Haven 3", "Lange Straße 12", "Hohe Str. 5". Only these adjectives: any
# capitalised word before "Weg" or "Markt" would take in German sentences ("Der Weg 3").
_ADJECTIVE = (
    r"(?:Oude|Nieuwe|Lange|Korte|Hoge|Lage|Grote|Kleine|Brede|Smalle|Binnen|Buiten|Achter|"
    r"Alte|Neue|Kurze|Hohe|Breite|Große|Grosse|Obere|Untere|Innere|Hintere|Vordere|Krumme)"
)
_APART = (
    r"(?:Gracht|Straat|Kade|Dijk|Markt|Singel|Haven|Laan|Weg|Wal|Plein|Dreef|"
    r"Straße|Strasse|Str\.|Gasse|Allee|Platz|Damm|Ufer)"
)
_AFTER = re.compile(
    rf"(?<![\w-])(?:"
    rf"{_CAP}{_SUFFIX}"  # Rooseveltlaan, Hauptstraße
    rf"|{_CAP}-(?i:{_SUFFIX})"  # Konrad-Adenauer-Platz, Karl-Marx-Straße, Johan-de-Witt-Laan
    rf"|{_ADJECTIVE}[ ]{_APART}"  # Oude Gracht, Lange Straße
    rf"|{_CAP}[ ](?:van|von|de|der|den|le|la)[ ](?:(?:der|den|de)[ ])?{_CAP}{_SUFFIX}"
    rf"|{_LEAD}(?:[ ](?:(?:de|la|le|les|du|des|l'|d'|di|del|della|de la|van|der|den)[ ])?"
    rf"{_CAP}){{1,4}}"  # Rue de la Loi, Am Alten Markt, Via Roma
    # Dutch streets named "Laan van ...", "Weg naar ...", "Hof van ...": the type word
    # leads, with the preposition after it ("Laan van Meerdervoort 1024-B").
    rf"|(?:Laan|Weg|Hof|Pad|Plein)[ ](?:van|der|naar|op|ten|ter)[ ](?:(?:der|den|de|het)[ ])?"
    rf"{_CAP}(?:[ ]{_CAP}){{0,2}}"
    rf")[ ]{_HOUSE}{_UNIT}(?![\w])"
)
_BEFORE = re.compile(
    rf"{_HOUSE_FIRST}(?:[ ]?(?:bis|ter))?,?[ ](?:"
    rf"(?:{_CAP}[ ]){{1,4}}{_EN_TYPE}(?:[ ](?:N|S|E|W|NE|NW|SE|SW))?"  # 14 Rose Lane
    rf"|(?:rue|avenue|av\.|boulevard|bd|allée|place|chemin|impasse|quai|cours|route|square|"
    rf"passage|Rue|Avenue|Boulevard|Allée|Place|Chemin|Impasse|Quai|Cours|Route)"
    rf"(?:[ ](?:de|la|le|les|du|des|l'|d'|de la|[A-ZÀ-Þ][\w'’\-]*)){{1,5}}"  # 12 rue de la Paix
    rf"){_UNIT}(?![\w])"
)
# Chat in lower case: "3257 hillcrest road", "12 station road, leeds". The street type must
# end the clause, or "2 new road bikes" would be an address.
_BEFORE_LOWER = re.compile(
    rf"{_HOUSE_FIRST}[ ](?:[a-z][a-z'\-]+[ ]){{1,3}}"
    r"(?:street|road|avenue|lane|drive|boulevard|terrace|crescent|close|gardens)"
    r"(?=[ \t]*(?:[,.;:!?)\n]|$|[ \t]+(?:now|please|pls|in|and|apt|unit|suite|flat)\b))"
)
SCORE_LOWER_CASE = 0.6
_PO_BOX = re.compile(
    r"(?<![\w])(?:P\.?[ ]?O\.?[ ]?Box|PO[ ]Box|Post[ ]Office[ ]Box|Postbus|Postfach|"
    r"B\.P\.|BP|Bo[iî]te[ ]postale|Case[ ]postale)[ ]\d{1,6}(?:[ ]\d{2}){0,2}(?![\w])"
)
# A unit written before the house number, as British and American addresses do: "Unit 4,
# 88 Canal Street", "Flat 2, 14 Rose Lane", "Apt 5B, 12 Main St".
# A house number written before the street: a number after the street is then its postal
# code ("146 boulevard Saint-Michel 68189 Dijon", "114, rue du Moulin 13767").
_NUMBER_FIRST = re.compile(r"(?<![\w.,-])\d{1,5}[a-zA-Z]?,?[ ]$")
_UNIT_FIRST = re.compile(
    r"(?<![\w-])(?:[Uu]nit|[Ff]lat|[Aa]pt\.?|[Aa]partment|[Ss]uite|[Rr]oom)[ ]?#?\d{1,5}"
    r"[a-zA-Z]?,?[ ]$"
)


@builtin
class StreetAddressRecognizer(Recognizer):
    """Street, house number and unit; post office boxes."""

    trigger = DIGIT

    name = "street_address"
    entity_types = frozenset({EntityType.STREET_ADDRESS})

    def analyze(self, item: DetectionInput) -> Iterator[Finding]:
        text = item.text
        for regex, score in (
            (_AFTER, SCORE),
            (_BEFORE, SCORE),
            (_BEFORE_LOWER, SCORE_LOWER_CASE),
            (_PO_BOX, SCORE_PO_BOX),
        ):
            for match in regex.finditer(text):
                start, end = match.span()
                words = {w.casefold() for w in LETTERS.findall(match.group())}
                if words & WEEKDAYS_AND_MONTHS:
                    continue  # "Am Montag 5 Pakete": a day, not a street
                if regex is _AFTER and _NUMBER_FIRST.search(text, max(0, start - 8), start):
                    continue  # the number-first street is found by _BEFORE
                if regex is not _AFTER and regex is not _PO_BOX:
                    unit = _UNIT_FIRST.search(text, max(0, start - 16), start)
                    if unit is not None:
                        start = unit.start()
                yield Finding(start, end, EntityType.STREET_ADDRESS, score, self.name)
