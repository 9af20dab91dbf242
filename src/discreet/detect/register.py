"""Whether a text is written informally (social media, quick chat) or edited (news, mail).

The NER model is surer of names in edited text, where capitals mark them; in informal text
names come in lower case, after handles and among emoji, and the model's right findings
score lower. So its findings are cut at a lower score there (`NerConfig.informal_min_score`);
edited text keeps the higher cut, which is what keeps precision on news and Wikipedia.

The test is a handful of regular-expression signals that edited prose rarely shows: a
handle or hashtag, an emoji or emoticon, a vowel or "!?" repeated three times ("sooo"),
a text that opens in lower case or has no capital at all; in English also a lower-case
"i" as a pronoun and chat spellings ("lol", "u", "gonna"). Those two are English only:
"u" is Dutch's polite "you", "im" German's "in the". Measured on 600 held-out dev texts
per split: 36% of WNUT-17's social-media texts are informal by this test, 1-3% of the
news and Wikipedia texts (mostly sentence fragments that open in lower case).
"""

from __future__ import annotations

import re

_INFORMAL = re.compile(
    r"(?<![\w@#])[@#][^\W\d_]"  # @handle, #hashtag
    r"|[\U0001F000-\U0001FAFF\u2600-\u27BF]"  # emoji and pictographs
    r"|(?<!\w)[:;][\-']?[()DPp](?!\w)"  # :) ;-) :D :P
    r"|([aeiouyh])\1\1"  # "sooo", "ahhh" (not consonants: "Schifffahrt", "www")
    r"|[!?]{3}"
)
_INFORMAL_EN = re.compile(
    r"(?<![\w'’])i(?![\w'’.])"  # "i think"
    r"|(?<!\w)(?:lol|lmao|omg|haha\w*|u|ur|pls|plz|thx|gonna|wanna|gotta|idk|tbh)(?![\w.])"
)
_LETTER = re.compile(r"[^\W\d_]")


def informal(text: str, language: str) -> bool:
    """Whether `text`, in `language`, reads as informal writing (see the module docstring)."""
    first = _LETTER.search(text)
    if first is None:
        return False
    if first.group().islower() or text == text.lower():
        return True
    if _INFORMAL.search(text) is not None:
        return True
    return language == "en" and _INFORMAL_EN.search(text) is not None
