"""Contact reasons in every supported language, into the same categories.

The messages are written the way customers write, not copied from the FAQ or the topic
files: a classifier that only matched its own example questions would fail them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from tests.export.conftest import OFFICER, Shop

from discreet.analytics import BudgetLedger, QuerySpec, run_queries
from discreet.analytics.reasons import OTHER, categories, contact_reason, reason_index
from discreet.conversations.transcripts import StoredMessage
from discreet.detect.entities import SUPPORTED_LANGUAGES
from discreet.detect.language import detect_language
from discreet.policy import BUILTIN_SOURCE, builtin_policy_text, parse_policy

CASES: dict[str, list[tuple[str, str]]] = {
    "en": [
        ("Hi, any news about [ORDER_ID_1]? Still waiting for it to ship.", "order_status"),
        ("I'd like to cancel the order I placed this morning.", "cancel_order"),
        ("The parcel came today but the vase inside is broken.", "damaged_item"),
        ("I forgot my password and now I cannot log in.", "password_reset"),
        ("Please remove my account and everything you have on me.", "delete_account"),
    ],
    "nl": [
        ("Hoi, waar blijft mijn bestelling [ORDER_ID_1]? Ik wacht al een week.", "order_status"),
        ("Ik wil mijn bestelling annuleren alstublieft.", "cancel_order"),
        ("Het pakket kwam vandaag, maar de vaas is kapot.", "damaged_item"),
        ("Ik ben mijn wachtwoord vergeten en kan niet inloggen.", "password_reset"),
        ("Verwijder mijn account en al mijn gegevens alstublieft.", "delete_account"),
    ],
    "de": [
        ("Hallo, wo bleibt [ORDER_ID_1]? Ich warte seit einer Woche.", "order_status"),
        ("Ich möchte meine Bestellung stornieren, bitte.", "cancel_order"),
        ("Das Paket kam heute an, aber die Vase ist kaputt.", "damaged_item"),
        ("Wann bekomme ich mein Geld für die Rücksendung zurück?", "refund_time"),
        ("Ich habe mein Passwort vergessen und kann mich nicht einloggen.", "password_reset"),
        ("Bitte löschen Sie mein Kundenkonto und alle meine Daten.", "delete_account"),
        ("Wie kann ich den Newsletter abbestellen?", "newsletter"),
        ("Welche Zahlungsarten gibt es bei Ihnen?", "payment_methods"),
        ("Ich möchte mich über den Kundenservice beschweren.", "complaint"),
        ("Können Sie mir die Rechnung als PDF schicken?", "invoice"),
    ],
    "fr": [
        ("Bonjour, où en est [ORDER_ID_1] ? J'attends depuis une semaine.", "order_status"),
        ("Je voudrais annuler ma commande s'il vous plaît.", "cancel_order"),
        ("Le colis est arrivé aujourd'hui mais le vase est cassé.", "damaged_item"),
        ("Quand vais-je recevoir le remboursement de mon retour ?", "refund_time"),
        ("J'ai oublié mon mot de passe et je ne peux plus me connecter.", "password_reset"),
        ("Merci de supprimer mon compte client et toutes mes données.", "delete_account"),
        ("Comment me désinscrire de votre newsletter ?", "newsletter"),
        ("Quels sont les moyens de paiement acceptés ?", "payment_methods"),
        ("Je souhaite faire une réclamation concernant le service client.", "complaint"),
        ("Pouvez-vous m'envoyer la facture en PDF ?", "invoice"),
    ],
}
UNRELATED = {
    "en": "What is the capital city of Peru, and how high are its mountains?",
    "nl": "Wat is de hoofdstad van Peru en hoe hoog zijn de bergen daar?",
    "de": "Was ist die Hauptstadt von Peru und wie hoch sind die Berge dort?",
    "fr": "Quelle est la capitale du Pérou et quelle est la hauteur des montagnes ?",
}


def said(text: str) -> list[StoredMessage]:
    return [StoredMessage("c1", 0, "user", text, datetime.now(UTC))]


@pytest.mark.parametrize(
    ("language", "text", "reason"),
    [(lang, text, reason) for lang, cases in CASES.items() for text, reason in cases],
)
def test_first_message_gets_its_category(language: str, text: str, reason: str) -> None:
    assert detect_language(text) == language  # the language analytics groups it under
    assert contact_reason(said(text), language) == reason


@pytest.mark.parametrize("language", sorted(UNRELATED))
def test_unrelated_questions_are_other(language: str) -> None:
    assert contact_reason(said(UNRELATED[language]), language) == OTHER


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_every_language_sorts_into_the_same_categories(language: str) -> None:
    ids = sorted(entry.id for entry in reason_index(language).kb.entries)
    assert [*ids, OTHER] == categories()


def test_german_and_french_conversations_are_counted_under_their_reason(shop: Shop) -> None:
    texts = {"de": CASES["de"][1][0], "fr": CASES["fr"][1][0]}  # both cancel_order
    for lang, text in texts.items():
        for i in range(25):
            shop.conversation(f"{lang}{i}", f"{lang}-s{i}", [(text, "OK.")])
            shop.grant(f"{lang}-s{i}", "analytics")
    BudgetLedger(shop.db).set_budget("reasons", epsilon=50.0, ctx=OFFICER)
    now = datetime.now(UTC)
    report = run_queries(
        shop.db,
        parse_policy(builtin_policy_text(), BUILTIN_SOURCE),
        [QuerySpec("contact_reasons", epsilon=40.0, by=("language",))],
        tenant="default",
        dataset="reasons",
        since=now - timedelta(days=1),
        until=now + timedelta(days=1),
        ctx=OFFICER,
    )
    cells = {(c["language"], c["value"]): c["count"] for c in report["releases"][0]["cells"]}
    # epsilon 40 with 5 contributions: noise scale 1/8, so a count is off by 2 or more
    # with probability about e^-16.
    for lang in ("de", "fr"):
        assert abs(cells[(lang, "cancel_order")] - 25) <= 2
        assert abs(cells[(lang, OTHER)]) <= 2
