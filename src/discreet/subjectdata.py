"""The subject-data protocol: every holder of personal data answers for its own tables.

ARCHITECTURE principle 7. Each table that can hold personal data belongs to exactly one
*holder* (a store class), which alone reads and writes it and implements what governance
needs of it:

* ``export(scope)``    -- the subject's records, as plain JSON-able dicts (access, art. 15);
* ``erase(scope, held)`` -- delete the subject's rows, keeping what legal holds cover;
* ``expire(...)``      -- delete rows past their retention, keeping held ones (or, with
  ``dry_run``, only count them);
* ``forecast(...)``    -- when the rows it keeps will fall due.

Erasure, export, the retention runner and the forecast loop over the registered holders
(:class:`Holders`) and never touch a table they do not own. A table that can hold personal
data says so with ``info={"subject_data": True}`` on its SQLAlchemy ``Table``; the contract
test (``tests/contract/test_subject_data.py``) fails when such a table has no holder or two,
or when a holder does not honour export / erase / expire / forecast.

A leaf module: it imports nothing of discreet's, so the vault, conversations, consent and
every new package can implement it without import cycles.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Protocol, runtime_checkable

PERSONAL_DATA = "subject_data"
"""The ``Table.info`` key that marks a table holding personal data."""


@dataclass(frozen=True, slots=True)
class Held:
    """What legal holds keep: subjects, and conversations (held one by one or via a subject)."""

    subjects: frozenset[str] = frozenset()
    conversations: frozenset[str] = frozenset()

    def covers(self, *, subject: str | None = None, conversation: str | None = None) -> bool:
        return (subject is not None and subject in self.subjects) or (
            conversation is not None and conversation in self.conversations
        )


NOTHING_HELD = Held()


@dataclass(frozen=True, slots=True)
class SubjectScope:
    """One subject of one tenant, with the conversations that are theirs."""

    tenant: str
    subject_id: str
    conversations: frozenset[str] = frozenset()
    """Conversations bound to the subject or with messages attributed to it."""


RetentionDays = Callable[[str, str | None], int | None]
"""``(record kind, data category) -> days`` a row may be kept; ``None``: no rule, keep.

Kinds are the policy's record kinds (``conversation_messages``, ``token_maps``,
``subject_fields``, ...) plus two derived from the policy's conversation settings:
``TOKEN_MAPS_AFTER_CLOSE`` and ``CONVERSATIONS``."""

TOKEN_MAPS_AFTER_CLOSE = "token_maps_after_close"
"""Days a closed conversation's token map is kept (``conversation.keep_token_maps_after_
close_days``)."""
CONVERSATIONS = "conversations"
"""Days a closed conversation's record (binding, state) is kept once its messages are gone."""


@dataclass(frozen=True, slots=True)
class Expiry:
    """One line of what ``expire`` deleted (or, in a dry run, would delete)."""

    kind: str
    category: str | None
    days: int | None
    deleted: int
    held: int = 0
    """Past retention but kept because of a legal hold."""

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "category": self.category,
            "days": self.days,
            "deleted": self.deleted,
            "held": self.held,
        }


BatchRecord = Callable[[Any, Expiry], None]
"""``(connection, what this batch deleted)``: called inside each deleting transaction, so
the caller's audit record commits (or not) with the deletion it describes."""


@dataclass(frozen=True, slots=True)
class Batching:
    """How ``expire`` deletes: at most ``size`` rows per transaction, each batch reported
    to ``record`` in its own transaction."""

    size: int = 5000
    record: BatchRecord | None = None

    def __post_init__(self) -> None:
        if self.size < 1:
            raise ValueError("batch size must be at least 1")

    def report(self, conn: Any, line: Expiry) -> None:
        if self.record is not None and line.deleted:
            self.record(conn, line)


UNBATCHED = Batching()


@dataclass(frozen=True, slots=True)
class Due:
    """One line of a forecast: ``count`` rows of a kind fall due on ``on``."""

    kind: str
    category: str | None
    days: int | None
    on: date | None
    """The day they fall due within the horizon; ``None`` for rows already due (or,
    with ``later``, due after the horizon)."""
    count: int
    held: int = 0
    """Of ``count``: kept by a legal hold (only for rows already due)."""
    later: bool = False
    """The rows fall due after the forecast's horizon."""


def due_lines(
    kind: str,
    category: str | None,
    days: int | None,
    now: datetime,
    horizon_days: int,
    expiries: Iterable[tuple[datetime, bool]],
) -> list[Due]:
    """Bucket ``(expires at, held)`` pairs into forecast lines: due now (with how many are
    held), one line per day within the horizon, and the rest as ``later``. Every holder
    forecasts through this, so every table is bucketed the same way."""
    until = now + timedelta(days=horizon_days)
    due = held = later = 0
    by_day: Counter[date] = Counter()
    for expires, is_held in expiries:
        if expires <= now:
            due += 1
            held += int(is_held)
        elif expires <= until:
            by_day[expires.date()] += 1
        else:
            later += 1
    lines: list[Due] = []
    if due:
        lines.append(Due(kind, category, days, None, due, held))
    lines.extend(Due(kind, category, days, day, n) for day, n in sorted(by_day.items()))
    if later:
        lines.append(Due(kind, category, days, None, later, later=True))
    return lines


