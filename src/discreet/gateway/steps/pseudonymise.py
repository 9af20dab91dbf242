"""The context steps: `read_context` (the minimal context, in ONE audited vault read)
and `pseudonymise` (the context, every message, every tool output and the history with
ONE `ConversationTurn`, then the outbound check on exactly what is sent).

Texts unchanged since an earlier turn come from `PseudonymCache` while their tokens
still hold (see `turncache`).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from contextlib import suppress
from typing import Any

from discreet.gateway.context import message_text
from discreet.gateway.customer import build_context, known_subject, split_fields
from discreet.gateway.delivery import cross_subject_incident
from discreet.gateway.limits import cap_history
from discreet.gateway.outbound import scrub_outbound
from discreet.gateway.refusals import TurnRefused
from discreet.gateway.steps.admit import confirm, subject_conflict, subject_not_found
from discreet.gateway.steps.facts import Admitted, ContextRead, Heard, Outbound, Prepared
from discreet.gateway.steps.history import (
    HISTORY_PREFIX,
    earlier,
    history_lines,
    history_scope,
)
from discreet.gateway.steps.services import TurnServices
from discreet.gateway.toolcalls import IdMap, allowlist, check_tool_results
from discreet.gateway.turncache import PreloadedTokenStore, subject_fingerprint
from discreet.transform import OperatorError, PseudonymizedText
from discreet.transform.pseudonymizer import ConversationTurn
from discreet.vault import ConversationSubjectConflict, SubjectNotFound

TRANSCRIPT_ROLES = frozenset({"user", "tool"})
_SYSTEM = ("system", "developer")


def read_context(services: TurnServices, admitted: Admitted) -> ContextRead:
    """The fields the policy grants the assistant, plus identifiers it may not see, read
    for detection only; with the token map, in one audited read. Anonymous: nothing."""
    request = admitted.request
    if request.subject_ref is None:
        return ContextRead()
    try:
        read = services.vault.read_for_turn(
            admitted.conversation_id,
            request.subject_ref,
            ctx=admitted.ctx,
            fields=admitted.grant.fields,
            detection_fields=frozenset(services.policy.entity_fields),
        )
    except SubjectNotFound:
        raise subject_not_found() from None
    except ConversationSubjectConflict:
        raise subject_conflict("conversation is bound to another subject") from None
    confirm(admitted.subject, read.subject_id)
    granted = dict(read.fields)
    known = known_subject({**read.detection_fields, **granted}, services.policy.entity_fields)
    return ContextRead(granted, known, read.token_map)


def refuse_foreign_tool_results(
    services: TurnServices, prepared: Prepared, messages: Sequence[Mapping[str, Any]]
) -> None:
    """A tool result with another subject's identifiers is refused and recorded as a
    cross-subject incident, before anything of it is pseudonymised into this map."""
    found = check_tool_results(
        messages,
        subject=prepared.subject,
        own_text=prepared.own_text,
        lookup=services.vault.match_identifiers,
    )
    if found.foreign:
        vault = services.vault
        with suppress(Exception):
            vault.audit_log.append(
                cross_subject_incident(
                    vault.tenant, prepared, found.kinds, found.other_subjects, "tool"
                )
            )
        raise TurnRefused(
            422,
            "tool_result_cross_subject",
            "a tool result holds another customer's data; nothing was sent",
        )


def _message_texts(
    messages: Sequence[Mapping[str, Any]],
) -> tuple[list[str], list[tuple[int, str, int]]]:
    """Every free text of `messages` and where it sits: (message index, kind, part)."""
    texts: list[str] = []
    slots: list[tuple[int, str, int]] = []
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
    return texts, slots


def _written(
    messages: Sequence[Mapping[str, Any]],
    slots: Sequence[tuple[int, str, int]],
    results: Sequence[PseudonymizedText],
) -> list[dict[str, Any]]:
    """Copies of `messages` with the pseudonymised texts written in (the request stays
    as it came); deep only where texts sit in nested parts, which is rare and costs per
    turn. The free-text `name` field is dropped: it may hold a name."""
    out = [
        copy.deepcopy(dict(m))
        if isinstance(m.get("content"), list) or m.get("tool_calls")
        else dict(m)
        for m in messages
    ]
    for (i, kind, j), result in zip(slots, results, strict=True):
        if kind == "content":
            out[i]["content"] = result.text
        elif kind == "part":
            out[i]["content"][j]["text"] = result.text
        else:
            out[i]["tool_calls"][j]["function"]["arguments"] = result.text
    for message in out:
        message.pop("name", None)
    return out


def pseudonymise(
    services: TurnServices, admitted: Admitted, heard: Heard, read: ContextRead
) -> Outbound:
    """The messages for the model: the context message, the history, the client's
    messages (allowed fields only, ids opaque, inside the policy's window), all
    pseudonymised with one turn, then checked once more for raw identifiers."""
    request = admitted.request
    facts = Prepared(admitted, heard)
    # Allowed fields only, ids opaque (gateway/toolcalls.py); then the window.
    messages = _window(allowlist(request.messages, IdMap()), admitted.grant.max_context_messages)
    refuse_foreign_tool_results(services, facts, messages)
    texts, slots = _message_texts(messages)
    all_fields = list(read.granted.items())
    # Typed and plain fields never go through detection (see gateway/customer.py).
    typed, plain, free = split_fields(all_fields, services.policy.field_types)
    language = heard.language or services.detector.config.default_language
    in_window = sum(1 for m in messages if m.get("role") not in _SYSTEM)
    found = earlier(
        services,
        admitted,
        read.token_map,
        in_window,
        history_scope(admitted, read.known, language),
    )
    all_texts = [v for _, v in free] + texts + [e.text for e in found.fresh]
    results, turn, current_map = _pseudonymise_texts(services, admitted, read, all_texts, language)
    typed_results = turn.pseudonymize_typed(
        [(v, services.policy.entity_fields[n]) for n, v in typed], language
    )
    context_fields = [*typed, *plain, *free]
    context_results = [
        *typed_results,
        *(_unchanged(v, language) for _, v in plain),
        *results[: len(free)],
    ]
    message_results = results[len(free) : len(free) + len(texts)]
    lines = history_lines(services, admitted, found, results[len(free) + len(texts) :], current_map)
    lines = cap_history(lines)  # bounded in bytes (gateway/limits.py)
    history = (
        [{"role": "system", "content": HISTORY_PREFIX + "\n" + "\n".join(lines)}] if lines else []
    )
    out = _written(messages, slots, message_results)
    built = build_context(
        [(name, raw, res) for (name, raw), res in zip(context_fields, context_results, strict=True)]
    )
    upstream = [built.message, *history, *out]
    # Raw identifiers detection missed (odd spellings) are withheld (gateway/outbound.py).
    withheld = scrub_outbound(upstream, services.vault.match_identifiers, services.clean_texts)
    known_values = _found_values(all_texts, results) + [
        v for (_, v), r in zip(typed, typed_results, strict=True) if r.findings
    ]
    return Outbound(
        turn=turn,
        messages=tuple(upstream),
        known_values=tuple(known_values),
        entities_in=frozenset(f.type for r in results for f in r.findings),
        sent_fields=built.sent_fields,
        dropped_fields=built.dropped_fields,
        transcript=_new_messages(out),
        history_messages=found.read,
        withheld=withheld,
    )


def _pseudonymise_texts(
    services: TurnServices,
    admitted: Admitted,
    read: ContextRead,
    texts: list[str],
    language: str,
) -> tuple[list[PseudonymizedText], ConversationTurn, dict[str, str] | None]:
    """Pseudonymise `texts` with one `ConversationTurn`; texts pseudonymised on an
    earlier turn of this conversation come from the cache (see `turncache`) when their
    tokens are unchanged in the map this turn read, the rest go to detection in one
    batch. Without a preloaded map (anonymous conversations) all do."""
    assistant = admitted.request.key.assistant
    base = services.pseudonymizer(assistant)
    conversation_id = admitted.conversation_id
    if read.token_map is None:
        turn = base.turn(conversation_id, read.known)
        return turn.pseudonymize_messages(texts, language), turn, None
    store = PreloadedTokenStore(conversation_id, read.token_map, services.token_store)
    turn = base.turn(conversation_id, read.known, store=store)
    cache = services.cache
    scope = (assistant, conversation_id, subject_fingerprint(read.known), language)
    keys = cache.keys(scope, texts)
    found = [cache.get(key, read.token_map) for key in keys]
    misses = [i for i, result in enumerate(found) if result is None]
    if misses:
        fresh = turn.pseudonymize_messages([texts[i] for i in misses], language)
        for i, result in zip(misses, fresh, strict=True):
            found[i] = result
            cache.put(keys[i], result, store.current)
    results = [r for r in found if r is not None]
    if len(results) != len(texts):  # cannot happen; never send a text unprocessed
        raise OperatorError("a text was left without pseudonymisation")
    return results, turn, store.current


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


def _window(messages: Sequence[Mapping[str, Any]], limit: int) -> list[Mapping[str, Any]]:
    """System/developer messages plus the last `limit` others (the policy's window)."""
    others = [i for i, m in enumerate(messages) if m.get("role") not in _SYSTEM]
    keep = set(others[-limit:]) if limit else set()
    return [m for i, m in enumerate(messages) if i in keep or m.get("role") in _SYSTEM]


def _unchanged(text: str, language: str) -> PseudonymizedText:
    """A plain field's value as it is (nothing found, nothing replaced)."""
    return PseudonymizedText(text=text, language=language, findings=(), spans=(), counts={})


def _found_values(texts: Sequence[str], results: Sequence[PseudonymizedText]) -> list[str]:
    """The raw values detection found in this turn's texts (what the token map holds)."""
    values: list[str] = []
    for text, result in zip(texts, results, strict=True):
        values.extend(f.value(text) for f in result.findings)
    return values


__all__ = ["TRANSCRIPT_ROLES", "pseudonymise", "read_context", "refuse_foreign_tool_results"]
