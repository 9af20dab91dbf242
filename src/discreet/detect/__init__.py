"""Detection of personal data in text: taxonomy, recognizers, NER backends, the Detector."""

from discreet.detect.base import Finding, KnownSubject, Recognizer
from discreet.detect.config import DenyPattern, DetectorConfig, NerConfig
from discreet.detect.detector import DetectionError, Detector, InputTooLarge
from discreet.detect.entities import ENTITY_INFO, DataCategory, EntityType, Sensitivity
from discreet.detect.registry import RecognizerRegistry

__all__ = [
    "ENTITY_INFO",
    "DataCategory",
    "DenyPattern",
    "DetectionError",
    "Detector",
    "DetectorConfig",
    "EntityType",
    "Finding",
    "InputTooLarge",
    "KnownSubject",
    "NerConfig",
    "Recognizer",
    "RecognizerRegistry",
    "Sensitivity",
]
