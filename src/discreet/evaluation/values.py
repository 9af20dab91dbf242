"""Realistic, valid fake values for every entity type, and near-miss values that are not.

Checksummed identifiers are generated valid and then verified with python-stdnum (or
phonenumbers); a value that fails verification is dropped and drawn again, so a labelled
IBAN, card or BSN in the corpus is one a validating recognizer *should* find. The hard
negatives (``bad_*``) are the opposite: they look right but fail their checksum, so a
recognizer that skips validation is penalised.

One :class:`ValueSource` is built per corpus (building Faker instances is the slow part)
and re-seeded per text, so every text is reproducible on its own.
"""

from __future__ import annotations

import random
import re
import string
import unicodedata
from dataclasses import dataclass

import phonenumbers
from faker import Faker
from stdnum import iban as std_iban
from stdnum import luhn
from stdnum.at import vnr as at_vnr
from stdnum.be import nn as be_nn
from stdnum.de import idnr as de_idnr
from stdnum.eu import vat as eu_vat
from stdnum.fr import nir as fr_nir
from stdnum.gb import vat as gb_vat
from stdnum.iso7064 import mod_11_10
from stdnum.nl import bsn as nl_bsn
from stdnum.us import ssn as us_ssn

from discreet.evaluation import data
from discreet.evaluation.pools import Split, allowed
from discreet.evaluation.regions import FAKER_LOCALES, Region

_CARD_RUN = re.compile(r"\b\d{4}[ -]?\d{4}[ -]?\d{4}[ -]?\d{4}\b")
_MAX_TRIES = 60

MONTHS: dict[str, tuple[str, ...]] = {
    "en": (
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ),
    "nl": (
        "januari",
        "februari",
        "maart",
        "april",
        "mei",
        "juni",
        "juli",
        "augustus",
        "september",
        "oktober",
        "november",
        "december",
    ),
    "de": (
        "Januar",
        "Februar",
        "März",
        "April",
        "Mai",
        "Juni",
        "Juli",
        "August",
        "September",
        "Oktober",
        "November",
        "Dezember",
    ),
    "fr": (
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ),
}

NATIONAL_ID_NAMES: dict[str, tuple[str, ...]] = {
    "NL": ("BSN", "burgerservicenummer", "BSN-nummer"),
    "BE_NL": ("rijksregisternummer", "rijksregisternr."),
    "DE": ("Steuer-ID", "Steuer-Identifikationsnummer", "steuerliche Identifikationsnummer"),
    "AT": ("Sozialversicherungsnummer", "SV-Nummer"),
    "FR": ("numéro de sécurité sociale", "NIR", "numéro de Sécu"),
    "BE_FR": ("numéro de registre national", "numéro national"),
    "GB": ("National Insurance number", "NI number", "NINO"),
    "US": ("SSN", "social security number", "Social Security number"),
}

_LEGAL_FORMS: dict[str, tuple[str, ...]] = {
    "NL": ("B.V.", "BV", "V.O.F."),
    "BE_NL": ("BV", "NV", "CommV"),
    "BE_FR": ("SRL", "SA", "SPRL"),
    "DE": ("GmbH", "AG", "GmbH & Co. KG"),
    "AT": ("GmbH", "KG", "OG"),
    "FR": ("SARL", "SAS", "SA"),
    "GB": ("Ltd", "Ltd.", "PLC"),
    "US": ("Inc.", "LLC", "Corp."),
}

_NINO_FIRST = "ABCEGHJKLMNOPRSTWXYZ"
_NINO_SECOND = "ABCEGHJKLMNPRSTWXYZ"
_NINO_BAD_PREFIXES = frozenset({"BG", "GB", "NK", "KN", "TN", "NT", "ZZ"})
_NINO_RE = re.compile(r"^[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]\d{6}[A-D]$")


