"""Social media handles written with their "@"."""

from __future__ import annotations

import pytest

from discreet.detect import Detector, EntityType
from discreet.detect.base import DetectionInput
from discreet.detect.registry import RecognizerRegistry

REGISTRY = RecognizerRegistry.default()


def handles(text: str, language: str = "en") -> list[str]:
    recognizer = REGISTRY.get("social_handle")
    return [f.value(text) for f in recognizer.analyze(DetectionInput(text, language))]


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        ("en", "@maria_gonzalez88 thanks for the quick reply!", ["@maria_gonzalez88"]),
        ("nl", "mijn insta is @sanne.bakker.", ["@sanne.bakker"]),
        ("de", "Danke @lisa_m und @JonasK!", ["@lisa_m", "@JonasK"]),
        ("fr", "(cc @camille.durand)", ["@camille.durand"]),
    ],
)
def test_a_handle_with_its_at_sign_is_a_username(
    language: str, text: str, expected: list[str]
) -> None:
    assert handles(text, language) == expected


@pytest.mark.parametrize(
    "text",
    [
        "mail me at jan@example.com",  # an address, not a handle
        "see you @ 5pm",
        "two for €20 @10 each",  # a price
        "@here @everyone the shop opens late",  # a chat tool's groups
        "I'm @home now",
        "https://medium.com/@author/post",  # inside a URL
    ],
)
def test_addresses_prices_and_words_are_no_handles(text: str) -> None:
    assert handles(text) == []


def test_the_detector_masks_a_handle_and_a_profile_link() -> None:
    text = "Ik ben @sanne.bakker, ook op linkedin.com/in/sanne-bakker"
    found = [(f.value(text), f.type) for f in Detector().detect(text, language="nl")]
    assert ("@sanne.bakker", EntityType.USERNAME) in found
    assert ("linkedin.com/in/sanne-bakker", EntityType.URL) in found
