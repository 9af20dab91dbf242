"""The current customer's own values, and the ways people actually write them.

In customer service the subject of a conversation is usually known. Their name, e-mail,
phone number, IBAN, ... are then the most precise signal there is: we do not have to guess
whether "de Vries" is a name, we know it is *this customer's* name. The recognizer builds one
combined regular expression per subject (cached), so each text costs one regex pass.

Variants found (all scored below an exact full value, which scores 0.99):

* names: case and whitespace, given names, initials ("J. de Vries", "J.P. de Vries",
  "J.de Vries"), surname first ("de Vries, Jan"), the surname with or without its particle
  ("de Vries", "De Vries", "Vries"), a lone first name (0.8), accents folded ("Muller" for
  "Müller"). A particle alone ("de", "van") and parts of one or two letters are never
  matched. A name part on its own must
  start with a capital letter: "mark" and "bakker" are words, "Mark" and "Bakker" are names.
* phone numbers in any national or international format; both sides are normalised to E.164
  with `phonenumbers` before a match counts;
* IBAN, postal code, customer number and other identifiers with or without spaces and
  separators ("NL91 ABNA 0417 1643 00", "kl123456" for "KL-123456");
* e-mail addresses, street addresses and cities case-insensitively;
* the date of birth in numeric (d-m-y, y-m-d, m/d/y) and written forms in en/nl/de/fr.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date

import phonenumbers

from discreet.detect.base import DetectionInput, Finding, KnownSubject, Recognizer
from discreet.detect.entities import EntityType
from discreet.detect.registry import builtin

EXACT_SCORE = 0.99
VARIANT_SCORE = 0.9
SURNAME_SCORE = 0.85
FIRST_NAME_SCORE = 0.8

# Surname particles in the four supported languages; never a name on their own.
PARTICLES = frozenset(
    {
        "de", "den", "der", "van", "von", "vom", "zu", "zum", "zur", "ter", "ten", "te",
        "het", "'t", "in", "op", "la", "le", "les", "du", "des", "di", "da", "del", "dos",
        "d'", "l'", "st.", "sint", "saint", "mc", "van't",
    }
)  # fmt: skip
_MIN_PART = 3  # name parts shorter than this are initials or noise, not names

# Characters people put inside identifiers (IBAN groups, "KL-123456", "1234 AB").
_SEP = r"[\s.\-/_]?"
_START = r"(?<!\w)"
_END = r"(?!\w)"
# An identifier must not be a piece of a longer one ("123456" inside "123-456-7").
_ID_START = r"(?<!\w)(?<!\w[\-./_])"
_ID_END = r"(?!\w)(?![\-./_]\w)"

# Per month: full names and abbreviations in en, nl, de, fr.
_MONTHS: tuple[tuple[str, ...], ...] = (
    ("january", "jan", "januari", "januar", "jänner", "janvier", "janv"),
    ("february", "feb", "februari", "februar", "février", "fevrier", "févr", "fevr", "fév"),
    ("march", "mar", "maart", "mrt", "märz", "maerz", "mars"),
    ("april", "apr", "avril", "avr"),
    ("may", "mei", "mai"),
    ("june", "jun", "juni", "juin"),
    ("july", "jul", "juli", "juillet", "juil"),
    ("august", "aug", "augustus", "août", "aout"),
    ("september", "sep", "sept", "septembre"),
    ("october", "oct", "oktober", "okt", "octobre"),
    ("november", "nov", "novembre"),
    ("december", "dec", "dezember", "dez", "décembre", "decembre", "déc"),
)


@dataclass(frozen=True, slots=True)
class _Variant:
    """One alternative of the combined regex: what it finds and how to score it."""

    pattern: str
    type: EntityType
    score: float
    exact: str | None = None
    """The value as stored: a match equal to it scores EXACT_SCORE instead of `score`."""
    check: Callable[[str], bool] | None = None
    """Must accept the matched text (e.g. same E.164 number), else the match is dropped."""


class SubjectMatcher:
    """Finds one subject's values in texts: one compiled regex, built once."""

    def __init__(self, subject: KnownSubject) -> None:
        variants: list[_Variant] = []
        starts: set[str] = set()
        for etype, value in subject.values():
            variants.extend(_variants_for(etype, value))
            starts |= _start_chars(value, etype)
        # At one position the regex takes the first alternative that matches: put the most
        # specific (highest score, then longest) first so "Jan de Vries" beats "Jan".
        variants.sort(key=lambda v: (-v.score, -len(v.pattern)))
        unique: dict[tuple[str, EntityType], _Variant] = {}
        for v in variants:
            unique.setdefault((v.pattern, v.type), v)
        self._variants = list(unique.values())
        if self._variants:
            alternatives = "|".join(f"(?P<v{i}>{v.pattern})" for i, v in enumerate(self._variants))
            # Every variant starts at a word start with one of a few characters; saying so
            # up front lets the regex engine skip most positions (about 4x faster).
            first = "".join(sorted(re.escape(ch) for ch in starts))
            self._regex: re.Pattern[str] | None = re.compile(
                rf"(?<!\w)(?=[{first}])(?:{alternatives})"
            )
        else:
            self._regex = None

    def __len__(self) -> int:
        return len(self._variants)

    def find(self, text: str, recognizer: str) -> list[Finding]:
        if self._regex is None:
            return []
        found: list[Finding] = []
        for match in self._regex.finditer(text):
            group = match.lastgroup
            if group is None:
                continue
            variant = self._variants[int(group[1:])]
            matched = match.group()
            if variant.check is not None and not variant.check(matched):
                continue
            score = (
                EXACT_SCORE
                if variant.exact is not None and matched == variant.exact
                else variant.score
            )
            found.append(Finding(match.start(), match.end(), variant.type, score, recognizer))
        return found


