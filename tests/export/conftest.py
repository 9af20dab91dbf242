"""Export fixtures: a data store with conversations, consents and limits, written through
the stores the gateway and the rights service use (no rows inserted behind their back)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from tests.conftest import StoreEnv

from discreet.audit import AccessContext, ActorKind, LegalBasis
from discreet.audit.log import AuditLog
from discreet.consent.limits import LimitKind, ProcessingLimits
from discreet.consent.records import ConsentRegistry
from discreet.conversations.states import ConversationStates, TurnUpdate
from discreet.detect.config import DetectorConfig, NerConfig
from discreet.export.config import ExportConfig
from discreet.export.training import TrainingRequest, day_bounds
from discreet.store.db import Database

OFFICER = AccessContext(
    actor="dpo-1",
    purpose="model_training",
    legal_basis=LegalBasis.CONSENT,
    actor_kind=ActorKind.USER,
)
FAST = DetectorConfig(ner=NerConfig(backend="none"))
"""Patterns and known values only: the tests are about the export, not the NER model."""


@dataclass
class Shop:
    """One tenant's data store, filled the way the gateway and the rights service fill it."""

    db: Database
    states: ConversationStates
    consents: ConsentRegistry
    limits: ProcessingLimits

    def conversation(
        self,
        conversation_id: str,
        subject: str | None,
        turns: Sequence[tuple[str, str]],
        assistant: str = "support",
    ) -> None:
        """One gateway turn per (user, assistant) pair: pseudonymised text, as stored."""
        for user, answer in turns:
            self.states.record_turn(
                TurnUpdate(
                    conversation_id,
                    assistant,
                    subject,
                    None,
                    (("user", user), ("assistant", answer)),
                ),
                [],
            )

    def grant(self, subject: str, purpose: str = "model_training") -> None:
        self.consents.grant(subject, purpose, notice_version="v1", channel="web", ctx=OFFICER)

    def withdraw(self, subject: str, purpose: str = "model_training") -> None:
        self.consents.withdraw(subject, purpose, notice_version="v1", channel="web", ctx=OFFICER)

    def restrict(self, subject: str) -> None:
        self.limits.set(subject, LimitKind.RESTRICTION, reason="art. 18 request", ctx=OFFICER)

    def object(self, subject: str, purpose: str | None = "model_training") -> None:
        self.limits.set(
            subject, LimitKind.OBJECTION, purpose=purpose, reason="art. 21 request", ctx=OFFICER
        )


@pytest.fixture
def shop(store_env: StoreEnv) -> Shop:
    db = store_env.data_db()
    return Shop(
        db=db,
        states=ConversationStates(db, AuditLog(db), "default"),
        consents=ConsentRegistry(db, tenant="default"),
        limits=ProcessingLimits(db, tenant="default"),
    )


def today_request(out: Path, **config: object) -> TrainingRequest:
    """An export of everything started today (the gateway stamps turns with the real time)."""
    today = datetime.now(UTC).date()
    since, until = day_bounds(today - timedelta(days=1), today + timedelta(days=1))
    values: dict[str, object] = {"detector": FAST, "k": 1, **config}
    return TrainingRequest(
        tenant="default",
        since=since,
        until=until,
        out=out,
        config=ExportConfig.model_validate(values),
    )


def today() -> date:
    return datetime.now(UTC).date()
