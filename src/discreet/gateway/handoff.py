"""When a conversation goes to a person, and when it comes back.

**Asking for a person is an intent, not a word.** "I am the person who placed the order",
"left with an agent of the courier" or the Dutch "mens" in an English sentence ask for
nobody. A request needs a request cue of the message's language ("can I speak to", "ik
wil ... spreken", "ich möchte ... sprechen", "je voudrais parler à") near one of the
policy's trigger words, or a message that is little more than the word ("human please",
"medewerker!"). Trigger words of one language (built-in ones are known per language) only
count in a message of that language; a policy's own words count in any.

**A handoff holds.** Once handed to a person, the conversation's later turns get the
handoff text, not the model's answer, until an operator releases it (``POST
/v1/conversations/{id}/release``, ``discreet conversations release``) or, when the policy
sets ``handoff.release_after_minutes``, the conversation has been quiet that long.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime, timedelta
from functools import cache

from discreet.clock import as_utc

# The built-in trigger words by language (policy.models.DEFAULT_HANDOFF_TRIGGERS).
TRIGGER_LANGUAGE: dict[str, str] = {
    "human": "en", "agent": "en", "person": "en", "employee": "en", "representative": "en",
    "medewerker": "nl", "mens": "nl", "persoon": "nl",
    "mitarbeiter": "de", "mitarbeiterin": "de", "mensch": "de", "menschen": "de",
    "humain": "fr", "conseiller": "fr", "conseillère": "fr",
}  # fmt: skip

# Request cues per language: a verb or phrase that asks for something, before the trigger
# (up to four words between) or, for the verbs of speaking, after it.
_BEFORE: dict[str, str] = {
    "en": r"speak|talk|chat|connect|transfer|put me through|get|want|need|give me|have|"
    r"is there|are there|ask for|request|contact|reach",
    "nl": r"spreken|praten|wil|wilde|graag|kan ik|mag ik|doorverbinden|verbind|contact|bellen|"
    r"vraag om|liever",
    "de": r"sprechen|reden|möchte|will|würde|verbinden|kann ich|darf ich|bitte|brauche|"
    r"hätte gern|kontakt",
    "fr": r"parler|voudrais|veux|voulais|souhaite|passer|joindre|mettre en relation|"
    r"puis-je|avoir|besoin|contacter",
}
_AFTER: dict[str, str] = {
    "en": r"please|pls|now",
    "nl": r"spreken|praten|alsjeblieft|alstublieft|aub|graag",
    "de": r"sprechen|reden|bitte",
    "fr": r"s'il vous plaît|svp|s'il te plaît",
}
_POLITE = r"please|pls|now|alsjeblieft|alstublieft|aub|graag|bitte|svp|s'il vous plaît"
_GAP = r"(?:\W+\w+){0,4}?\W+"


@cache
def _pattern(language: str, triggers: tuple[str, ...]) -> re.Pattern[str] | None:
    words = [
        re.escape(t)
        for t in triggers
        if TRIGGER_LANGUAGE.get(t.lower(), language) == language and t.strip()
    ]
    every = [re.escape(t) for t in triggers if t.strip()]
    if not every:
        return None
    # A message that is little more than the word asks for it in any language.
    alone = rf"^\W*(?:{_POLITE})?\W*(?:{'|'.join(every)})\W*(?:{_POLITE})?\W*$"
    if not words:
        return re.compile(alone, re.IGNORECASE)
    trigger = r"(?:a|an|the|een|de|einen|eine|einem|einer|un|une|le|la)?\W*(?:real\W+)?(?:"
    trigger += "|".join(words) + r")"
    before = _BEFORE.get(language, "|".join(_BEFORE.values()))
    after = _AFTER.get(language, "|".join(_AFTER.values()))
    return re.compile(
        rf"(?<!\w)(?:{before}){_GAP}{trigger}(?!\w)"
        rf"|(?<!\w){trigger}\W+(?:\w+\W+){{0,2}}?(?:{after})(?!\w)"
        rf"|{alone}",
        re.IGNORECASE,
    )


def asks_for_a_person(text: str, language: str, triggers: Iterable[str]) -> bool:
    """Whether the customer's message asks to talk to a person (see the module doc)."""
    pattern = _pattern(language, tuple(triggers))
    return pattern is not None and pattern.search(text) is not None


def handoff_holds(
    handoff: bool, last_activity: datetime, now: datetime, release_after_minutes: int | None
) -> bool:
    """Whether a conversation marked for a person stays with the person for this turn."""
    if not handoff:
        return False
    if release_after_minutes is None:
        return True
    return as_utc(now) - as_utc(last_activity) < timedelta(minutes=release_after_minutes)
