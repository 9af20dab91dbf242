"""The scan job: read documents, find personal data in them, write the findings.

`discreet scan` is a thin wrapper around `run_scan`. Reading validates every document
before any detection runs, and output goes to a temporary file that is renamed into place
only on success, so a bad input never leaves a half-written result behind.

Errors name the input, the line number and what was wrong, never the text itself: the
documents being scanned are exactly the data that must not end up in terminals and logs.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import IO, Literal

import yaml
from pydantic import ValidationError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn
from rich.table import Table
from rich.text import Text

from discreet.detect.base import Finding
from discreet.detect.config import DetectorConfig, NerConfig
from discreet.detect.detector import DetectionError, Detector
from discreet.detect.entities import SUPPORTED_LANGUAGES, EntityType
from discreet.detect.ner.base import NerLoadError
from discreet.errors import InvalidInput, validation_problems

SAMPLE_NAME = "sample_chats.jsonl"
JSONL_SUFFIXES = frozenset({".jsonl", ".ndjson"})
BINARY_SNIFF_BYTES = 8192
PROGRESS_MIN_DOCS = 500

OutputFormat = Literal["jsonl", "table"]
DocId = str | int


class ScanError(InvalidInput):
    """The scan cannot go on; the message is safe to print (it holds no document text)."""


class ConfigError(ScanError):
    """The configuration file is missing, not YAML, or has an invalid key."""


@dataclass(frozen=True, slots=True)
class Document:
    id: DocId
    text: str
    language: str | None
    source: str
    """Where it came from, for messages: "chats.jsonl:12" or "letter.txt"."""


@dataclass(frozen=True, slots=True)
class BadInput:
    """One document that could not be read: where, and what was wrong (never the text)."""

    source: str
    line: int | None
    reason: str

    def __str__(self) -> str:
        where = f"{self.source}, line {self.line}" if self.line is not None else self.source
        return f"{where}: {self.reason}"


@dataclass
class ReadResult:
    documents: list[Document] = field(default_factory=list)
    bad: list[BadInput] = field(default_factory=list)


# --- configuration ---------------------------------------------------------------------------


def load_config(path: Path) -> DetectorConfig:
    """Read a YAML file with `DetectorConfig` fields; errors name the file and the key."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot read config {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"config {path} is not UTF-8 text") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        raise ConfigError(f"config {path} is not valid YAML{where}") from None
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise ConfigError(f"config {path} must be a mapping of DetectorConfig fields")
    try:
        return DetectorConfig.model_validate(raw)
    except ValidationError as exc:
        # A config may hold deny-list terms: name only the key path and what is wrong.
        raise ConfigError(f"config {path}: {validation_problems(exc)}") from None


# --- reading ---------------------------------------------------------------------------------


def sample_path() -> Path:
    """The bundled sample chats (synthetic; no real person)."""
    return Path(str(resources.files("discreet") / "data" / SAMPLE_NAME))


def is_jsonl(path: Path) -> bool:
    return str(path) == "-" or path.suffix.lower() in JSONL_SUFFIXES


def _read_bytes(path: Path) -> bytes:
    try:
        if str(path) == "-":
            return sys.stdin.buffer.read()
        return path.read_bytes()
    except OSError as exc:
        raise ScanError(f"cannot read {path}: {exc.strerror or exc}") from None


def _looks_binary(data: bytes) -> bool:
    return b"\x00" in data[:BINARY_SNIFF_BYTES]


