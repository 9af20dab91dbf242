"""The known-subject recognizer: the current customer's own values and their variants."""

from __future__ import annotations

import gc

import pytest

from discreet.detect import Detector, DetectorConfig, EntityType, KnownSubject, NerConfig
from discreet.detect.base import DetectionInput
from discreet.detect.recognizers.known_subject import (
    EXACT_SCORE,
    FIRST_NAME_SCORE,
    VARIANT_SCORE,
    KnownSubjectRecognizer,
    find_subject_values,
)

SUBJECT = KnownSubject(
    name="Jan de Vries",
    email="Jan.deVries@Example.nl",
    phone="+31 6 12345678",
    street_address="Kerkstraat 12",
    postal_code="1234 AB",
    city="Amsterdam",
    iban="NL91ABNA0417164300",
    customer_number="KL-123456",
    date_of_birth="1985-03-14",
    extra={EntityType.ORDER_ID: ["A-98765"]},
)


def found(text: str, subject: KnownSubject = SUBJECT) -> list[tuple[EntityType, str, float]]:
    return [(f.type, f.value(text), f.score) for f in find_subject_values(text, subject)]


def values(text: str, subject: KnownSubject = SUBJECT) -> list[str]:
    return [v for _t, v, _s in found(text, subject)]


@pytest.mark.parametrize(
    "variant",
    [
        "J. de Vries",
        "J.de Vries",
        "J de Vries",
        "de Vries",
        "De Vries",
        "jan de vries",
        "Jan  de\nVries",
        "JAN DE VRIES",
    ],
)
def test_name_variants_are_found_whole(variant: str) -> None:
    text = f"Goedemiddag, u spreekt met {variant}, ik bel over mijn order."
    assert found(text) == [(EntityType.PERSON, variant, VARIANT_SCORE)]


def test_exact_full_name_scores_highest_and_beats_its_parts() -> None:
    text = "Dit is Jan de Vries."
    assert found(text) == [(EntityType.PERSON, "Jan de Vries", EXACT_SCORE)]


def test_title_is_not_part_of_the_name() -> None:
    assert values("Mevrouw De Vries belde gisteren") == ["De Vries"]


def test_lone_first_name_scores_lower() -> None:
    assert found("Groetjes, Jan") == [(EntityType.PERSON, "Jan", FIRST_NAME_SCORE)]


def test_surname_core_alone_needs_a_capital() -> None:
    assert values("Vries belde") == ["Vries"]
    assert values("hij vries het in") == []


@pytest.mark.parametrize("text", ["de", "van de", "De bestelling", "een jan-en-alleman", "ja"])
def test_particles_and_lowercase_words_are_not_names(text: str) -> None:
    subject = KnownSubject(name="Jan van de Berg")
    assert values(text, subject) == []


def test_one_and_two_letter_name_parts_are_ignored() -> None:
    subject = KnownSubject(name="Li Wu")
    assert values("Li is er niet, Wu wel", subject) == []
    assert values("dit is Li Wu", subject) == ["Li Wu"]


def test_initials_of_several_given_names() -> None:
    subject = KnownSubject(name="Anna Maria Jansen")
    text = "A.M. Jansen en Anna Jansen en AM Jansen en Anna Maria"
    assert values(text, subject) == ["A.M. Jansen", "Anna Jansen", "AM Jansen", "Anna Maria"]


def test_accents_may_be_left_out() -> None:
    subject = KnownSubject(name="Jürgen Müller")
    assert values("Herr Muller und Jurgen Muller", subject) == ["Muller", "Jurgen Muller"]


@pytest.mark.parametrize(
    "variant",
    ["+31 6 12345678", "0612345678", "06-12 34 56 78", "0031612345678", "+31 (0)6 1234 5678"],
)
def test_phone_in_other_formats(variant: str) -> None:
    text = f"bel me op {variant} aub"
    assert values(text) == [variant]
    assert found(text)[0][0] == EntityType.PHONE_NUMBER


def test_exact_phone_scores_exact() -> None:
    assert found("bel +31 6 12345678")[0][2] == EXACT_SCORE


@pytest.mark.parametrize("other", ["+31 6 12345679", "0612345677", "+32 6 12345678", "612345"])
def test_other_phone_numbers_are_not_the_subjects(other: str) -> None:
    assert values(f"bel me op {other}") == []


def test_phone_without_trunk_prefix_country() -> None:
    subject = KnownSubject(phone="+1 415 555 2671")
    text = "call (415) 555-2671 or 1-415-555-2671 or +1 415 555 2672"
    assert values(text, subject) == ["(415) 555-2671", "1-415-555-2671"]


