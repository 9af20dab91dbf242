"""NER backends: the shipped model, spaCy pipelines by path, Hugging Face, and the loader."""

from __future__ import annotations

import importlib.util
import json
import re
import threading
from pathlib import Path

import pytest
import spacy
from pydantic import ValidationError
from tests.support.fresh import run_fresh

from discreet.detect import Detector, EntityType, NerConfig
from discreet.detect.base import Finding
from discreet.detect.ner import lexeme_features, loader
from discreet.detect.ner.base import NerBackend, NerLoadError
from discreet.detect.ner.fused import BOOSTED_LABELS
from discreet.detect.ner.labels import FIXED_SCORE
from discreet.detect.ner.loader import BUILTIN_MODEL_DIR, load_backend
from discreet.detect.ner.spacy_backend import SpacyBackend


@pytest.fixture(scope="module")
def builtin() -> NerBackend:
    backend = load_backend(NerConfig())
    assert backend is not None
    return backend


def found(backend: NerBackend, text: str, language: str = "en") -> set[tuple[EntityType, str]]:
    (findings,) = backend.predict([text], [language])
    return {(f.type, f.value(text)) for f in findings}


# Sentences written for this test, not drawn from the training corpus.
@pytest.mark.parametrize(
    ("language", "text", "person", "address", "city"),
    [
        (
            "en",
            "Hello, I'm Margaret Holloway and I moved to 14 Baker Street in Leeds.",
            "Margaret Holloway",
            "14 Baker Street",
            "Leeds",
        ),
        (
            "nl",
            "Goedemiddag, mijn naam is Sanne de Boer en mijn nieuwe adres is Kerkstraat 12 in "
            "Utrecht.",
            "Sanne de Boer",
            "Kerkstraat 12",
            "Utrecht",
        ),
        (
            "de",
            "Guten Tag, mein Name ist Lukas Hoffmann, ich wohne in der Bahnhofstraße 5 in München.",
            "Lukas Hoffmann",
            "Bahnhofstraße 5",
            "München",
        ),
        (
            "fr",
            "Bonjour, je m'appelle Camille Rousseau et j'habite au 8 rue de la Paix à Lyon.",
            "Camille Rousseau",
            "8 rue de la Paix",
            "Lyon",
        ),
    ],
)
def test_builtin_model_finds_names_addresses_and_cities(
    builtin: NerBackend, language: str, text: str, person: str, address: str, city: str
) -> None:
    (findings,) = builtin.predict([text], [language])
    for etype, value in (
        (EntityType.PERSON, person),
        (EntityType.STREET_ADDRESS, address),
        (EntityType.LOCATION, city),
    ):
        start = text.index(value)
        # Masking protects the value if a finding of its type covers all of it.
        assert any(
            f.type is etype and f.start <= start and start + len(value) <= f.end for f in findings
        ), f"{etype.value} not covered in the {language} sentence"


@pytest.mark.parametrize(
    ("text", "language"),
    [
        (
            "Hallo [PERSON_1]! Je bestelling [ORDER_ID_1] is verzonden. We verwachten dat hij "
            "op [DATE_1] wordt bezorgd.",
            "nl",
        ),
        (
            "Hello [PERSON_1], your order [ORDER_ID_1] has been shipped to "
            "[STREET_ADDRESS_1], [LOCATION_1].",
            "en",
        ),
        ("Guten Tag [PERSON_2], Ihre Bestellung [ORDER_ID_1] wurde heute versandt.", "de"),
    ],
)
def test_pseudonymised_text_yields_no_new_entities(
    builtin: NerBackend, text: str, language: str
) -> None:
    """The output guard runs detection on answers full of tokens. A model that never saw
    tokens tagged "verzonden" as a person, and the guard withheld the demo's answer."""
    assert found(builtin, text, language) == set()


@pytest.mark.parametrize(
    ("text", "language"),
    [("Wanneer komt mijn pakket?", "nl"), ("Will you call me back?", "en")],
)
def test_a_lone_function_word_is_never_an_entity(
    builtin: NerBackend, text: str, language: str
) -> None:
    assert found(builtin, text, language) == set()


def test_names_made_of_function_words_survive_in_longer_spans(builtin: NerBackend) -> None:
    assert (EntityType.PERSON, "Ben de Vries") in found(builtin, "Ben de Vries hier", "nl")


def test_real_values_next_to_tokens_are_still_found(builtin: NerBackend) -> None:
    text = "Hallo [PERSON_1], ik heb het pakket naar Kerkstraat 12 in Utrecht gestuurd."
    assert found(builtin, text, "nl") >= {
        (EntityType.STREET_ADDRESS, "Kerkstraat 12"),
        (EntityType.LOCATION, "Utrecht"),
    }


