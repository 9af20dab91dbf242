"""Loading a policy: where it comes from, and errors that name the key path and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from discreet.detect.entities import EntityType
from discreet.policy import (
    BUILTIN_SOURCE,
    LegalBasis,
    Policy,
    PolicyError,
    builtin_policy_text,
    load_policy,
    parse_policy,
)
from discreet.policy.models import DEFAULT_DISCLOSURE, DEFAULT_HANDOFF, HandoffSpec
from discreet.policy.vocabulary import RecordKind
from discreet.settings import Settings
from discreet.wiring import read_config


def line_of(text: str, needle: str) -> int:
    """1-based line of the only occurrence of `needle` in `text`."""
    assert text.count(needle) == 1, f"test setup: {needle!r} must occur once"
    return text[: text.index(needle)].count("\n") + 1


def errors_of(text: str, source: str = "discreet.yaml") -> list[str]:
    with pytest.raises(PolicyError) as info:
        parse_policy(text, source)
    assert info.value.source == source
    return info.value.messages()


# -- the example / built-in policy ------------------------------------------------------------


def test_example_policy_loads_with_the_documented_content(example: Policy) -> None:
    assert example.source == BUILTIN_SOURCE
    assert example.tenant == "example-shop"
    assert list(example.data_categories) == [
        "identity",
        "contact",
        "location",
        "order",
        "financial",
        "health",
    ]
    assert [n for n, c in example.data_categories.items() if c.special] == ["health"]
    assert {n: p.legal_basis for n, p in example.purposes.items()} == {
        "customer_support": LegalBasis.CONTRACT,
        "billing": LegalBasis.CONTRACT,
        "model_training": LegalBasis.CONSENT,
        "analytics": LegalBasis.CONSENT,
    }
    assert set(example.assistants) == {"support", "billing"}
    assert example.assistants["support"].history_window_days == 90
    assert example.upstream is None  # the embedded assistant answers
    # Closing forgets by default; the token_maps rule only bounds never-closed maps.
    assert example.conversation.keep_token_maps_after_close_days == 0
    assert example.retention_days(RecordKind.TOKEN_MAPS) == 90


def test_example_file_is_shipped_inside_the_package() -> None:
    shipped = Path(__file__).parents[2] / "src/discreet/data/discreet.example.yaml"
    assert shipped.read_text(encoding="utf-8") == builtin_policy_text()


def test_missing_keys_take_the_strict_defaults(minimal_yaml: str) -> None:
    policy = parse_policy(minimal_yaml)
    helper = policy.assistants["helper"]
    assert helper.history_window_days == 90
    assert helper.deny_fields == ()
    assert policy.upstream is None
    assert policy.conversation.keep_token_maps_after_close_days == 0  # closing forgets
    assert policy.detection.threshold == 0.4
    assert "AI" in policy.disclosure.text


def test_customer_facing_texts_default_to_all_four_languages(minimal_yaml: str) -> None:
    policy = parse_policy(minimal_yaml)
    for language in ("en", "nl", "de", "fr"):
        assert policy.disclosure.in_language(language) == DEFAULT_DISCLOSURE[language]
        assert policy.handoff.in_language(language) == DEFAULT_HANDOFF[language]
    assert policy.disclosure.in_language("es") == DEFAULT_DISCLOSURE["en"]
    assert {"medewerker", "mitarbeiter", "conseiller"} <= set(policy.handoff.triggers)
    assert "personne" not in policy.handoff.triggers  # French for "nobody" too


def test_a_policys_own_text_is_not_replaced_by_discreets_translations(
    minimal_yaml: str,
) -> None:
    own = minimal_yaml + "disclosure:\n  text: Dit is een AI-assistent van de winkel.\n"
    policy = parse_policy(own)
    for language in ("en", "nl", "de", "fr"):
        assert policy.disclosure.in_language(language) == "Dit is een AI-assistent van de winkel."
    translated = own + "  translations:\n    de: Dies ist ein KI-Assistent.\n"
    policy = parse_policy(translated)
    assert policy.disclosure.in_language("de") == "Dies ist ein KI-Assistent."
    assert policy.disclosure.in_language("fr") == "Dit is een AI-assistent van de winkel."


@pytest.mark.parametrize(
    ("translations", "message"),
    [("    es: Hola\n", "'es'"), ('    nl: " "\n', "'nl' translation is empty")],
)
def test_a_bad_translation_is_a_clear_error(
    minimal_yaml: str, translations: str, message: str
) -> None:
    text = minimal_yaml + "handoff:\n  translations:\n" + translations
    errors = errors_of(text)
    assert any("handoff" in e and message in e for e in errors), errors


def test_the_example_policys_translations_are_discreets_defaults(example: Policy) -> None:
    for language in ("en", "nl", "de", "fr"):
        assert example.disclosure.in_language(language) == DEFAULT_DISCLOSURE[language]
        assert example.handoff.in_language(language) == DEFAULT_HANDOFF[language]
    assert example.handoff.triggers == HandoffSpec().triggers


# -- where the policy comes from ---------------------------------------------------------------


def test_explicit_path_wins_over_environment(
    tmp_path: Path, minimal_yaml: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from discreet.cli._common import load_policy_or_exit

    mine = tmp_path / "mine.yaml"
    mine.write_text(minimal_yaml.replace("tenant: acme", "tenant: mine"))
    other = tmp_path / "other.yaml"
    other.write_text(minimal_yaml)
    monkeypatch.setenv("DISCREET_CONFIG", str(other))
    policy = load_policy_or_exit(mine, Settings())  # --config over DISCREET_CONFIG
    assert policy.tenant == "mine"
    assert policy.source == str(mine)


def test_environment_variable_names_the_file(
    tmp_path: Path, minimal_yaml: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    configured = tmp_path / "conf.yaml"
    configured.write_text(minimal_yaml.replace("tenant: acme", "tenant: from-env"))
    monkeypatch.setenv("DISCREET_CONFIG", str(configured))
    assert read_config().policy.tenant == "from-env"


def test_discreet_yaml_in_the_working_directory_is_used(
    tmp_path: Path, minimal_yaml: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "discreet.yaml").write_text(minimal_yaml.replace("tenant: acme", "tenant: cwd"))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DISCREET_CONFIG", "")  # blank: unset
    assert read_config().policy.tenant == "cwd"


def test_without_any_file_the_builtin_example_is_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DISCREET_CONFIG", raising=False)
    policy = read_config().policy
    assert policy.source == BUILTIN_SOURCE
    assert policy.tenant == "example-shop"


def test_a_named_but_missing_file_never_falls_back_to_defaults(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    missing = tmp_path / "nope.yaml"
    monkeypatch.setenv("DISCREET_CONFIG", str(missing))
    with pytest.raises(PolicyError) as info:
        read_config()
    assert info.value.messages() == [f"{missing}: file not found"]
    with pytest.raises(PolicyError, match="file not found"):
        load_policy(missing)


def test_directory_and_binary_files_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match="is a directory"):
        load_policy(tmp_path)
    binary = tmp_path / "policy.yaml"
    binary.write_bytes(b"version: 1\ntenant: \xff\xfe\n")
    with pytest.raises(PolicyError, match="not UTF-8"):
        load_policy(binary)


# -- malformed files ----------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n"])
def test_empty_file(text: str) -> None:
    assert errors_of(text) == [
        "discreet.yaml: the file is empty; a policy needs at least 'version' and 'tenant'"
    ]


def test_malformed_yaml_names_the_line() -> None:
    text = "version: 1\ntenant: acme\nassistants:\n  helper: [a, b\n  other: {}\n"
    [message] = errors_of(text)
    assert message.startswith("discreet.yaml:5: invalid YAML:")


def test_tab_indentation_is_malformed_yaml() -> None:
    [message] = errors_of("version: 1\ntenant: acme\npurposes:\n\tsupport: {}\n")
    assert message.startswith("discreet.yaml:4: invalid YAML:")


@pytest.mark.parametrize(("text", "kind"), [("- a\n- b\n", "a list"), ("just text\n", "text")])
def test_top_level_must_be_a_mapping(text: str, kind: str) -> None:
    assert errors_of(text) == [
        f"discreet.yaml:1: the top level must be a mapping of keys, not {kind}"
    ]


def test_duplicate_keys_are_errors_not_silently_overwritten(minimal_yaml: str) -> None:
    text = minimal_yaml + "  helper:\n    purposes: [support]\n    categories: [health]\n"
    second = text.rindex("  helper:")
    line = text[:second].count("\n") + 1
    first = line_of(minimal_yaml, "  helper:")
    assert errors_of(text) == [
        f"discreet.yaml:{line}: assistants.helper: duplicate key 'helper' (first at line {first})"
    ]


# -- schema errors: key path and line ---------------------------------------------------------


def test_unknown_key_suggests_the_right_one(minimal_yaml: str) -> None:
    text = minimal_yaml.replace("    categories: [contact, order]", "    categroies: [contact]")
    line = line_of(text, "categroies")
    [message] = errors_of(text)
    assert message.startswith(
        f"discreet.yaml:{line}: assistants.helper.categroies: unknown key 'categroies'; "
        "did you mean 'categories'?"
    )
    assert "history_window_days" in message  # lists what is allowed


def test_unknown_top_level_key(minimal_yaml: str) -> None:
    text = minimal_yaml + "upstreem:\n  model: x\n"
    [message] = errors_of(text)
    assert message.startswith(
        f"discreet.yaml:{line_of(text, 'upstreem')}: upstreem: unknown key 'upstreem'; "
        "did you mean 'upstream'?"
    )


def test_wrong_type_names_path_line_and_the_type_found(minimal_yaml: str) -> None:
    text = minimal_yaml.replace("    purposes: [support]", "    purposes: support")
    assert errors_of(text) == [
        f"discreet.yaml:{line_of(text, 'purposes: support')}: assistants.helper.purposes: "
        "Input should be a list (got text)"
    ]


def test_number_where_a_mapping_is_expected(minimal_yaml: str) -> None:
    text = minimal_yaml.replace(
        "  order:\n    fields: [order_number]\n    types: {order_number: ORDER_ID}\n",
        "  order: 5\n",
    )
    assert errors_of(text) == [
        f"discreet.yaml:{line_of(text, 'order: 5')}: data_categories.order: "
        "Input should be a mapping (got a number)"
    ]


def test_an_assistant_without_purposes_is_an_error(minimal_yaml: str) -> None:
    text = minimal_yaml.replace("purposes: [support]", "purposes: []")
    assert errors_of(text) == [
        f"discreet.yaml:{line_of(text, 'purposes: []')}: assistants.helper.purposes: "
        "List should have at least 1 item after validation, not 0"
    ]


def test_missing_required_key_points_at_its_parent(minimal_yaml: str) -> None:
    text = minimal_yaml.replace("    legal_basis: contract\n", "    description: help\n")
    assert errors_of(text) == [
        f"discreet.yaml:{line_of(text, '  support:')}: purposes.support: "
        "required key 'legal_basis' is missing"
    ]


def test_missing_top_level_key() -> None:
    assert errors_of("version: 1\n") == ["discreet.yaml:1: required key 'tenant' is missing"]


def test_misspelt_choice_is_echoed_with_a_suggestion(minimal_yaml: str) -> None:
    text = minimal_yaml.replace("legal_basis: contract", "legal_basis: contrakt")
    [message] = errors_of(text)
    assert message.startswith(
        f"discreet.yaml:{line_of(text, 'contrakt')}: purposes.support.legal_basis: Input should be"
    )
    assert message.endswith("(got 'contrakt'); did you mean 'contract'?")


def test_unsupported_version(minimal_yaml: str) -> None:
    assert errors_of(minimal_yaml.replace("version: 1", "version: 2")) == [
        "discreet.yaml:1: version: Input should be 1 (got 2)"
    ]


def test_invalid_names_are_reported_at_the_key(minimal_yaml: str) -> None:
    text = minimal_yaml.replace("  health:", "  Health Data:")
    [message] = errors_of(text)
    assert message.startswith(
        f"discreet.yaml:{line_of(text, 'Health Data')}: data_categories.Health Data: "
        "invalid key: names use lower-case letters"
    )


def test_unknown_entity_type_and_operator(minimal_yaml: str) -> None:
    text = minimal_yaml + "    operators:\n      PERSN: token\n      IBAN: tokn\n"
    assert errors_of(text) == [
        f"discreet.yaml:{line_of(text, 'PERSN')}: assistants.helper.operators.PERSN: invalid key: "
        + _enum_message_start(text),
        f"discreet.yaml:{line_of(text, 'IBAN')}: assistants.helper.operators.IBAN: "
        "unknown operator 'tokn'; did you mean 'token'? (known: generalize, hash, mask, "
        "placeholder, redact, surrogate, token)",
    ]


def _enum_message_start(text: str) -> str:
    # The full list of entity types is long; compute the expected message from the policy.
    with pytest.raises(PolicyError) as info:
        parse_policy(text)
    first = info.value.messages()[0]
    assert "Input should be 'PERSON'" in first
    assert first.endswith("(got 'PERSN'); did you mean 'PERSON'?")
    return first.split("invalid key: ", 1)[1]


def test_operator_options_are_validated(minimal_yaml: str) -> None:
    text = minimal_yaml + "    operators:\n      IBAN: {operator: mask, keep: 99}\n"
    assert errors_of(text) == [
        f"discreet.yaml:{line_of(text, 'IBAN')}: assistants.helper.operators.IBAN.keep: "
        "Input should be less than or equal to 8"
    ]


def test_detection_settings_are_validated_in_place(minimal_yaml: str) -> None:
    text = minimal_yaml + "detection:\n  threshold: 1.5\n  default_language: xx\n"
    assert errors_of(text) == [
        f"discreet.yaml:{line_of(text, 'threshold')}: detection.threshold: "
        "Input should be less than or equal to 1",
        f"discreet.yaml:{line_of(text, 'default_language')}: detection.default_language: "
        "default_language must be one of en, nl, de, fr",
    ]


def test_upstream_rejects_credentials_without_echoing_them(minimal_yaml: str) -> None:
    secret = "sk-live-abc123def456"
    text = minimal_yaml + (
        f"upstream:\n  base_url: https://user:{secret}@llm.example\n  model: m\n"
        f"  api_key_env: {secret}\n"
    )
    messages = errors_of(text)
    assert messages == [
        f"discreet.yaml:{line_of(text, 'base_url')}: upstream.base_url: "
        "must not contain credentials; use api_key_env",
        f"discreet.yaml:{line_of(text, 'api_key_env')}: upstream.api_key_env: "
        "must be the name of an environment variable, not the key itself",
    ]
    assert not any(secret in m for m in messages)


def test_all_schema_errors_are_listed_at_once(minimal_yaml: str) -> None:
    text = (
        minimal_yaml.replace("legal_basis: contract", "legal_basis: 7")
        .replace("    purposes: [support]", "    purposes: support")
        .replace("tenant: acme\n", "tenant: acme\nextra: 1\n")
    )
    lines = [int(m.split(":")[1]) for m in errors_of(text)]
    assert lines == sorted(lines)
    assert len(lines) == 3


# -- cross-reference errors -------------------------------------------------------------------


def test_unknown_category_message_matches_the_documented_format(minimal_yaml: str) -> None:
    text = minimal_yaml.replace("categories: [contact, order]", "categories: [contact, helth]")
    assert errors_of(text) == [
        f"discreet.yaml:{line_of(text, 'helth')}: assistants.helper.categories[1]: "
        "unknown data category 'helth'; did you mean 'health'? (known: contact, health, order)"
    ]


def test_multi_line_lists_report_the_item_line(minimal_yaml: str) -> None:
    text = minimal_yaml.replace(
        "    categories: [contact, order]", "    categories:\n      - contact\n      - ordr\n"
    )
    [message] = errors_of(text)
    assert message.startswith(
        f"discreet.yaml:{line_of(text, '- ordr')}: assistants.helper.categories[1]: "
        "unknown data category 'ordr'"
    )


def test_unknown_purpose_field_and_denied_field(minimal_yaml: str) -> None:
    text = minimal_yaml.replace("purposes: [support]", "purposes: [support, biling]") + (
        "    fields: [emial]\n    deny_fields: [phone, fone]\n"
    )
    assert errors_of(text) == [
        f"discreet.yaml:{line_of(text, 'biling')}: assistants.helper.purposes[1]: "
        "unknown purpose 'biling' (known: support)",
        f"discreet.yaml:{line_of(text, 'emial')}: assistants.helper.fields[0]: "
        "unknown field 'emial'; did you mean 'email'? (known: diagnosis, email, order_number, "
        "phone)",
        f"discreet.yaml:{line_of(text, 'fone')}: assistants.helper.deny_fields[1]: "
        "unknown field 'fone'; did you mean 'phone'? (known: diagnosis, email, order_number, "
        "phone)",
    ]


def test_a_field_belongs_to_exactly_one_category(minimal_yaml: str) -> None:
    text = minimal_yaml.replace("fields: [order_number]", "fields: [order_number, email]")
    assert errors_of(text) == [
        f"discreet.yaml:{line_of(text, 'order_number, email')}: data_categories.order.fields[1]: "
        "field 'email' is already listed in 'contact'"
    ]


def test_special_category_needs_a_purpose_with_an_art9_condition(minimal_yaml: str) -> None:
    text = minimal_yaml.replace("categories: [contact, order]", "categories: [contact, health]")
    assert errors_of(text) == [
        f"discreet.yaml:{line_of(text, 'contact, health')}: assistants.helper.categories[1]: "
        "'health' is a special category; none of this assistant's purposes (support) has a "
        "special_category_condition (GDPR art. 9(2)), e.g. explicit_consent"
    ]


def test_a_single_special_field_is_caught_too(minimal_yaml: str) -> None:
    text = minimal_yaml + "    fields: [email, diagnosis]\n"
    [message] = errors_of(text)
    assert message.startswith(
        f"discreet.yaml:{line_of(text, 'email, diagnosis')}: assistants.helper.fields[1]: "
        "'diagnosis' is in special category 'health'"
    )


def test_explicit_consent_condition_needs_the_consent_basis(minimal_yaml: str) -> None:
    text = minimal_yaml.replace(
        "    legal_basis: contract\n",
        "    legal_basis: contract\n    special_category_condition: explicit_consent\n",
    )
    assert errors_of(text) == [
        f"discreet.yaml:{line_of(text, 'special_category_condition')}: "
        "purposes.support.special_category_condition: explicit_consent needs legal_basis: "
        "consent (this purpose's basis is contract)"
    ]


def test_history_window_cannot_outlive_message_retention(minimal_yaml: str) -> None:
    text = minimal_yaml + (
        "    history_window_days: 60\nretention:\n  - record: conversation_messages\n    days: 30\n"
    )
    assert errors_of(text) == [
        f"discreet.yaml:{line_of(text, 'history_window_days')}: "
        "assistants.helper.history_window_days: 60 days is longer than conversation messages "
        "are kept (30 days, see retention)"
    ]


def test_token_maps_are_kept_after_close_no_longer_than_their_retention(
    minimal_yaml: str,
) -> None:
    keep = "conversation:\n  keep_token_maps_after_close_days: 45\n"
    assert parse_policy(minimal_yaml + keep).conversation.keep_token_maps_after_close_days == 45
    text = minimal_yaml + keep + "retention:\n  - record: token_maps\n    days: 30\n"
    assert errors_of(text) == [
        f"discreet.yaml:{line_of(text, 'keep_token_maps')}: "
        "conversation.keep_token_maps_after_close_days: 45 days is longer than token maps "
        "are kept (30 days, see retention)"
    ]
    # Without a token_maps rule the built-in 90 days bound it.
    [message] = errors_of(minimal_yaml + keep.replace("45", "120"))
    assert "120 days is longer than token maps are kept (90 days" in message
    [message] = errors_of(minimal_yaml + keep.replace("45", "-1"))
    assert "keep_token_maps_after_close_days" in message
    assert "greater than or equal to 0" in message


def test_retention_rules_reference_categories_once(minimal_yaml: str) -> None:
    text = minimal_yaml + (
        "retention:\n"
        "  - record: subject_fields\n    category: contakt\n    days: 30\n"
        "  - record: token_maps\n    days: 30\n"
        "  - record: token_maps\n    days: 60\n"
    )
    second = text.rindex("  - record: token_maps")
    assert errors_of(text) == [
        f"discreet.yaml:{line_of(text, 'contakt')}: retention[0].category: "
        "unknown data category 'contakt'; did you mean 'contact'? (known: contact, health, order)",
        f"discreet.yaml:{text[:second].count(chr(10)) + 1}: retention[2]: a second rule for "
        "token_maps (the first is retention[1])",
    ]


def test_purpose_scope_references_known_categories(minimal_yaml: str) -> None:
    text = minimal_yaml.replace(
        "    legal_basis: contract\n", "    legal_basis: contract\n    categories: [contact, x]\n"
    )
    [message] = errors_of(text)
    assert message.startswith(
        f"discreet.yaml:{line_of(text, '[contact, x]')}: purposes.support.categories[1]: "
        "unknown data category 'x'"
    )


def test_policies_built_in_code_are_cross_checked_too() -> None:
    with pytest.raises(PolicyError) as info:
        Policy.model_validate(
            {
                "version": 1,
                "tenant": "t",
                "purposes": {"p": {"legal_basis": "contract"}},
                "assistants": {"a": {"purposes": ["p"], "categories": ["nope"]}},
            }
        )
    [issue] = info.value.issues
    assert issue.path == ("assistants", "a", "categories", 0)
    assert issue.line is None


def test_error_string_lists_every_problem_for_logs(minimal_yaml: str) -> None:
    text = minimal_yaml.replace("categories: [contact, order]", "categories: [x, y]")
    with pytest.raises(PolicyError) as info:
        parse_policy(text, "p.yaml")
    line = line_of(text, "[x, y]")
    assert str(info.value) == (
        "p.yaml: invalid policy (2 problems):\n"
        f"  p.yaml:{line}: assistants.helper.categories[0]: unknown data category 'x' "
        "(known: contact, health, order)\n"
        f"  p.yaml:{line}: assistants.helper.categories[1]: unknown data category 'y' "
        "(known: contact, health, order)"
    )


# -- field types: declared, never guessed ------------------------------------------------------


def test_a_visible_field_without_a_declared_type_is_an_error_naming_it(minimal_yaml: str) -> None:
    text = minimal_yaml.replace("    types: {order_number: ORDER_ID}\n", "")
    assert errors_of(text) == [
        f"discreet.yaml:{line_of(text, 'fields: [order_number]')}: "
        "data_categories.order.fields[0]: field 'order_number' is visible to assistant "
        "'helper' but has no declared type: add it to `types` of category 'order' as an "
        "entity type (PERSON, PHONE_NUMBER, ORDER_ID, ...), plain (sent as it is) or text "
        "(free text, detection runs on it)"
    ]


def test_a_field_no_assistant_sees_may_go_without_a_type(minimal_yaml: str) -> None:
    # health is granted to nobody: declaring its type is not required.
    policy = parse_policy(minimal_yaml.replace("    types: {diagnosis: text}\n", ""))
    assert "diagnosis" not in policy.field_types


def test_types_name_an_entity_type_plain_or_text_of_the_categorys_own_fields(
    minimal_yaml: str,
) -> None:
    policy = parse_policy(minimal_yaml)
    assert policy.field_types["phone"] is EntityType.PHONE_NUMBER
    assert policy.entity_fields == {
        "email": EntityType.EMAIL_ADDRESS,
        "phone": EntityType.PHONE_NUMBER,
        "order_number": EntityType.ORDER_ID,
    }
    unknown = minimal_yaml.replace("{order_number: ORDER_ID}", "{order_number: ORDER_NR}")
    assert "order_number" in " ".join(errors_of(unknown))
    stray = minimal_yaml.replace("{order_number: ORDER_ID}", "{order_status: plain}")
    assert errors_of(stray)[0].endswith(
        "types name fields not in this category's fields: order_status"
    )


def test_the_example_policy_declares_every_field_it_lets_an_assistant_see(example: Policy) -> None:
    visible = {
        f for a, spec in example.assistants.items() for p in spec.purposes
        for f in example.allowed_fields(a, p)
    }  # fmt: skip
    assert visible <= set(example.field_types)
    assert example.field_types["order_status"] == "plain"
    assert example.field_types["first_name"] is EntityType.PERSON
