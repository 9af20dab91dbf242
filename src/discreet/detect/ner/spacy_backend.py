"""NER with a spaCy pipeline: discreet's built-in model or any installed pipeline.

Only the components that produce entities are loaded (tok2vec, ner, entity rulers); a full
pipeline's tagger, parser and lemmatizer would triple the time per text for nothing.
"""

from __future__ import annotations

import functools
import re
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from spacy.attrs import IDX, LENGTH, intify_attr

from discreet.detect.base import Finding
from discreet.detect.entities import SUPPORTED_LANGUAGES, EntityType
from discreet.detect.ner import lexeme_features
from discreet.detect.ner.base import NerBackend, NerLoadError
from discreet.detect.ner.calibration import Calibration
from discreet.detect.ner.fused import FusedTagger
from discreet.detect.ner.labels import FIXED_SCORE, build_label_map
from discreet.detect.register import informal
from discreet.detect.stopwords import StopWordsError, stop_words

# Factories worth loading for entities; everything else is excluded at load time.
_NER_FACTORIES = frozenset(
    {
        "ner",
        "beam_ner",
        "entity_ruler",
        "span_ruler",
        "tok2vec",
        "transformer",
        "curated_transformer",
    }
)
# A `tagger` component under this name predicts entity tags (BILUO: "B-PERSON", "L-PERSON",
# "U-LOCATION", "O") rather than parts of speech: one softmax per token instead of the
# transition parser's per-token state machine, which was most of the NER's time.
ENTITY_TAGGER = "entity_tagger"
# Component names excluded when a pipeline's config cannot be read (common spaCy names).
_NON_NER_NAMES = (
    "tagger",
    "morphologizer",
    "parser",
    "senter",
    "sentencizer",
    "attribute_ruler",
    "lemmatizer",
    "trainable_lemmatizer",
    "textcat",
    "textcat_multilabel",
    "spancat",
    "entity_linker",
)
# The tokenizer adds every new word to the pipeline's string store, which therefore grows
# with the traffic. Past this many strings the pipeline is reloaded (a second or so) so a
# long-running gateway does not slowly run out of memory.
_MAX_STRINGS = 1_000_000
# French elision: "l'adresse", "d'Amsterdam", "qu'Anna" split after the apostrophe. Only
# after one of these letters at a word start, so "O'Brien" and "don't" stay whole. The
# built-in model's tokenizer adds these to spaCy's infixes (training/train_ner.py).
ELISION_INFIXES = (
    r"(?<=\b[cdjlmnstCDJLMNST]['’])(?=[^\W\d_])",
    r"(?<=\b[qQ]u['’])(?=[^\W\d_])",
)


@dataclass(slots=True)
class _Request:
    """One `predict` call waiting for the model."""

    texts: list[str]
    languages: list[str]
    done: list[list[Finding]] | None = None
    error: Exception | None = None