def _start_chars(value: str, etype: EntityType) -> set[str]:
    """Characters a variant of `value` can start with (a superset is fine)."""
    chars: set[str] = set()
    for form in (value, _fold(value)):
        for token in re.split(r"[\s\-./_,]+", form):
            alnum = [ch for ch in token if ch.isalnum()]
            if token:
                chars.update((token[0], token[0].lower(), token[0].upper()))
            if alnum:
                chars.update((alnum[0], alnum[0].lower(), alnum[0].upper()))
    if any(ch.isdigit() for ch in value):
        chars.update("0123456789+(")
    if etype is EntityType.DATE_OF_BIRTH:
        for names in _MONTHS:
            for name in names:
                chars.update((name[0], name[0].upper()))
    return chars


# --- building variants ---------------------------------------------------------------------


def _variants_for(etype: EntityType, value: str) -> list[_Variant]:
    if etype is EntityType.PERSON:
        return _name_variants(value)
    if etype is EntityType.PHONE_NUMBER:
        return _phone_variants(value)
    if etype is EntityType.EMAIL_ADDRESS:
        pattern = rf"(?<![\w.+\-]){_ci(re.escape(value))}(?![\w\-])"
        return [_Variant(pattern, etype, VARIANT_SCORE, exact=value)]
    if etype is EntityType.DATE_OF_BIRTH:
        return _date_variants(value, etype)
    if any(ch.isdigit() for ch in value):
        # IBAN, postal code, customer and order numbers, house numbers in addresses.
        if etype is EntityType.STREET_ADDRESS:
            return [_Variant(_words_pattern(value), etype, VARIANT_SCORE, exact=value)]
        return _identifier_variants(value, etype)
    return _word_variants(value, etype)


def _ci(pattern: str) -> str:
    return f"(?i:{pattern})"


def _fold(value: str) -> str:
    """Drop accents: people type "Muller" and "Francois" for "Müller" and "François"."""
    decomposed = unicodedata.normalize("NFKD", value)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _words_pattern(value: str) -> str:
    """Words in order, any whitespace between them, any case."""
    words = value.split()
    return _START + _ci(r"\s+".join(re.escape(w) for w in words)) + _END


