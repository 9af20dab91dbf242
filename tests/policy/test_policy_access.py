"""What an assistant may see for a purpose: the decision the gateway builds context from."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from discreet.detect.entities import EntityType
from discreet.policy import (
    HiddenReason,
    LegalBasis,
    Policy,
    PolicyDenied,
    PolicyError,
    RecordKind,
    UnknownAssistant,
    UnknownPurpose,
    builtin_policy_text,
    history_cutoff,
    minimize_record,
    parse_policy,
)

CARE = """\
version: 1
tenant: pharmacy
data_categories:
  identity: {fields: [name, date_of_birth], types: {name: PERSON, date_of_birth: DATE_OF_BIRTH}}
  contact: {fields: [email, phone], types: {email: EMAIL_ADDRESS, phone: PHONE_NUMBER}}
  financial: {fields: [iban], types: {iban: IBAN}}
  health:
    special: true
    fields: [allergies, prescriptions]
    types: {allergies: text, prescriptions: text}
purposes:
  customer_support: {legal_basis: contract}
  care_advice:
    legal_basis: consent
    special_category_condition: explicit_consent
  refunds:
    legal_basis: contract
    categories: [identity, financial]
assistants:
  pharmacist:
    purposes: [customer_support, care_advice, refunds]
    categories: [identity, contact, health, financial]
    fields: []
    deny_fields: [date_of_birth]
    history_window_days: 14
    max_context_messages: 12
    operators: {PERSON: surrogate, IBAN: {operator: mask, keep: 2}}
  clerk:
    purposes: [customer_support]
    categories: [identity]
    fields: [email, phone]
    deny_fields: [email]
