"""Operator configuration: defaults, shorthand, validation, CLI overrides."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from discreet.detect import EntityType
from discreet.transform import (
    GeneralizeSpec,
    MaskSpec,
    OperatorConfig,
    PlaceholderSpec,
    SurrogateSpec,
    TokenSpec,
    parse_override,
)


def test_default_is_token_for_every_type() -> None:
    config = OperatorConfig()
    assert all(isinstance(config.spec_for(t), TokenSpec) for t in EntityType)
    assert str(config.token_format.make(EntityType.PERSON, 1)) == "[PERSON_1]"


def test_yaml_style_mapping_with_shorthand() -> None:
    config = OperatorConfig.model_validate(
        {
            "default": "placeholder",
            "by_type": {"CREDIT_CARD": {"operator": "mask", "keep": 2}, "AGE": "generalize"},
            "token_format": {"prefix": "{{", "suffix": "}}"},
        }
    )
    assert config.spec_for(EntityType.CREDIT_CARD) == MaskSpec(keep=2)
    assert isinstance(config.spec_for(EntityType.AGE), GeneralizeSpec)
    assert isinstance(config.spec_for(EntityType.PERSON), PlaceholderSpec)
    assert config.token_format.make(EntityType.PERSON, 1) == "{{PERSON_1}}"


@pytest.mark.parametrize(
    "data",
    [
        {"default": "scramble"},
        {"by_type": {"NOT_A_TYPE": "token"}},
        {"by_type": {"IBAN": {"operator": "mask", "keep": 99}}},
        {"by_type": {"IBAN": {"operator": "mask", "colour": "red"}}},
        {"by_type": {"PERSON": {"operator": "placeholder", "template": "{name}"}}},
        {"phone_region": "Netherlands"},
    ],
)
def test_invalid_configuration_is_rejected(data: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        OperatorConfig.model_validate(data)


def test_training_preset_is_not_reversible() -> None:
    config = OperatorConfig.training()
    assert not config.uses("token")
    assert isinstance(config.spec_for(EntityType.PERSON), SurrogateSpec)
    assert isinstance(config.spec_for(EntityType.SECRET), PlaceholderSpec)
    assert isinstance(config.spec_for(EntityType.NATIONAL_ID), PlaceholderSpec)


def test_parse_override() -> None:
    assert parse_override("credit_card=MASK") == (EntityType.CREDIT_CARD, MaskSpec())
    with pytest.raises(ValueError, match="TYPE=OPERATOR"):
        parse_override("PERSON")
    with pytest.raises(ValueError, match="unknown operator"):
        parse_override("PERSON=shred")
    with pytest.raises(ValueError, match="unknown entity type"):
        parse_override("HAIR_COLOUR=token")
