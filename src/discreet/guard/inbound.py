"""Signals in customer messages: prompt injection and fishing for other people's data.

Patterns in English, Dutch, German and French, matched case-insensitively on the customer's
own messages. A hit is recorded (by name, never with the text) in the turn's audit record
so an operator can spot abuse. It does not block the turn: an injection cannot succeed
where it matters, because the assistant's context holds only this subject's minimised,
pseudonymised data and the output guard blocks any other subject's identifiers.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from enum import StrEnum


class InboundSignal(StrEnum):
    PROMPT_INJECTION = "prompt_injection"
    DATA_FISHING = "data_fishing"


_DATA = (
    r"(?:e-?mail(?:\s*address)?|address|phone(?:\s*number)?|telephone|iban|bank\s*account|"
    r"date\s*of\s*birth|birthday|details|data|password)"
)
_DATA_NL = r"(?:e-?mail(?:adres)?|adres|telefoonnummer|iban|rekeningnummer|geboortedatum|gegevens)"
_DATA_DE = (
    r"(?:e-?mail(?:-?adresse)?|adresse|anschrift|telefonnummer|iban|kontonummer|"
    r"geburtsdatum|daten)"
)
_DATA_FR = (
    r"(?:e-?mail|adresse(?:\s*e-?mail)?|num[ée]ro(?:\s*de\s*t[ée]l[ée]phone)?|iban|"
    r"coordonn[ée]es|date\s*de\s*naissance|donn[ée]es)"
)

_INJECTION = [
    # English
    r"\b(?:ignore|disregard|forget|override)\s+(?:all\s+|any\s+|the\s+|your\s+)*"
    r"(?:previous|prior|above|earlier|preceding|system)\s+(?:instructions?|prompts?|rules|messages?)",
    r"\b(?:reveal|show|print|repeat)\s+(?:me\s+)?(?:your|the)\s+(?:system\s+)?(?:prompt|instructions)",
    r"\byou\s+are\s+now\s+(?:in\s+)?(?:developer|dan|jailbreak|admin)",
    r"\b(?:developer|god|admin)\s+mode\b",
    r"\bjailbreak\b",
    # Dutch
    r"\b(?:negeer|vergeet)\s+(?:alle\s+|de\s+|je\s+|jouw\s+)*(?:vorige|eerdere|bovenstaande)?\s*"
    r"(?:instructies|opdrachten|regels)",
    # German
    r"\b(?:ignoriere|ignorieren\s+sie|vergiss|vergessen\s+sie)\s+(?:alle\s+|die\s+|deine\s+|ihre\s+)*"
    r"(?:vorherigen|bisherigen|obigen|fr[üu]heren)?\s*(?:anweisungen|instruktionen|regeln)",
    # French
    r"\b(?:ignore[zr]?|oublie[zr]?)\s+(?:toutes\s+)?(?:les|tes|vos)\s+(?:instructions|consignes|r[èe]gles)",
]

_FISHING = [
    # English: "what is the address of customer X", "give me the email of ..."
    rf"\b(?:what\s+is|what's|give\s+me|tell\s+me|send\s+me|show\s+me|list)\s+(?:the\s+)?{_DATA}\s+"
    r"(?:of|for|from)\b",
    rf"\b{_DATA}\s+of\s+(?:another|other|a\s+different|the\s+other|some)?\s*"
    r"(?:customers?|clients?|users?|persons?|people)\b",
    r"\b(?:other|another|all)\s+(?:customers?|clients?|users?)(?:'s|')?\s+"
    r"(?:data|details|e-?mails?|addresses|phone|orders)",
    # Dutch
    rf"\b{_DATA_NL}\s+van\s+(?:een\s+)?(?:andere\s+)?(?:klant|klanten|gebruiker|persoon)\b",
    rf"\b(?:geef|stuur|noem)\s+(?:me|mij)\s+(?:het|de)\s+{_DATA_NL}\s+van\b",
    rf"\bwat\s+is\s+(?:het|de)\s+{_DATA_NL}\s+van\b",
    # German
    rf"\b{_DATA_DE}\s+(?:des|der|von|eines)\s+(?:anderen\s+)?(?:kunden|kundin|nutzers|person)\b",
    rf"\b(?:gib|geben\s+sie|nenne|sag)\s+(?:mir\s+)?(?:die|das|den)\s+{_DATA_DE}\s+(?:von|des|der)\b",
    rf"\bwie\s+(?:ist|lautet)\s+(?:die|das|der)\s+{_DATA_DE}\s+(?:von|des|der)\b",
    # French
    rf"\b{_DATA_FR}\s+d(?:e|u|')\s*(?:un\s+|une\s+|l')?(?:autre\s+)?(?:client|cliente|utilisateur|personne)\b",
    rf"\b(?:donne[zs]?|envoie[zs]?)[\s-]+moi\s+(?:l'|le\s+|la\s+|les\s+)\s*{_DATA_FR}\s+d[eu']",
    rf"\bquel(?:le)?\s+est\s+(?:l'|le\s+|la\s+)\s*{_DATA_FR}\s+d[eu']",
]


def _any_of(patterns: list[str]) -> re.Pattern[str]:
    # One alternation per signal: one pass over the text instead of one per pattern
    # (three times faster on a turn's messages, and a hit for any pattern is a hit).
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)


_SIGNALS: tuple[tuple[InboundSignal, re.Pattern[str]], ...] = (
    (InboundSignal.PROMPT_INJECTION, _any_of(_INJECTION)),
    (InboundSignal.DATA_FISHING, _any_of(_FISHING)),
)


def scan_inbound(texts: Iterable[str]) -> frozenset[InboundSignal]:
    """The signals found in any of `texts` (the customer's messages)."""
    found: set[InboundSignal] = set()
    for text in texts:
        for signal, pattern in _SIGNALS:
            if signal not in found and pattern.search(text):
                found.add(signal)
    return frozenset(found)