@runtime_checkable
class SubjectData(Protocol):
    """What every holder of personal data implements (see the module docstring)."""

    @property
    def name(self) -> str:
        """A short, stable name, used in export archives and erasure job steps."""
        ...

    @property
    def tables(self) -> tuple[str, ...]:
        """The tables this holder owns (and no other holder touches)."""
        ...

    @property
    def erasable(self) -> bool:
        """False for records the law makes us keep after an erasure (the request, its
        erasure job, legal holds: what we show a regulator). Their ``erase`` keeps every
        row and returns 0; they hold only the pseudonym, which resolves to nothing once
        the other holders erased the subject."""
        ...

    def export(self, scope: SubjectScope) -> list[dict[str, Any]]: ...

    def erase(self, scope: SubjectScope, held: Held) -> int:
        """Delete the subject's rows except held ones; returns how many. Safe to repeat."""
        ...

    def expire(
        self,
        tenant: str,
        now: datetime,
        retention: RetentionDays,
        held: Held,
        *,
        dry_run: bool = False,
        batching: Batching = UNBATCHED,
    ) -> list[Expiry]:
        """Delete rows past retention except held ones (``dry_run``: only count them);
        one line per kind (and category) with the counts."""
        ...

    def forecast(
        self,
        tenant: str,
        now: datetime,
        horizon_days: int,
        retention: RetentionDays,
        held: Held,
    ) -> list[Due]: ...


class OneRule:
    """Base of a holder whose rows follow one retention rule (a record kind, no category).

    ``expire`` and ``forecast`` look the rule up here, once for every such holder: with no
    rule nothing expires and nothing is forecast. The holder writes only what happens
    once a rule applies, in ``expire_after`` and ``forecast_after``."""

    kind: str
    """The record kind retention rules name (``RetentionDays``'s first argument)."""

    def days(self, retention: RetentionDays) -> int | None:
        """The days this holder's rows are kept; ``None``: no rule, keep."""
        return retention(self.kind, None)

    def expire(
        self,
        tenant: str,
        now: datetime,
        retention: RetentionDays,
        held: Held,
        *,
        dry_run: bool = False,
        batching: Batching = UNBATCHED,
    ) -> list[Expiry]:
        days = self.days(retention)
        if days is None:
            return []
        return self.expire_after(days, tenant, now, held, dry_run, batching)

    def forecast(
        self,
        tenant: str,
        now: datetime,
        horizon_days: int,
        retention: RetentionDays,
        held: Held,
    ) -> list[Due]:
        days = self.days(retention)
        if days is None:
            return []
        return self.forecast_after(days, tenant, now, horizon_days, held)

    def expire_after(
        self, days: int, tenant: str, now: datetime, held: Held, dry_run: bool, batching: Batching
    ) -> list[Expiry]:
        """``expire`` once the rule keeps rows ``days`` days."""
        raise NotImplementedError

    def forecast_after(
        self, days: int, tenant: str, now: datetime, horizon_days: int, held: Held
    ) -> list[Due]:
        """``forecast`` once the rule keeps rows ``days`` days."""
        raise NotImplementedError

    def due_after(
        self, days: int, now: datetime, horizon_days: int, starts: Iterable[tuple[datetime, bool]]
    ) -> list[Due]:
        """Forecast lines for rows given as ``(aware retention start, held)``."""
        expiries = ((start + timedelta(days=days), held) for start, held in starts)
        return due_lines(self.kind, None, days, now, horizon_days, expiries)


@dataclass(slots=True)
class Holders:
    """The registered holders, in registration order (erasure runs them in this order)."""

    _holders: dict[str, SubjectData] = field(default_factory=dict)

    def register(self, holder: SubjectData) -> SubjectData:
        if holder.name in self._holders:
            raise ValueError(f"a subject-data holder named {holder.name!r} is already registered")
        owned = self.owners()
        for table in holder.tables:
            if table in owned:
                raise ValueError(
                    f"table {table!r} is owned by {owned[table]!r}; "
                    f"{holder.name!r} cannot register it too"
                )
        self._holders[holder.name] = holder
        return holder

    def owners(self) -> Mapping[str, str]:
        """``table -> holder name``."""
        return {t: h.name for h in self._holders.values() for t in h.tables}

    def __iter__(self) -> Iterator[SubjectData]:
        return iter(self._holders.values())

    def __len__(self) -> int:
        return len(self._holders)

    def __getitem__(self, name: str) -> SubjectData:
        return self._holders[name]
