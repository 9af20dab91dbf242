"""Customer numbers, order numbers and usernames, recognised from the phrase before them.

These have no fixed format (each shop numbers orders its own way), so the phrase is the
evidence: "order number A-12345", "klantnummer: 123456", "Bestellnummer lautet 4711-22",
"numéro de commande CMD-99812", "username: jdoe". An organisation whose own formats are
known should also configure them as deny-list patterns (`DetectorConfig.deny_list`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import chain

from discreet.detect.base import DIGIT, DetectionInput, Finding, Recognizer
from discreet.detect.context import Typos, phrases
from discreet.detect.entities import EntityType
from discreet.detect.recognizers._scan import windows
from discreet.detect.registry import builtin

# Between the phrase and the value: "is", ":", "#", "nr.", "n°", "lautet", "est", ...
_FILLER = (
    r"(?:\s*(?:is|was|ist|lautet|est|:|=|#|-|nr\.?|no\.?|n°|n[º°]|number|nummer|numéro|"
    r"numero|id)(?!\w))*+\s*"
)
# A chat answer: the agent asks for a number ("order number?"), the customer's next turn
# is the value ("\nCustomer: TX-88213"). Only after a word for a number, not after a bare
# "order?" ("Did my order arrive?\nMe: 100 percent sure"); the speaker label is short.
_NEXT_TURN = (
    r"(?:(?:(?<=number)|(?<=nummer)|(?<=numéro)|(?<=nr)|(?<=id))"
    r"\?[ \t]*\n[ \t]*[^\W\d_][^\n:?]{0,23}:[ \t]*)?"
)
# The verbs between a phrase and its value: "username is jdoe", "Bestellnummer lautet 4711".
_VERBS = ("is", "was", "ist", "lautet", "est", "wordt")
_SEPARATOR_FILLER = rf"\s*(?:(?:{'|'.join(_VERBS)})(?!\w)\s*:?|:|=)\s*"
_ID_VALUE = r"(?P<v>#?[A-Za-z0-9](?:[A-Za-z0-9]|[-_/.](?=[A-Za-z0-9])){2,31})(?![\w])"
_USER_VALUE = r"(?P<v>@?[\w](?:[\w]|[.\-@+](?=\w)){1,63})(?![\w])"
# One or two words, "is"/":" and the like, then a value: where a phrase's typo may stand.
# Found from the value back: three digits in a row (a regex that starts with a digit scans
# fast), the value around them, then the one or two words and the "is"/":" before it.
_THREE_DIGITS = re.compile(r"\d{3}")
_VALUE_AROUND = re.compile(r"#?[A-Za-z0-9](?:[A-Za-z0-9]|[-_/.](?=[A-Za-z0-9])){2,31}(?![\w])")
_VALUE_START = re.compile(r"[#A-Za-z0-9_/.-]*$")
_TYPO_MIN_VALUE = 5
# Another value of a list after the first (matched against lower-cased text).
_NEXT_VALUE = re.compile(
    rf"[ \t]*(?:,[ \t]*|[ \t]+)(?:(?:and|und|en|et|or|oder|of|ou|&)[ \t]+)?{_ID_VALUE}"
)
_DATE_LIKE = re.compile(r"\d{1,4}([-./])\d{1,2}\1\d{1,4}")
_STOPWORD_TEXT = """
    is not niet nicht pas the de het een der die das ein eine le la les un une and en und
    et or of oder ou changed gewijzigd geändert forgotten vergeten vergessen oublié
    incorrect wrong fout falsch faux please graag bitte svp"""
_STOPWORDS = frozenset(_STOPWORD_TEXT.split())


def _trigger_regex(key: str, filler: str, value: str) -> re.Pattern[str]:
    """Phrase, filler, value; matched against lower-cased text (no IGNORECASE: 2x faster)."""
    words = "|".join(_phrase_regex(w.lower()) for w in phrases(key))
    return re.compile(rf"(?<!\w)(?:{words}){filler}{value}")


def _phrase_regex(phrase: str) -> str:
    """A phrase's regex: blanks as any white space; an abbreviation's full stop optional
    ("Bestellnr. 302118847", "Kundennr. 4711", "order no. 5521")."""
    regex = re.escape(phrase).replace(r"\ ", r"\s+")
    return regex + r"\.?" if phrase.endswith(("nr", " no")) else regex


# How far around a stem hit the phrase and its value can reach.
_WINDOW_BEFORE = 24
_WINDOW_AFTER = 80


class _TriggeredValueRecognizer(Recognizer):
    """A value right after one of the phrases listed in `detect.context` for its type;
    with `lists`, the values joined to it by "and" or a comma too."""

    score = 0.75
    lists = True
    # Every phrase of the type contains one of these; the regex runs only around them.
    stems: tuple[str, ...] = ()
    # The type's phrases with one typo ("Bstellung 1678839", "oredr 2025", "customer nuber
    # is 85634925"), where the value holds a digit, at this lower score; None: exact only.
    typo_key: str | None = None
    typo_score = 0.6

    def __init__(self, name: str, entity_type: EntityType, regex: re.Pattern[str]) -> None:
        self.name = name
        self.entity_type = entity_type
        self.entity_types = frozenset({entity_type})
        self._regex = regex
        self._typos = Typos(self.typo_key) if self.typo_key else None

    def accept(self, value: str) -> bool:
        return any(ch.isdigit() for ch in value) and _DATE_LIKE.fullmatch(value) is None

    def analyze(self, item: DetectionInput) -> Iterator[Finding]:
        lower = item.lower
        text = item.text
        found = False
        for lo, hi in windows(lower, self.stems, _WINDOW_BEFORE, _WINDOW_AFTER):
            for match in self._regex.finditer(lower, lo, hi):
                start, end = match.span("v")
                while self._value(text, start, end):
                    found = True
                    yield Finding(
                        start + (text[start] == "#"), end, self.entity_type, self.score, self.name
                    )
                    if not self.lists:
                        break
                    # "Bestellungen 2046121 und 20242391986", "orders 12345, 12346 and 12347"
                    more = _NEXT_VALUE.match(lower, end)
                    if more is None:
                        break
                    start, end = more.span("v")
        if not found and self._typos is not None:
            yield from self._after_typo(item, self._typos)

    def _after_typo(self, item: DetectionInput, typos: Typos) -> Iterator[Finding]:
        """Values after one of the type's phrases written with one typo (see `Typos`)."""
        text, lower = item.text, item.lower
        searched_to = 0
        for digits in _THREE_DIGITS.finditer(lower):
            if digits.start() < searched_to:
                continue  # inside the value just read
            back = _VALUE_START.search(lower, max(0, digits.start() - 32), digits.start())
            value = _VALUE_AROUND.match(lower, back.start() if back else digits.start())
            if value is None:
                continue
            start, end = value.span()
            searched_to = end
            if end - start < _TYPO_MIN_VALUE or not self._value(text, start, end):
                continue  # "1985": a year, not an order after a typo
            # The one or two words before it, past an "is" or a ":" ("nuber is 8563492").
            words = lower[max(0, start - 40) : start].rstrip(" \t:#=").split()[-3:]
            if words and words[-1] in _VERBS:
                words.pop()
            words = words[-2:]
            if not words or not words[-1].isalpha():
                continue
            if len(words) == 2 and not words[0].isalpha():
                words = words[1:]
            if typos.end(words, item.language):  # not "older 12345": a word
                yield Finding(
                    start + (text[start] == "#"), end, self.entity_type, self.typo_score, self.name
                )

    def _value(self, text: str, start: int, end: int) -> bool:
        value = text[start + (text[start] == "#") : end]
        return len(value) >= 3 and value.lower() not in _STOPWORDS and self.accept(value)


