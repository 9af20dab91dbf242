"""Regions: which Faker locale, phone region and ID scheme a text's customer belongs to.

A Dutch-language text may come from the Netherlands or from Flanders, a German one from
Germany or Austria; the region decides phone formats, IBAN country, postcodes and which
national ID a customer would quote.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Region:
    code: str
    """Key into the static lists in :mod:`discreet.evaluation.data` ("NL", "BE_FR", ...)."""
    language: str
    name_locale: str
    """Faker locale for person names and companies."""
    address_locale: str
    """Faker locale for street names and postcodes."""
    phone_region: str
    """ISO country code for phonenumbers (parsing national formats, validation)."""
    iban_locale: str
    tld: str
    weight: float
    """Relative share of this region among texts of its language."""


REGIONS: tuple[Region, ...] = (
    Region("GB", "en", "en_GB", "en_GB", "GB", "en_GB", "co.uk", 0.6),
    Region("US", "en", "en_US", "en_US", "US", "en_GB", "com", 0.4),
    Region("NL", "nl", "nl_NL", "nl_NL", "NL", "nl_NL", "nl", 0.75),
    Region("BE_NL", "nl", "nl_BE", "nl_BE", "BE", "nl_BE", "be", 0.25),
    Region("DE", "de", "de_DE", "de_DE", "DE", "de_DE", "de", 0.75),
    Region("AT", "de", "de_AT", "de_AT", "AT", "de_AT", "at", 0.25),
    Region("FR", "fr", "fr_FR", "fr_FR", "FR", "fr_FR", "fr", 0.75),
    # Faker's fr_BE has names but falls back to en_US for addresses and phones, so a
    # French-speaking Belgian gets nl_BE postcodes, phones and IBANs (same country).
    Region("BE_FR", "fr", "fr_BE", "nl_BE", "BE", "nl_BE", "be", 0.25),
)

REGIONS_BY_LANGUAGE: dict[str, tuple[Region, ...]] = {
    lang: tuple(r for r in REGIONS if r.language == lang) for lang in ("en", "nl", "de", "fr")
}

FAKER_LOCALES: tuple[str, ...] = tuple(
    sorted(
        {r.name_locale for r in REGIONS}
        | {r.address_locale for r in REGIONS}
        | {r.iban_locale for r in REGIONS}
    )
)
