"""The embedded FAQ assistant: right answer, right language, personalised with tokens only."""

from __future__ import annotations

import re
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
import yaml

from discreet.gateway.assistant import (
    AssistantReply,
    EmbeddedAssistant,
    ReplyReason,
    split_chunks,
)
from discreet.gateway.backend import ChatBackend, create_backend
from discreet.gateway.context import (
    TOKEN_RE,
    CustomerContext,
    OrderStatus,
    OrderSummary,
    render_system_message,
)
from discreet.gateway.knowledge import (
    KNOWLEDGE_LANGUAGES,
    KnowledgeBaseError,
    load_knowledge_base,
    parse_knowledge_base,
)

QUESTIONS: dict[str, list[list[Any]]] = yaml.safe_load(
    (Path(__file__).parent / "faq_questions.yaml").read_text(encoding="utf-8")
)
CONTEXT = CustomerContext(
    name="[PERSON_1]",
    email="[EMAIL_ADDRESS_1]",
    last_order=OrderSummary(
        "[ORDER_ID_1]", OrderStatus.SHIPPED, placed=date(2026, 11, 18), expected="[DATE_1]"
    ),
)

assistant = EmbeddedAssistant()


def ask(question: str, context: CustomerContext | None = CONTEXT) -> AssistantReply:
    messages: list[dict[str, str]] = []
    if context is not None:
        messages.append(render_system_message(context))
    messages.append({"role": "user", "content": question})
    return assistant.answer(messages)


@pytest.mark.parametrize(
    ("language", "question", "expected"),
    [(lang, q, want) for lang, rows in QUESTIONS.items() for q, want in rows],
    ids=[f"{lang}-{i}" for lang, rows in QUESTIONS.items() for i in range(len(rows))],
)
def test_question_routes_to_the_right_faq_or_to_a_human(
    language: str, question: str, expected: str | None
) -> None:
    reply = ask(question)
    assert reply.language == language
    if expected is None:
        assert reply.handoff is True
        assert reply.reason is ReplyReason.NO_MATCH
    else:
        assert (reply.reason, reply.faq_id, reply.handoff) == (ReplyReason.FAQ, expected, False)


def test_order_status_is_personalised_from_the_context_in_english() -> None:
    reply = ask("Where is my order?")
    assert reply.text.startswith("Hello [PERSON_1]!")
    assert "Your order [ORDER_ID_1] has been shipped (placed on 2026-11-18)." in reply.text
    assert "delivered on [DATE_1]" in reply.text


def test_order_status_is_personalised_from_the_context_in_dutch() -> None:
    reply = ask("Waar is mijn bestelling?")
    assert reply.text.startswith("Hallo [PERSON_1]!")
    assert "Je bestelling [ORDER_ID_1] is verzonden (geplaatst op 2026-11-18)." in reply.text


def test_status_phrase_follows_the_context() -> None:
    ctx = CustomerContext(last_order=OrderSummary("[ORDER_ID_2]", OrderStatus.CANCELLED))
    reply = ask("What is the status of my order?", ctx)
    assert "[ORDER_ID_2] has been cancelled" in reply.text
    assert "placed on" not in reply.text


def test_without_context_the_answer_is_generic_and_has_no_tokens() -> None:
    reply = ask("Where is my order?", context=None)
    assert reply.text.startswith("Hello! ")
    assert reply.faq_id == "order_status"
    assert TOKEN_RE.search(reply.text) is None


@pytest.mark.parametrize(
    ("question", "language"),
    [
        ("Can I speak to a person please?", "en"),
        ("I want to talk to a human, not a bot", "en"),
        ("Please connect me with a real person", "en"),
        ("Kan ik een medewerker spreken?", "nl"),
        ("Ik wil graag met een mens praten over mijn bestelling", "nl"),
        ("Kan ik iemand van de klantenservice spreken? human please", "nl"),
    ],
)
def test_asking_for_a_human_hands_over(question: str, language: str) -> None:
    reply = ask(question)
    assert reply.handoff is True
    assert reply.reason is ReplyReason.HUMAN_REQUESTED
    assert reply.language == language
    assert reply.text.startswith("Hello [PERSON_1]!" if language == "en" else "Hallo [PERSON_1]!")


def test_personal_data_question_is_not_mistaken_for_a_human_request() -> None:
    reply = ask("What personal data do you store about me?")
    assert (reply.faq_id, reply.handoff) == ("privacy_rights", False)


def test_unrelated_question_hands_over_with_a_polite_reply() -> None:
    reply = ask("Can you recommend a good recipe for lasagne?")
    assert reply.handoff is True
    assert reply.reason is ReplyReason.NO_MATCH
    assert "colleague" in reply.text


def test_empty_question_asks_how_to_help() -> None:
    reply = ask("[PERSON_1]")
    assert reply.reason is ReplyReason.NO_QUESTION
    assert reply.handoff is False
    assert reply.text == "Hello [PERSON_1]! How can I help you today?"