def test_builtin_findings_are_named_and_scored(builtin: NerBackend) -> None:
    text = "Please send it to Priya Raman."
    (findings,) = builtin.predict([text], ["en"])
    person = next(f for f in findings if f.type is EntityType.PERSON)
    assert person.recognizer == "ner:builtin"
    # A calibrated probability (see test_ner_calibration), not the fixed 0.85 of spaCy NER.
    assert 0.5 < person.score < 1.0
    assert person.score != pytest.approx(FIXED_SCORE)
    assert "Priya" not in repr(person)


def test_builtin_batches_keep_order_and_empty_texts(builtin: NerBackend) -> None:
    texts = [
        "My name is Thomas Müller.",
        "",
        "Please cancel the order, I no longer need it.",
        "Ik woon in Utrecht.",
    ]
    results = builtin.predict(texts, ["en", "en", "en", "nl"])
    assert len(results) == 4
    assert [f.value(texts[0]) for f in results[0]] == ["Thomas Müller"]
    assert results[1] == [] and results[2] == []
    assert [(f.type, f.value(texts[3])) for f in results[3]] == [(EntityType.LOCATION, "Utrecht")]


def test_builtin_is_safe_to_share_between_threads(builtin: NerBackend) -> None:
    texts = [f"Order {i} goes to Anna Schmidt in Hamburg." for i in range(40)]
    expected = builtin.predict(texts, ["de"] * len(texts))
    results: dict[int, list[list[Finding]]] = {}

    def work(k: int) -> None:
        results[k] = builtin.predict(texts, ["de"] * len(texts))

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(r == expected for r in results.values())


def test_builtin_model_is_small_and_loads_without_discreet_code() -> None:
    size = sum(p.stat().st_size for p in BUILTIN_MODEL_DIR.rglob("*") if p.is_file())
    assert size <= 40 * 1024 * 1024  # issue #10: may grow to 40 MB for accuracy
    nlp = spacy.load(BUILTIN_MODEL_DIR)  # plain spaCy: no registered functions needed
    lexeme_features.install(nlp.vocab)  # what it embeds besides spelling, to tag
    assert nlp.pipe_names == ["tok2vec", "entity_tagger"]
    labels = set(nlp.get_pipe("entity_tagger").labels)
    assert {tag.partition("-")[2] for tag in labels} - {""} == {
        "PERSON",
        "STREET_ADDRESS",
        "LOCATION",
        "ORGANIZATION",
    }
    assert "O" in labels
    # Every tag string survives the trimmed string store: tags read back as text.
    doc = nlp("Dear Anna de Vries, your parcel went to Dorpsstraat 12 in Utrecht.")
    assert {t.tag_ for t in doc} <= labels and "B-PERSON" in {t.tag_ for t in doc}


def test_default_detector_uses_the_builtin_model() -> None:
    detector = Detector()
    assert detector.ner is not None and detector.ner.name == "ner:builtin"
    text = "De bezorger gaf mijn pakket aan Pieter Bakker, Dorpsstraat 3 in Zwolle."
    types = {f.type for f in detector.detect(text, language="nl")}
    assert {EntityType.PERSON, EntityType.STREET_ADDRESS, EntityType.LOCATION} <= types


def test_detectors_share_one_loaded_builtin_model(builtin: NerBackend) -> None:
    assert Detector().ner is builtin
    assert load_backend(NerConfig(min_score=0.6)) is not builtin  # other settings: own copy
    # The backend keeps findings from the lowest cut (NerConfig.floor), so an informal cut
    # at the default min_score is the same backend.
    assert load_backend(NerConfig(informal_min_score={"en": 0.4})) is builtin


def test_pipeline_is_reloaded_when_its_string_store_outgrows_the_limit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from discreet.detect.ner import spacy_backend

    backend = SpacyBackend(BUILTIN_MODEL_DIR)
    first = backend._nlp
    monkeypatch.setattr(spacy_backend, "_MAX_STRINGS", 10)
    text = "Mijn naam is Sanne de Boer en ik woon in Utrecht."
    before = found(backend, text, "nl")
    assert backend._nlp is not first  # the grown pipeline was replaced ...
    assert found(backend, text, "nl") == before  # ... by one that predicts the same


def test_spacy_backend_by_path_uses_its_own_name(builtin: NerBackend) -> None:
    backend = load_backend(NerConfig(backend="spacy", model=str(BUILTIN_MODEL_DIR)))
    assert isinstance(backend, SpacyBackend)
    assert backend.name == "ner:spacy"
    text = "Bitte an Frau Petra Neumann, Lindenallee 7, Bremen."
    assert found(backend, text, "de") == found(builtin, text, "de")


def test_min_score_drops_findings_scored_below_it() -> None:
    text = ["My name is Thomas Müller."]
    lenient = load_backend(NerConfig(min_score=0.0))
    assert lenient is not None
    ((person,),) = lenient.predict(text, ["en"])
    above = load_backend(NerConfig(min_score=min(1.0, person.score + 1e-6)))
    assert above is not None
    assert above.predict(text, ["en"]) == [[]]
    at = load_backend(NerConfig(min_score=person.score))
    assert at is not None
    assert at.predict(text, ["en"]) == [[person]]


