"""Transparency: AI disclosure on the first answer, handoff to a human, conversation state."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from tests.api.conftest import DISCLOSURE, MARIEKE, POLICY, Api, make_api, parse_sse
from tests.support.upstream import RecordingUpstream, Script

from discreet.audit import AccessContext
from discreet.consent.decision import RequireConsentChecker
from discreet.gateway.turn import NOT_ALLOWED_MESSAGE
from discreet.policy import parse_policy
from discreet.policy.models import DEFAULT_DISCLOSURE, DEFAULT_HANDOFF


def state(api: Api, conversation: str, key: str = "support") -> dict:
    response = api.client.get(
        f"/v1/conversations/{conversation}",
        headers={"Authorization": f"Bearer {api.keys[key]}"},
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


def say(api: Api, text: str, conversation: str, **kwargs: object) -> str:
    response = api.chat(text, conversation=conversation, **kwargs)  # type: ignore[arg-type]
    assert response.status_code == 200, response.text
    assert response.headers["X-Discreet-Conversation"] == conversation
    return str(response.json()["choices"][0]["message"]["content"])


def test_the_embedded_assistant_answers_personally_with_disclosure_once(embedded_api: Api) -> None:
    first = say(embedded_api, "Where is my order?", "conv-e")
    second = say(embedded_api, "How long does delivery take?", "conv-e")

    assert first.startswith(DISCLOSURE) and "Marieke van Oosterhout" in first
    assert not second.startswith(DISCLOSURE)
    assert embedded_api.upstream.requests == []  # no upstream configured: nothing leaves
    shown = state(embedded_api, "conv-e")
    assert shown["turns"] == 2 and shown["handoff"] is False
    assert shown["subject"] == embedded_api.audit("gateway.turn")[-1].subject
    assert shown["assistant"] == "support"


def test_the_embedded_assistant_streams_with_split_tokens(embedded_api: Api) -> None:
    streamed = embedded_api.chat("Where is my order?", conversation="conv-s", stream=True)
    whole = embedded_api.chat("Where is my order?", conversation="conv-s")

    text = "".join(e["choices"][0]["delta"].get("content", "") for e in parse_sse(streamed.text))
    assert text == DISCLOSURE + whole.json()["choices"][0]["message"]["content"]
    assert "[PERSON_" not in text and "Marieke van Oosterhout" in text


def test_asking_for_a_human_hands_the_conversation_over(api: Api) -> None:
    api.upstream.set_default(Script(text="Model answer"))

    answer = say(api, "Ik wil een mens spreken", "conv-h")  # Dutch trigger from the policy

    assert answer == DISCLOSURE + "A human colleague will take over."
    assert api.upstream.requests == []  # the model is not asked
    assert state(api, "conv-h")["handoff"] is True
    assert state(api, "conv-h")["handoff_reason"] == "customer_request"


def test_the_embedded_assistants_handoff_is_marked(embedded_api: Api) -> None:
    say(embedded_api, "Can I speak to a representative please?", "conv-r")
    assert state(embedded_api, "conv-r")["handoff"] is True


def test_processing_not_allowed_answers_so_and_hands_over(api: Api) -> None:
    api.gateway.consent = RequireConsentChecker()
    # Make the support purpose one that needs consent: a policy with consent as basis.
    grant = api.gateway.policy.access("support", "customer_support")
    assert not grant.requires_consent  # contract: the checker lets it through
    assert say(api, "Hello", "conv-ok").startswith(DISCLOSURE)

    class Deny:
        def check(self, subject: str | None, grant: object) -> object:
            from discreet.consent.decision import ConsentDecision

            return ConsentDecision(False, "objection")

    api.gateway.consent = Deny()  # type: ignore[assignment]
    answer = say(api, "Hello", "conv-no")
    assert NOT_ALLOWED_MESSAGE in answer and "A human colleague will take over." in answer
    assert state(api, "conv-no")["handoff_reason"] == "objection"
    assert len(api.upstream.requests) == 1  # only the allowed turn went upstream


def test_conversation_state_is_private_to_its_assistant(api: Api) -> None:
    api.upstream.set_default(Script(text="Hi"))
    say(api, "Hello", "conv-p")
    other = api.client.get(
        "/v1/conversations/conv-p", headers={"Authorization": f"Bearer {api.keys['billing']}"}
    )
    missing = api.client.get(
        "/v1/conversations/nope", headers={"Authorization": f"Bearer {api.keys['support']}"}
    )
    assert other.status_code == 404 and missing.status_code == 404


def test_a_new_conversation_id_is_made_up_and_returned(api: Api) -> None:
    api.upstream.set_default(Script(text="Hi"))
    response = api.chat("Hello", subject=MARIEKE)
    conversation = response.headers["X-Discreet-Conversation"]
    assert conversation.startswith("conv_")
    assert state(api, conversation)["turns"] == 1


def test_consent_records_and_restrictions_decide_through_the_consent_gate(api: Api) -> None:
    from discreet.audit import AccessContext, ActorKind, LegalBasis
    from discreet.consent import ConsentGate
    from discreet.consent.limits import LimitKind, ProcessingLimits

    api.upstream.set_default(Script(text="Model answer"))
    api.gateway.consent = ConsentGate.for_vault(api.vault)
    assert say(api, "Hello", "conv-g1") == DISCLOSURE + "Model answer"  # contract: allowed

    subject = api.audit("gateway.turn")[-1].subject
    assert subject is not None
    operator = AccessContext("dpo", "rights_request", LegalBasis.LEGAL_OBLIGATION, ActorKind.USER)
    limits = ProcessingLimits(api.vault.audit_log.db, tenant=api.vault.tenant)
    limits.set(subject, LimitKind.OBJECTION, reason="customer objected", ctx=operator)
    objected = say(api, "Hello again", "conv-g2")
    assert NOT_ALLOWED_MESSAGE in objected and "Model answer" not in objected

    limits.set(subject, LimitKind.RESTRICTION, reason="accuracy contested", ctx=operator)
    restricted = api.chat("Hello", conversation="conv-g3")
    # Refused outright, with the reason: no answer, no colleague promised either.
    assert restricted.status_code == 403
    error = restricted.json()["error"]
    assert error["code"] == "processing_restricted" and "restricted" in error["message"]
    assert api.audit("gateway.turn")[-1].details["reason"] == "processing_restricted"
    assert len(api.upstream.requests) == 1


@pytest.fixture
def default_texts_api(
    store_env: Any,
    recording_upstream: RecordingUpstream,
    sample_subjects: dict[str, dict[str, str]],
    ctx: AccessContext,
) -> Iterator[Api]:
    """The test policy without its own disclosure and handoff: discreet's defaults."""
    text = POLICY.split("disclosure:\n", 1)[0] + "detection:\n  ner:\n    backend: none\n"
    built = make_api(
        store_env, parse_policy(text, "<default texts>"), recording_upstream, sample_subjects, ctx
    )
    with built.client:
        yield built


