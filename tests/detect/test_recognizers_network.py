"""E-mail addresses, IPv4/IPv6 addresses, MAC addresses and URLs."""

from __future__ import annotations

import pytest

from discreet.detect import Detector, DetectorConfig, EntityType, NerConfig
from discreet.detect.base import DetectionInput
from discreet.detect.registry import RecognizerRegistry

THRESHOLD = DetectorConfig().threshold
REGISTRY = RecognizerRegistry.default()


def values(name: str, text: str, language: str = "en") -> list[str]:
    findings = list(REGISTRY.get(name).analyze(DetectionInput(text, language)))
    assert all(f.score >= THRESHOLD for f in findings)
    return [f.value(text) for f in findings]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mail jan.de-vries+shop@example.co.uk today", ["jan.de-vries+shop@example.co.uk"]),
        ("Schreiben Sie an hans.mueller@beispiel.de.", ["hans.mueller@beispiel.de"]),
        ("(marie@exemple.fr)", ["marie@exemple.fr"]),
    ],
)
def test_email(text: str, expected: list[str]) -> None:
    assert values("email", text) == expected


@pytest.mark.parametrize("text", ["report@v1.2", "user@localhost", "a..b@example.com", "@handle"])
def test_email_negatives(text: str) -> None:
    assert values("email", text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("login from 192.168.1.20 failed", ["192.168.1.20"]),
        ("IP-Adresse: 8.8.8.8.", ["8.8.8.8"]),
        (
            "server 2001:db8::1 and fe80::1ff:fe23:4567:890a",
            ["2001:db8::1", "fe80::1ff:fe23:4567:890a"],
        ),
        ("mapped ::ffff:192.0.2.1 ok", ["::ffff:192.0.2.1"]),
    ],
)
def test_ip_addresses(text: str, expected: list[str]) -> None:
    assert values("ip_address", text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "999.1.1.1 is not an address",
        "version 1.2.3.4 released",
        "v2.3.1 and 1.2.3",
        "meet at 14:30:00 or 12:45",
        "price 1.234.567,89",
    ],
)
def test_ip_negatives(text: str) -> None:
    assert values("ip_address", text) == []


@pytest.mark.parametrize("mac", ["00:1A:2B:3C:4D:5E", "00-1a-2b-3c-4d-5e", "001a.2b3c.4d5e"])
def test_mac_addresses(mac: str) -> None:
    assert values("mac_address", f"device {mac} connected") == [mac]


def test_mac_negatives() -> None:
    assert values("mac_address", "at 14:30:00, code 00:1A:2B:3C:4D and 00:1A-2B:3C:4D:5E") == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "see https://shop.example.com/orders/12345?ref=mail.",
            "https://shop.example.com/orders/12345?ref=mail",
        ),
        ("(link: http://example.nl/a_(b))", "http://example.nl/a_(b)"),
        ("ga naar www.voorbeeld.nl, dank", "www.voorbeeld.nl"),
        # A profile on a social network, pasted without "https://" or "www.".
        ("my linkedin is linkedin.com/in/jan-de-vries-1.", "linkedin.com/in/jan-de-vries-1"),
        ("zie instagram.com/sanne.bakker voor foto's", "instagram.com/sanne.bakker"),
        ("mein Profil: de.linkedin.com/in/anna-mueller", "de.linkedin.com/in/anna-mueller"),
    ],
)  # fmt: skip
def test_urls(text: str, expected: str) -> None:
    assert values("url", text) == [expected]


def test_url_negatives() -> None:
    assert values("url", "file report.pdf, version v2.3.1, mail jan@example.nl") == []
    # A bare address of any other site, or a network's name alone, is no profile.
    assert values("url", "see example.com/help or linkedin.com and mail jan@x.com/") == []


def test_email_inside_text_is_an_email_not_a_url() -> None:
    detector = Detector(DetectorConfig(ner=NerConfig(backend="none")))
    text = "contact jan@example.nl or https://example.nl/contact"
    got = [(f.type, f.value(text)) for f in detector.detect(text, "en")]
    assert got == [
        (EntityType.EMAIL_ADDRESS, "jan@example.nl"),
        (EntityType.URL, "https://example.nl/contact"),
    ]


@pytest.mark.parametrize(
    "link",
    [
        "https://shop.example.be/reset-password?token=6a5180e6787d403039a59023",
        "https://auth.example.com/callback?state=x1&code=SplxlOBeZQQYbYS6WxSbIA",
        "https://files.example.nl/share?id=7&sig=c2lnbmF0dXJl",
    ],
)
def test_a_link_carrying_a_credential_is_masked_whole(link: str) -> None:
    # Whoever holds the link gets in: the whole link is replaced, not the token alone (the
    # secret recognizer finds "token=..." too, and scores it below the link).
    detector = Detector(DetectorConfig(ner=NerConfig(backend="none")))
    text = f"Use this link: {link} to continue"
    assert [(f.type, f.value(text)) for f in detector.detect(text, "en")] == [
        (EntityType.URL, link)
    ]


def test_a_link_without_a_credential_keeps_the_plain_score() -> None:
    text = "see https://example.com/a?page=2&sort=asc ok"
    [finding] = REGISTRY.get("url").analyze(DetectionInput(text, "en"))
    assert finding.score == 0.85
