"""One chat turn through the privacy gateway, end to end (ARCHITECTURE.md), as a pipeline
of small named steps (`gateway/steps`), each taking the frozen facts of the steps before
it and returning its own:

1. `admit`: the key's assistant may serve the purpose (403 otherwise); a closed
   conversation takes no more turns (409); the conversation is bound to the subject for
   good (409 on a switch);
2. `listen`: the customer's own words, their language and inbound signals;
3. `decide`: a restriction of processing refuses the turn (403 with the reason); other
   consent refusals (objection, no AI consent), a conversation with a person or a
   customer asking for one get a short answer without the model;
4. `read_context`: the fields the policy grants, the identifiers detection needs and the
   token map, in ONE audited vault read (`Vault.read_for_turn`);
5. `pseudonymise`: the context, the subject's earlier conversations inside the
   assistant's history window (`steps.history`), every message and every tool output,
   with ONE `ConversationTurn`, then the outbound check of exactly what is sent;
6. `answer`: the upstream model, or the embedded assistant;
7. `deliver`: the output guard on the pseudonymised answer, rehydration with this
   conversation's tokens only, the delivery check of what the customer would read, the
   AI disclosure on a conversation's first answer;
8. `record`: ONE transaction for the turn's state, its transcript and its audit record.

Each refuses (`TurnRefused`) at the first failure so no raw text leaves and no unchecked
answer arrives (fail closed). Blocking work (database, detection) runs in worker threads
so the event loop keeps serving other conversations.

Streaming (`Gateway.stream_turn`): steps 6 and 7 run per chunk (`steps.stream`,
gateway/release.py): each piece of the upstream's answer is guarded, rehydrated and
checked with a bounded hold-back and look-behind before it is released, so a value or a
token split across chunks is still caught whole; step 8 runs when the stream ends, or
when its client goes away (the released part, marked `client_disconnected`).
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator, Callable
from dataclasses import replace
from functools import partial
from typing import TYPE_CHECKING, TypeVar

import anyio

from discreet.consent.decision import AllowAll, ConsentChecker
from discreet.conversations.apikeys import ApiKeyStore
from discreet.conversations.fence import RunningErasures
from discreet.conversations.states import ConversationStates
from discreet.detect.detector import Detector
from discreet.gateway.backend import ChatBackend
from discreet.gateway.delivery import INCIDENT_ACTION
from discreet.gateway.limits import TurnLimits
from discreet.gateway.outbound import CleanTexts
from discreet.gateway.refusals import TurnRefused
from discreet.gateway.release import ChunkRelease
from discreet.gateway.steps.admit import (
    NOT_ALLOWED_MESSAGE,
    NOT_ALLOWED_MESSAGES,
    admit,
    check_conversation_id,
    decide,
    listen,
    not_allowed_message,
)
from discreet.gateway.steps.answer import FORWARDED_PARAMS, answer, in_thread
from discreet.gateway.steps.deliver import deliver, disclosed
from discreet.gateway.steps.facts import Prepared, TurnRequest, TurnResult
from discreet.gateway.steps.history import HISTORY_PREFIX
from discreet.gateway.steps.pseudonymise import pseudonymise, read_context
from discreet.gateway.steps.record import TURN_ACTION, audit_refusal, record
from discreet.gateway.steps.stream import (
    CLIENT_DISCONNECTED,
    StreamedTurn,
    chunk_release,
    released,
    streamed_delivery,
)
from discreet.gateway.turncache import PseudonymCache
from discreet.guard import OutputGuard
from discreet.policy import Policy
from discreet.store.errors import StorageError
from discreet.telemetry import phase
from discreet.transform import OperatorError, Pseudonymizer
from discreet.vault import Vault, VaultError, VaultTokenStore

if TYPE_CHECKING:
    from discreet.gateway.assistant import EmbeddedAssistant

T = TypeVar("T")
MAX_CONVERSATION_ID = 200
# Measured with benchmarks/bench_gateway.py at 32 conversations on 2 processes: 2 threads
# per process gave ~200 turns/s, 4 gave ~145 (GIL switching between threads inflated how
# long each held SQLite's writer lock, and the other process polled for it meanwhile).
TURN_THREADS = 2
CUT_SHORT_SECONDS = 5.0
"""How long the end of a stream whose client went away may hold its task: closing the
upstream and recording the turn run shielded from the cancellation, so they are bounded."""


class Gateway:
    """The turn pipeline over one policy, vault, detector and backend (one per process);
    the steps' `TurnServices`."""

    def __init__(
        self,
        *,
        policy: Policy,
        vault: Vault,
        detector: Detector,
        backend: ChatBackend,
        erasures: RunningErasures,
        consent: ConsentChecker | None = None,
        threads: int = TURN_THREADS,
        limits: TurnLimits | None = None,
    ) -> None:
        self.policy = policy
        self.vault = vault
        self.detector = detector
        self.backend = backend
        # No default: a gateway that could not see running erasures would store turns of
        # customers being erased (conversations/fence.py). The wiring gives their owner.
        self.erasures = erasures
        self.consent: ConsentChecker = consent or AllowAll()
        self.threads = threads
        self._limiter: anyio.CapacityLimiter | None = None
        db = vault.data_store
        self.states = ConversationStates(db, vault.audit_log, vault.tenant)
        self.api_keys = ApiKeyStore(db, vault.tenant)
        self.guard = OutputGuard(detector)
        # Concurrent turns of a conversation merge their tokens (transform/tokenmerge.py).
        self.token_store = VaultTokenStore(vault, merge=True)
        self._pseudonymizers: dict[str, Pseudonymizer] = {}
        self.cache = PseudonymCache()
        self.clean_texts = CleanTexts()
        self.limits = limits or TurnLimits()

    def pseudonymizer(self, assistant: str) -> Pseudonymizer:
        """The assistant's pseudonymiser (its policy's operators), made once."""
        found = self._pseudonymizers.get(assistant)
        if found is None:
            found = Pseudonymizer(
                self.detector, self.policy.operator_config(assistant), self.token_store
            )
            self._pseudonymizers[assistant] = found
        return found

    @property
    def embedded_assistant(self) -> EmbeddedAssistant | None:
        """The embedded assistant when it answers (no upstream model configured)."""
        from discreet.gateway.assistant import EmbeddedAssistant

        return self.backend if isinstance(self.backend, EmbeddedAssistant) else None

    @property
    def embedded(self) -> bool:
        """True when the embedded assistant answers (no upstream model configured)."""
        return self.embedded_assistant is not None

    async def aclose(self) -> None:
        await self.backend.aclose()

    # -- the turn ------------------------------------------------------------------------

    async def run_turn(self, request: TurnRequest) -> TurnResult:
        """Serve one turn; raises `TurnRefused` (after auditing it) when it cannot."""
        prepared: Prepared | None = None
        limiter = self._thread_limiter()
        try:
            with phase("prepare"):  # ops metrics: per-phase latency histograms
                prepared = await in_thread(partial(self.prepare, request), limiter)
            with phase("upstream"):
                answered = await answer(self, prepared, limiter)
            with phase("finish"):
                return await in_thread(
                    lambda: record(self, prepared, deliver(self, prepared, answered)), limiter
                )
        except Exception as exc:
            refused = exc if isinstance(exc, TurnRefused) else _refusal_for(exc)
            await in_thread(partial(audit_refusal, self, request, prepared, refused), limiter)
            raise refused from None

    async def stream_turn(self, request: TurnRequest) -> StreamedTurn:
        """Serve one streamed turn: each piece of the upstream's answer is released as
        soon as it is guarded and checked (`steps.stream`, gateway/release.py). Raises
        `TurnRefused` (after auditing it) for a refusal before the stream begins; the
        stream begins once more than one release is ready (an answer that fits in one
        is served whole, its refusals as a status like a plain turn's). Cancelled before
        it begins (the client went away), it closes the upstream and audits the turn as
        refused (`client_disconnected`): nothing of it was released, nothing is stored."""
        prepared: Prepared | None = None
        texts: AsyncGenerator[str, None] | None = None
        limiter = self._thread_limiter()
        try:
            with phase("prepare"):
                prepared = await in_thread(partial(self.prepare, request), limiter)
            if prepared.short is not None or self.embedded_assistant is not None:
                return _whole(await self._answer_whole(prepared, limiter))
            release = chunk_release(self, prepared)
            texts = released(self, prepared, release, limiter)
            with phase("upstream"):
                head = [t async for t in _first(texts, 2)]
            if len(head) < 2:  # the whole answer, or a block, before a second release
                with phase("finish"):
                    return _whole(
                        await _recording(
                            partial(self._record_stream, prepared, release, head), limiter
                        )
                    )
        except Exception as exc:
            refused = exc if isinstance(exc, TurnRefused) else _refusal_for(exc)
            await in_thread(partial(audit_refusal, self, request, prepared, refused), limiter)
            raise refused from None
        except BaseException:
            with anyio.CancelScope(shield=True), anyio.move_on_after(CUT_SHORT_SECONDS):
                if texts is not None:
                    await texts.aclose()
                gone = TurnRefused(499, CLIENT_DISCONNECTED, "the client went away")
                await _abandoning(partial(audit_refusal, self, request, prepared, gone), limiter)
            raise
        streamed = StreamedTurn(prepared.conversation_id, request.model, None, _empty())
        streamed.pieces = self._rest_of_stream(streamed, prepared, release, head, texts, limiter)
        # Started, so that closing it however early (the client gone before the first
        # piece is read) runs its end; a generator never started runs no code on close.
        await anext(streamed.pieces)
        return streamed

    async def _answer_whole(self, prepared: Prepared, limiter: anyio.CapacityLimiter) -> TurnResult:
        answered = await answer(self, prepared, limiter)
        return await _recording(
            lambda: record(self, prepared, deliver(self, prepared, answered)), limiter
        )

    def _record_stream(
        self,
        prepared: Prepared,
        release: ChunkRelease,
        pieces: list[str],
        cut_short: str | None = None,
    ) -> TurnResult:
        delivery = streamed_delivery(self, prepared, release, pieces, cut_short)
        result = record(self, prepared, delivery)
        if prepared.admitted.first_turn:  # the disclosure first, as on a whole answer
            return _with_disclosure(self, prepared, result)
        return result

    async def _rest_of_stream(
        self,
        streamed: StreamedTurn,
        prepared: Prepared,
        release: ChunkRelease,
        head: list[str],
        texts: AsyncGenerator[str, None],
        limiter: anyio.CapacityLimiter,
    ) -> AsyncGenerator[str, None]:
        """The stream after its start: the disclosure (on a first answer), the releases,
        the blocked message if blocked; then the turn's record. A fault after the start
        ends the stream (`streamed.error`) and is audited as a refused turn. A client that
        goes away (this generator cancelled or closed) stops the upstream, and the turn is
        recorded with what was released so far (`_record_cut_short`). It first yields ""
        for `stream_turn` to start it."""
        pieces = list(head)
        try:
            yield ""
            if prepared.admitted.first_turn:
                yield self.policy.disclosure.in_language(prepared.heard.language) + "\n\n"
            for text in head:
                yield text
            async for text in texts:
                pieces.append(text)
                yield text
            delivery = streamed_delivery(self, prepared, release, pieces)
            if release.blocked is not None:
                # The headers said no handoff; the stream's last chunk says it (api/app.py).
                streamed.handoff, streamed.blocked = delivery.handoff, True
                yield delivery.pieces[-1]
            await _recording(partial(record, self, prepared, delivery), limiter)
        except Exception as exc:
            refused = exc if isinstance(exc, TurnRefused) else _refusal_for(exc)
            streamed.error = refused
            request = prepared.request
            await in_thread(partial(audit_refusal, self, request, prepared, refused), limiter)
        except BaseException:  # cancelled, or closed at a yield: before the record began
            await self._record_cut_short(prepared, release, pieces, texts, limiter)
            raise
        finally:
            # A client that goes away stops the stream here: stop reading the upstream too.
            with anyio.CancelScope(shield=True):
                await texts.aclose()

    async def _record_cut_short(
        self,
        prepared: Prepared,
        release: ChunkRelease,
        pieces: list[str],
        texts: AsyncGenerator[str, None],
        limiter: anyio.CapacityLimiter,
    ) -> None:
        """Record a stream its client left: the upstream closed first, then the turn with
        the segments released so far, marked `client_disconnected`, under the same
        erasure fence (a refusal is audited instead). Shielded from the cancellation that
        ended the stream, and bounded: the response's task waits `CUT_SHORT_SECONDS` at
        most (the transaction itself commits whole or not at all)."""
        request = prepared.request
        with anyio.CancelScope(shield=True), anyio.move_on_after(CUT_SHORT_SECONDS):
            await texts.aclose()
            try:
                await _abandoning(
                    partial(self._record_stream, prepared, release, pieces, CLIENT_DISCONNECTED),
                    limiter,
                )
            except Exception as exc:
                refused = exc if isinstance(exc, TurnRefused) else _refusal_for(exc)
                await _abandoning(partial(audit_refusal, self, request, prepared, refused), limiter)

    def prepare(self, request: TurnRequest) -> Prepared:
        """The inbound half of a turn: steps 1-5 (blocking; runs in a worker thread).

        The owners' reads (conversation state, consent, the vault, transcripts, blind
        index) share one read transaction until the turn writes (the vault read's audit
        record): two transactions instead of six. Nothing here waits on the model, so
        the transaction is short."""
        with self.vault.data_store.shared_reads():
            admitted = admit(self, request)
            heard = listen(self, request)
            short = decide(self, admitted, heard)
            if short is not None:
                return Prepared(admitted, heard, short=short)
            read = read_context(self, admitted)
            return Prepared(admitted, heard, outbound=pseudonymise(self, admitted, heard, read))

    def _thread_limiter(self) -> anyio.CapacityLimiter:
        """Worker threads for turn work. Few on purpose: the work is CPU and database
        bound, and SQLite admits one writer at a time, so more threads only add lock waits
        (SQLite's busy handler sleeps) and GIL switching. Made in the running event loop."""
        if self._limiter is None:
            self._limiter = anyio.CapacityLimiter(self.threads)
        return self._limiter


