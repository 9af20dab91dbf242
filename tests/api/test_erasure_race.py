"""An erasure that completes while a turn waits for the model: the turn writes nothing
(conversations/fence.py), and the erased customer's message is nowhere in the store."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from typing import Any

from fastapi.testclient import TestClient
from tests.api.conftest import MARIEKE, Api, make_api
from tests.support.upstream import RecordingUpstream

from discreet.api import create_app
from discreet.audit import AccessContext
from discreet.policy import Policy
from discreet.rights.erasure import Eraser
from discreet.vault import Vault
from discreet.wiring import Config, build_services, vault_holders

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


class StartingErasureBackend(ErasingBackend):
    """A model that, while it "thinks", lets an erasure of the subject begin: its job is
    running (as after a crash, or while its steps run) when the turn comes to store."""

    def __init__(self) -> None:
        super().__init__()
        self.eraser: Eraser | None = None  # set: the next answer begins an erasure

    def _erase(self) -> None:
        if self.eraser is not None:
            assert self.vault is not None and self.ctx is not None
            self.eraser._new_job(self.vault.subject_id(MARIEKE, ctx=self.ctx), None)


def test_the_wired_gateway_stores_no_turn_while_an_erasure_runs(
    store_env: Any,
    policy: Policy,
    recording_upstream: RecordingUpstream,
    sample_subjects: dict[str, dict[str, str]],
    ctx: AccessContext,
) -> None:
    """The fence the gateway asks is the erasure jobs' owner, given by the wiring: a job
    that runs (not yet completed, the subject still there) stops the turn's write."""
    backend = StartingErasureBackend()
    services = build_services(
        Config(store_env.settings(), policy), master_key=store_env.master_key, backend=backend
    )
    gateway = services.gateway
    assert gateway is not None
    assert gateway.erasures is services.holders["erasure_jobs"]  # one owner, one object
    vault = services.vault
    vault.put_subject(MARIEKE, sample_subjects[MARIEKE], ctx=ctx)
    backend.vault, backend.ctx = vault, ctx
    api = Api(TestClient(create_app(gateway)), gateway, vault, recording_upstream)
    api.keys["support"], _ = gateway.api_keys.create("support")
    try:
        with api.client:
            assert api.chat("Hello", conversation="conv-wired").status_code == 200
            backend.eraser = Eraser(vault, services.holders)
            response = api.chat(SECRET_WORDS, conversation="conv-wired")
    finally:
        services.close()

    assert response.status_code == 409, response.text
    assert response.json()["error"]["code"] == "subject_erased"
    state = gateway.states.get("conv-wired")
    assert state is not None and state.turns == 1  # the refused turn was not counted
    assert b"Korneliszoon" not in store_env.raw_dump()
