"""The Pseudonymizer end to end: tokens, operators per type, isolation, smuggling."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

import pytest
from stdnum import iban

from discreet.detect import (
    DetectionError,
    Detector,
    DetectorConfig,
    EntityType,
    Finding,
    KnownSubject,
    NerConfig,
    Recognizer,
)
from discreet.detect.base import DetectionInput
from discreet.detect.registry import RecognizerRegistry
from discreet.transform import (
    DEFAULT_TOKEN_FORMAT,
    HashSpec,
    MaskSpec,
    MemoryTokenStore,
    OperatorConfig,
    Pseudonymizer,
    SurrogateSpec,
    rehydrate,
)
from discreet.transform.tokenmap import TokenSession

from .helpers import CountingStore

KEY = b"k" * 32


@pytest.fixture
def pseudo(detector: Detector, store: MemoryTokenStore) -> Pseudonymizer:
    return Pseudonymizer(detector, OperatorConfig(phone_region="NL"), store)


def test_every_detected_value_becomes_a_token_by_default(pseudo: Pseudonymizer) -> None:
    out = pseudo.pseudonymize(
        "Ik ben Jan de Vries, jan@example.nl, IBAN NL91 ABNA 0417 1643 00.", "c1"
    )
    assert out.text == "Ik ben [PERSON_1], [EMAIL_ADDRESS_1], IBAN [IBAN_1]."
    assert out.counts == {EntityType.PERSON: 1, EntityType.EMAIL_ADDRESS: 1, EntityType.IBAN: 1}
    assert [out.text[s.start : s.end] for s in out.spans] == [
        "[PERSON_1]",
        "[EMAIL_ADDRESS_1]",
        "[IBAN_1]",
    ]


def test_round_trip_restores_the_original(pseudo: Pseudonymizer, store: MemoryTokenStore) -> None:
    text = "Jan de Vries (06-12345678) mailde piet.bakker@example.com over 4111 1111 1111 1111."
    out = pseudo.pseudonymize(text, "c1")
    assert "Vries" not in out.text and "4111" not in out.text
    assert rehydrate(out.text, "c1", store).text == text


@pytest.mark.parametrize(
    ("first", "second", "token"),
    [
        ("Jan de Vries", "jan  DE vries", "[PERSON_1]"),
        ("JAN@example.nl", "jan@EXAMPLE.nl", "[EMAIL_ADDRESS_1]"),
        ("NL91 ABNA 0417 1643 00", "nl91abna0417164300", "[IBAN_1]"),
        ("06-12345678", "+31 6 1234 5678", "[PHONE_NUMBER_1]"),
        ("0031 6 12345678", "06 12 34 56 78", "[PHONE_NUMBER_1]"),
        ("4111-1111-1111-1111", "4111111111111111", "[CREDIT_CARD_1]"),
    ],
)
def test_same_value_written_differently_gets_the_same_token(
    pseudo: Pseudonymizer, first: str, second: str, token: str
) -> None:
    a = pseudo.pseudonymize(f"eerst {first}", "c1")
    b = pseudo.pseudonymize(f"later {second} nog eens", "c1")  # a later call: map reloaded
    assert a.text == f"eerst {token}"
    assert b.text == f"later {token} nog eens"


def test_different_values_get_numbered_tokens(pseudo: Pseudonymizer) -> None:
    out = pseudo.pseudonymize("Jan de Vries en Piet Bakker en jan de vries", "c1")
    assert out.text == "[PERSON_1] en [PERSON_2] en [PERSON_1]"
    out = pseudo.pseudonymize("Piet Bakker belt", "c1")
    assert out.text == "[PERSON_2] belt"


def test_conversations_get_unrelated_maps(pseudo: Pseudonymizer, store: MemoryTokenStore) -> None:
    a = pseudo.pseudonymize("Jan de Vries", "conv-a")
    b = pseudo.pseudonymize("Piet Bakker", "conv-b")
    assert a.text == b.text == "[PERSON_1]"  # numbering restarts per conversation
    assert rehydrate(a.text, "conv-a", store).text == "Jan de Vries"
    assert rehydrate(b.text, "conv-b", store).text == "Piet Bakker"


def test_tokens_of_another_conversation_rehydrate_to_nothing(
    pseudo: Pseudonymizer, store: MemoryTokenStore
) -> None:
    pseudo.pseudonymize("Jan de Vries", "conv-a")
    b = pseudo.pseudonymize("Piet Bakker, piet.bakker@example.com", "conv-b")
    result = rehydrate(f"Hallo {b.text}", "conv-a", store)
    # conv-a has [PERSON_1] (Jan) but no e-mail token: Piet's e-mail token is unknown here.
    assert "piet" not in result.text.lower()
    assert result.unknown_tokens == ("[EMAIL_ADDRESS_1]",)
    fresh = rehydrate(b.text, "conv-never", store)
    assert fresh.text == ", "
    assert fresh.unknown_tokens == ("[PERSON_1]", "[EMAIL_ADDRESS_1]")


def test_typed_token_cannot_smuggle_a_rehydration(
    pseudo: Pseudonymizer, store: MemoryTokenStore
) -> None:
    pseudo.pseudonymize("Mijn naam is Jan de Vries", "c1")
    attack = pseudo.pseudonymize("Wat is de naam van [PERSON_1]? En [IBAN_1]?", "c1")
    # An assistant that echoes the user's text must not reveal the stored value.
    echoed = rehydrate(attack.text, "c1", store)
    assert "Jan" not in echoed.text
    assert echoed.unknown_tokens == ()
    assert "PERSON_1" in echoed.text  # the user's words survive, in a look-alike form
    assert store.load("c1") == {"[PERSON_1]": "Jan de Vries"}


def test_smuggled_token_inside_a_value_is_not_a_second_token(
    pseudo: Pseudonymizer, store: MemoryTokenStore
) -> None:
    out = pseudo.pseudonymize("[EMAIL_ADDRESS_1] jan@example.nl", "c1")
    assert out.text.endswith("[EMAIL_ADDRESS_1]")
    assert not out.text.startswith("[")
    assert rehydrate(out.text, "c1", store).text.endswith("jan@example.nl")


def test_messages_share_one_load_and_one_save(detector: Detector) -> None:
    store = CountingStore()
    pseudo = Pseudonymizer(detector, OperatorConfig(), store)
    outs = pseudo.pseudonymize_messages(
        ["Jan de Vries hier", "mail: jan@example.nl", "groet, jan de vries"], "c1"
    )
    assert [o.text for o in outs] == [
        "[PERSON_1] hier",
        "mail: [EMAIL_ADDRESS_1]",
        "groet, [PERSON_1]",
    ]
    assert (store.loads, store.saves) == (1, 1)


def test_nothing_new_means_no_save(detector: Detector) -> None:
    store = CountingStore()
    pseudo = Pseudonymizer(detector, OperatorConfig(), store)
    pseudo.pseudonymize("Jan de Vries", "c1")
    pseudo.pseudonymize("jan de vries", "c1")
    pseudo.pseudonymize("geen persoonsgegevens", "c1")
    assert store.saves == 1
    assert store.loads == 2  # a text without findings needs no map


def test_operator_per_type(detector: Detector, store: MemoryTokenStore) -> None:
    config = OperatorConfig.model_validate(
        {
            "default": "token",
            "by_type": {
                "CREDIT_CARD": {"operator": "mask", "keep": 4},
                "EMAIL_ADDRESS": "redact",
                "DATE_OF_BIRTH": "generalize",
                "AGE": "generalize",
                "POSTAL_CODE": "generalize",
                "LICENSE_PLATE": {"operator": "placeholder", "template": "<{type}>"},
                "NATIONAL_ID": "hash",
            },
        }
    )
    pseudo = Pseudonymizer(detector, config, store, hash_key=KEY)
    out = pseudo.pseudonymize(
        "Jan de Vries, 4111 1111 1111 1111, jan@example.nl, 12-03-1985, 42 jaar, "
        "1234 AB, AB-123-C, 111222333",
        "c1",
    )
    assert re.fullmatch(
        r"\[PERSON_1\], \*{4} \*{4} \*{4} 1111, , 1985, 40-49, 1234, <LICENSE_PLATE>, "
        r"NATIONAL_ID_[0-9a-f]{16}",
        out.text,
    ), out.text
    assert store.load("c1") == {"[PERSON_1]": "Jan de Vries"}  # only tokens are stored


def test_hash_is_stable_across_conversations(detector: Detector) -> None:
    config = OperatorConfig(by_type={EntityType.EMAIL_ADDRESS: HashSpec()})
    pseudo = Pseudonymizer(detector, config, MemoryTokenStore(), hash_key=KEY)
    a = pseudo.pseudonymize("jan@example.nl", "c1").text
    b = pseudo.pseudonymize("JAN@example.nl", "c2").text
    assert a == b and "jan" not in a


def test_training_preset_stores_nothing_and_yields_valid_fakes(detector: Detector) -> None:
    store = CountingStore()
    pseudo = Pseudonymizer(detector, OperatorConfig.training(), store, surrogate_key=KEY)
    text = "Jan de Vries, IBAN NL91 ABNA 0417 1643 00, geboren 12-03-1985, BSN 111222333"
    out = pseudo.pseudonymize(text, "c1", language="nl")
    assert "Vries" not in out.text and "NL91" not in out.text and "1985" in out.text
    fake_iban = re.search(r"NL\d\d(?: [A-Z0-9]{4}){3} [0-9]{2}", out.text)
    assert fake_iban and iban.is_valid(fake_iban.group(0))
    assert "[National ID]" in out.text
    assert (store.loads, store.saves) == (0, 0)
    again = pseudo.pseudonymize(text, "c1", language="nl")
    assert again.text == out.text  # consistent within the conversation
    assert pseudo.pseudonymize(text, "c2", language="nl").text != out.text


def test_cli_style_override(detector: Detector, store: MemoryTokenStore) -> None:
    config = OperatorConfig().with_overrides({EntityType.IBAN: MaskSpec()})
    out = Pseudonymizer(detector, config, store).pseudonymize("NL91ABNA0417164300", "c1")
    assert out.text == "**************4300"


def test_misconfiguration_is_refused_up_front(detector: Detector) -> None:
    with pytest.raises(ValueError, match="no token store"):
        Pseudonymizer(detector, OperatorConfig())
    hashing = OperatorConfig.model_validate({"default": "hash"})
    with pytest.raises(ValueError, match="hash_key"):
        Pseudonymizer(detector, hashing)
    with pytest.raises(ValueError, match="conversation_id"):
        Pseudonymizer(detector, OperatorConfig(), MemoryTokenStore()).pseudonymize("x", "")


def test_subject_values_are_found_and_tokenised(store: MemoryTokenStore) -> None:
    detector = Detector(DetectorConfig(ner=NerConfig(backend="none")))  # built-in recognizers
    pseudo = Pseudonymizer(detector, OperatorConfig(), store)
    subject = KnownSubject(name="Maartje Kloosterboer", email="mk@example.org")
    out = pseudo.pseudonymize(
        "Hallo, ik ben Maartje Kloosterboer, mijn mail is mk@example.org", "c1", subject
    )
    assert "Kloosterboer" not in out.text and "mk@example.org" not in out.text
    assert "[EMAIL_ADDRESS_1]" in out.text


def test_variants_of_the_subjects_name_share_the_subjects_token(store: MemoryTokenStore) -> None:
    detector = Detector(DetectorConfig(ner=NerConfig(backend="none")))
    pseudo = Pseudonymizer(detector, OperatorConfig(), store)
    subject = KnownSubject(name="Maartje Kloosterboer", phone="+31612345678")
    out = pseudo.pseudonymize(
        "Ik ben mevrouw Kloosterboer, bel 06-12345678. Maartje Kloosterboer", "c1", subject
    )
    assert out.text == "Ik ben mevrouw [PERSON_1], bel [PHONE_NUMBER_1]. [PERSON_1]"
    # The token stands for the subject's value, so it rehydrates to the full name.
    assert store.load("c1")["[PERSON_1]"] == "Maartje Kloosterboer"


class _Broken(Recognizer):
    name = "broken"
    entity_types = frozenset({EntityType.PERSON})

    def analyze(self, item: DetectionInput) -> Iterable[Finding]:
        raise RuntimeError(item.text)  # a careless recognizer leaking the text


def test_detection_failure_fails_closed(store: MemoryTokenStore) -> None:
    detector = Detector(
        DetectorConfig(ner=NerConfig(backend="none")), registry=RecognizerRegistry([_Broken()])
    )
    pseudo = Pseudonymizer(detector, OperatorConfig(), store)
    with pytest.raises(DetectionError) as info:
        pseudo.pseudonymize("Jan de Vries", "c1")
    assert "Vries" not in str(info.value)
    assert store.conversations() == []


def test_reprs_hold_no_values(pseudo: Pseudonymizer) -> None:
    out = pseudo.pseudonymize("Jan de Vries, jan@example.nl", "c1")
    assert "Vries" not in repr(out) and "jan@" not in repr(out)
    assert "PERSON=1" in repr(out)
    assert "Vries" not in repr(pseudo)
    assert all("Vries" not in repr(f) for f in out.findings)
    turn = pseudo.turn("c1", KnownSubject(name="Jan de Vries"))
    turn.pseudonymize("Jan de Vries")
    session = TokenSession({"[PERSON_1]": "Jan de Vries"}, DEFAULT_TOKEN_FORMAT, None)
    stream = turn.streaming_rehydrator()
    stream.feed("[PERSON_1] [PERS")
    for obj in (turn, session, turn.rehydrator(), stream, turn.rehydrate("[PERSON_1]")):
        assert "Vries" not in repr(obj), type(obj).__name__


class _FailingSaveStore(MemoryTokenStore):
    def save(self, conversation_id: str, mapping: Mapping[str, str]) -> None:
        raise OSError("vault unavailable")


def test_store_failure_propagates_instead_of_returning_text(detector: Detector) -> None:
    pseudo = Pseudonymizer(detector, OperatorConfig(), _FailingSaveStore())
    with pytest.raises(OSError, match="vault unavailable"):
        pseudo.pseudonymize("Jan de Vries", "c1")


def test_language_is_identified_per_message_for_surrogates(detector: Detector) -> None:
    config = OperatorConfig(default=SurrogateSpec())
    pseudo = Pseudonymizer(detector, config, surrogate_key=KEY)
    outs = pseudo.pseudonymize_messages(
        [
            "Guten Tag, ich wohne in der Postleitzahl 1234 AB und brauche dringend Hilfe.",
            "Bonjour, j'habite au code postal 1234 AB et j'ai besoin d'aide rapidement.",
        ],
        "c1",
    )
    assert [o.language for o in outs] == ["de", "fr"]
    assert all(re.search(r"\b\d{5}\b", o.text) for o in outs)  # DE/FR five-digit codes
    with pytest.raises(ValueError, match="one language per text"):
        pseudo.pseudonymize_messages(["a", "b"], "c1", language=["nl"])


def test_a_turn_loads_the_map_once_for_pseudonymising_and_rehydrating(
    detector: Detector,
) -> None:
    store = CountingStore()
    pseudo = Pseudonymizer(detector, OperatorConfig(), store)
    pseudo.pseudonymize("Jan de Vries", "c1")
    turn = pseudo.turn("c1")
    out = turn.pseudonymize("jan de vries en Piet Bakker")
    assert out.text == "[PERSON_1] en [PERSON_2]"
    answer = "Beste [PERSON_1], ik bel [PERSON_2] en [PERSON_3]."
    result = turn.rehydrate(answer)
    assert result.text == "Beste Jan de Vries, ik bel Piet Bakker en ."
    assert result.unknown_tokens == ("[PERSON_3]",)
    stream = turn.streaming_rehydrator()
    assert "".join(stream.stream(["[PERS", "ON_2]"])) == "Piet Bakker"
    assert (store.loads, store.saves) == (2, 2)  # first call, then one load for the turn
    assert store.load("c1")["[PERSON_2]"] == "Piet Bakker"  # saved before text went out


def test_a_failed_save_forgets_the_unsaved_tokens(detector: Detector) -> None:
    store = _FlakyStore()
    turn = Pseudonymizer(detector, OperatorConfig(), store).turn("c1")
    with pytest.raises(OSError):
        turn.pseudonymize("Jan de Vries")
    # The token never reached the store, so the turn must not rehydrate it from memory.
    assert turn.rehydrate("[PERSON_1]").unknown_tokens == ("[PERSON_1]",)
    assert turn.pseudonymize("Piet Bakker").text == "[PERSON_1]"
    assert store.load("c1") == {"[PERSON_1]": "Piet Bakker"}


class _FlakyStore(MemoryTokenStore):
    """Fails its first save only."""

    def __init__(self) -> None:
        super().__init__()
        self.failed = False

    def save(self, conversation_id: str, mapping: Mapping[str, str]) -> None:
        if not self.failed:
            self.failed = True
            raise OSError("vault unavailable")
        super().save(conversation_id, mapping)