@builtin
class CustomerIdRecognizer(_TriggeredValueRecognizer):
    trigger = DIGIT
    typo_key = "CUSTOMER_ID"

    stems = (
        "custom",
        "client",
        "klant",
        "kunde",
        "member",
        "lid",
        "mitglied",
        "account",
        "relatie",
        "adhérent",
    )

    def __init__(self) -> None:
        super().__init__(
            "customer_id", EntityType.CUSTOMER_ID, _trigger_regex("CUSTOMER_ID", _FILLER, _ID_VALUE)
        )


@builtin
class OrderIdRecognizer(_TriggeredValueRecognizer):
    trigger = DIGIT
    typo_key = "ORDER_ID"

    stems = (
        "order",
        "bestel",
        "invoice",
        "tracking",
        "ticket",
        "reference",
        "case",
        "factuur",
        "zending",
        "referentie",
        "dossier",
        "auftrag",
        "rechnung",
        "sendung",
        "vorgang",
        "referenz",
        "commande",
        "facture",
        "suivi",
        # Bookings and reservations: "booking reference", "Buchungsnummer", "référence de
        # dossier", "reserveringsnummer", "confirmation code".
        "book",
        "boeking",
        "buchung",
        "reserv",
        "réserv",
        "confirm",
        "référence",
    )

    def __init__(self) -> None:
        super().__init__(
            "order_id",
            EntityType.ORDER_ID,
            _trigger_regex("ORDER_ID", _FILLER + _NEXT_TURN, _ID_VALUE),
        )


