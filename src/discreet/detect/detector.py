"""The `Detector`: runs every recognizer and the NER backend, then merges their findings."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context

from discreet.detect.base import DetectionInput, Finding, KnownSubject, Pattern, Recognizer
from discreet.detect.compounds import whole_compounds
from discreet.detect.config import DetectorConfig
from discreet.detect.entities import SUPPORTED_LANGUAGES, EntityType
from discreet.detect.language import detect_language
from discreet.detect.lists import one_kind_per_list
from discreet.detect.merge import merge_findings
from discreet.detect.ner.base import NerBackend
from discreet.detect.plausibility import load_all as load_word_lists
from discreet.detect.plausibility import refine_ner, retype_people, sure_places
from discreet.detect.recurrence import repeat_mentions
from discreet.detect.registry import RecognizerRegistry
from discreet.detect.surnames import SCORE as LONE_SURNAME_SCORE
from discreet.detect.surnames import lone_surnames
from discreet.errors import TooLarge, Unavailable

MIN_TEXTS_PER_WORKER = 2048
"""Fewest texts each worker process of `Detector.detect_many` must get. A spawned worker
builds its own detector first (the NER model: about 2-3 s, the time one process takes to
detect roughly 1,000 texts), so with fewer texts per worker the pool is slower than running
in this process."""


class DetectionError(Unavailable, RuntimeError):
    """Detection could not run. Callers must fail closed: the text is not safe to send on."""

    code = "detection_unavailable"


class InputTooLarge(TooLarge, ValueError):
    """The text is longer than the configured `max_chars`."""

    code = "message_too_large"


class Detector:
    """Find personal data in text.

    >>> detector = Detector()
    >>> [f.type for f in detector.detect("Mail me at jan@example.nl")]
    [<EntityType.EMAIL_ADDRESS: 'EMAIL_ADDRESS'>]

    A `Detector` is thread-safe for `detect`; build one per process and reuse it (the NER
    model loads once).
    """

    min_texts_per_worker: int = MIN_TEXTS_PER_WORKER
    """See `MIN_TEXTS_PER_WORKER`; an attribute so a deployment (or a test) can tune it."""

    def __init__(
        self,
        config: DetectorConfig | None = None,
        registry: RecognizerRegistry | None = None,
        ner: NerBackend | None = None,
    ) -> None:
        self.config = config or DetectorConfig()
        self.registry = registry if registry is not None else RecognizerRegistry.default()
        for deny in self.config.deny_list:
            from discreet.detect.recognizers.lists import DenyListRecognizer

            self.registry.add(DenyListRecognizer(deny))
        if ner is None and self.config.ner.backend != "none":
            from discreet.detect.ner.loader import load_backend

            ner = load_backend(self.config.ner)
        self.ner = ner
        if ner is not None:
            load_word_lists()  # what the NER's findings are checked against, now
        self._entities = frozenset(self.config.entities) if self.config.entities else None
        # Lone surnames are guesses from the name lists, at a fixed score (see
        # discreet.detect.surnames): only where persons are wanted and the score passes.
        self._lone_surnames = self.config.threshold <= LONE_SURNAME_SCORE and (
            self._entities is None or EntityType.PERSON in self._entities
        )
        self._allow_terms = frozenset(t.casefold().strip() for t in self.config.allow_list)
        self._allow_patterns = [re.compile(p) for p in self.config.allow_patterns]
        self._by_language: dict[str, list[Recognizer]] = {
            lang: self.registry.for_language(lang, self._entities) for lang in SUPPORTED_LANGUAGES
        }

    def detect(
        self, text: str, language: str | None = None, subject: KnownSubject | None = None
    ) -> list[Finding]:
        """Findings in `text`, non-overlapping and ordered by start offset.

        `language` is one of en, nl, de, fr, or None to identify it. Pass the conversation's
        `subject` whenever it is known: their own values are then found exactly.
        """
        return self.detect_batch([text], [language], [subject])[0]

    def detect_batch(
        self,
        texts: Sequence[str],
        languages: Sequence[str | None] | None = None,
        subjects: Sequence[KnownSubject | None] | None = None,
    ) -> list[list[Finding]]:
        """Like `detect` for several texts in this process (NER runs batched)."""
        n = len(texts)
        langs = list(languages) if languages is not None else [None] * n
        subs = list(subjects) if subjects is not None else [None] * n
        if len(langs) != n or len(subs) != n:
            raise ValueError("texts, languages and subjects must have the same length")
        items = [
            self._prepare(i, t, lang, s)
            for i, (t, lang, s) in enumerate(zip(texts, langs, subs, strict=True))
        ]
        ner_out: list[list[Finding]] = [[] for _ in items]
        if self.ner is not None:
            todo = [i for i, item in enumerate(items) if item.text.strip()]
            if todo:
                try:
                    predicted = self.ner.predict(
                        [items[i].text for i in todo], [items[i].language for i in todo]
                    )
                except Exception as exc:  # fail closed, without the text in the message
                    raise DetectionError(
                        f"NER backend {self.ner.name!r} failed: {type(exc).__name__}"
                    ) from exc
                for i, found in zip(todo, predicted, strict=True):
                    # The one place the model's findings are cut (not by `threshold`, which
                    # is the recognizers'). The built-in backends keep everything from the
                    # lowest cut (NerConfig.floor); a backend passed in may keep anything.
                    cut = self._ner_cut(items[i])
                    ner_out[i] = [f for f in found if f.score >= cut]
        return [self._finish(item, ner_out[i]) for i, item in enumerate(items)]

    def detect_many(
        self,
        texts: Sequence[str],
        languages: Sequence[str | None] | None = None,
        subjects: Sequence[KnownSubject | None] | None = None,
        workers: int | None = None,
        chunk_size: int = 256,
        on_progress: Callable[[int], None] | None = None,
    ) -> list[list[Finding]]:
        """Detect in a large batch using all cores; results are in input order.

        `workers` defaults to the number of CPUs; fewer processes start when the batch is
        too small to give each at least `min_texts_per_worker` texts, and a batch too small
        for two runs in this process (see `processes_for`). `on_progress` is called with the
        number of texts done so far, after each chunk.
        """
        n = len(texts)
        workers = self.processes_for(n, workers, chunk_size)
        if workers <= 1:
            done: list[list[Finding]] = []
            for start in range(0, n, chunk_size):
                end = start + chunk_size
                done.extend(
                    self.detect_batch(
                        texts[start:end],
                        None if languages is None else languages[start:end],
                        None if subjects is None else subjects[start:end],
                    )
                )
                if on_progress is not None:
                    on_progress(len(done))
            return done
        langs = list(languages) if languages is not None else [None] * n
        subs = list(subjects) if subjects is not None else [None] * n
        chunks = [
            (list(texts[i : i + chunk_size]), langs[i : i + chunk_size], subs[i : i + chunk_size])
            for i in range(0, n, chunk_size)
        ]
        ctx = get_context("spawn")
        with ProcessPoolExecutor(
            max_workers=workers,
            mp_context=ctx,
            initializer=_init_worker,
            initargs=(self.config.model_dump(mode="json"),),
        ) as pool:
            results: list[list[Finding]] = []
            for chunk_result in pool.map(_detect_chunk, chunks):
                results.extend(chunk_result)
                if on_progress is not None:
                    on_progress(len(results))
        return results

    def processes_for(self, n: int, workers: int | None = None, chunk_size: int = 256) -> int:
        """How many worker processes `detect_many` starts for `n` texts; 1: none, it runs
        in this process."""
        workers = workers or os.cpu_count() or 1
        if n <= chunk_size:
            return 1
        return max(1, min(workers, n // max(1, self.min_texts_per_worker)))

    def _prepare(
        self, index: int, text: str, language: str | None, subject: KnownSubject | None
    ) -> DetectionInput:
        if not isinstance(text, str):
            raise TypeError(f"text #{index} is {type(text).__name__}, not str")
        if len(text) > self.config.max_chars:
            raise InputTooLarge(
                f"text #{index} has {len(text):,} characters; the limit is "
                f"{self.config.max_chars:,} (DetectorConfig.max_chars)"
            )
        if language is None:
            language = detect_language(text, self.config.default_language)
        elif language not in SUPPORTED_LANGUAGES:
            raise ValueError(
                f"language {language!r} is not supported; use one of "
                f"{', '.join(SUPPORTED_LANGUAGES)} or None to identify it"
            )
        return DetectionInput(text, language, subject)

    def _finish(self, item: DetectionInput, ner_findings: list[Finding]) -> list[Finding]:
        found: list[Finding] = []
        ner_name = self.ner.name if self.ner is not None else None
        if item.text.strip():
            present: dict[re.Pattern[str], bool] = {}
            for recognizer in self._by_language[item.language]:
                trigger = recognizer.trigger
                if trigger is not None:
                    hit = present.get(trigger)
                    if hit is None:
                        hit = present[trigger] = trigger.search(item.text) is not None
                    if not hit:
                        continue  # cannot find anything here (see Recognizer.trigger)
                try:
                    found.extend(recognizer.analyze(item))
                except Exception as exc:
                    raise DetectionError(
                        f"recognizer {recognizer.name!r} failed: {type(exc).__name__}"
                    ) from exc
            # Ordinary words the model took for names, and names it cut short, corrected.
            try:
                found.extend(refine_ner(item, ner_findings))
                found = sure_places(item, found, ner_name)
                found = retype_people(item, found)
            except Exception as exc:  # fail closed, without the text in the message
                raise DetectionError(f"checking NER findings failed: {type(exc).__name__}") from exc
        threshold = self.config.threshold
        # The model's findings were cut at their own score in `detect_batch` (`_ner_cut`);
        # refining them keeps their scores.
        kept = [
            f
            for f in found
            if (f.recognizer == ner_name or f.score >= threshold)
            and (self._entities is None or f.type in self._entities)
            and not self._allowed(item.text[f.start : f.end])
        ]
        found = whole_compounds(item.text, item.language, merge_findings(kept))
        found = repeat_mentions(item.text, item.language, found)
        found = one_kind_per_list(item.text, found)
        if self._lone_surnames:
            found = lone_surnames(item, found)
        if self._allow_terms or self._allow_patterns:
            # A repeated surname may be an allowed term of its own ("Lewis" of a shop).
            found = [f for f in found if not self._allowed(item.text[f.start : f.end])]
        return found

    def _ner_cut(self, item: DetectionInput) -> float:
        """The score the model's findings in `item` must reach: `ner.informal_min_score` of
        its language where the text is informal (see `discreet.detect.register`), else
        `ner.min_score`."""
        cut = self.config.ner.informal_cut(item.language)
        return cut if cut is not None and item.informal else self.config.ner.min_score

    def _allowed(self, value: str) -> bool:
        if self._allow_terms and value.casefold().strip() in self._allow_terms:
            return True
        return any(p.fullmatch(value) for p in self._allow_patterns)

    def entity_types(self) -> set[EntityType]:
        types: set[EntityType] = set()
        for recognizer in self.registry:
            types |= recognizer.entity_types
        return types


_worker_detector: Detector | None = None


def _init_worker(config: dict[str, object]) -> None:
    global _worker_detector
    _worker_detector = Detector(DetectorConfig.model_validate(config))


def _detect_chunk(
    chunk: tuple[list[str], list[str | None], list[KnownSubject | None]],
) -> list[list[Finding]]:
    assert _worker_detector is not None, "worker initializer did not run"
    texts, langs, subs = chunk
    return _worker_detector.detect_batch(texts, langs, subs)


__all__ = ["DetectionError", "Detector", "Finding", "InputTooLarge", "KnownSubject", "Pattern"]
