"""One chat turn through the privacy gateway, end to end (ARCHITECTURE.md).

`Gateway.run_turn` does, in order, and refuses (`TurnRefused`) at the first failure so no
raw text leaves and no unchecked answer arrives (fail closed):

1. policy: the key's assistant may serve the purpose (403 otherwise); a closed
   conversation takes no more turns (409);
2. session: the conversation is bound to the subject for good (409 on a switch);
3. consent: a restriction of processing refuses the turn (403 with the reason); other
   refusals (objection, no AI consent) hand the customer to a person;
4. minimal context: the fields the policy grants, the identifiers detection needs and
   the token map, in ONE audited vault read (`Vault.read_for_turn`), rendered as a system
   message; the subject's earlier conversations inside the assistant's history window
   (stored pseudonymised, tokens reduced to type placeholders) as another;
5. pseudonymisation of the context, every message and every tool output with ONE
   `ConversationTurn`; texts unchanged since an earlier turn come from `PseudonymCache`
   while their tokens still hold (see `turncache`);
6. the upstream model, or the embedded assistant;
7. the output guard on the still-pseudonymised answer (cross-subject leaks block it and
   write an incident; secrets are redacted; unexplained personal data is withheld);
8. rehydration with this conversation's tokens only (unknown tokens are stripped);
9. the AI disclosure on a conversation's first answer; handoff marking;
10. ONE transaction for the turn's state, its transcript (new messages and the answer,
    pseudonymised) and its audit record.

Streaming: the upstream's answer is collected whole, guarded, and only then streamed out
(through the `StreamingRehydrator`, at the upstream's own chunk boundaries). The client's
first byte therefore waits for the whole answer; in exchange nothing unchecked ever
reaches it, and an upstream failure mid-stream is still a clean 503/504 rather than a
half-sent answer. A guard that checks a sliding window could stream earlier; it would have
to hold back any span a detector could still extend, which for names and addresses is
most of a sentence.

Blocking work (database, detection) runs in worker threads so the event loop keeps
serving other conversations.
"""

from __future__ import annotations

import copy
import re
import secrets
from collections.abc import Callable, Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any, TypeVar

import anyio

from discreet.audit.context import AccessContext, ActorKind, Outcome
from discreet.audit.context import LegalBasis as AuditLegalBasis
from discreet.audit.log import AuditEvent, DetailValue
from discreet.clock import as_utc
from discreet.consent import REASON_TEXT, is_refusal
from discreet.consent.decision import AllowAll, ConsentChecker
from discreet.conversations.apikeys import ApiKeyInfo, ApiKeyStore
from discreet.conversations.fence import SubjectErasing
from discreet.conversations.states import (
    ConversationClosed,
    ConversationState,
    ConversationStates,
    TurnUpdate,
)
from discreet.detect.base import KnownSubject
from discreet.detect.detector import DetectionError, Detector, InputTooLarge
from discreet.detect.entities import ENTITY_INFO, EntityType
from discreet.gateway.backend import ChatBackend
from discreet.gateway.context import message_text
from discreet.gateway.customer import build_context, known_subject, split_fields
from discreet.gateway.delivery import (
    blocked_result,
    check_delivery,
    cross_subject_incident,
    leak_incident,
)
from discreet.gateway.errors import UpstreamBadResponse, UpstreamTimeout, UpstreamUnavailable
from discreet.gateway.handoff import asks_for_a_person, handoff_holds
from discreet.gateway.idshape import check_opaque_id
from discreet.gateway.limits import TurnLimits, cap_history, collect_capped, too_large
from discreet.gateway.outbound import CleanTexts, scrub_outbound
from discreet.gateway.refusals import TurnRefused
from discreet.gateway.toolcalls import IdMap, allowlist, check_tool_results
from discreet.gateway.turncache import PreloadedTokenStore, PseudonymCache, subject_fingerprint
from discreet.guard import GuardResult, InboundSignal, OutputGuard, scan_inbound
from discreet.policy import AccessGrant, Policy, PolicyDenied, UnknownAssistant, UnknownPurpose
from discreet.store.errors import StorageError
from discreet.telemetry import phase
from discreet.transform import OperatorError, PseudonymizedText, Pseudonymizer
from discreet.transform.pseudonymizer import ConversationTurn
from discreet.transform.tokenformat import TokenFormat
from discreet.vault import (
    ConversationSubjectConflict,
    SubjectNotFound,
    Vault,
    VaultError,
    VaultTokenStore,
)

T = TypeVar("T")

TURN_ACTION = "gateway.turn"
INCIDENT_ACTION = "incident.cross_subject_leak"
MAX_CONVERSATION_ID = 200
# Measured with benchmarks/bench_gateway.py at 32 conversations on 2 processes: 2 threads
# per process gave ~200 turns/s, 4 gave ~145 (GIL switching between threads inflated how
# long each held SQLite's writer lock, and the other process polled for it meanwhile).
TURN_THREADS = 2
_CONVERSATION_ID = re.compile(r"^[A-Za-z0-9._:@-]{1,200}$")
NOT_ALLOWED_MESSAGES: dict[str, str] = {
    "en": "This request can't be handled by the AI assistant.",
    "nl": "Dit verzoek kan de AI-assistent niet afhandelen.",
    "de": "Diese Anfrage kann der KI-Assistent nicht bearbeiten.",
    "fr": "L'assistant IA ne peut pas traiter cette demande.",
}
NOT_ALLOWED_MESSAGE = NOT_ALLOWED_MESSAGES["en"]


