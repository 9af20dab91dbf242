"""Calibrated scores for the built-in entity tagger's findings.

The tagger gives each token a softmax over its BILUO tags; a span's raw confidence is the
probability of its least sure token's tag. That number ranks findings well but is not a
probability that the finding is right (a softmax trained on templates is over-confident).
`Calibration` maps it onto one: per entity type, a step function fitted by isotonic
regression on the dev splits of the public corpora and on generated dev texts
(`training/calibrate_ner.py`; never on test splits), stored in `calibration.json` beside
this module. At run time that is one binary search per finding.

Where a language has enough findings of a type, it has its own table ("PERSON@de" beside
"PERSON"): the decoding differs by language (`NerConfig.recall_bias`), and a span the
leaning German decoding finds at a raw confidence of 0.3 is right more often than an
English one the plain decoding finds at 0.3.
"""

from __future__ import annotations

import bisect
import hashlib
import itertools
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from discreet.detect.entities import SUPPORTED_LANGUAGES, EntityType
from discreet.detect.ner.base import NerLoadError

BUILTIN_CALIBRATION = Path(__file__).parent / "calibration.json"
"""The built-in model's calibration map, written by training/calibrate_ner.py."""

MODEL_KEY = "_model"
"""The key of the map's model fingerprint: a map fitted to other weights would turn their
confidences into wrong probabilities, and findings would be dropped or kept silently."""
INFORMAL_RECALL_BIAS_KEY = "_informal_recall_bias"
"""The same for informal text (`NerConfig.informal_recall_bias`)."""
RECALL_BIAS_KEY = "_recall_bias"
"""The key of the decoding's recall bias per language when the map was fitted (a record:
the map is of the model's own probabilities, but which findings it saw depends on it)."""


def model_fingerprint(model_dir: Path) -> str:
    """SHA-256 over the weights of the spaCy pipeline in `model_dir` (its ``*/model``
    files, by relative path), so a retrained model no longer matches its old map."""
    digest = hashlib.sha256()
    for weights in sorted(model_dir.glob("*/model")):
        digest.update(weights.relative_to(model_dir).as_posix().encode() + b"\0")
        digest.update(weights.read_bytes())
    return digest.hexdigest()


@dataclass(frozen=True, slots=True)
class _Steps:
    """A non-decreasing step function: `values[i]` from `bounds[i]` up to `bounds[i + 1]`."""

    bounds: tuple[float, ...]
    values: tuple[float, ...]

    def __call__(self, x: float) -> float:
        i = bisect.bisect_right(self.bounds, x) - 1
        return self.values[max(i, 0)]


Key = tuple[EntityType, str | None]
"""A table's entity type and language (None: every language without its own)."""

MIN_LANGUAGE_FINDINGS = 1000
"""A language gets its own table for a type from this many findings; fewer would fit noise."""


