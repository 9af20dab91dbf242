"""The interface every NER backend implements (built-in model, spaCy pipeline, Hugging Face)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence

from discreet.detect.base import Finding
from discreet.errors import Unavailable


class NerLoadError(Unavailable, RuntimeError):
    """A configured NER backend could not be loaded (missing model, missing extra, bad files).

    The message names what is missing and how to fix it; it never contains text being analysed.
    """


class NerBackend(ABC):
    """Statistical named-entity recognition for the types patterns cannot find.

    Returns findings with taxonomy types (PERSON, STREET_ADDRESS, LOCATION, ORGANIZATION,
    ...); the backend maps its own label set onto the taxonomy.
    """

    name: str = "ner"

    @abstractmethod
    def predict(self, texts: Sequence[str], languages: Sequence[str]) -> list[list[Finding]]:
        """Findings for each text, in order. Batching is the backend's business."""
