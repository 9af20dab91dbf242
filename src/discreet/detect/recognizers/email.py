"""E-mail addresses."""

from __future__ import annotations

import re
from collections.abc import Iterable

from discreet.detect.base import DetectionInput, Finding, Pattern, PatternRecognizer
from discreet.detect.entities import EntityType
from discreet.detect.registry import builtin

# Local part and domain per RFC 5322's common subset; the TLD must be letters, 2-24 long,
# which rules out version strings and file names such as "report@v1.2".
_EMAIL = re.compile(
    r"(?<![\w.+-])[A-Za-z0-9](?:[A-Za-z0-9._%+-]{0,62}[A-Za-z0-9_%+-])?"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24}(?![\w-])"
)


def _valid(candidate: str) -> bool:
    local, _, domain = candidate.rpartition("@")
    return ".." not in local and ".." not in domain and len(candidate) <= 254


@builtin
class EmailRecognizer(PatternRecognizer):
    # The regex tries a local part at every letter and digit before it can fail on the
    # missing "@"; most texts hold no "@" at all, and one search rules them out.
    trigger = re.compile("@")

    def __init__(self) -> None:
        super().__init__("email", EntityType.EMAIL_ADDRESS, [Pattern(_EMAIL, 0.95, _valid)])


# Addresses written to dodge harvesters: "jp.lefevre(at)free.fr", "jan [at] example [dot]
# nl", "anna at example dot com". The bracketed forms are unambiguous; the spelled-out
# " at ... dot " form needs a "dot" as well.
_LOCAL = r"[A-Za-z0-9](?:[A-Za-z0-9._%+-]{0,62}[A-Za-z0-9_%+-])?"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_AT_BRACKETED = r"\s*[(\[{<]\s*(?:at|@)\s*[)\]}>]\s*"
_DOT_ANY = (
    r"(?:\.|\s*[(\[{<]\s*(?:dot|punt|punkt|point)\s*[)\]}>]\s*|\s+(?:dot|punt|punkt|point)\s+)"
)
_DOT_SPELLED = r"\s+(?:dot|punt|punkt)\s+"
# After a spelled-out " dot ", only a common top-level domain: "left at this point lol".
_TLD_SPELLED = r"(?:com|net|org|info|io|eu|nl|be|de|fr|lu|ch|at|uk|co|us|ca|es|it|dk|se|no)"
_OBFUSCATED = re.compile(
    rf"(?<![\w.+-]){_LOCAL}(?:{_AT_BRACKETED}(?:{_LABEL}{_DOT_ANY})+"
    rf"|\s+(?:at|@)\s+(?:{_LABEL}{_DOT_SPELLED})+(?={_TLD_SPELLED}(?![\w-])))"
    rf"[A-Za-z]{{2,24}}(?![\w-])",
    re.IGNORECASE,
)
_HINT = re.compile(
    r"\(at\)|\[at\]|\{at\}|<at>|[(\[{<]\s*@\s*[)\]}>]| dot | punt | punkt | point ", re.IGNORECASE
)

SCORE_OBFUSCATED = 0.85


@builtin
class ObfuscatedEmailRecognizer(PatternRecognizer):
    """E-mail addresses with "(at)" / "[dot]" / " at ... dot " for "@" and "."."""

    def __init__(self) -> None:
        super().__init__(
            "email_obfuscated",
            EntityType.EMAIL_ADDRESS,
            [Pattern(_OBFUSCATED, SCORE_OBFUSCATED)],
        )

    def analyze(self, item: DetectionInput) -> Iterable[Finding]:
        if _HINT.search(item.text) is None:
            return ()
        return super().analyze(item)
