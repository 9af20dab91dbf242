"""Detector configuration (typed; loaded from the policy file or built in code)."""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field, field_validator

from discreet.detect.entities import SUPPORTED_LANGUAGES, EntityType


class DenyPattern(BaseModel):
    """An organisation's own identifier format that is personal data, e.g. customer numbers."""

    model_config = ConfigDict(extra="forbid")

    type: EntityType
    pattern: str = Field(description="A Python regular expression; the whole match is the entity.")
    score: float = Field(default=0.95, ge=0.0, le=1.0)
    name: str | None = Field(default=None, description="Shown as the recognizer of its findings.")

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, value: str) -> str:
        try:
            compiled = re.compile(value)
        except re.error as exc:
            raise ValueError(f"not a valid regular expression: {exc}") from None
        if compiled.match(""):
            raise ValueError("pattern matches the empty string")
        return value


RECALL_BIAS: dict[str, float] = {"nl": 2.0, "de": 2.0, "en": 0.5}
"""The built-in tagger's default lean towards names and places, per language (see
`NerConfig.recall_bias`); languages not named decode as trained."""
INFORMAL_RECALL_BIAS: dict[str, float] = {"en": 2.0}
"""The lean for informal text, per language, in place of `RECALL_BIAS` there (see
`NerConfig.informal_recall_bias`)."""
MAX_RECALL_BIAS = 5.0
"""Beyond this the tagger would call almost every capitalised word a name."""


def _per_language(field: str, value: dict[str, float], low: float, high: float) -> dict[str, float]:
    """`value` checked as a map from a supported language to a number in [low, high]."""
    for language, number in value.items():
        if language not in SUPPORTED_LANGUAGES:
            raise ValueError(
                f"{field}: {language!r} is not one of {', '.join(SUPPORTED_LANGUAGES)}"
            )
        if not low <= number <= high:
            raise ValueError(f"{field}[{language!r}] must be between {low:g} and {high:g}")
    return value


