"""`Detector.detect_many` starts worker processes only when the batch pays for their start."""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor
from typing import Any

import pytest

from discreet.detect import Detector, DetectorConfig, NerConfig
from discreet.detect import detector as detector_module
from discreet.detect.detector import MIN_TEXTS_PER_WORKER


@pytest.fixture()
def detector() -> Detector:
    return Detector(DetectorConfig(ner=NerConfig(backend="none")))


def _texts(n: int) -> list[str]:
    return [f"mail klant{i}@example.nl of bel +31 6 1234 5{i % 1000:03d}" for i in range(n)]


class NoPool:
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        raise AssertionError("a process pool was started")


def test_small_batches_run_in_process(detector: Detector, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(detector_module, "ProcessPoolExecutor", NoPool)
    texts = _texts(600)  # more than one chunk, far fewer than two workers' worth
    seen: list[int] = []
    got = detector.detect_many(texts, workers=4, chunk_size=256, on_progress=seen.append)
    assert got == detector.detect_batch(texts)
    assert seen == [256, 512, 600]


def test_process_count_follows_the_batch_size(detector: Detector) -> None:
    per = MIN_TEXTS_PER_WORKER
    assert detector.processes_for(100, workers=8) == 1  # one chunk
    assert detector.processes_for(2 * per - 1, workers=8) == 1
    assert detector.processes_for(2 * per, workers=8) == 2
    assert detector.processes_for(5 * per + 7, workers=8) == 5
    assert detector.processes_for(100 * per, workers=8) == 8
    assert detector.processes_for(100 * per, workers=1) == 1
    detector.min_texts_per_worker = 10
    assert detector.processes_for(300, workers=2) == 2
    assert detector.processes_for(300, workers=2, chunk_size=300) == 1


def test_large_enough_batches_use_worker_processes(
    detector: Detector, monkeypatch: pytest.MonkeyPatch
) -> None:
    started: list[int] = []
    real_pool = ProcessPoolExecutor

    def pool(*args: Any, **kwargs: Any) -> Any:
        started.append(kwargs["max_workers"])
        return real_pool(*args, **kwargs)

    monkeypatch.setattr(detector_module, "ProcessPoolExecutor", pool)
    detector.min_texts_per_worker = 5  # a threshold this small makes 12 texts "large"
    texts = _texts(12)
    got = detector.detect_many(texts, workers=2, chunk_size=4)
    assert started == [2]
    assert got == detector.detect_batch(texts)
