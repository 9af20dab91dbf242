"""The plain-words explanation agrees with enforcement, purpose by purpose."""

from __future__ import annotations

from discreet.policy import HiddenReason, Policy, explain_assistant, parse_policy, render_markup
from discreet.policy.explain import HiddenField

POLICY = """\
version: 1
tenant: pharmacy
data_categories:
  identity: {fields: [name, date_of_birth], types: {name: PERSON, date_of_birth: DATE_OF_BIRTH}}
  contact: {fields: [email, phone], types: {email: EMAIL_ADDRESS, phone: PHONE_NUMBER}}
  health: {special: true, fields: [allergies], types: {allergies: text}}
purposes:
  customer_support: {legal_basis: contract}
  care_advice:
    legal_basis: consent
    special_category_condition: explicit_consent
  shipping:
    legal_basis: contract
    categories: [identity]
assistants:
  pharmacist:
    description: Answers [questions] about medicines
    purposes: [customer_support, care_advice]
    categories: [identity, health]
    deny_fields: [date_of_birth]
    history_window_days: 0
  courier:
    purposes: [shipping]
    categories: [identity]
    fields: [phone]
"""


def _policy() -> Policy:
    return parse_policy(POLICY, "p.yaml")


def test_visible_fields_per_purpose_match_allowed_fields() -> None:
    policy = _policy()
    ex = explain_assistant(policy, "pharmacist")
    assert not ex.same_for_all_purposes
    for view in ex.purposes:
        shown = {f for fields in view.visible.values() for f in fields}
        assert shown == policy.allowed_fields("pharmacist", view.name)
    assert ex.consent_purposes == ("care_advice",)
    assert ex.hidden == {
        "identity": (_hidden("date_of_birth", HiddenReason.DENIED),),
        "contact": (
            _hidden("email", HiddenReason.NOT_GRANTED),
            _hidden("phone", HiddenReason.NOT_GRANTED),
        ),
    }


def test_rendering_lists_each_purpose_and_escapes_policy_text() -> None:
    text = render_markup(explain_assistant(_policy(), "pharmacist"))
    assert (
        "  for care_advice:\n    identity: name (PERSON)\n"
        "    health: allergies (free text, detected)"
    ) in text
    assert "  for customer_support:\n    identity: name (PERSON)\n" in text
    assert "special-category data allowed under art. 9(2) condition 'explicit_consent'" in text
    assert "earlier conversations are not used" in text
    assert r"Answers \[questions] about medicines" in text  # Rich markup escaped


def test_mixed_reasons_in_one_category_are_given_per_field() -> None:
    ex = explain_assistant(_policy(), "courier")
    assert ex.hidden["contact"] == (
        _hidden("email", HiddenReason.NOT_GRANTED),
        _hidden("phone", HiddenReason.OUTSIDE_PURPOSE),
    )
    text = render_markup(ex)
    assert "contact: email (not granted), phone (outside its purposes' data categories)" in text


def _hidden(field: str, reason: HiddenReason) -> HiddenField:
    return HiddenField(field, reason)


def test_explanation_says_whether_closing_forgets_the_values() -> None:
    text = render_markup(explain_assistant(_policy(), "courier"))
    assert "a conversation idle for 30 minutes is closed" in text
    assert "closing forgets the personal values" in text
    keeping = parse_policy(POLICY + "conversation:\n  keep_token_maps_after_close_days: 14\n")
    ex = explain_assistant(keeping, "courier")
    assert ex.keep_token_maps_after_close_days == 14
    text = render_markup(ex)
    assert "closing forgets" not in text
    assert "kept 14 days after closing (keep_token_maps_after_close_days)" in text
