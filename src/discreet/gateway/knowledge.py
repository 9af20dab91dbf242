"""The embedded assistant's FAQ knowledge base: loading, validation and BM25 retrieval.

Each supported language has one YAML file in ``discreet/data/faq_<lang>.yaml`` (structure
documented at the top of ``faq_en.yaml``). Loading validates everything the assistant later
relies on (template placeholders, complete status phrases, compilable patterns), so a broken
knowledge base fails at start-up rather than mid-conversation.

Retrieval is BM25 (the ``bm25s`` library) over each entry's example questions and keywords,
after lower-casing, accent folding, stop-word removal and Snowball stemming, so "deliveries"
finds "delivery" and "bestellingen" finds "bestelling".
"""

from __future__ import annotations

import re
import string
import threading
import unicodedata
from dataclasses import dataclass
from functools import cached_property
from importlib import resources
from typing import Any

import bm25s
import snowballstemmer
import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from discreet.errors import InvalidInput, validation_problems
from discreet.gateway.context import TOKEN_RE, OrderStatus

KNOWLEDGE_LANGUAGES: tuple[str, ...] = ("en", "nl")

_SNOWBALL_NAMES = {"en": "english", "nl": "dutch", "de": "german", "fr": "french"}
_WORD_RE = re.compile(r"[^\W_]+")
_TOKEN_TYPE_RE = re.compile(r"^\[(?P<type>[A-Z0-9_]+?)_[0-9]+\]$")

# Placeholders each template may use; anything else is a load error.
_ORDER_FIELDS = frozenset({"order", "status", "placed_clause", "expected_clause"})
_ALLOWED_FIELDS: dict[str, frozenset[str]] = {
    "greeting": frozenset({"name"}),
    "placed_clause": frozenset({"placed"}),
    "expected_clause": frozenset({"expected"}),
    "answer_with_order": _ORDER_FIELDS,
}


class KnowledgeBaseError(InvalidInput, ValueError):
    """The knowledge base file is invalid; the message names the file and field."""


def _placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


def _check_template(template: str, field: str) -> str:
    allowed = _ALLOWED_FIELDS.get(field, frozenset())
    try:
        used = _placeholders(template)
    except ValueError as exc:
        raise ValueError(f"template {field!r} is malformed: {exc}") from None
    unknown = used - allowed
    if unknown:
        raise ValueError(f"template {field!r} uses unknown placeholders {sorted(unknown)}")
    return template


class FaqEntry(BaseModel):
    """One question-and-answer pair."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    questions: list[str] = Field(min_length=1)
    keywords: list[str] = Field(default_factory=list)
    answer: str
    answer_with_order: str | None = None
    handoff: bool = False  # answering with this entry hands the conversation to a person

    @field_validator("answer")
    @classmethod
    def _answer_has_no_placeholders(cls, value: str) -> str:
        return _check_template(value, "answer")

    @field_validator("answer_with_order")
    @classmethod
    def _order_answer_placeholders(cls, value: str | None) -> str | None:
        return None if value is None else _check_template(value, "answer_with_order")


class KnowledgeBase(BaseModel):
    """A whole per-language knowledge base plus its fixed phrases."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    language: str = Field(pattern=r"^[a-z]{2}$")
    min_score: float = Field(gt=0)
    greeting: str
    greeting_anonymous: str
    no_question: str
    handoff_no_match: str
    status_unknown: str
    statuses: dict[OrderStatus, str]
    placed_clause: str
    expected_clause: str
    stopwords: frozenset[str] = frozenset()
    token_terms: dict[str, str] = Field(default_factory=dict)
    handoff_patterns: list[str] = Field(default_factory=list)
    entries: list[FaqEntry] = Field(min_length=1)

    @model_validator(mode="after")
    def _validate(self) -> KnowledgeBase:
        for field in (
            "greeting",
            "greeting_anonymous",
            "no_question",
            "handoff_no_match",
            "status_unknown",
            "placed_clause",
            "expected_clause",
        ):
            _check_template(getattr(self, field), field)
        missing = set(OrderStatus) - set(self.statuses)
        if missing:
            raise ValueError(f"statuses lacks {sorted(s.value for s in missing)}")
        ids = [entry.id for entry in self.entries]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"duplicate entry ids {duplicates}")
        for number, pattern in enumerate(self.handoff_patterns):
            try:
                re.compile(pattern)
            except re.error:
                raise ValueError(f"handoff_patterns[{number}] is not a valid regex") from None
        return self

    @cached_property
    def compiled_handoff_patterns(self) -> tuple[re.Pattern[str], ...]:
        return tuple(re.compile(p, re.IGNORECASE) for p in self.handoff_patterns)

    def entry(self, entry_id: str) -> FaqEntry:
        """The entry with this id; KeyError if there is none."""
        for entry in self.entries:
            if entry.id == entry_id:
                return entry
        raise KeyError(entry_id)


