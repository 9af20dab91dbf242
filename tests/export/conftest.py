"""Export fixtures: a data store with conversations, consents and limits, written through
the stores the gateway and the rights service use (no rows inserted behind their back)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from tests.conftest import StoreEnv

from discreet.audit import AccessContext, ActorKind, LegalBasis
from discreet.audit.log import AuditLog
from discreet.consent.limits import LimitKind, ProcessingLimits
from discreet.consent.records import ConsentRegistry
from discreet.conversations.states import ConversationStates, TurnUpdate
from discreet.detect.config import DetectorConfig, NerConfig
from discreet.export.config import ExportConfig
from discreet.export.training import TrainingRequest, day_bounds
from discreet.rights.erasure import ErasureJobRecords
from discreet.store.db import Database
from discreet.store.models import Subject, table_of

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
    erasures: ErasureJobRecords
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
        if subject is not None:
            self.subject(subject)
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
                erasures=self.erasures,
            )

    def subject(self, subject_id: str) -> None:
        """A vault subject row with this pseudonymous id, as the vault leaves it once the
        customer is imported: a turn is stored only for a subject that exists and is not
        being erased (conversations/fence.py). Its reference is opaque test bytes."""
        rows = table_of(Subject)
        now = datetime.now(UTC)
        with self.db.begin() as conn:
            if conn.execute(select(rows.c.id).where(rows.c.id == subject_id)).first() is None:
                conn.execute(
                    rows.insert().values(
                        id=subject_id,
                        tenant="default",
                        ref_digest=hashlib.sha256(subject_id.encode()).digest(),
                        ref_ciphertext=b"test-reference",
                        created_at=now,
                        updated_at=now,
                    )
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
        erasures=ErasureJobRecords(db),
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