def not_allowed_message(language: str | None) -> str:
    """Why the AI assistant does not answer, in the customer's language."""
    return NOT_ALLOWED_MESSAGES.get(language or "", NOT_ALLOWED_MESSAGE)


HISTORY_PREFIX = (
    "Earlier conversations with this customer (oldest first; personal details replaced "
    "by placeholders):"
)
TRANSCRIPT_ROLES = frozenset({"user", "tool"})
_SYSTEM = ("system", "developer")

# Request fields passed to the upstream: numbers only. Free-text fields (`stop`, `user`,
# `tools`, ...) could carry personal data around the pseudonymiser, so they are dropped.
FORWARDED_PARAMS = frozenset(
    {
        "temperature",
        "top_p",
        "max_tokens",
        "max_completion_tokens",
        "presence_penalty",
        "frequency_penalty",
        "seed",
    }
)


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
class TurnResult:
    """The rehydrated answer: whole (`text`) and in stream pieces (`pieces`)."""

    conversation_id: str
    text: str
    pieces: tuple[str, ...]
    model: str
    handoff: bool
    blocked: bool
    turn: int

    def __repr__(self) -> str:
        return (
            f"TurnResult(conversation={self.conversation_id!r}, <{len(self.text)} chars>, "
            f"handoff={self.handoff}, blocked={self.blocked})"
        )


@dataclass
class _Prepared:
    """Everything between the inbound half of a turn and its outbound half."""

    request: TurnRequest
    conversation_id: str
    grant: AccessGrant
    ctx: AccessContext
    subject: str | None
    first_turn: bool
    started_at: datetime  # when the conversation began: history is what came before
    turn: ConversationTurn | None = None
    token_map: dict[str, str] | None = None  # loaded with the turn's vault read, if any
    upstream_messages: list[dict[str, Any]] = field(default_factory=list)
    known_values: list[str] = field(default_factory=list)
    own_text: str = ""
    language: str | None = None
    entities_in: frozenset[EntityType] = frozenset()
    sent_fields: frozenset[str] = frozenset()
    dropped_fields: frozenset[str] = frozenset()
    signals: frozenset[InboundSignal] = frozenset()
    transcript: tuple[tuple[str, str], ...] = ()  # this turn's new messages, pseudonymised
    history_messages: int = 0
    short_answer: str | None = None  # answered without the model (handoff, not allowed)
    handoff_reason: str | None = None
    outbound_withheld: int = 0  # raw identifiers withheld from the upstream

    def __repr__(self) -> str:
        return f"_Prepared(conversation={self.conversation_id!r})"


def _types(types: Sequence[EntityType] | frozenset[EntityType]) -> str:
    return ",".join(sorted(t.value for t in types))


def check_conversation_id(value: str) -> str:
    if not _CONVERSATION_ID.match(value):
        raise TurnRefused(
            400,
            "invalid_conversation_id",
            "X-Discreet-Conversation must be 1-200 characters of letters, digits and ._:@-",
        )
    return value


