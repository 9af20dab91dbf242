"""Stored conversation transcripts: pseudonymised messages only (``conversation_messages``).

The gateway keeps what was said so the assistant can see a customer's recent history and
so an operator can review a conversation. Only **pseudonymised** text is stored: the turn
appends the same texts it sent upstream (``[PERSON_1]`` tokens in place of values) and the
answer *before* rehydration. Raw values live only in the conversation's encrypted token
map; once that is destroyed (closing the conversation, retention, erasure) the transcript
identifies nobody. This module cannot tell a raw value from ordinary words, so the
caller's duty is to hand it pseudonymised text; `append` refuses nothing on content.

How the turn uses it (``gateway/turn.py``)::

    store = TranscriptStore(db, tenant)
    # in the transaction that records the turn (after the conversation's state row is
    # locked, so two turns of one conversation cannot take the same seq):
    store.append(conversation_id, [("user", pseudo_user), ("assistant", pseudo_answer)],
                 at=now, subject=subject_pseudonym, conn=conn)
    # the assistant's history window (oldest first, at most `limit` messages):
    earlier = store.history(subject=subject_pseudonym, since=now - timedelta(days=window),
                            limit=grant.max_context_messages,
                            current_conversation=conversation_id)

Messages of *other* conversations come back with their tokens neutralised
(``[PERSON_1]`` → ``[PERSON]``): a token is only meaningful in its own conversation's map,
and the same token text in the current conversation names someone (or something) else.
A neutralised token matches no token pattern, so it is never rehydrated.

Reads are not audited here: the text is pseudonymous, and the turn's own audit record
covers what the assistant was shown. Closed conversations: see
:func:`discreet.retention.closing.is_closed` (``gateway_conversations.closed_at``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

from sqlalchemy import (
    ColumnElement,
    Connection,
    and_,
    bindparam,
    delete,
    func,
    or_,
    select,
    update,
)

from discreet.clock import Clock, as_utc, system_clock
from discreet.conversations.models import ConversationMessage
from discreet.errors import InvalidInput
from discreet.store.db import Database
from discreet.store.driver import DriverStatement
from discreet.store.models import CONVERSATION_ID_LEN, table_of
from discreet.store.sql import chunks, held_flag, is_held, not_held, of_scope
from discreet.subjectdata import Batching, Due, Expiry, Held, OneRule, SubjectScope
from discreet.transform.tokenformat import TOKEN_PATTERN

_T = table_of(ConversationMessage)
# Built once (bound values at execution): these run on every chat turn, and building a
# statement again each time (expressions, cache keys) cost about as much as running it.
# Run on the driver's cursor (store/driver.py).
_LAST_SEQ = DriverStatement(
    select(func.coalesce(func.max(_T.c.seq), 0)).where(
        _T.c.tenant == bindparam("tenant"), _T.c.conversation_id == bindparam("conversation")
    )
)
_INSERT_MESSAGE = DriverStatement(_T.insert())
_IN_CHUNK = 500

ROLES: Final = frozenset({"system", "user", "assistant", "tool"})
MAX_HISTORY: Final = 1000
_TOKEN_RE = re.compile(TOKEN_PATTERN)
_COUNTER_RE = re.compile(r"_[0-9]+\]$")


class TranscriptError(InvalidInput, ValueError):
    """A message or query was malformed; the message names the field, never text."""


@dataclass(frozen=True, slots=True)
class StoredMessage:
    """One stored message (pseudonymised text)."""

    conversation_id: str
    seq: int
    role: str
    text: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class TranscriptSummary:
    """One conversation's stored transcript in a list: no text."""

    conversation_id: str
    subject_id: str | None
    messages: int
    last_at: datetime


def neutralise_tokens(text: str) -> str:
    """``[PERSON_1]`` → ``[PERSON]``: keeps the entity type, drops the link to a value."""
    return _TOKEN_RE.sub(lambda m: _COUNTER_RE.sub("]", m.group(0)), text)


def _check_conversation_id(conversation_id: str) -> str:
    if not conversation_id or len(conversation_id) > CONVERSATION_ID_LEN:
        raise TranscriptError(f"conversation id must have 1 to {CONVERSATION_ID_LEN} characters")
    return conversation_id


