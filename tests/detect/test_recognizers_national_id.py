"""National identity numbers: NL BSN, US SSN, UK NINO, DE Steuer-ID, FR NIR, BE RRN, AT SVNR."""

from __future__ import annotations

import pytest
from stdnum.be import nn
from stdnum.de import idnr
from stdnum.fr import nir
from stdnum.nl import bsn
from stdnum.us import ssn

from discreet.detect import Detector, DetectorConfig, EntityType, NerConfig
from discreet.detect.base import DetectionInput, Finding
from discreet.detect.registry import RecognizerRegistry

THRESHOLD = DetectorConfig().threshold
REGISTRY = RecognizerRegistry.default()


def found(name: str, text: str, language: str = "en") -> list[Finding]:
    findings = list(REGISTRY.get(name).analyze(DetectionInput(text, language)))
    assert all(f.type is EntityType.NATIONAL_ID for f in findings)
    return findings


def one(name: str, text: str, language: str = "en") -> tuple[str, float, str | None]:
    [finding] = found(name, text, language)
    return finding.value(text), finding.score, finding.subtype


def complete(prefix: str, is_valid: object) -> str:
    """The first completion of `prefix` with one more digit that passes `is_valid`."""
    for digit in "0123456789":
        if is_valid(prefix + digit):  # type: ignore[operator]
            return prefix + digit
    raise AssertionError("no check digit found")  # pragma: no cover


BSN = "111222333"
BSN_2 = complete("12345678", bsn.is_valid)
STEUER_ID = complete("8609574271", idnr.is_valid)
NIR = "2951099126111" + nir.calc_check_digits("2951099126111")
BE_RRN = "850730033" + f"{97 - int('850730033') % 97:02d}"


def test_generated_numbers_are_valid() -> None:
    assert bsn.is_valid(BSN) and bsn.is_valid(BSN_2)
    assert idnr.is_valid(STEUER_ID)
    assert nir.is_valid(NIR)
    assert nn.is_valid(BE_RRN)


# ---------------------------------------------------------------- NL BSN


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"mijn BSN is {BSN}", BSN),
        (f"burgerservicenummer: {BSN_2}", BSN_2),
        (f"sofinummer {BSN[:4]}.{BSN[4:6]}.{BSN[6:]} graag", f"{BSN[:4]}.{BSN[4:6]}.{BSN[6:]}"),
        (f"BSN {BSN[:3]} {BSN[3:6]} {BSN[6:]}", f"{BSN[:3]} {BSN[3:6]} {BSN[6:]}"),
    ],
)
def test_bsn_with_context_is_reported(text: str, expected: str) -> None:
    value, score, subtype = one("nl_bsn", text, "nl")
    assert (value, subtype) == (expected, "NL_BSN")
    assert score >= THRESHOLD


def test_a_bsn_after_its_word_outranks_the_phone_number_it_also_reads_as() -> None:
    # 082194531 passes the 11-proof and is also a Dutch number of the 08 area.
    text = "de douane vroeg om mijn BSN-nummer: 082194531. Ik heb gisteren gebeld."
    found = [(f.value(text), f.type) for f in Detector().detect(text, language="nl")]
    assert ("082194531", EntityType.NATIONAL_ID) in found


@pytest.mark.parametrize(
    ("name", "text", "language", "expected"),
    [
        ("nl_bsn", f"mijn burgerservicenumer is {BSN}", "nl", BSN),
        ("de_steuer_id", f"Geboren am 1. Juli 2000, Steur-ID {STEUER_ID}, falls", "de",
         STEUER_ID),
    ],
)  # fmt: skip
def test_a_number_after_its_word_with_one_typo_is_reported(
    name: str, text: str, language: str, expected: str
) -> None:
    value, score, _ = one(name, text, language)
    assert value == expected
    assert score >= THRESHOLD


def test_a_frequent_word_one_edit_from_a_context_word_is_no_typo() -> None:
    # "Steuer" and "Nummer" are frequent German words: no typo of "Steuernummer" is read
    # in them, so the number stays below the threshold.
    _, score, _ = one("de_steuer_id", f"die Steuer Nummer {STEUER_ID} an", "de")
    assert score < THRESHOLD


def test_bsn_without_context_stays_below_threshold() -> None:
    _, score, _ = one("nl_bsn", f"referentie {BSN} ok", "nl")
    assert score < THRESHOLD


def test_bsn_failing_the_11_proof_is_not_reported() -> None:
    bad = BSN[:-1] + str((int(BSN[-1]) + 1) % 10)
    assert not bsn.is_valid(bad)
    assert found("nl_bsn", f"BSN {bad}", "nl") == []


def test_bsn_inside_a_longer_number_or_amount_is_not_reported() -> None:
    assert found("nl_bsn", f"BSN 9{BSN} of {BSN}.50 of NL{BSN}B01", "nl") == []


# ---------------------------------------------------------------- US SSN


def test_ssn_dashed_is_reported_alone_and_higher_with_context() -> None:
    value, score, subtype = one("us_ssn", "ssn is 536-90-4399 ok")
    assert (value, subtype) == ("536-90-4399", "US_SSN")
    _, plain, _ = one("us_ssn", "ref 536-90-4399")
    assert plain >= THRESHOLD
    assert score > plain