async def _recording(func: Callable[[], T], limiter: anyio.CapacityLimiter) -> T:
    """Run a turn's record step in a worker thread, shielded: a client that goes away
    meanwhile cannot leave it done but unseen (the cancellation arrives after it)."""
    with anyio.CancelScope(shield=True):
        result = await in_thread(func, limiter)
    return result


async def _abandoning(func: Callable[[], object], limiter: anyio.CapacityLimiter) -> None:
    """Run `func` in a worker thread, no longer waited for once cancelled (a timeout):
    for the record of a turn whose client left, which must not hold the response's task
    long; the thread runs to its end all the same."""
    await anyio.to_thread.run_sync(func, limiter=limiter, abandon_on_cancel=True)


async def _first(texts: AsyncIterator[str], count: int) -> AsyncIterator[str]:
    """The first `count` items of `texts` (fewer if it ends), leaving it open."""
    for _ in range(count):
        item = await anext(texts, None)
        if item is None:
            return
        yield item


async def _empty() -> AsyncGenerator[str, None]:
    return
    yield  # an async generator that yields nothing


async def _pieces(pieces: tuple[str, ...]) -> AsyncGenerator[str, None]:
    for piece in pieces:
        yield piece


def _whole(result: TurnResult) -> StreamedTurn:
    """A turn answered whole, as a stream of its pieces."""
    return StreamedTurn(
        result.conversation_id,
        result.model,
        result.handoff,
        _pieces(result.pieces),
        blocked=result.blocked,
    )


