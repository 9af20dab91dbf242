"""The default detector's quality on both evaluation sets stays where the benchmark put it.

`discreet bench` measures the targets (overall F2 >= 0.90, well above Presidio); this guards
them against regressions in CI, a little below the measured figures (0.943 on these 400
generated texts, 0.907 on the hand-written set, 2026-11-22), so a change that moves one span
does not fail it while losing a recognizer's worth of recall does.
"""

from __future__ import annotations

import pytest

from discreet.detect import Detector
from discreet.evaluation.bench import HANDWRITTEN_PATH
from discreet.evaluation.corpus import generate_corpus, read_jsonl
from discreet.evaluation.metrics import evaluate


@pytest.fixture(scope="module")
def detector() -> Detector:
    return Detector()


@pytest.mark.parametrize(
    ("corpus", "floor", "person_floor"),
    [("handwritten", 0.89, 0.85), ("generated", 0.93, 0.97)],
)
def test_f2_stays_above_its_floor(
    detector: Detector, corpus: str, floor: float, person_floor: float
) -> None:
    texts = (
        read_jsonl(HANDWRITTEN_PATH)
        if corpus == "handwritten"
        else generate_corpus(400, seed=0, split="eval")
    )
    predicted = detector.detect_batch([t.text for t in texts])
    result = evaluate([t.spans for t in texts], predicted)  # Findings are spans too
    assert result.char.overall.f2 >= floor, f"{corpus}: char F2 {result.char.overall.f2:.3f}"
    person = result.char.per_type["PERSON"].f2
    assert person >= person_floor, f"{corpus}: PERSON char F2 {person:.3f}"
