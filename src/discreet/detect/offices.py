"""Offices and roles: what a person is, written before or instead of their name.

News names people by their office ("Finanzminister Hata", "le président Park Chung-hee",
"burgemeester Van Aartsen"), letters address them by it ("Sehr geehrte Frau Ministerin",
"Dear Mr President", "Monsieur le Président"), and a shop's replies name its staff by their role
("Onze Teamleider belt u terug", "Notre Responsable vous rappellera"). An office before a
name is no part of it, and an office alone names no one. The roles recognizer reads the
names after them (`discreet.detect.recognizers.roles`); the names recognizer and the
model's checks read them here, with no recognizer's imports.
"""

from __future__ import annotations

import re

# Offices and roles written as a word of their own before the name, per language (one
# language's office is another's adjective: Dutch "rechter" is a judge, German "rechter"
# right). Not "coach", "driver", "manager" or "director" alone: brands and product words
# ("Coach Tabby", "Driver Pack").
OFFICES = {
    "en": "president|vice president|prime minister|minister|chancellor|senator|governor|"
    "mayor|premier|king|queen|prince|princess|emperor|empress|pope|bishop|archbishop|"
    "cardinal|rabbi|imam|sheikh|general|colonel|captain|lieutenant|sergeant|admiral|"
    "commander|judge|spokesman|spokeswoman|striker|goalkeeper|midfielder|defender|"
    "biographer|historian|novelist|poet|painter|composer|singer|actor|actress|economist|"
    "ambassador|secretary|chairman|chairwoman|dictator",
    "nl": "president|minister|premier|burgemeester|wethouder|voorzitter|woordvoerder|"
    "woordvoerster|staatssecretaris|koning|koningin|paus|bisschop|generaal|rechter|"
    "schrijver|schrijfster|zanger|zangeres|acteur|actrice|dichter|schilder|ambassadeur|"
    "trainer|spits|doelman|aanvoerder",
    "fr": "président|présidente|ministre|premier ministre|maire|chancelier|chancelière|roi|"
    "reine|pape|évêque|général|juge|porte-parole|écrivain|écrivaine|chanteur|chanteuse|"
    "acteur|actrice|poète|peintre|compositeur|ambassadeur|ambassadrice|sénateur|député|"
    "députée|entraîneur|attaquant|gardien",
    # German offices, also as the end of a compound ("Außenminister", "Bundestrainer"),
    # with the endings of `ENDING` ("Innenministerin", "dem Abgeordneten").
    "de": "minister|präsident|kanzler|sprecher|trainer|spieler|stürmer|torwart|"
    "chef|leiter|direktor|redakteur|journalist|bürgermeister|vorsitzender|vorsitzende|"
    "abgeordneter|abgeordnete|beauftragte|beauftragter|fahrer|sekretär|führer|könig|papst|bischof|pfarrer|rabbiner|rabbi|"
    "general|richter|botschafter|schriftsteller|sänger|schauspieler|maler|komponist|"
    "politiker|dichter|autor|regisseur|kollege|kollegin|senator|gouverneur",
}


# German offices end compounds ("Innenminister"); elsewhere the office is a word of its own.
COMPOUND_LANGUAGES = frozenset(["de"])
# A German office's endings: the feminine "-in" and its plural, the plural or weak "-en" and
# "-n" ("Präsidenten", "Parteikollegen"), the genitive "-s" ("Innenministerin Faeser").
ENDING = "(?:in(?:nen)?|en|n|s)?"
# One office, casefolded: German compounds ("innenministerin"), elsewhere a hyphenated
# rank ("lieutenant-colonel").
_ROLE_WORDS = {
    language: re.compile(
        rf"[^\W\d_]*-?(?:{roles}){ENDING}"
        if language in COMPOUND_LANGUAGES
        else rf"(?:[^\W\d_]+-)?(?:{roles})"
    )
    for language, roles in OFFICES.items()
}


def role_word(word: str, language: str) -> bool:
    """Whether `word` is an office or role of the language ("King", "Bishop", "Richter",
    "Innenministerin", "Lieutenant-Colonel"): before a name it says what the person is,
    and is no part of the name, though many are surnames too."""
    return _ROLE_WORDS[language].fullmatch(word.casefold()) is not None


STAFF_ROLES = frozenset(
    (
        "teamleader", "supervisor", "manager", "colleague", "advisor", "adviser",
        "teamleider", "leidinggevende", "collega", "medewerker", "medewerkster",
        "teamleiter", "teamleiterin", "vorgesetzte", "vorgesetzter", "kollege", "kollegin",
        "mitarbeiter", "mitarbeiterin", "berater", "beraterin",
        "responsable", "conseiller", "conseillère", "collègue", "superviseur",
    )
)  # fmt: skip
"""The shop's staff named by their role, capitalised in service replies ("Onze Teamleider
belt u terug", "Notre Responsable vous rappellera"): never a person's name."""

DEPARTMENTS = frozenset(
    (
        "customer service", "customer care", "customer relations", "billing", "accounts",
        "complaints", "support", "sales", "returns", "compliance",
        "klantenservice", "klantcontact", "klantendienst", "facturatie", "debiteuren",
        "klachten", "buitendienst", "binnendienst", "kwaliteit", "verkoop",
        "kundenservice", "kundendienst", "kundenbetreuung", "buchhaltung", "außendienst",
        "innendienst", "reklamation", "reklamationen", "vertrieb", "qualitätssicherung",
        "service client", "service clients", "relation client", "facturation",
        "comptabilité", "réclamations", "recouvrement", "qualité",
    )
)  # fmt: skip
"""The shop's departments, which replies name with a role or alone ("de Teamleider
Klantcontact", "die Abteilung Reklamationen", "le Service Client"): no one's name."""
