"""NER with a spaCy pipeline: discreet's built-in model or any installed pipeline.

Only the components that produce entities are loaded (tok2vec, ner, entity rulers); a full
pipeline's tagger, parser and lemmatizer would triple the time per text for nothing.
"""

from __future__ import annotations

import functools
import re
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from discreet.detect.base import Finding
from discreet.detect.entities import EntityType
from discreet.detect.ner.base import NerBackend, NerLoadError
from discreet.detect.ner.labels import FIXED_SCORE, build_label_map

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


class SpacyBackend(NerBackend):
    """A spaCy pipeline by installed package name or directory.

    Thread-safe: spaCy's vocabulary is mutated while tokenizing, so calls are serialised
    with a lock (the work is CPU-bound under the GIL anyway). Findings carry a fixed score
    per type, because spaCy's NER has no probabilities (see `labels.FIXED_SCORE`).
    """

    def __init__(
        self,
        name_or_path: str | Path,
        *,
        label_map: Mapping[str, EntityType] | None = None,
        min_score: float = 0.0,
        batch_size: int = 64,
        name: str = "ner:spacy",
    ) -> None:
        self.name = name
        self.source = name_or_path
        self.label_map = build_label_map(label_map)
        self.min_score = min_score
        self.batch_size = batch_size
        self._lock = threading.Lock()
        self._nlp = _load_pipeline(name_or_path)
        self._scores = {etype: FIXED_SCORE for etype in self.label_map.values()}

    @property
    def labels(self) -> tuple[str, ...]:
        """The entity labels the loaded pipeline can predict."""
        labels: set[str] = set()
        for _name, pipe in self._nlp.pipeline:
            labels.update(getattr(pipe, "labels", ()))
        return tuple(sorted(labels))

    def predict(self, texts: Sequence[str], languages: Sequence[str]) -> list[list[Finding]]:
        if not texts:
            return []
        with self._lock:
            if len(texts) == 1:  # the usual chat turn; nlp.pipe costs ~0.2 ms more per call
                docs = [self._nlp(texts[0])]
            else:
                docs = list(self._nlp.pipe(texts, batch_size=self.batch_size))
            out = [self._findings(doc) for doc in docs]
            del docs
            if len(self._nlp.vocab.strings) > _MAX_STRINGS:
                self._nlp = _load_pipeline(self.source)
        return out

    def _findings(self, doc: Any) -> list[Finding]:
        found: list[Finding] = []
        text = doc.text
        for ent in doc.ents:
            etype = self.label_map.get(ent.label_.upper())
            if etype is None:
                continue
            score = self._scores.get(etype, FIXED_SCORE)
            if score < self.min_score:
                continue
            start, end = _trim(text, ent.start_char, ent.end_char)
            if start < end and text[start:end].casefold() not in _function_words():
                found.append(Finding(start, end, etype, score, self.name))
        return found


@functools.cache
def _function_words() -> frozenset[str]:
    """Stop words of the four languages (shipped inside spaCy, no download).

    A small model sometimes takes a capitalised sentence-initial word ("Wanneer komt mijn
    pakket?") for a name. An entity that is nothing but a function word is never personal
    data on its own; a name that happens to be one ("Ben", "Will") is still found by the
    names recognizer's cues and gazetteer, and inside longer spans ("Ben de Vries").
    """
    from spacy.lang.de.stop_words import STOP_WORDS as DE
    from spacy.lang.en.stop_words import STOP_WORDS as EN
    from spacy.lang.fr.stop_words import STOP_WORDS as FR
    from spacy.lang.nl.stop_words import STOP_WORDS as NL

    return frozenset(w.casefold() for w in (*DE, *EN, *FR, *NL))


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


def _load_pipeline(name_or_path: str | Path) -> Any:
    """spacy.load with only the entity components; clear errors for what is missing."""
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
    try:
        return spacy.load(target, exclude=_excluded_components(config_path))
    except (OSError, ValueError, KeyError) as exc:
        raise NerLoadError(
            f"could not load spaCy pipeline {source!r}: {type(exc).__name__}: {exc}"
        ) from exc


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
        keep = factory in _NER_FACTORIES if factory else name not in _NON_NER_NAMES
        if not keep:
            excluded.append(name)
    return excluded