class TranscriptStore:
    """Pseudonymised transcripts of one tenant's conversations."""

    def __init__(self, db: Database, tenant: str) -> None:
        self._db = db
        self.tenant = tenant

    @contextmanager
    def _conn(self, conn: Connection | None) -> Iterator[Connection]:
        if conn is not None:
            yield conn
            return
        with self._db.begin() as own:
            yield own

    def append(
        self,
        conversation_id: str,
        messages: Sequence[tuple[str, str]],
        at: datetime,
        *,
        subject: str | None = None,
        attribute_earlier: bool = True,
        conn: Connection | None = None,
    ) -> int:
        """Store `messages` ((role, pseudonymised text) pairs) at the end of the
        conversation; returns the seq of the last one (0 if `messages` is empty).

        `subject`: the bound subject's pseudonym. When given, earlier anonymous messages
        of this conversation are attributed to it too (the conversation was bound
        mid-way), so the subject's history and holds find them; a caller that knows
        there are none (`attribute_earlier=False`) saves that statement. `conn` joins the
        caller's transaction (the turn's), so a turn is stored and audited together.
        """
        _check_conversation_id(conversation_id)
        for index, (role, text) in enumerate(messages):
            if role not in ROLES:
                raise TranscriptError(
                    f"message {index}: role must be one of {', '.join(sorted(ROLES))}"
                )
            if not isinstance(text, str):
                raise TranscriptError(f"message {index}: text must be a string")
        moment = as_utc(at)
        with self._conn(conn) as c:
            last = int(
                _LAST_SEQ.scalar(c, {"tenant": self.tenant, "conversation": conversation_id})
            )
            if subject is not None and attribute_earlier:
                c.execute(
                    update(_T)
                    .where(
                        _T.c.tenant == self.tenant,
                        _T.c.conversation_id == conversation_id,
                        _T.c.subject_id.is_(None),
                    )
                    .values(subject_id=subject)
                )
            if not messages:
                return last
            _INSERT_MESSAGE.many(
                c,
                [
                    {
                        "tenant": self.tenant,
                        "conversation_id": conversation_id,
                        "subject_id": subject,
                        "seq": last + offset,
                        "role": role,
                        "text": text,
                        "created_at": moment,
                    }
                    for offset, (role, text) in enumerate(messages, start=1)
                ],
            )
        return last + len(messages)

    def messages(
        self, conversation_id: str, *, conn: Connection | None = None
    ) -> list[StoredMessage]:
        """The whole stored transcript of one conversation, in order."""
        query = (
            select(_T)
            .where(_T.c.tenant == self.tenant, _T.c.conversation_id == conversation_id)
            .order_by(_T.c.seq)
        )
        with self._conn(conn) as c:
            rows = c.execute(query).all()
        return [_message(row) for row in rows]

    def history(
        self,
        *,
        conversation_ids: Sequence[str] | None = None,
        subject: str | None = None,
        since: datetime | None = None,
        limit: int = 20,
        current_conversation: str | None = None,
        exclude_conversation: str | None = None,
        conn: Connection | None = None,
    ) -> list[StoredMessage]:
        """The newest `limit` messages of the given conversations and/or the subject's
        conversations, created at or after `since`, returned oldest first.

        Give `conversation_ids`, `subject` or both (either matches). Messages of any
        conversation other than `current_conversation` have their tokens neutralised
        (see the module docstring). `exclude_conversation` leaves one conversation out
        (in SQL, so the window is filled with others' messages). `limit` is capped at
        MAX_HISTORY.
        """
        if conversation_ids is None and subject is None:
            raise TranscriptError("history needs conversation_ids or a subject")
        if limit < 0:
            raise TranscriptError("limit must not be negative")
        limit = min(limit, MAX_HISTORY)
        if limit == 0 or (not conversation_ids and subject is None):
            return []
        scopes = []
        if subject is not None:
            scopes.append(_T.c.subject_id == subject)
        if conversation_ids:
            ids = list(conversation_ids)
            scopes.extend(
                _T.c.conversation_id.in_(ids[i : i + _IN_CHUNK])
                for i in range(0, len(ids), _IN_CHUNK)
            )
        query = select(_T).where(_T.c.tenant == self.tenant, or_(*scopes))
        if since is not None:
            query = query.where(_T.c.created_at >= as_utc(since))
        if exclude_conversation is not None:
            query = query.where(_T.c.conversation_id != exclude_conversation)
        query = query.order_by(_T.c.created_at.desc(), _T.c.id.desc()).limit(limit)
        with self._conn(conn) as c:
            rows = c.execute(query).all()
        found = [_message(row) for row in reversed(rows)]
        return [
            m
            if m.conversation_id == current_conversation
            else StoredMessage(
                m.conversation_id, m.seq, m.role, neutralise_tokens(m.text), m.created_at
            )
            for m in found
        ]

    def summaries(self, *, subject: str | None = None, limit: int = 100) -> list[TranscriptSummary]:
        """The newest `limit` conversations (of one subject, if given) with stored messages,
        newest first: ids, counts and times, no text (the console's lists)."""
        last = func.max(_T.c.created_at)
        query = select(_T.c.conversation_id, func.max(_T.c.subject_id), func.count(), last).where(
            _T.c.tenant == self.tenant
        )
        if subject is not None:
            query = query.where(_T.c.subject_id == subject)
        query = query.group_by(_T.c.conversation_id).order_by(last.desc()).limit(limit)
        with self._conn(None) as c:
            rows = c.execute(query).all()
        return [TranscriptSummary(r[0], r[1], int(r[2]), as_utc(r[3])) for r in rows]

    def delete_conversation(self, conversation_id: str, *, conn: Connection | None = None) -> int:
        """Delete one conversation's transcript; returns the number of messages."""
        with self._conn(conn) as c:
            result = c.execute(
                delete(_T).where(
                    _T.c.tenant == self.tenant, _T.c.conversation_id == conversation_id
                )
            )
        return int(result.rowcount or 0)

    def delete_subject(self, subject: str, *, conn: Connection | None = None) -> int:
        """Delete every message attributed to a subject (erasure); returns the count."""
        with self._conn(conn) as c:
            result = c.execute(
                delete(_T).where(_T.c.tenant == self.tenant, _T.c.subject_id == subject)
            )
        return int(result.rowcount or 0)

    def messages_of(
        self, conversation_ids: Sequence[str], *, conn: Connection | None = None
    ) -> dict[str, list[StoredMessage]]:
        """The whole stored transcripts of many conversations at once (batch jobs such as
        the training export), each in order; conversations without messages are absent."""
        found: dict[str, list[StoredMessage]] = {}
        ids = list(conversation_ids)
        with self._conn(conn) as c:
            for start in range(0, len(ids), _IN_CHUNK):
                rows = c.execute(
                    select(_T)
                    .where(
                        _T.c.tenant == self.tenant,
                        _T.c.conversation_id.in_(ids[start : start + _IN_CHUNK]),
                    )
                    .order_by(_T.c.conversation_id, _T.c.seq)
                ).all()
                for row in rows:
                    found.setdefault(row.conversation_id, []).append(_message(row))
        return found

    def __repr__(self) -> str:
        return f"TranscriptStore(tenant={self.tenant!r})"