class SpacyBackend(NerBackend):
    """A spaCy pipeline by installed package name or directory.

    Thread-safe: spaCy's vocabulary is mutated while tokenizing, so the model runs one
    batch at a time; calls that wait meanwhile are joined into the next batch (the work is
    CPU-bound under the GIL anyway). With a `calibration` (the built-in model has one),
    findings of a pipeline with an entity tagger score the calibrated probability that
    they are right (see `calibration`); otherwise a fixed score per type, because spaCy's
    NER has no probabilities (see `labels.FIXED_SCORE`).
    """

    def __init__(
        self,
        name_or_path: str | Path,
        *,
        label_map: Mapping[str, EntityType] | None = None,
        min_score: float = 0.0,
        batch_size: int = 64,
        name: str = "ner:spacy",
        plugins: bool = True,
        calibration: Calibration | None = None,
        recall_bias: Mapping[str, float] | None = None,
        informal_recall_bias: Mapping[str, float] | None = None,
    ) -> None:
        self.name = name
        self.source = name_or_path
        self.plugins = plugins
        self.label_map = build_label_map(label_map)
        self.min_score = min_score
        self.batch_size = batch_size
        self._calibration = calibration
        self.recall_bias = dict(recall_bias or {})
        """Per language, the fused tagger's lean towards names and places (see
        `FusedTagger.predict`); a pipeline without one decodes as trained."""
        self.informal_recall_bias = dict(informal_recall_bias or {})
        """Per language, the lean for informal text (`discreet.detect.register`), in place
        of `recall_bias` there."""
        self._lock = threading.Lock()  # the model: spaCy's vocabulary is not thread-safe
        self._pending_lock = threading.Lock()
        self._pending: list[_Request] = []
        self._nlp = _ready_pipeline(name_or_path, plugins=plugins)
        self._fused = _fused_tagger(self._nlp)
        _function_words()  # now, not on the first entity a request finds
        from threadpoolctl import ThreadpoolController

        self._blas = ThreadpoolController()  # after the load, so it sees NumPy's BLAS
        self._scores = {etype: FIXED_SCORE for etype in self.label_map.values()}

    @property
    def labels(self) -> tuple[str, ...]:
        """The entity labels the loaded pipeline can predict."""
        labels: set[str] = set()
        for _name, pipe in self._nlp.pipeline:
            labels.update(getattr(pipe, "labels", ()))
        return tuple(sorted(labels))

    def predict(self, texts: Sequence[str], languages: Sequence[str]) -> list[list[Finding]]:
        """Findings per text. Calls that arrive while the model is busy are run together
        as one batch by whichever of them gets the model next (group commit): under
        concurrent turns the model runs fewer, larger batches, which cost less per text
        than one call each, and no caller waits longer than it would have for the lock."""
        if len(languages) != len(texts):
            raise ValueError(f"{len(texts)} texts but {len(languages)} languages")
        if not texts:
            return []
        request = _Request(list(texts), list(languages))
        with self._pending_lock:
            self._pending.append(request)
        with self._lock:
            if request.done is None:
                with self._pending_lock:
                    batch, self._pending = self._pending, []
                self._run(batch)
        if request.error is not None:
            raise request.error
        assert request.done is not None
        return request.done

    def _run(self, batch: list[_Request]) -> None:
        """Run `batch` in one pass and hand each request its findings (or the error).
        Called with the model lock held."""
        texts = [text for request in batch for text in request.texts]
        languages = [language for request in batch for language in request.languages]
        try:
            # One BLAS thread: the matrices are small, and on a machine whose other cores
            # are busy (gateway workers, detect_many, other services) a second BLAS thread
            # made each text twice as slow (2.2 vs 1.1 ms per text, measured).
            with self._blas.limit(limits=1, user_api="blas"):
                found = self._spans(texts, languages)
            if len(self._nlp.vocab.strings) > _MAX_STRINGS:
                self._nlp = _ready_pipeline(self.source, plugins=self.plugins)
                self._fused = _fused_tagger(self._nlp)
        except BaseException as exc:
            # Every waiting caller gets the failure (and fails closed), none a silent [].
            failure = exc if isinstance(exc, Exception) else RuntimeError("NER interrupted")
            for request in batch:
                request.error = failure
                request.done = []
            if failure is not exc:
                raise
            return
        start = 0
        for request in batch:
            request.done = found[start : start + len(request.texts)]
            start += len(request.texts)

    def _spans(self, texts: list[str], languages: list[str]) -> list[list[Finding]]:
        """Findings per text, from the fused tagger where the pipeline has one."""
        if self._fused is not None:
            docs = [self._nlp.make_doc(text) for text in texts]
            labels = self._fused.labels
            biases = [self._bias(t, lang) for t, lang in zip(texts, languages, strict=True)]
            return [
                self._findings(text, language, _biluo_spans(_token_tags(doc, labels, tags, chosen)))
                for text, language, doc, (tags, chosen) in zip(
                    texts, languages, docs, self._fused.predict(docs, biases), strict=True
                )
            ]
        if len(texts) == 1:  # the usual chat turn; nlp.pipe costs ~0.2 ms more per call
            docs = [self._nlp(texts[0])]
        else:
            docs = list(self._nlp.pipe(texts, batch_size=self.batch_size))
        spans_of = _tagged_spans if ENTITY_TAGGER in self._nlp.pipe_names else _entity_spans
        return [
            self._findings(text, language, spans_of(doc))
            for text, language, doc in zip(texts, languages, docs, strict=True)
        ]

    def _bias(self, text: str, language: str) -> float:
        """The lean for `text`: its language's informal one where it reads as informal."""
        lean = self.informal_recall_bias.get(language)
        if lean is not None and informal(text, language):
            return lean
        return self.recall_bias.get(language, 0.0)

    def _findings(self, text: str, language: str, spans: list[_Span]) -> list[Finding]:
        """Findings from `spans` ((start, end, label, confidence) in `text`, written in
        `language`)."""
        found: list[Finding] = []
        for span_start, span_end, label, confidence in spans:
            etype = self.label_map.get(label.upper())
            if etype is None:
                continue
            if confidence is None or self._calibration is None:
                score = self._scores.get(etype, FIXED_SCORE)
            else:
                score = self._calibration.score(etype, confidence, language)
            if score < self.min_score:
                continue
            start, end = _trim(text, span_start, span_end)
            value = text[start:end]
            # Names, streets, places and companies all have letters; a tagger deciding
            # token by token can label a lone number ("c1-2"): never one of these alone.
            if _has_letter(value) and value.casefold() not in _function_words():
                found.append(Finding(start, end, etype, score, self.name))
        return found


