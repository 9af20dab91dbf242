"""Precision, recall and F2 of predicted spans against gold spans, per type and overall.

Why F2: recall weighs four times as much as precision. A missed name leaks; an extra
placeholder costs a little readability. F2 = 5PR / (4P + R).

Three views, each per entity type and overall (micro-averaged: counts summed over types):

* **character level** -- for each type, the characters inside gold spans of that type vs the
  characters inside predicted spans of that type. Partial credit for "de Vries" vs
  "Jan de Vries"; the measure that matches what masking protects.
* **span level, exact** -- a predicted span counts only with the same start, end and type.
* **span level, overlap** -- a predicted span of the same type whose overlap covers at least
  half of the longer of the two spans (intersection / max(len gold, len predicted) >= 0.5);
  each gold span matches at most one prediction.

Counting rules (the same for every system scored):

* Types must match. A DATE_OF_BIRTH predicted as DATE is a miss for DATE_OF_BIRTH *and* a
  false positive for DATE. The `untyped` scores ignore types (was the text found at all?),
  and `confusion` shows which types were mistaken for which.
* `types` (default: every type in the gold data) are the scored types. Gold spans of other
  types are dropped. Predicted spans of other types are ignored and counted in
  `ignored_predictions`: the gold data cannot say whether they are right. A predicted span
  that overlaps a dropped gold span is ignored too, so restricting the scored types (e.g. to
  the "types both systems support") does not turn text of an unscored type into a false
  positive of a scored one.
* A system that cannot produce a scored type simply misses every span of it: restricting to
  supported types is a separate, explicitly labelled report, never the headline.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

MISSED = "(missed)"
"""The `confusion` column for gold spans nothing overlapped."""


class SpanLike(Protocol):
    """Anything with start, end and a type name: gold spans, `Finding`s, mapped peers."""

    @property
    def start(self) -> int: ...

    @property
    def end(self) -> int: ...

    @property
    def type(self) -> str: ...


@dataclass(frozen=True, slots=True)
class Span:
    """A plain span, e.g. a peer system's prediction after mapping its type."""

    start: int
    end: int
    type: str


def f_beta(precision: float, recall: float, beta: float = 2.0) -> float:
    """(1 + b^2) P R / (b^2 P + R); 0.0 when both are zero."""
    b2 = beta * beta
    denominator = b2 * precision + recall
    return (1 + b2) * precision * recall / denominator if denominator else 0.0