def _capitalised(word: str) -> str:
    """A single word that must start with a capital: the rest may be in any case."""
    first, rest = word[0], word[1:]
    upper = first.upper()
    head = re.escape(upper) if upper != first.lower() else re.escape(first)
    return _START + head + (_ci(re.escape(rest)) if rest else "") + _END


def _word_variants(value: str, etype: EntityType) -> list[_Variant]:
    forms = {value, _fold(value)}
    out: list[_Variant] = []
    for form in forms:
        if len(form.split()) > 1:
            out.append(_Variant(_words_pattern(form), etype, VARIANT_SCORE, exact=value))
        elif len(form) >= _MIN_PART:
            out.append(_Variant(_capitalised(form), etype, VARIANT_SCORE, exact=value))
    return out


def _identifier_variants(value: str, etype: EntityType) -> list[_Variant]:
    """Letters and digits in order; case, spaces and separators between them may differ."""
    chars = [ch for ch in value if ch.isalnum()]
    if len(chars) < 3:  # too short to be found without false alarms
        return []
    compact = "".join(chars).upper()
    body = _SEP.join(re.escape(ch) for ch in chars)
    pattern = _ID_START + _ci(body) + _ID_END
    return [
        _Variant(
            pattern,
            etype,
            VARIANT_SCORE,
            exact=value,
            check=lambda m: "".join(ch for ch in m if ch.isalnum()).upper() == compact,
        )
    ]


# --- names ---------------------------------------------------------------------------------


def _is_particle(token: str) -> bool:
    return token.lower() in PARTICLES


def split_name(words: Sequence[str]) -> tuple[list[str], list[str]]:
    """(given names, surname) of a full name's words. Given names run up to the first
    particle; without particles the last word is the surname ("Anna Maria Jansen"). A
    single word is a given name; a name starting with a particle is a surname ("de Vries")."""
    tokens = list(words)
    if len(tokens) <= 1:
        return tokens, []
    if _is_particle(tokens[0]):
        return [], tokens
    first_particle = next((i for i, t in enumerate(tokens) if i > 0 and _is_particle(t)), None)
    split = first_particle if first_particle is not None else len(tokens) - 1
    return tokens[:split], tokens[split:]


def _name_variants(value: str) -> list[_Variant]:
    out: list[_Variant] = []
    for form in dict.fromkeys((value, _fold(value))):
        out.extend(_name_form_variants(form, exact=value))
    return out


