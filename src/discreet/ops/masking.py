"""Masking stray personal data in logs and free text, with the detector.

Anything written to a log, or typed into an incident note, passes through
:func:`mask_text` first: each finding is replaced by ``<TYPE>``. The default detector runs
the pattern recognisers only (no NER model: it must be cheap enough to run on every log
line, and ``serve`` may pass its own, model-backed detector instead). E-mail addresses,
phone numbers, IBANs, card numbers, national ids and the like are caught by patterns with
validators; a bare name in a log line needs the model-backed detector.

:class:`MaskingFilter` is a :class:`logging.Filter` that masks the message, its arguments
and every extra field of a record before any handler formats it, so a value logged by
mistake never reaches a file. :class:`JsonFormatter` writes one JSON object per line with
stable keys (``ts``, ``level``, ``logger``, ``event`` and the extra fields).
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from discreet.detect.config import DetectorConfig, NerConfig
from discreet.detect.detector import Detector

_LOCK = threading.Lock()
_DEFAULT: Detector | None = None

# Attributes every LogRecord has; anything else was passed as ``extra=`` by the caller.
_STANDARD = frozenset(
    vars(logging.LogRecord("x", logging.INFO, "x", 0, "x", None, None)).keys()
    | {"message", "asctime", "taskName"}
)


def pattern_detector() -> Detector:
    """A process-wide detector with pattern recognisers only (built once, thread-safe)."""
    global _DEFAULT
    with _LOCK:
        if _DEFAULT is None:
            _DEFAULT = Detector(DetectorConfig(ner=NerConfig(backend="none")))
        return _DEFAULT


def mask_text(text: str, detector: Detector | None = None) -> str:
    """`text` with every detected value replaced by ``<TYPE>``."""
    if not text:
        return text
    findings = (detector or pattern_detector()).detect(text, language="en")
    if not findings:
        return text
    out: list[str] = []
    last = 0
    for finding in findings:
        out.append(text[last : finding.start])
        out.append(f"<{finding.type.value}>")
        last = finding.end
    out.append(text[last:])
    return "".join(out)


def _mask_value(value: Any, detector: Detector | None) -> Any:
    if isinstance(value, str):
        return mask_text(value, detector)
    if isinstance(value, bool | int | float) or value is None:
        return value
    if isinstance(value, Mapping):
        return {str(k): _mask_value(v, detector) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_mask_value(v, detector) for v in value]
    # Anything else is turned into text first: its repr could hold a value too.
    return mask_text(str(value), detector)


class MaskingFilter(logging.Filter):
    """Masks personal data in a record's message and extra fields (never drops a record)."""

    def __init__(self, detector: Detector | None = None) -> None:
        super().__init__()
        self._detector = detector

    def filter(self, record: logging.LogRecord) -> bool:
        # Render the message with its arguments first: a value may hide in either.
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            message = str(record.msg)
        record.msg = mask_text(message, self._detector)
        record.args = None
        for key in list(vars(record)):
            if key not in _STANDARD:
                setattr(record, key, _mask_value(getattr(record, key), self._detector))
        if record.exc_info and record.exc_info[1] is not None:
            # A traceback's text is masked as a whole; the exception object is dropped.
            record.exc_text = mask_text(
                logging.Formatter().formatException(record.exc_info), self._detector
            )
            record.exc_info = None
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ``ts``, ``level``, ``logger``, ``event``, then extras."""

    def format(self, record: logging.LogRecord) -> str:
        body: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "event": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and key not in body:
                body[key] = value
        if record.exc_text:
            body["exception"] = record.exc_text
        return json.dumps(body, ensure_ascii=False, default=str, sort_keys=False)


UVICORN_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.access")


def json_log_config(level: str = "INFO") -> dict[str, Any]:
    """The same masked JSON lines as :func:`configure_json_logging`, as a
    :func:`logging.config.dictConfig` dictionary: uvicorn applies it in every process it
    starts, so each worker of ``serve --workers N`` logs through the masking filter too
    (a handler set up in the supervisor does not cross into the workers)."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"mask": {"()": MaskingFilter}},
        "formatters": {"json": {"()": JsonFormatter}},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stderr",
                "filters": ["mask"],
                "formatter": "json",
            }
        },
        "root": {"level": level, "handlers": ["stderr"]},
        "loggers": {
            name: {"handlers": [], "propagate": True, "level": level} for name in UVICORN_LOGGERS
        },
    }


def configure_json_logging(
    level: int = logging.INFO, *, detector: Detector | None = None, stream: Any = None
) -> logging.Handler:
    """Send every log record (root logger, uvicorn's too) through masking to JSON lines on
    `stream` (default stderr). Returns the handler, so a caller can remove it again."""
    handler = logging.StreamHandler(stream)
    handler.addFilter(MaskingFilter(detector))
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(level)
    for name in UVICORN_LOGGERS:
        logger = logging.getLogger(name)
        logger.handlers = []
        logger.propagate = True
    return handler
