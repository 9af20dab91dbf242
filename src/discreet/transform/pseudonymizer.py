"""The `Pseudonymizer`: detect personal data in text and replace it per configuration."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from discreet.detect.base import Finding, KnownSubject
from discreet.detect.detector import Detector
from discreet.detect.entities import EntityType
from discreet.detect.language import detect_language
from discreet.transform.config import OperatorConfig, TokenSpec
from discreet.transform.names import SubjectName
from discreet.transform.operators import OperatorContext, OperatorError, apply_operator
from discreet.transform.rehydrate import RehydrationResult, Rehydrator, StreamingRehydrator
from discreet.transform.surrogates import SurrogateGenerator
from discreet.transform.tokenmap import TokenSession
from discreet.transform.tokenmerge import MAX_ATTEMPTS, TokenMapConflict
from discreet.transform.tokens import TokenMapStore

TYPED_RECOGNIZER = "declared_type"
"""The recognizer name of a value replaced by its declared type (no detection ran)."""


@dataclass(frozen=True, slots=True)
class ReplacedSpan:
    """Where a replacement landed in the output text (offsets into `PseudonymizedText.text`)."""

    start: int
    end: int
    type: EntityType
    operator: str


@dataclass(frozen=True, slots=True)
class PseudonymizedText:
    """The result of pseudonymising one text.

    `findings` are offsets into the *input* text; `spans` into the output. The repr shows
    sizes and counts only: the output may still hold values that were not detected.
    """

    text: str
    language: str
    findings: tuple[Finding, ...]
    spans: tuple[ReplacedSpan, ...]
    counts: dict[EntityType, int] = field(default_factory=dict)

    def __repr__(self) -> str:
        counts = ", ".join(f"{t.value}={n}" for t, n in sorted(self.counts.items()))
        return f"PseudonymizedText(<{len(self.text)} chars>, {self.language}, {{{counts}}})"


class Pseudonymizer:
    """Replace the personal data a `Detector` finds, per entity type, per `OperatorConfig`.

    Thread-safe. Token maps are per conversation and live in `store`; the map is loaded at
    most once and saved at most once per call (only when a new token was allocated).

    Keys: `hash_key` is required when a type uses the ``hash`` operator (it makes hashes
    comparable across datasets, so it is the caller's secret). `surrogate_key` makes
    surrogates reproducible across processes; without it a random key is drawn, and
    surrogates are consistent within a conversation only for this process's lifetime.
    """

    def __init__(
        self,
        detector: Detector,
        operators: OperatorConfig | None = None,
        store: TokenMapStore | None = None,
        *,
        hash_key: bytes | None = None,
        surrogate_key: bytes | None = None,
    ) -> None:
        self.detector = detector
        self.operators = operators or OperatorConfig()
        if store is None and self.operators.uses("token"):
            raise ValueError("the token operator is configured but no token store was given")
        if hash_key is None and self.operators.uses("hash"):
            raise ValueError("the hash operator is configured but no hash_key was given")
        if hash_key is not None and len(hash_key) < 16:
            raise ValueError("hash_key must be at least 16 bytes")
        self.store = store
        self._hash_key = hash_key
        self._surrogates = SurrogateGenerator(surrogate_key or os.urandom(32))

    def __repr__(self) -> str:
        return f"Pseudonymizer(store={type(self.store).__name__})"

    def pseudonymize(
        self,
        text: str,
        conversation_id: str,
        subject: KnownSubject | None = None,
        language: str | None = None,
    ) -> PseudonymizedText:
        """Pseudonymise one text of conversation `conversation_id`.

        Pass the conversation's `subject` when known: their own values are then found
        exactly. Raises `DetectionError` (and store errors) rather than returning text that
        may still hold personal data: callers fail closed.
        """
        return self.pseudonymize_messages([text], conversation_id, subject, language)[0]

    def pseudonymize_messages(
        self,
        texts: Sequence[str],
        conversation_id: str,
        subject: KnownSubject | None = None,
        language: str | Sequence[str | None] | None = None,
    ) -> list[PseudonymizedText]:
        """Pseudonymise several texts of one conversation with one map load and save.

        `language` is one language for all texts, one per text, or None to identify each.
        Tokens are numbered in order of first appearance across `texts`.
        """
        return self.turn(conversation_id, subject).pseudonymize_messages(texts, language)

    def turn(
        self,
        conversation_id: str,
        subject: KnownSubject | None = None,
        *,
        store: TokenMapStore | None = None,
    ) -> ConversationTurn:
        """One chat turn: pseudonymise its inputs and rehydrate its answer with a single
        token-map load (reading the vault is the costly part of a turn). `store`: this
        turn's token maps (e.g. one the caller preloaded) instead of the pseudonymizer's."""
        return ConversationTurn(self, conversation_id, subject, store=store or self.store)

    def _languages(
        self, texts: Sequence[str], language: str | Sequence[str | None] | None
    ) -> list[str]:
        if language is None or isinstance(language, str):
            given: list[str | None] = [language] * len(texts)
        else:
            given = list(language)
            if len(given) != len(texts):
                raise ValueError("give one language per text, one for all, or None")
        default = self.detector.config.default_language
        # Identified here, once, because surrogates need the language as much as detection.
        return [
            lang or detect_language(text, default) for text, lang in zip(texts, given, strict=True)
        ]

    def _needs_tokens(self, found: Sequence[Sequence[Finding]]) -> bool:
        spec_for = self.operators.spec_for
        return any(isinstance(spec_for(f.type), TokenSpec) for fs in found for f in fs)

    def _apply(
        self,
        text: str,
        language: str,
        findings: Sequence[Finding],
        context: OperatorContext,
        canonical: Mapping[int, str] | None = None,
    ) -> PseudonymizedText:
        """`canonical`: by finding start, the stored value a finding is a spelling of."""
        pieces: list[str] = []
        spans: list[ReplacedSpan] = []
        counts: Counter[EntityType] = Counter()
        cursor = 0
        length = 0
        for finding in findings:
            if finding.start < cursor:  # the Detector merges overlaps; never apply twice
                raise OperatorError(f"overlapping findings at offset {finding.start}")
            before = text[cursor : finding.start]
            pieces.append(before)
            length += len(before)
            spec = self.operators.spec_for(finding.type)
            replacement = apply_operator(
                spec,
                finding,
                text[finding.start : finding.end],
                context,
                canonical.get(finding.start) if canonical else None,
            )
            pieces.append(replacement)
            spans.append(
                ReplacedSpan(length, length + len(replacement), finding.type, spec.operator)
            )
            length += len(replacement)
            counts[finding.type] += 1
            cursor = finding.end
        pieces.append(text[cursor:])
        return PseudonymizedText(
            text="".join(pieces),
            language=language,
            findings=tuple(findings),
            spans=tuple(spans),
            counts=dict(counts),
        )


class ConversationTurn:
    """The token map of one conversation, loaded at most once, for one turn.

    Pseudonymise the turn's messages, send them upstream, then rehydrate the answer (also
    streamed) from the same in-memory map. New tokens are saved before `pseudonymize*`
    returns, so text never leaves with a token the store does not know. Use a turn for one
    request; a later request must start a new turn to see other writers' tokens.
    """

    __slots__ = (
        "_name",
        "_pseudonymizer",
        "_session",
        "_store",
        "_subject_values",
        "conversation_id",
        "subject",
    )

    def __init__(
        self,
        pseudonymizer: Pseudonymizer,
        conversation_id: str,
        subject: KnownSubject | None,
        *,
        store: TokenMapStore | None = None,
    ) -> None:
        if not isinstance(conversation_id, str) or not conversation_id:
            raise ValueError("conversation_id must be a non-empty string")
        self._pseudonymizer = pseudonymizer
        self._store = store
        self.conversation_id = conversation_id
        self.subject = subject
        self._session: TokenSession | None = None
        self._subject_values = _single_values(subject)
        self._name = _subject_name(subject)

    def __repr__(self) -> str:
        return f"ConversationTurn(conversation_id={self.conversation_id!r})"

    def _tokens(self) -> TokenSession:
        if self._session is None:
            p = self._pseudonymizer
            mapping = self._store.load(self.conversation_id) if self._store is not None else {}
            self._session = TokenSession(
                mapping,
                p.operators.token_format,
                p.operators.phone_region,
                # The subject's own numbers tell which country a national number is in.
                [value for t, value in self.subject.values() if t is EntityType.PHONE_NUMBER]
                if self.subject is not None
                else (),
            )
        return self._session

    def pseudonymize(self, text: str, language: str | None = None) -> PseudonymizedText:
        return self.pseudonymize_messages([text], language)[0]

    def pseudonymize_messages(
        self, texts: Sequence[str], language: str | Sequence[str | None] | None = None
    ) -> list[PseudonymizedText]:
        """See `Pseudonymizer.pseudonymize_messages`."""
        p = self._pseudonymizer
        languages = p._languages(texts, language)
        fmt = p.operators.token_format
        safe_texts = [fmt.neutralise(t) for t in texts]
        found = p.detector.detect_batch(safe_texts, languages, [self.subject] * len(texts))

        def replace(session: TokenSession | None) -> list[PseudonymizedText]:
            results = []
            for text, lang, detected in zip(safe_texts, languages, found, strict=True):
                findings, canonical = _link_names(text, detected, self._name)
                context = self._context(lang, session)
                results.append(p._apply(text, lang, findings, context, canonical))
            return results

        return self._saved(replace, needs_tokens=p._needs_tokens(found))

    def pseudonymize_typed(
        self, items: Sequence[tuple[str, EntityType]], language: str
    ) -> list[PseudonymizedText]:
        """Values whose type is declared (a customer record's fields), replaced whole by
        their type's operator without detection: "shipped" in an ``order_status`` field is
        never guessed to be a person, and ``email`` is an e-mail even when unusual. Tokens
        come from this turn's map, so a value gets the same token here as in a message."""
        p = self._pseudonymizer
        fmt = p.operators.token_format

        def replace(session: TokenSession | None) -> list[PseudonymizedText]:
            results = []
            for value, entity_type in items:
                text = fmt.neutralise(value)
                finding = Finding(0, len(text), entity_type, 1.0, TYPED_RECOGNIZER)
                context = self._context(language, session)
                found = [finding] if text.strip() else []
                results.append(p._apply(text, language, found, context))
            return results

        return self._saved(replace, needs_tokens=True)

    def _context(self, language: str, session: TokenSession | None) -> OperatorContext:
        """What the operators need for one text of this turn (``session``: this attempt's
        tokens, None without a token store)."""
        p = self._pseudonymizer
        return OperatorContext(
            conversation_id=self.conversation_id,
            language=language,
            tokens=session,
            surrogates=p._surrogates,
            hash_key=p._hash_key,
            phone_region=p.operators.phone_region,
            subject_values=self._subject_values,
        )

    def _saved(
        self,
        replace: Callable[[TokenSession | None], list[PseudonymizedText]],
        *,
        needs_tokens: bool,
    ) -> list[PseudonymizedText]:
        """``replace`` over this turn's tokens, its new tokens saved; run again over the
        reloaded map when a concurrent turn saved first (at most `MAX_ATTEMPTS` times)."""
        for attempt in range(1, MAX_ATTEMPTS + 1):
            session = self._tokens() if self._store is not None and needs_tokens else None
            results = replace(session)
            if self._save(session, last_attempt=attempt == MAX_ATTEMPTS):
                return results
        raise AssertionError("unreachable")

    def _save(self, session: TokenSession | None, *, last_attempt: bool) -> bool:
        """Save this turn's new tokens. False when a concurrent turn saved first
        (transform/tokenmerge.py): the map is reloaded and the caller assigns tokens again
        (detection's findings still hold); on the last attempt the conflict is raised."""
        if session is None or not session.changed or self._store is None:
            return True
        try:
            self._store.save(self.conversation_id, session.mapping)
        except TokenMapConflict:
            self._session = None
            if last_attempt:
                raise
            return False
        except BaseException:
            self._session = None  # forget unsaved tokens; the next call reloads
            raise
        session.changed = False
        return True

    def rehydrator(self) -> Rehydrator:
        """A rehydrator over this conversation's map, including this turn's new tokens."""
        return Rehydrator(self._tokens().mapping, self._pseudonymizer.operators.token_format)

    def rehydrate(self, text: str) -> RehydrationResult:
        return self.rehydrator().rehydrate(text)

    def token_values(self) -> tuple[str, ...]:
        """The values of this conversation's map (the output guard lets them through)."""
        return tuple(self._tokens().mapping.values())

    def streaming_rehydrator(self) -> StreamingRehydrator:
        return StreamingRehydrator(
            self._tokens().mapping, self._pseudonymizer.operators.token_format
        )


def _subject_name(subject: KnownSubject | None) -> SubjectName | None:
    if subject is None or not (subject.name or subject.given_name or subject.family_name):
        return None
    return SubjectName(subject.name, subject.given_name, subject.family_name)


def _link_names(
    text: str, findings: Sequence[Finding], name: SubjectName | None
) -> tuple[Sequence[Finding], dict[int, str]]:
    """Findings with each spelling of the subject's name cut into the parts it names, and
    the stored value of each part by its start: "Mrs. E. Pritchard" becomes "E." (the first
    name) and "Pritchard" (the last name), which then take the tokens of those fields, so
    the model sees the context's person and not a new one (`transform.names`)."""
    if name is None or not any(f.type is EntityType.PERSON for f in findings):
        return findings, {}
    out: list[Finding] = []
    canonical: dict[int, str] = {}
    for finding in findings:
        parts = name.match(finding.value(text)) if finding.type is EntityType.PERSON else None
        if not parts:
            out.append(finding)
            continue
        for part in parts:
            start = finding.start + part.start
            out.append(replace(finding, start=start, end=finding.start + part.end))
            canonical[start] = part.value
    return out, canonical


def _single_values(subject: KnownSubject | None) -> dict[EntityType, str]:
    """The subject's value per type, for types where the subject has exactly one value
    (with two phone numbers, a variant cannot say which one it was)."""
    if subject is None:
        return {}
    by_type: dict[EntityType, set[str]] = {}
    first: dict[EntityType, str] = {}
    for entity_type, value in subject.values():
        by_type.setdefault(entity_type, set()).add(value)
        first.setdefault(entity_type, value)
    return {t: first[t] for t, values in by_type.items() if len(values) == 1}