def _name_form_variants(name: str, exact: str) -> list[_Variant]:
    tokens = name.split()
    etype = EntityType.PERSON
    out: list[_Variant] = []
    if len(tokens) > 1:
        out.append(_Variant(_words_pattern(name), etype, VARIANT_SCORE, exact=exact))
    if not tokens:
        return out
    given, surname = split_name(tokens)
    surname_core = [t for t in surname if not _is_particle(t)]

    if surname:
        surname_re = r"\s+".join(re.escape(t) for t in surname)
        # First given name + surname, skipping middle names ("Jan de Vries", "Jan Peter de Vries").
        if len(given) > 1:
            pattern = _START + _ci(re.escape(given[0]) + r"\s+" + surname_re) + _END
            out.append(_Variant(pattern, etype, VARIANT_SCORE))
        # Initials + surname: "J. de Vries", "J.P. de Vries", "J.de Vries", "JP de Vries".
        initials = [g[0].upper() for g in given if g[0].isalpha()]
        if initials:
            init_re = r"\s*".join(rf"{re.escape(i)}\.?" for i in initials)
            pattern = _START + init_re + r"(?:\.\s*|\s+)" + _ci(surname_re) + _END
            out.append(_Variant(pattern, etype, VARIANT_SCORE))
        # Surname first, as on forms and lists: "de Vries, Jan", "de Vries, Jan Peter".
        for names in dict.fromkeys((tuple(given), tuple(given[:1]))):
            if names:
                given_re = r"\s+".join(re.escape(g) for g in names)
                pattern = _START + _ci(surname_re + r",\s*" + given_re) + _END
                out.append(_Variant(pattern, etype, VARIANT_SCORE))
        # The surname with its particle: "de Vries", "De Vries", "mevrouw de Vries".
        if len(surname) > 1 and surname_core:
            pattern = _START + _ci(surname_re) + _END
            out.append(_Variant(pattern, etype, VARIANT_SCORE))
        # The surname core alone ("Vries", "Jansen"), each part of a double surname.
        for token in surname_core:
            for part in token.split("-"):
                if len(part) >= _MIN_PART and not _is_particle(part):
                    out.append(_Variant(_capitalised(part), etype, SURNAME_SCORE))
        if len(surname_core) == 1 and "-" in surname_core[0]:
            pattern = _START + _ci(re.escape(surname_core[0]).replace(r"\-", r"\s*-\s*")) + _END
            out.append(_Variant(pattern, etype, VARIANT_SCORE))
    # Given names alone: "Jan", and "Anna Maria" together.
    if len(given) > 1:
        pattern = _START + _ci(r"\s+".join(re.escape(g) for g in given)) + _END
        out.append(_Variant(pattern, etype, VARIANT_SCORE))
    for g in given:
        if len(g) >= _MIN_PART and not _is_particle(g) and g.replace("-", "").isalpha():
            if len(tokens) == 1:
                out.append(_Variant(_capitalised(g), etype, VARIANT_SCORE, exact=exact))
            else:
                out.append(_Variant(_capitalised(g), etype, FIRST_NAME_SCORE))
    return out


# --- phone numbers -------------------------------------------------------------------------

# Digits with the separators people write between them, optionally a "+" or "00" prefix and
# "(0)" after the country code. Candidates are confirmed with phonenumbers.
_PHONE_GAP = r"[\s.\-/()]{0,3}"


def _phone_variants(value: str) -> list[_Variant]:
    parsed = _parse_phone(value, None)
    if parsed is None:
        # Not a number phonenumbers understands: match its digits with any separators.
        return _identifier_variants(value, EntityType.PHONE_NUMBER)
    e164 = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    region = phonenumbers.region_code_for_number(parsed)
    national = phonenumbers.national_significant_number(parsed)
    country = str(parsed.country_code)
    digits = _PHONE_GAP.join(re.escape(d) for d in national)
    cc = _PHONE_GAP.join(country)
    metadata = phonenumbers.PhoneMetadata.metadata_for_region(region or "")
    trunk = (metadata.national_prefix if metadata is not None else None) or "0"
    gap = _PHONE_GAP
    prefix = rf"(?:(?:\+|00){gap}{cc}{gap}(?:\(0\){gap})?|\(?{re.escape(trunk)}{gap})"
    # Where numbers are dialled without a trunk "0" (US: "(415) 555-2671"), the bare
    # national number is the usual form; elsewhere it needs a prefix, or "6 12345678" would
    # be found inside "+32 6 12345678", a different number.
    optional = "" if trunk == "0" else "?"
    pattern = rf"(?<![\w+]){prefix}{optional}\(?{digits}(?!\w)"

    def same_number(candidate: str) -> bool:
        number = _parse_phone(candidate, region)
        if number is None:
            return False
        return bool(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164) == e164)

    return [
        _Variant(pattern, EntityType.PHONE_NUMBER, VARIANT_SCORE, exact=value, check=same_number)
    ]


def _parse_phone(value: str, region: str | None) -> phonenumbers.PhoneNumber | None:
    text = value.strip()
    if text.startswith("00"):
        text = "+" + text[2:]
    try:
        return phonenumbers.parse(text, region or ("NL" if not text.startswith("+") else None))
    except phonenumbers.NumberParseException:
        return None


