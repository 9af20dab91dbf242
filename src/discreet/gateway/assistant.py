"""The embedded default assistant: answers from the FAQ knowledge base, fully offline.

With no upstream model configured, the gateway sends the minimised, pseudonymised turn
here. The assistant

* reads the ``Customer: ...`` context line from the system messages (`context.py`),
* detects the language of the latest user message (English or Dutch; others get English),
* hands over to a person when the customer asks for one, or when no FAQ entry matches well,
* otherwise answers with the best FAQ entry, greeting by name token and filling in the
  order token, status and dates from the context.

Answers are assembled only from knowledge-base text and values taken from the parsed
context (tokens, statuses from a closed list, re-formatted dates). Nothing the customer
typed is ever copied into an answer, so the assistant cannot leak a value the detector
missed. It is deterministic: the same messages always give the same answer and chunks.

It implements `ChatBackend` (``complete`` and ``stream``) like the upstream client; `answer`
additionally returns the handoff flag and which entry matched, for the gateway and audit.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from discreet.detect.language import detect_language
from discreet.gateway.backend import ChatMessage
from discreet.gateway.context import (
    TOKEN_RE,
    ContextFormatError,
    CustomerContext,
    extract_context,
    message_text,
)
from discreet.gateway.knowledge import KNOWLEDGE_LANGUAGES, KnowledgeBase, get_index

FALLBACK_LANGUAGE = "en"
# Stream chunk sizes, cycled. Uneven and small so tokens like "[ORDER_ID_1]" get split
# across chunks and the streaming rehydrator downstream is exercised on every answer.
DEFAULT_CHUNK_SIZES: tuple[int, ...] = (7, 3, 11, 2, 5, 13, 1, 8)


class ReplyReason(StrEnum):
    """Why the assistant answered the way it did (safe to log and audit)."""

    FAQ = "faq"
    HUMAN_REQUESTED = "human_requested"
    NO_MATCH = "no_match"
    NO_QUESTION = "no_question"


@dataclass(frozen=True, slots=True)
class AssistantReply:
    """An answer plus what the gateway needs to act on it. Holds tokens, never values."""

    text: str
    language: str
    reason: ReplyReason
    handoff: bool
    faq_id: str | None = None
    score: float | None = None  # best BM25 score, when retrieval ran


def split_chunks(text: str, sizes: Sequence[int] = DEFAULT_CHUNK_SIZES) -> Iterator[str]:
    """Cut `text` into consecutive pieces of the given sizes (cycled); deterministic."""
    if not sizes or any(size < 1 for size in sizes):
        raise ValueError("chunk sizes must be positive")
    position = 0
    for size in itertools.cycle(sizes):
        if position >= len(text):
            return
        yield text[position : position + size]
        position += size


def _last_user_text(messages: Sequence[ChatMessage]) -> str:
    for message in reversed(messages):
        if message.get("role") == "user":
            return message_text(message)
    return ""


def _format_date(value: date | str) -> str:
    # Dates were parsed from the context: a date object is re-formatted, a token passed on.
    return value.isoformat() if isinstance(value, date) else value


class EmbeddedAssistant:
    """FAQ assistant with the `ChatBackend` interface. Cheap to create; indexes are shared."""

    def __init__(self, chunk_sizes: Sequence[int] = DEFAULT_CHUNK_SIZES) -> None:
        if not chunk_sizes or any(size < 1 for size in chunk_sizes):
            raise ValueError("chunk sizes must be positive")
        self._chunk_sizes = tuple(chunk_sizes)

    @staticmethod
    def warm_up() -> None:
        """Build every language's index now (e.g. at app start-up) instead of on first use."""
        for language in KNOWLEDGE_LANGUAGES:
            get_index(language)

    def answer(self, messages: Sequence[ChatMessage]) -> AssistantReply:
        """Answer the latest user message, personalised from the context line."""
        try:
            context = extract_context(messages) or CustomerContext()
        except ContextFormatError:
            # A malformed context must not break the turn; answer without personal details.
            context = CustomerContext()
        question = _last_user_text(messages)
        language = self._language(question, context)
        index = get_index(language)
        kb = index.kb
        greeting = self._greeting(kb, context)

        if not TOKEN_RE.sub(" ", question).strip():
            return AssistantReply(
                f"{greeting} {kb.no_question}", language, ReplyReason.NO_QUESTION, False
            )
        if self._asks_for_human(question):
            entry = kb.entry("talk_to_human")
            return AssistantReply(
                f"{greeting} {entry.answer}",
                language,
                ReplyReason.HUMAN_REQUESTED,
                True,
                faq_id=entry.id,
            )
        match = index.best(question)
        if match is None or match.score < kb.min_score:
            return AssistantReply(
                f"{greeting} {kb.handoff_no_match}",
                language,
                ReplyReason.NO_MATCH,
                True,
                score=None if match is None else match.score,
            )
        entry = match.entry
        body = entry.answer
        if entry.answer_with_order is not None and context.last_order is not None:
            body = self._order_answer(kb, entry.answer_with_order, context)
        reason = ReplyReason.HUMAN_REQUESTED if entry.handoff else ReplyReason.FAQ
        return AssistantReply(
            f"{greeting} {body}", language, reason, entry.handoff, entry.id, match.score
        )

    async def complete(
        self, messages: Sequence[ChatMessage], *, params: Mapping[str, Any] | None = None
    ) -> str:
        """`ChatBackend.complete`; `params` (temperature, ...) do not apply and are ignored."""
        return self.answer(messages).text

    async def stream(
        self, messages: Sequence[ChatMessage], *, params: Mapping[str, Any] | None = None
    ) -> AsyncIterator[str]:
        """`ChatBackend.stream`: the answer in uneven chunks that split words and tokens."""
        for chunk in split_chunks(self.answer(messages).text, self._chunk_sizes):
            yield chunk
            await asyncio.sleep(0)  # let other turns run, like a real network stream

    async def aclose(self) -> None:
        """Nothing to release; present for the `ChatBackend` interface."""

    # -- helpers -------------------------------------------------------------------------

    @staticmethod
    def _language(question: str, context: CustomerContext) -> str:
        # Tokens are not the customer's words; leave them out of language identification.
        default = context.language if context.language in KNOWLEDGE_LANGUAGES else None
        language = detect_language(TOKEN_RE.sub(" ", question), default or FALLBACK_LANGUAGE)
        return language if language in KNOWLEDGE_LANGUAGES else FALLBACK_LANGUAGE

    @staticmethod
    def _asks_for_human(question: str) -> bool:
        # Any language's phrasing counts: a Dutch customer may well write "human".
        text = TOKEN_RE.sub(" ", question)
        return any(
            pattern.search(text)
            for language in KNOWLEDGE_LANGUAGES
            for pattern in get_index(language).kb.compiled_handoff_patterns
        )

    @staticmethod
    def _greeting(kb: KnowledgeBase, context: CustomerContext) -> str:
        if context.name is None:
            return kb.greeting_anonymous
        return kb.greeting.format(name=context.name)

    @staticmethod
    def _order_answer(kb: KnowledgeBase, template: str, context: CustomerContext) -> str:
        order = context.last_order
        assert order is not None  # checked by the caller
        status = kb.status_unknown if order.status is None else kb.statuses[order.status]
        placed = (
            ""
            if order.placed is None
            else kb.placed_clause.format(placed=_format_date(order.placed))
        )
        expected = (
            ""
            if order.expected is None
            else kb.expected_clause.format(expected=_format_date(order.expected))
        )
        return template.format(
            order=order.order, status=status, placed_clause=placed, expected_clause=expected
        )
