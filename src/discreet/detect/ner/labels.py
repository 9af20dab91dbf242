"""Mapping NER labels of any model onto the discreet taxonomy.

Models name their labels differently: spaCy's English pipelines use PERSON/GPE/LOC/ORG/FAC,
WikiNER-style and most Hugging Face models PER/LOC/ORG/MISC, discreet's own model the
taxonomy names. Labels not in the map (DATE, MONEY, MISC, ...) are dropped: dates, amounts
and the like are found by the pattern recognizers, which validate what they find.
"""

from __future__ import annotations

from collections.abc import Mapping

from discreet.detect.entities import EntityType

DEFAULT_LABEL_MAP: dict[str, EntityType] = {
    "PERSON": EntityType.PERSON,
    "PER": EntityType.PERSON,
    "PERS": EntityType.PERSON,
    "LOCATION": EntityType.LOCATION,
    "LOC": EntityType.LOCATION,
    "GPE": EntityType.LOCATION,
    "CITY": EntityType.LOCATION,
    "ORGANIZATION": EntityType.ORGANIZATION,
    "ORGANISATION": EntityType.ORGANIZATION,
    "ORG": EntityType.ORGANIZATION,
    "STREET_ADDRESS": EntityType.STREET_ADDRESS,
    "ADDRESS": EntityType.STREET_ADDRESS,
    "STREET": EntityType.STREET_ADDRESS,
    "FAC": EntityType.STREET_ADDRESS,
}

# spaCy's NER (and the built-in entity tagger's decoded tags) give no usable probabilities,
# so a spaCy finding carries a fixed score per type. 0.85 sits above the detector's default
# threshold (0.4) and NER's min_score (0.3), and below validated patterns (0.95+), which
# therefore win overlaps.
FIXED_SCORE = 0.85


def build_label_map(overrides: Mapping[str, EntityType] | None = None) -> dict[str, EntityType]:
    """The default map with `overrides` (NerConfig.label_map) on top; keys are upper-cased."""
    merged = dict(DEFAULT_LABEL_MAP)
    for label, etype in (overrides or {}).items():
        merged[label.strip().upper()] = etype
    return merged