def _with_disclosure(gateway: Gateway, prepared: Prepared, result: TurnResult) -> TurnResult:
    pieces = disclosed(gateway, prepared, list(result.pieces))
    return replace(result, pieces=pieces, text="".join(pieces))


def _refusal_for(exc: Exception) -> TurnRefused:
    """Map a failure to the status the client sees (fail closed; no values in messages):
    the error tree's status and code, with two turn-specific readings."""
    if isinstance(exc, OperatorError):
        # A configured operator failing mid-turn is the server's fault, not the client's
        # (from the CLI the same error is the user's bad --operators: exit 2).
        return TurnRefused(503, "detection_unavailable", f"detection failed: {type(exc).__name__}")
    if isinstance(exc, VaultError | StorageError):
        # Whatever broke below the vault, the client learns one thing: it is unavailable.
        return TurnRefused(503, "vault_unavailable", f"vault unavailable: {type(exc).__name__}")
    return TurnRefused.of(exc)


__all__ = [
    "FORWARDED_PARAMS",
    "HISTORY_PREFIX",
    "INCIDENT_ACTION",
    "MAX_CONVERSATION_ID",
    "NOT_ALLOWED_MESSAGE",
    "NOT_ALLOWED_MESSAGES",
    "TURN_ACTION",
    "Gateway",
    "StreamedTurn",
    "TurnRefused",
    "TurnRequest",
    "TurnResult",
    "check_conversation_id",
    "not_allowed_message",
]
