"""What a training export does, as one validated object (CLI flags or a YAML file).

Defaults are the strict ones (ARCHITECTURE principle 2): timestamps rounded to the week,
k = 10, at most 1 message in 100 with a residual finding, every quasi-identifier checked.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from discreet.detect.config import DetectorConfig

TimestampMode = Literal["drop", "shift", "day", "week"]
QuasiIdentifier = Literal["assistant", "language", "period", "turns"]
ALL_QUASI_IDENTIFIERS: tuple[QuasiIdentifier, ...] = ("period", "turns", "language", "assistant")
"""Also the order in which k-anonymity generalises them: the period first (it says least
about what the conversation was), the assistant last."""


class ExportConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    timestamps: TimestampMode = Field(
        default="week",
        description="drop: no times; shift: every time of a conversation moved by one "
        "random offset (up to shift_days), gaps kept; day/week: rounded down.",
    )
    shift_days: int = Field(default=30, ge=1, le=3650)
    k: int = Field(default=10, ge=1, description="Smallest group of equal quasi-identifiers.")
    max_suppressed: float = Field(
        default=0.05,
        ge=0.0,
        le=1.0,
        description="k-anonymity drops at most this share of rows; beyond it, it "
        "generalises quasi-identifiers further instead.",
    )
    quasi_identifiers: list[QuasiIdentifier] = Field(
        default_factory=lambda: list(ALL_QUASI_IDENTIFIERS)
    )
    max_residual_rate: float = Field(
        default=0.01,
        ge=0.0,
        le=1.0,
        description="The export fails when more than this share of messages still has a "
        "finding after anonymisation (second detection pass).",
    )
    residual_threshold: float = Field(
        default=0.3,
        ge=0.0,
        le=1.0,
        description="Score threshold of the second pass (over every entity type): lower than "
        "the anonymiser's, so "
        "it sees what the first pass let through as too uncertain.",
    )
    partition_size: int = Field(default=1000, ge=1, le=1_000_000)
    detector: DetectorConfig = Field(default_factory=DetectorConfig)