class Gateway:
    """The turn pipeline over one policy, vault, detector and backend (one per process)."""

    def __init__(
        self,
        *,
        policy: Policy,
        vault: Vault,
        detector: Detector,
        backend: ChatBackend,
        consent: ConsentChecker | None = None,
        threads: int = TURN_THREADS,
        limits: TurnLimits | None = None,
    ) -> None:
        self.policy = policy
        self.vault = vault
        self.detector = detector
        self.backend = backend
        self.consent: ConsentChecker = consent or AllowAll()
        self.threads = threads
        self._limiter: anyio.CapacityLimiter | None = None
        db = vault.data_store
        self.states = ConversationStates(db, vault.audit_log, vault.tenant)
        self.api_keys = ApiKeyStore(db, vault.tenant)
        self.guard = OutputGuard(detector)
        # Concurrent turns of a conversation merge their tokens (transform/tokenmerge.py).
        self._store = VaultTokenStore(vault, merge=True)
        self._pseudonymizers: dict[str, Pseudonymizer] = {}
        self.cache = PseudonymCache()
        self.clean_texts = CleanTexts()
        self.limits = limits or TurnLimits.from_env()
        from discreet.gateway.assistant import EmbeddedAssistant

        self._embedded = backend if isinstance(backend, EmbeddedAssistant) else None

    def _pseudonymizer(self, assistant: str) -> Pseudonymizer:
        found = self._pseudonymizers.get(assistant)
        if found is None:
            found = Pseudonymizer(
                self.detector, self.policy.operator_config(assistant), self._store
            )
            self._pseudonymizers[assistant] = found
        return found

    @property
    def embedded(self) -> bool:
        """True when the embedded assistant answers (no upstream model configured)."""
        return self._embedded is not None

    async def aclose(self) -> None:
        await self.backend.aclose()

    # -- the turn ------------------------------------------------------------------------

    async def run_turn(self, request: TurnRequest) -> TurnResult:
        """Serve one turn; raises `TurnRefused` (after auditing it) when it cannot."""
        prepared: _Prepared | None = None
        limiter = self._thread_limiter()
        try:
            with phase("prepare"):  # ops metrics: per-phase latency histograms
                prepared = await _in_thread(partial(self._prepare, request), limiter)
            with phase("upstream"):
                pieces, handoff = await self._answer(prepared)
            with phase("finish"):
                return await _in_thread(partial(self._finish, prepared, pieces, handoff), limiter)
        except Exception as exc:
            refused = exc if isinstance(exc, TurnRefused) else _refusal_for(exc)
            await _in_thread(partial(self._audit_refusal, request, prepared, refused), limiter)
            raise refused from None

    def _thread_limiter(self) -> anyio.CapacityLimiter:
        """Worker threads for turn work. Few on purpose: the work is CPU and database
        bound, and SQLite admits one writer at a time, so more threads only add lock waits
        (SQLite's busy handler sleeps) and GIL switching. Made in the running event loop."""
        if self._limiter is None:
            self._limiter = anyio.CapacityLimiter(self.threads)
        return self._limiter

    def _prepare(self, request: TurnRequest) -> _Prepared:
        assistant = request.key.assistant
        try:
            spec = self.policy.assistant(assistant)
            purpose = request.purpose or spec.purposes[0]
            grant = self.policy.access(assistant, purpose)
        except (PolicyDenied, UnknownPurpose, UnknownAssistant) as exc:
            raise TurnRefused(403, "purpose_not_allowed", str(exc)) from None
        ctx = AccessContext(
            actor=assistant,
            purpose=grant.purpose,
            legal_basis=AuditLegalBasis(grant.legal_basis.value),
            actor_kind=ActorKind.ASSISTANT,
        )
        conversation_id = check_conversation_id(
            request.conversation_id or f"conv_{secrets.token_hex(12)}"
        )
        state = self.states.get(conversation_id)
        # Ids are stored and audited in the clear: "jan@example.com" must not be one.
        # Checked when the conversation starts; a stored id passed this check then.
        # By shape and by blind index (gateway/idshape.py), not by the detector, which
        # took random opaque ids for names and numbers.
        if state is None and request.conversation_id is not None:
            check_opaque_id(conversation_id, self.vault.match_identifiers)
        if state is not None and state.assistant != assistant:
            raise TurnRefused(
                409, "conversation_assistant_conflict", "conversation belongs to another assistant"
            )
        if state is not None and state.closed_at is not None:
            raise _closed()
        subject: str | None = None
        # A conversation this gateway bound on an earlier turn stays bound for good: its
        # subject comes from the state row, and the turn's one vault read below confirms
        # that the reference still names it (refusing before anything is read otherwise).
        # A new conversation is bound first, so the consent check knows its subject.
        confirm = state is not None and state.subject is not None
        if request.subject_ref is not None:
            subject = state.subject if state is not None and confirm else None
            if subject is None:
                subject = self._bind(conversation_id, request.subject_ref, ctx)
        elif confirm or self.vault.conversation_subject(conversation_id, ctx=ctx) is not None:
            raise _subject_conflict(
                "conversation is bound to a subject: send its X-Discreet-Subject"
            )
        prepared = _Prepared(
            request,
            conversation_id,
            grant,
            ctx,
            subject,
            state is None or state.turns == 0,
            as_utc(state.created_at) if state is not None else datetime.now(UTC),
        )
        user_texts = [message_text(m) for m in request.messages if m.get("role") == "user"]
        prepared.signals = scan_inbound(user_texts)
        prepared.own_text = "\n".join(user_texts)
        # One language for the whole turn, identified from the customer's own words (short
        # texts, context values or "ok", cannot be identified on their own): detection
        # uses it, and the customer reads the disclosure and handoff texts in it.
        prepared.language = self.cache.language_of(
            prepared.own_text, self.detector.config.default_language
        )

        decision = self.consent.check(subject, grant)
        if is_refusal(decision):
            # A restriction (art. 18) stops all processing, a human's included: refuse,
            # and say why, rather than promise a colleague who may not help either.
            raise TurnRefused(403, "processing_restricted", REASON_TEXT[decision.reason])
        last_user = user_texts[-1] if user_texts else ""
        if not decision.allowed:
            # Say so, hand over to a person, and mark the conversation with the reason.
            prepared.short_answer = (
                f"{not_allowed_message(prepared.language)} "
                f"{self.policy.handoff.in_language(prepared.language)}"
            )
            prepared.handoff_reason = decision.reason
        elif state is not None and self._handoff_holds(state, ctx):
            # Handed to a person: the model answers no more until the handoff is released.
            prepared.short_answer = self.policy.handoff.in_language(prepared.language)
            prepared.handoff_reason = state.handoff_reason or "customer_request"
        elif asks_for_a_person(last_user, prepared.language, self.policy.handoff.triggers):
            prepared.short_answer = self.policy.handoff.in_language(prepared.language)
            prepared.handoff_reason = "customer_request"
        if prepared.short_answer is not None:
            if confirm and request.subject_ref is not None:
                self._confirm(subject, self._lookup(request.subject_ref, ctx))
            return prepared

        # Minimal context: the fields the policy grants the assistant, plus identifiers it
        # may not see, read for detection only; with the token map, in one audited read.
        granted: dict[str, str] = {}
        known: KnownSubject | None = None
        if request.subject_ref is not None:
            try:
                read = self.vault.read_for_turn(
                    conversation_id,
                    request.subject_ref,
                    ctx=ctx,
                    fields=grant.fields,
                    detection_fields=frozenset(self.policy.entity_fields),
                )
            except SubjectNotFound:
                raise _subject_not_found() from None
            except ConversationSubjectConflict:
                raise _subject_conflict("conversation is bound to another subject") from None
            self._confirm(subject, read.subject_id)
            granted = dict(read.fields)
            prepared.token_map = read.token_map
            known = known_subject({**read.detection_fields, **granted}, self.policy.entity_fields)
        self._pseudonymise(prepared, known, granted)
        return prepared

    def _handoff_holds(self, state: ConversationState, ctx: AccessContext) -> bool:
        """Whether the conversation stays with a person; one past the policy's
        ``release_after_minutes`` is released here (audited) and goes back to the model."""
        after = self.policy.handoff.release_after_minutes
        if handoff_holds(state.handoff, state.updated_at, datetime.now(UTC), after):
            return True
        if state.handoff:
            self.states.release_handoff(
                state.conversation_id, ctx=ctx, reason=f"quiet for {after} minutes (policy)"
            )
        return False

    def _bind(self, conversation_id: str, subject_ref: str, ctx: AccessContext) -> str:
        try:
            return self.vault.bind_conversation(conversation_id, subject_ref, ctx=ctx)
        except ConversationSubjectConflict:
            raise _subject_conflict("conversation is bound to another subject") from None
        except SubjectNotFound:
            raise _subject_not_found() from None

    def _lookup(self, subject_ref: str, ctx: AccessContext) -> str:
        try:
            return self.vault.subject_id(subject_ref, ctx=ctx)
        except SubjectNotFound:
            raise _subject_not_found() from None

    @staticmethod
    def _confirm(bound: str | None, seen: str | None) -> None:
        if seen is None or seen != bound:
            raise _subject_conflict("conversation is bound to another subject")

    def _pseudonymise(
        self, prepared: _Prepared, known: KnownSubject | None, granted: Mapping[str, str]
    ) -> None:
        request = prepared.request
        # Allowed fields only, ids opaque (gateway/toolcalls.py); then the window.
        messages = _window(
            allowlist(request.messages, IdMap()), prepared.grant.max_context_messages
        )
        self._refuse_foreign_tool_results(prepared, messages)
        texts: list[str] = []
        slots: list[tuple[int, str, int]] = []  # (message index, kind, part index)
        for i, message in enumerate(messages):
            content = message.get("content")
            if isinstance(content, str):
                texts.append(content)
                slots.append((i, "content", -1))
            elif isinstance(content, list):
                for j, part in enumerate(content):
                    if isinstance(part, Mapping) and part.get("type") == "text":
                        texts.append(str(part.get("text", "")))
                        slots.append((i, "part", j))
            for k, call in enumerate(message.get("tool_calls") or ()):
                function = call.get("function") if isinstance(call, Mapping) else None
                if isinstance(function, Mapping) and isinstance(function.get("arguments"), str):
                    texts.append(function["arguments"])
                    slots.append((i, "tool_args", k))
        all_fields = list(granted.items())
        # Typed and plain fields never go through detection (see gateway/customer.py).
        typed, plain, free = split_fields(all_fields, self.policy.field_types)
        language = prepared.language or self.detector.config.default_language
        in_window = sum(1 for m in messages if m.get("role") not in _SYSTEM)
        scope = _history_scope(prepared, known, language)
        earlier = self._earlier(prepared, in_window, scope)
        fresh = [e for e in earlier if isinstance(e, _Earlier)]
        all_texts = [v for _, v in free] + texts + [e.text for e in fresh]
        results, turn, current_map = self._pseudonymise_texts(prepared, known, all_texts, language)
        typed_results = turn.pseudonymize_typed(
            [(v, self.policy.entity_fields[n]) for n, v in typed], language
        )
        context_fields = [*typed, *plain, *free]
        context_results = [
            *typed_results,
            *(_unchanged(v, language) for _, v in plain),
            *results[: len(free)],
        ]
        message_results = results[len(free) : len(free) + len(texts)]
        lines = _history_lines(earlier, results[len(free) + len(texts) :])
        if current_map is not None:
            for item, line in zip(earlier, lines, strict=True):
                if isinstance(item, _Earlier):
                    self.cache.put_line(item.key, line, current_map, self._token_regex(prepared))
        lines = cap_history(lines)  # bounded in bytes (gateway/limits.py)
        history = (
            [{"role": "system", "content": HISTORY_PREFIX + "\n" + "\n".join(lines)}]
            if lines
            else []
        )

        # Copies to write the pseudonymised texts into (the request stays as it came);
        # deep only where texts sit in nested parts, which is rare and costs per turn.
        out = [
            copy.deepcopy(dict(m))
            if isinstance(m.get("content"), list) or m.get("tool_calls")
            else dict(m)
            for m in messages
        ]
        for (i, kind, j), result in zip(slots, message_results, strict=True):
            if kind == "content":
                out[i]["content"] = result.text
            elif kind == "part":
                out[i]["content"][j]["text"] = result.text
            else:
                out[i]["tool_calls"][j]["function"]["arguments"] = result.text
        for message in out:
            message.pop("name", None)  # a free-text field; may hold a name
        built = build_context(
            [
                (name, raw, res)
                for (name, raw), res in zip(context_fields, context_results, strict=True)
            ]
        )
        prepared.turn = turn
        prepared.upstream_messages = [built.message, *history, *out]
        # Raw identifiers detection missed (odd spellings) are withheld (gateway/outbound.py).
        prepared.outbound_withheld = scrub_outbound(
            prepared.upstream_messages, self.vault.match_identifiers, self.clean_texts
        )
        prepared.transcript = _new_messages(out)
        prepared.sent_fields = built.sent_fields
        prepared.dropped_fields = built.dropped_fields
        prepared.entities_in = frozenset(f.type for r in results for f in r.findings)
        prepared.known_values = _found_values(all_texts, results) + [
            v for (_, v), r in zip(typed, typed_results, strict=True) if r.findings
        ]

    def _refuse_foreign_tool_results(
        self, prepared: _Prepared, messages: Sequence[Mapping[str, Any]]
    ) -> None:
        """A tool result with another subject's identifiers is refused and recorded as a
        cross-subject incident, before anything of it is pseudonymised into this map."""
        found = check_tool_results(
            messages,
            subject=prepared.subject,
            own_text=prepared.own_text,
            lookup=self.vault.match_identifiers,
        )
        if found.foreign:
            with suppress(Exception):
                self.vault.audit_log.append(
                    cross_subject_incident(
                        self.vault.tenant, prepared, found.kinds, found.other_subjects, "tool"
                    )
                )
            raise TurnRefused(
                422,
                "tool_result_cross_subject",
                "a tool result holds another customer's data; nothing was sent",
            )

    def _token_regex(self, prepared: _Prepared) -> re.Pattern[str]:
        return self._pseudonymizer(prepared.request.key.assistant).operators.token_format.regex

    def _earlier(
        self, prepared: _Prepared, in_window: int, scope: tuple[str, ...]
    ) -> list[_Earlier | str]:
        """The subject's earlier conversations inside the assistant's history window, at
        most `max_context_messages` minus this conversation's own messages, ready to be
        pseudonymised with this turn. Only this assistant's own conversations: another
        assistant's may hold data categories this one may not see.

        Stored messages carry THEIR conversation's tokens, meaningless here. Where that
        conversation's token map still exists, its tokens are restored to values (in
        memory, read under the assistant's purpose) so this turn re-tokenises them into
        this conversation's map; tokens it lacks, and every token of a conversation whose
        map is gone (closed, retention, erasure), become type placeholders ("[PERSON]").

        A message already re-tokenised on an earlier turn of this conversation comes as
        its finished line (a str) from the cache while its tokens still hold in this
        conversation's map; only the rest need the earlier maps (one audited read).
        """
        grant = prepared.grant
        budget = grant.max_context_messages - in_window
        if prepared.subject is None or grant.history_window_days <= 0 or budget <= 0:
            return []
        since = datetime.now(UTC) - timedelta(days=grant.history_window_days)
        stored = self.states.earlier_messages(
            prepared.subject,
            assistant=prepared.request.key.assistant,
            since=since,
            before=prepared.started_at,
            exclude=prepared.conversation_id,
            limit=budget,
        )
        prepared.history_messages = len(stored)
        if not stored:
            return []
        keys = self.cache.keys(
            scope, [f"{m.conversation_id}\x00{m.seq}\x00{m.role}\x00{m.text}" for m in stored]
        )
        current = prepared.token_map if prepared.token_map is not None else {}
        lines = [self.cache.get_line(key, current) for key in keys]
        missing = {m.conversation_id for m, line in zip(stored, lines, strict=True) if line is None}
        maps = (
            self.vault.load_token_maps(missing, subject_id=prepared.subject, ctx=prepared.ctx)
            if missing
            else {}
        )
        fmt = self._pseudonymizer(prepared.request.key.assistant).operators.token_format
        earlier: list[_Earlier | str] = []
        for message, key, line in zip(stored, keys, lines, strict=True):
            if line is not None:
                earlier.append(line)
                continue
            restored, values = _restore(message.text, maps.get(message.conversation_id, {}), fmt)
            fallback, _ = _restore(message.text, {}, fmt)
            earlier.append(_Earlier(message.role, restored, fallback, values, key))
        return earlier

    def _pseudonymise_texts(
        self,
        prepared: _Prepared,
        known: KnownSubject | None,
        texts: list[str],
        language: str,
    ) -> tuple[list[PseudonymizedText], ConversationTurn, dict[str, str] | None]:
        """Pseudonymise `texts` with one `ConversationTurn`; texts pseudonymised on an
        earlier turn of this conversation come from the cache (see `turncache`) when
        their tokens are unchanged in the map this turn read, the rest go to detection
        in one batch. Without a preloaded map (anonymous conversations) all do."""
        assistant = prepared.request.key.assistant
        base = self._pseudonymizer(assistant)
        if prepared.token_map is None:
            turn = base.turn(prepared.conversation_id, known)
            return turn.pseudonymize_messages(texts, language), turn, None
        store = PreloadedTokenStore(prepared.conversation_id, prepared.token_map, self._store)
        turn = base.turn(prepared.conversation_id, known, store=store)
        scope = (assistant, prepared.conversation_id, subject_fingerprint(known), language)
        keys = self.cache.keys(scope, texts)
        found = [self.cache.get(key, prepared.token_map) for key in keys]
        misses = [i for i, result in enumerate(found) if result is None]
        if misses:
            fresh = turn.pseudonymize_messages([texts[i] for i in misses], language)
            for i, result in zip(misses, fresh, strict=True):
                found[i] = result
                self.cache.put(keys[i], result, store.current)
        results = [r for r in found if r is not None]
        if len(results) != len(texts):  # cannot happen; never send a text unprocessed
            raise OperatorError("a text was left without pseudonymisation")
        return results, turn, store.current

    async def _answer(self, prepared: _Prepared) -> tuple[list[str], str | None]:
        """The (pseudonymised) answer in pieces, and a handoff reason if the model asks."""
        if prepared.short_answer is not None:
            return [prepared.short_answer], prepared.handoff_reason
        messages = prepared.upstream_messages
        params = {k: v for k, v in prepared.request.params.items() if k in FORWARDED_PARAMS}
        if self._embedded is not None:
            embedded = self._embedded
            reply = await _in_thread(partial(embedded.answer, messages), self._thread_limiter())
            from discreet.gateway.assistant import split_chunks

            return list(split_chunks(reply.text)), ("assistant" if reply.handoff else None)
        # Byte cap and overall deadline (gateway/limits.py): 502 / 504, never a hang.
        cap = self.limits.max_answer_bytes
        try:
            with anyio.fail_after(self.limits.deadline):
                if prepared.request.stream:
                    return await collect_capped(
                        self.backend.stream(messages, params=params), cap
                    ), None
                answer = await self.backend.complete(messages, params=params)
        except TimeoutError:
            raise UpstreamTimeout(
                "the upstream did not finish within the turn's deadline"
            ) from None
        if len(answer.encode("utf-8", "surrogatepass")) > cap:
            raise too_large(cap)
        return [answer], None

    def _finish(self, prepared: _Prepared, pieces: list[str], handoff: str | None) -> TurnResult:
        answer = "".join(pieces)
        incident: AuditEvent | None = None
        guard: GuardResult | None = None
        unknown: tuple[str, ...] = ()
        transcript: tuple[tuple[str, str], ...] = ()  # short answers store nothing
        leak_lookups = 0
        if prepared.short_answer is not None:
            out_pieces = [answer]
        else:
            assert prepared.turn is not None
            if len(answer) > self.detector.config.max_chars:
                # The upstream's fault, not the client's: 502, not 413 (gateway/limits.py).
                raise too_large(self.detector.config.max_chars)
            guard = self.guard.check(
                answer,
                subject=prepared.subject,
                known_values=prepared.known_values,
                own_text=prepared.own_text,
                language=prepared.language,
                lookup=lambda queries: self.vault.find_subjects_by_identifiers(
                    queries, ctx=prepared.ctx
                ),
            )
            if guard.blocked:
                handoff = handoff or "answer_blocked"
                incident = AuditEvent(
                    ctx=prepared.ctx,
                    tenant=self.vault.tenant,
                    action=INCIDENT_ACTION,
                    outcome=Outcome.DENIED,
                    subject=prepared.subject,
                    details={
                        "conversation": prepared.conversation_id,
                        "entity_types": _types(guard.leaked_types),
                        "other_subjects": guard.other_subjects,
                    },
                )
            rehydrator = prepared.turn.streaming_rehydrator()
            source = pieces if guard.text == answer else [guard.text]
            out_pieces = [rehydrator.feed(piece) for piece in source]
            out_pieces.append(rehydrator.flush())
            unknown = rehydrator.unknown_tokens
            # The stored transcript gets the guarded answer before rehydration: tokens.
            transcript = (*prepared.transcript, ("assistant", guard.text))
            if not guard.blocked:
                # What the customer would read, checked as such (guard/leaks.py).
                delivered = check_delivery(self.vault, prepared, "".join(out_pieces))
                leak_lookups = delivered.lookups
                if delivered.leaked:
                    guard = blocked_result(guard, self.guard.blocked_message, delivered)
                    handoff = handoff or "answer_blocked"
                    incident = leak_incident(self.vault.tenant, prepared, delivered)
                    out_pieces = [guard.text]
                    transcript = (*prepared.transcript, ("assistant", guard.text))
        if prepared.first_turn:
            out_pieces.insert(0, self.policy.disclosure.in_language(prepared.language) + "\n\n")
        out_pieces = [p for p in out_pieces if p]
        handoff = handoff or prepared.handoff_reason
        details: dict[str, DetailValue] = {
            "conversation": prepared.conversation_id,
            "key_id": prepared.request.key.key_id,
            "backend": "embedded" if self._embedded is not None else "upstream",
            "stream": prepared.request.stream,
            "messages": len(prepared.request.messages),
            "entities_in": _types(prepared.entities_in),
            "entities_out": _types(guard.found_types) if guard else "",
            "guard": ",".join(sorted(guard.decisions)) if guard else "not_run",
            "redacted": guard.redacted if guard else 0,
            "withheld": guard.withheld if guard else 0,
            "unknown_tokens_stripped": len(unknown),
            "outbound_withheld": prepared.outbound_withheld,
            "delivery_lookups": leak_lookups,
            "signals": ",".join(sorted(prepared.signals)),
            "handoff": handoff or "",
            "context_fields_dropped": ",".join(sorted(prepared.dropped_fields)),
            "history_messages": prepared.history_messages,
            "disclosure": prepared.first_turn,
        }
        outcome = Outcome.DENIED if (guard and guard.blocked) else Outcome.OK
        event = AuditEvent(
            ctx=prepared.ctx,
            tenant=self.vault.tenant,
            action=TURN_ACTION,
            outcome=outcome,
            subject=prepared.subject,
            categories=tuple(self._categories_sent(prepared)),
            fields=tuple(sorted(prepared.sent_fields)),
            details=details,
        )
        try:
            number = self.states.record_turn(
                TurnUpdate(
                    prepared.conversation_id,
                    prepared.request.key.assistant,
                    prepared.subject,
                    handoff,
                    transcript,
                ),
                [event] if incident is None else [incident, event],
            )
        except ConversationClosed:
            raise _closed() from None
        except SubjectErasing as exc:
            raise TurnRefused(409, exc.code, str(exc)) from None
        except StorageError as exc:
            raise TurnRefused(
                503, "audit_unavailable", f"audit log unavailable: {type(exc).__name__}"
            ) from None
        return TurnResult(
            conversation_id=prepared.conversation_id,
            text="".join(out_pieces),
            pieces=tuple(out_pieces),
            model=prepared.request.model,
            handoff=handoff is not None,
            blocked=bool(guard and guard.blocked),
            turn=number,
        )

    def _categories_sent(self, prepared: _Prepared) -> set[str]:
        """Data categories that reached the model: context fields' and detected types'."""
        categories: set[str] = set()
        for name in prepared.sent_fields:
            with suppress(KeyError):
                categories.add(self.policy.category_of(name))
        categories.update(ENTITY_INFO[t].category.value for t in prepared.entities_in)
        return categories

    def _audit_refusal(
        self, request: TurnRequest, prepared: _Prepared | None, refused: TurnRefused
    ) -> None:
        """Best effort: a refused turn is audited too, unless the audit log is what failed."""
        ctx = (
            prepared.ctx
            if prepared is not None
            else AccessContext(
                actor=request.key.assistant,
                purpose=request.purpose or "unknown",
                legal_basis=AuditLegalBasis.LEGITIMATE_INTERESTS,
                actor_kind=ActorKind.ASSISTANT,
            )
        )
        event = AuditEvent(
            ctx=ctx,
            tenant=self.vault.tenant,
            action=TURN_ACTION,
            outcome=Outcome.DENIED if refused.status < 500 else Outcome.ERROR,
            subject=prepared.subject if prepared is not None else None,
            details={
                "conversation": prepared.conversation_id if prepared is not None else "",
                "key_id": request.key.key_id,
                "status": refused.status,
                "reason": refused.code,
            },
        )
        with suppress(Exception):
            self.vault.audit_log.append(event)


