"""Metrics on hand-made gold and predicted spans with answers worked out by hand."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from discreet.detect.base import Finding
from discreet.detect.entities import EntityType
from discreet.evaluation.metrics import MISSED, Counts, Span, evaluate, f_beta

PERSON, EMAIL, DOB, DATE = "PERSON", "EMAIL_ADDRESS", "DATE_OF_BIRTH", "DATE"


def test_f2_formula() -> None:
    assert f_beta(0.5, 1.0) == pytest.approx(5 * 0.5 * 1.0 / (4 * 0.5 + 1.0))  # 0.8333
    assert f_beta(1.0, 0.5) == pytest.approx(2.5 / 4.5)  # recall weighs more
    assert f_beta(0.0, 0.0) == 0.0
    assert f_beta(0.8, 0.6, beta=1.0) == pytest.approx(2 * 0.48 / 1.4)


def test_counts_properties_and_zero_division() -> None:
    c = Counts(tp=3, fp=1, fn=2)
    assert (c.precision, c.recall, c.support) == (0.75, 0.6, 5)
    assert c.f2 == pytest.approx(5 * 0.75 * 0.6 / (4 * 0.75 + 0.6))
    assert Counts().precision == 0.0 and Counts().recall == 0.0 and Counts().f2 == 0.0
    assert Counts(1, 2, 3) + Counts(10, 20, 30) == Counts(11, 22, 33)


GOLD = [[Span(0, 10, PERSON), Span(20, 30, EMAIL)]]
PRED = [[Span(5, 12, PERSON), Span(20, 30, EMAIL)]]


def test_character_level_per_type_and_overall() -> None:
    ev = evaluate(GOLD, PRED)
    # PERSON: gold 0-10, predicted 5-12 -> 5 shared characters, 2 extra, 5 missed.
    assert ev.char.per_type[PERSON] == Counts(tp=5, fp=2, fn=5)
    assert ev.char.per_type[EMAIL] == Counts(tp=10, fp=0, fn=0)
    overall = ev.char.overall
    assert overall == Counts(tp=15, fp=2, fn=5)
    assert overall.precision == pytest.approx(15 / 17)
    assert overall.recall == pytest.approx(0.75)
    p, r = 15 / 17, 0.75
    assert overall.f2 == pytest.approx(5 * p * r / (4 * p + r))


def test_span_level_exact_and_overlap() -> None:
    ev = evaluate(GOLD, PRED)
    assert ev.span_exact.per_type[PERSON] == Counts(tp=0, fp=1, fn=1)
    assert ev.span_exact.overall == Counts(tp=1, fp=1, fn=1)
    # overlap 5 / max(10, 7) = 0.5: counts at the 50% threshold.
    assert ev.span_overlap.per_type[PERSON] == Counts(tp=1, fp=0, fn=0)
    assert ev.span_overlap.overall == Counts(tp=2, fp=0, fn=0)


def test_overlap_below_half_is_a_miss_and_a_false_positive() -> None:
    ev = evaluate([[Span(0, 10, PERSON)]], [[Span(6, 12, PERSON)]])  # 4 / 10 = 0.4
    assert ev.span_overlap.per_type[PERSON] == Counts(tp=0, fp=1, fn=1)
    assert ev.char.per_type[PERSON] == Counts(tp=4, fp=2, fn=6)


def test_overlap_matching_is_one_to_one() -> None:
    ev = evaluate([[Span(0, 10, PERSON)]], [[Span(0, 6, PERSON), Span(4, 10, PERSON)]])
    assert ev.span_overlap.per_type[PERSON] == Counts(tp=1, fp=1, fn=0)
    # Two gold spans covered by one long prediction: neither reaches half of it.
    ev = evaluate([[Span(0, 4, PERSON), Span(5, 9, PERSON)]], [[Span(0, 9, PERSON)]])
    assert ev.span_overlap.per_type[PERSON] == Counts(tp=0, fp=1, fn=2)


def test_wrong_type_is_a_miss_and_a_false_positive_but_found_untyped() -> None:
    gold = [[Span(0, 10, DOB), Span(20, 30, DATE)]]
    pred = [[Span(0, 10, DATE), Span(20, 30, DATE)]]
    ev = evaluate(gold, pred)
    assert ev.span_exact.per_type[DOB] == Counts(tp=0, fp=0, fn=1)
    assert ev.span_exact.per_type[DATE] == Counts(tp=1, fp=1, fn=0)
    assert ev.char.per_type[DOB] == Counts(tp=0, fp=0, fn=10)
    assert ev.char.untyped == Counts(tp=20, fp=0, fn=0)
    assert ev.span_overlap.untyped == Counts(tp=2, fp=0, fn=0)
    assert ev.confusion[DOB] == {DATE: 1}
    assert ev.confusion[DATE] == {DATE: 1}


def test_types_never_labelled_are_ignored_and_counted() -> None:
    ev = evaluate([[Span(0, 10, PERSON)]], [[Span(0, 10, PERSON), Span(40, 50, "ORGANIZATION")]])
    assert ev.span_exact.overall == Counts(tp=1, fp=0, fn=0)
    assert ev.ignored_predictions == {"ORGANIZATION": 1}
    assert ev.types == (PERSON,)


def test_a_type_a_system_cannot_produce_counts_as_missed() -> None:
    gold = [[Span(0, 10, PERSON), Span(20, 30, DOB)]]
    ev = evaluate(gold, [[Span(0, 10, PERSON)]])
    assert ev.span_exact.per_type[DOB] == Counts(tp=0, fp=0, fn=1)
    assert ev.span_exact.overall == Counts(tp=1, fp=0, fn=1)
    assert ev.confusion[DOB] == {MISSED: 1}


def test_restricting_types_ignores_text_of_other_types() -> None:
    gold = [[Span(0, 10, PERSON), Span(20, 30, EMAIL), Span(40, 50, DOB)]]
    # An EMAIL prediction over the PERSON's text and a DATE over the DOB: both on text of
    # types outside the restriction, so neither is a false positive there.
    pred = [[Span(0, 10, EMAIL), Span(20, 30, EMAIL), Span(40, 50, DATE), Span(60, 70, EMAIL)]]
    ev = evaluate(gold, pred, types=[EMAIL, DATE])
    assert ev.types == (DATE, EMAIL)
    assert ev.span_exact.per_type[EMAIL] == Counts(tp=1, fp=1, fn=0)  # 60-70 is a real FP
    assert ev.span_exact.per_type[DATE] == Counts()
    assert ev.ignored_predictions == {EMAIL: 1, DATE: 1}


def test_several_documents_are_summed_and_offsets_are_per_document() -> None:
    gold = [[Span(0, 5, PERSON)], [], [Span(0, 5, PERSON)]]
    pred = [[], [Span(0, 5, PERSON)], [Span(0, 5, PERSON)]]
    ev = evaluate(gold, pred)
    assert ev.span_exact.per_type[PERSON] == Counts(tp=1, fp=1, fn=1)
    assert ev.documents == 3


def test_findings_and_entity_types_are_accepted() -> None:
    gold = [[Span(0, 14, "EMAIL_ADDRESS")]]
    pred = [[Finding(0, 14, EntityType.EMAIL_ADDRESS, 0.95, "email")]]
    assert evaluate(gold, pred).span_exact.overall == Counts(tp=1, fp=0, fn=0)


def test_mismatched_lengths_are_an_error() -> None:
    with pytest.raises(ValueError, match="2 documents but predictions have 1"):
        evaluate([[], []], [[]])


def test_to_dict_is_json_ready() -> None:
    data = evaluate(GOLD, PRED).to_dict()
    assert data["char"]["per_type"][PERSON] == {  # type: ignore[index]
        "tp": 5,
        "fp": 2,
        "fn": 5,
        "precision": round(5 / 7, 4),
        "recall": 0.5,
        "f2": round(5 * (5 / 7) * 0.5 / (4 * (5 / 7) + 0.5), 4),
    }


# --- the benchmark's use of the metrics (Presidio itself is never run in tests) ---------------


def test_presidio_labels_are_mapped_filtered_and_merged() -> None:
    from tests.support.presidio import Result

    from discreet.evaluation.bench import presidio_findings

    results = [
        Result("EMAIL_ADDRESS", 10, 30, 1.0),
        Result("URL", 15, 30, 0.5),  # inside the e-mail: merged away
        Result("IBAN_CODE", 40, 58, 1.0),
        Result("DATE_TIME", 60, 70, 0.85),
        Result("NRP", 80, 86, 0.85),  # no taxonomy counterpart: dropped
        Result("US_BANK_NUMBER", 90, 98, 0.05),  # below the threshold
    ]
    found = [(f.start, f.end, f.type) for f in presidio_findings(results, threshold=0.4)]
    assert found == [
        (10, 30, EntityType.EMAIL_ADDRESS),
        (40, 58, EntityType.IBAN),
        (60, 70, EntityType.DATE),
    ]


def test_bench_runs_end_to_end_without_presidio(tmp_path: Path) -> None:
    from discreet.evaluation.bench import BenchOptions, bench

    corpus = tmp_path / "corpus.jsonl"
    texts = [
        ("mail jan@example.nl today", [(5, 19, "EMAIL_ADDRESS")]),
        ("IBAN NL91ABNA0417164300 please", [(5, 23, "IBAN")]),
        ("nothing to see", []),
    ]
    corpus.write_text(
        "".join(
            json.dumps(
                {"id": str(i), "text": t, "language": "en", "kind": "chat",
                 "spans": [{"start": s, "end": e, "type": ty} for s, e, ty in spans]}
            ) + "\n"
            for i, (t, spans) in enumerate(texts)
        ),
        encoding="utf-8",
    )  # fmt: skip
    config = tmp_path / "detector.yaml"
    config.write_text("ner:\n  backend: none\n", encoding="utf-8")
    report_json = tmp_path / "report.json"
    options = BenchOptions(
        corpus=corpus,
        config=config,
        skip_presidio=True,
        latency_samples=20,
        json_out=report_json,
        out=tmp_path / "report.md",
        progress=False,
    )
    markdown = bench(options)
    report = json.loads(report_json.read_text())
    overall = report["systems"]["discreet"]["all_types"]["span_exact"]["overall"]
    assert (overall["tp"], overall["fp"], overall["fn"]) == (2, 0, 0)
    assert report["corpus"]["texts"] == 3
    assert report["systems"]["discreet"]["detect_many"]["same_results_as_single_process"]
    assert "## Targets" in markdown and "overall F2 >= 0.9" in markdown
    assert (tmp_path / "report.md").read_text() == markdown
