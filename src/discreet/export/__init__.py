"""Consent-filtered, anonymised training exports (Parquet and OpenAI chat JSONL) on all
cores of one machine or on a Ray cluster; see :mod:`discreet.export.training`."""

from discreet.export.config import ExportConfig
from discreet.export.records import ExportRecords
from discreet.export.training import TrainingRequest, TrainingResult, run_training

__all__ = ["ExportConfig", "ExportRecords", "TrainingRequest", "TrainingResult", "run_training"]
