"""The last check before the upstream: no customer's identifier leaves raw.

Detection pseudonymises what it recognises; a customer who types their own e-mail as
"jan @ example.nl", their phone in fullwidth digits or digit by digit, or a history line
the detector read differently, gets past it. So every string of the outgoing messages is
looked up like an answer is (`guard.leaks.candidates`, the vault's blind indexes, one
batched query): a text holding ANY customer's identifier (this one's included) has the
words that spell it replaced by `WITHHELD` before it is sent. The words are found by
the smallest run of words whose candidates still hold the match, so the rest of the
message survives.

Invariants: runs in the turn after pseudonymisation, on exactly the messages sent; a
lookup failure propagates (the turn fails closed); it reports counts only.
"""

from __future__ import annotations

import hashlib
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Iterator
from typing import Any

from discreet.guard.leaks import Lookup, Query, candidates

WITHHELD = "[withheld]"
MAX_WINDOW_WORDS = 16
_WORD = re.compile(r"\S+")


def _strings(messages: list[dict[str, Any]]) -> Iterator[tuple[dict[str, Any], str, str]]:
    """(container, key, text) for every free-text string that goes upstream."""
    for message in messages:
        content = message.get("content")
        if isinstance(content, str):
            yield message, "content", content
        elif isinstance(content, list):
            for part in content:
                if isinstance(part, dict) and isinstance(part.get("text"), str):
                    yield part, "text", part["text"]
        for call in message.get("tool_calls") or ():
            function = call.get("function") if isinstance(call, dict) else None
            if isinstance(function, dict) and isinstance(function.get("arguments"), str):
                yield function, "arguments", function["arguments"]


def _scrub(text: str, matched: set[Query]) -> tuple[str, int]:
    """`text` with each smallest run of words spelling a `matched` identifier withheld."""
    words = [(m.start(), m.end()) for m in _WORD.finditer(text)]
    spans: list[tuple[int, int]] = []
    i = 0
    while i < len(words):
        hit = None
        for j in range(i, min(i + MAX_WINDOW_WORDS, len(words))):
            if candidates(text[words[i][0] : words[j][1]]) & matched:
                hit = j
                break
        if hit is None:
            i += 1
            continue
        # Shrink from the left: the run that still spells it, no longer.
        start = i
        while start < hit and candidates(text[words[start + 1][0] : words[hit][1]]) & matched:
            start += 1
        spans.append((words[start][0], words[hit][1]))
        i = hit + 1
    if not spans:
        # Spelled across more words than the window (or only by the whole text).
        return WITHHELD, 1
    pieces: list[str] = []
    cursor = 0
    for start, end in spans:
        pieces.append(text[cursor:start])
        pieces.append(WITHHELD)
        cursor = end
    pieces.append(text[cursor:])
    return "".join(pieces), len(spans)


class CleanTexts:
    """Texts recently found to hold nobody's identifier (by digest of the text), so the
    messages a client resends every turn are looked up once, not on every turn. Entries
    expire after `ttl` seconds: a customer imported since may own a value in them."""

    def __init__(self, size: int = 4096, ttl: float = 120.0) -> None:
        self._seen: OrderedDict[bytes, float] = OrderedDict()
        self._size = size
        self._ttl = ttl
        self._lock = threading.Lock()

    @staticmethod
    def key(text: str) -> bytes:
        return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()

    def __contains__(self, key: bytes) -> bool:
        with self._lock:
            until = self._seen.get(key)
            if until is None:
                return False
            if until < time.monotonic():
                del self._seen[key]
                return False
            return True

    def add(self, keys: list[bytes]) -> None:
        until = time.monotonic() + self._ttl
        with self._lock:
            for key in keys:
                self._seen[key] = until
                self._seen.move_to_end(key)
            while len(self._seen) > self._size:
                self._seen.popitem(last=False)


def scrub_outbound(
    messages: list[dict[str, Any]], lookup: Lookup, clean: CleanTexts | None = None
) -> int:
    """Withhold every customer identifier left raw in `messages` (changed in place);
    returns how many were withheld. `clean` remembers texts found clean."""
    found = []
    for holder, key, text in _strings(messages):
        digest = CleanTexts.key(text)
        if clean is not None and digest in clean:
            continue
        found.append((holder, key, text, candidates(text), digest))
    wanted = set().union(*(f[3] for f in found)) if found else set()
    if not wanted:
        if clean is not None:
            clean.add([f[4] for f in found])
        return 0
    owners = lookup(sorted(wanted))
    matched = {query for query, subjects in owners.items() if subjects}
    if clean is not None:
        clean.add([f[4] for f in found if not f[3] & matched])
    if not matched:
        return 0
    withheld = 0
    for holder, key, text, mine, _ in found:
        if mine & matched:
            holder[key], count = _scrub(text, matched)
            withheld += count
    return withheld


__all__ = ["WITHHELD", "CleanTexts", "scrub_outbound"]
