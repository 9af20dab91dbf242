"""A person or place found once is found at its other mentions (`detect.recurrence`).

The findings are given as the merged list the detector hands over, so each rule is checked
whatever model is installed; the last test runs the real detector."""

from __future__ import annotations

from tests.support.findings import model_findings, values

from discreet.detect import Detector, DetectorConfig, EntityType
from discreet.detect.base import Finding
from discreet.detect.recurrence import repeat_mentions

P, L, ORG = EntityType.PERSON, EntityType.LOCATION, EntityType.ORGANIZATION


def test_a_full_names_surname_and_a_place_are_found_where_they_recur() -> None:
    text = "Minister Isabelle Durant was in Gent. Durant: 'Gent is a fine city.'"
    found = repeat_mentions(
        text, "en", model_findings(text, ("Isabelle Durant", P, 0.9), ("Gent", L, 0.8))
    )
    assert values(text, found) == [
        ("Isabelle Durant", P),
        ("Gent", L),
        ("Durant", P),
        ("Gent", L),
    ]
    # Same type, score and recognizer as the mention it repeats.
    assert (found[2].score, found[2].recognizer) == (0.9, "ner:builtin")


def test_a_full_names_first_name_is_found_where_it_recurs() -> None:
    # Mails call the person they named in full by the first name, at a sentence's start too.
    text = "I spoke to Bruce Garcey at NiMo. Bruce indicated they short listed five. Ta, Bruce"
    found = repeat_mentions(text, "en", model_findings(text, ("Bruce Garcey", P, 0.9)))
    assert values(text, found) == [("Bruce Garcey", P), ("Bruce", P), ("Bruce", P)]
    # First names as frequent as words stay judged where they stand ("Will", "May"); in
    # German, which capitalises nouns, a first name that is a noun too ("Ernst").
    text = "Will Carter and May Chen called. Will you call back? May I ask why?"
    given = model_findings(text, ("Will Carter", P, 0.9), ("May Chen", P, 0.9))
    assert values(text, repeat_mentions(text, "en", given)) == values(text, given)
    text = "Ich sprach mit Ernst Bauer. Ernst nehmen wir das nicht."
    given = model_findings(text, ("Ernst Bauer", P, 0.9))
    assert values(text, repeat_mentions(text, "de", given)) == values(text, given)


def test_ordinary_words_abbreviations_and_unsure_findings_are_not_repeated() -> None:
    # "Park" and "Will" are as often words; "VS" is judged where it stands.
    text = "Anna Park will call. Park the car. Will said so. VS trade with the VS grows."
    given = model_findings(text, ("Anna Park", P, 0.9), ("Will", P, 0.9), ("VS", L, 0.9))
    assert values(text, repeat_mentions(text, "en", given)) == values(text, given)
    # A guess is not spread: the model's unsure finding stays one finding.
    text = "Mercury rises. Mercury sets."
    given = model_findings(text, ("Mercury", L, 0.3))
    assert repeat_mentions(text, "en", given) == given


def test_a_surname_taken_for_a_place_is_the_person_named_in_full() -> None:
    text = "Saarbrücken verpflichtete Eric Wynalda. Bisher war Wynalda in Hamburg."
    given = model_findings(text, ("Eric Wynalda", P, 0.9), ("Wynalda", L, 0.7), ("Hamburg", L, 0.9))
    assert values(text, repeat_mentions(text, "de", given)) == [
        ("Eric Wynalda", P),
        ("Wynalda", P),
        ("Hamburg", L),
    ]


def test_a_small_town_named_like_the_surname_is_the_person_named_in_full() -> None:
    # Brehme is a village in Thuringia, which the gazetteer knows; a village is no more
    # likely than the footballer the text names in full.
    text = "Brehme: Nur Rückzug aus der Nationalelf. Andreas Brehme will sich zurückziehen."
    given = [
        Finding(0, 6, L, 0.55, "places"),
        *model_findings(text, ("Andreas Brehme", P, 0.99)),
    ]
    assert values(text, repeat_mentions(text, "de", given)) == [
        ("Brehme", P),
        ("Andreas Brehme", P),
    ]


def _last(text: str, value: str, etype: EntityType, score: float) -> Finding:
    start = text.rindex(value)
    return Finding(start, start + len(value), etype, score, "ner:builtin")


def test_a_place_stays_a_place_beside_a_person_of_its_name() -> None:
    # The gazetteer knows it as a place: "George Washington" does not make the city his.
    text = "George Washington never saw Washington."
    given = [
        *model_findings(text, ("George Washington", P, 0.9)),
        _last(text, "Washington", L, 0.8),
    ]
    assert values(text, repeat_mentions(text, "en", given))[1] == ("Washington", L)
    # Nor does a full name the model is less sure of than of the place, which the gazetteer
    # does not know ("Lebed Chechnya", a headline run together).
    text = "Lebed Chechnya talks. Lebed is now in Chechnya."
    given = [*model_findings(text, ("Lebed Chechnya", P, 0.6)), _last(text, "Chechnya", L, 0.9)]
    assert values(text, repeat_mentions(text, "en", given))[-1] == ("Chechnya", L)