@dataclass(frozen=True, slots=True)
class _Earlier:
    """One message of an earlier conversation on its way into this turn's context."""

    role: str
    text: str  # to pseudonymise: restored values, or placeholders
    fallback: str  # the stored text with placeholders only
    values: tuple[str, ...]  # values restored into `text` (each must come out replaced)
    key: bytes  # its `PseudonymCache` key

    def __repr__(self) -> str:
        return f"_Earlier({self.role}, <{len(self.text)} chars>, values={len(self.values)})"


def _restore(
    text: str, mapping: Mapping[str, str], fmt: TokenFormat
) -> tuple[str, tuple[str, ...]]:
    """`text` with tokens of `mapping` restored to their values and every other token
    reduced to its type placeholder; returns the values restored."""
    values: list[str] = []

    def one(match: re.Match[str]) -> str:
        token = match.group(0)
        value = mapping.get(token)
        if value is not None:
            values.append(value)
            return value
        parsed = fmt.parse(token)
        return f"[{parsed[0].value}]" if parsed is not None else ""

    return fmt.regex.sub(one, text), tuple(values)


def _history_scope(
    prepared: _Prepared, known: KnownSubject | None, language: str
) -> tuple[str, ...]:
    """What a re-tokenised history line depends on besides the stored message itself."""
    return (
        "history",
        prepared.request.key.assistant,
        prepared.conversation_id,
        subject_fingerprint(known),
        language,
    )