class NerConfig(BaseModel):
    """Which statistical NER backend to run.

    `backend`: "builtin" (the model shipped with discreet), "spacy" (`model` is an installed
    pipeline name or a directory), "hf" (`model` is a local Hugging Face token-classification
    directory), or "none".

    `min_score`: the model's findings scoring below this are dropped; for them it stands in
    for the detector's `threshold`, which cuts the recognizers' findings. The built-in
    model's scores are calibrated probabilities of being right, and where a missed name
    leaks, one right a quarter of the time is still worth a placeholder (F2 weighs recall
    four times; its best cut on calibrated scores is near F2/5, 0.15-0.2 here). 0.3
    against 0.4 gained mean F2 +0.004 on 600 held-out texts of each of the ten public dev
    splits; 0.25 against 0.3 changes nothing in English and French, where the model
    emits almost nothing under 0.3, and keeps what the Dutch and German decoding's lean
    (`recall_bias`) adds. 0.15 since the model embeds each word's standing in the word,
    name and place lists (2026-12-08): it is surer of what it keeps and scores more of
    the German and Dutch names it finds between 0.15 and 0.25; on the held-out texts mean
    F2 0.8642 at 0.25, 0.8669 at 0.2, 0.8686 at 0.15, 0.8685 at 0.1 (German news recall
    0.823 -> 0.856, GermEval 0.767 -> 0.804); English and French do not move, nor did the
    model before it (0.8599 -> 0.8601). `informal_min_score`:
    per language, the same cut for informal text (social media, quick chat: see
    `discreet.detect.register`), where the model's right findings score lower; there it
    stands in for `min_score`. Languages
    not named use `min_score`. Empty by default: on WNUT-17's held-out dev texts an English
    cut of 0.3 gained recall +0.002 for precision -0.004 (the model's findings under 0.4 in
    tweets are as often "Coward" as "marvin"), and on Dutch chat it let street names through
    as people ("Oude Gracht").

    `recall_bias`: per language, log-odds the built-in tagger adds to its name and place
    tags before choosing each word's tag (`FusedTagger.predict`). The tagger was trained to
    choose the likeliest tag; where a missed name leaks and an extra placeholder costs
    little, the choice may lean towards names and places. The scores stay the model's own
    probabilities, calibrated per language on this decoding (`training/calibrate_ner.py`
    fits the map with the default bias; recalibrate after changing it for good), and
    `min_score` still cuts. Default 2 for Dutch and German: with the cut at 0.25, on 300
    held-out dev texts per public split (names and places, typed), F2 +0.023 German news,
    +0.017 GermEval, +0.010 Dutch news, +0.006 / +0.003 Dutch / German Wikipedia,
    precision -0.02 to -0.17 (still three to five times Presidio's there). English 0.5,
    with the map refitted on that decoding: on 600 held-out dev texts per split, F2 +0.005
    English Wikipedia, +0.004 English news, +0.001 web text, +0.003 social media (whose
    edited messages decode with it), precision -0.003 to -0.009 (social media +0.015),
    above Presidio's on the measured texts (web text 0.777 vs 0.763); 1.0 cost web text
    precision 0.03.
    French decodes as trained: its precision is within 0.005 of Presidio's, and 0.5
    cost 0.01. A map replaces the default whole: languages it does not name decode as
    trained (0).

    `informal_recall_bias`: per language, the lean for informal text (social media, quick
    chat: `discreet.detect.register`), in place of `recall_bias` there. Default 2 for
    English: informal English names come in lower case and the plain decoding misses them.
    On 300 held-out dev texts: social media F2 +0.020 (recall +0.024, precision -0.003),
    web text +0.003, news and Wikipedia unchanged (1-2 % of their texts read as informal).
    Pipelines other than the built-in model's architecture decode as trained whatever
    this says.
    """

    model_config = ConfigDict(extra="forbid")

    backend: str = "builtin"
    model: str | None = None
    min_score: float = Field(default=0.15, ge=0.0, le=1.0)
    informal_min_score: dict[str, float] = Field(default_factory=dict)
    recall_bias: dict[str, float] = Field(default_factory=lambda: dict(RECALL_BIAS))
    informal_recall_bias: dict[str, float] = Field(
        default_factory=lambda: dict(INFORMAL_RECALL_BIAS)
    )
    label_map: dict[str, EntityType] = Field(default_factory=dict)

    @field_validator("backend")
    @classmethod
    def _known_backend(cls, value: str) -> str:
        if value not in {"builtin", "spacy", "hf", "none"}:
            raise ValueError("backend must be one of: builtin, spacy, hf, none")
        return value

    @field_validator("informal_min_score")
    @classmethod
    def _cuts(cls, value: dict[str, float]) -> dict[str, float]:
        return _per_language("informal_min_score", value, 0.0, 1.0)

    @field_validator("recall_bias")
    @classmethod
    def _biases(cls, value: dict[str, float]) -> dict[str, float]:
        return _per_language("recall_bias", value, 0.0, MAX_RECALL_BIAS)

    @field_validator("informal_recall_bias")
    @classmethod
    def _informal_biases(cls, value: dict[str, float]) -> dict[str, float]:
        return _per_language("informal_recall_bias", value, 0.0, MAX_RECALL_BIAS)

    def informal_cut(self, language: str) -> float | None:
        """The cut for informal text in `language`; None: it has none of its own."""
        return self.informal_min_score.get(language)

    @property
    def floor(self) -> float:
        """The lowest cut: what the backend itself must keep for the detector to choose."""
        return min([self.min_score, *self.informal_min_score.values()])


class DetectorConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    threshold: float = Field(
        default=0.4,
        ge=0.0,
        le=1.0,
        description="The recognizers' findings scoring below this are dropped (the NER "
        "model's have their own cut, ner.min_score). Low by default: a missed name leaks, an "
        "extra placeholder costs little.",
    )
    entities: list[EntityType] | None = Field(
        default=None, description="Only report these types; None reports every type."
    )
    allow_list: list[str] = Field(
        default_factory=list,
        description="Terms that are never personal data here (company, product names); "
        "matched case-insensitively against a finding's whole text.",
    )
    allow_patterns: list[str] = Field(default_factory=list)
    deny_list: list[DenyPattern] = Field(default_factory=list)
    ner: NerConfig = Field(default_factory=NerConfig)
    default_language: str = "en"
    max_chars: int = Field(
        default=200_000,
        gt=0,
        description="Longer texts are refused with InputTooLarge rather than slowing everyone.",
    )

    @field_validator("default_language")
    @classmethod
    def _supported(cls, value: str) -> str:
        if value not in SUPPORTED_LANGUAGES:
            raise ValueError(f"default_language must be one of {', '.join(SUPPORTED_LANGUAGES)}")
        return value

    @field_validator("allow_patterns")
    @classmethod
    def _patterns_compile(cls, values: list[str]) -> list[str]:
        for i, value in enumerate(values):
            try:
                re.compile(value)
            except re.error as exc:
                raise ValueError(f"allow_patterns[{i}] is not a valid regex: {exc}") from None
        return values