def test_iban_with_and_without_spaces_any_case() -> None:
    text = "IBAN NL91 ABNA 0417 1643 00 of nl91abna0417164300 of NL91ABNA0417164300."
    assert found(text) == [
        (EntityType.IBAN, "NL91 ABNA 0417 1643 00", VARIANT_SCORE),
        (EntityType.IBAN, "nl91abna0417164300", VARIANT_SCORE),
        (EntityType.IBAN, "NL91ABNA0417164300", EXACT_SCORE),
    ]


def test_email_is_case_insensitive_and_whole() -> None:
    text = "mail jan.devries@example.nl of xjan.devries@example.nl"
    assert found(text) == [(EntityType.EMAIL_ADDRESS, "jan.devries@example.nl", VARIANT_SCORE)]


def test_customer_number_with_and_without_separators() -> None:
    text = "klantnummer KL123456, kl-123456 en KL 123456; niet KL-1234567 of KL-123456-2"
    assert values(text) == ["KL123456", "kl-123456", "KL 123456"]


def test_postal_code_city_street_and_order_id() -> None:
    text = "Adres: kerkstraat 12, 1234ab AMSTERDAM. Order A98765."
    assert found(text) == [
        (EntityType.STREET_ADDRESS, "kerkstraat 12", VARIANT_SCORE),
        (EntityType.POSTAL_CODE, "1234ab", VARIANT_SCORE),
        (EntityType.LOCATION, "AMSTERDAM", VARIANT_SCORE),
        (EntityType.ORDER_ID, "A98765", VARIANT_SCORE),
    ]


@pytest.mark.parametrize(
    "variant",
    ["1985-03-14", "14-03-1985", "14.3.1985", "14/03/1985", "14 maart 1985", "14. März 1985",
     "March 14, 1985", "14 mars 1985", "14th March 1985"],
)  # fmt: skip
def test_date_of_birth_formats(variant: str) -> None:
    text = f"geboren op {variant}, klopt dat?"
    assert found(text) == [
        (EntityType.DATE_OF_BIRTH, variant, EXACT_SCORE if variant == "1985-03-14" else 0.9)
    ]


def test_other_dates_are_not_the_birth_date() -> None:
    assert values("op 15-03-1985 en 14-03-1986 en 1985-03-140") == []


def test_no_subject_no_findings() -> None:
    recognizer = KnownSubjectRecognizer()
    assert list(recognizer.analyze(DetectionInput("Jan de Vries", "nl"))) == []


def test_empty_subject_finds_nothing() -> None:
    assert values("Jan de Vries", KnownSubject()) == []


def test_matcher_is_built_once_per_subject() -> None:
    recognizer = KnownSubjectRecognizer()
    assert recognizer.matcher(SUBJECT) is recognizer.matcher(SUBJECT)


def test_cache_never_mixes_up_subjects_whose_ids_are_reused() -> None:
    recognizer = KnownSubjectRecognizer(cache_size=2)
    for i in range(50):  # freed subjects' ids get reused by new objects
        subject = KnownSubject(name=f"Klant{i} Achternaam{i}")
        text = f"Dit is Klant{i} Achternaam{i}."
        item = DetectionInput(text, "nl", subject)
        assert [f.value(text) for f in recognizer.analyze(item)] == [f"Klant{i} Achternaam{i}"]
        del subject, item
        gc.collect()


def test_detector_passes_the_subject_and_merges_with_other_recognizers() -> None:
    detector = Detector(DetectorConfig(ner=NerConfig(backend="none")))
    text = "Hoi, ik ben J. de Vries, bel me op 06-12 34 56 78."
    with_subject = detector.detect(text, language="nl", subject=SUBJECT)
    assert ("J. de Vries", EntityType.PERSON) in [(f.value(text), f.type) for f in with_subject]
    known = [f for f in with_subject if f.recognizer == "known_subject"]
    assert {f.value(text) for f in known} >= {"J. de Vries"}
    without = detector.detect(text, language="nl")
    assert all(f.recognizer != "known_subject" for f in without)


def test_subject_repr_does_not_leak_values() -> None:
    assert "Vries" not in repr(SUBJECT)


def test_the_matcher_is_reused_for_the_same_values_in_a_new_object() -> None:
    # The gateway builds a new KnownSubject every turn; the matcher is built once.
    recognizer = KnownSubjectRecognizer()
    first = recognizer.matcher(KnownSubject(name="Jan de Vries", phone="+31612345678"))
    again = recognizer.matcher(KnownSubject(name="Jan de Vries", phone="+31612345678"))
    other = recognizer.matcher(KnownSubject(name="Jan de Vries", phone="+31612345679"))
    assert again is first
    assert other is not first
    text = "bel me op 06-12345679"
    assert [f.value(text) for f in other.find(text, "known_subject")] == ["06-12345679"]
    assert first.find(text, "known_subject") == []