def _history_lines(
    earlier: Sequence[_Earlier | str], results: Sequence[PseudonymizedText]
) -> list[str]:
    """One "role: text" line per earlier message; `results` are the pseudonymised texts of
    the `_Earlier` items, in order. A restored value that came out of pseudonymisation
    unreplaced (detection can miss a value outside its original context) must not go
    upstream: that message falls back to its placeholder form."""
    pending = iter(results)
    lines = []
    for item in earlier:
        if isinstance(item, str):
            lines.append(item)
            continue
        text = next(pending).text
        if any(value in text for value in item.values):
            text = item.fallback
        lines.append(f"{item.role}: {' '.join(text.split())}")
    if next(pending, None) is not None:
        raise OperatorError("history results do not match the history messages")
    return lines


def _closed() -> TurnRefused:
    return TurnRefused(
        409,
        "conversation_closed",
        "this conversation is closed and takes no more turns; start a new conversation "
        "(another X-Discreet-Conversation, or none)",
    )


def _new_messages(out: Sequence[Mapping[str, Any]]) -> tuple[tuple[str, str], ...]:
    """The pseudonymised messages this turn adds to the transcript: those after the last
    assistant message (the client resends earlier ones every turn), system ones aside."""
    start = 0
    for i, message in enumerate(out):
        if message.get("role") == "assistant":
            start = i + 1
    return tuple(
        (str(m["role"]), message_text(m))
        for m in out[start:]
        if m.get("role") in TRANSCRIPT_ROLES and message_text(m)
    )