def test_a_repeat_never_overlaps_another_finding_nor_a_longer_word() -> None:
    text = "Jan Durant wrote from Durantstraat 4 as durant@example.org; it is Durant's."
    given = model_findings(
        text,
        ("Jan Durant", P, 0.9),
        ("Durantstraat 4", EntityType.STREET_ADDRESS, 0.9),
        ("durant@example.org", EntityType.EMAIL_ADDRESS, 1.0),
    )
    found = repeat_mentions(text, "en", given)
    # Not inside the street's word nor the address: only the possessive, a word of its own.
    assert values(text, found)[3:] == [("Durant", P)]
    assert found[3].start == text.index("Durant's")
    # A surname after a particle is not looked for alone ("Vries" without "de").
    text = "Mark de Vries called. Vries is a town too."
    given = model_findings(text, ("Mark de Vries", P, 0.9))
    assert repeat_mentions(text, "nl", given) == given


def test_the_detector_finds_the_surname_the_model_missed() -> None:
    text = (
        "Het is aan minister van Verkeer Isabelle Durant om de NMBS te verplichten. "
        "Durant: 'Sluiting loketten is geen goede oplossing.'"
    )
    people = [f.value(text) for f in Detector().detect(text, language="nl") if f.type is P]
    assert people.count("Durant") == 1 and any("Isabelle Durant" in p for p in people)


def test_an_allowed_term_is_not_repeated() -> None:
    # A shop that allows its own name ("Durant") keeps it unmasked where it stands alone.
    text = (
        "Het is aan minister van Verkeer Isabelle Durant om de NMBS te verplichten. "
        "Durant: 'Sluiting loketten is geen goede oplossing.'"
    )
    detector = Detector(DetectorConfig(allow_list=["Durant"]))
    people = [f.value(text) for f in detector.detect(text, language="nl") if f.type is P]
    assert "Durant" not in people and any("Isabelle Durant" in p for p in people)


def test_a_name_as_frequent_as_a_word_recurs_inside_sentences_where_capitals_mark_names() -> None:
    # "Griffin" and "Bush" are words too; capitalised inside an English sentence they are
    # the name found before. At a sentence's start the capital says nothing: judged there.
    text = "Griffin added a note. Only time will tell whether Griffin is right. Griffin left."
    found = repeat_mentions(text, "en", model_findings(text, ("Griffin", P, 0.7)))
    assert [f.start for f in found] == [0, text.index("Griffin is")]
    text = "President George Bush spoke. Critics of Bush replied. Bush left."
    found = repeat_mentions(text, "en", model_findings(text, ("George Bush", P, 0.9)))
    assert values(text, found) == [("George Bush", P), ("Bush", P)]
    assert found[1].start == text.index("Bush replied")
    # German capitalises every noun: there a frequent word is not repeated at all.
    text = "Der Vertreter Griffin kam. Der Griffin der Tür klemmt."
    given = model_findings(text, ("Griffin", P, 0.7))
    assert repeat_mentions(text, "de", given) == given
    # Words more frequent than FREQUENT_NAME_ZIPF stay judged where they stand.
    text = "Gordon Brown spoke. The Brown Line was late."
    given = model_findings(text, ("Gordon Brown", P, 0.9))
    assert repeat_mentions(text, "en", given) == given
    # A frequent word no name list knows is as often a title's: "Leader" once taken for a
    # person is not spread to the other titles.
    text = "The Leader spoke. Kim became Supreme Leader in 2011."
    given = model_findings(text, ("Leader", P, 0.6))
    assert repeat_mentions(text, "en", given) == given


def test_a_value_found_as_a_person_and_as_a_place_is_the_surest_ones() -> None:
    # One word names one thing in a text: the model was surer of the footballer.
    text = "Maradona captained the side. In 1986 Maradona scored twice."
    first = text.index("Maradona")
    second = text.index("Maradona", first + 1)
    given = [
        Finding(first, first + 8, P, 0.69, "ner:builtin"),
        Finding(second, second + 8, L, 0.49, "ner:builtin"),
    ]
    assert values(text, repeat_mentions(text, "en", given)) == [("Maradona", P), ("Maradona", P)]
    # Each keeps its own score: the retyped guess is no surer than it was.
    assert [f.score for f in repeat_mentions(text, "en", given)] == [0.69, 0.49]
    # The place, where the model was surer of it.
    given = [
        Finding(first, first + 8, P, 0.4, "ner:builtin"),
        Finding(second, second + 8, L, 0.7, "ner:builtin"),
    ]
    assert values(text, repeat_mentions(text, "en", given)) == [("Maradona", L), ("Maradona", L)]


def test_a_name_a_rule_read_from_a_cue_keeps_its_type_beside_a_place_of_its_name() -> None:
    # The customer is Florence, however sure the model is that Florence is also a city.
    text = "My name is Florence and I live in Florence."
    first = text.index("Florence")
    second = text.index("Florence", first + 1)
    given = [
        Finding(first, first + 8, P, 0.85, "names"),
        Finding(second, second + 8, L, 0.98, "ner:builtin"),
    ]
    assert values(text, repeat_mentions(text, "en", given)) == [("Florence", P), ("Florence", L)]
    # The detector, end to end: the customer's name stays a person's.
    found = [(f.value(text), f.type) for f in Detector().detect(text, language="en")]
    assert found == [("Florence", P), ("Florence", L)]