@dataclass(frozen=True, slots=True)
class Counts:
    """True positives, false positives and false negatives (characters or spans)."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn)

    @property
    def precision(self) -> float:
        """0.0 when nothing was predicted (no credit for silence)."""
        predicted = self.tp + self.fp
        return self.tp / predicted if predicted else 0.0

    @property
    def recall(self) -> float:
        gold = self.tp + self.fn
        return self.tp / gold if gold else 0.0

    @property
    def f2(self) -> float:
        return f_beta(self.precision, self.recall, 2.0)

    @property
    def support(self) -> int:
        """Gold units (characters or spans)."""
        return self.tp + self.fn

    def to_dict(self) -> dict[str, float | int]:
        return {
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f2": round(self.f2, 4),
        }


@dataclass
class LevelScores:
    """One view (characters, exact spans or overlapping spans): per type and untyped."""

    per_type: dict[str, Counts] = field(default_factory=dict)
    untyped: Counts = field(default_factory=Counts)

    @property
    def overall(self) -> Counts:
        """Micro average: the per-type counts summed."""
        total = Counts()
        for counts in self.per_type.values():
            total = total + counts
        return total

    def add(self, etype: str, counts: Counts) -> None:
        self.per_type[etype] = self.per_type.get(etype, Counts()) + counts

    def to_dict(self) -> dict[str, object]:
        return {
            "overall": self.overall.to_dict(),
            "untyped": self.untyped.to_dict(),
            "per_type": {t: c.to_dict() for t, c in sorted(self.per_type.items())},
        }


@dataclass
class Evaluation:
    char: LevelScores
    span_exact: LevelScores
    span_overlap: LevelScores
    types: tuple[str, ...]
    documents: int
    confusion: dict[str, dict[str, int]]
    """gold type -> best-overlapping predicted type (or MISSED) -> number of gold spans."""
    ignored_predictions: dict[str, int]
    """Predicted spans not scored, by type (types outside `types`, or on unscored text)."""

    def to_dict(self) -> dict[str, object]:
        return {
            "documents": self.documents,
            "types": list(self.types),
            "char": self.char.to_dict(),
            "span_exact": self.span_exact.to_dict(),
            "span_overlap": self.span_overlap.to_dict(),
            "confusion": self.confusion,
            "ignored_predictions": dict(sorted(self.ignored_predictions.items())),
        }


def _type(span: SpanLike) -> str:
    return str(getattr(span.type, "value", span.type))


def _overlap_ratio(a: tuple[int, int], b: tuple[int, int]) -> float:
    inter = min(a[1], b[1]) - max(a[0], b[0])
    if inter <= 0:
        return 0.0
    return inter / max(a[1] - a[0], b[1] - b[0])


def _chars(spans: Iterable[tuple[int, int]]) -> set[int]:
    out: set[int] = set()
    for start, end in spans:
        out.update(range(start, end))
    return out


def _match_overlap(
    gold: Sequence[tuple[int, int]], predicted: Sequence[tuple[int, int]], min_ratio: float
) -> int:
    """One-to-one matches with overlap ratio >= min_ratio, best pairs first (greedy)."""
    pairs = sorted(
        (
            (ratio, gi, pi)
            for gi, g in enumerate(gold)
            for pi, p in enumerate(predicted)
            if (ratio := _overlap_ratio(g, p)) >= min_ratio
        ),
        reverse=True,
    )
    used_gold: set[int] = set()
    used_pred: set[int] = set()
    for _ratio, gi, pi in pairs:
        if gi not in used_gold and pi not in used_pred:
            used_gold.add(gi)
            used_pred.add(pi)
    return len(used_gold)


def _counts_from_sets(gold: set[object], predicted: set[object]) -> Counts:
    tp = len(gold & predicted)
    return Counts(tp, len(predicted) - tp, len(gold) - tp)


def evaluate(
    gold: Sequence[Sequence[SpanLike]],
    predicted: Sequence[Sequence[SpanLike]],
    types: Collection[str] | None = None,
    min_overlap: float = 0.5,
) -> Evaluation:
    """Score `predicted` against `gold`, one list of spans per document, same order.

    `types` are the scored types (default: those occurring in `gold`); see the module
    docstring for how everything else is counted.
    """
    if len(gold) != len(predicted):
        raise ValueError(f"gold has {len(gold)} documents but predictions have {len(predicted)}")
    scored = (
        frozenset(str(t) for t in types)
        if types is not None
        else frozenset(_type(s) for doc in gold for s in doc)
    )
    char, exact, overlap = LevelScores(), LevelScores(), LevelScores()
    for level in (char, exact, overlap):
        for t in scored:
            level.per_type[t] = Counts()
    confusion: dict[str, Counter[str]] = {t: Counter() for t in scored}
    ignored: Counter[str] = Counter()
    untyped_char, untyped_exact, untyped_overlap = Counts(), Counts(), Counts()

    for gold_doc, pred_doc in zip(gold, predicted, strict=True):
        kept_gold = [(s.start, s.end, _type(s)) for s in gold_doc if _type(s) in scored]
        dropped_gold = [(s.start, s.end) for s in gold_doc if _type(s) not in scored]
        kept_pred: list[tuple[int, int, str]] = []
        for p in pred_doc:
            ptype = _type(p)
            on_unscored_text = any(
                min(p.end, d[1]) > max(p.start, d[0]) for d in dropped_gold
            ) and not any(min(p.end, g[1]) > max(p.start, g[0]) for g in kept_gold)
            if ptype not in scored or on_unscored_text:
                ignored[ptype] += 1
            else:
                kept_pred.append((p.start, p.end, ptype))

        for t in scored:
            g_spans = [(s, e) for s, e, gt in kept_gold if gt == t]
            p_spans = [(s, e) for s, e, pt in kept_pred if pt == t]
            if not g_spans and not p_spans:
                continue
            char.add(t, _counts_from_sets(set(_chars(g_spans)), set(_chars(p_spans))))
            exact.add(t, _counts_from_sets(set(g_spans), set(p_spans)))
            matched = _match_overlap(g_spans, p_spans, min_overlap)
            overlap.add(t, Counts(matched, len(p_spans) - matched, len(g_spans) - matched))

        all_g = [(s, e) for s, e, _ in kept_gold]
        all_p = [(s, e) for s, e, _ in kept_pred]
        untyped_char = untyped_char + _counts_from_sets(set(_chars(all_g)), set(_chars(all_p)))
        untyped_exact = untyped_exact + _counts_from_sets(set(all_g), set(all_p))
        matched = _match_overlap(all_g, all_p, min_overlap)
        untyped_overlap = untyped_overlap + Counts(
            matched, len(all_p) - matched, len(all_g) - matched
        )

        for gs, ge, gt in kept_gold:
            best = max(
                ((_overlap_ratio((gs, ge), (ps, pe)), pt == gt, pt) for ps, pe, pt in kept_pred),
                default=None,
            )
            same = [
                pt
                for ps, pe, pt in kept_pred
                if pt == gt and _overlap_ratio((gs, ge), (ps, pe)) >= min_overlap
            ]
            if same:
                confusion[gt][gt] += 1
            elif best is not None and best[0] >= min_overlap:
                confusion[gt][best[2]] += 1
            else:
                confusion[gt][MISSED] += 1

    char.untyped = untyped_char
    overlap.untyped = untyped_overlap
    exact.untyped = untyped_exact
    return Evaluation(
        char=char,
        span_exact=exact,
        span_overlap=overlap,
        types=tuple(sorted(scored)),
        documents=len(gold),
        confusion={t: dict(c.most_common()) for t, c in sorted(confusion.items()) if c},
        ignored_predictions=dict(ignored),
    )