# --- dates of birth ------------------------------------------------------------------------


def _parse_date(value: str) -> date | None:
    text = value.strip()
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    m = re.fullmatch(r"(\d{1,2})[\-/. ](\d{1,2})[\-/. ](\d{4})", text)
    if m:  # the European order, the one customers of an EU company write
        try:
            return date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
        except ValueError:
            return None
    return None


def _num(n: int) -> str:
    """A day or month number with an optional leading zero."""
    return f"0?{n}" if n < 10 else str(n)


def _date_variants(value: str, etype: EntityType) -> list[_Variant]:
    parsed = _parse_date(value)
    if parsed is None:
        return [_Variant(_START + _ci(re.escape(value)) + _END, etype, VARIANT_SCORE, exact=value)]
    d, m, y = _num(parsed.day), _num(parsed.month), str(parsed.year)
    sep = r"\s?[\-/.]\s?"
    year = rf"(?:{y}|'?{y[2:]})"
    numeric = [
        rf"{d}{sep}{m}{sep}{year}",  # 14-03-1985, 14.3.85
        rf"{y}{sep}{m}{sep}{d}",  # 1985-03-14
        rf"{m}{sep}{d}{sep}{year}",  # 03/14/1985 (US order)
    ]
    months = "|".join(re.escape(name) + r"\.?" for name in _MONTHS[parsed.month - 1])
    day_suffix = r"(?:st|nd|rd|th|er|e|\.)?"
    written = [
        rf"{d}{day_suffix}\s+(?:{months}),?\s+{y}",  # 14 March 1985, 14. März 1985
        rf"(?:{months})\s+{d}{day_suffix},?\s+{y}",  # March 14, 1985
    ]
    body = "|".join(numeric + [_ci(w) for w in written])
    pattern = rf"(?<![\w\-/.])(?:{body})(?![\w\-/]|\.\d)"
    return [_Variant(pattern, etype, VARIANT_SCORE, exact=value)]


# --- the recognizer ------------------------------------------------------------------------


class _MatcherCache:
    """Matchers for recently seen subjects, keyed by their values.

    The gateway builds a new `KnownSubject` for every turn from the vault read, so the key
    is what the matcher is made of (the subject's (type, value) pairs), not the object:
    the same customer's next turn finds the matcher built on the first. The cache holds
    the values anyway (inside the matchers), bounded, least recently used first out.
    """

    def __init__(self, size: int = 256) -> None:
        self._size = size
        self._items: OrderedDict[tuple[tuple[EntityType, str], ...], SubjectMatcher] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, subject: KnownSubject) -> SubjectMatcher:
        key = tuple(subject.values())
        with self._lock:
            hit = self._items.get(key)
            if hit is not None:
                self._items.move_to_end(key)
                return hit
        matcher = SubjectMatcher(subject)  # built outside the lock: others keep going
        with self._lock:
            self._items[key] = matcher
            self._items.move_to_end(key)
            while len(self._items) > self._size:
                self._items.popitem(last=False)
        return matcher


@builtin
class KnownSubjectRecognizer(Recognizer):
    """Finds the conversation subject's own values (`DetectionInput.subject`)."""

    name = "known_subject"
    # A subject's `extra` values may be of any type.
    entity_types = frozenset(EntityType)
    languages = None

    def __init__(self, cache_size: int = 256) -> None:
        self._cache = _MatcherCache(cache_size)

    def matcher(self, subject: KnownSubject) -> SubjectMatcher:
        return self._cache.get(subject)

    def analyze(self, item: DetectionInput) -> Iterable[Finding]:
        if item.subject is None:
            return []
        return self._cache.get(item.subject).find(item.text, self.name)


def find_subject_values(text: str, subject: KnownSubject) -> Sequence[Finding]:
    """Convenience for one-off use outside a `Detector` (no cache)."""
    return SubjectMatcher(subject).find(text, KnownSubjectRecognizer.name)
