"""The benchmark times discreet and Presidio interleaved, round by round (Presidio itself is
never run in tests: a fake engine stands in for it)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from tests.support.presidio import Result

from discreet.detect.detector import Detector
from discreet.evaluation import bench
from discreet.evaluation.bench import (
    BenchOptions,
    _time_calls_interleaved,
    render_markdown,
    run_bench,
    time_in_rounds,
)


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_rounds_alternate_and_sum_per_system() -> None:
    clock = FakeClock()
    log: list[tuple[str, tuple[str, ...]]] = []
    # The machine slows down 2x after the first round; both systems feel it alike.
    slowdown = [1.0, 2.0, 2.0]

    def runner(name: str, per_text: float) -> Any:
        def run(chunk: Sequence[str]) -> None:
            log.append((name, tuple(chunk)))
            round_index = sum(1 for n, _ in log if n == name) - 1
            clock.now += per_text * len(chunk) * slowdown[round_index]

        return run

    texts = [f"t{i}" for i in range(5)]
    rounds = time_in_rounds(
        texts, {"a": runner("a", 1.0), "b": runner("b", 10.0)}, round_texts=2, clock=clock
    )
    assert log == [
        ("a", ("t0", "t1")),
        ("b", ("t0", "t1")),
        ("b", ("t2", "t3")),  # the other system goes first in odd rounds
        ("a", ("t2", "t3")),
        ("a", ("t4",)),
        ("b", ("t4",)),
    ]
    assert rounds.texts == [2, 2, 1]
    assert rounds.seconds["a"] == [2.0, 4.0, 2.0]
    assert rounds.seconds["b"] == [20.0, 40.0, 20.0]
    assert rounds.total("a") == 8.0 and rounds.total("b") == 80.0
    assert rounds.ratios("a", "b") == [10.0, 10.0, 10.0]


def test_rounds_reject_an_empty_round_size() -> None:
    with pytest.raises(ValueError, match="round_texts"):
        time_in_rounds(["x"], {"a": lambda chunk: None}, round_texts=0)


def test_latency_samples_alternate_and_stop_at_each_count() -> None:
    order: list[str] = []
    clock = FakeClock()

    def call(name: str, ms: float) -> Any:
        def run(message: str) -> None:
            order.append(f"{name}:{message}")
            clock.now += ms / 1000

        return run

    messages = ["m0", "m1", "m2", "m3"]
    timings = _time_calls_interleaved(
        {"a": (call("a", 1.0), 4, 1), "b": (call("b", 5.0), 2, 0)}, messages, clock=clock
    )
    assert order == ["a:m0", "a:m0", "b:m0", "b:m1", "a:m1", "a:m2", "a:m3"]
    assert timings["a"] == pytest.approx([1.0] * 4)
    assert timings["b"] == pytest.approx([5.0] * 2)


# --- run_bench with a fake Presidio -------------------------------------------------------------


_EMAIL = re.compile(r"\S+@\S+\.nl")


class FakeNlpEngine:
    """What Presidio's BatchAnalyzerEngine asks of the engine's NLP part."""

    def __init__(self) -> None:
        self.batch_sizes: list[int] = []

    def process_batch(
        self, texts: list[str], language: str, batch_size: int = 1, n_process: int = 1
    ) -> Iterator[tuple[str, None]]:
        self.batch_sizes.append(batch_size)
        return ((text, None) for text in texts)


class FakeEngine:
    def __init__(self, events: list[str]) -> None:
        self.events = events
        self.nlp_engine = FakeNlpEngine()

    def get_supported_entities(self, language: str) -> list[str]:
        return ["EMAIL_ADDRESS", "PERSON"]

    def analyze(
        self,
        text: str,
        language: str,
        score_threshold: float | None = None,
        nlp_artifacts: object = None,
    ) -> list[Result]:
        assert language == "en"
        if score_threshold is not None:  # only the timed rounds pass a threshold
            self.events.append("P")
        return [Result("EMAIL_ADDRESS", m.start(), m.end(), 1.0) for m in _EMAIL.finditer(text)]


def _corpus(tmp_path: Path, n: int) -> Path:
    path = tmp_path / "corpus.jsonl"
    lines = []
    for i in range(n):
        text = f"mail klant{i}@example.nl today"
        span = {"start": 5, "end": 5 + len(f"klant{i}@example.nl"), "type": "EMAIL_ADDRESS"}
        lines.append(json.dumps({"id": str(i), "text": text, "language": "en",
                                 "kind": "chat", "spans": [span]}))  # fmt: skip
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_bench_interleaves_discreet_and_presidio(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    events: list[str] = []

    class LoggingDetector(Detector):
        def detect_batch(self, texts: Sequence[str], *args: Any, **kwargs: Any) -> Any:
            if len(texts) == 2:  # the timed rounds' batches (warm-up and latency use 1)
                events.append("D")
            return super().detect_batch(texts, *args, **kwargs)

    monkeypatch.setattr(bench, "Detector", LoggingDetector)
    engine = FakeEngine(events)
    monkeypatch.setattr(bench, "load_presidio", lambda lang="en": (engine, "fake_model", "en"))
    monkeypatch.setattr(bench, "_cold_load", lambda *args: 1.0)
    monkeypatch.setattr(bench, "ROUND_TEXTS", 2)
    config = tmp_path / "detector.yaml"
    config.write_text("ner:\n  backend: none\n", encoding="utf-8")
    options = BenchOptions(
        corpus=_corpus(tmp_path, 6), config=config, latency_samples=20, progress=False
    )
    report = run_bench(options)

    # Three rounds of two texts; the first system alternates.
    assert events == ["D", "P", "P", "P", "P", "D", "D", "P", "P"]
    # Presidio is timed through its batch API, with discreet's batch size.
    assert bench.BATCH in engine.nlp_engine.batch_sizes
    speed = report["speed"]
    assert speed["timing"] == "interleaved"
    assert (speed["round_texts"], speed["rounds"]) == (2, 3)
    r = speed["round_ratio"]
    assert r["min"] <= r["median"] <= r["max"]
    d, p = report["systems"]["discreet"], report["systems"]["presidio"]
    assert d["docs_per_s"] == pytest.approx(6 / speed["seconds"]["discreet"], rel=0.05)
    assert p["docs_per_s"] == pytest.approx(6 / speed["seconds"]["presidio"], rel=0.05)
    (target,) = [t for t in report["targets"] if t["target"].startswith("throughput")]
    assert "interleaved" in target["target"]
    assert target["value"] == pytest.approx(d["docs_per_s"] / p["docs_per_s"], abs=0.01)
    # Predictions land in corpus order for both systems.
    for name in ("discreet", "presidio"):
        overall = report["systems"][name]["all_types"]["span_exact"]["overall"]
        assert (overall["tp"], overall["fp"], overall["fn"]) == (6, 0, 0), name
    assert d["latency_p50_ms"] is not None and p["latency_p50_ms"] is not None

    markdown = render_markdown(report)
    assert "Timing is interleaved" in markdown
    assert "drifts" in markdown
    assert f"per round median {r['median']:.1f}x" in markdown


def test_bench_without_presidio_times_discreet_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_presidio(lang: str = "en") -> Any:
        raise AssertionError("Presidio was loaded")

    monkeypatch.setattr(bench, "load_presidio", no_presidio)
    monkeypatch.setattr(bench, "_cold_load", lambda *args: 1.0)
    config = tmp_path / "detector.yaml"
    config.write_text("ner:\n  backend: none\n", encoding="utf-8")
    options = BenchOptions(
        corpus=_corpus(tmp_path, 5),
        config=config,
        skip_presidio=True,
        latency_samples=10,
        progress=False,
    )
    report = run_bench(options)
    assert list(report["systems"]) == ["discreet"]
    assert report["speed"]["timing"] == "discreet alone"
    assert "round_ratio" not in report["speed"]
    assert not any(t["target"].startswith("throughput") for t in report["targets"])
    many = report["systems"]["discreet"]["detect_many"]
    assert many["processes"] == 1 and many["same_results_as_single_process"]
    markdown = render_markdown(report)
    assert "timed alone" in markdown and "in-process" in markdown


def test_the_cli_scores_the_hand_written_set(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from discreet.cli import app

    report = tmp_path / "report.json"
    args = ["bench", "--handwritten", "--skip-presidio", "--limit", "8"]
    result = CliRunner().invoke(app, [*args, "--latency-samples", "10", "--json", str(report)])
    assert result.exit_code == 0, result.output
    assert json.loads(report.read_text())["corpus"]["source"] == "hand-written set"
    both = CliRunner().invoke(app, ["bench", "--handwritten", "--corpus", str(report)])
    assert both.exit_code == 2 and "not both" in both.output
    # A name that is no corpus and no file: exit 2 with the names, no traceback.
    typo = CliRunner().invoke(app, ["bench", "--corpus", "conll2003-xx", "--skip-presidio"])
    assert typo.exit_code == 2 and "neither a public corpus" in typo.output
    assert "Traceback" not in typo.output
