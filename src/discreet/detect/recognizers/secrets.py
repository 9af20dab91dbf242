"""Secrets: API keys with known prefixes, JWTs, bearer tokens, PEM private keys, and
passwords or PINs after a word that announces them ("password: hunter2").

Only the secret is the span: "Bearer abc..." reports the token, "wachtwoord is Zomer2024!"
reports the password. Provider prefixes make keys unambiguous; a password is recognised
only from its announcing word, and "my password is not working" is not a password.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from discreet.detect.base import LETTERS, DetectionInput, Finding, PatternRecognizer
from discreet.detect.context import Typos, phrases
from discreet.detect.entities import EntityType
from discreet.detect.recognizers._scan import windows
from discreet.detect.registry import builtin

_TOKEN_END = r"(?![\w-])"

# (subtype, markers, regex, score): the regex runs only when a marker is in the text.
# Subtypes name the provider so a guard can say what leaked.
_KEYS: tuple[tuple[str, tuple[str, ...], str, float], ...] = (
    ("OPENAI_KEY", ("sk-",),
     r"(?<![\w-])sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}" + _TOKEN_END, 0.95),
    ("STRIPE_KEY", ("sk_", "pk_", "rk_"),
     r"(?<![\w-])(?:sk|pk|rk)_(?:live|test)_[A-Za-z0-9]{16,}" + _TOKEN_END, 0.95),
    ("STRIPE_WEBHOOK_SECRET", ("whsec_",),
     r"(?<![\w-])whsec_[A-Za-z0-9]{24,}" + _TOKEN_END, 0.95),
    ("GITHUB_TOKEN", ("ghp_", "gho_", "ghu_", "ghs_", "ghr_"),
     r"(?<![\w-])gh[pousr]_[A-Za-z0-9]{36,255}" + _TOKEN_END, 0.95),
    ("GITHUB_TOKEN", ("github_pat_",),
     r"(?<![\w-])github_pat_[A-Za-z0-9_]{22,255}" + _TOKEN_END, 0.95),
    ("AWS_ACCESS_KEY", ("AKIA", "ASIA", "AIDA", "AROA"),
     r"(?<![\w-])(?:AKIA|ASIA|AIDA|AROA)[0-9A-Z]{16}" + _TOKEN_END, 0.95),
    ("SLACK_TOKEN", ("xox",), r"(?<![\w-])xox[abposr]-[A-Za-z0-9-]{10,}" + _TOKEN_END, 0.95),
    ("GOOGLE_API_KEY", ("AIza",), r"(?<![\w-])AIza[0-9A-Za-z_-]{35}" + _TOKEN_END, 0.95),
    ("JWT", ("eyJ",),
     r"(?<![\w-])eyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*" + _TOKEN_END, 0.95),
    (
        "PRIVATE_KEY",
        ("PRIVATE KEY",),
        r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----"
        r"[\s\S]*?(?:-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----|\Z)",
        0.99,
    ),
)  # fmt: skip
_KEY_PATTERNS = tuple(
    (subtype, markers, re.compile(rx), score) for subtype, markers, rx, score in _KEYS
)

_BEARER = re.compile(r"\bBearer\s+([A-Za-z0-9\-._~+/]{16,}=*)(?![\w-])", re.IGNORECASE)

# "password: X", "password = X", "wachtwoord is X", "Passwort lautet X", "mot de passe : X";
# also "changed the password to X" and a bare "das Passwort X" (both only for a value that
# looks like a password, as after "is").
_ANNOUNCERS = "|".join(re.escape(w) for w in phrases("SECRET"))
# The value after the separator: in quotes (spaces allowed), or up to the next blank.
_VALUE = r"(?:[\"“‘«'](?P<quoted>[^\"”’»'\n]{1,64})[\"”’»']|(?P<v>\S+))"
_ASSIGNED = re.compile(
    rf"(?<!\w)(?:my\s+|mijn\s+|mein\s+|meine\s+|mon\s+|ma\s+|new\s+|nieuwe?\s+|neues?\s+|"
    rf"nouveau\s+)?(?P<ann>{_ANNOUNCERS})\s*(?P<sep>[:=]|\bis\b|\bist\b|\blautet\b|\best\b|\bwas\b|"
    rf"\bwar\b|\bwordt\b|\bbecomes\b|\bto\b|\bnaar\b|\bauf\b|\bin\b|\s(?=\S))\s*:?\s*" + _VALUE
)  # matched against lower-cased text; the value is read from the original
# The announcer, then a relative clause, then the verb: "het wachtwoord dat ik heb ingesteld
# is Zomer2023!!", "the password I chose was X", "le mot de passe que j'ai choisi est X".
# Only with a verb (no bare separator) and, as after "is", only for a value that looks like
# a password: "the password that I set is not working" stays clean.
_RELATIVE = re.compile(
    rf"(?<!\w)(?P<ann>{_ANNOUNCERS}),?\s+(?:that|which|i|we|dat|die|ik|we|wij|das|den|ich|"
    rf"wir|que|qu['’]|je|j['’]|nous)(?:\s|(?<=['’]))[^.\n:=!?\"“«]{{1,40}}?,?\s+"
    rf"(?P<sep>is|ist|est|was|war|lautet|était|heißt)\s+:?\s*" + _VALUE
)
# Every announcer contains one of these (lower case); the regex runs only around them.
_ANNOUNCER_STEMS = (
    "pass",
    "pwd",
    "pin",
    "key",
    "secret",
    "token",
    "wachtwoord",
    "kennwort",
    "mdp",
    "code",
    "geheimzahl",
)
_PIN_WORDS = frozenset({"pin", "pincode", "pin code", "code pin", "geheimzahl"})
# Announcers of a credential that is not a password: the subtype says "TOKEN".
_TOKEN_WORDS = ("key", "token", "secret")
_STOPWORD_TEXT = """not niet nicht pas incorrect wrong fout falsch faux expired verlopen abgelaufen
    expiré required vereist erforderlich requis missing forgotten vergeten vergessen oublié
    the de het een der die das ein eine le la les un une reset gereset zurückgesetzt
    changed gewijzigd geändert changé correct juist richtig blocked geblokkeerd gesperrt
    bloqué invalid ongeldig ungültig invalide empty leeg leer vide too te zu trop still nog
    noch encore also ook auch aussi"""
_STOPWORDS = frozenset(_STOPWORD_TEXT.split())
# Sentence punctuation after an unquoted password; "!" and "?" stay (common in passwords).
_STRIP_END = ".,;:)]}\"'”’»"

SCORE_ASSIGNED = 0.9
SCORE_STATED = 0.85
SCORE_BEARER = 0.9
SCORE_AFTER_TYPO = 0.6

# A value shaped like a password after ":", "=" or "is" (matched against lower-cased text):
# where the word before may be the announcer with a typo ("passsword: X", "mot de paasse :
# X", "mijn wachtwooord is X").
# The verbs start with their first letter and look behind after it (a regex that starts
# with a letter or a class is scanned faster than one that starts with a look-behind), and
# end a word: "island12" holds no "is".
_STATED_VALUE = re.compile(
    r"(?:[:=]|i(?<!\wi)st?(?!\w)|e(?<!\we)st(?!\w)|l(?<!\wl)autet(?!\w)|w(?<!\ww)a[sr](?!\w))"
    r"[ \t]*(?P<v>[^\s\"“‘«']{6,64})"
)
_SECRET_TYPOS = Typos("SECRET")


@builtin
class SecretRecognizer(PatternRecognizer):
    def __init__(self) -> None:
        super().__init__("secret", EntityType.SECRET, patterns=())

    def analyze(self, item: DetectionInput) -> Iterator[Finding]:
        text = item.text
        for subtype, markers, regex, score in _KEY_PATTERNS:
            if any(marker in text for marker in markers):
                for match in regex.finditer(text):
                    yield Finding(*match.span(), EntityType.SECRET, score, self.name, subtype)
        lower = item.lower
        if "bearer" in lower:
            for match in _BEARER.finditer(text):
                yield Finding(*match.span(1), EntityType.SECRET, SCORE_BEARER, self.name, "TOKEN")
        stated = False
        for lo, hi in windows(lower, _ANNOUNCER_STEMS, 24, 80):
            for regex in (_ASSIGNED, _RELATIVE):
                for match in regex.finditer(lower, lo, hi):
                    found = self._password(match, text)
                    if found is not None:
                        stated = True
                        yield found
        if not stated:
            yield from self._after_typo(item)

    def _after_typo(self, item: DetectionInput) -> Iterator[Finding]:
        """Passwords after an announcer written with one typo (see `Typos`): the value
        first, which must look like a password, then the words before it."""
        text, lower = item.text, item.lower
        for match in _STATED_VALUE.finditer(lower):
            start, end = _unpunctuated(text, *match.span("v"))
            secret = text[start:end]
            if len(secret) < 6 or not _looks_like_password(secret):
                continue
            words = LETTERS.findall(lower, max(0, match.start() - 40), match.start())
            if _SECRET_TYPOS.end(words, item.language):
                yield Finding(
                    start, end, EntityType.SECRET, SCORE_AFTER_TYPO, self.name, "PASSWORD"
                )

    def _password(self, match: re.Match[str], text: str) -> Finding | None:
        if match["quoted"] is not None:
            # A quoted password is exactly what is between the quotes, spaces included.
            start, end = match.span("quoted")
        else:
            start, end = _unpunctuated(text, *match.span("v"))
        secret = text[start:end]
        announcer = match["ann"]
        if not secret.strip() or secret.lower() in _STOPWORDS:
            return None
        if any(announcer.endswith(w) for w in _PIN_WORDS):
            if not (secret.isdigit() and 4 <= len(secret) <= 8):
                return None
            return Finding(start, end, EntityType.SECRET, SCORE_ASSIGNED, self.name, "PIN")
        if match["sep"] in ":=" or match["quoted"] is not None:
            if len(secret) < 4:
                return None
            subtype = "TOKEN" if any(w in announcer for w in _TOKEN_WORDS) else "PASSWORD"
            return Finding(start, end, EntityType.SECRET, SCORE_ASSIGNED, self.name, subtype)
        # "is/ist/est": only a word that looks like a password (digit, symbol or inner
        # capital), so "my password is Welcome" is caught only with a colon.
        if len(secret) < 6 or not _looks_like_password(secret):
            return None
        return Finding(start, end, EntityType.SECRET, SCORE_STATED, self.name, "PASSWORD")


def _unpunctuated(text: str, start: int, end: int) -> tuple[int, int]:
    """An unquoted value without the sentence's punctuation after it ("hunter2." is
    "hunter2"); "!" and "?" stay, passwords hold them."""
    while end > start + 1 and text[end - 1] in _STRIP_END:
        end -= 1
    return start, end


def _looks_like_password(word: str) -> bool:
    has_digit = any(ch.isdigit() for ch in word)
    has_symbol = any(not ch.isalnum() for ch in word)
    inner_capital = any(ch.isupper() for ch in word[1:])
    return has_digit or has_symbol or inner_capital