def load_knowledge_base(language: str) -> KnowledgeBase:
    """Read and validate the packaged ``faq_<language>.yaml``."""
    name = f"faq_{language}.yaml"
    resource = resources.files("discreet").joinpath("data", name)
    try:
        raw: Any = yaml.safe_load(resource.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise KnowledgeBaseError(f"cannot read {name}: {type(exc).__name__}") from None
    return parse_knowledge_base(raw, source=name)


def parse_knowledge_base(raw: Any, *, source: str = "<knowledge base>") -> KnowledgeBase:
    """Validate already-parsed YAML; errors name the source and the offending field."""
    from pydantic import ValidationError

    try:
        return KnowledgeBase.model_validate(raw)
    except ValidationError as exc:
        raise KnowledgeBaseError(f"{source} is invalid: {validation_problems(exc)}") from None


def _fold(text: str) -> str:
    """Lower-case and strip accents, so "België" and "belgie" match."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


class Analyzer:
    """Turns text into BM25 terms for one language."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self._stopwords = frozenset(_fold(w) for w in kb.stopwords)
        self._token_terms = kb.token_terms
        self._stemmer = snowballstemmer.stemmer(_SNOWBALL_NAMES.get(kb.language, "english"))

    def _replace_token(self, match: re.Match[str]) -> str:
        # A token carries no words the customer typed, only its type; map the type to a
        # word ("[ORDER_ID_1]" -> "order") so the question keeps its meaning.
        typed = _TOKEN_TYPE_RE.match(match.group(0))
        return f" {self._token_terms.get(typed.group('type'), '')} " if typed else " "

    def terms(self, text: str) -> list[str]:
        text = TOKEN_RE.sub(self._replace_token, text)
        words = [w for w in _WORD_RE.findall(_fold(text)) if w not in self._stopwords]
        return [str(stem) for stem in self._stemmer.stemWords(words)]


@dataclass(frozen=True, slots=True)
class Match:
    """The best entry for a question and how well it matched (raw BM25 score)."""

    entry: FaqEntry
    score: float


class FaqIndex:
    """A BM25 index over one knowledge base; built once, then read-only and thread-safe."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self.analyzer = Analyzer(kb)
        corpus = [
            self.analyzer.terms(" ".join([*entry.questions, *entry.keywords]))
            for entry in kb.entries
        ]
        self._bm25 = bm25s.BM25()
        self._bm25.index(corpus, show_progress=False)

    def best(self, text: str) -> Match | None:
        """The highest-scoring entry (ties go to the earlier entry), or None without terms."""
        terms = self.analyzer.terms(text)
        if not terms:
            return None
        scores = self._bm25.get_scores(terms)
        position = int(scores.argmax())
        return Match(entry=self.kb.entries[position], score=float(scores[position]))


_indexes: dict[str, FaqIndex] = {}
_indexes_lock = threading.Lock()


def get_index(language: str) -> FaqIndex:
    """The process-wide index for `language` (one of KNOWLEDGE_LANGUAGES), built lazily once."""
    index = _indexes.get(language)
    if index is None:
        with _indexes_lock:
            index = _indexes.get(language)
            if index is None:
                index = FaqIndex(load_knowledge_base(language))
                _indexes[language] = index
    return index
