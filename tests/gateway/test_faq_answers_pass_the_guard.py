"""The output guard withholds no word of the demo assistant's own FAQ answers.

The answers are the shop's text (payment methods, carriers, order statuses); a detector
that takes "Klarna", "Mastercard" or "shipped" for a person makes the guard print
"[withheld]" into them. Every packaged knowledge base is checked, in its own language and
with the language identified, through the real guard, the built-in NER model and a real
vault's blind index (holding two other customers).
"""

from __future__ import annotations

import re
from importlib import resources

import pytest

from discreet.audit import AccessContext
from discreet.detect import Detector
from discreet.gateway.knowledge import KnowledgeBase, load_knowledge_base
from discreet.guard import GuardDecision, OutputGuard
from discreet.vault import Vault

_PLACEHOLDER = re.compile(r"\{(\w+)\}")
# What the assistant fills in: tokens of the conversation, never raw values.
_FILL = {
    "name": "[PERSON_1]",
    "order": "[ORDER_ID_1]",
    "placed": "[DATE_1]",
    "expected": "[DATE_2]",
}


def _languages() -> list[str]:
    data = resources.files("discreet").joinpath("data")
    found = sorted(
        p.name[len("faq_") : -len(".yaml")]
        for p in data.iterdir()
        if p.name.startswith("faq_") and p.name.endswith(".yaml")
    )
    assert found, "no packaged knowledge base found"
    return found


def _fill(template: str, kb: KnowledgeBase) -> str:
    def value(match: re.Match[str]) -> str:
        field = match[1]
        if field == "status":
            return next(iter(kb.statuses.values()))
        if field == "placed_clause":
            return _fill(kb.placed_clause, kb)
        if field == "expected_clause":
            return _fill(kb.expected_clause, kb)
        return _FILL[field]

    return _PLACEHOLDER.sub(value, template)


def _answers(kb: KnowledgeBase) -> list[tuple[str, str]]:
    texts = [
        ("greeting", _fill(kb.greeting, kb)),
        ("greeting_anonymous", kb.greeting_anonymous),
        ("no_question", kb.no_question),
        ("handoff_no_match", kb.handoff_no_match),
        *((f"status:{status.value}", text) for status, text in kb.statuses.items()),
    ]
    for entry in kb.entries:
        texts.append((entry.id, entry.answer))
        if entry.answer_with_order:
            texts.append((f"{entry.id} (with order)", _fill(entry.answer_with_order, kb)))
    return texts


@pytest.fixture(scope="module")
def guard() -> OutputGuard:
    return OutputGuard(Detector())


@pytest.mark.parametrize("language", _languages())
def test_no_word_of_a_faq_answer_is_withheld(
    language: str, guard: OutputGuard, filled_vault: Vault, ctx: AccessContext
) -> None:
    kb = load_knowledge_base(language)

    def lookup(queries):  # type: ignore[no-untyped-def]
        return filled_vault.find_subjects_by_identifiers(queries, ctx=ctx)

    changed: list[str] = []
    for answer_id, text in _answers(kb):
        for hint in (language, None):
            result = guard.check(
                text,
                subject="CUST-48213",
                known_values=[],
                own_text="",
                lookup=lookup,
                language=hint,
            )
            if result.text != text or result.decisions != {GuardDecision.PASSED}:
                changed.append(f"{answer_id} (language {hint or 'identified'}): {result.text!r}")
    assert not changed, f"{len(changed)} {language} FAQ answers changed:\n" + "\n".join(changed)


def test_the_guard_still_withholds_a_stranger_in_a_faq_answer(
    guard: OutputGuard, filled_vault: Vault, ctx: AccessContext
) -> None:
    """The same check can fail: a name the model slips into an answer is withheld."""
    kb = load_knowledge_base("en")
    text = kb.entries[0].answer + " Your parcel was signed for by Priya Raghunathan."
    result = guard.check(
        text,
        subject="CUST-48213",
        known_values=[],
        own_text="",
        lookup=lambda q: filled_vault.find_subjects_by_identifiers(q, ctx=ctx),
        language="en",
    )
    assert "Raghunathan" not in result.text and "[withheld]" in result.text
    assert result.text.startswith(kb.entries[0].answer)
