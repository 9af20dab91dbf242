"""People named surname first in e-mail headers ("Townsend, George" <...>)."""

from __future__ import annotations

from functools import partial

import pytest
from tests.support.findings import recognized

from discreet.detect import Detector, EntityType

values = partial(recognized, "display_names")


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        # A header label before it, an address after it.
        ("en", "From: Townsend, George\nSent: Tuesday", ["Townsend, George"]),
        ("en", 'Thanks. "Townsend, George" <gtownsend@example.net>', ["Townsend, George"]),
        # Quotes and an address: any rare first name will do.
        ("en", '"McGilloway, Vangie" <vangie@example.com> wrote:', ["McGilloway, Vangie"]),
        # A Dutch particle after the first name, a recipient list.
        ("nl", "Aan: Vries, Jan de; Jansen, Pieter", ["Vries, Jan de", "Jansen, Pieter"]),
        ("nl", 'Van: "Jansen, Pieter" <p.jansen@example.nl>', ["Jansen, Pieter"]),
        ("de", "Von: Müller, Anna <anna.mueller@example.de>", ["Müller, Anna"]),
        ("de", "An: Schmidt, Hans P.; Weber, Julia", ["Schmidt, Hans P.", "Weber, Julia"]),
        ("fr", "De : Lefèvre, Élodie <elodie@example.fr>", ["Lefèvre, Élodie"]),
        ("fr", "(Dubois, Marie)", ["Dubois, Marie"]),
        # Bookings: IATA's "SURNAME/GIVEN NAMES TITLE".
        ("en", "Passenger: DOE/JANE MS, seat 12A", ["DOE/JANE"]),
        ("nl", "Reiziger VAN DER BERG/PIETER MR", ["VAN DER BERG/PIETER"]),
        ("fr", "Réservation NGUYEN/THI LAN MRS", ["NGUYEN/THI LAN"]),
        ("en", "Booking for SMITH/JOHN", ["SMITH/JOHN"]),  # a known given name, no title
    ],
)  # fmt: skip
def test_a_display_name_surname_first_is_a_person(
    language: str, text: str, expected: list[str]
) -> None:
    assert values(text, language) == expected


@pytest.mark.parametrize(
    ("language", "text"),
    [
        # Greetings and sign-offs before a first name.
        ("en", "Thanks, Anna"),
        ("en", "Best, Anna"),  # "Best" is a Dutch surname, and a frequent English word
        ("en", "Cheers, Tom"),
        ("nl", "Mvg, Pieter"),
        ("nl", "Groeten, Pieter"),
        ("de", "Danke, Jürgen\n"),
        ("fr", "Cordialement, Marie"),
        # A place before the comma; a first name that is no known name.
        ("en", "Paris, France"),
        ("nl", "Utrecht, Kees"),
        # Acronyms and places joined by a slash.
        ("en", "uses TCP/IP and AC/DC, the N/A field, TV/RADIO ads, IN/OUT"),
        ("en", "PARIS/FRANCE MR"),
        # Inside a sentence, not a display name on its own.
        ("en", "As I told Smith, John will call you tomorrow."),
        ("de", "Laut Müller, Anna sei schuld, war alles anders."),
        # A frequent word after a known surname, where nothing says it is a header.
        ("en", "Smith, Yes"),
    ],
)
def test_greetings_places_and_sentences_are_no_display_names(language: str, text: str) -> None:
    assert values(text, language) == []


def test_the_detector_masks_the_surname_of_a_forwarded_header() -> None:
    # The model alone leaves "Jansen" in the clear.
    text = 'Van: "Jansen, Pieter" <p.jansen@example.nl>\nAan: klantenservice\n\nMijn pakket?'
    found = [(f.value(text), f.type) for f in Detector().detect(text, language="nl")]
    assert ("Jansen, Pieter", EntityType.PERSON) in found
