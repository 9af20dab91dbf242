"""Contact reasons: the FAQ category a conversation's first customer message is about.

The categories are the embedded assistant's own: the entry ids of its English knowledge
base (``faq_en.yaml``), plus ``other``. Languages the assistant answers in (English,
Dutch) are classified with the assistant's own index, so a reason is what the assistant
would have answered. German and French have no knowledge base; their conversations are
sorted into the same categories with topic texts written in the language
(``reasons_de.yaml``, ``reasons_fr.yaml``: questions and keywords per category id, every
id and no other). Both kinds go through the same retrieval (:class:`FaqIndex`: accent
folding, stop words, Snowball stemming, BM25) and the same minimum score.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from importlib import resources
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from discreet.conversations.transcripts import StoredMessage
from discreet.detect.entities import SUPPORTED_LANGUAGES
from discreet.gateway.knowledge import (
    KNOWLEDGE_LANGUAGES,
    FaqEntry,
    FaqIndex,
    KnowledgeBaseError,
    get_index,
)

OTHER = "other"
CATEGORY_SOURCE = "en"
"""The knowledge base whose entry ids are the categories, in every language."""


class Topic(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    questions: list[str] = Field(min_length=1)
    keywords: list[str] = Field(default_factory=list)


class TopicFile(BaseModel):
    """``reasons_<lang>.yaml``: only what retrieval reads."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    language: str = Field(pattern=r"^[a-z]{2}$")
    min_score: float = Field(gt=0)
    stopwords: frozenset[str] = frozenset()
    token_terms: dict[str, str] = Field(default_factory=dict)
    topics: dict[str, Topic] = Field(min_length=1)


def categories() -> list[str]:
    """Every contact reason a release may show (public: they come from the code)."""
    return [*sorted(e.id for e in get_index(CATEGORY_SOURCE).kb.entries), OTHER]


def load_topics(language: str) -> FaqIndex:
    """The index over ``reasons_<language>.yaml``; the file must name every category."""
    name = f"reasons_{language}.yaml"
    try:
        raw: Any = yaml.safe_load(
            resources.files("discreet.analytics").joinpath(name).read_text(encoding="utf-8")
        )
        topics = TopicFile.model_validate(raw)
    except (OSError, yaml.YAMLError) as exc:
        raise KnowledgeBaseError(f"cannot read {name}: {type(exc).__name__}") from None
    except ValidationError as exc:
        raise KnowledgeBaseError(f"{name} is invalid: {exc.errors()[0]['msg']}") from None
    expected = set(categories()) - {OTHER}
    if topics.language != language or set(topics.topics) != expected:
        raise KnowledgeBaseError(
            f"{name} must be language {language!r} with one topic per FAQ id; missing "
            f"{sorted(expected - set(topics.topics))}, unknown "
            f"{sorted(set(topics.topics) - expected)}"
        )
    # FaqIndex reads a knowledge base's language, stop words, token terms and entries'
    # questions and keywords; the English base supplies the fields it never reads (the
    # assistant's phrases), so the retrieval is the assistant's own and not a second copy.
    base = get_index(CATEGORY_SOURCE).kb
    entries = [
        FaqEntry(id=topic_id, questions=t.questions, keywords=t.keywords, answer="")
        for topic_id, t in topics.topics.items()
    ]
    return FaqIndex(
        base.model_copy(
            update={
                "language": language,
                "min_score": topics.min_score,
                "stopwords": topics.stopwords,
                "token_terms": topics.token_terms,
                "handoff_patterns": [],
                "entries": entries,
            }
        )
    )


_indexes: dict[str, FaqIndex] = {}
_lock = threading.Lock()


def reason_index(language: str) -> FaqIndex:
    """The index classifying `language` (one of SUPPORTED_LANGUAGES), built once."""
    if language in KNOWLEDGE_LANGUAGES:
        return get_index(language)
    if language not in SUPPORTED_LANGUAGES:
        raise KeyError(language)
    with _lock:
        if language not in _indexes:
            _indexes[language] = load_topics(language)
        return _indexes[language]


def contact_reason(messages: Sequence[StoredMessage], language: str) -> str:
    """The category the customer's first message matches best, or "other"."""
    first = next((m.text for m in messages if m.role == "user"), "")
    if not first or language not in SUPPORTED_LANGUAGES:
        return OTHER
    index = reason_index(language)
    # Tokens stay: the index reads "[ORDER_ID_1]" as "order", as the assistant does.
    match = index.best(first)
    if match is None or match.score < index.kb.min_score:
        return OTHER
    return str(match.entry.id)
