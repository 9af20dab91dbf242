"""Blind indexes: keyed HMACs of normalised identifiers, for look-ups without plaintext.

The HMAC key is a per-tenant random key held in the key store (wrapped by the master key),
never in the data store, so the digests in a data backup cannot be brute-forced from a
list of likely e-mail addresses or customer numbers.

Normalisation makes equal identifiers equal however they were typed: e-mail lower-cased,
phone numbers in E.164, names case- and accent-folded, IBANs without spaces in upper case.
Names, e-mail addresses and references are folded (`transform.fold`: NFKC, invisible
characters, homoglyphs), so a look-up of what a model wrote finds what an import stored.
"""

from __future__ import annotations

import hmac
import re
import struct
import unicodedata
from collections.abc import Iterable
from enum import StrEnum

import phonenumbers

from discreet.transform.fold import fold
from discreet.vault.crypto import associated_data


class IdentifierKind(StrEnum):
    EMAIL = "email"
    PHONE = "phone"
    NAME = "name"
    IBAN = "iban"
    CUSTOMER_NUMBER = "customer_number"
    SUBJECT_REF = "subject_ref"
    # Forms the output guard looks up (see `vault.identifiers`): any reference number
    # (customer, order, invoice, postcode, IBAN) as upper-case letters and digits; the
    # digits alone of numbers (phones in international and national form, references);
    # a date (ISO); a name as initial(s) plus surname.
    REFERENCE = "reference"
    NUMBER = "number"
    DATE = "date"
    NAME_INITIALS = "name_initials"


_SPACES = re.compile(r"\s+")
_NOT_NAME = re.compile(r"[^\w\s]", re.UNICODE)
_NOT_DIGIT = re.compile(r"[^0-9]")
_NOT_ALNUM = re.compile(r"[^0-9A-Z]")


def normalize_phone(value: str, region: str | None) -> str:
    """E.164 when parseable (using `region` for national numbers), else ``+digits``."""
    compact = value.strip()
    if compact.startswith("00"):  # the international call prefix used in most of Europe
        compact = "+" + compact[2:]
    try:
        number = phonenumbers.parse(compact, region)
        if phonenumbers.is_possible_number(number):
            return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))
    except phonenumbers.NumberParseException:
        pass
    digits = _NOT_DIGIT.sub("", compact)
    return ("+" + digits) if compact.startswith("+") else digits


def normalize(kind: IdentifierKind, value: str, *, phone_region: str | None = None) -> str:
    """The canonical form of an identifier of `kind`."""
    value = unicodedata.normalize("NFKC", value).strip()
    if kind is IdentifierKind.EMAIL:
        return _SPACES.sub("", fold(value))
    if kind is IdentifierKind.PHONE:
        return normalize_phone(value, phone_region)
    if kind is IdentifierKind.NAME or kind is IdentifierKind.NAME_INITIALS:
        return _SPACES.sub(" ", _NOT_NAME.sub(" ", fold(value))).strip()
    if kind is IdentifierKind.REFERENCE:
        return _NOT_ALNUM.sub("", fold(value).upper())
    if kind is IdentifierKind.NUMBER:
        return _NOT_DIGIT.sub("", value)
    if kind is IdentifierKind.DATE:
        return value  # ISO 8601, made so by `vault.identifiers.parse_date`
    if kind is IdentifierKind.IBAN:
        return _SPACES.sub("", value).upper()
    if kind is IdentifierKind.CUSTOMER_NUMBER:
        return _SPACES.sub("", value).upper()
    return value  # SUBJECT_REF: exact, as the operator's system spells it


MAX_REMEMBERED_DIGESTS = 65_536
"""Digests `BlindIndexer.digest_many` keeps (about 10 MB at most)."""


class BlindIndexer:
    """Computes blind-index digests for one tenant with that tenant's index key."""

    __slots__ = ("_digests", "_key", "_phone_region", "_tenant")

    def __init__(self, key: bytes, tenant: str, *, phone_region: str | None = None) -> None:
        self._key = key
        self._tenant = tenant
        self._phone_region = phone_region
        # The output guard digests the same candidate spans turn after turn (names,
        # numbers of the conversation's own answers); a digest is a pure function of the
        # key and the query, so it is remembered rather than normalised and MACed again.
        self._digests: dict[tuple[IdentifierKind, str], bytes] = {}

    def digest(self, kind: IdentifierKind, value: str) -> bytes:
        canonical = normalize(kind, value, phone_region=self._phone_region)
        message = associated_data("discreet/blind-index/v1", self._tenant, kind.value, canonical)
        return hmac.digest(self._key, message, "sha256")

    def digest_many(self, queries: Iterable[tuple[IdentifierKind, str]]) -> list[bytes]:
        """`digest` of each query, with the message prefix built once per kind (the output
        guard digests hundreds of candidate spans per answer). Same bytes as `digest`."""
        prefixes: dict[IdentifierKind, bytes] = {}
        out: list[bytes] = []
        known = self._digests
        if len(known) > MAX_REMEMBERED_DIGESTS:
            known.clear()  # bounded; refilled by the next answers
        for query in queries:
            digest = known.get(query)
            if digest is None:
                kind, value = query
                prefix = prefixes.get(kind)
                if prefix is None:
                    prefix = associated_data("discreet/blind-index/v1", self._tenant, kind.value)
                    prefixes[kind] = prefix
                raw = normalize(kind, value, phone_region=self._phone_region).encode("utf-8")
                message = prefix + struct.pack(">I", len(raw)) + raw
                digest = known[query] = hmac.digest(self._key, message, "sha256")
            out.append(digest)
        return out

    def __repr__(self) -> str:
        return f"BlindIndexer(tenant={self._tenant!r})"
