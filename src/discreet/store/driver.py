"""Prebuilt statements run on the driver's own cursor: the ones every chat turn runs.

SQLAlchemy's execution path (execution context, parameter and result processing, the
result object) costs about 30 us per statement on this machine, the driver's cursor 1-2
us, for the same SQL. A chat turn ran about 40 statements, so those it runs every time
are `DriverStatement`s: compiled once per dialect and set of parameter names, bound
values and result columns converted with the very processors SQLAlchemy would apply
(dates on SQLite, for one), rows returned as named tuples (``row.seq`` and ``row[0]``
both work, as on SQLAlchemy's rows).

A statement that needs more of SQLAlchemy at run time (defaults computed in Python,
expanding or escaped parameters, implicit RETURNING), or that runs on a connection outside
a transaction (SQLAlchemy begins one there, the driver's cursor would not), runs through
`Connection.execute` instead, so the results never differ. Driver errors go to
SQLAlchemy's own error handling (wrapped as `sqlalchemy.exc.DBAPIError` subclasses, a
dropped connection invalidated), so callers see what `Connection.execute` raises.
"""

from __future__ import annotations

import threading
from collections import namedtuple
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Dialect
from sqlalchemy.sql import Executable
from sqlalchemy.sql.compiler import SQLCompiler

Row = Any  # a named tuple of the statement's columns
Params = Mapping[str, Any]
Processor = Callable[[Any], Any]


@dataclass(slots=True)
class _Plan:
    sql: str
    compiled: SQLCompiler
    positions: tuple[str, ...]  # bind names in SQL order (positional), or all (named)
    positional: bool
    binds: tuple[tuple[str, Processor], ...]  # bind names that need converting
    defaults: dict[str, Any]  # values the statement carries (literals)
    required: frozenset[str]  # names the caller must give
    row: Any  # the named tuple type of a result row
    results: list[Processor | None] | None = None  # per column; set on the first result


class DriverStatement:
    """A prebuilt statement run on the driver's cursor (see the module); thread-safe."""

    def __init__(self, statement: Executable) -> None:
        self.statement = statement
        self._plans: dict[tuple[str, tuple[str, ...]], _Plan | None] = {}
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"DriverStatement({self.statement!r})"

    def rows(self, conn: Connection, params: Params | None = None) -> list[Row]:
        """Run the statement in `conn`'s transaction; its rows (none for DML)."""
        values = params or {}
        plan = self._plan(conn.dialect, values)
        if plan is None or not conn.in_transaction():
            result = conn.execute(self.statement, dict(values))
            return list(result) if result.returns_rows else []
        description, fetched = _execute(conn, plan.sql, _args(plan, values))
        return _convert(plan, description, fetched) if description else []

    def many(self, conn: Connection, params: Sequence[Params]) -> None:
        """Run a DML statement once per item of `params` (``executemany``)."""
        if not params:
            return
        plan = self._plan(conn.dialect, params[0])
        if (
            plan is None
            or not conn.in_transaction()
            or any(p.keys() != params[0].keys() for p in params)
        ):
            conn.execute(self.statement, [dict(p) for p in params])
            return
        _execute(conn, plan.sql, [_args(plan, p) for p in params], many=True)

    def first(self, conn: Connection, params: Params | None = None) -> Row | None:
        """The first row, or None."""
        found = self.rows(conn, params)
        return found[0] if found else None

    def scalar(self, conn: Connection, params: Params | None = None) -> Any:
        """The first column of the first row, or None."""
        row = self.first(conn, params)
        return None if row is None else row[0]

    def _plan(self, dialect: Dialect, values: Params) -> _Plan | None:
        key = (dialect.name, tuple(sorted(values)))
        try:
            return self._plans[key]
        except KeyError:
            pass
        with self._lock:
            plan = _make_plan(self.statement, dialect, key[1])
            self._plans[key] = plan
            return plan


def driver_rows(conn: Connection, sql: str, args: Sequence[Any]) -> list[tuple[Any, ...]]:
    """Run SQL written for the dialect's paramstyle on the driver's cursor: its rows as
    the driver returns them (no type processing). For statements built per call."""
    if not conn.in_transaction():
        return [tuple(row) for row in conn.exec_driver_sql(sql, tuple(args))]
    return list(_execute(conn, sql, args)[1])


def _execute(
    conn: Connection, sql: str, args: Any, *, many: bool = False
) -> tuple[Any, Sequence[Any]]:
    """(cursor description, fetched rows); driver errors as `Connection.execute` raises."""
    cursor = conn.connection.cursor()
    try:
        if many:
            cursor.executemany(sql, args)
            return None, ()
        cursor.execute(sql, args)
        return cursor.description, cursor.fetchall() if cursor.description else ()
    except conn.dialect.loaded_dbapi.Error as exc:
        # SQLAlchemy's own handling: the usual exception types, disconnects invalidated.
        conn._handle_dbapi_exception(exc, sql, args, cursor, None)
    finally:
        cursor.close()


def _args(plan: _Plan, values: Params) -> Any:
    """The driver's parameters: a tuple (positional paramstyle) or a dict (named)."""
    if not plan.required <= values.keys():
        plan.compiled.construct_params(values)  # raises, naming the missing parameter
    bound = {**plan.defaults, **values}
    for name, process in plan.binds:  # None too, as SQLAlchemy does
        bound[name] = process(bound[name])
    if plan.positional:
        return tuple(bound[name] for name in plan.positions)
    return {name: bound[name] for name in plan.positions}


def _convert(plan: _Plan, description: Sequence[Any], fetched: Sequence[Any]) -> list[Row]:
    results = plan.results
    if results is None:  # the processors depend on the driver's column types
        columns = plan.compiled._result_columns
        results = [
            column.type._cached_result_processor(plan.compiled.dialect, described[1])
            for column, described in zip(columns, description, strict=True)
        ]
        plan.results = results
    make = plan.row._make
    if not any(results):
        return [make(r) for r in fetched]
    return [
        make([v if p is None or v is None else p(v) for p, v in zip(results, r, strict=True)])
        for r in fetched
    ]


def _make_plan(statement: Executable, dialect: Dialect, names: tuple[str, ...]) -> _Plan | None:
    """The compiled form, or None if running it needs more of SQLAlchemy."""
    compiled = statement.compile(dialect=dialect, column_keys=list(names))  # type: ignore[attr-defined]
    if not isinstance(compiled, SQLCompiler):
        return None
    if (
        compiled.insert_prefetch
        or compiled.update_prefetch
        or compiled.effective_returning
        or compiled.escaped_bind_names
        or compiled.literal_execute_params
        or compiled.post_compile_params
    ):
        return None
    binds = []
    for name, bind in compiled.binds.items():
        if bind.expanding or bind.callable is not None:
            return None
        process = bind.type._cached_bind_processor(dialect)
        if process is not None:
            binds.append((name, process))
    positions = tuple(compiled.binds)
    if compiled.positional:
        if compiled.binds and not compiled.positiontup:
            return None
        positions = tuple(compiled.positiontup or ())
    keys = [column.keyname for column in compiled._result_columns]
    try:
        row = namedtuple("Row", keys, rename=True)  # type: ignore[misc]
    except ValueError:
        return None
    defaults = {name: bind.value for name, bind in compiled.binds.items() if not bind.required}
    required = frozenset(name for name, bind in compiled.binds.items() if bind.required)
    return _Plan(
        compiled.string,
        compiled,
        positions,
        compiled.positional,
        tuple(binds),
        defaults,
        required,
        row,
    )


__all__ = ["DriverStatement", "driver_rows"]
