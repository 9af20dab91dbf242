from __future__ import annotations

import pytest

from discreet.policy import BUILTIN_SOURCE, Policy, builtin_policy_text, parse_policy

# A small valid policy; tests edit it and look up expected line numbers with `line_of`.
MINIMAL = """\
version: 1
tenant: acme
data_categories:
  contact:
    fields: [email, phone]
    types: {email: EMAIL_ADDRESS, phone: PHONE_NUMBER}
  order:
    fields: [order_number]
    types: {order_number: ORDER_ID}
  health:
    special: true
    fields: [diagnosis]
    types: {diagnosis: text}
purposes:
  support:
    legal_basis: contract
assistants:
  helper:
    purposes: [support]
    categories: [contact, order]
"""


@pytest.fixture
def minimal_yaml() -> str:
    return MINIMAL


@pytest.fixture(scope="session")
def example() -> Policy:
    """The example policy shipped with discreet (also the built-in fallback)."""
    return parse_policy(builtin_policy_text(), BUILTIN_SOURCE)