def _has_letter(value: str) -> bool:
    return any(c.isalpha() for c in value)


_Span = tuple[int, int, str, float | None]
"""(start, end, label, confidence): a character span, and how sure the model was of it
(None: the model does not say)."""


def _entity_spans(doc: Any) -> list[_Span]:
    """Character spans of a NER component's `doc.ents` (which carry no confidence)."""
    return [(e.start_char, e.end_char, e.label_, None) for e in doc.ents]


def _tagged_spans(doc: Any) -> list[_Span]:
    """Character spans from the entity tagger's tags on `doc` (spaCy keeps no scores)."""
    return _biluo_spans((t.idx, t.idx + len(t.text), t.tag_, None) for t in doc)


def _token_tags(doc: Any, labels: Sequence[str], tags: Any, chosen: Any) -> Iterator[_Span]:
    """(start, end, tag, probability) per token of `doc`, the tags given as indices into
    `labels` and their probabilities in `chosen`."""
    # Offsets as one array: iterating a Doc's tokens builds a Python object per token.
    offsets = doc.to_array([IDX, LENGTH]).tolist() if len(doc) else []
    for (start, length), tag, p in zip(offsets, tags.tolist(), chosen.tolist(), strict=True):
        yield start, start + length, labels[tag], p


def _biluo_spans(tokens: Iterable[_Span]) -> list[_Span]:
    """Character spans from BILUO tags of (start, end, tag, probability) tokens; a span's
    confidence is its least sure token's probability (None if any token has none).

    A tagger decides each token on its own, so sequences can be ill-formed ("I-PERSON"
    with no "B-" before it, "B-" followed by another label). Decoding leans to recall: an
    inside or last tag with no open entity of its label starts one, and an entity still
    open when the label changes or the text ends is closed there, not dropped.
    """
    spans: list[_Span] = []
    label: str | None = None
    start = end = 0
    confidence: float | None = None
    for token_start, token_end, tag, p in tokens:
        move, _, tag_label = tag.partition("-")
        if not tag_label or move not in ("B", "I", "L", "U"):
            move, tag_label = "O", ""
        if label is not None and (move in ("B", "U", "O") or tag_label != label):
            spans.append((start, end, label, confidence))
            label = None
        if move == "O":
            continue
        if label is None:
            label, start, confidence = tag_label, token_start, p
        elif confidence is not None:
            confidence = None if p is None else min(confidence, p)
        end = token_end
        if move in ("L", "U"):
            spans.append((start, end, label, confidence))
            label = None
    if label is not None:
        spans.append((start, end, label, confidence))
    return spans


@functools.cache
def _function_words() -> frozenset[str]:
    """Stop words of the four languages (shipped inside spaCy, read by path: see stopwords).

    A small model sometimes takes a capitalised sentence-initial word ("Wanneer komt mijn
    pakket?") for a name. An entity that is nothing but a function word is never personal
    data on its own; a name that happens to be one ("Ben", "Will") is still found by the
    names recognizer's cues and gazetteer, and inside longer spans ("Ben de Vries").
    """
    try:
        return frozenset(word for lang in SUPPORTED_LANGUAGES for word in stop_words(lang))
    except StopWordsError as exc:
        raise NerLoadError(str(exc)) from None


# Models sometimes take the sentence's full stop or a bracket into an entity
# ("Dorpsstraat 3.", "(Utrecht"); values do not start or end with these. Apostrophes stay
# ("'s-Hertogenbosch"), and so does the dot of an abbreviation ("S.A.", "Ltd.", "St.").
_EDGE_CHARS = frozenset(' \t\r\n.,;:!?()[]{}"“”«»')
_ABBREVIATION = re.compile(r"(?:^|[\s.])[^\W\d_]{1,3}\.$")


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start] in _EDGE_CHARS:
        start += 1
    while end > start and text[end - 1] in _EDGE_CHARS:
        if text[end - 1] == "." and _ABBREVIATION.search(text, start, end):
            break
        end -= 1
    return start, end