def _line_of_offset(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def _check_text(text: str, max_chars: int) -> str | None:
    """Why `text` cannot be scanned, or None."""
    if not text.strip():
        return "empty text"
    if len(text) > max_chars:
        return f"text has {len(text):,} characters; the limit is {max_chars:,}"
    if "\x00" in text:
        return "text contains NUL bytes (binary data?)"
    return None


def _check_language(value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or value not in SUPPORTED_LANGUAGES:
        return f'"language" must be one of {", ".join(SUPPORTED_LANGUAGES)}'
    return None


def read_jsonl(path: Path, max_chars: int, data: bytes | None = None) -> ReadResult:
    """Documents from JSON Lines: one object per line with "id", "text", maybe "language".

    Blank lines are ignored. Every other line that is not a valid document becomes a
    `BadInput` with its line number; the caller decides whether that is fatal.
    """
    source = "<stdin>" if str(path) == "-" else str(path)
    data = _read_bytes(path) if data is None else data
    result = ReadResult()
    if _looks_binary(data):
        result.bad.append(BadInput(source, None, "looks like a binary file (NUL bytes)"))
        return result
    for number, raw in enumerate(data.split(b"\n"), start=1):
        raw = raw.rstrip(b"\r")
        if not raw.strip():
            continue

        def bad(reason: str, line: int = number) -> None:
            result.bad.append(BadInput(source, line, reason))

        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            bad(f"invalid UTF-8 at byte {exc.start + 1} of the line")
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            bad(f"not valid JSON ({exc.msg} at column {exc.colno})")
            continue
        if not isinstance(obj, dict):
            bad(f"expected a JSON object, got {type(obj).__name__}")
            continue
        if "id" not in obj:
            bad('missing "id"')
            continue
        doc_id = obj["id"]
        if isinstance(doc_id, bool) or not isinstance(doc_id, str | int):
            bad('"id" must be a string or an integer')
            continue
        if "text" not in obj:
            bad('missing "text"')
            continue
        text = obj["text"]
        if not isinstance(text, str):
            bad(f'"text" must be a string, got {type(text).__name__}')
            continue
        problem = _check_text(text, max_chars) or _check_language(obj.get("language"))
        if problem:
            bad(problem)
            continue
        language = obj.get("language")
        result.documents.append(
            Document(doc_id, text, language if isinstance(language, str) else None, source)
        )
    return result


def read_text(path: Path, max_chars: int, lines: bool, data: bytes | None = None) -> ReadResult:
    """A plain-text file as one document (id: the file name), or one per line with `lines`."""
    source = str(path)
    data = _read_bytes(path) if data is None else data
    result = ReadResult()
    if _looks_binary(data):
        result.bad.append(BadInput(source, None, "looks like a binary file (NUL bytes)"))
        return result
    if not lines:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = _line_of_offset(data, exc.start)
            result.bad.append(BadInput(source, line, "invalid UTF-8"))
            return result
        problem = _check_text(text, max_chars)
        if problem:
            result.bad.append(BadInput(source, None, problem))
        else:
            result.documents.append(Document(path.name, text, None, source))
        return result
    for number, raw in enumerate(data.split(b"\n"), start=1):
        raw = raw.rstrip(b"\r")
        if not raw.strip():
            continue  # blank lines separate documents; they are not documents
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            result.bad.append(
                BadInput(source, number, f"invalid UTF-8 at byte {exc.start + 1} of the line")
            )
            continue
        problem = _check_text(text, max_chars)
        if problem:
            result.bad.append(BadInput(source, number, problem))
        else:
            result.documents.append(Document(f"{path.name}:{number}", text, None, source))
    return result


def read_parquet(path: Path, max_chars: int) -> ReadResult:
    """A Parquet file with a ``text`` column (and optional ``id`` and ``language``), for
    large inputs (``--engine ray``); rows are checked like JSONL lines."""
    try:
        import pyarrow.parquet as pq

        table = pq.read_table(path)
    except (OSError, ValueError) as exc:
        raise ScanError(f"cannot read {path} as Parquet ({type(exc).__name__})") from None
    if "text" not in table.column_names:
        raise ScanError(f"{path} has no 'text' column")
    result = ReadResult()
    texts = table.column("text").to_pylist()
    ids = table.column("id").to_pylist() if "id" in table.column_names else None
    langs = table.column("language").to_pylist() if "language" in table.column_names else None
    for row, text in enumerate(texts, start=1):
        problem = _check_text(text, max_chars) if isinstance(text, str) else "text is not a string"
        if problem is not None:
            result.bad.append(BadInput(str(path), row, problem))
            continue
        doc_id = ids[row - 1] if ids is not None else f"{path.name}:{row}"
        language = langs[row - 1] if langs is not None else None
        result.documents.append(Document(doc_id, text, language, f"{path.name}:{row}"))
    return result


def read_inputs(paths: Sequence[Path], max_chars: int, lines: bool = False) -> ReadResult:
    """Read every input; JSONL by suffix (.jsonl, .ndjson, or "-" for stdin), else text."""
    total = ReadResult()
    for path in paths:
        if str(path) != "-" and path.is_dir():
            raise ScanError(f"{path} is a directory; pass the files in it")
        if path.suffix == ".parquet":
            part = read_parquet(path, max_chars)
        elif is_jsonl(path):
            part = read_jsonl(path, max_chars)
        else:
            part = read_text(path, max_chars, lines)
        total.documents.extend(part.documents)
        total.bad.extend(part.bad)
    return total


# --- detecting -------------------------------------------------------------------------------


def detect_documents(
    detector: Detector,
    documents: Sequence[Document],
    default_language: str | None = None,
    workers: int | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> list[list[Finding]]:
    """Findings per document, in input order, on all cores (`Detector.detect_many`),
    reporting the number of documents done to `on_progress` as chunks finish."""
    texts = [d.text for d in documents]
    languages = [d.language or default_language for d in documents]
    return detector.detect_many(texts, languages, workers=workers, on_progress=on_progress)


# --- writing ---------------------------------------------------------------------------------


def result_record(document: Document, findings: Sequence[Finding]) -> dict[str, object]:
    entities: list[dict[str, object]] = []
    for f in findings:
        entity: dict[str, object] = {
            "start": f.start,
            "end": f.end,
            "type": f.type.value,
            "score": round(f.score, 4),
        }
        if f.subtype:
            entity["subtype"] = f.subtype
        entities.append(entity)
    return {"id": document.id, "entities": entities}


def write_jsonl(
    out: IO[str], documents: Sequence[Document], results: Sequence[Sequence[Finding]]
) -> None:
    for document, findings in zip(documents, results, strict=True):
        out.write(json.dumps(result_record(document, findings), ensure_ascii=False))
        out.write("\n")


def mask_value(value: str, etype: EntityType | None = None) -> str:
    """A hint of a value that does not give it away: "j***@e***.nl", "J*** d*** V***".

    Each word keeps its first character, a number its first and last two, an e-mail its
    top-level domain. Lengths are not preserved, so a mask says little about the value.
    """
    value = value.strip()
    if etype is EntityType.EMAIL_ADDRESS or ("@" in value and " " not in value):
        local, _, domain = value.rpartition("@")
        host, dot, tld = domain.rpartition(".")
        masked_host = f"{host[:1]}***{dot}{tld}" if dot else f"{domain[:1]}***"
        return f"{local[:1]}***@{masked_host}"
    if len(value) <= 3:
        return "***"
    if any(ch.isdigit() for ch in value):
        # Numbers: the first and last two characters, as on a card receipt ("NL***00").
        compact = "".join(value.split())
        return f"{compact[:2]}***{compact[-2:]}" if len(compact) >= 8 else f"{compact[:1]}***"
    return " ".join(f"{w[:1]}***" for w in value.split())


def findings_table(
    documents: Sequence[Document],
    results: Sequence[Sequence[Finding]],
    show_values: bool = False,
    title: str | None = None,
) -> Table:
    table = Table(title=title, show_lines=False)
    table.add_column("id", overflow="fold")
    table.add_column("type")
    table.add_column("start-end", justify="right")
    table.add_column("score", justify="right")
    table.add_column("recognizer")
    table.add_column("value" if show_values else "value (masked)", overflow="fold")
    for document, findings in zip(documents, results, strict=True):
        for f in findings:
            raw = f.value(document.text)
            shown = raw if show_values else mask_value(raw, f.type)
            # Text(), not str: ids and values are data, and "[b]" must print as written.
            table.add_row(
                Text(str(document.id)),
                f.type.value + (f"/{f.subtype}" if f.subtype else ""),
                f"{f.start}-{f.end}",
                f"{f.score:.2f}",
                f.recognizer,
                Text(shown),
            )
    return table


# --- the job ---------------------------------------------------------------------------------


@dataclass
class ScanOptions:
    """What `discreet scan` was asked to do; every field has the CLI's default."""

    inputs: list[Path] = field(default_factory=list)
    """Files to scan; empty scans the bundled sample."""
    output: Path | None = None
    """Where to write; None or "-" is stdout."""
    format: OutputFormat | None = None
    """None: a table on a terminal-style run without --output, JSON Lines otherwise."""
    lines: bool = False
    show_values: bool = False
    skip_bad: bool = False
    workers: int | None = None
    language: str | None = None
    threshold: float | None = None
    entities: list[EntityType] | None = None
    config: Path | None = None
    progress: bool | None = None
    """None: show a progress bar when stderr is a terminal and the input is long."""
    engine: Literal["local", "ray"] = "local"
    """ray: detect on a Ray cluster (``address``, or a local instance); extra ``ray``."""
    address: str | None = None


MAX_LISTED = 20


def build_config(options: ScanOptions) -> DetectorConfig:
    config = load_config(options.config) if options.config else DetectorConfig()
    updates: dict[str, object] = {}
    if options.threshold is not None:
        updates["threshold"] = options.threshold
    if options.entities:
        updates["entities"] = [e.value for e in options.entities]
    if not updates:
        return config
    try:  # validate, unlike model_copy(update=...)
        return DetectorConfig.model_validate({**config.model_dump(mode="json"), **updates})
    except ValidationError as exc:
        raise ConfigError(validation_problems(exc)) from None


def build_detector(config: DetectorConfig) -> Detector:
    """The detector, or a ScanError that says how to fix a NER backend that cannot load."""
    try:
        return Detector(config)
    except (NerLoadError, NotImplementedError) as exc:
        raise ScanError(
            f"cannot load the NER backend ({exc}); to scan with patterns only, pass a "
            "--config file containing `ner: {backend: none}`"
        ) from None


def _describe_bad(bad: Sequence[BadInput]) -> Iterator[str]:
    for item in bad[:MAX_LISTED]:
        yield f"  {item}"
    if len(bad) > MAX_LISTED:
        yield f"  ... and {len(bad) - MAX_LISTED} more"


@contextlib.contextmanager
def _atomic_output(path: Path) -> Iterator[IO[str]]:
    """A temporary file next to `path`, renamed onto it only if the block succeeds."""
    directory = path.parent if str(path.parent) else Path(".")
    if not directory.is_dir():
        raise ScanError(f"cannot write {path}: directory {directory} does not exist")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            yield handle
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def run_scan(options: ScanOptions) -> int:
    """Run a scan; returns the exit code (0 ok, 1 detection failed, 2 bad input or usage).

    Messages go to stderr; results go to `options.output` or stdout.
    """
    stderr = sys.stderr
    try:
        return _run(options)
    except ScanError as exc:
        print(f"error: {exc}", file=stderr)
        return 2
    except DetectionError as exc:
        print(f"error: detection failed, nothing was written: {exc}", file=stderr)
        return 1


def _run(options: ScanOptions) -> int:
    stderr = sys.stderr
    if options.language is not None and options.language not in SUPPORTED_LANGUAGES:
        raise ScanError(
            f"--language must be one of {', '.join(SUPPORTED_LANGUAGES)} (or omitted to detect)"
        )
    config = build_config(options)
    piped = None if options.inputs else _piped_stdin()
    inputs = options.inputs or [sample_path()]
    fmt: OutputFormat = options.format or (
        "table"
        if options.output is None and (not options.inputs or sys.stdout.isatty())
        else "jsonl"
    )
    if piped is not None:
        read = read_text_data(piped, STDIN_NAME, config.max_chars, lines=options.lines)
    else:
        read = read_inputs(inputs, config.max_chars, lines=options.lines)
    if read.bad and not options.skip_bad:
        print(f"error: {len(read.bad)} bad input(s); nothing was written:", file=stderr)
        for line in _describe_bad(read.bad):
            print(line, file=stderr)
        print("  (use --skip-bad to scan the rest)", file=stderr)
        return 2
    if read.bad:
        print(f"skipped {len(read.bad)} bad input(s):", file=stderr)
        for line in _describe_bad(read.bad):
            print(line, file=stderr)
    documents = read.documents
    if not documents and not read.bad:
        raise ScanError("no documents found in the input")

    detector = build_detector(config)
    if options.engine == "ray":
        from discreet.export.ray_engine import detect_ray

        results = detect_ray(
            config.model_dump(mode="json"),
            [d.text for d in documents],
            [d.language or options.language for d in documents],
            options.workers,
            options.address,
        )
        options.progress = False
    show_progress = (
        options.progress
        if options.progress is not None
        else stderr.isatty() and len(documents) >= PROGRESS_MIN_DOCS
    )
    if options.engine == "ray":
        pass  # detected above, on the cluster
    elif show_progress:
        progress = Progress(
            *Progress.get_default_columns()[:1],
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=Console(file=stderr),
            transient=True,
        )
        with progress:
            task = progress.add_task("scanning", total=len(documents))
            results = detect_documents(
                detector,
                documents,
                options.language,
                options.workers,
                on_progress=lambda done: progress.update(task, completed=done),
            )
    else:
        results = detect_documents(detector, documents, options.language, options.workers)

    def emit(out: IO[str]) -> None:
        if fmt == "jsonl":
            write_jsonl(out, documents, results)
        else:
            console = Console(file=out, width=None if out is sys.stdout else 120)
            title = "bundled sample (synthetic)" if not options.inputs and piped is None else None
            console.print(findings_table(documents, results, options.show_values, title))
            total = sum(len(r) for r in results)
            console.print(f"{total} finding(s) in {len(documents)} document(s)", markup=False)

    if options.output is None or str(options.output) == "-":
        emit(sys.stdout)
    else:
        with _atomic_output(options.output) as handle:
            emit(handle)
        # The results went to a file: say on stderr what they hold (types and counts only).
        print(scan_summary(documents, results, options.output), file=stderr)
    return 0


def scan_summary(
    documents: Sequence[Document], results: Sequence[Sequence[Finding]], output: Path
) -> str:
    """One line: how many findings of which type in how many documents, and where."""
    counts: dict[str, int] = {}
    for findings in results:
        for finding in findings:
            counts[finding.type.value] = counts.get(finding.type.value, 0) + 1
    total = sum(counts.values())
    kinds = ", ".join(f"{name} {n}" for name, n in sorted(counts.items(), key=lambda i: -i[1]))
    return f"{total} finding(s) in {len(documents)} document(s) written to {output}" + (
        f" ({kinds})" if kinds else ""
    )


STDIN_NAME = "stdin"


def _piped_stdin() -> bytes | None:
    """Text piped into `discreet scan` without --input, or None (a terminal, or nothing)."""
    try:
        if sys.stdin is None or sys.stdin.isatty():
            return None
        data = sys.stdin.buffer.read()
    except (OSError, ValueError, AttributeError):
        return None  # no readable stdin (closed, or replaced by one without a buffer)
    return data if data.strip() else None


def read_text_data(data: bytes, name: str, max_chars: int, lines: bool) -> ReadResult:
    """Plain text already read (e.g. from stdin) as documents, like `read_text`."""
    return read_text(Path(name), max_chars, lines, data=data)


NER_NONE = NerConfig(backend="none")
"""Patterns and known-subject values only; handy for quick runs and tests."""
