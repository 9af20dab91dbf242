"""Retention fixtures: a fake clock, policies with chosen rules, and the stores' parts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from tests.conftest import StoreEnv
from tests.consent.fakes import FakeClock

from discreet.audit import AccessContext, ActorKind, LegalBasis
from discreet.audit.log import AuditLog
from discreet.conversations.states import ConversationStates, TurnUpdate
from discreet.conversations.transcripts import TranscriptStore
from discreet.policy import BUILTIN_SOURCE, Policy, builtin_policy_text, parse_policy
from discreet.retention import ConversationCloser, RetentionRunner
from discreet.rights.erasure import ErasureJobRecords
from discreet.store.db import Database
from discreet.vault import Vault
from discreet.vault.keystore import KeyStore
from discreet.wiring import StoreParts, build_holders

NO_RULES = "retention: []\n"


def policy_text(retention: str = NO_RULES, *, idle_minutes: int = 30, keep_maps: int = 0) -> str:
    """The built-in example policy's YAML with its `retention:` section replaced (and its
    idle timeout and days token maps are kept after closing, when given)."""
    text = builtin_policy_text()
    start = text.index("\nretention:\n") + 1
    end = text.index("\ndisclosure:", start) + 1
    text = text[:start] + retention + "\n" + text[end:]
    keep = "keep_token_maps_after_close_days: "
    assert f"{keep}0\n" in text, "the example policy sets the keep period explicitly"
    text = text.replace(f"{keep}0\n", f"{keep}{keep_maps}\n")
    return text.replace("idle_timeout_minutes: 30", f"idle_timeout_minutes: {idle_minutes}")


def policy_with(retention: str = NO_RULES, *, idle_minutes: int = 30, keep_maps: int = 0) -> Policy:
    """The built-in example policy with its `retention:` section replaced."""
    text = policy_text(retention, idle_minutes=idle_minutes, keep_maps=keep_maps)
    return parse_policy(text, BUILTIN_SOURCE)


@dataclass
class Parts:
    """Everything a retention test touches, over one store_env."""

    env: StoreEnv
    vault: Vault
    data: Database
    keys: KeyStore
    clock: FakeClock
    transcripts: TranscriptStore
    states: ConversationStates
    erasures: ErasureJobRecords

    def runner(self, policy: Policy, **kw: object) -> RetentionRunner:
        return RetentionRunner(
            self.data,
            self.keys,
            policy,
            tenant="default",
            holders=build_holders(StoreParts(self.data, self.keys, self.clock)),
            clock=self.clock,
            **kw,  # type: ignore[arg-type]
        )

    def closer(self, policy: Policy) -> ConversationCloser:
        return ConversationCloser(self.data, self.keys, policy, tenant="default", clock=self.clock)

    def turn(self, conversation_id: str, subject: str | None = None) -> None:
        """Record a gateway turn (creates the conversation's state row, updated now)."""
        self.states.record_turn(
            TurnUpdate(conversation_id, "support", subject), [], erasures=self.erasures
        )


@pytest.fixture
def officer() -> AccessContext:
    return AccessContext(
        actor="dpo-1",
        purpose="legal_hold",
        legal_basis=LegalBasis.LEGAL_OBLIGATION,
        actor_kind=ActorKind.USER,
    )


@pytest.fixture
def parts(store_env: StoreEnv, filled_vault: Vault) -> Parts:
    data = store_env.data_db()
    return Parts(
        env=store_env,
        vault=filled_vault,
        data=data,
        keys=KeyStore(store_env.keys_db(), store_env.master_key),
        clock=FakeClock(datetime.now(UTC)),
        transcripts=TranscriptStore(data, "default"),
        states=ConversationStates(data, AuditLog(data), "default"),
        erasures=ErasureJobRecords(data),
    )
