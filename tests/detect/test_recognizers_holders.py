"""Card and account holders' names as cards and statements print them."""

from __future__ import annotations

from functools import partial

import pytest
from tests.support.findings import recognized

from discreet.detect import Detector, EntityType

holders = partial(recognized, "holders")


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        # In capitals, initials first, as the card prints it.
        ("en", "Please refund to card ending 4242, name on card D PADMANABHAN", "D PADMANABHAN"),
        ("en", "Cardholder name: J A HENDERSON.", "J A HENDERSON"),
        ("nl", "Mijn IBAN is NL91ABNA0417164300 t.n.v. J. de Boer-Visser", "J. de Boer-Visser"),
        # A title opens the name, outside it.
        ("de", "Kontoinhaberin: Dr. Ute Müller-Lüdenscheid", "Ute Müller-Lüdenscheid"),
        ("fr", "Titulaire du compte : M. Jean-Baptiste Ould Ahmed.", "Jean-Baptiste Ould Ahmed"),
        ("de", "Kontoinhaber: Herrn Klaus Weber", "Klaus Weber"),
        ("nl", "Rekeninghouder: Mevrouw Anouk Smits", "Anouk Smits"),
        ("fr", "Nom du titulaire : Madame Claire Dubois", "Claire Dubois"),
        # "M." is Monsieur in French only: elsewhere an initial, part of the name.
        ("nl", "NL20 RABO 0347 7127 82 t.n.v. M. Bos.", "M. Bos"),
    ],
)  # fmt: skip
def test_a_holders_name_after_the_word_for_the_holder(
    language: str, text: str, expected: str
) -> None:
    assert holders(text, language) == [expected]


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "name on card VISA"),  # a brand
        ("en", "the account holder is The Company"),  # function and frequent words
        ("en", "account name: Savings"),
        ("nl", "t.n.v. de heer"),  # a particle and a title, no name
        ("en", "the card holder should call us"),  # nothing capitalised after it
    ],
)
def test_brands_words_and_titles_are_no_holders(language: str, text: str) -> None:
    assert holders(text, language) == []


def test_the_detector_masks_the_name_printed_on_the_card() -> None:
    # Neither the model nor the names recognizer read a name in capitals.
    text = "Please refund to card ending 4242, name on card D PADMANABHAN"
    found = [(f.value(text), f.type) for f in Detector().detect(text, language="en")]
    assert ("D PADMANABHAN", EntityType.PERSON) in found