class Calibration:
    """Raw span confidence → probability that the finding is right, per entity type and,
    where fitted, per language. Types without a table keep the raw confidence."""

    def __init__(self, tables: Mapping[EntityType | Key, _Steps]) -> None:
        self._tables: dict[Key, _Steps] = {
            (key if isinstance(key, tuple) else (key, None)): table for key, table in tables.items()
        }

    def score(self, etype: EntityType, confidence: float, language: str | None = None) -> float:
        table = self._tables.get((etype, language)) or self._tables.get((etype, None))
        return confidence if table is None else table(confidence)

    @property
    def types(self) -> frozenset[EntityType]:
        return frozenset(etype for etype, _ in self._tables)

    @property
    def languages(self) -> frozenset[str]:
        """The languages with a table of their own."""
        return frozenset(language for _, language in self._tables if language is not None)

    @classmethod
    def fit(
        cls,
        samples: Mapping[EntityType | Key, Sequence[tuple[float, bool]]],
        min_language_findings: int = MIN_LANGUAGE_FINDINGS,
    ) -> Calibration:
        """Isotonic regression per type, and per (type, language) where that language has
        `min_language_findings` or more, on (raw confidence, finding was right) pairs."""
        tables: dict[EntityType | Key, _Steps] = {}
        for key, pairs in samples.items():
            own_language = isinstance(key, tuple) and key[1] is not None
            if pairs and (not own_language or len(pairs) >= min_language_findings):
                tables[key] = _isotonic(pairs)
        return cls(tables)

    def to_json(self) -> dict[str, object]:
        return {
            _json_key(key): {
                "bounds": [round(b, 6) for b in t.bounds],
                "values": [round(v, 4) for v in t.values],
            }
            for key, t in sorted(self._tables.items(), key=lambda kv: _json_key(kv[0]))
        }

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> Calibration:
        tables: dict[EntityType | Key, _Steps] = {}
        for name, table in data.items():
            if name.startswith("_"):  # the model's fingerprint and other records
                continue
            if not isinstance(table, dict):
                raise ValueError(f"calibration table {name!r} is not an object")
            bounds = tuple(float(b) for b in table["bounds"])
            values = tuple(float(v) for v in table["values"])
            if not bounds or len(bounds) != len(values) or list(bounds) != sorted(bounds):
                raise ValueError(f"calibration table {name!r} is malformed")
            type_name, _, language = name.partition("@")
            if language and language not in SUPPORTED_LANGUAGES:
                raise ValueError(f"calibration table {name!r} names an unknown language")
            tables[(EntityType(type_name), language or None)] = _Steps(bounds, values)
        return cls(tables)

    @classmethod
    def load(cls, model_dir: Path, path: Path = BUILTIN_CALIBRATION) -> Calibration:
        """The map at `path`, refused unless it was fitted to the model in `model_dir`."""
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            calibration = cls.from_json(data)
            fitted_to = data.get(MODEL_KEY)
            actual = model_fingerprint(model_dir)
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            raise NerLoadError(
                f"the NER calibration map {path} could not be read ({type(exc).__name__}); "
                "reinstall discreet or rebuild it with `python training/calibrate_ner.py`"
            ) from None
        if fitted_to != actual:
            raise NerLoadError(
                f"the NER calibration map {path} was fitted to another model than the one in "
                f"{model_dir}; rebuild it with `python training/calibrate_ner.py`"
            )
        return calibration


def _json_key(key: Key) -> str:
    etype, language = key
    return etype.value if language is None else f"{etype.value}@{language}"


def _isotonic(pairs: Sequence[tuple[float, bool]]) -> _Steps:
    """Pool-adjacent-violators over the pairs sorted by confidence; one step per pool."""
    ordered = sorted(pairs)
    # Each block: [first confidence, total right, count]; merged while means decrease.
    blocks: list[list[float]] = []
    for x, right in ordered:
        blocks.append([x, float(right), 1.0])
        while len(blocks) > 1 and blocks[-2][1] / blocks[-2][2] >= blocks[-1][1] / blocks[-1][2]:
            last = blocks.pop()
            blocks[-1][1] += last[1]
            blocks[-1][2] += last[2]
    # The lowest step covers everything below the lowest confidence seen. Each step's
    # rate is smoothed (one right and one wrong finding added), so a small block at either
    # end does not claim certainty: a score of 1.0 or 0.0 would be a promise.
    bounds = (0.0, *(b[0] for b in blocks[1:]))
    values = list(itertools.accumulate(((b[1] + 1) / (b[2] + 2) for b in blocks), max))
    return _Steps(bounds, tuple(values))


def expected_calibration_error(scored: Sequence[tuple[float, bool]], bins: int = 10) -> float:
    """Mean |accuracy - mean score| over equal-width score bins, weighted by bin size."""
    if not scored:
        return 0.0
    totals = [[0.0, 0.0, 0] for _ in range(bins)]
    for score, right in scored:
        b = totals[min(int(score * bins), bins - 1)]
        b[0] += score
        b[1] += float(right)
        b[2] += 1
    return sum(abs(s - r) for s, r, n in totals if n) / len(scored)


__all__ = [
    "BUILTIN_CALIBRATION",
    "INFORMAL_RECALL_BIAS_KEY",
    "MODEL_KEY",
    "RECALL_BIAS_KEY",
    "Calibration",
    "expected_calibration_error",
    "model_fingerprint",
]
