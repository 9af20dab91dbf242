"""Lists of names: one kind of thing per list (`detect.lists`).

The findings are given as the merged list the detector hands over, so each rule is checked
whatever model is installed; the last test runs the real detector."""

from __future__ import annotations

from tests.support.findings import model_findings, values

from discreet.detect import Detector, EntityType
from discreet.detect.lists import RECOGNIZER, one_kind_per_list

P, L, DATE = EntityType.PERSON, EntityType.LOCATION, EntityType.DATE

LINE_UP = "Dresden: Müller - Mauksch - Schößler, Wagenhaus - Hauptmann, Pilz (80. Kern)."


def test_every_player_of_a_line_up_is_a_person() -> None:
    # The model ran two names into one place, took others for places and missed some.
    given = model_findings(
        LINE_UP,
        ("Dresden", L, 0.8),
        ("Müller - Mauksch", L, 0.25),
        ("Wagenhaus -", L, 0.4),
        ("Pilz", P, 0.84),
        ("Kern", L, 0.46),
    )
    found = one_kind_per_list(LINE_UP, given)
    assert values(LINE_UP, found) == [
        ("Dresden", L),  # before the colon: not in the list
        ("Müller", P),
        ("Mauksch", P),
        ("Schößler", P),
        ("Wagenhaus", P),
        ("Hauptmann", P),
        ("Pilz", P),
        ("Kern", P),
    ]
    # Each item at the surest finding's score, marked as found by this rule.
    assert {(f.score, f.recognizer) for f in found[1:]} == {(0.84, RECOGNIZER)}


def test_every_town_of_a_list_of_towns_is_a_place() -> None:
    text = "Vols directs vers Lyon, Nice, Marseille, Ajaccio et Bastia."
    given = model_findings(text, ("Lyon", L, 0.9), ("Marseille", L, 0.8), ("Ajaccio", P, 0.3))
    assert values(text, one_kind_per_list(text, given)) == [
        ("Lyon", L),
        ("Nice", L),
        ("Marseille", L),
        ("Ajaccio", L),
        ("Bastia", L),
    ]


def test_lists_without_evidence_are_left_alone() -> None:
    # Finnish villages the model took for people: no name list knows any of them, so no
    # village is added.
    text = "die Dörfer Hokkala, Kumpula, Noposenaho, Oikari und Pölkki."
    given = model_findings(text, ("Hokkala", P, 0.8), ("Kumpula", P, 0.4), ("Oikari", P, 0.3))
    assert one_kind_per_list(text, given) == given
    # Nothing sure in it: products, nouns.
    text = "Wir führen Tassen, Teller, Gläser, Schüsseln und Besteck von Müller."
    given = model_findings(text, ("Gläser", L, 0.3), ("Müller", P, 0.9))
    assert one_kind_per_list(text, given) == given
    # Found in fewer than half of the items.
    text = "Müller, Tassen, Teller, Gläser, Schüsseln"
    given = model_findings(text, ("Müller", P, 0.9))
    assert one_kind_per_list(text, given) == given
    # A list of people the gazetteer knows two places of is no line-up.
    text = "Berlin, Hamburg, Bremen - Schulz, Meier"
    given = model_findings(text, ("Schulz", P, 0.9), ("Meier", P, 0.9))
    assert one_kind_per_list(text, given) == given


def test_a_list_with_another_kind_of_finding_in_it_is_left_alone() -> None:
    text = "Rath, Pilz, Kern / Mai 2024, Hauptmann"
    given = [
        *model_findings(text, ("Rath", P, 0.9), ("Kern", P, 0.9)),
        *model_findings(text, ("Mai", DATE, 0.9)),
    ]
    given.sort(key=lambda f: f.start)
    assert one_kind_per_list(text, given) == given


def test_the_items_found_in_a_list_are_of_the_kind_found_more_often() -> None:
    # Three items are too few to add any, but the model's findings agree on a kind.
    text = "De belangrijkste steden zijn Archangelsk, Severodvinsk en Kotlas."
    given = model_findings(
        text, ("Archangelsk", L, 0.9), ("Severodvinsk", P, 0.34), ("Kotlas", L, 0.6)
    )
    found = one_kind_per_list(text, given)
    assert values(text, found) == [("Archangelsk", L), ("Severodvinsk", L), ("Kotlas", L)]
    # Scores and recognizers are the model's: the rule only set the kind.
    assert [(f.score, f.recognizer) for f in found] == [(f.score, f.recognizer) for f in given]
    text = "Aan zijn hof: Pindarus, Xenophanes, Bacchylides, Simonides en Aeschylus."
    given = model_findings(
        text, ("Pindarus", P, 0.7), ("Xenophanes", L, 0.51), ("Simonides", P, 0.6)
    )
    assert values(text, one_kind_per_list(text, given)) == [
        ("Pindarus", P),
        ("Xenophanes", P),
        ("Simonides", P),
    ]


def test_a_tie_or_a_finding_over_two_items_leaves_a_list_alone() -> None:
    text = "Wir fahren über Kessel, Weert und Venlo."
    given = model_findings(text, ("Kessel", P, 0.5), ("Weert", L, 0.6))
    assert one_kind_per_list(text, given) == given
    # The model ran two items into one finding: it is not one item's kind.
    text = "Es kamen Anna, Weber - Kühn und Paula."
    given = model_findings(text, ("Anna", P, 0.45), ("Weber - Kühn", L, 0.4), ("Paula", P, 0.4))
    assert one_kind_per_list(text, given) == given


def test_the_detector_finds_every_player() -> None:
    text = (
        "Dynamo Dresden - Hamburger SV 1:1 (1:0). Dresden: Müller - Mauksch - Schößler, "
        "Wagenhaus - Hauptmann, Pilz, Zander, Stevic (80. Gütschow), Kmetsch - Jähnig, Rath "
        "(80. Kern). Hamburg: Golz - Rohde - Kober, Hartmann - Dotschew (73. Weichert), Spies, "
        "Babbel, Bode (52. Eck), Spörl - Bester, Letschkow."
    )
    found = [(f.value(text), f.type) for f in Detector().detect(text, language="de")]
    players = [value for value, etype in found if etype is P]
    line_ups = (
        "Müller Mauksch Schößler Wagenhaus Hauptmann Pilz Zander Stevic Gütschow Kmetsch "
        "Jähnig Rath Kern Golz Rohde Kober Hartmann Dotschew Weichert Spies Babbel Bode Eck "
        "Spörl Bester Letschkow"
    )
    assert players == line_ups.split(" ")
    assert ("Hamburg", L) in found  # the clubs' towns stay places
