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

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
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
"""``(record kind, data category) -> days`` a row may be kept; ``None``: no rule, keep."""


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


@dataclass(frozen=True, slots=True)
class Due:
    """One line of a forecast: ``count`` rows of a kind fall due on ``on``."""

    kind: str
    category: str | None
    days: int | None
    on: date | None
    """The day they fall due; ``None`` for rows already due."""
    count: int
    held: int = 0


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
    ) -> list[Expiry]: ...

    def forecast(
        self,
        tenant: str,
        now: datetime,
        horizon_days: int,
        retention: RetentionDays,
        held: Held,
    ) -> list[Due]: ...


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
