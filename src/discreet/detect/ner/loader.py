"""Build the NER backend a `NerConfig` names."""

from __future__ import annotations

from discreet.detect.config import NerConfig
from discreet.detect.ner.base import NerBackend


def load_backend(config: NerConfig) -> NerBackend | None:
    if config.backend == "none":
        return None
    raise NotImplementedError(f"NER backend {config.backend!r} is not available yet")
