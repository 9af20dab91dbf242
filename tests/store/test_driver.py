"""Statements on the driver's cursor (store/driver.py) read and write exactly what
SQLAlchemy's own execution does, on SQLite and PostgreSQL, and fail the same way."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError

from discreet.conversations.models import GatewayConversation
from discreet.store.driver import DriverStatement, driver_rows
from discreet.store.models import table_of

_G = table_of(GatewayConversation)
_BY_ID = select(_G).where(_G.c.tenant == bindparam("tenant"), _G.c.id == bindparam("id"))
_IN = select(_G.c.id).where(_G.c.id.in_(bindparam("ids", expanding=True))).order_by(_G.c.id)


def _row(conversation_id: str, *, handoff: bool) -> dict[str, object]:
    now = datetime(2026, 12, 3, 15, 0, 1, 250000, tzinfo=UTC)
    return {
        "tenant": "t",
        "id": conversation_id,
        "assistant": "support",
        "subject_id": None,
        "turns": 3,
        "handoff": handoff,
        "handoff_reason": "asked" if handoff else None,
        "created_at": now,
        "updated_at": now,
    }


def test_rows_are_those_sqlalchemy_returns(store_env) -> None:
    db = store_env.data_db()
    insert = DriverStatement(_G.insert())
    with db.begin() as conn:
        insert.many(conn, [_row("c-1", handoff=True), _row("c-2", handoff=False)])
    by_id = DriverStatement(_BY_ID)
    with db.read() as conn:
        for conversation_id in ("c-1", "c-2"):
            params = {"tenant": "t", "id": conversation_id}
            expected = conn.execute(_BY_ID, params).one()
            got = by_id.first(conn, params)
            assert tuple(got) == tuple(expected)  # dates parsed, booleans as booleans
            assert got.handoff is expected.handoff and got.created_at == expected.created_at
        assert by_id.first(conn, {"tenant": "t", "id": "none"}) is None
        # A statement that needs SQLAlchemy at run time (an expanding IN) still runs.
        found = DriverStatement(_IN).rows(conn, {"ids": ["c-2", "c-1", "x"]})
        assert [r.id for r in found] == ["c-1", "c-2"]


def test_a_driver_error_is_sqlalchemys(store_env) -> None:
    db = store_env.data_db()
    insert = DriverStatement(_G.insert())
    with db.begin() as conn:
        insert.rows(conn, _row("c-1", handoff=False))
    # The callers' handling (a retried first turn, StoreUnavailable) keys on these types.
    with pytest.raises(IntegrityError), db.begin() as conn:
        insert.rows(conn, _row("c-1", handoff=False))
    with db.read() as conn:
        mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
        sql = f"SELECT id, turns FROM {_G.name} WHERE tenant = {mark}"
        assert driver_rows(conn, sql, ("t",)) == [("c-1", 3)]
