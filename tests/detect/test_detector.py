from __future__ import annotations

import pytest

from discreet.detect import (
    DenyPattern,
    Detector,
    DetectorConfig,
    EntityType,
    InputTooLarge,
    NerConfig,
)


@pytest.fixture(scope="module")
def patterns_only() -> Detector:
    return Detector(DetectorConfig(ner=NerConfig(backend="none")))


def test_finding_repr_never_contains_the_value(patterns_only: Detector) -> None:
    text = "write to jan.devries@example.nl please"
    (finding,) = patterns_only.detect(text)
    assert finding.value(text) == "jan.devries@example.nl"
    assert "devries" not in repr(finding)


def test_too_large_text_is_refused_with_its_size() -> None:
    detector = Detector(DetectorConfig(ner=NerConfig(backend="none"), max_chars=100))
    with pytest.raises(InputTooLarge, match="101 characters"):
        detector.detect("x" * 101)


def test_unsupported_language_is_a_clear_error(patterns_only: Detector) -> None:
    with pytest.raises(ValueError, match="not supported"):
        patterns_only.detect("hola", language="es")


def test_allow_list_suppresses_exact_terms() -> None:
    config = DetectorConfig(ner=NerConfig(backend="none"), allow_list=["support@shop.example"])
    detector = Detector(config)
    text = "mail support@shop.example or jan@example.nl"
    assert [f.value(text) for f in detector.detect(text)] == ["jan@example.nl"]


def test_deny_list_pattern_reports_internal_ids() -> None:
    config = DetectorConfig(
        ner=NerConfig(backend="none"),
        deny_list=[DenyPattern(type=EntityType.CUSTOMER_ID, pattern=r"\bKL-\d{6}\b")],
    )
    text = "klantnummer KL-123456 graag"
    (finding,) = Detector(config).detect(text)
    assert (finding.type, finding.value(text)) == (EntityType.CUSTOMER_ID, "KL-123456")


def test_invalid_deny_pattern_names_the_problem() -> None:
    with pytest.raises(ValueError, match="not a valid regular expression"):
        DenyPattern(type=EntityType.CUSTOMER_ID, pattern="KL-(")


@pytest.mark.parametrize("workers", [1, 2])
def test_detect_many_keeps_order_and_reports_progress(workers: int) -> None:
    detector = Detector(DetectorConfig(ner=NerConfig(backend="none")))
    texts = [f"mail klant{i}@example.nl of bel +31 6 1234 56{i:02d}" for i in range(10)]
    seen: list[int] = []
    got = detector.detect_many(texts, workers=workers, chunk_size=4, on_progress=seen.append)
    assert got == detector.detect_batch(texts)
    assert got[3][0].value(texts[3]) == "klant3@example.nl"
    assert seen == [4, 8, 10]
