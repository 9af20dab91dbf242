"""The `earlier` step: the subject's earlier conversations as context for this turn.

Stored messages carry THEIR conversation's tokens, meaningless here. Where that
conversation's token map still exists, its tokens are restored to values (in memory,
read under the assistant's purpose) so this turn re-tokenises them into this
conversation's map; tokens it lacks, and every token of a conversation whose map is gone
(closed, retention, erasure), become type placeholders ("[PERSON]"). Only this
assistant's own conversations: another assistant's may hold data categories this one may
not see.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from discreet.detect.base import KnownSubject
from discreet.gateway.steps.facts import Admitted
from discreet.gateway.steps.services import TurnServices
from discreet.gateway.turncache import subject_fingerprint
from discreet.transform import OperatorError, PseudonymizedText
from discreet.transform.tokenformat import TokenFormat

HISTORY_PREFIX = (
    "Earlier conversations with this customer (oldest first; personal details replaced "
    "by placeholders):"
)


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


@dataclass(frozen=True, slots=True)
class Earlier:
    """The earlier messages: finished lines (str, from the cache) and `_Earlier` items
    still to pseudonymise with this turn, in order; and how many were read."""

    items: tuple[_Earlier | str, ...] = ()
    read: int = 0

    @property
    def fresh(self) -> list[_Earlier]:
        return [item for item in self.items if isinstance(item, _Earlier)]


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


def history_scope(admitted: Admitted, known: KnownSubject | None, language: str) -> tuple[str, ...]:
    """What a re-tokenised history line depends on besides the stored message itself."""
    return (
        "history",
        admitted.request.key.assistant,
        admitted.conversation_id,
        subject_fingerprint(known),
        language,
    )


def earlier(
    services: TurnServices,
    admitted: Admitted,
    token_map: Mapping[str, str] | None,
    in_window: int,
    scope: tuple[str, ...],
) -> Earlier:
    """The subject's earlier conversations inside the assistant's history window, at
    most `max_context_messages` minus this conversation's own messages (`in_window`),
    ready to be pseudonymised with this turn.

    A message already re-tokenised on an earlier turn of this conversation comes as its
    finished line (a str) from the cache while its tokens still hold in this
    conversation's map; only the rest need the earlier maps (one audited read).
    """
    grant = admitted.grant
    budget = grant.max_context_messages - in_window
    if admitted.subject is None or grant.history_window_days <= 0 or budget <= 0:
        return Earlier()
    since = datetime.now(UTC) - timedelta(days=grant.history_window_days)
    stored = services.states.earlier_messages(
        admitted.subject,
        assistant=admitted.request.key.assistant,
        since=since,
        before=admitted.started_at,
        exclude=admitted.conversation_id,
        limit=budget,
    )
    if not stored:
        return Earlier()
    cache = services.cache
    keys = cache.keys(
        scope, [f"{m.conversation_id}\x00{m.seq}\x00{m.role}\x00{m.text}" for m in stored]
    )
    current = token_map if token_map is not None else {}
    lines = [cache.get_line(key, current) for key in keys]
    missing = {m.conversation_id for m, line in zip(stored, lines, strict=True) if line is None}
    maps = (
        services.vault.load_token_maps(missing, subject_id=admitted.subject, ctx=admitted.ctx)
        if missing
        else {}
    )
    fmt = services.pseudonymizer(admitted.request.key.assistant).operators.token_format
    items: list[_Earlier | str] = []
    for message, key, line in zip(stored, keys, lines, strict=True):
        if line is not None:
            items.append(line)
            continue
        restored, values = _restore(message.text, maps.get(message.conversation_id, {}), fmt)
        fallback, _ = _restore(message.text, {}, fmt)
        items.append(_Earlier(message.role, restored, fallback, values, key))
    return Earlier(tuple(items), len(stored))


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


def history_lines(
    services: TurnServices,
    admitted: Admitted,
    found: Earlier,
    results: Sequence[PseudonymizedText],
    current_map: Mapping[str, str] | None,
) -> list[str]:
    """The history lines of `found` given the pseudonymised texts of its fresh items;
    each new line is cached while the tokens it uses hold in `current_map`."""
    lines = _history_lines(found.items, results)
    if current_map is not None:
        fmt = services.pseudonymizer(admitted.request.key.assistant).operators.token_format
        for item, line in zip(found.items, lines, strict=True):
            if isinstance(item, _Earlier):
                services.cache.put_line(item.key, line, current_map, fmt.regex)
    return lines


__all__ = ["HISTORY_PREFIX", "Earlier", "earlier", "history_lines", "history_scope"]
