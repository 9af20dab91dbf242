"""Per-turn speed-ups that must not change what a turn does.

* `PreloadedTokenStore`: the token map the turn's one vault read already decrypted
  (`Vault.read_for_turn`), handed to the pseudonymiser as its first load, so a turn loads
  the map once instead of in a second audited call. Saves still go to the vault.
* `PseudonymCache`: OpenAI-style clients resend the whole conversation every turn, so
  most texts of a turn were pseudonymised on an earlier one. The cache returns that
  earlier result instead of running detection again, when, and only when, running it
  again would give the same text:

  - same assistant (operators), conversation, known-subject values, language and text
    (all inside the key; the text only as a keyed hash, never in the clear);
  - every token the earlier result used still maps to the same value in the map this
    turn loaded. Tokens are allocated once per value and never renumbered, so with
    those pairs present, pseudonymising again finds the same spans and reuses the same
    tokens. After an erasure, or any other change of the map, the check fails and the
    text goes through detection again (fail closed: a miss is only slower).

  Entries hold pseudonymised text and offsets, no raw values; the cache is per process,
  bounded (least recently used entries go first) and thread-safe. It also remembers the
  language identified for a text (`language_of`) and the inbound signals of each
  customer message (`signals_of`), by keyed hash as well.
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from discreet.detect.base import KnownSubject
from discreet.detect.language import detect_language
from discreet.guard import InboundSignal, scan_inbound
from discreet.transform import PseudonymizedText
from discreet.transform.tokens import TokenMapStore

DEFAULT_MAX_ENTRIES = 20_000
LANGUAGE_PREFIX = 2000  # what `detect_language` looks at


class PreloadedTokenStore:
    """A `TokenMapStore` for one turn of one conversation: the first load returns the map
    read with the turn's vault call; later loads and every save go to `store`."""

    def __init__(self, conversation_id: str, mapping: Mapping[str, str], store: TokenMapStore):
        self._conversation_id = conversation_id
        self._preloaded: dict[str, str] | None = dict(mapping)
        self._store = store
        self.current: dict[str, str] = dict(mapping)
        """The map as this turn last loaded or saved it (for `PseudonymCache`)."""

    def load(self, conversation_id: str) -> dict[str, str]:
        if conversation_id == self._conversation_id and self._preloaded is not None:
            mapping, self._preloaded = self._preloaded, None
            return mapping
        mapping = self._store.load(conversation_id)
        if conversation_id == self._conversation_id:
            self.current = dict(mapping)
        return mapping

    def save(self, conversation_id: str, mapping: Mapping[str, str]) -> None:
        self._store.save(conversation_id, mapping)
        if conversation_id == self._conversation_id:
            self.current = dict(mapping)

    def __repr__(self) -> str:
        return f"PreloadedTokenStore(conversation={self._conversation_id!r})"


@dataclass(frozen=True, slots=True)
class _Entry:
    result: PseudonymizedText
    tokens: tuple[tuple[str, str], ...]  # (token, value) pairs the result relies on


def subject_fingerprint(subject: KnownSubject | None) -> str:
    """The known-subject values as one string (hashed into cache keys, never stored)."""
    if subject is None:
        return ""
    values = sorted(f"{t.value}\x1e{v}" for t, v in subject.values())
    # The name's parts decide how a name in a message is tokenised (transform/names.py).
    return "\x1f".join([*values, f"\x1d{subject.given_name}\x1d{subject.family_name}"])


