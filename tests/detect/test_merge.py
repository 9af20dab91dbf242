from __future__ import annotations

from discreet.detect.base import Finding
from discreet.detect.entities import EntityType
from discreet.detect.merge import merge_findings


def f(start: int, end: int, etype: EntityType, score: float, name: str = "r") -> Finding:
    return Finding(start, end, etype, score, name)


def test_same_type_overlaps_become_their_union() -> None:
    merged = merge_findings(
        [f(0, 12, EntityType.PERSON, 0.6, "ner"), f(4, 12, EntityType.PERSON, 0.9, "subject")]
    )
    assert [(m.start, m.end, m.score, m.recognizer) for m in merged] == [(0, 12, 0.9, "subject")]


def test_higher_score_wins_between_types() -> None:
    merged = merge_findings(
        [f(0, 9, EntityType.PHONE_NUMBER, 0.5), f(0, 9, EntityType.NATIONAL_ID, 0.85)]
    )
    assert [m.type for m in merged] == [EntityType.NATIONAL_ID]


def test_equal_score_prefers_the_more_specific_type() -> None:
    merged = merge_findings(
        [f(0, 18, EntityType.IBAN, 0.9), f(0, 18, EntityType.BANK_ACCOUNT, 0.9)]
    )
    assert [m.type for m in merged] == [EntityType.IBAN]


def test_disjoint_findings_are_kept_in_order() -> None:
    merged = merge_findings(
        [f(20, 30, EntityType.EMAIL_ADDRESS, 0.9), f(0, 5, EntityType.PERSON, 0.5)]
    )
    assert [(m.start, m.type) for m in merged] == [
        (0, EntityType.PERSON),
        (20, EntityType.EMAIL_ADDRESS),
    ]
