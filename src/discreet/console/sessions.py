"""Server-side console sessions in the data store (``console_sessions``).

The browser holds a random token (HttpOnly, SameSite=Strict cookie); the row is keyed by
its SHA-256. A session goes through stages: ``enrol`` (password right, no second factor
yet), ``mfa`` (password right, second factor to give) and ``full``. Each change of stage
issues a new token (the old one stops working), so a token seen before sign-in is useless
after it.

A session ends when it is idle longer than the policy's ``console.idle_timeout_minutes``,
at its absolute end (``console.absolute_timeout_hours`` after sign-in), when its user
signs out (this session or everywhere), or when the account is disabled or its second
factor reset. A half-signed-in session (``enrol``/``mfa``) lasts ``PENDING_MINUTES``.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import delete, select, update

from discreet.clock import Clock, as_utc, now_from, system_clock
from discreet.console.roles import Role
from discreet.store.console_models import ConsoleSession, ConsoleUser
from discreet.store.db import Database
from discreet.store.models import table_of

_S = table_of(ConsoleSession)
_U = table_of(ConsoleUser)
PENDING_MINUTES = 10
MAX_TOKEN_LENGTH = 100


class Stage(StrEnum):
    ENROL = "enrol"
    MFA = "mfa"
    FULL = "full"


@dataclass(frozen=True, slots=True)
class Session:
    id: str
    user_id: int
    username: str
    role: Role
    stage: Stage
    csrf_token: str
    pending_totp_secret: str | None
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime

    def __repr__(self) -> str:  # the CSRF token and a pending secret stay out of logs
        return f"Session(user={self.username!r}, stage={self.stage.value})"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class SessionStore:
    def __init__(
        self,
        db: Database,
        *,
        clock: Clock = system_clock,
        idle: timedelta = timedelta(minutes=15),
        absolute: timedelta = timedelta(hours=8),
    ) -> None:
        self.db = db
        self.clock = clock
        self.idle = idle
        self.absolute = absolute

    def now(self) -> datetime:
        return now_from(self.clock)

    def create(self, user_id: int, stage: Stage, *, pending_secret: str | None = None) -> str:
        """A new session; returns its token (for the cookie)."""
        token = secrets.token_urlsafe(32)
        now = self.now()
        end = now + (self.absolute if stage is Stage.FULL else timedelta(minutes=PENDING_MINUTES))
        with self.db.begin() as conn:
            conn.execute(
                _S.insert().values(
                    id=_digest(token),
                    user_id=user_id,
                    stage=stage.value,
                    csrf_token=secrets.token_urlsafe(32),
                    pending_totp_secret=pending_secret,
                    created_at=now,
                    last_seen_at=now,
                    expires_at=end,
                )
            )
        return token

    def get(self, token: str | None, *, touch: bool = True) -> Session | None:
        """The live session of `token`, or None (ended sessions are deleted on sight).
        `touch` marks it used now (the idle timeout counts from there)."""
        if not token or len(token) > MAX_TOKEN_LENGTH:
            return None
        key = _digest(token)
        now = self.now()
        with self.db.read() as conn:
            row = conn.execute(
                select(_S, _U.c.username, _U.c.role, _U.c.disabled_at)
                .join(_U, _U.c.id == _S.c.user_id)
                .where(_S.c.id == key)
            ).one_or_none()
        if row is None:
            return None
        last_seen = as_utc(row.last_seen_at)
        expired = (
            as_utc(row.expires_at) <= now
            or last_seen + self.idle <= now
            or row.disabled_at is not None
        )
        if expired:
            self.end(token)
            return None
        if touch:
            with self.db.begin() as conn:
                conn.execute(update(_S).where(_S.c.id == key).values(last_seen_at=now))
            last_seen = now
        return Session(
            id=key,
            user_id=int(row.user_id),
            username=row.username,
            role=Role(row.role),
            stage=Stage(row.stage),
            csrf_token=row.csrf_token,
            pending_totp_secret=row.pending_totp_secret,
            created_at=as_utc(row.created_at),
            last_seen_at=last_seen,
            expires_at=as_utc(row.expires_at),
        )

    def advance(self, token: str, stage: Stage, *, pending_secret: str | None = None) -> str:
        """End the session of `token` and start one of the same user at `stage`; returns
        the new token (a new id at every step of sign-in: no session fixation)."""
        session = self.get(token, touch=False)
        if session is None:
            raise LookupError("session ended")
        self.end(token)
        return self.create(session.user_id, stage, pending_secret=pending_secret)

    def end(self, token: str) -> None:
        with self.db.begin() as conn:
            conn.execute(delete(_S).where(_S.c.id == _digest(token)))

    def end_all(self, user_id: int) -> int:
        """Sign out everywhere: end every session of the user; returns how many."""
        with self.db.begin() as conn:
            return int(conn.execute(delete(_S).where(_S.c.user_id == user_id)).rowcount)

    def purge(self) -> int:
        """Delete sessions past their absolute end or idle too long."""
        now = self.now()
        with self.db.begin() as conn:
            return int(
                conn.execute(
                    delete(_S).where(
                        (_S.c.expires_at <= now) | (_S.c.last_seen_at <= now - self.idle)
                    )
                ).rowcount
            )
