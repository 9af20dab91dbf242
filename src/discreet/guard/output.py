"""The output guard: check a model's (still pseudonymised) answer before anyone sees it.

It runs detection on the answer and decides per finding, strictest first:

1. an identifier (e-mail, phone, IBAN, customer number, name) that the vault's blind index
   links to ANOTHER subject, and that the customer did not type themselves: the whole
   answer is replaced by `BLOCKED_MESSAGE` (a cross-subject leak; the caller records an
   incident with the entity types only);
2. a secret (API key, password, token): redacted;
3. other personal data that singles out a person (`WITHHELD_TYPES`) and is neither a
   value of this conversation's token map, nor in the customer's own messages, nor (by
   blind index) the subject's own: withheld, since the model cannot have got it from
   this conversation and it may belong to someone;
4. everything else (tokens, the customer's own values) passes.

Tokens of other conversations are not the guard's job: rehydration removes and reports
every token not in this conversation's map.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from discreet.detect.base import Finding
from discreet.detect.detector import Detector
from discreet.detect.entities import ENTITY_INFO, EntityType, Sensitivity
from discreet.vault.blind_index import IdentifierKind

BLOCKED_MESSAGE = (
    "I'm sorry, I can't share that information. A colleague will look into your question "
    "and get back to you."
)
SECRET_REPLACEMENT = "[redacted]"
WITHHELD_REPLACEMENT = "[withheld]"

IDENTIFIER_KINDS: Mapping[EntityType, IdentifierKind] = {
    EntityType.EMAIL_ADDRESS: IdentifierKind.EMAIL,
    EntityType.PHONE_NUMBER: IdentifierKind.PHONE,
    EntityType.IBAN: IdentifierKind.IBAN,
    EntityType.CUSTOMER_ID: IdentifierKind.CUSTOMER_NUMBER,
    EntityType.PERSON: IdentifierKind.NAME,
}

WITHHELD_TYPES: frozenset[EntityType] = frozenset(
    t
    for t, info in ENTITY_INFO.items()
    if info.sensitivity >= Sensitivity.HIGH and t is not EntityType.SECRET
) | {
    EntityType.CUSTOMER_ID,
    EntityType.IP_ADDRESS,
    EntityType.MAC_ADDRESS,
    EntityType.USERNAME,
    EntityType.LICENSE_PLATE,
    EntityType.VAT_ID,
}
"""Types withheld from an answer when unexplained: those that single out a person.
Places, dates, ages, URLs, order numbers and organisations alone do not, and an answer
saying "we ship from Amsterdam on Monday" must survive a detector's guess."""

IdentifierLookup = Callable[
    [Sequence[tuple[IdentifierKind, str]]], Mapping[tuple[IdentifierKind, str], frozenset[str]]
]
"""Identifier queries -> pseudonymous ids of the subjects holding them (the vault's blind
index, e.g. ``Vault.find_subjects_by_identifiers`` with an access context bound)."""

_SPACES = re.compile(r"\s+")


def _norm(value: str) -> str:
    return _SPACES.sub(" ", value).strip().casefold()


class GuardDecision(StrEnum):
    PASSED = "passed"
    BLOCKED_CROSS_SUBJECT = "blocked_cross_subject"
    REDACTED_SECRET = "redacted_secret"
    WITHHELD_UNKNOWN_PII = "withheld_unknown_pii"


@dataclass(frozen=True, slots=True)
class GuardResult:
    """The answer to pass on (still pseudonymised) and what was decided. No values."""

    text: str
    blocked: bool
    decisions: frozenset[GuardDecision]
    found_types: frozenset[EntityType]
    leaked_types: frozenset[EntityType] = frozenset()
    redacted: int = 0
    withheld: int = 0
    other_subjects: int = 0
    counts: Mapping[str, int] = field(default_factory=dict)

    def __repr__(self) -> str:
        return (
            f"GuardResult(<{len(self.text)} chars>, blocked={self.blocked}, "
            f"decisions={sorted(self.decisions)})"
        )


class OutputGuard:
    """Stateless apart from its detector; one per process, thread-safe like `Detector`."""

    def __init__(
        self,
        detector: Detector,
        blocked_message: str = BLOCKED_MESSAGE,
        withheld_types: frozenset[EntityType] = WITHHELD_TYPES,
    ) -> None:
        self.detector = detector
        self.blocked_message = blocked_message
        self.withheld_types = withheld_types

    def check(
        self,
        answer: str,
        *,
        subject: str | None,
        known_values: Iterable[str],
        own_text: str,
        lookup: IdentifierLookup,
        language: str | None = None,
    ) -> GuardResult:
        """Check `answer` of a conversation about `subject` (pseudonymous id or None).

        `known_values`: the conversation's token-map values; `own_text`: the customer's
        own messages (raw). Raises `DetectionError` or vault errors: callers fail closed.
        """
        findings = self.detector.detect(answer, language)
        found_types = frozenset(f.type for f in findings)
        if not findings:
            return GuardResult(answer, False, frozenset({GuardDecision.PASSED}), found_types)
        known = {_norm(v) for v in known_values}
        own = _norm(own_text)

        def explained(value: str) -> bool:
            norm = _norm(value)
            return norm in known or (bool(norm) and norm in own)

        # 1. Cross-subject leaks: one blind-index look-up for every unexplained identifier.
        queries: dict[tuple[IdentifierKind, str], EntityType] = {}
        for finding in findings:
            kind = IDENTIFIER_KINDS.get(finding.type)
            value = finding.value(answer)
            if kind is not None and not explained(value):
                queries[(kind, value)] = finding.type
        if queries:
            owners = lookup(list(queries))
            leaked: set[EntityType] = set()
            others: set[str] = set()
            for query, subjects in owners.items():
                foreign = subjects - {subject} if subject is not None else subjects
                if query in queries and foreign:
                    leaked.add(queries[query])
                    others |= foreign
                elif subject is not None and subject in subjects:
                    known.add(_norm(query[1]))  # the customer's own value: theirs to see
            if leaked:
                return GuardResult(
                    self.blocked_message,
                    True,
                    frozenset({GuardDecision.BLOCKED_CROSS_SUBJECT}),
                    found_types,
                    frozenset(leaked),
                    other_subjects=len(others),
                )
        # 2./3. Redact secrets, withhold unexplained personal data.
        return self._rewrite(answer, findings, found_types, explained)

    def _rewrite(
        self,
        answer: str,
        findings: Sequence[Finding],
        found_types: frozenset[EntityType],
        explained: Callable[[str], bool],
    ) -> GuardResult:
        pieces: list[str] = []
        cursor = redacted = withheld = 0
        for finding in findings:
            value = finding.value(answer)
            if finding.type is EntityType.SECRET:
                replacement, redacted = SECRET_REPLACEMENT, redacted + 1
            elif finding.type in self.withheld_types and not explained(value):
                replacement, withheld = WITHHELD_REPLACEMENT, withheld + 1
            else:
                continue
            pieces.append(answer[cursor : finding.start])
            pieces.append(replacement)
            cursor = finding.end
        pieces.append(answer[cursor:])
        decisions = set()
        if redacted:
            decisions.add(GuardDecision.REDACTED_SECRET)
        if withheld:
            decisions.add(GuardDecision.WITHHELD_UNKNOWN_PII)
        return GuardResult(
            "".join(pieces),
            False,
            frozenset(decisions or {GuardDecision.PASSED}),
            found_types,
            redacted=redacted,
            withheld=withheld,
        )