def _message(row: Any) -> StoredMessage:
    return StoredMessage(
        conversation_id=row.conversation_id,
        seq=int(row.seq),
        role=row.role,
        text=row.text,
        created_at=as_utc(row.created_at),
    )


# --- the subject-data holder of ``conversation_messages`` -------------------------------

CONVERSATION_MESSAGES = "conversation_messages"


def attributed_conversations(conn: Connection, tenant: str, subject_id: str) -> list[str]:
    """Ids of conversations with stored messages attributed to the subject, oldest first."""
    return list(
        conn.execute(
            select(_T.c.conversation_id)
            .where(_T.c.tenant == tenant, _T.c.subject_id == subject_id)
            .group_by(_T.c.conversation_id)
            .order_by(func.min(_T.c.created_at), _T.c.conversation_id)
        ).scalars()
    )


def conversations_with_messages(conn: Connection, tenant: str, ids: Sequence[str]) -> set[str]:
    """Which of `ids` still have stored messages."""
    found: set[str] = set()
    for part in chunks(list(ids)):
        found.update(
            conn.execute(
                select(_T.c.conversation_id)
                .where(_T.c.tenant == tenant, _T.c.conversation_id.in_(part))
                .distinct()
            ).scalars()
        )
    return found


class Transcripts(OneRule):
    """Holder of ``conversation_messages`` for every tenant."""

    name = "transcripts"
    kind = CONVERSATION_MESSAGES
    tables = (CONVERSATION_MESSAGES,)
    erasable = True

    def __init__(self, db: Database, *, clock: Clock = system_clock) -> None:
        self._db = db
        self._clock = clock

    @staticmethod
    def _of(scope: SubjectScope) -> ColumnElement[bool]:
        return of_scope(
            scope, tenant=_T.c.tenant, subject=_T.c.subject_id, conversation=_T.c.conversation_id
        )

    def export(self, scope: SubjectScope) -> list[dict[str, Any]]:
        """The subject's stored messages (pseudonymised text), by conversation."""
        with self._db.begin() as conn:
            rows = conn.execute(
                select(_T).where(self._of(scope)).order_by(_T.c.conversation_id, _T.c.seq)
            ).all()
        return [
            {
                "conversation_id": row.conversation_id,
                "seq": int(row.seq),
                "role": row.role,
                "text": row.text,
                "at": as_utc(row.created_at).isoformat(),
            }
            for row in rows
        ]

    def erase(self, scope: SubjectScope, held: Held) -> int:
        """Delete the subject's messages (attributed to it or in its conversations),
        except those of held conversations; returns how many."""
        if held.covers(subject=scope.subject_id):
            return 0
        with self._db.begin() as conn:
            result = conn.execute(
                delete(_T).where(self._of(scope), not_held(held, conversation=_T.c.conversation_id))
            )
        return int(result.rowcount or 0)

    def expire_after(
        self, days: int, tenant: str, now: datetime, held: Held, dry_run: bool, batching: Batching
    ) -> list[Expiry]:
        """Messages older than the ``conversation_messages`` rule, a batch per
        transaction (lowest ids first), except held ones."""
        due = and_(_T.c.tenant == tenant, _T.c.created_at < now - timedelta(days=days))
        columns = {"subject": _T.c.subject_id, "conversation": _T.c.conversation_id}
        free = and_(due, not_held(held, **columns))
        with self._db.begin() as conn:
            kept = int(
                conn.execute(
                    select(func.count()).select_from(_T).where(due, is_held(held, **columns))
                ).scalar_one()
            )
            if dry_run:
                deleted = int(
                    conn.execute(select(func.count()).select_from(_T).where(free)).scalar_one()
                )
        if not dry_run:
            deleted = 0
            while True:
                with self._db.begin() as conn:
                    ids = list(
                        conn.execute(
                            select(_T.c.id).where(free).order_by(_T.c.id).limit(batching.size)
                        ).scalars()
                    )
                    if not ids:
                        break
                    result = conn.execute(delete(_T).where(free, _T.c.id <= ids[-1]))
                    count = int(result.rowcount or 0)
                    batching.report(conn, Expiry(CONVERSATION_MESSAGES, None, days, count))
                    deleted += count
        if not (deleted or kept):
            return []
        return [Expiry(CONVERSATION_MESSAGES, None, days, deleted, kept)]

    def forecast_after(
        self, days: int, tenant: str, now: datetime, horizon_days: int, held: Held
    ) -> list[Due]:
        flag = held_flag(held, subject=_T.c.subject_id, conversation=_T.c.conversation_id)
        with self._db.begin() as conn:
            rows = conn.execute(select(_T.c.created_at, flag).where(_T.c.tenant == tenant)).all()
        starts = ((as_utc(r.created_at), bool(r.held)) for r in rows)
        return self.due_after(days, now, horizon_days, starts)
