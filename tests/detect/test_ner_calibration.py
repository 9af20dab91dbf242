"""The built-in NER's calibrated scores and the first-layer cache of its fused pass."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from discreet.detect.config import NerConfig
from discreet.detect.entities import EntityType
from discreet.detect.ner.base import NerLoadError
from discreet.detect.ner.calibration import (
    BUILTIN_CALIBRATION,
    INFORMAL_RECALL_BIAS_KEY,
    MODEL_KEY,
    RECALL_BIAS_KEY,
    Calibration,
    expected_calibration_error,
)
from discreet.detect.ner.loader import BUILTIN_MODEL_DIR, load_builtin
from discreet.detect.ner.spacy_backend import SpacyBackend
from discreet.evaluation.corpus import generate_corpus


def test_isotonic_fit_is_monotone_smoothed_and_maps_between_steps() -> None:
    # Confidence 0.2-0.4: 1 right of 4; 0.6-0.9: 3 of 4. A dip (0.9 wrong) is pooled.
    pairs = [(0.2, False), (0.3, False), (0.35, True), (0.4, False)]
    pairs += [(0.6, True), (0.7, True), (0.8, True), (0.9, False)]
    cal = Calibration.fit({EntityType.PERSON: pairs})
    scores = [cal.score(EntityType.PERSON, x) for x in (0.0, 0.2, 0.5, 0.65, 0.99)]
    assert scores == sorted(scores), "a higher confidence never scores lower"
    assert scores[0] > 0.0 and scores[-1] < 1.0, "smoothed: no step claims certainty"
    # The 0.6-0.9 block (3 right of 4, plus one right and one wrong): 4/6.
    assert cal.score(EntityType.PERSON, 0.95) == pytest.approx(4 / 6)
    # Types without a table keep their raw confidence.
    assert cal.score(EntityType.LOCATION, 0.37) == 0.37


def test_calibration_round_trips_through_json() -> None:
    cal = Calibration.fit({EntityType.LOCATION: [(0.1, False), (0.5, True), (0.9, True)]})
    again = Calibration.from_json(json.loads(json.dumps(cal.to_json())))
    for x in (0.0, 0.1, 0.3, 0.5, 0.7, 0.9, 1.0):
        assert again.score(EntityType.LOCATION, x) == pytest.approx(
            cal.score(EntityType.LOCATION, x), abs=1e-4
        )


def test_a_language_with_enough_findings_gets_its_own_table() -> None:
    # German spans found at 0.3 by the leaning decoding were all right, English ones at
    # 0.3 all wrong. Each language is read through its own table, and a language with too
    # few findings (French) through the table of all of them.
    german = [(0.3, True)] * 10
    english = [(0.3, False)] * 10
    french = [(0.3, True)] * 3
    cal = Calibration.fit(
        {
            EntityType.PERSON: german + english + french,
            (EntityType.PERSON, "de"): german,
            (EntityType.PERSON, "en"): english,
            (EntityType.PERSON, "fr"): french,
        },
        min_language_findings=10,
    )
    assert cal.languages == {"de", "en"}
    de, en = cal.score(EntityType.PERSON, 0.3, "de"), cal.score(EntityType.PERSON, 0.3, "en")
    assert de == pytest.approx(11 / 12) and en == pytest.approx(1 / 12)  # smoothed: +1/+2
    pooled = cal.score(EntityType.PERSON, 0.3)
    assert cal.score(EntityType.PERSON, 0.3, "fr") == pooled
    assert cal.score(EntityType.LOCATION, 0.3, "de") == 0.3  # no table: the raw confidence
    again = Calibration.from_json(json.loads(json.dumps(cal.to_json())))
    assert "PERSON@de" in cal.to_json() and again.languages == {"de", "en"}
    assert again.score(EntityType.PERSON, 0.3, "de") == pytest.approx(de, abs=1e-4)
    with pytest.raises(ValueError, match="unknown language"):
        Calibration.from_json({"PERSON@xx": {"bounds": [0.0], "values": [0.5]}})


def test_the_shipped_map_was_fitted_on_the_default_decoding() -> None:
    # A map fitted with another lean would read the findings the default lean adds
    # through the wrong tables; calibrate_ner.py records the lean it decoded with.
    shipped = json.loads(BUILTIN_CALIBRATION.read_text(encoding="utf-8"))
    assert shipped[RECALL_BIAS_KEY] == NerConfig().recall_bias
    assert shipped[INFORMAL_RECALL_BIAS_KEY] == NerConfig().informal_recall_bias


def test_expected_calibration_error_by_hand() -> None:
    # Bin 0.8-0.9: scores 0.85 twice, one right: |0.85 - 0.5| = 0.35 over 2 of 4 findings;
    # bin 0.2-0.3: 0.25 twice, none right: 0.25 over 2 of 4. ECE = (0.7 + 0.5) / 4 = 0.3.
    scored = [(0.85, True), (0.85, False), (0.25, False), (0.25, False)]
    assert expected_calibration_error(scored) == pytest.approx(0.3)
    assert expected_calibration_error([]) == 0.0


def test_a_broken_calibration_file_fails_loading_clearly(tmp_path: Path) -> None:
    bad = tmp_path / "calibration.json"
    bad.write_text('{"PERSON": {"bounds": [0.5, 0.1], "values": [0.2, 0.3]}}')
    with pytest.raises(NerLoadError, match="calibrate_ner"):
        Calibration.load(BUILTIN_MODEL_DIR, bad)
    with pytest.raises(NerLoadError, match="FileNotFoundError"):
        Calibration.load(BUILTIN_MODEL_DIR, tmp_path / "missing.json")


def test_a_map_fitted_to_other_weights_is_refused(tmp_path: Path) -> None:
    # A retrained model without a rerun of calibrate_ner.py: its confidences would be read
    # through the old model's map, and findings dropped or kept by wrong probabilities.
    model = tmp_path / "model"
    shutil.copytree(BUILTIN_MODEL_DIR, model)
    assert Calibration.load(model).types  # a copy is the same model
    weights = model / "entity_tagger" / "model"
    data = bytearray(weights.read_bytes())
    data[-1] ^= 1
    weights.write_bytes(bytes(data))
    with pytest.raises(NerLoadError, match="another model"):
        Calibration.load(model)
    stale = tmp_path / "calibration.json"
    shipped = json.loads(BUILTIN_CALIBRATION.read_text(encoding="utf-8"))
    stale.write_text(json.dumps({k: v for k, v in shipped.items() if k != MODEL_KEY}))
    with pytest.raises(NerLoadError, match="another model"):
        Calibration.load(BUILTIN_MODEL_DIR, stale)


def test_the_shipped_map_covers_names_and_places() -> None:
    cal = Calibration.load(BUILTIN_MODEL_DIR)
    assert {EntityType.PERSON, EntityType.LOCATION} <= cal.types
    for etype in (EntityType.PERSON, EntityType.LOCATION):
        low, high = cal.score(etype, 0.3), cal.score(etype, 0.9999)
        assert 0.0 < low < 0.6 < high < 1.0


def test_builtin_scores_vary_with_the_models_confidence() -> None:
    backend = load_builtin()
    texts = [t.text for t in generate_corpus(200, seed=5)]
    scores = {round(f.score, 4) for fs in backend.predict(texts, ["en"] * len(texts)) for f in fs}
    assert len(scores) > 5, "calibrated scores, not one fixed value per type"
    assert all(0.0 < s < 1.0 for s in scores)


def test_cached_first_layer_gives_the_same_tags_and_probabilities(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    backend = load_builtin()
    assert isinstance(backend, SpacyBackend) and backend._fused is not None
    fused, nlp = backend._fused, backend._nlp
    texts = [t.text for t in generate_corpus(300, seed=9)]
    docs = [nlp.make_doc(t) for t in texts]
    fused._cache.clear()
    cached = [out for i in range(0, len(docs), 50) for out in fused.predict(docs[i : i + 50])]
    # Fresh: the cache bypassed, every token's row computed in its batch.
    monkeypatch.setattr(fused, "_embedded", fused._embed)
    fresh = [out for i in range(0, len(docs), 50) for out in fused.predict(docs[i : i + 50])]
    for i, ((t1, p1), (t2, p2)) in enumerate(zip(cached, fresh, strict=True)):
        assert np.array_equal(t1, t2), f"text #{i}"
        assert np.array_equal(p1, p2), f"text #{i}"


def test_a_full_cache_is_emptied_not_overrun(monkeypatch: pytest.MonkeyPatch) -> None:
    backend = load_builtin()
    assert isinstance(backend, SpacyBackend) and backend._fused is not None
    fused, nlp = backend._fused, backend._nlp
    docs = [nlp.make_doc(t.text) for t in generate_corpus(40, seed=11)]
    expected = fused.predict(docs)
    monkeypatch.setattr(fused, "_store", np.zeros((64, fused._store.shape[1]), np.float32))
    monkeypatch.setattr(fused, "_cache", {})
    small = [out for doc in docs for out in fused.predict([doc])]  # fills and empties it
    whole = fused.predict(docs)  # more distinct tokens than fit: computed uncached
    assert len(fused._cache) <= 64
    for (t1, p1), (t2, p2), (t3, _) in zip(expected, small, whole, strict=True):
        assert np.array_equal(t1, t2) and np.array_equal(t1, t3)
        assert np.allclose(p1, p2)
