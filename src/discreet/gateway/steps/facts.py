"""The values a turn passes from step to step (`gateway/steps`), each frozen.

A step takes the facts of the steps before it and returns its own; none changes what it
was given, so what a step may rely on is what its inputs say, and a refused turn leaves
no half-filled bag behind (`turn.Gateway.run_turn` ties the steps together).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from discreet.audit.context import AccessContext
from discreet.audit.log import AuditEvent
from discreet.conversations.apikeys import ApiKeyInfo
from discreet.conversations.states import ConversationState
from discreet.detect.base import KnownSubject
from discreet.detect.entities import EntityType
from discreet.guard import GuardResult, InboundSignal
from discreet.policy import AccessGrant
from discreet.transform.pseudonymizer import ConversationTurn


@dataclass(frozen=True, slots=True)
class TurnRequest:
    """A validated chat request plus the caller's identity and the discreet headers."""

    key: ApiKeyInfo
    messages: Sequence[Mapping[str, Any]]
    model: str
    stream: bool = False
    purpose: str | None = None
    subject_ref: str | None = None
    conversation_id: str | None = None
    params: Mapping[str, Any] = field(default_factory=dict)

    def __repr__(self) -> str:
        return f"TurnRequest(assistant={self.key.assistant!r}, messages={len(self.messages)})"


@dataclass(frozen=True, slots=True)
class Admitted:
    """`admit`: the purpose is granted, the conversation open and bound to `subject`."""

    request: TurnRequest
    conversation_id: str
    grant: AccessGrant
    ctx: AccessContext
    subject: str | None
    state: ConversationState | None  # None: the conversation starts with this turn
    confirm: bool  # bound earlier: the vault read must confirm the reference still names it
    first_turn: bool
    started_at: datetime  # when the conversation began: history is what came before

    def __repr__(self) -> str:
        return f"Admitted(conversation={self.conversation_id!r})"


@dataclass(frozen=True, slots=True)
class Heard:
    """`listen`: the customer's own words of this turn, their language and signals."""

    user_texts: tuple[str, ...]
    own_text: str
    language: str
    signals: frozenset[InboundSignal]

    @property
    def last_user(self) -> str:
        return self.user_texts[-1] if self.user_texts else ""

    def __repr__(self) -> str:
        return f"Heard(<{len(self.own_text)} chars>, language={self.language!r})"


@dataclass(frozen=True, slots=True)
class ShortAnswer:
    """`decide`: the turn is answered without the model (not allowed, or a person's)."""

    text: str
    handoff_reason: str


@dataclass(frozen=True, slots=True)
class ContextRead:
    """`read_context`: the granted fields, what detection knows of the subject, and the
    conversation's token map, from ONE audited vault read (all empty when anonymous)."""

    granted: Mapping[str, str] = field(default_factory=dict)
    known: KnownSubject | None = None
    token_map: Mapping[str, str] | None = None

    def __repr__(self) -> str:
        return f"ContextRead(fields={sorted(self.granted)})"


@dataclass(frozen=True, slots=True)
class Outbound:
    """`pseudonymise`: what goes to the model, and what the later steps need of it."""

    turn: ConversationTurn
    messages: tuple[Mapping[str, Any], ...]  # exactly what the upstream receives
    known_values: tuple[str, ...]  # raw values detection found (the token map holds them)
    entities_in: frozenset[EntityType]
    sent_fields: frozenset[str]
    dropped_fields: frozenset[str]
    transcript: tuple[tuple[str, str], ...]  # this turn's new messages, pseudonymised
    history_messages: int
    withheld: int  # raw identifiers withheld from the upstream (gateway/outbound.py)

    def __repr__(self) -> str:
        return f"Outbound(messages={len(self.messages)})"


@dataclass(frozen=True, slots=True)
class Prepared:
    """The inbound half of a turn: admitted, heard, and either a short answer or the
    messages for the model."""

    admitted: Admitted
    heard: Heard
    short: ShortAnswer | None = None
    outbound: Outbound | None = None

    # What `gateway.delivery.TurnFacts` asks of a turn.
    @property
    def conversation_id(self) -> str:
        return self.admitted.conversation_id

    @property
    def subject(self) -> str | None:
        return self.admitted.subject

    @property
    def ctx(self) -> AccessContext:
        return self.admitted.ctx

    @property
    def own_text(self) -> str:
        return self.heard.own_text

    @property
    def turn(self) -> ConversationTurn | None:
        return self.outbound.turn if self.outbound is not None else None

    @property
    def request(self) -> TurnRequest:
        return self.admitted.request

    def __repr__(self) -> str:
        return f"Prepared(conversation={self.conversation_id!r})"


@dataclass(frozen=True, slots=True)
class Answer:
    """`answer`: the model's (pseudonymised) answer in pieces, or the short answer."""

    pieces: tuple[str, ...]
    handoff: str | None = None  # the model (the embedded assistant) asks for a person

    def __repr__(self) -> str:
        return f"Answer(pieces={len(self.pieces)}, handoff={self.handoff!r})"


@dataclass(frozen=True, slots=True)
class Delivery:
    """`deliver`: what the customer receives, and what the record step stores of it."""

    pieces: tuple[str, ...]  # rehydrated, checked, with the disclosure when first
    guard: GuardResult | None  # None: a short answer, nothing to guard
    incident: AuditEvent | None
    transcript: tuple[tuple[str, str], ...]  # pseudonymised; short answers store nothing
    unknown_tokens: int
    delivery_lookups: int
    handoff: str | None
    cut_short: str | None = None  # why a streamed answer ended before its end (audited)

    @property
    def blocked(self) -> bool:
        return bool(self.guard and self.guard.blocked)

    def __repr__(self) -> str:
        return f"Delivery(pieces={len(self.pieces)}, blocked={self.blocked})"


@dataclass(frozen=True, slots=True)
class TurnResult:
    """The rehydrated answer: whole (`text`) and in stream pieces (`pieces`)."""

    conversation_id: str
    text: str
    pieces: tuple[str, ...]
    model: str
    handoff: str | None  # why the conversation is with a person after this turn, if it is
    blocked: bool
    turn: int

    def __repr__(self) -> str:
        return (
            f"TurnResult(conversation={self.conversation_id!r}, <{len(self.text)} chars>, "
            f"handoff={self.handoff!r}, blocked={self.blocked})"
        )


__all__ = [
    "Admitted",
    "Answer",
    "ContextRead",
    "Delivery",
    "Heard",
    "Outbound",
    "Prepared",
    "ShortAnswer",
    "TurnRequest",
    "TurnResult",
]