def is_valid_nino(value: str) -> bool:
    """UK National Insurance number format rules (python-stdnum has no NINO module)."""
    compact = value.replace(" ", "").upper()
    return bool(_NINO_RE.match(compact)) and compact[:2] not in _NINO_BAD_PREFIXES


def _ascii_slug(value: str) -> str:
    """Lowercase ASCII letters/digits only: how names end up in e-mail local parts."""
    decomposed = unicodedata.normalize("NFKD", value)
    return "".join(c for c in decomposed.lower() if c in string.ascii_lowercase + string.digits)


def _group(value: str, size: int, sep: str = " ") -> str:
    return sep.join(value[i : i + size] for i in range(0, len(value), size))


@dataclass(frozen=True, slots=True)
class Person:
    first: str
    last: str
    female: bool

    @property
    def full(self) -> str:
        return f"{self.first} {self.last}"


class ValueSource:
    """Draws values for one text at a time; call :meth:`reseed` before each text."""

    def __init__(self, split: Split) -> None:
        self.split: Split = split
        self._fakers: dict[str, Faker] = {loc: Faker(loc) for loc in FAKER_LOCALES}
        self.rng = random.Random(0)
        self.region: Region = Region("NL", "nl", "nl_NL", "nl_NL", "NL", "nl_NL", "nl", 1.0)
        self._last_hour = 12
        self.used_pool_values: list[str] = []
        """Pool values (name parts, streets, cities) drawn for the current text."""

    def reseed(self, seed: int, region: Region) -> None:
        self.rng.seed(seed)
        for offset, fk in enumerate(self._fakers.values()):
            fk.seed_instance(seed * 31 + offset)
        self.region = region
        self.used_pool_values = []

    def _fk(self, locale: str) -> Faker:
        return self._fakers[locale]

    # -- split-aware pools ------------------------------------------------------------

    def _pooled(self, draw: list[str] | tuple[str, ...] | None, faker_draw: str | None) -> str:
        """Draw from a static list or a Faker method until the value is allowed in the split."""
        value = ""
        for _ in range(_MAX_TRIES):
            if draw is not None and (faker_draw is None or self.rng.random() < 0.6):
                value = self.rng.choice(draw)
            else:
                assert faker_draw is not None
                value = str(getattr(self._fk(self.region.address_locale), faker_draw)())
            if allowed(value, self.split):
                break
        self.used_pool_values.append(value)
        return value

    def _name_part(self, method: str, locale: str | None = None) -> str:
        fk = self._fk(locale or self.region.name_locale)
        value = ""
        for _ in range(_MAX_TRIES):
            value = str(getattr(fk, method)())
            if allowed(value, self.split):
                break
        self.used_pool_values.append(value)
        return value

    def person(self) -> Person:
        female = self.rng.random() < 0.5
        first = self._name_part("first_name_female" if female else "first_name_male")
        last = self._name_part("last_name")
        if self.region.language == "fr":
            # French compound first names and double-barrelled surnames are common.
            if self.rng.random() < 0.15 and "-" not in first:
                second = self._name_part("first_name_female" if female else "first_name_male")
                if second != first:
                    first = f"{first}-{second}"
            if self.rng.random() < 0.08 and "-" not in last:
                last = f"{last}-{self._name_part('last_name')}"
        return Person(first, last, female)

    def street(self) -> str:
        code = self.region.code
        # Faker's English street names are invented ("James Stravenue") and fr_BE has none.
        faker_streets = code in ("NL", "BE_NL", "DE", "AT", "FR")
        name = self._pooled(data.STREETS[code], "street_name" if faker_streets else None)
        number = str(
            self.rng.randint(1, 180) if self.rng.random() < 0.8 else self.rng.randint(1, 20)
        )
        if code in ("NL", "BE_NL", "DE", "AT", "BE_FR") and self.rng.random() < 0.15:
            number += self.rng.choice(["a", "b", "A", "-2", " bis" if code == "BE_FR" else "c"])
        if code in ("GB", "US"):
            if code == "US" and self.rng.random() < 0.5:
                number = str(self.rng.randint(100, 9999))
            if code == "GB" and self.rng.random() < 0.12:
                return f"Flat {self.rng.randint(1, 12)}, {number} {name}"
            return f"{number} {name}"
        if code in ("DE", "AT") and name.endswith("straße") and self.rng.random() < 0.2:
            # Germans abbreviate in running text and forms: "Gartenstr. 9".
            name = name[: -len("aße")] + "."
        if code == "FR":
            sep = ", " if self.rng.random() < 0.3 else " "
            if self.rng.random() < 0.08:
                number += " bis"
            return f"{number}{sep}{name}"
        if code == "BE_FR" and self.rng.random() < 0.5:
            return f"{number}, {name}"
        return f"{name} {number}"

    def city(self) -> str:
        code = self.region.code
        use_faker = code in ("NL", "DE")  # Faker's NL/DE cities are real places
        return self._pooled(data.CITIES[code], "city" if use_faker else None)

    def postcode(self) -> str:
        code = self.region.code
        fk = self._fk(self.region.address_locale)
        if code == "US":
            return str(fk.zipcode())
        if code == "NL":
            raw = str(fk.postcode()).replace(" ", "")
            return raw if self.rng.random() < 0.3 else f"{raw[:4]} {raw[4:]}"
        return str(fk.postcode())

    def country(self) -> str:
        return self.rng.choice(data.COUNTRIES[self.region.language])

    # -- contact ----------------------------------------------------------------------

    def email(self, person: Person | None) -> str:
        domain = self.rng.choice(data.EMAIL_DOMAINS[self.region.code])
        if person is None or self.rng.random() < 0.15:
            return f"{self._fk(self.region.name_locale).user_name()}@{domain}"
        first, last = _ascii_slug(person.first), _ascii_slug(person.last)
        style = self.rng.randrange(6)
        local = (
            f"{first}.{last}",
            f"{first[0]}.{last}",
            f"{first}{last}{self.rng.randint(1, 99)}",
            f"{first}_{last}",
            f"{last}.{first}",
            f"{first}{self.rng.randint(1960, 2005)}",
        )[style]
        return f"{local}@{domain}"

    def phone(self) -> str:
        region = self.region.phone_region
        fk = self._fk(self.region.address_locale)
        for _ in range(_MAX_TRIES):
            if self.rng.random() < 0.6:
                raw = str(fk.phone_number())
            else:
                raw = self._mobile_national(region)
            try:
                parsed = phonenumbers.parse(raw, region)
            except phonenumbers.NumberParseException:
                continue
            if parsed.extension or not phonenumbers.is_valid_number(parsed):
                continue  # extensions ("x2133") are not part of what a recognizer must find
            style = self.rng.random()
            if style < 0.5:  # keep Faker's own layout
                return raw
            if style < 0.75:
                fmt = phonenumbers.PhoneNumberFormat.INTERNATIONAL
            elif style < 0.85:
                fmt = phonenumbers.PhoneNumberFormat.E164
            else:
                fmt = phonenumbers.PhoneNumberFormat.NATIONAL
            return str(phonenumbers.format_number(parsed, fmt))
        raise RuntimeError(f"no valid phone number for region {region} after {_MAX_TRIES} tries")

    def _mobile_national(self, region: str) -> str:
        """A mobile number from the region's example, last six digits randomised."""
        example = phonenumbers.example_number_for_type(region, phonenumbers.PhoneNumberType.MOBILE)
        if example is None:
            raise ValueError(f"phonenumbers has no example mobile number for region {region}")
        nsn = phonenumbers.national_significant_number(example)
        digits = nsn[:-6] + "".join(self.rng.choice(string.digits) for _ in range(6))
        candidate = phonenumbers.parse("+" + str(example.country_code) + digits)
        if self.rng.random() < 0.5:
            return str(
                phonenumbers.format_number(candidate, phonenumbers.PhoneNumberFormat.NATIONAL)
            )
        national = str(
            phonenumbers.format_number(candidate, phonenumbers.PhoneNumberFormat.NATIONAL)
        ).replace(" ", "")
        return national

    def ip(self) -> str:
        fk = self._fk("en_US")
        return str(fk.ipv6() if self.rng.random() < 0.15 else fk.ipv4_public())

    def url(self, shop_domain: str) -> str:
        fk = self._fk(self.region.name_locale)
        style = self.rng.randrange(5)
        if style == 0:
            return f"https://www.{shop_domain}/account/orders/{self.rng.randint(10**6, 10**7)}"
        if style == 1:
            token = "".join(self.rng.choice("0123456789abcdef") for _ in range(24))
            return f"https://{shop_domain}/reset-password?token={token}"
        if style == 2:
            return f"{fk.url()}{fk.uri_path()}"
        if style == 3:
            return f"https://www.{shop_domain}/returns/{self.rng.randint(10**5, 10**6)}"
        return str(fk.url())

    # -- identity ---------------------------------------------------------------------

    def dob(self) -> str:
        year = self.rng.randint(1938, 2006)
        return self._date(year, with_year=True)

    def date(self) -> str:
        year = self.rng.choice((2023, 2024, 2024, 2025, 2025))
        return self._date(year, with_year=self.rng.random() < 0.6)

    def _date(self, year: int, with_year: bool) -> str:
        lang, code = self.region.language, self.region.code
        month, day = self.rng.randint(1, 12), self.rng.randint(1, 28)
        name = MONTHS[lang][month - 1]
        style = self.rng.random()
        if style < 0.45 and with_year:
            if lang == "de":
                return f"{day:02d}.{month:02d}.{year}"
            if lang == "nl":
                return (
                    f"{day:02d}-{month:02d}-{year}"
                    if self.rng.random() < 0.7
                    else f"{day}-{month}-{year}"
                )
            if code == "US":
                return f"{month:02d}/{day:02d}/{year}"
            return f"{day:02d}/{month:02d}/{year}"
        if style < 0.5 and with_year:
            return f"{year}-{month:02d}-{day:02d}"
        suffix = f" {year}" if with_year else ""
        if lang == "de":
            return f"{day}. {name}{suffix}"
        if code == "US":
            return f"{name} {day}, {year}" if with_year else f"{name} {day}"
        return f"{day} {name}{suffix}"

    def age(self) -> str:
        return str(self.rng.randint(18, 96))

    def national_id(self) -> str:
        code = self.region.code
        if code == "NL":
            value = self._validated(lambda: str(self._fk("nl_NL").ssn()), nl_bsn.is_valid)
            return f"{value[:4]}.{value[4:6]}.{value[6:]}" if self.rng.random() < 0.1 else value
        if code in ("BE_NL", "BE_FR"):
            value = self._validated(lambda: str(self._fk("nl_BE").ssn()), be_nn.is_valid)
            return str(be_nn.format(value)) if self.rng.random() < 0.5 else value
        if code == "DE":
            value = self._validated(self._steuer_id, de_idnr.is_valid)
            return (
                f"{value[:2]} {value[2:5]} {value[5:8]} {value[8:]}"
                if self.rng.random() < 0.3
                else value
            )
        if code == "AT":
            value = self._validated(lambda: str(self._fk("de_AT").ssn()), at_vnr.is_valid)
            return f"{value[:4]} {value[4:]}" if self.rng.random() < 0.5 else value
        if code == "FR":
            value = self._validated(lambda: str(self._fk("fr_FR").ssn()), fr_nir.is_valid)
            return str(fr_nir.format(value)) if self.rng.random() < 0.4 else value
        if code == "GB":
            value = self._validated(self._nino, is_valid_nino)
            if self.rng.random() < 0.4:
                return f"{value[:2]} {value[2:4]} {value[4:6]} {value[6:8]} {value[8]}"
            return value
        return self._validated(lambda: str(self._fk("en_US").ssn()), us_ssn.is_valid)

    def national_id_name(self) -> str:
        return self.rng.choice(NATIONAL_ID_NAMES[self.region.code])

    def _steuer_id(self) -> str:
        # Steuer-ID rule: in the first ten digits exactly one digit occurs twice (or three
        # times), the rest at most once, and the first digit is not 0.
        digits = self.rng.sample(string.digits, 9)
        digits.append(self.rng.choice(digits))
        self.rng.shuffle(digits)
        if digits[0] == "0":
            digits.reverse()
        body = "".join(digits)
        return body + str(mod_11_10.calc_check_digit(body))

    def _nino(self) -> str:
        prefix = self.rng.choice(_NINO_FIRST) + self.rng.choice(_NINO_SECOND)
        digits = "".join(self.rng.choice(string.digits) for _ in range(6))
        return prefix + digits + self.rng.choice("ABCD")

    def _validated(self, draw: object, check: object) -> str:
        """Draw until the validator accepts; the corpus must never label an invalid ID."""
        assert callable(draw) and callable(check)
        for _ in range(_MAX_TRIES):
            value = str(draw())
            if check(value):
                return value
        raise RuntimeError(f"no valid value after {_MAX_TRIES} tries ({self.region.code})")

    # -- financial --------------------------------------------------------------------

    def iban(self) -> str:
        value = self._validated(
            lambda: str(self._fk(self.region.iban_locale).iban()), std_iban.is_valid
        )
        return _group(value, 4) if self.rng.random() < 0.6 else value

    def credit_card(self) -> str:
        kind = self.rng.choice(("visa16", "visa16", "mastercard", "mastercard", "amex", "maestro"))
        fk = self._fk("en_US")
        value = self._validated(lambda: str(fk.credit_card_number(card_type=kind)), luhn.is_valid)
        style = self.rng.random()
        if style < 0.4:
            return value
        sep = " " if style < 0.8 else "-"
        if len(value) == 15:
            return sep.join((value[:4], value[4:10], value[10:]))
        return _group(value, 4, sep)

    def vat_id(self) -> str:
        code = self.region.code
        if code == "NL":
            bsn = self._validated(lambda: str(self._fk("nl_NL").ssn()), nl_bsn.is_valid)
            return self._validated(
                lambda: f"NL{bsn}B{self.rng.randint(1, 19):02d}", eu_vat.is_valid
            )
        if code == "FR":
            return self._validated(self._fr_vat, eu_vat.is_valid)
        if code in ("GB", "US"):
            return self._validated(self._gb_vat, gb_vat.is_valid)
        locale = {"BE_NL": "nl_BE", "BE_FR": "nl_BE", "DE": "de_DE", "AT": "de_AT"}[code]
        return self._validated(lambda: str(self._fk(locale).vat_id()), eu_vat.is_valid)

    def _fr_vat(self) -> str:
        body = "".join(self.rng.choice(string.digits) for _ in range(8))
        siren = body + str(luhn.calc_check_digit(body))
        key = (12 + 3 * (int(siren) % 97)) % 97
        return f"FR{key:02d}{siren}"

    def _gb_vat(self) -> str:
        body = [self.rng.randint(0, 9) for _ in range(7)]
        total = sum(d * w for d, w in zip(body, range(8, 1, -1), strict=True))
        check = (-total) % 97
        return "GB" + "".join(map(str, body)) + f"{check:02d}"

    # -- order & account --------------------------------------------------------------

    def customer_id(self) -> str:
        r = self.rng
        style = r.randrange(5)
        return (
            str(r.randint(10**7, 10**8 - 1)),
            f"C-{r.randint(10**5, 10**6 - 1)}",
            f"KD{r.randint(10**6, 10**7 - 1)}",
            f"CUST{r.randint(10**4, 10**5 - 1)}",
            f"{r.choice(string.ascii_uppercase)}{r.randint(10**6, 10**7 - 1)}",
        )[style]

    def order_id(self) -> str:
        r = self.rng
        style = r.randrange(5)
        return (
            f"{r.randint(10**6, 10**7 - 1)}",
            f"{r.choice((2023, 2024, 2025))}{r.randint(10**6, 10**7 - 1)}",
            f"ORD-{r.randint(10**5, 10**6 - 1)}",
            f"{r.randint(100, 999)}-{r.randint(10**6, 10**7 - 1)}-{r.randint(10**6, 10**7 - 1)}",
            f"{self.region.code[:2]}{r.randint(10**7, 10**8 - 1)}",
        )[style]

    def license_plate(self) -> str:
        code = self.region.code
        if code == "DE" or code == "AT":
            district = self.rng.choice(("B", "M", "HH", "K", "F", "S", "D", "W", "GZ", "L"))
            letters = "".join(
                self.rng.choice("ABCDEFGHJKLMNPRSTUVWXYZ") for _ in range(self.rng.randint(1, 2))
            )
            return f"{district}-{letters} {self.rng.randint(1, 9999)}"
        locale = {
            "NL": "nl_NL",
            "BE_NL": "nl_BE",
            "BE_FR": "nl_BE",
            "FR": "fr_FR",
            "GB": "en_GB",
        }.get(code)
        if locale is None:  # US: California-style 1ABC234
            letters = "".join(self.rng.choices(string.ascii_uppercase, k=3))
            return f"{self.rng.randint(1, 9)}{letters}{self.rng.randint(100, 999)}"
        return str(self._fk(locale).license_plate())

    def password(self) -> str:
        r = self.rng
        if r.random() < 0.5:
            words = ("Zomer", "Tulp", "Sunshine", "Katze", "Soleil", "Voetbal", "Dragon", "Blume")
            return f"{r.choice(words)}{r.randint(1, 2025)}{r.choice('!#$%*?')}"
        return str(self._fk("en_US").password(length=r.randint(9, 16)))

    def api_key(self) -> str:
        r = self.rng
        alnum = string.ascii_letters + string.digits
        style = r.randrange(4)
        if style == 0:
            return "sk-" + "".join(r.choice(alnum) for _ in range(48))
        if style == 1:
            return "sk_live_" + "".join(r.choice(alnum) for _ in range(24))
        if style == 2:
            return "ghp_" + "".join(r.choice(alnum) for _ in range(36))
        return "AKIA" + "".join(r.choice(string.ascii_uppercase + string.digits) for _ in range(16))

    def organization(self) -> str:
        name = str(self._fk(self.region.name_locale).company())
        if " " not in name:
            # A bare surname ("Picard") would be indistinguishable from a person; real
            # third-party companies are usually written with their legal form.
            name += " " + self.rng.choice(_LEGAL_FORMS[self.region.code])
        return name

    # -- hard negatives (never labelled) ----------------------------------------------

    def bad_bsn(self) -> str:
        """Nine digits that fail the BSN 11-proof."""
        return self._validated(
            lambda: str(self.rng.randint(10**8, 10**9 - 1)),
            lambda v: not nl_bsn.is_valid(v),
        )

    def bad_card(self) -> str:
        """Sixteen digits, card-like prefix, failing Luhn."""
        body = self.rng.choice("45") + "".join(self.rng.choice(string.digits) for _ in range(14))
        good = luhn.calc_check_digit(body)
        bad = str((int(good) + self.rng.randint(1, 9)) % 10)
        value = body + bad
        return _group(value, 4) if self.rng.random() < 0.6 else value

    def bad_iban(self) -> str:
        """A real-looking IBAN with wrong check digits (fails mod-97)."""
        valid = self._validated(
            lambda: str(self._fk(self.region.iban_locale).iban()), std_iban.is_valid
        )

        def corrupt() -> str:
            return valid[:2] + f"{self.rng.randint(0, 99):02d}" + valid[4:]

        value = self._validated(corrupt, lambda v: not std_iban.is_valid(v))
        if self.rng.random() < 0.6:
            # Grouped, four groups of digits read like a card number; keep only look-alikes
            # whose digit runs fail Luhn, so no valid identifier hides in unlabelled text.
            grouped = _group(value, 4)
            if not any(
                luhn.is_valid(re.sub(r"[ -]", "", m.group())) for m in _CARD_RUN.finditer(grouped)
            ):
                return grouped
        return value

    def price(self) -> str:
        r = self.rng
        euros, cents = r.randint(2, 1499), r.choice((0, 95, 99, 49, 50, 45))
        lang, code = self.region.language, self.region.code
        if code == "GB":
            return f"£{euros}.{cents:02d}"
        if code == "US":
            return f"${euros}.{cents:02d}"
        if lang == "fr" or (lang == "de" and r.random() < 0.6):
            return f"{euros},{cents:02d} €"
        if lang == "en":
            return f"€{euros}.{cents:02d}"
        return r.choice((f"€ {euros},{cents:02d}", f"€{euros},{cents:02d}", f"{euros},- euro"))

    def time(self, later: bool = False) -> str:
        """A clock time; ``later`` gives one 1-3 hours after the previous (time windows)."""
        r = self.rng
        h = min(self._last_hour + r.randint(1, 3), 23) if later else r.randint(8, 20)
        self._last_hour = h
        m = r.choice((0, 15, 30, 45, 10, 5))
        lang, code = self.region.language, self.region.code
        if code == "US" or (code == "GB" and r.random() < 0.5):
            suffix = "am" if h < 12 else "pm"
            return f"{(h - 1) % 12 + 1}:{m:02d}{suffix}"
        if lang == "fr":
            return f"{h}h{m:02d}" if m else f"{h}h"
        if lang == "de":
            return f"{h}:{m:02d} Uhr" if r.random() < 0.5 else f"{h}.{m:02d}"
        return f"{h}:{m:02d}" if r.random() < 0.7 else f"{h}.{m:02d}"

    def quantity(self) -> str:
        r = self.rng
        n = r.randint(2, 12)
        unit = {
            "en": ("x", " pcs", " boxes", " packs"),
            "nl": ("x", " stuks", " dozen", " pakken"),
            "de": ("x", " Stück", " Packungen", " Kartons"),
            "fr": ("x", " pièces", " boîtes", " paquets"),
        }[self.region.language]
        return f"{n}{r.choice(unit)}"

    def product_code(self) -> str:
        r = self.rng
        letters = string.ascii_uppercase
        style = r.randrange(4)
        if style == 0:
            return f"{''.join(r.choices(letters, k=3))}-{r.randint(1000, 9999)}-{r.choice(letters)}"
        if style == 1:
            return f"87{r.randint(10**10, 10**11 - 1)}"  # EAN-13-like barcode
        if style == 2:
            return f"{''.join(r.choices(letters, k=2))}{r.randint(1000, 9999)}/{r.randint(10, 99)}"
        return f"3S{''.join(r.choices(letters, k=4))}{r.randint(10**6, 10**7 - 1)}"

    def version(self) -> str:
        r = self.rng
        return r.choice(
            (
                f"v{r.randint(1, 9)}.{r.randint(0, 20)}.{r.randint(0, 9)}",
                f"iOS {r.randint(15, 18)}.{r.randint(0, 6)}",
                f"Android {r.randint(11, 15)}",
                f"{r.randint(1, 5)}.{r.randint(0, 30)}.{r.randint(0, 99)}",
            )
        )

    def product(self) -> str:
        return self.rng.choice(data.PRODUCTS)

    def carrier(self) -> str:
        return self.rng.choice(data.CARRIERS[self.region.code])

    def shop(self) -> str:
        return self.rng.choice(data.SHOPS)

    def shop_domain(self, shop: str) -> str:
        return f"{_ascii_slug(shop)}.{self.region.tld}"
