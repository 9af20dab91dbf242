"""Per-chunk release of a streamed answer: each piece is guarded, rehydrated and checked
for other customers' values before the customer gets it (issue 12).

The upstream's deltas (pseudonymised) gather in a buffer. A release cuts the buffer at a
space that leaves at least `hold` characters behind it (measured after rehydration), and
passes the segment before the cut through, in order:

1. the output guard on the pseudonymised segment (`SegmentGuard`; detection: secrets
   redacted, unexplained personal data withheld, detected cross-subject identifiers
   block);
2. the streaming rehydrator (a token split over deltas is held until it is whole);
3. the delivery check (`WindowCheck`, guard/leaks.py) of a WINDOW: up to `behind`
   characters already released, the segment, and the held-back text ahead of it as it
   would read once rehydrated.

Invariant (why the window is enough): a value written in at most `hold` characters is
wholly inside the window of the release that would deliver its first character: the
value starts in this segment (had it started in an earlier one, that release would have
seen it whole), and ends at most `hold` characters later, inside the text held back.
So a value or a token split across chunks, however thin the chunks, is looked up whole
before any of it leaves, and a value found foreign stops the stream: nothing of it, and
nothing after it, is released (`blocked`). Longer spellings (a value spread over more
than `hold` characters) are the limit of this window; `hold` is several times the
longest identifier the leak check reads (an e-mail address spelled out with "at" and
"dot", a phone number digit by digit).

Releases are attempted every `step` new characters, not per delta, so a model that drips
one character at a time costs one guard call and one batched look-up per `step`
characters. Text with no space to cut at (a very long word) is held until it ends; the
byte cap and the turn's deadline bound how long.
"""

from __future__ import annotations

from collections.abc import Callable

from discreet.gateway.delivery import blocked_result
from discreet.guard import GuardDecision, GuardResult
from discreet.guard.leaks import LeakResult
from discreet.transform.rehydrate import StreamingRehydrator

HOLD_CHARS = 160
"""Rehydrated characters held back behind a release (the longest spelling caught whole)."""
BEHIND_CHARS = 160
"""Released characters the next window starts with (context for prefixes: "+31 (0)")."""
STEP_CHARS = 96
"""New characters between two release attempts."""

_NOTHING = GuardResult("", False, frozenset(), frozenset())

SegmentGuard = Callable[[str], GuardResult]
"""The output guard on one pseudonymised segment."""
WindowCheck = Callable[[str], LeakResult]
"""The delivery check of one rehydrated window (this conversation's own values pass)."""


class ChunkRelease:
    """One streamed answer's release state; not thread-safe (one turn, one at a time)."""

    def __init__(
        self,
        guard: SegmentGuard,
        check: WindowCheck,
        rehydrator: StreamingRehydrator,
        peek: Callable[[str], str],
        *,
        hold: int = HOLD_CHARS,
        behind: int = BEHIND_CHARS,
        step: int = STEP_CHARS,
    ) -> None:
        self._guard = guard
        self._check = check
        self._rehydrator = rehydrator
        self._peek = peek  # rehydration without side effects, for the text ahead
        self._hold = hold
        self._behind = behind
        self._step = step
        self._pending = ""  # pseudonymised, not yet guarded
        self._next_try = hold + step
        self._released_tail = ""  # the last `behind` released characters
        self.released_pseudonymised: list[str] = []  # guarded segments, for the transcript
        self.results: list[GuardResult] = []
        self.blocked: GuardResult | LeakResult | None = None
        self.lookups = 0

    def add(self, delta: str) -> bool:
        """Take the next delta; True when a release is due (call `release`)."""
        self._pending += delta
        return self.blocked is None and len(self._pending) >= self._next_try

    def release(self) -> str:
        """The text that may be released now (possibly empty). Blocking: it runs the
        guard and the look-ups; raises what they raise (callers fail closed)."""
        if self.blocked is not None:
            return ""
        cut = self._cut()
        if cut is None:
            self._next_try = len(self._pending) + self._step
            return ""
        segment, self._pending = self._pending[:cut], self._pending[cut:]
        self._next_try = len(self._pending) + self._step
        return self._pass(segment, self._peek(self._pending), final=False)

    def finish(self) -> str:
        """End of the answer: the rest, checked like every release."""
        if self.blocked is not None:
            return ""
        segment, self._pending = self._pending, ""
        return self._pass(segment, "", final=True)

    @property
    def unknown_tokens(self) -> tuple[str, ...]:
        return self._rehydrator.unknown_tokens

    def guard_summary(self, blocked_message: str) -> GuardResult:
        """The guard's decisions over all segments, as one result (for the audit): the
        guarded pseudonymised text released, or `blocked_message` when blocked."""
        results = self.results or [_NOTHING]
        decisions = frozenset().union(*(r.decisions for r in results))
        summary = GuardResult(
            "".join(self.released_pseudonymised),
            False,
            decisions - {GuardDecision.PASSED} or frozenset({GuardDecision.PASSED}),
            frozenset().union(*(r.found_types for r in results)),
            frozenset().union(*(r.leaked_types for r in results)),
            redacted=sum(r.redacted for r in results),
            withheld=sum(r.withheld for r in results),
            other_subjects=max(r.other_subjects for r in results),
        )
        if self.blocked is None:
            return summary
        return blocked_result(summary, blocked_message, self.blocked)

    # -- internals ---------------------------------------------------------------------

    def _cut(self) -> int | None:
        """The last space that leaves `hold` rehydrated characters behind it (not 0)."""
        text = self._pending
        i = _last_space(text, len(text) - self._hold)
        while i is not None and i > 0:
            if len(self._peek(text[i:])) >= self._hold:
                return i
            i = _last_space(text, i)
        return None

    def _pass(self, segment: str, ahead: str, *, final: bool) -> str:
        guarded = (
            self._guard(segment) if segment else GuardResult("", False, frozenset(), frozenset())
        )
        self.results.append(guarded)
        if guarded.blocked:
            self.blocked = guarded
            return ""
        ready = self._rehydrator.feed(guarded.text)
        if final:
            ready += self._rehydrator.flush()
        window = self._window_start() + ready + ahead
        if window.strip():
            leak = self._check(window)
            self.lookups += leak.lookups
            if leak.leaked:
                self.blocked = leak
                return ""
        self.released_pseudonymised.append(guarded.text)
        self._released_tail = (self._released_tail + ready)[-self._behind :]
        return ready

    def _window_start(self) -> str:
        """The released tail the window starts with, from a word's start: a word cut in
        half could read as a different (and someone's) value."""
        tail = self._released_tail
        if len(tail) < self._behind:
            return tail  # everything released so far: it starts at the answer's start
        space = _first_space(tail)
        return tail[space:] if space is not None else ""

    def __repr__(self) -> str:
        held = len(self._pending)
        return f"ChunkRelease(<{held} chars pending>, blocked={self.blocked is not None})"


def _last_space(text: str, end: int) -> int | None:
    """The index of the last whitespace character before `end`, if any."""
    for j in range(min(end, len(text)) - 1, -1, -1):
        if text[j].isspace():
            return j
    return None


def _first_space(text: str) -> int | None:
    for j, ch in enumerate(text):
        if ch.isspace():
            return j
    return None


__all__ = [
    "BEHIND_CHARS",
    "HOLD_CHARS",
    "STEP_CHARS",
    "ChunkRelease",
    "SegmentGuard",
    "WindowCheck",
]
