"""One conversation's token map while it is being extended: look up or allocate tokens."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence

import phonenumbers

from discreet.detect.entities import EntityType
from discreet.transform.normalize import normalize_value
from discreet.transform.tokenformat import TokenFormat

MAX_REMEMBERED_REGIONS = 20_000
_KEY = os.urandom(32)
_REGIONS: dict[bytes, str | None] = {}


class TokenSession:
    """A loaded ``token -> value`` map plus the reverse index needed to reuse tokens.

    The reverse index is keyed by (type, normalised value), so "Jan de Vries" and
    "jan  de vries" get one token. It is rebuilt from the stored map on load rather than
    stored itself, so the vault holds exactly one copy of each value.
    """

    __slots__ = (
        "_counters",
        "_format",
        "_index",
        "_phone_region",
        "_phone_regions",
        "changed",
        "mapping",
    )

    def __init__(
        self,
        mapping: dict[str, str],
        token_format: TokenFormat,
        phone_region: str | None,
        phone_hints: Sequence[str] = (),
    ) -> None:
        self.mapping = mapping
        self.changed = False
        self._format = token_format
        self._phone_region = phone_region
        # Regions a national number ("07911 123456") is read in when no deployment region
        # is set: those of the international numbers this conversation has seen (the
        # subject's own phone first, via `phone_hints`), so "+44 7911 123456", "07911
        # 123456" and "07911123456" are one number and one token. Derived from the map
        # and the subject only, so a reload gives the same tokens.
        self._phone_regions: list[str] = []
        self._index: dict[tuple[EntityType, str], str] = {}
        self._counters: dict[EntityType, int] = {}
        for hint in phone_hints:
            self._learn_region(hint)
        for token, value in mapping.items():
            parsed = token_format.parse(token)
            if parsed is None:
                continue  # written with another token format; still rehydrates nothing here
            entity_type, number = parsed
            if entity_type is EntityType.PHONE_NUMBER:
                self._learn_region(value)
            key = (entity_type, self._normalize(entity_type, value))
            self._index.setdefault(key, token)
            self._counters[entity_type] = max(self._counters.get(entity_type, 0), number)

    def _normalize(self, entity_type: EntityType, value: str) -> str:
        normalized = normalize_value(entity_type, value, self._phone_region)
        if entity_type is not EntityType.PHONE_NUMBER or normalized.startswith("+"):
            return normalized
        for region in self._phone_regions:
            candidate = _valid_in(value, region)
            if candidate is not None:
                return candidate
        return normalized

    def _learn_region(self, value: str) -> None:
        """Note the region of an international number; national numbers already indexed
        by their digits get an alias under the E.164 form they have in that region."""
        region = phone_region_of(value)
        if region is None or region in self._phone_regions or region == self._phone_region:
            return
        self._phone_regions.append(region)
        for (entity_type, key), token in list(self._index.items()):
            if entity_type is EntityType.PHONE_NUMBER and not key.startswith("+"):
                e164 = _valid_in(key, region)
                if e164 is not None:
                    self._index.setdefault((entity_type, e164), token)

    def token_for(self, entity_type: EntityType, value: str, normalized: str | None = None) -> str:
        """The conversation's token for `value`, allocating the next number if it is new."""
        if entity_type is EntityType.PHONE_NUMBER:
            self._learn_region(value)
        if normalized is None:
            normalized = self._normalize(entity_type, value)
        key = (entity_type, normalized)
        token = self._index.get(key)
        if token is None:
            number = self._counters.get(entity_type, 0) + 1
            self._counters[entity_type] = number
            token = self._format.make(entity_type, number)
            self._index[key] = token
            self.mapping[token] = value
            self.changed = True
        return token

    def __repr__(self) -> str:
        return f"TokenSession(<{len(self.mapping)} tokens>)"


def phone_region_of(value: str) -> str | None:
    """The region of a number written internationally ("+44 ..."), else None.

    Every turn rebuilds its session from the stored map and so reads the same numbers
    again; parsing one costs tens of microseconds. The region (a country code, nothing
    personal) is remembered per number under a keyed hash, so no number is kept."""
    text = value.strip()
    if not text.startswith(("+", "00")):
        return None
    key = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), key=_KEY, digest_size=16)
    digest = key.digest()
    found = _REGIONS.get(digest, "")  # "" (no region is None): not seen yet
    if found != "":
        return found
    if len(_REGIONS) >= MAX_REMEMBERED_REGIONS:
        _REGIONS.clear()  # bounded; refilled by the next turns
    region = _REGIONS[digest] = _region_of(text)
    return region


def _region_of(text: str) -> str | None:
    try:
        number = phonenumbers.parse("+" + text[2:] if text.startswith("00") else text, None)
    except phonenumbers.NumberParseException:
        return None
    region = phonenumbers.region_code_for_number(number)
    return region if region and region != "ZZ" else None


def _valid_in(value: str, region: str) -> str | None:
    """E.164 of a national number that is a valid number in `region` (not merely of a
    possible length: "06-12345678" is Dutch, not British), else None."""
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))
