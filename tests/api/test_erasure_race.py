"""An erasure that completes while a turn waits for the model: the turn writes nothing
(conversations/fence.py), and the erased customer's message is nowhere in the store."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from typing import Any

from fastapi.testclient import TestClient
from tests.api.conftest import MARIEKE, Api, make_api
from tests.support.upstream import RecordingUpstream

from discreet.audit import AccessContext
from discreet.policy import Policy
from discreet.rights.erasure import Eraser
from discreet.vault import Vault
from discreet.wiring import vault_holders

SECRET_WORDS = "my neighbour Korneliszoon has the spare key under the doormat"


class ErasingBackend:
    """A model that, while it "thinks", lets an erasure of the subject run to the end."""

    def __init__(self) -> None:
        self.vault: Vault | None = None
        self.ctx: AccessContext | None = None
        self.completed: list[bool] = []

    def _erase(self) -> None:
        assert self.vault is not None and self.ctx is not None
        eraser = Eraser(self.vault, vault_holders(self.vault))
        subject = self.vault.subject_id(MARIEKE, ctx=self.ctx)
        outcome = eraser.erase(MARIEKE, ctx=self.ctx, subject_id=subject)
        self.completed.append(outcome.completed)

    async def complete(
        self, messages: Sequence[Mapping[str, Any]], *, params: Mapping[str, Any] | None = None
    ) -> str:
        self._erase()
        return "Noted, [PERSON_1]."

    async def stream(
        self, messages: Sequence[Mapping[str, Any]], *, params: Mapping[str, Any] | None = None
    ) -> AsyncIterator[str]:
        self._erase()
        yield "Noted."

    async def aclose(self) -> None:
        pass


def test_a_turn_finishing_after_an_erasure_writes_nothing(
    store_env: Any,
    policy: Policy,
    recording_upstream: RecordingUpstream,
    sample_subjects: dict[str, dict[str, str]],
    ctx: AccessContext,
) -> None:
    backend = ErasingBackend()
    api: Api = make_api(store_env, policy, recording_upstream, sample_subjects, ctx, backend)
    backend.vault, backend.ctx = api.vault, ctx
    with api.client:
        # A first turn binds the conversation; the second races the erasure.
        backend_erase = backend._erase
        backend._erase = lambda: None  # type: ignore[method-assign]
        assert api.chat("Hello", conversation="conv-race").status_code == 200
        backend._erase = backend_erase  # type: ignore[method-assign]

        response = api.chat(SECRET_WORDS, conversation="conv-race")

    assert backend.completed == [True]  # the erasure reported completion first
    assert response.status_code == 409, response.text
    assert response.json()["error"]["code"] == "subject_erased"
    assert b"Korneliszoon" not in store_env.raw_dump()
    assert isinstance(api.client, TestClient)