@pytest.fixture(scope="module")
def foreign_pipeline(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A pipeline with another label set (like en_core_web_sm's) and a non-NER component."""
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    ruler = nlp.add_pipe("entity_ruler")
    ruler.add_patterns(  # type: ignore[attr-defined]
        [
            {"label": "PER", "pattern": "Ada Lovelace"},
            {"label": "GPE", "pattern": "London"},
            {"label": "FAC", "pattern": "Baker Street"},
            {"label": "ORG", "pattern": "Acme"},
            {"label": "DATE", "pattern": "Monday"},
            {"label": "PRODUCT", "pattern": "Widget"},
        ]
    )
    path = tmp_path_factory.mktemp("pipelines") / "foreign"
    nlp.to_disk(path)
    return path


FOREIGN_TEXT = "Ada Lovelace of Acme bought a Widget on Monday at Baker Street, London."


def test_foreign_labels_map_onto_the_taxonomy(foreign_pipeline: Path) -> None:
    backend = SpacyBackend(foreign_pipeline)
    assert found(backend, FOREIGN_TEXT) == {
        (EntityType.PERSON, "Ada Lovelace"),
        (EntityType.ORGANIZATION, "Acme"),
        (EntityType.STREET_ADDRESS, "Baker Street"),
        (EntityType.LOCATION, "London"),
    }  # DATE and PRODUCT are not NER's business: patterns find dates, products are no PII


def test_label_map_from_config_adds_and_overrides(foreign_pipeline: Path) -> None:
    config = NerConfig(
        backend="spacy",
        model=str(foreign_pipeline),
        label_map={"date": EntityType.DATE, "ORG": EntityType.CUSTOMER_ID},
    )
    backend = load_backend(config)
    assert backend is not None
    result = found(backend, FOREIGN_TEXT)
    assert (EntityType.DATE, "Monday") in result
    assert (EntityType.CUSTOMER_ID, "Acme") in result
    assert (EntityType.ORGANIZATION, "Acme") not in result


def test_only_entity_components_are_loaded(foreign_pipeline: Path) -> None:
    backend = SpacyBackend(foreign_pipeline)
    assert backend._nlp.pipe_names == ["entity_ruler"]


# --- loader errors ---------------------------------------------------------------------


def test_unknown_pipeline_name_is_a_clear_error() -> None:
    with pytest.raises(NerLoadError, match="'xx_no_such_pipeline' is not installed"):
        load_backend(NerConfig(backend="spacy", model="xx_no_such_pipeline"))


def test_missing_model_directory_is_a_clear_error(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere" / "model"
    with pytest.raises(NerLoadError, match="does not exist"):
        load_backend(NerConfig(backend="spacy", model=str(missing)))
    with pytest.raises(NerLoadError, match="does not exist"):
        load_backend(NerConfig(backend="hf", model=str(missing)))


def test_directory_that_is_not_a_pipeline_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(NerLoadError, match=r"no config\.cfg"):
        load_backend(NerConfig(backend="spacy", model=str(tmp_path)))


@pytest.mark.parametrize("backend", ["spacy", "hf"])
def test_spacy_and_hf_backends_need_a_model(backend: str) -> None:
    with pytest.raises(NerLoadError, match=r"needs NerConfig\.model"):
        load_backend(NerConfig(backend=backend))


def test_none_backend_loads_nothing() -> None:
    assert load_backend(NerConfig(backend="none")) is None


def test_missing_builtin_model_says_how_to_rebuild(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(loader, "BUILTIN_MODEL_DIR", tmp_path / "model")
    with pytest.raises(NerLoadError, match=r"training/train_ner\.py"):
        load_backend(NerConfig())


# --- Hugging Face ------------------------------------------------------------------------

HAS_TRANSFORMERS = importlib.util.find_spec("transformers") is not None
HAS_TORCH = importlib.util.find_spec("torch") is not None


def _write_hf_config(path: Path) -> None:
    path.mkdir(parents=True, exist_ok=True)
    (path / "config.json").write_text(
        json.dumps({"id2label": {"0": "O", "1": "B-PER", "2": "I-PER"}}), encoding="utf-8"
    )


@pytest.mark.skipif(HAS_TRANSFORMERS, reason="transformers is installed here")
def test_hf_backend_without_the_extra_names_it(tmp_path: Path) -> None:
    _write_hf_config(tmp_path)
    with pytest.raises(NerLoadError, match=r"discreet\[hf\]"):
        load_backend(NerConfig(backend="hf", model=str(tmp_path)))


@pytest.fixture(scope="module")
def tiny_hf_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A randomly initialised BERT whose classifier always says B-PER, then I-PER."""
    if not (HAS_TRANSFORMERS and HAS_TORCH):
        pytest.skip("needs transformers and torch (pip install 'discreet[hf]' torch)")
    import torch
    import transformers

    path = tmp_path_factory.mktemp("hf") / "tiny"
    path.mkdir()
    words = ["anna", "jansen", "lives", "in", "utrecht", "jan", "##sen", "the", "order"]
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *words]
    (path / "vocab.txt").write_text("\n".join(vocab) + "\n", encoding="utf-8")
    tokenizer = transformers.BertTokenizerFast(vocab_file=str(path / "vocab.txt"))
    tokenizer.save_pretrained(str(path))
    config = transformers.BertConfig(
        vocab_size=len(vocab),
        hidden_size=16,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=32,
        id2label={0: "O", 1: "B-PER", 2: "I-PER"},
        label2id={"O": 0, "B-PER": 1, "I-PER": 2},
    )
    model = transformers.BertForTokenClassification(config)
    with torch.no_grad():
        model.classifier.weight.zero_()
        model.classifier.bias.copy_(torch.tensor([0.0, 0.0, 5.0]))  # I-PER everywhere
    model.save_pretrained(str(path))
    return path


def test_hf_backend_decodes_spans_with_offsets(tiny_hf_model: Path) -> None:
    backend = load_backend(NerConfig(backend="hf", model=str(tiny_hf_model)))
    assert backend is not None and backend.name == "ner:hf"
    texts = ["Anna Jansen", "Jansen lives in Utrecht"]
    results = backend.predict(texts, ["nl", "nl"])
    # Every token is I-PER: one span over each whole text, mean probability as the score.
    assert [[(f.type, f.value(t)) for f in r] for r, t in zip(results, texts, strict=True)] == [
        [(EntityType.PERSON, "Anna Jansen")],
        [(EntityType.PERSON, "Jansen lives in Utrecht")],
    ]
    assert 0.9 < results[0][0].score <= 1.0


def test_hf_backend_min_score_and_label_map(tiny_hf_model: Path) -> None:
    config = NerConfig(
        backend="hf", model=str(tiny_hf_model), label_map={"PER": EntityType.USERNAME}
    )
    backend = load_backend(config)
    assert backend is not None
    (findings,) = backend.predict(["Anna"], ["en"])
    assert [f.type for f in findings] == [EntityType.USERNAME]
    strict = load_backend(NerConfig(backend="hf", model=str(tiny_hf_model), min_score=0.999))
    assert strict is not None and strict.predict(["Anna"], ["en"]) == [[]]


def test_hf_backend_runs_onnx_when_the_directory_has_it(
    tiny_hf_model: Path, tmp_path: Path
) -> None:
    if importlib.util.find_spec("onnxruntime") is None:
        pytest.skip("needs onnxruntime (pip install 'discreet[hf]')")
    import shutil

    import torch
    import transformers

    onnx_dir = tmp_path / "onnx-model"
    shutil.copytree(tiny_hf_model, onnx_dir)
    model = transformers.BertForTokenClassification.from_pretrained(str(tiny_hf_model))
    model.eval()
    sample = {k: torch.ones((1, 4), dtype=torch.long) for k in ("input_ids", "attention_mask")}
    torch.onnx.export(
        model,
        (sample["input_ids"], sample["attention_mask"]),
        str(onnx_dir / "model.onnx"),
        input_names=["input_ids", "attention_mask"],
        output_names=["logits"],
        dynamic_axes={"input_ids": {0: "b", 1: "t"}, "attention_mask": {0: "b", 1: "t"}},
        dynamo=False,
    )
    backend = load_backend(NerConfig(backend="hf", model=str(onnx_dir)))
    assert backend is not None and getattr(backend, "runtime", None) == "onnx"
    text = "Anna Jansen lives in Utrecht"
    (findings,) = backend.predict([text], ["nl"])
    assert [(f.type, f.value(text)) for f in findings] == [(EntityType.PERSON, text)]


def test_concurrent_calls_are_batched_and_each_gets_its_own_findings(
    builtin: NerBackend,
) -> None:
    # Different texts per caller: joined into one batch, each result must still be the
    # caller's own, in its order.
    texts = {
        k: [f"Please send parcel {k}-{i} to Lukas Hoffmann in München." for i in range(k + 1)]
        + [f"Mijn naam is Sanne de Boer {k}."]
        for k in range(8)
    }
    expected = {k: builtin.predict(t, ["de"] * len(t)) for k, t in texts.items()}
    results: dict[int, list[list[Finding]]] = {}
    start = threading.Barrier(len(texts))

    def work(k: int) -> None:
        start.wait()
        results[k] = builtin.predict(texts[k], ["de"] * len(texts[k]))

    threads = [threading.Thread(target=work, args=(k,)) for k in texts]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == expected


def test_a_failing_batch_fails_every_caller_in_it() -> None:
    backend = SpacyBackend(BUILTIN_MODEL_DIR)
    real = backend._nlp
    release = threading.Event()

    class Failing:
        vocab = real.vocab

        def __call__(self, text: str) -> object:
            release.wait(5)
            raise RuntimeError("model broke")

        make_doc = __call__  # the fused path tokenizes, then runs its own arithmetic

        def pipe(self, texts: object, batch_size: int = 0) -> object:
            raise RuntimeError("model broke")

    backend._nlp = Failing()
    errors: list[BaseException] = []

    def work() -> None:
        try:
            backend.predict(["Anna Schmidt in Hamburg."], ["de"])
        except RuntimeError as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(3)]
    for t in threads:
        t.start()
    release.set()
    for t in threads:
        t.join()
    assert len(errors) == 3  # nobody got an empty result instead of the failure


def test_function_words_load_without_the_language_packages() -> None:
    # Importing spacy.lang.fr builds its tokenizer exceptions: seconds, on the first
    # entity a server found. The stop word lists are read on their own, at load time.
    script = (
        "import sys\n"
        "from discreet.detect.ner.spacy_backend import _function_words\n"
        "words = _function_words()\n"
        "assert {'wanneer', 'the', 'nicht', 'nous'} <= words, 'missing stop words'\n"
        "assert 'spacy.lang.fr' not in sys.modules, 'French package imported'\n"
    )
    run_fresh(script)


def test_numpy_matrix_products_give_the_same_tags_as_blis() -> None:
    backend = SpacyBackend(BUILTIN_MODEL_DIR)
    ops = {type(n.ops).__name__ for _, p in backend._nlp.pipeline for n in p.model.walk()}
    assert ops == {"NumpyOps"}
    assert all(not n.ops.use_blis for _, p in backend._nlp.pipeline for n in p.model.walk())
    texts = [
        "Hello, I'm Margaret Holloway and I moved to 14 Baker Street in Leeds.",
        "Goedemiddag, mijn naam is Sanne de Boer, Kerkstraat 12, Utrecht.",
        "Guten Tag, ich bin Lukas Hoffmann aus der Bahnhofstraße 5 in München.",
        "Bonjour, je m'appelle Camille Rousseau, 8 rue de la Paix à Lyon.",
    ]
    with_blis = spacy.load(BUILTIN_MODEL_DIR)
    lexeme_features.install(with_blis.vocab)
    assert all(n.ops.use_blis for _, p in with_blis.pipeline for n in p.model.walk())
    for text in texts:
        assert [t.tag_ for t in backend._nlp(text)] == [t.tag_ for t in with_blis(text)]


@pytest.mark.parametrize(
    ("tags", "expected"),
    [
        (["O", "B-PERSON", "L-PERSON", "O", "U-LOCATION"], [(1, 3, "PERSON"), (4, 5, "LOCATION")]),
        (["B-PERSON", "I-PERSON", "I-PERSON", "L-PERSON", "O"], [(0, 4, "PERSON")]),
        # Ill-formed sequences lean to recall: nothing tagged is dropped.
        (["O", "I-PERSON", "L-PERSON", "O", "O"], [(1, 3, "PERSON")]),
        (["B-PERSON", "O", "O", "O", "B-LOCATION"], [(0, 1, "PERSON"), (4, 5, "LOCATION")]),
        (["B-PERSON", "L-LOCATION", "O", "O", "O"], [(0, 1, "PERSON"), (1, 2, "LOCATION")]),
        (["U-PERSON", "U-PERSON", "", "X", "O"], [(0, 1, "PERSON"), (1, 2, "PERSON")]),
    ],
)
def test_entity_tags_decode_to_spans(tags: list[str], expected: list[tuple[int, int, str]]) -> None:
    from discreet.detect.ner.spacy_backend import _tagged_spans

    doc = spacy.blank("xx")("Dear Anna Jansen from Utrecht")
    for token, tag in zip(doc, tags, strict=True):
        token.tag_ = tag
    words = [(t.idx, t.idx + len(t.text)) for t in doc]  # expected: token index ranges
    assert _tagged_spans(doc) == [
        (words[s][0], words[e - 1][1], label, None) for s, e, label in expected
    ]


def test_the_model_runs_on_one_blas_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    from threadpoolctl import threadpool_info

    backend = SpacyBackend(BUILTIN_MODEL_DIR)
    seen: list[int] = []
    spans = backend._spans

    def spy(texts: list[str], languages: list[str]) -> list[list[Finding]]:
        seen.extend(p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas")
        return spans(texts, languages)

    monkeypatch.setattr(backend, "_spans", spy)
    before = [p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"]
    assert backend.predict(["Anna Schmidt wohnt in Hamburg."], ["de"])
    assert seen and set(seen) == {1}
    # The host application's setting is restored afterwards.
    assert [p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"] == before


def test_a_span_without_letters_is_never_an_entity(builtin: NerBackend) -> None:
    # Ids like conversation "c1-2" or "order 2": the tagger may label the lone digit.
    for text in ("c1-2", "c32-2", "warm-c1-2", "2", "12 34"):
        assert builtin.predict([text], ["en"]) == [[]], text
    assert found(builtin, "Dorpsstraat 2 in Zwolle", "nl") >= {
        (EntityType.STREET_ADDRESS, "Dorpsstraat 2")
    }


def test_builtin_model_loads_without_importing_spacy_plugins(tmp_path: Path) -> None:
    # An installed spaCy plugin (Presidio's, spacy-transformers) registers component
    # factories that spaCy imports on every pipeline build. The built-in model needs none,
    # and with Presidio installed that import was a third of its load time. A user's own
    # pipeline may need its plugins, so for it they still load.
    (tmp_path / "fake_spacy_plugin.py").write_text("def make(nlp, name):\n    return None\n")
    dist = tmp_path / "fake_spacy_plugin-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: fake-spacy-plugin\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text(
        "[spacy_factories]\nfake_plugin = fake_spacy_plugin:make\n"
    )
    script = (
        "import sys\n"
        f"sys.path.insert(0, {str(tmp_path)!r})\n"
        "from discreet.detect.ner.loader import load_builtin\n"
        "from discreet.detect.ner.spacy_backend import SpacyBackend\n"
        "from discreet.detect.ner.loader import BUILTIN_MODEL_DIR\n"
        "load_builtin()\n"
        "assert 'fake_spacy_plugin' not in sys.modules, 'plugin imported for the built-in'\n"
        "SpacyBackend(BUILTIN_MODEL_DIR)\n"
        "assert 'fake_spacy_plugin' in sys.modules, 'plugins no longer load for others'\n"
    )
    run_fresh(script)


@pytest.fixture(scope="module")
def eval_texts() -> list[str]:
    from discreet.evaluation import corpus
    from discreet.evaluation.bench import HANDWRITTEN_PATH

    generated = corpus.generate_corpus(600, seed=3, split="eval")
    return [t.text for t in generated] + [t.text for t in corpus.read_jsonl(HANDWRITTEN_PATH)]


def test_fused_tagger_gives_spacys_tags(builtin: NerBackend, eval_texts: list[str]) -> None:
    # The fused forward pass must be the model, not an approximation of it: on every
    # text, alone and in batches (where docs sit side by side with padding between them),
    # the same tag for every token as spaCy's own pipeline.
    assert isinstance(builtin, SpacyBackend)
    nlp, fused = builtin._nlp, builtin._fused
    assert fused is not None, "the built-in model should run on the fused path"
    docs = list(nlp.pipe(eval_texts, batch_size=64))
    expected = [[t.tag_ for t in doc] for doc in docs]
    for start in range(0, len(docs), 37):
        batch = [nlp.make_doc(doc.text) for doc in docs[start : start + 37]]
        for i, tags in enumerate(fused.tag(batch), start):
            assert [fused.labels[t] for t in tags] == expected[i], f"text #{i} in a batch"
    for i in range(0, len(docs), 7):
        (tags,) = fused.tag([nlp.make_doc(docs[i].text)])
        assert [fused.labels[t] for t in tags] == expected[i], f"text #{i} alone"
    empty = fused.tag([nlp.make_doc(""), nlp.make_doc("Jan de Vries"), nlp.make_doc("")])
    assert [len(t) for t in empty] == [0, 3, 0]


def test_recall_bias_only_turns_other_tokens_into_names_and_places(
    builtin: NerBackend, eval_texts: list[str]
) -> None:
    # The bias may add names and places, never take one away or change its tag, and the
    # probability given for a token is the model's own (what the calibration was fitted on).
    assert isinstance(builtin, SpacyBackend) and builtin._fused is not None
    nlp, fused = builtin._nlp, builtin._fused
    docs = [nlp.make_doc(text) for text in eval_texts[:300]]
    plain = fused.predict(docs)
    assert [t.tolist() for t, _ in fused.predict(docs, [0.0] * len(docs))] == [
        t.tolist() for t, _ in plain
    ]
    leaning = fused.predict(docs, [3.0] * len(docs))
    favoured = {i for i, label in enumerate(fused.labels) if label.endswith(BOOSTED_LABELS)}
    gained = 0
    for (tags, probs), (new_tags, new_probs) in zip(plain, leaning, strict=True):
        for tag, p, new_tag, new_p in zip(tags, probs, new_tags, new_probs, strict=True):
            if tag in favoured or new_tag == tag:
                assert new_tag == tag and new_p == pytest.approx(p)
            else:
                assert new_tag in favoured
                assert new_p < p  # the model's own probability: below the tag it preferred
                gained += 1
    assert gained > 0
    # A doc's bias is its own: unbiased docs in the same batch are tagged as alone.
    mixed = fused.predict(docs[:20], [3.0 if i % 2 else 0.0 for i in range(20)])
    for i, (tags, _) in enumerate(mixed):
        expected = leaning[i] if i % 2 else plain[i]
        assert tags.tolist() == expected[0].tolist(), f"doc #{i}"


def test_recall_bias_applies_per_language() -> None:
    text = "ich wohne seit kurzem in nörten"  # a small town, lower case as typed in a hurry
    plain = SpacyBackend(BUILTIN_MODEL_DIR, name="ner:builtin")
    leaning = SpacyBackend(BUILTIN_MODEL_DIR, name="ner:builtin", recall_bias={"de": 2.0})
    assert leaning.predict([text], ["en"]) == plain.predict([text], ["en"])
    assert plain.predict([text], ["de"]) == [[]]
    ((town,),) = leaning.predict([text], ["de"])
    assert text[town.start : town.end] == "nörten"
    with pytest.raises(ValueError, match="2 texts but 1 languages"):
        leaning.predict([text, text], ["de"])


def test_edited_english_leans_a_little_by_default(builtin: NerBackend) -> None:
    # A lone surname opening a news sentence: the likeliest tag is "other", and the
    # default English lean (0.5) makes it a name; the plain decoding leaves it in the clear.
    text = "Keegan then scored again before half-time."
    plain = SpacyBackend(BUILTIN_MODEL_DIR, name="ner:builtin")
    assert plain.predict([text], ["en"]) == [[]]
    ((name,),) = builtin.predict([text], ["en"])
    assert text[name.start : name.end] == "Keegan" and name.type is EntityType.PERSON
    assert NerConfig().recall_bias["en"] == 0.5


def test_informal_text_gets_its_own_lean(builtin: NerBackend) -> None:
    # A chat message (lower-case opening, "u") leans by the informal bias; the same words
    # in edited form, and other languages, by theirs.
    casual = "lol u should ask jess, she knows"
    edited = "You should ask jess. She knows."
    plain = SpacyBackend(BUILTIN_MODEL_DIR, name="ner:builtin")
    leaning = SpacyBackend(BUILTIN_MODEL_DIR, name="ner:builtin", informal_recall_bias={"en": 5.0})
    assert leaning._bias(casual, "en") == 5.0 and leaning._bias(edited, "en") == 0.0
    assert leaning._bias(casual, "nl") == 0.0
    assert leaning.predict([edited], ["en"]) == plain.predict([edited], ["en"])
    assert plain.predict([casual], ["en"]) == [[]]
    ((name,),) = leaning.predict([casual], ["en"])
    assert casual[name.start : name.end] == "jess"
    assert isinstance(builtin, SpacyBackend)
    assert builtin.informal_recall_bias == NerConfig().informal_recall_bias == {"en": 2.0}


def test_recall_bias_config_names_what_is_wrong() -> None:
    with pytest.raises(ValidationError, match="'xx' is not one of en, nl, de, fr"):
        NerConfig(recall_bias={"xx": 1.0})
    with pytest.raises(ValidationError, match=r"recall_bias\['de'\] must be between 0 and 5"):
        NerConfig(recall_bias={"de": 9.0})
    with pytest.raises(ValidationError, match="informal_recall_bias: 'xx' is not one of"):
        NerConfig(informal_recall_bias={"xx": 1.0})


def test_fused_and_spacy_paths_find_the_same(builtin: NerBackend, eval_texts: list[str]) -> None:
    assert isinstance(builtin, SpacyBackend)
    assert builtin._fused is not None  # the shipped model takes the fused path
    texts = eval_texts[:300]
    languages = ["en"] * len(texts)
    # Both without the calibration: spaCy's own path keeps no tag probabilities, so its
    # findings carry the fixed score, and a calibrated score under the cut would drop a
    # span the tags agree on. What is compared is the tags, through the spans they make.
    fused_path = SpacyBackend(BUILTIN_MODEL_DIR, name="ner:builtin")
    assert fused_path._fused is not None
    fused = fused_path.predict(texts, languages)
    spacy_path = SpacyBackend(BUILTIN_MODEL_DIR, name="ner:builtin")
    spacy_path._fused = None

    def spans(found: list[list[Finding]]) -> list[list[tuple[int, int, EntityType]]]:
        return [[(f.start, f.end, f.type) for f in fs] for fs in found]

    assert spans(spacy_path.predict(texts, languages)) == spans(fused)
    assert spans([spacy_path.predict([t], ["en"])[0] for t in texts[:40]]) == spans(fused[:40])


def test_fused_tagger_steps_aside_when_it_disagrees(monkeypatch: pytest.MonkeyPatch) -> None:
    # A thinc release that computes differently, or weights this module misreads, must
    # cost speed, never findings: the load-time probe sends such a model to spaCy's path.
    from discreet.detect.ner import fused as fused_module

    real_tag = fused_module.FusedTagger.tag

    def off_by_one(self: fused_module.FusedTagger, docs: list[object]) -> list[object]:
        return [(tags + 1) % len(self.labels) for tags in real_tag(self, docs)]

    monkeypatch.setattr(fused_module.FusedTagger, "tag", off_by_one)
    backend = SpacyBackend(BUILTIN_MODEL_DIR, name="ner:builtin")
    assert backend._fused is None
    assert ("PERSON", "Pieter Bakker") in {
        (f.type.value, "Mijn naam is Pieter Bakker."[f.start : f.end])
        for f in backend.predict(["Mijn naam is Pieter Bakker."], ["nl"])[0]
    }


def test_pipelines_of_other_architectures_keep_spacys_path(foreign_pipeline: Path) -> None:
    assert SpacyBackend(foreign_pipeline)._fused is None


def test_pipelines_that_do_not_embed_the_lexeme_feature_keep_spacys_lang(
    foreign_pipeline: Path,
) -> None:
    # Only a model trained with the feature gets it; a user's pipeline keeps its language.
    nlp = SpacyBackend(foreign_pipeline)._nlp
    assert {t.lang_ for t in nlp.make_doc("Frau Müller wohnt in Utrecht")} == {nlp.lang}


def test_new_words_get_the_features_a_full_vocabulary_gives(builtin: NerBackend) -> None:
    # The backend computes only the lexeme attributes its fused pass reads; a word it has
    # never seen must still get exactly the features spaCy's own vocabulary gives it.
    assert isinstance(builtin, SpacyBackend) and builtin._fused is not None
    columns = list(builtin._fused.columns)
    assert len(builtin._nlp.vocab.lex_attr_getters) == len(columns)
    text = "Zorqvelda Quintrap-Oyelaran wohnt in Xyzzyhausen, tel. 0612-99 ‘QX’ — ÉTÉ’s 3rd."
    full = spacy.load(BUILTIN_MODEL_DIR)
    lexeme_features.install(full.vocab)
    assert len(full.vocab.lex_attr_getters) > len(columns)
    ours = builtin._nlp.make_doc(text).to_array(columns)
    assert ours.tolist() == full.make_doc(text).to_array(columns).tolist()


def test_affix_rules_find_nothing_in_letters() -> None:
    # The tokenizer skips its prefix, suffix and infix searches on letters-only strings
    # (`_skip_affix_search_on_words`); that is only right if the rules can never match
    # inside one. Every letter of Unicode alone, and the letter-only parts of the rules
    # (units, "'s") without the digit or apostrophe they need.
    import sys

    from spacy.lang.punctuation import TOKENIZER_INFIXES, TOKENIZER_PREFIXES, TOKENIZER_SUFFIXES
    from spacy.lang.tokenizer_exceptions import URL_PATTERN
    from spacy.util import compile_infix_regex, compile_prefix_regex, compile_suffix_regex

    from discreet.detect.ner.spacy_backend import ELISION_INFIXES

    prefix = compile_prefix_regex(TOKENIZER_PREFIXES)
    suffix = compile_suffix_regex(TOKENIZER_SUFFIXES)
    infix = compile_infix_regex([*TOKENIZER_INFIXES, *ELISION_INFIXES])
    url = re.compile("(?u)" + URL_PATTERN)
    letters = "".join(c for c in map(chr, range(sys.maxunicode + 1)) if c.isalpha())
    assert len(letters) > 100_000
    for c in letters:
        assert prefix.search(c) is None and suffix.search(c) is None, hex(ord(c))
        assert url.match(c) is None, hex(ord(c))
    # Consecutive letters side by side: any rule matching across two letters shows here.
    assert infix.search(letters) is None and suffix.search(letters) is None
    assert url.search(letters) is None
    for word in ("km", "kmh", "mph", "s", "S", "in", "ft", "GB", "Berlin", "Zürich", "ÉTÉ"):
        assert prefix.search(word) is None and suffix.search(word) is None, word
        assert infix.search(word) is None and url.match(word) is None, word
    for word in ("localhost", "com", "nl", "wwwexamplecom"):
        assert url.match(word) is None and url.match(word + ".nl") is not None, word


def test_tokens_are_the_same_with_the_affix_shortcut(
    builtin: NerBackend, eval_texts: list[str]
) -> None:
    assert isinstance(builtin, SpacyBackend) and builtin._fused is not None
    tokenizer = builtin._nlp.tokenizer
    assert not hasattr(tokenizer.suffix_search, "__self__"), "shortcut not installed"
    assert not hasattr(tokenizer.url_match, "__self__"), "shortcut not installed"
    plain = spacy.load(BUILTIN_MODEL_DIR).tokenizer
    tricky = [
        "5km, 10kg and 3GB; US$5 or 5€... it's John's (the U.S.A.) «Zürich» l'adresse",
        "e-mail: jan.de.vries@example.nl, https://shop.example.com/a?b=c #tag @user :)",
        "Anne-Marie's co-worker, 3-4 p.m. 12:30 a.m. vs. Müller-Lüdenscheidt; naïve café",
        "Cafe\u0301 Zu\u0308rich d'Amsterdam qu'Anna O'Brien don't l’été",
        "ＡＢＣ ｄｅｆ ① ² x² 4x4 ½ — – “quoted” ‘single’ ¿qué? ¡sí! 20°C. AB.",
    ]
    for text in [*tricky, *eval_texts]:
        ours = [(t.idx, t.text) for t in tokenizer(text)]
        assert ours == [(t.idx, t.text) for t in plain(text)], text[:40]
