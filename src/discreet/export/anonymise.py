"""Irreversible anonymisation of one pseudonymised conversation.

Input is the stored transcript: ``[PERSON_1]``-style tokens in place of what the gateway
detected, and whatever it missed as plain text. Output is text a model can learn from:

* every token becomes a realistic surrogate (a Faker name, a mod-97-valid IBAN, a
  Luhn-valid card number, ...), the same token the same surrogate throughout the
  conversation, so the dialogue stays coherent;
* every remaining detection (this detector, run again) becomes a surrogate too;
* surrogates are seeded by an HMAC under a key drawn from ``os.urandom`` for each
  :class:`Anonymiser` and never stored, and by a fresh random salt per conversation, so
  they are unrelated across conversations and nobody, us included, can link one back;
* the vault is never opened: tokens are replaced without knowing their values, so no
  raw value can reach an export through this path (a worker needs no key).

A second detection pass (threshold ``residual_threshold``, lower than the first) then
reads the output; findings outside the inserted surrogates are *residuals*, counted per
type (never their text) for the export's gate and dataset card.
"""

from __future__ import annotations

import os
import re
import secrets
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from discreet.detect.base import Finding
from discreet.detect.detector import Detector
from discreet.detect.entities import EntityType
from discreet.detect.language import detect_language
from discreet.transform.normalize import normalize_value
from discreet.transform.surrogates import SurrogateGenerator

TOKEN_RE = re.compile(r"\[([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*)_[0-9]+\]")
"""The stored transcripts' tokens (``[TYPE_N]``); group 1 is the type."""

# A token carries no value, so types whose surrogate copies the original's shape get a
# typical shape to copy instead (digits become other digits, letters other letters).
_SHAPES: dict[EntityType, str] = {
    EntityType.CREDIT_CARD: "4000 0000 0000 0000",
    EntityType.AGE: "40",
    EntityType.NATIONAL_ID: "111222333",
    EntityType.PASSPORT: "NX4K82P19",
    EntityType.DRIVER_LICENSE: "5123456789",
    EntityType.VAT_ID: "NL123456789B01",
    EntityType.BANK_ACCOUNT: "12345678",
    EntityType.CUSTOMER_ID: "CU-482913",
    EntityType.ORDER_ID: "ORD-2024-118734",
    EntityType.LICENSE_PLATE: "AB-123-C",
    EntityType.DATE: "2024-01-01",
    EntityType.DATE_OF_BIRTH: "1980-01-01",
}
SECRET_TEXT = "[secret removed]"
"""Secrets get no realistic look-alike: a model should not learn to write keys."""


@dataclass(frozen=True, slots=True)
class Message:
    role: str
    text: str


@dataclass(slots=True)
class Stats:
    """What anonymising some conversations did: counts per type, never values."""

    conversations: int = 0
    messages: int = 0
    tokens_replaced: Counter[str] = field(default_factory=Counter)
    detections_replaced: Counter[str] = field(default_factory=Counter)
    residual_findings: Counter[str] = field(default_factory=Counter)
    messages_with_residuals: int = 0

    def add(self, other: Stats) -> None:
        self.conversations += other.conversations
        self.messages += other.messages
        self.tokens_replaced.update(other.tokens_replaced)
        self.detections_replaced.update(other.detections_replaced)
        self.residual_findings.update(other.residual_findings)
        self.messages_with_residuals += other.messages_with_residuals

    def as_dict(self) -> dict[str, object]:
        return {
            "conversations": self.conversations,
            "messages": self.messages,
            "tokens_replaced": dict(sorted(self.tokens_replaced.items())),
            "detections_replaced": dict(sorted(self.detections_replaced.items())),
            "residual_findings": dict(sorted(self.residual_findings.items())),
            "messages_with_residuals": self.messages_with_residuals,
        }

    @classmethod
    def from_dict(cls, raw: dict[str, object]) -> Stats:
        def counter(key: str) -> Counter[str]:
            value = raw.get(key) or {}
            assert isinstance(value, dict)
            return Counter({str(k): int(v) for k, v in value.items()})

        return cls(
            conversations=int(str(raw["conversations"])),
            messages=int(str(raw["messages"])),
            tokens_replaced=counter("tokens_replaced"),
            detections_replaced=counter("detections_replaced"),
            residual_findings=counter("residual_findings"),
            messages_with_residuals=int(str(raw["messages_with_residuals"])),
        )

    @property
    def residual_rate(self) -> float:
        return self.messages_with_residuals / self.messages if self.messages else 0.0


