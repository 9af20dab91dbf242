"""Names joined by hyphens are found whole (`detect.compounds`).

The findings are given as the merged list the detector hands over, so each rule is checked
whatever model is installed; the last test runs the real detector."""

from __future__ import annotations

import pytest
from tests.support.findings import model_findings, values

from discreet.detect import Detector, EntityType
from discreet.detect.base import Finding
from discreet.detect.compounds import whole_compounds

P, L, S, ZIP = (
    EntityType.PERSON,
    EntityType.LOCATION,
    EntityType.STREET_ADDRESS,
    EntityType.POSTAL_CODE,
)


@pytest.mark.parametrize(
    ("language", "text", "given", "whole", "kind"),
    [
        # The model's place stops inside the word: the rest is a particle and a place.
        ("fr", "sur la commune de Saint-Paul-lès-Durance dans le Var",
         [("Saint-Paul-lès-", L, 0.8)], "Saint-Paul-lès-Durance", L),
        # It starts inside it: a capitalised word before the particle.
        ("fr", "La Boissière-du-Doré est une commune", [("-du-Doré", L, 0.7)],
         "Boissière-du-Doré", L),
        # Its pieces of a saint's place are a street and a place: the most characters decide.
        ("fr", "les pèlerins de Saint-Jacques-de-Compostelle.",
         [("Jacques", S, 0.6), ("-de-Compostelle", L, 0.8)], "Saint-Jacques-de-Compostelle", L),
        # A lower-case last syllable that is no word of the language.
        ("fr", "les îles Ishigaki et Iriomote-jima", [("Iriomote-", L, 0.7)], "Iriomote-jima", L),
        # A person cut in two, each half typed differently: the longer half's kind.
        ("en", "He replaced Park Chu-young at half time.",
         [("Park Chu-", P, 0.6), ("young", L, 0.5)], "Park Chu-young", P),
        ("en", "Shaikh Abdul Wahhab al-Janabi was held.",
         [("Shaikh Abdul Wahhab al", P, 0.5), ("Janabi", L, 0.6)],
         "Shaikh Abdul Wahhab al-Janabi", P),
        # German: a first name the lists know, and a place the gazetteer knows whole.
        ("de", "Minister Hans-Dietrich Genscher", [("Dietrich Genscher", P, 0.9)],
         "Hans-Dietrich Genscher", P),
        ("de", "in Baden-Württemberg gewählt", [("Baden-", L, 0.7)], "Baden-Württemberg", L),
    ],
)  # fmt: skip
def test_a_name_cut_inside_a_hyphenated_word_takes_the_whole_word(
    language: str,
    text: str,
    given: list[tuple[str, EntityType, float]],
    whole: str,
    kind: EntityType,
) -> None:
    found = whole_compounds(text, language, model_findings(text, *given))
    assert values(text, found) == [(whole, kind)]
    # At the score of the surest finding of that kind.
    assert found[0].score == max(score for _, etype, score in given if etype is kind)


@pytest.mark.parametrize(
    ("language", "text", "given"),
    [
        # An English word after the hyphen: the place stays a place alone.
        ("en", "A Paris-based firm", [("Paris", L, 0.9)]),
        # German nouns joined to a name: Kohl's government, a savings account.
        ("de", "Die Kohl-Regierung trat zurück.", [("Kohl", P, 0.9)]),
        ("de", "Spenden auf das Diakonie-Spendenkonto", [("Diakonie", L, 0.5)]),
        # An acronym or a frequent adjective is no part of a name.
        ("de", "Der Merkel-CDU fehlt es an Ideen.", [("Merkel", P, 0.9)]),
        ("nl", "het Noord-Duitse laagland", [("Noord", L, 0.6)]),
        # The word is whole already.
        ("fr", "à Saint-Étienne", [("Saint-Étienne", L, 0.9)]),
    ],
)
def test_words_that_are_no_part_of_the_name_stay_out(
    language: str, text: str, given: list[tuple[str, EntityType, float]]
) -> None:
    findings = model_findings(text, *given)
    assert whole_compounds(text, language, findings) == findings


def test_a_rules_finding_inside_the_word_leaves_it_alone() -> None:
    # A postal code a rule found inside a hyphenated word is not swallowed by a place.
    text = "Bruxelles-Ixelles-Etterbeek"
    given = [
        *model_findings(text, ("Bruxelles", L, 0.9)),
        Finding(10, 17, ZIP, 0.6, "postal_code"),
    ]
    assert whole_compounds(text, "fr", given) == given


def test_a_street_running_into_the_word_keeps_its_number() -> None:
    # The model's street ends inside the word: widening the place over it would leave
    # "12 rue" without its placeholder.
    text = "Livraison au 12 rue Saint-Jacques-de-la-Boucherie."
    given = model_findings(text, ("12 rue Saint-Jacques", S, 1.0), ("-de-la-Boucherie", L, 0.6))
    assert whole_compounds(text, "fr", given) == given


def test_the_detector_finds_french_communes_whole() -> None:
    text = (
        "Le Lot est navigable de Villeneuve-sur-Lot à Saint-Sylvestre-sur-Lot, et la Vienne "
        "passe à Saint-Denis-des-Murs."
    )
    found = values(text, Detector().detect(text, language="fr"))
    for commune in ("Villeneuve-sur-Lot", "Saint-Sylvestre-sur-Lot", "Saint-Denis-des-Murs"):
        assert (commune, L) in found