@builtin
class UsernameRecognizer(_TriggeredValueRecognizer):
    """A username after "username:", "gebruikersnaam is", "Benutzername:" and the like.

    A separator is required ("username: jdoe", "my login is jdoe"): "the login page" is
    not a username.
    """

    score = 0.8
    lists = False  # "username: jdoe and my password" is no list of usernames
    stems = (
        "user",
        "login",
        "handle",
        "gebruiker",
        "inlog",
        "benutzer",
        "anmelde",
        "nutzer",
        "utilisateur",
        "identifiant",
        "pseudo",
    )

    def __init__(self) -> None:
        super().__init__(
            "username",
            EntityType.USERNAME,
            _trigger_regex("USERNAME", _SEPARATOR_FILLER, _USER_VALUE),
        )

    def accept(self, value: str) -> bool:
        return True

    def analyze(self, item: DetectionInput) -> Iterator[Finding]:
        yield from super().analyze(item)
        if "account" in item.lower or "compte" in item.lower:
            for match in _ACCOUNT_LOGIN.finditer(item.text):
                yield Finding(*match.span("v"), EntityType.USERNAME, self.score, self.name)


# "Mijn account: anne.dekker", "compte : jean_dupont": a login after the word for the
# account and a colon, written as logins are (lower case, a dot or an underscore inside).
# An account number after it is the customer-id recognizer's; "account: blocked" is a word.
_ACCOUNT_LOGIN = re.compile(
    r"(?<!\w)(?i:account|compte)[ \t]*:[ \t]*(?P<v>[a-z][a-z0-9]*(?:[._][a-z0-9]+)+)"
    r"(?![\w@]|\.\w)"
)


# A reference code's shape: letters, a dash maybe, four digits or more ("MTG-77310452",
# "GYM884120", "RA-230918-77", "JR-5519-0238"), or six capitals and digits with at least
# one digit and three letters, as booking codes are written ("LH4K9P", "AF8ZK2").
_REFERENCE_CODE = re.compile(
    r"(?<![\w/.-])(?:[A-Z]{1,4}-?\d{4,12}(?:-\d{1,6})*|(?=[A-Z0-9]{6}(?![\w-]))"
    r"(?=(?:[A-Z]*\d){1,3}[A-Z]*(?![\w-]))(?=(?:\d*[A-Z]){3})[A-Z0-9]{6})(?![\w/-]|\.\w)"
)
# A number of eight digits or more, in groups or not ("9917 4420 315", "300 412 775",
# "7712-440981-02", "2940177382115"): a reference after its cue, not a phone's "+".
_REFERENCE_NUMBER = re.compile(
    r"(?<![\w+.,/-])(?:\d{8,16}|\d{2,6}(?:[ -]\d{2,6}){1,4})(?![\w/-]|[.,]\d)"
)
_REFERENCE_DIGITS = 8
# Nouns of an account, a card, a booking or a claim, and words for a number, before its
# code within a few words: "mortgage account MTG-77310452", "member no GYM884120",
# "Reparaturauftrag RA-230918-77", "réservation AF8ZK2", "carte fidélité VC-302918".
_REFERENCE_CUE = re.compile(
    # Long words may end a compound ("Reparaturauftrag", "Vertragskontonummer",
    # "inruilnummer"); short ones stand alone ("no", "nr", "pas", "lid").
    r"[^\W\d_]*(?:account|member|membership|customer|client|ticket|booking|reservation|contract|"
    r"mortgage|policy|order|reference|number|rekening|kaart|reservering|boeking|lening|"
    r"hypotheek|dossier|nummer|konto|karte|mitglied|kunde|kunden|buchung|auftrag|vertrag|"
    r"darlehen|police|vorgang|compte|carte|membre|adhérent|réservation|commande|location|"
    r"contrat|sinistre|référence|numéro)(?!\w)"
    r"|(?<!\w)(?:card|loan|claim|case|ref|no|nr|pas|lid|polis|prêt|n°)(?![\w-])",
    re.IGNORECASE,
)
# Cue words that make the code a customer's (an account, a card, a member's number); the
# others make it an order's, a booking's or a case's.
_CUSTOMER_CUES = frozenset(
    (
        "account", "card", "member", "membership", "customer", "client", "rekening", "pas",
        "kaart", "lid", "klant", "konto", "karte", "mitglied", "kunde", "kunden", "compte",
        "carte", "membre", "adhérent",
    )
)  # fmt: skip
_REFERENCE_REACH = 40