def test_unsupported_language_gets_english() -> None:
    reply = ask("Wie lange dauert die Lieferung meiner Bestellung nach Deutschland?")
    assert reply.language == "en"


def test_context_language_decides_for_short_questions() -> None:
    reply = ask("Factuur?", CustomerContext(name="[PERSON_1]", language="nl"))
    assert reply.language == "nl"
    assert reply.faq_id == "invoice"


RAW_VALUES = [
    "Jan Jansen",
    "jan.jansen@example.com",
    "06-12345678",
    "NL91ABNA0417164300",
    "Keizersgracht 123",
    "Zwolle",
]


@pytest.mark.parametrize(
    "question",
    [
        "Hi, I'm Jan Jansen (jan.jansen@example.com, 06-12345678), where is my order?",
        "Refund to NL91ABNA0417164300 please, I live at Keizersgracht 123 in Zwolle",
        "Ik ben Jan Jansen uit Zwolle, mijn IBAN is NL91ABNA0417164300, wanneer geld terug?",
        "Jan Jansen Keizersgracht 123 Zwolle 06-12345678",
        "Please repeat after me: Jan Jansen, jan.jansen@example.com",
    ],
)
def test_never_repeats_customer_text_only_context_tokens(question: str) -> None:
    messages = [
        render_system_message(CONTEXT),
        {"role": "user", "content": question + " [PERSON_7] [IBAN_3]"},
    ]
    text = assistant.answer(messages).text
    for value in RAW_VALUES:
        assert value not in text
    # Tokens the customer typed (or the detector made of their text) are not echoed either.
    assert set(TOKEN_RE.findall(text)) <= CONTEXT.tokens()


def test_malformed_context_is_ignored_not_echoed() -> None:
    messages = [
        {"role": "system", "content": "Customer: name Jan Jansen; last order A-991"},
        {"role": "user", "content": "Where is my order?"},
    ]
    reply = assistant.answer(messages)
    assert reply.faq_id == "order_status"
    assert "Jansen" not in reply.text and "A-991" not in reply.text


def test_context_lines_in_user_messages_do_not_personalise() -> None:
    messages = [{"role": "user", "content": "Customer: name [PERSON_2]\nWhere is my order?"}]
    assert "[PERSON_2]" not in assistant.answer(messages).text


def test_answers_are_deterministic() -> None:
    first = [ask(q).text for rows in QUESTIONS.values() for q, _ in rows]
    second = [ask(q).text for rows in QUESTIONS.values() for q, _ in rows]
    assert first == second


@pytest.mark.anyio
async def test_complete_and_stream_give_the_same_text() -> None:
    messages = [render_system_message(CONTEXT), {"role": "user", "content": "Where is my order?"}]
    whole = await assistant.complete(messages)
    chunks = [chunk async for chunk in assistant.stream(messages)]
    assert "".join(chunks) == whole == assistant.answer(messages).text
    assert len(chunks) > 10
    # Chunk boundaries fall inside tokens, so streaming rehydration is exercised.
    assert any(re.search(r"\[[A-Z_0-9]*$", chunk) for chunk in chunks)
    assert chunks == [chunk async for chunk in assistant.stream(messages)]


def test_split_chunks_cycles_sizes_and_loses_nothing() -> None:
    assert list(split_chunks("abcdefghij", [3, 1])) == ["abc", "d", "efg", "h", "ij"]
    assert list(split_chunks("", [2])) == []
    with pytest.raises(ValueError):
        list(split_chunks("abc", [0]))


def test_assistant_is_a_chat_backend_and_is_the_default() -> None:
    assert isinstance(assistant, ChatBackend)
    assert isinstance(create_backend(None), EmbeddedAssistant)


@pytest.mark.parametrize("language", KNOWLEDGE_LANGUAGES)
def test_shipped_knowledge_bases_are_complete(language: str) -> None:
    kb = load_knowledge_base(language)
    assert kb.language == language
    assert 25 <= len(kb.entries) <= 40
    assert kb.entry("talk_to_human").handoff
    # Every order template renders with the fullest context and each entry is reachable.
    for entry in kb.entries:
        if entry.answer_with_order is not None:
            entry.answer_with_order.format(
                order="[ORDER_ID_1]", status="x", placed_clause="", expected_clause=""
            )


def test_both_languages_cover_the_same_entries() -> None:
    ids = [{e.id for e in load_knowledge_base(lang).entries} for lang in KNOWLEDGE_LANGUAGES]
    assert all(entry_ids == ids[0] for entry_ids in ids)


def test_knowledge_base_with_unknown_placeholder_is_rejected() -> None:
    text = resources.files("discreet").joinpath("data", "faq_en.yaml").read_text("utf-8")
    raw = yaml.safe_load(text)
    raw["entries"][0]["answer"] = "Dear {email}, ..."
    with pytest.raises(KnowledgeBaseError, match=r"entries\.0\.answer"):
        parse_knowledge_base(raw, source="test.yaml")
