"""National identity numbers, each checked by its own rules (python-stdnum).

One recognizer per country, because each has its own context words: "BSN" makes a nine-digit
number a Dutch BSN, "SSN" an American one. Bare digit runs are ambiguous (one random number
in eleven passes the BSN 11-proof) and score below the detector threshold until a context
word is near; formats with letters or a fixed punctuation score higher on their own.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from stdnum.at import vnr
from stdnum.be import nn
from stdnum.de import idnr
from stdnum.fr import nir
from stdnum.nl import bsn
from stdnum.us import ssn

from discreet.detect.base import DIGIT, Pattern, PatternRecognizer
from discreet.detect.context import Typos, all_languages
from discreet.detect.entities import EntityType
from discreet.detect.registry import builtin
from discreet.detect.validators import digits, is_uk_nino, safe

# Not part of a longer number, amount, date or identifier. The start check is a look-behind
# after the first digit ("\d(?<!x\d)" rather than "(?<!x)\d"): a regex that begins with a
# character class is scanned several times faster.
_D = r"\d(?<![\w.,/+-]\d)"
_E = r"(?![\w]|[.,/-]?\d)"

# With its own country's word before it, a number that passes the country's checksum is
# that number, also where it reads as a phone number too (a phone scores 0.7): "mijn
# BSN-nummer: 082194531" is a BSN, not a Dutch number starting with 08.
CONTEXT_BOOST = 0.45


class _NationalIdRecognizer(PatternRecognizer):
    trigger = DIGIT

    subtype = ""

    def __init__(self, patterns: Sequence[Pattern]) -> None:
        super().__init__(
            self.subtype.lower(),
            EntityType.NATIONAL_ID,
            patterns,
            context=all_languages(self.subtype),
            context_boost=CONTEXT_BOOST,
        )
        # "Steur-ID 43876621504", "burgerservicenumer 111222333": the number passes its
        # checksum, so one edit in the word before it is evidence enough.
        self.typos = Typos(self.subtype)


# stdnum's own `compact` does not drop every separator people type (SSN: spaces), so the
# validators get the digits only.
_bsn_check = safe(bsn.is_valid)
_ssn_check = safe(ssn.is_valid)
_idnr_check = safe(idnr.is_valid)
_nir_check = safe(nir.is_valid)
_nn_check = safe(nn.is_valid)
_vnr_check = safe(vnr.is_valid)


def _bsn_valid(candidate: str) -> bool:
    return _bsn_check(digits(candidate))


def _ssn_valid(candidate: str) -> bool:
    return _ssn_check(digits(candidate))


def _idnr_valid(candidate: str) -> bool:
    return _idnr_check(digits(candidate))


def _nir_valid(candidate: str) -> bool:
    # Corsica's departments 2A/2B are letters, so only spaces are dropped here.
    return _nir_check(candidate.replace(" ", ""))


def _nn_valid(candidate: str) -> bool:
    return _nn_check(digits(candidate))


def _vnr_valid(candidate: str) -> bool:
    return _vnr_check(digits(candidate))


@builtin
class DutchBsnRecognizer(_NationalIdRecognizer):
    """Burgerservicenummer: nine digits passing the 11-proof ("1112.22.333" also)."""

    subtype = "NL_BSN"

    def __init__(self) -> None:
        regex = re.compile(
            rf"{_D}(?:\d{{8}}|\d{{3}}\.\d{{2}}\.\d{{3}}|\d{{2}}([ .-])\d{{3}}\1\d{{3}}){_E}"
        )
        super().__init__([Pattern(regex, 0.3, _bsn_valid, subtype=self.subtype)])


@builtin
class UsSsnRecognizer(_NationalIdRecognizer):
    """Social Security number: area/group/serial rules (no 000, 666, 9xx; no 00; no 0000)."""

    subtype = "US_SSN"

    def __init__(self) -> None:
        super().__init__(
            [
                # 123-45-6789 is the form an SSN is written in; bare digits are anyone's.
                Pattern(
                    re.compile(rf"{_D}\d{{2}}-\d{{2}}-\d{{4}}{_E}"),
                    0.45,
                    _ssn_valid,
                    subtype=self.subtype,
                ),
                Pattern(
                    re.compile(rf"{_D}(?:\d{{2}} \d{{2}} \d{{4}}|\d{{8}}){_E}"),
                    0.2,
                    _ssn_valid,
                    subtype=self.subtype,
                ),
            ]
        )


@builtin
class UkNinoRecognizer(_NationalIdRecognizer):
    """National Insurance number: "QQ 12 34 56 A" shape with HMRC's prefix rules."""

    subtype = "UK_NINO"

    def __init__(self) -> None:
        regex = re.compile(r"[A-Z](?<![\w-][A-Z])[A-Z] ?\d{2} ?\d{2} ?\d{2} ?[A-D](?![\w-])")
        super().__init__([Pattern(regex, 0.6, is_uk_nino, subtype=self.subtype)])


@builtin
class GermanSteuerIdRecognizer(_NationalIdRecognizer):
    """Steuerliche Identifikationsnummer: 11 digits, digit-repetition rule, ISO 7064 check."""

    subtype = "DE_STEUER_ID"

    def __init__(self) -> None:
        regex = re.compile(rf"{_D}(?:\d{{10}}|\d \d{{3}} \d{{3}} \d{{3}}){_E}")
        super().__init__([Pattern(regex, 0.3, _idnr_valid, subtype=self.subtype)])


@builtin
class FrenchNirRecognizer(_NationalIdRecognizer):
    """NIR (numéro de sécurité sociale): sex, birth year/month, place, order, mod-97 key."""

    subtype = "FR_NIR"

    def __init__(self) -> None:
        regex = re.compile(
            r"[12](?<![\w.,/+-][12]) ?\d{2} ?(?:0[1-9]|1[0-2]|[2-9]\d) ?(?:\d{2}|2[AB])"
            rf" ?\d{{3}} ?\d{{3}} ?\d{{2}}{_E}"
        )
        super().__init__([Pattern(regex, 0.5, _nir_valid, subtype=self.subtype)])


@builtin
class BelgianNationalNumberRecognizer(_NationalIdRecognizer):
    """Rijksregisternummer / numéro national: birth date, serial, mod-97 check."""

    subtype = "BE_RRN"

    def __init__(self) -> None:
        printed = re.compile(rf"{_D}\d\.\d{{2}}\.\d{{2}}[- ]\d{{3}}\.\d{{2}}{_E}")
        bare = re.compile(rf"{_D}(?:\d{{10}}|\d{{5}}[- ]\d{{3}}[- ]?\d{{2}}){_E}")
        super().__init__(
            [
                Pattern(printed, 0.6, _nn_valid, subtype=self.subtype),
                Pattern(bare, 0.3, _nn_valid, subtype=self.subtype),
            ]
        )


@builtin
class AustrianSvnrRecognizer(_NationalIdRecognizer):
    """Sozialversicherungsnummer: a serial, a check digit and the birth date (DDMMYY), ten
    digits often written "1234 010180"."""

    subtype = "AT_SVNR"

    def __init__(self) -> None:
        regex = re.compile(rf"{_D}(?:\d{{9}}|\d{{3}} \d{{6}}){_E}")
        super().__init__([Pattern(regex, 0.3, _vnr_valid, subtype=self.subtype)])