class PseudonymCache:
    """Earlier pseudonymisation results of texts, valid while their tokens are."""

    def __init__(self, max_entries: int = DEFAULT_MAX_ENTRIES) -> None:
        self._max = max_entries
        self._entries: OrderedDict[bytes, _Entry] = OrderedDict()
        self._lock = threading.Lock()
        self._languages: OrderedDict[bytes, str] = OrderedDict()
        self._lines: OrderedDict[bytes, tuple[str, tuple[tuple[str, str], ...]]] = OrderedDict()
        self._signals: OrderedDict[bytes, frozenset[InboundSignal]] = OrderedDict()
        self._secret = os.urandom(32)  # keys are keyed hashes: nothing guessable in memory

    def __repr__(self) -> str:
        return f"PseudonymCache(<{len(self._entries)} entries>)"

    def __len__(self) -> int:
        return len(self._entries)

    def keys(self, scope: Sequence[str], texts: Sequence[str]) -> list[bytes]:
        """One key per text; `scope` is assistant, conversation, subject fingerprint,
        language: everything besides the text that the result depends on."""
        prefix = hashlib.blake2b(key=self._secret, digest_size=32)
        prefix.update("\x00".join(scope).encode("utf-8", "surrogatepass") + b"\x00\x00")
        out = []
        for text in texts:
            h = prefix.copy()
            h.update(text.encode("utf-8", "surrogatepass"))
            out.append(h.digest())
        return out

    def get(self, key: bytes, mapping: Mapping[str, str]) -> PseudonymizedText | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            if any(mapping.get(token) != value for token, value in entry.tokens):
                del self._entries[key]  # the map changed under it: never valid again
                return None
            self._entries.move_to_end(key)
            return entry.result

    def put(self, key: bytes, result: PseudonymizedText, mapping: Mapping[str, str]) -> None:
        """Remember `result` if every token in it is in `mapping` (the saved map)."""
        tokens = []
        for span in result.spans:
            if span.operator != "token":
                continue
            token = result.text[span.start : span.end]
            value = mapping.get(token)
            if value is None:  # not in the saved map: never reuse
                return
            tokens.append((token, value))
        with self._lock:
            self._entries[key] = _Entry(result, tuple(tokens))
            self._entries.move_to_end(key)
            while len(self._entries) > self._max:
                self._entries.popitem(last=False)

    def get_line(self, key: bytes, mapping: Mapping[str, str]) -> str | None:
        """A finished history line (see `Gateway._earlier`), valid while every token in
        it still maps to the value it had when it was made."""
        with self._lock:
            entry = self._lines.get(key)
            if entry is None:
                return None
            line, tokens = entry
            if any(mapping.get(token) != value for token, value in tokens):
                del self._lines[key]
                return None
            self._lines.move_to_end(key)
            return line

    def put_line(
        self, key: bytes, line: str, mapping: Mapping[str, str], token_re: re.Pattern[str]
    ) -> None:
        """Remember a history line if every token in it is in `mapping` (the saved map)."""
        tokens = []
        for match in token_re.finditer(line):
            token = match.group(0)
            value = mapping.get(token)
            if value is None:
                return
            tokens.append((token, value))
        with self._lock:
            self._lines[key] = (line, tuple(tokens))
            self._lines.move_to_end(key)
            while len(self._lines) > self._max:
                self._lines.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._languages.clear()
            self._lines.clear()
            self._signals.clear()

    def language_of(self, text: str, default: str) -> str:
        """`detect_language(text, default)`, remembered by keyed hash: the customer's
        earlier words come back every turn, and identifying them costs about a
        millisecond. The answer depends on the text and default only."""
        key = self.keys((default,), [text[:LANGUAGE_PREFIX]])[0]
        with self._lock:
            found = self._languages.get(key)
            if found is not None:
                self._languages.move_to_end(key)
                return found
        language = detect_language(text, default)
        with self._lock:
            self._languages[key] = language
            while len(self._languages) > self._max:
                self._languages.popitem(last=False)
        return language

    def signals_of(self, texts: Sequence[str]) -> frozenset[InboundSignal]:
        """`scan_inbound(texts)`, each message's signals remembered by keyed hash: a
        client resends every earlier message each turn, and a message's signals depend
        on its text alone, so only the new message is scanned."""
        found: set[InboundSignal] = set()
        keys = self.keys(("signals",), texts)
        for key, text in zip(keys, texts, strict=True):
            with self._lock:
                known = self._signals.get(key)
                if known is not None:
                    self._signals.move_to_end(key)
            if known is None:
                known = scan_inbound([text])
                with self._lock:
                    self._signals[key] = known
                    while len(self._signals) > self._max:
                        self._signals.popitem(last=False)
            found |= known
        return frozenset(found)