def test_ssn_bare_digits_need_context() -> None:
    _, plain, _ = one("us_ssn", "ref 536904399")
    assert plain < THRESHOLD
    _, context, _ = one("us_ssn", "social security number 536904399")
    assert context >= THRESHOLD


@pytest.mark.parametrize(
    "bad",
    ["000-12-3456", "666-12-3456", "912-12-3456", "123-00-4567", "123-45-0000", "078-05-1120"],
)
def test_ssn_rules_reject_numbers_never_issued(bad: str) -> None:
    assert not ssn.is_valid(bad)
    assert found("us_ssn", f"SSN {bad}") == []


# ---------------------------------------------------------------- UK NINO


@pytest.mark.parametrize("nino", ["AB123456C", "AB 12 34 56 C", "JG 10 38 59 D"])
def test_nino_is_reported(nino: str) -> None:
    value, score, subtype = one("uk_nino", f"my NI number is {nino}.")
    assert (value, subtype) == (nino, "UK_NINO")
    assert score >= 0.85


@pytest.mark.parametrize("bad", ["QQ123456C", "GB123456A", "AB123456E", "DA123456A", "AO123456A"])
def test_nino_prefix_and_suffix_rules(bad: str) -> None:
    assert found("uk_nino", f"NINO {bad}") == []


# ---------------------------------------------------------------- DE Steuer-ID


def test_steuer_id_with_context() -> None:
    spaced = f"{STEUER_ID[:2]} {STEUER_ID[2:5]} {STEUER_ID[5:8]} {STEUER_ID[8:]}"
    for form in (STEUER_ID, spaced):
        value, score, subtype = one("de_steuer_id", f"Meine Steuer-ID ist {form}.", "de")
        assert (value, subtype) == (form, "DE_STEUER_ID")
        assert score >= THRESHOLD
    _, plain, _ = one("de_steuer_id", f"Vorgang {STEUER_ID}", "de")
    assert plain < THRESHOLD


def test_steuer_id_failing_its_check_is_not_reported() -> None:
    bad = STEUER_ID[:-1] + str((int(STEUER_ID[-1]) + 1) % 10)
    assert found("de_steuer_id", f"Steueridentifikationsnummer {bad}", "de") == []


# ---------------------------------------------------------------- FR NIR


def test_nir_printed_and_compact() -> None:
    printed = f"{NIR[0]} {NIR[1:3]} {NIR[3:5]} {NIR[5:7]} {NIR[7:10]} {NIR[10:13]} {NIR[13:]}"
    for form in (NIR, printed):
        value, score, subtype = one("fr_nir", f"numéro de sécurité sociale : {form}", "fr")
        assert (value, subtype) == (form, "FR_NIR")
        assert score >= 0.8


def test_nir_with_wrong_key_is_not_reported() -> None:
    bad = NIR[:-2] + f"{(int(NIR[-2:]) + 1) % 97:02d}"
    assert found("fr_nir", f"sécu {bad}", "fr") == []


# ---------------------------------------------------------------- BE RRN


def test_be_national_number_printed_and_bare() -> None:
    printed = f"{BE_RRN[:2]}.{BE_RRN[2:4]}.{BE_RRN[4:6]}-{BE_RRN[6:9]}.{BE_RRN[9:]}"
    value, score, subtype = one("be_rrn", f"rijksregisternummer {printed}", "nl")
    assert (value, subtype) == (printed, "BE_RRN")
    assert score >= 0.85
    value, score, _ = one("be_rrn", f"numéro national {BE_RRN}", "fr")
    assert value == BE_RRN and score >= THRESHOLD
    _, plain, _ = one("be_rrn", f"dossier {BE_RRN}", "fr")
    assert plain < THRESHOLD


def test_be_national_number_with_wrong_check_is_not_reported() -> None:
    bad = BE_RRN[:-2] + f"{(int(BE_RRN[-2:]) + 1) % 97:02d}"
    assert found("be_rrn", f"rijksregisternummer {bad}", "nl") == []


# ---------------------------------------------------------------- through the detector


def test_detector_picks_the_subtype_the_context_names() -> None:
    detector = Detector(DetectorConfig(ner=NerConfig(backend="none")))
    text = f"BSN: {BSN}"
    [finding] = detector.detect(text, "nl")
    assert (finding.type, finding.subtype, finding.value(text)) == (
        EntityType.NATIONAL_ID,
        "NL_BSN",
        BSN,
    )
    assert detector.detect(f"artikel {BSN}", "nl") == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("meine SV-Nummer ist 1756 280801, bitte", "1756 280801"),
        ("Sozialversicherungsnummer: 9498251173.", "9498251173"),
    ],
)
def test_austrian_svnr_with_context_is_reported(text: str, expected: str) -> None:
    value, score, subtype = one("at_svnr", text, "de")
    assert (value, subtype) == (expected, "AT_SVNR")
    assert score >= THRESHOLD


def test_austrian_svnr_needs_context_and_a_valid_check_digit() -> None:
    [(finding)] = found("at_svnr", "Rufnummer 9498251173", "de")
    assert finding.score < THRESHOLD  # ten digits alone: anything
    assert found("at_svnr", "SV-Nummer 9498251174", "de") == []  # the check digit fails


def test_belgian_number_after_the_abbreviated_word() -> None:
    value, score, _ = one("be_rrn", "Mijn rijksregisternr. is 77021160220, dank u", "nl")
    assert value == "77021160220" and score >= THRESHOLD
