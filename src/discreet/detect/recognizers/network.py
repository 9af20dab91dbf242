"""Network identifiers: IPv4 and IPv6 addresses, MAC addresses, URLs."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator

from discreet.detect.base import DetectionInput, Finding, Pattern, PatternRecognizer
from discreet.detect.context import all_languages
from discreet.detect.entities import EntityType
from discreet.detect.registry import builtin

_IPV4 = re.compile(r"\d(?<![\w.:]\d)\d{0,2}\.(?:\d{1,3}\.){2}\d{1,3}(?![\w]|\.\d)")
# Hex groups and colons, with an optional dotted IPv4 tail ("::ffff:192.0.2.1");
# `ipaddress` decides. Times such as 14:30:00 never parse as IPv6.
_IPV6 = re.compile(
    r"(?<![\w:.])(?:[0-9A-Fa-f]{0,4}:){2,7}(?:[0-9A-Fa-f]{1,4}|(?:\d{1,3}\.){3}\d{1,3})?"
    r"(?![\w:]|\.\d)"
)
# A version number before the dotted quad ("version 1.2.3.4") makes it a version.
_VERSION_BEFORE = re.compile(r"(?:version|versie|versión|v)\s*$", re.IGNORECASE)

_MAC = re.compile(
    r"(?<![\w:.-])(?:[0-9A-Fa-f]{2}([:-])(?:[0-9A-Fa-f]{2}\1){4}[0-9A-Fa-f]{2}"
    r"|[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4})(?![\w:.-])"
)

# Social networks whose addresses name a person's profile: customers paste them without
# "https://" or "www." ("linkedin.com/in/jan-de-vries", "instagram.com/sanne.bakker").
_PROFILE_HOSTS = (
    "linkedin.com", "facebook.com", "fb.com", "instagram.com", "twitter.com", "x.com",
    "tiktok.com", "youtube.com", "github.com", "threads.net", "pinterest.com", "snapchat.com",
)  # fmt: skip
_PROFILE = "|".join(re.escape(host) for host in _PROFILE_HOSTS)
# http(s) and ftp URLs, bare "www." hosts and bare profile addresses; the span stops before
# trailing punctuation.
_URL = re.compile(
    rf"(?<![\w@/.])(?:(?:https?|ftp)://|www\.|(?:[a-z]{{2}}\.)?(?:{_PROFILE})/(?=[\w@]))"
    r"[^\s<>\"'`]+",
    re.IGNORECASE,
)
_URL_TRAILING = ".,;:!?'\")]}>"
# A link that carries a credential in its query ("…/reset-password?token=6a51…") is the
# credential: whoever holds the link gets in. It outranks the secret recognizer's finding of
# the token alone (0.9), so the whole link is replaced, host and path included.
_CREDENTIAL_QUERY = re.compile(
    r"[?&#](?:token|access_token|reset_token|auth|key|api_key|apikey|code|password|pwd|"
    r"secret|sig|signature|session|sessionid|sid)=[^&#\s]",
    re.IGNORECASE,
)
SCORE_URL = 0.85
SCORE_BARE_URL = 0.75
SCORE_CREDENTIAL_URL = 0.95


def _is_ipv4(candidate: str) -> bool:
    try:
        ipaddress.IPv4Address(candidate)
    except ValueError:
        return False
    return True


def _is_ipv6(candidate: str) -> bool:
    # Needs at least one hex digit: "::" alone or "a::" style words are not addresses.
    if sum(ch.isalnum() for ch in candidate) < 2:
        return False
    try:
        ipaddress.IPv6Address(candidate)
    except ValueError:
        return False
    return True


@builtin
class IpAddressRecognizer(PatternRecognizer):
    def __init__(self) -> None:
        super().__init__(
            "ip_address",
            EntityType.IP_ADDRESS,
            [Pattern(_IPV4, 0.85, _is_ipv4), Pattern(_IPV6, 0.85, _is_ipv6)],
            context=all_languages("IP_ADDRESS"),
            context_boost=0.1,
        )

    def analyze(self, item: DetectionInput) -> Iterator[Finding]:
        text = item.text
        ipv4, ipv6 = self.patterns
        if "." in text:
            for match in ipv4.regex.finditer(text):
                start, end = match.span()
                if _is_ipv4(match[0]) and not _VERSION_BEFORE.search(
                    text, max(0, start - 10), start
                ):
                    yield self._finding(item, start, end)
        if text.count(":") >= 2:
            for match in ipv6.regex.finditer(text):
                if _is_ipv6(match[0]):
                    yield self._finding(item, *match.span())

    def _finding(self, item: DetectionInput, start: int, end: int) -> Finding:
        score = self.boosted(item, start, end, 0.85)
        return Finding(start, end, EntityType.IP_ADDRESS, score, self.name)


@builtin
class MacAddressRecognizer(PatternRecognizer):
    def __init__(self) -> None:
        super().__init__(
            "mac_address",
            EntityType.MAC_ADDRESS,
            [Pattern(_MAC, 0.85)],
            context=all_languages("MAC_ADDRESS"),
            context_boost=0.1,
        )

    def analyze(self, item: DetectionInput) -> Iterator[Finding]:
        text = item.text
        # Six hex pairs need five separators of one kind (or two dots, Cisco style).
        if text.count(":") < 5 and text.count("-") < 5 and text.count(".") < 2:
            return
        yield from super().analyze(item)


@builtin
class UrlRecognizer(PatternRecognizer):
    def __init__(self) -> None:
        super().__init__("url", EntityType.URL, patterns=())

    def analyze(self, item: DetectionInput) -> Iterator[Finding]:
        text = item.text
        lower = item.lower
        if (
            "://" not in text
            and "www." not in lower
            and ".com/" not in lower
            and ".net/" not in lower
        ):
            return
        for match in _URL.finditer(text):
            start, end = match.span()
            end = _trim_url(text, start, end)
            if end - start < 8:
                continue
            if _CREDENTIAL_QUERY.search(text, start, end):
                score = SCORE_CREDENTIAL_URL
            elif "://" in text[start:end]:
                score = SCORE_URL
            else:
                score = SCORE_BARE_URL  # "www.", a profile
            yield Finding(start, end, EntityType.URL, score, self.name)


def _trim_url(text: str, start: int, end: int) -> int:
    """Drop sentence punctuation after a URL, keeping a ")" that closes one in the URL."""
    while end > start and text[end - 1] in _URL_TRAILING:
        if text[end - 1] == ")" and text.count("(", start, end) >= text.count(")", start, end):
            break
        end -= 1
    return end