def _ready_pipeline(name_or_path: str | Path, *, plugins: bool) -> Any:
    """The loaded pipeline, with the lexeme feature computed if its tagger embeds it."""
    nlp = _load_pipeline(name_or_path, plugins=plugins)
    if lexeme_features.embeds_it(_embedded_columns(nlp)):
        lexeme_features.install(nlp.vocab)
    return nlp


def _embedded_columns(nlp: Any) -> tuple[str, ...]:
    """The token attributes the pipeline's tok2vec hashes (empty for other pipelines)."""
    if "tok2vec" not in nlp.pipe_names:
        return ()
    for node in nlp.get_pipe("tok2vec").model.walk():
        if node.name == "extract_features":
            return tuple(node.attrs["columns"])
    return ()


def _fused_tagger(nlp: Any) -> FusedTagger | None:
    """The entity tagger's fused forward pass (see `fused`), if the pipeline has one."""
    if ENTITY_TAGGER not in nlp.pipe_names or "tok2vec" not in nlp.pipe_names:
        return None
    fused = FusedTagger.from_pipeline(nlp, "tok2vec", ENTITY_TAGGER)
    if fused is not None:
        _keep_lexeme_attrs(nlp.vocab, fused.columns)
        _skip_affix_search_on_words(nlp)
    return fused


def _keep_lexeme_attrs(vocab: Any, columns: Sequence[str]) -> None:
    """Compute only the lexeme attributes the fused pass reads (`columns`) for new words.

    spaCy computes all ~20 attributes (flags, LOWER, LIKE_URL, ...), each a Python call,
    for every word its vocabulary has not seen yet, and on real text most words of a
    message are new to it: that was half of the tokenizer's time. With the fused tagger
    the docs are only read through `columns`, so the other attributes are never used.
    """
    wanted = {intify_attr(name) for name in columns}
    getters = vocab.lex_attr_getters
    vocab.lex_attr_getters = {attr: get for attr, get in getters.items() if attr in wanted}


def _skip_affix_search_on_words(nlp: Any) -> None:
    """Let the tokenizer skip its prefix, suffix and infix searches and its URL match on
    letters-only strings, if its rules are spaCy's language-neutral ones (the built-in
    model's).

    Every string the tokenizer has not cached goes through three regex searches, each an
    alternation of ~80 patterns tried at every position (~12 microseconds per search), and
    it repeats them on what is left after each split ("Berlin," -> "Berlin"): that was
    most of tokenizing new text. Every one of those patterns matches at least one
    character that is not a letter (punctuation, a symbol, a digit, an apostrophe, a
    dot); their letter-only parts ("km", "'s") need a digit or an apostrophe next to
    them; the built-in model's French elisions need an apostrophe; a URL has a dot. So on
    a string of letters only (`str.isalpha`) none of them finds anything, and skipping
    them gives the same tokens (`tests/detect/test_ner.py` checks it on every letter of
    Unicode and on real text). Other rules (a language's own affixes, a custom tokenizer)
    are left alone: nothing was proved about them.
    """
    from spacy.lang.punctuation import TOKENIZER_INFIXES, TOKENIZER_PREFIXES, TOKENIZER_SUFFIXES
    from spacy.lang.tokenizer_exceptions import URL_PATTERN
    from spacy.tokenizer import Tokenizer
    from spacy.util import compile_infix_regex, compile_prefix_regex, compile_suffix_regex

    tokenizer = nlp.tokenizer
    searches = (
        tokenizer.prefix_search,
        tokenizer.suffix_search,
        tokenizer.infix_finditer,
        tokenizer.url_match,
    )
    patterns = tuple(getattr(getattr(f, "__self__", None), "pattern", None) for f in searches)
    proved = (
        {compile_prefix_regex(TOKENIZER_PREFIXES).pattern},
        {compile_suffix_regex(TOKENIZER_SUFFIXES).pattern},
        {
            compile_infix_regex(TOKENIZER_INFIXES).pattern,
            compile_infix_regex([*TOKENIZER_INFIXES, *ELISION_INFIXES]).pattern,
        },
        {"(?u)" + URL_PATTERN},  # how spaCy compiles it (tokenizer_exceptions.URL_MATCH)
    )
    if not all(pattern in ok for pattern, ok in zip(patterns, proved, strict=True)):
        return
    prefix_search, suffix_search, infix_finditer, url_match = searches

    def prefix(string: str) -> Any:
        return None if string.isalpha() else prefix_search(string)

    def suffix(string: str) -> Any:
        return None if string.isalpha() else suffix_search(string)

    def infixes(string: str) -> Any:
        return iter(()) if string.isalpha() else infix_finditer(string)

    def url(string: str) -> Any:
        return None if string.isalpha() else url_match(string)

    # A new tokenizer with the same rules: each of the four setters would recompute the
    # special cases (~15 ms each, at load); the constructor does it once.
    nlp.tokenizer = Tokenizer(
        nlp.vocab,
        rules=tokenizer.rules,
        prefix_search=prefix,
        suffix_search=suffix,
        infix_finditer=infixes,
        token_match=tokenizer.token_match,
        url_match=url,
        faster_heuristics=tokenizer.faster_heuristics,
        max_cache_size=tokenizer.max_cache_size,
    )


