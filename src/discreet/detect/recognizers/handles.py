"""Social media handles: "@maria_gonzalez88", "@sanne.bakker".

Customers write to support on social networks and paste their own or someone else's
handle into chats and e-mails ("my insta is @sanne.bakker", "@jdoe88 said it arrived").
A handle names an account, and often a person in so many words. Without a phrase before it
the username recognizer (`identifiers.UsernameRecognizer`) cannot see it; the "@" is the
evidence. Not an e-mail address (a word character right before the "@"), not "@ 5pm",
not a bare "@" followed by a number ("@10", a price or a time), and not a chat tool's
mention of a group or a frequent word ("@here", "@everyone", "@home").
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from discreet.detect.base import DetectionInput, Finding, Recognizer
from discreet.detect.entities import EntityType
from discreet.detect.ordinary import zipf_here
from discreet.detect.registry import builtin

SCORE = 0.7
# A handle this frequent as a word of the text's language or English is that word.
ORDINARY = 4.0
# "@" at a word's start, then 2-30 word characters or inner dots (Instagram, TikTok),
# holding a letter; not the "@" of an address, a URL's path or a decorator's call.
_HANDLE = re.compile(
    r"(?<![\w@./:])@(?=[\w.]*[^\W\d_])(?P<handle>\w(?:\w|\.(?=\w)){1,29})(?![\w@]|\.\w|\()"
)
_TRIGGER = re.compile(r"@\w")


@builtin
class SocialHandleRecognizer(Recognizer):
    """Social media handles written with their "@"."""

    name = "social_handle"
    entity_types = frozenset({EntityType.USERNAME})
    languages = None
    trigger = _TRIGGER

    def analyze(self, item: DetectionInput) -> Iterator[Finding]:
        for match in _HANDLE.finditer(item.text):
            if zipf_here(match.group("handle"), item.language) >= ORDINARY:
                continue
            yield Finding(match.start(), match.end(), EntityType.USERNAME, SCORE, self.name)