def _entity_type(name: str) -> EntityType | None:
    try:
        return EntityType(name)
    except ValueError:
        return None


class Anonymiser:
    """Anonymises conversations; build one per process (it holds the detectors)."""

    def __init__(self, detector: Detector, residual: Detector) -> None:
        self._detector = detector
        self._residual = residual
        # Drawn here, used in memory only, never written: the surrogates cannot be
        # recomputed or linked by anyone, including whoever ran the export.
        self._surrogates = SurrogateGenerator(os.urandom(32))
        self._made: dict[tuple[EntityType | None, str], str] = {}

    def __repr__(self) -> str:
        return "Anonymiser(<ephemeral key>)"

    def conversation(
        self, messages: Sequence[Message], language: str | None = None
    ) -> tuple[list[Message], Stats, str]:
        """The anonymised messages, what was done, and the conversation's language."""
        stats = Stats(conversations=1, messages=len(messages))
        if language is None:
            language = detect_language(
                " ".join(TOKEN_RE.sub(" ", m.text) for m in messages if m.role == "user")
            )
        salt = secrets.token_hex(16)  # fresh per conversation: unrelated across them
        self._made = {}  # surrogates are per conversation: start afresh
        texts = [m.text for m in messages]
        first = self._detector.detect_batch(texts, [language] * len(texts))
        out: list[str] = []
        inserted: list[list[tuple[int, int]]] = []
        for text, findings in zip(texts, first, strict=True):
            new, spans = self._replace(text, findings, language, salt, stats)
            out.append(new)
            inserted.append(spans)
        second = self._residual.detect_batch(out, [language] * len(out))
        for spans, findings in zip(inserted, second, strict=True):
            left = [f for f in findings if not _overlaps(f, spans)]
            if left:
                stats.messages_with_residuals += 1
                stats.residual_findings.update(f.type.value for f in left)
        result = [Message(m.role, text) for m, text in zip(messages, out, strict=True)]
        return result, stats, language

    def _replace(
        self, text: str, findings: list[Finding], language: str, salt: str, stats: Stats
    ) -> tuple[str, list[tuple[int, int]]]:
        """`text` with tokens and findings replaced, and where the replacements are."""
        edits: list[tuple[int, int, str]] = []
        token_spans: list[tuple[int, int]] = []
        for match in TOKEN_RE.finditer(text):
            etype = _entity_type(match.group(1))
            token_spans.append(match.span())
            # The token text is the seed: the same token, the same surrogate, within
            # this conversation (tokens are numbered per conversation).
            surrogate = self._surrogate(etype, match.group(0), None, language, salt)
            edits.append((match.start(), match.end(), surrogate))
            stats.tokens_replaced[etype.value if etype else "UNKNOWN"] += 1
        for finding in findings:
            if _overlaps(finding, token_spans):
                continue
            value = text[finding.start : finding.end]
            surrogate = self._surrogate(finding.type, value, value, language, salt)
            edits.append((finding.start, finding.end, surrogate))
            stats.detections_replaced[finding.type.value] += 1
        edits.sort()
        pieces: list[str] = []
        spans: list[tuple[int, int]] = []
        cursor = 0
        length = 0
        for start, end, surrogate in edits:
            if start < cursor:  # a finding inside one already replaced
                continue
            pieces.append(text[cursor:start])
            length += start - cursor
            pieces.append(surrogate)
            spans.append((length, length + len(surrogate)))
            length += len(surrogate)
            cursor = end
        pieces.append(text[cursor:])
        return "".join(pieces), spans

    def _surrogate(
        self,
        etype: EntityType | None,
        seed_value: str,
        original: str | None,
        language: str,
        salt: str,
    ) -> str:
        if etype is None:
            return "[removed]"
        if etype is EntityType.SECRET:
            return SECRET_TEXT
        normalized = seed_value if original is None else normalize_value(etype, original)
        made = self._made.get((etype, normalized))
        if made is None:
            shape = original if original is not None else _SHAPES.get(etype, seed_value)
            made = self._surrogates.surrogate(etype, normalized, shape, language, salt)
            self._made[(etype, normalized)] = made
        return made


def _overlaps(finding: Finding, spans: Sequence[tuple[int, int]]) -> bool:
    return any(finding.start < end and start < finding.end for start, end in spans)