# spacy.load mutates spaCy's registries; one load at a time (see _plugin_factories).
_load_lock = threading.Lock()


def _load_pipeline(name_or_path: str | Path, *, plugins: bool = True) -> Any:
    """spacy.load with only the entity components; clear errors for what is missing.
    With `plugins=False` the pipeline is built without importing the component factories
    of installed spaCy plugins (for the built-in model, which uses none)."""
    import spacy

    source = str(name_or_path)
    path = Path(source).expanduser()
    looks_like_path = isinstance(name_or_path, Path) or any(c in source for c in "/\\.~")
    if path.is_dir():
        config_path: Path | None = path / "config.cfg"
        if not (path / "config.cfg").is_file():
            raise NerLoadError(
                f"{path} is not a spaCy pipeline directory (it has no config.cfg); "
                "point NerConfig.model at the folder that nlp.to_disk() wrote"
            )
        target: str | Path = path
    elif looks_like_path or path.exists():
        raise NerLoadError(f"NER model directory {path} does not exist")
    else:
        if not spacy.util.is_package(source):
            raise NerLoadError(
                f"spaCy pipeline {source!r} is not installed and is not a directory; install "
                f"it as a Python package (e.g. pip install {source}) or give a path"
            )
        config_path = _package_config(source)
        target = source
    from thinc.api import use_ops

    try:
        # NumPy's BLAS instead of the bundled BLIS for the matrix products: BLIS's
        # portable build falls back to generic kernels on many virtual CPUs, and NumPy's
        # was 15 % faster per message here with identical results (tested).
        with _load_lock, _plugin_factories(plugins), use_ops("numpy", use_blis=False):
            return spacy.load(target, exclude=_excluded_components(config_path))
    except (OSError, ValueError, KeyError) as exc:
        raise NerLoadError(
            f"could not load spaCy pipeline {source!r}: {type(exc).__name__}: {exc}"
        ) from exc


@contextmanager
def _plugin_factories(enabled: bool) -> Iterator[None]:
    """Every spaCy pipeline build imports the component factories of every installed
    spaCy plugin first, whether the pipeline uses them or not: in an install that has
    Presidio it imported Presidio's recognizers (0.5-0.7 s of the built-in model's load),
    and spacy-transformers would import PyTorch. The built-in model uses only spaCy's own
    components, so for it that import is switched off. If a spaCy release renames the
    switch, plugins load as before: slower, never wrong."""
    import spacy.util

    switch: Any = getattr(spacy.util.registry, "_entry_point_factories", None)
    if enabled or not isinstance(getattr(switch, "entry_points", None), bool):
        yield
        return
    before = switch.entry_points
    switch.entry_points = False
    try:
        yield
    finally:
        switch.entry_points = before


def _package_config(package: str) -> Path | None:
    import spacy

    root = spacy.util.get_package_path(package)
    found = sorted(root.glob("*/config.cfg")) or sorted(root.glob("config.cfg"))
    return found[0] if found else None


def _excluded_components(config_path: Path | None) -> list[str]:
    if config_path is None or not config_path.is_file():
        return list(_NON_NER_NAMES)
    import spacy

    config = spacy.util.load_config(config_path, interpolate=False)
    excluded = []
    for name, block in config.get("components", {}).items():
        factory = block.get("factory")
        # A component without a factory is sourced from another pipeline: judge by name.
        keep = name == ENTITY_TAGGER or (
            factory in _NER_FACTORIES if factory else name not in _NON_NER_NAMES
        )
        if not keep:
            excluded.append(name)
    return excluded