def _customer_cue(word: str) -> bool:
    """Whether a cue word names a customer's account or card, alone or as a compound's part
    ("Kartennummer", "klantnummer", "Mitgliedsnummer"; "pas", "lid" only alone)."""
    return word in _CUSTOMER_CUES or any(cue in word for cue in _CUSTOMER_CUES if len(cue) > 3)


# A sentence's end, not an abbreviation's full stop before a number ("Darlehen Nr. 7712").
_CLAUSE_BREAK = re.compile(r"[!?\n;]|\.(?=\s+[A-ZÀ-Ý])")
_NUMBER_WORDS = frozenset(
    ("number", "nummer", "numéro", "no", "nr", "n°", "ref", "reference", "référence")
)
# A product's own numbers, no one's: serial and article numbers, barcodes, models.
_PRODUCT_CODE_CUE = re.compile(
    # Short words alone ("EAN", not "I mean"); long ones also in compounds
    # ("Seriennummer", "Artikelnummer", "numéro de série").
    r"(?i)(?<!\w)(?:ean|sku|gtin|upc)(?!\w)"
    r"|(?:serial|série|serie|artikel|article|barcode|model|modèle|product|produit|produkt|"
    r"typenummer)"
)
_PHONE_CUE = re.compile(
    r"(?i)(?<!\w)(?:phone|tel|telephone|mobile|mobiel|telefoon|telefon|handy|téléphone|"
    r"portable|contact number)(?!\w)"
)


@builtin
class ReferenceRecognizer(Recognizer):
    """A code shaped like a reference ("MTG-77310452", "LH4K9P") within a few words after
    a noun of an account, card, booking or claim, or a word for a number, in the same
    sentence: the phrase-led customer and order recognizers list exact phrases, and
    customers name their references in as many ways as they hold them ("ticket says
    RP-55190", "Mietvertrag", "carte fidélité VC-302918"). Product codes without such a
    word ("RTX-4090", "the C380") are left alone."""

    name = "reference"
    entity_types = frozenset({EntityType.CUSTOMER_ID, EntityType.ORDER_ID, EntityType.PHONE_NUMBER})
    trigger = DIGIT
    score = 0.6

    def analyze(self, item: DetectionInput) -> Iterator[Finding]:
        text = item.text
        numbers = (
            number
            for number in _REFERENCE_NUMBER.finditer(text)
            if sum(ch.isdigit() for ch in number.group()) >= _REFERENCE_DIGITS
        )
        for code in chain(_REFERENCE_CODE.finditer(text), numbers):
            value = code.group()
            # The clause before the code, read with the code's first character, so that a
            # sentence that ends just before it ends there ("my card. RTX-40901").
            window = text[max(0, code.start() - _REFERENCE_REACH) : code.start() + 1]
            clause = _CLAUSE_BREAK.split(window)[-1][:-1]
            cues = [cue.casefold() for cue in _REFERENCE_CUE.findall(clause)]
            if _DATE_LIKE.fullmatch(value) or _PRODUCT_CODE_CUE.search(clause):
                continue  # a date; a product's: "numéro de série", "Artikelnummer", "EAN"
            number = not any(ch.isalpha() for ch in value)
            if number and cues and _PHONE_CUE.search(clause):
                etype = EntityType.PHONE_NUMBER  # "contact number 07700 900871"
            else:
                if number:
                    # A bare number needs a document's noun: "numéro 8744882094879" may be
                    # a barcode, "Mietvertrag 9917 4420 315" is a contract.
                    cues = [cue for cue in cues if cue not in _NUMBER_WORDS]
                if not cues:
                    continue
                customer = any(_customer_cue(cue) for cue in cues)
                etype = EntityType.CUSTOMER_ID if customer else EntityType.ORDER_ID
            yield Finding(code.start(), code.end(), etype, self.score, self.name)
