"""The lexeme feature the built-in tagger embeds: each word's standing in the four languages'
word lists and in the detector's name and place lists (`detect.ner.lexeme_features`)."""

from __future__ import annotations

import json

import spacy

from discreet.detect.entities import SUPPORTED_LANGUAGES
from discreet.detect.ner import lexeme_features
from discreet.detect.ner.loader import BUILTIN_MODEL_DIR
from discreet.detect.ner.spacy_backend import SpacyBackend


def bands(word: str) -> dict[str, int]:
    return dict(
        zip(SUPPORTED_LANGUAGES, map(int, lexeme_features.signature(word)[:4]), strict=True)
    )


def flags(word: str) -> str:
    return lexeme_features.signature(word)[4:]


def test_an_ordinary_word_is_frequent_in_its_own_language_only() -> None:
    assert bands("Stadt")["de"] >= 4
    assert bands("Stadt")["en"] == bands("Stadt")["fr"] == 0
    assert bands("ouders")["nl"] >= 4 and bands("ouders")["de"] == 0
    assert bands("the")["en"] == 7
    assert flags("Stadt") == ""


def test_a_word_no_list_has_reads_as_unlisted_everywhere() -> None:
    assert lexeme_features.signature("Xqvorbelt") == "0000"


def test_names_and_places_are_flagged_whatever_their_case() -> None:
    assert "n" in flags("Annemarie") and "n" in flags("annemarie")
    assert "s" in flags("Müller") and "s" in flags("MÜLLER")
    assert "p" in flags("Utrecht") and "p" in flags("Zürich") and "p" in flags("zurich")
    assert "n" not in flags("Stadt") and "p" not in flags("shipped")
    assert lexeme_features.signature("STADT") == lexeme_features.signature("Stadt")


def test_install_makes_every_new_word_carry_it() -> None:
    nlp = spacy.blank("xx")
    assert nlp.make_doc("Fahrrad")[0].lang_ == "xx"  # spaCy's own: the language code
    lexeme_features.install(nlp.vocab)
    # Words seen before keep what they had: install before the first doc.
    assert nlp.make_doc("Fahrrad")[0].lang_ == "xx"
    doc = nlp.make_doc("Frau Müller fährt den Radweg nach Utrecht")
    assert [t.lang_ for t in doc] == [lexeme_features.signature(t.text) for t in doc]


def test_the_builtin_model_reads_it_and_the_backend_computes_it() -> None:
    backend = SpacyBackend(BUILTIN_MODEL_DIR)
    columns = next(
        n.attrs["columns"]
        for n in backend._nlp.get_pipe("tok2vec").model.walk()
        if n.name == "extract_features"
    )
    assert lexeme_features.ATTRIBUTE in columns
    doc = backend._nlp.make_doc("Mevrouw de Vries woont in Zwolle")
    assert [t.lang_ for t in doc] == [lexeme_features.signature(t.text) for t in doc]
    assert backend._fused is not None and lexeme_features.ATTRIBUTE in backend._fused.columns


def test_the_builtin_model_was_trained_on_todays_lists() -> None:
    # The model learnt what the feature said when it was trained. A new wordfreq release,
    # rebuilt name lists or gazetteer change what it says: retrain the model
    # (training/README.md), which records the new fingerprint.
    meta = json.loads((BUILTIN_MODEL_DIR / "meta.json").read_text(encoding="utf-8"))
    assert meta[lexeme_features.META_KEY] == lexeme_features.fingerprint()
    assert meta["lang"] == "xx"  # the language code, not the feature of "_"
