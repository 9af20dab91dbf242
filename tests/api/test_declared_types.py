"""A context field's type is the one the policy declares for it (`types` of its data
category), whatever the field is called and whatever its value looks like (issue 13)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from tests.api.conftest import MARIEKE, POLICY, Api, make_api
from tests.support.upstream import RecordingUpstream

from discreet.audit import AccessContext
from discreet.policy import parse_policy

# The test shop's policy plus fields no built-in table knows: a phone number under an
# unusual name, a preference that reads like a name, and a free-text note.
DECLARED = POLICY.replace(
    "    fields: [email, phone]\n    types: {email: EMAIL_ADDRESS, phone: PHONE_NUMBER}\n",
    "    fields: [email, phone, reachable_on, favourite_colour, notes]\n"
    "    types: {email: EMAIL_ADDRESS, phone: PHONE_NUMBER, reachable_on: PHONE_NUMBER,\n"
    "            favourite_colour: plain, notes: text}\n",
)


@pytest.fixture
def declared_api(
    store_env: Any,
    recording_upstream: RecordingUpstream,
    sample_subjects: dict[str, dict[str, str]],
    ctx: AccessContext,
) -> Iterator[Api]:
    assert DECLARED != POLICY, "test setup: the contact category must be extended"
    policy = parse_policy(DECLARED, "<declared>")
    built = make_api(store_env, policy, recording_upstream, sample_subjects, ctx)
    with built.client:
        yield built


def test_fields_enter_the_context_as_the_policy_declares_them(
    declared_api: Api, ctx: AccessContext
) -> None:
    api = declared_api
    api.vault.update_fields(
        MARIEKE,
        {
            "reachable_on": "+31 20 555 0199",
            "favourite_colour": "Rose Marie",  # plain: a value, even if it reads as a name
            "notes": "prefers mail to anna.backup@voorbeeld.nl",
        },
        ctx=ctx,
    )
    assert api.chat("Can you call me on 020 555 0199?", conversation="c-decl").status_code == 200
    messages = api.upstream.bodies()[-1]["messages"]
    context = str(messages[0]["content"])
    reachable = re.search(r"reachable on (\[PHONE_NUMBER_\d+\])", context)
    assert reachable is not None, "an unusually named field is typed by its declaration"
    assert "favourite colour Rose Marie" in context
    assert re.search(r"notes prefers mail to \[EMAIL_ADDRESS_\d+\]", context)
    # The customer's national spelling of the declared number is the context's token.
    assert reachable.group(1) in str(messages[-1]["content"])
    api.upstream.assert_never_received("555 0199", "5550199", "anna.backup@voorbeeld.nl")