@pytest.mark.parametrize(
    ("question", "language"),
    [
        ("Waar is mijn bestelling? Ik heb hem vorige week besteld.", "nl"),
        ("Wo ist meine Bestellung? Ich habe sie letzte Woche bestellt.", "de"),
        ("Où est ma commande ? Je l'ai commandée la semaine dernière.", "fr"),
        ("Where is my order? I ordered it last week.", "en"),
    ],
)
def test_the_customer_reads_the_disclosure_in_their_language(
    default_texts_api: Api, question: str, language: str
) -> None:
    default_texts_api.upstream.set_default(Script(text="Model answer"))
    answer = say(default_texts_api, question, f"conv-{language}")
    assert answer == DEFAULT_DISCLOSURE[language] + "\n\nModel answer"


@pytest.mark.parametrize(
    ("request_for_a_person", "language"),
    [
        ("Kan ik een medewerker spreken?", "nl"),
        ("Ich möchte bitte mit einem Mitarbeiter sprechen.", "de"),
        ("Je voudrais parler à un conseiller, s'il vous plaît.", "fr"),
    ],
)
def test_asking_for_a_person_works_in_every_language(
    default_texts_api: Api, request_for_a_person: str, language: str
) -> None:
    answer = say(default_texts_api, request_for_a_person, f"conv-h-{language}")
    assert answer == DEFAULT_DISCLOSURE[language] + "\n\n" + DEFAULT_HANDOFF[language]
    assert default_texts_api.upstream.requests == []
    assert state(default_texts_api, f"conv-h-{language}")["handoff_reason"] == "customer_request"
    # "personne" is French for "nobody" as well: no handoff on it.
    default_texts_api.upstream.set_default(Script(text="Model answer"))
    assert "Model answer" in say(default_texts_api, "Personne ne répond au téléphone.", "conv-f2")