"""


@pytest.fixture(scope="module")
def care() -> Policy:
    return parse_policy(CARE, "care.yaml")


def test_allowed_fields_are_exactly_the_granted_categories_minus_denied(example: Policy) -> None:
    assert example.allowed_fields("support", "customer_support") == {
        "first_name",
        "last_name",
        "email",
        "phone",
        "customer_number",
        "order_number",
        "order_status",
        "order_items",
        "delivery_date",
    }
    assert example.allowed_fields("billing", "billing") == {
        "first_name",
        "last_name",
        "customer_number",
        "order_number",
        "order_status",
        "order_items",
        "delivery_date",
        "iban",
        "payment_method",
        "invoice_number",
        "outstanding_balance",
    }


def test_deny_wins_over_category_and_explicit_field_grants(care: Policy) -> None:
    assert "date_of_birth" not in care.allowed_fields("pharmacist", "customer_support")
    assert care.hidden_reason("pharmacist", "customer_support", "date_of_birth") is (
        HiddenReason.DENIED
    )
    # `clerk` is granted email explicitly *and* denies it: denied.
    assert care.allowed_fields("clerk", "customer_support") == {"name", "date_of_birth", "phone"}
    assert care.hidden_reason("clerk", "customer_support", "email") is HiddenReason.DENIED


def test_deny_wins_even_when_a_field_is_granted_twice() -> None:
    text = CARE.replace(
        "    fields: []\n    deny_fields: [date_of_birth]",
        "    fields: [date_of_birth]\n    deny_fields: [date_of_birth]",
    )
    policy = parse_policy(text)
    for purpose in policy.assistants["pharmacist"].purposes:
        assert "date_of_birth" not in policy.allowed_fields("pharmacist", purpose)


def test_special_category_only_for_the_purpose_with_an_art9_condition(care: Policy) -> None:
    assert {"allergies", "prescriptions"} <= care.allowed_fields("pharmacist", "care_advice")
    support = care.allowed_fields("pharmacist", "customer_support")
    assert not {"allergies", "prescriptions"} & support
    assert care.hidden_reason("pharmacist", "customer_support", "allergies") is (
        HiddenReason.SPECIAL_CATEGORY
    )


def test_purpose_limitation_narrows_the_assistant_grant(care: Policy) -> None:
    assert care.allowed_fields("pharmacist", "refunds") == {"name", "iban"}
    assert care.hidden_reason("pharmacist", "refunds", "email") is HiddenReason.OUTSIDE_PURPOSE


def test_access_grant_carries_what_the_audit_record_needs(care: Policy) -> None:
    grant = care.access("pharmacist", "care_advice")
    assert grant.legal_basis is LegalBasis.CONSENT
    assert grant.requires_consent is True
    assert grant.categories == {"identity", "contact", "health", "financial"}
    assert (grant.history_window_days, grant.max_context_messages) == (14, 12)
    assert care.access("pharmacist", "refunds").categories == {"identity", "financial"}
    assert care.requires_consent("customer_support") is False


def test_unknown_names_and_unserved_purposes_are_denied(care: Policy) -> None:
    with pytest.raises(UnknownAssistant, match="unknown assistant 'pharmacits'; did you mean"):
        care.allowed_fields("pharmacits", "care_advice")
    with pytest.raises(UnknownPurpose, match="unknown purpose 'marketing'"):
        care.allowed_fields("clerk", "marketing")
    with pytest.raises(PolicyDenied, match="'clerk' does not serve purpose 'care_advice'"):
        care.assert_may_serve("clerk", "care_advice")
    with pytest.raises(PolicyDenied):
        care.access("clerk", "refunds")
    care.assert_may_serve("clerk", "customer_support")  # allowed: no exception


def test_billing_never_gets_a_health_field(example: Policy) -> None:
    health = set(example.data_categories["health"].fields)
    assert health  # the loop below must check something
    for purpose in example.purposes:
        for field in sorted(example.all_fields):
            if purpose not in example.assistants["billing"].purposes:
                with pytest.raises(PolicyDenied):
                    example.allowed_fields("billing", purpose)
                continue
            visible = field in example.allowed_fields("billing", purpose)
            reason = example.hidden_reason("billing", purpose, field)
            assert visible == (reason is None)
            if field in health:
                assert not visible, f"billing may see health field {field}"
                assert example.category_of(field) == "health"


def test_granting_health_to_billing_is_rejected_at_load_time() -> None:
    text = builtin_policy_text().replace(
        "    categories: [identity, financial, order]\n    deny_fields: [date_of_birth]\n"
        "    history_window_days: 30",
        "    categories: [identity, financial, order, health]\n    deny_fields: [date_of_birth]\n"
        "    history_window_days: 30",
    )
    assert text != builtin_policy_text()
    with pytest.raises(PolicyError, match=r"assistants\.billing\.categories\[3\]: 'health' is a"):
        parse_policy(text)


def test_policy_is_immutable(example: Policy) -> None:
    with pytest.raises(ValidationError):
        example.assistants["billing"].categories = ("health",)  # type: ignore[misc]
    with pytest.raises(ValidationError):
        example.tenant = "other"  # type: ignore[misc]


def test_operators_per_assistant_over_policy_wide_defaults(care: Policy) -> None:
    assert care.operator_for("pharmacist", EntityType.PERSON).operator == "surrogate"
    iban = care.operator_for("pharmacist", EntityType.IBAN)
    assert (iban.operator, getattr(iban, "keep", None)) == ("mask", 2)
    assert care.operator_for("pharmacist", EntityType.EMAIL_ADDRESS).operator == "token"
    assert care.operator_for("clerk", EntityType.PERSON).operator == "token"
    # Secrets are redacted unless the policy sets SECRET explicitly.
    assert care.operator_for("clerk", EntityType.SECRET).operator == "redact"
    config = care.operator_config("pharmacist")
    assert config.spec_for(EntityType.PERSON).operator == "surrogate"
    with pytest.raises(UnknownAssistant):
        care.operator_config("nobody")


def test_explicit_secret_operator_is_respected() -> None:
    text = CARE + "pseudonymisation:\n  default: placeholder\n  by_type: {SECRET: token}\n"
    policy = parse_policy(text)
    assert policy.operator_for("clerk", EntityType.SECRET).operator == "token"
    assert policy.operator_for("clerk", EntityType.URL).operator == "placeholder"


def test_retention_most_specific_rule_wins(example: Policy, care: Policy) -> None:
    assert example.retention_days(RecordKind.SUBJECT_FIELDS, "financial") == 2555
    assert example.retention_days(RecordKind.SUBJECT_FIELDS, "health") == 30
    assert example.retention_days(RecordKind.SUBJECT_FIELDS, "contact") == 365
    assert example.retention_days(RecordKind.SUBJECT_FIELDS) == 365
    # No rules at all: the shortest built-in defaults.
    assert care.retention_days(RecordKind.CONVERSATION_MESSAGES) == 90
    assert care.retention_days(RecordKind.TOKEN_MAPS, "health") == 90
    assert care.retention_days(RecordKind.AUDIT_RECORDS) == 365


# -- property test over generated policies ---------------------------------------------------


def _random_policy(rng: random.Random) -> dict[str, object]:
    categories = {}
    for c in range(rng.randint(1, 5)):
        fields = [f"f{c}_{i}" for i in range(rng.randint(1, 4))]
        categories[f"c{c}"] = {
            "fields": fields,
            "special": rng.random() < 0.3,
            "types": dict.fromkeys(fields, "text"),
        }
    names = list(categories)
    purposes: dict[str, dict[str, object]] = {}
    for p in range(rng.randint(1, 4)):
        spec: dict[str, object] = {"legal_basis": rng.choice(["consent", "contract"])}
        if spec["legal_basis"] == "consent" and rng.random() < 0.5:
            spec["special_category_condition"] = "explicit_consent"
        if rng.random() < 0.4:
            spec["categories"] = rng.sample(names, rng.randint(1, len(names)))
        purposes[f"p{p}"] = spec
    all_fields = [f for c in categories.values() for f in c["fields"]]  # type: ignore[attr-defined]
    assistants = {}
    for a in range(rng.randint(1, 3)):
        assistants[f"a{a}"] = {
            "purposes": rng.sample(list(purposes), rng.randint(1, len(purposes))),
            "categories": rng.sample(names, rng.randint(0, len(names))),
            "fields": rng.sample(all_fields, rng.randint(0, min(3, len(all_fields)))),
            "deny_fields": rng.sample(all_fields, rng.randint(0, min(3, len(all_fields)))),
        }
    return {
        "version": 1,
        "tenant": "t",
        "data_categories": categories,
        "purposes": purposes,
        "assistants": assistants,
    }


def test_generated_policies_obey_the_access_rules() -> None:
    rng = random.Random(20261122)
    checked = 0
    for _ in range(400):
        data = _random_policy(rng)
        try:
            policy = Policy.model_validate(data)
        except PolicyError as exc:
            # Only the special-category rule may reject a generated policy.
            assert all("special" in i.message for i in exc.issues), exc
            continue
        for name, spec in policy.assistants.items():
            for purpose in spec.purposes:
                pspec = policy.purposes[purpose]
                allowed = policy.allowed_fields(name, purpose)
                for field in policy.all_fields:
                    category = policy.category_of(field)
                    special = policy.data_categories[category].special
                    expected = (
                        (category in spec.categories or field in spec.fields)
                        and field not in spec.deny_fields
                        and not (special and pspec.special_category_condition is None)
                        and (pspec.categories is None or category in pspec.categories)
                    )
                    assert (field in allowed) == expected, (name, purpose, field)
                    checked += 1
                assert not allowed & set(spec.deny_fields)
    assert checked > 2000  # the generator must produce enough valid policies to mean something


def test_minimize_record_keeps_only_allowed_fields_and_drops_unknown_keys(
    example: Policy,
) -> None:
    record = {
        "first_name": "Ada",
        "date_of_birth": "1990-01-01",
        "iban": "NL91ABNA0417164300",
        "allergies": "penicillin",
        "notes_from_crm": "free text the policy does not know",
    }
    assert minimize_record(example, "billing", "billing", record) == {
        "first_name": "Ada",
        "iban": "NL91ABNA0417164300",
    }
    assert minimize_record(example, "support", "customer_support", record) == {"first_name": "Ada"}
    with pytest.raises(PolicyDenied):
        minimize_record(example, "billing", "customer_support", record)


def test_history_cutoff_follows_the_assistant_window(example: Policy) -> None:
    now = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
    assert history_cutoff(example, "support", now) == datetime(2026, 8, 24, 12, 0, tzinfo=UTC)
    assert history_cutoff(example, "billing", now) == now - timedelta(days=30)
