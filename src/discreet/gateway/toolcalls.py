"""Which fields of a chat request reach the upstream, with a rule for each.

Every string the upstream receives is either pseudonymised or not sent. Clients send
OpenAI messages with many optional and vendor-specific fields (``name``, ``x_debug``, a
tool call's ``description``); each is a place a raw value can ride along past the
pseudonymiser. So the gateway forwards an explicit allow-list and drops the rest:

=========================  ==================================================
field                      rule
=========================  ==================================================
``role``                   one of system, developer, user, assistant, tool
``content`` (text, parts)  pseudonymised by the turn (text parts only)
``tool_calls[].id``        replaced by an opaque id (``call_1``, ...)
``tool_calls[].type``      ``function``
``function.name``          kept if it is a plain tool name, else opaque
``function.arguments``     pseudonymised by the turn
``tool_call_id``           the opaque id of the call it answers
anything else              dropped (``name``, ``description``, unknown keys)
=========================  ==================================================

`IdMap` keeps the opaque ids of one request (the same client id gets the same opaque
id, so a tool result still answers its call) and maps them back.

A tool result (``role: tool``) that carries another subject's identifiers is refused
before anything is pseudonymised (`check_tool_results`): it is a tool returning the
wrong record, and its values must not become tokens of this conversation.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from discreet.guard.leaks import Lookup, check
from discreet.vault.blind_index import IdentifierKind

ROLES = frozenset({"system", "developer", "user", "assistant", "tool"})
# A tool name as OpenAI accepts it, without digit runs long enough to be a number.
_TOOL_NAME = re.compile(r"[A-Za-z_][A-Za-z_.-]*(?:\d{1,2}[A-Za-z_.-]*)*")
_MAX_TOOL_NAME = 64


@dataclass
class IdMap:
    """Opaque ids for one request's tool-call ids and tool names, and the way back."""

    calls: dict[str, str] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)

    def call(self, original: object) -> str:
        key = original if isinstance(original, str) else ""
        if key not in self.calls:
            self.calls[key] = f"call_{len(self.calls) + 1}"
        return self.calls[key]

    def tool(self, original: object) -> str:
        name = original if isinstance(original, str) else ""
        if len(name) <= _MAX_TOOL_NAME and _TOOL_NAME.fullmatch(name):
            return name
        if name not in self.names:
            self.names[name] = f"tool_{len(self.names) + 1}"
        return self.names[name]

    def original_call(self, opaque: str) -> str | None:
        """The client's id behind an opaque call id (None if this request has none)."""
        return next((k for k, v in self.calls.items() if v == opaque), None)

    def __repr__(self) -> str:
        return f"IdMap(calls={len(self.calls)}, names={len(self.names)})"


def _content(value: object) -> str | list[dict[str, str]] | None:
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return [
            {"type": "text", "text": str(part.get("text", ""))}
            for part in value
            if isinstance(part, Mapping) and part.get("type") == "text"
        ]
    return None


def allowlist(messages: Sequence[Mapping[str, Any]], ids: IdMap) -> list[dict[str, Any]]:
    """The messages with allowed fields only, ids opaque (see the module's table)."""
    out: list[dict[str, Any]] = []
    for message in messages:
        role = message.get("role")
        if role not in ROLES:
            continue
        clean: dict[str, Any] = {"role": role}
        content = _content(message.get("content"))
        if content is not None:
            clean["content"] = content
        calls = message.get("tool_calls")
        if role == "assistant" and isinstance(calls, list) and calls:
            clean["tool_calls"] = [_call(call, ids) for call in calls if isinstance(call, Mapping)]
            clean.setdefault("content", None)
        if role == "tool":
            clean["tool_call_id"] = ids.call(message.get("tool_call_id"))
            clean.setdefault("content", "")
        out.append(clean)
    return out


def _call(call: Mapping[str, Any], ids: IdMap) -> dict[str, Any]:
    function = call.get("function")
    function = function if isinstance(function, Mapping) else {}
    arguments = function.get("arguments")
    return {
        "id": ids.call(call.get("id")),
        "type": "function",
        "function": {
            "name": ids.tool(function.get("name")),
            "arguments": arguments if isinstance(arguments, str) else "",
        },
    }


@dataclass(frozen=True, slots=True)
class ToolResultCheck:
    """Kinds of foreign identifiers in the request's tool results (none: fine)."""

    kinds: frozenset[IdentifierKind]
    other_subjects: int

    @property
    def foreign(self) -> bool:
        return bool(self.kinds)


def check_tool_results(
    messages: Sequence[Mapping[str, Any]],
    *,
    subject: str | None,
    own_text: str,
    lookup: Lookup,
) -> ToolResultCheck:
    """Do the tool results of `messages` carry another subject's identifiers? The
    customer's own words may appear in them (a tool echoing the question)."""
    texts = [
        content
        for m in messages
        if m.get("role") == "tool" and isinstance(content := _text(m.get("content")), str)
    ]
    if not texts:
        return ToolResultCheck(frozenset(), 0)
    result = check("\n".join(texts), subject=subject, allowed=[own_text], lookup=lookup)
    return ToolResultCheck(result.kinds, result.other_subjects)


def _text(content: object) -> str | None:
    value = _content(content)
    if isinstance(value, list):
        return "\n".join(part["text"] for part in value)
    return value


__all__ = ["ROLES", "IdMap", "ToolResultCheck", "allowlist", "check_tool_results"]