def _subject_conflict(message: str) -> TurnRefused:
    return TurnRefused(409, "conversation_subject_conflict", message)


def _subject_not_found() -> TurnRefused:
    return TurnRefused(404, "subject_not_found", "no subject with that reference")


def _window(messages: Sequence[Mapping[str, Any]], limit: int) -> list[Mapping[str, Any]]:
    """System/developer messages plus the last `limit` others (the policy's window)."""
    others = [i for i, m in enumerate(messages) if m.get("role") not in ("system", "developer")]
    keep = set(others[-limit:]) if limit else set()
    return [
        m for i, m in enumerate(messages) if i in keep or m.get("role") in ("system", "developer")
    ]


def _unchanged(text: str, language: str) -> PseudonymizedText:
    """A plain field's value as it is (nothing found, nothing replaced)."""
    return PseudonymizedText(text=text, language=language, findings=(), spans=(), counts={})


def _found_values(texts: Sequence[str], results: Sequence[PseudonymizedText]) -> list[str]:
    """The raw values detection found in this turn's texts (what the token map holds)."""
    values: list[str] = []
    for text, result in zip(texts, results, strict=True):
        values.extend(f.value(text) for f in result.findings)
    return values


def _refusal_for(exc: Exception) -> TurnRefused:
    """Map a failure to the status the client sees (fail closed; no values in messages)."""
    if isinstance(exc, UpstreamTimeout):
        return TurnRefused(504, "upstream_timeout", str(exc))
    if isinstance(exc, UpstreamUnavailable):
        return TurnRefused(503, "upstream_unavailable", str(exc))
    if isinstance(exc, UpstreamBadResponse):
        return TurnRefused(502, "upstream_bad_response", str(exc))
    if isinstance(exc, InputTooLarge):
        return TurnRefused(413, "message_too_large", str(exc))
    if isinstance(exc, DetectionError | OperatorError):
        return TurnRefused(503, "detection_unavailable", f"detection failed: {type(exc).__name__}")
    if isinstance(exc, VaultError | StorageError):
        return TurnRefused(503, "vault_unavailable", f"vault unavailable: {type(exc).__name__}")
    return TurnRefused(500, "internal_error", f"internal error: {type(exc).__name__}")


async def _in_thread(func: Callable[[], T], limiter: anyio.CapacityLimiter) -> T:
    return await anyio.to_thread.run_sync(func, limiter=limiter)


__all__ = [
    "FORWARDED_PARAMS",
    "INCIDENT_ACTION",
    "TURN_ACTION",
    "Gateway",
    "TurnRefused",
    "TurnRequest",
    "TurnResult",
]
