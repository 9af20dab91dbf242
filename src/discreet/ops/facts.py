"""Measured facts for the reports and the evidence pack, read from the stores for a period.

Everything here is counts, codes, timestamps and pseudonymous or operational ids (request
ids, API key ids, operator names): never a subject id or a value. Reads go through the
audit log's reader and plain aggregate queries; nothing is written.
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any, Protocol

from discreet.audit.context import STAFF_ACTOR_PREFIX as STAFF_PREFIX
from discreet.audit.context import STAFF_SIGN_IN
from discreet.audit.log import AuditLog
from discreet.clock import as_utc
from discreet.conversations.apikeys import ApiKeyStore
from discreet.errors import InvalidInput
from discreet.retention.runner import finished_runs
from discreet.rights.requests import RequestBook
from discreet.store.db import Database
from discreet.vault.keystore import wrapped_per_master

_PERIOD = re.compile(r"^(\d{4})(?:-(?:Q([1-4])|(\d{2})))?$")


@dataclass(frozen=True, slots=True)
class Period:
    label: str
    start: datetime
    end: datetime
    """Exclusive."""

    def contains(self, moment: datetime) -> bool:
        return self.start <= as_utc(moment) < self.end


def parse_period(text: str) -> Period:
    """``2026``, ``2026-Q4`` or ``2026-11`` as a half-open UTC interval."""
    match = _PERIOD.match(text.strip())
    if not match:
        raise InvalidInput(f"--period {text!r}: use YYYY, YYYY-Qn or YYYY-MM (e.g. 2026-Q4)")
    year, quarter, month = int(match[1]), match[2], match[3]
    if quarter:
        first, months = (int(quarter) - 1) * 3 + 1, 3
    elif month:
        first, months = int(month), 1
        if not 1 <= first <= 12:
            raise InvalidInput(f"--period {text!r}: month must be 01-12")
    else:
        first, months = 1, 12
    start = datetime(year, first, 1, tzinfo=UTC)
    last = first + months
    end = datetime(year + (last - 1) // 12, (last - 1) % 12 + 1, 1, tzinfo=UTC)
    return Period(text.strip(), start, end)


def _parse_ts(ts: str) -> datetime:
    return datetime.fromisoformat(ts.replace("Z", "+00:00"))


def _iso(moment: datetime | None) -> str | None:
    return as_utc(moment).isoformat() if moment is not None else None


def audit_facts(db: Database, period: Period) -> dict[str, Any]:
    """Turns, guard decisions per ISO week, handoffs, key rotations and each API key's
    last use, from the audit log records of `period`."""
    turns = refused = blocks = withheld = 0
    decisions: Counter[str] = Counter()
    weekly: dict[str, Counter[str]] = defaultdict(Counter)
    handoffs: Counter[str] = Counter()
    entities: Counter[str] = Counter()
    rotations: list[dict[str, Any]] = []
    last_use: dict[str, str] = {}
    staff_sign_in: dict[str, str] = {}
    staff_use: dict[str, str] = {}
    actions: Counter[str] = Counter()
    for entry in AuditLog(db).entries(since=period.start):
        moment = _parse_ts(entry.ts)
        if moment >= period.end:
            break
        actions[entry.action] += 1
        key = entry.details.get("key_id")
        if isinstance(key, str) and key:
            last_use[key] = entry.ts
        if entry.actor.startswith(STAFF_PREFIX) and entry.outcome == "ok":
            staff = entry.actor.removeprefix(STAFF_PREFIX)
            staff_use[staff] = entry.ts
            if entry.action == STAFF_SIGN_IN:
                staff_sign_in[staff] = entry.ts
        if entry.action == "keys.rotate":
            rotations.append({"at": entry.ts, "actor": entry.actor, "outcome": entry.outcome})
        if entry.action == "incident.cross_subject_leak":
            blocks += 1
        if entry.action != "gateway.turn":
            continue
        if "status" in entry.details:
            refused += 1
            continue
        turns += 1
        week = f"{moment.isocalendar().year}-W{moment.isocalendar().week:02d}"
        for decision in str(entry.details.get("guard", "")).split(","):
            if decision:
                decisions[decision] += 1
                weekly[week][decision] += 1
        value = entry.details.get("withheld", 0)
        withheld += value if isinstance(value, int) else 0
        if entry.details.get("handoff"):
            handoffs[str(entry.details["handoff"])] += 1
        for name in str(entry.details.get("entities_in", "")).split(","):
            if name:
                entities[name] += 1
    return {
        "turns": turns,
        "refused_turns": refused,
        "guard_blocks": blocks,
        "values_withheld": withheld,
        "guard_decisions": dict(decisions),
        "guard_decisions_per_week": {w: dict(c) for w, c in sorted(weekly.items())},
        "handoffs": dict(handoffs),
        "entity_types_in": dict(entities.most_common()),
        "key_rotations": rotations,
        "api_key_last_use": last_use,
        "console_last_sign_in": staff_sign_in,
        "console_last_use": staff_use,
        "actions": dict(actions),
    }


def requests_facts(db: Database, tenant: str, period: Period) -> dict[str, Any]:
    """Data-subject requests received in `period`: kind, state, deadline kept or not,
    days to completion; and per month counts with median days."""
    rows = RequestBook(db, tenant=tenant).received_between(period.start, period.end)
    items = []
    monthly: dict[str, list[float]] = defaultdict(list)
    counts: dict[str, int] = defaultdict(int)
    for r in rows:
        received, due = as_utc(r.received_at), as_utc(r.due_at)
        closed = as_utc(r.closed_at) if r.closed_at else None
        days = (closed - received).total_seconds() / 86400 if closed else None
        month = f"{received:%Y-%m}"
        counts[month] += 1
        if days is not None:
            monthly[month].append(days)
        items.append(
            {
                "id": r.id,
                "kind": r.kind.value,
                "state": r.state.value,
                "received_at": _iso(received),
                "due_at": _iso(due),
                "closed_at": _iso(closed),
                "days_to_close": round(days, 2) if days is not None else None,
                "on_time": (closed <= due) if closed else None,
            }
        )
    per_month = {
        m: {
            "received": counts[m],
            "median_days_to_close": sorted(monthly[m])[len(monthly[m]) // 2]
            if monthly[m]
            else None,
        }
        for m in sorted(counts)
    }
    closed_items = [i for i in items if i["closed_at"]]
    return {
        "requests": items,
        "received": len(items),
        "closed": len(closed_items),
        "closed_on_time": sum(1 for i in closed_items if i["on_time"]),
        "per_month": per_month,
    }


def retention_facts(db: Database, tenant: str, period: Period) -> list[dict[str, Any]]:
    rows = finished_runs(db, tenant, start=period.start, end=period.end)
    return [
        {
            "started_at": _iso(row.started_at),
            "finished_at": _iso(row.finished_at),
            "dry_run": bool(row.dry_run),
            "actor": row.actor,
            "counts": json.loads(row.counts),
        }
        for row in rows
    ]


class StaffAccount(Protocol):
    """A console account as the access review reads it (``console.accounts.Account``;
    the caller lists them: operations do not import the console)."""

    @property
    def username(self) -> str: ...
    @property
    def role(self) -> StrEnum: ...
    @property
    def enrolled(self) -> bool: ...
    @property
    def failed_attempts(self) -> int: ...
    @property
    def created_at(self) -> datetime: ...
    @property
    def disabled_at(self) -> datetime | None: ...


def access_review(
    db: Database, tenant: str, audit: Mapping[str, Any], staff: Iterable[StaffAccount] = ()
) -> dict[str, Any]:
    """Who can reach data, for the periodic access review: every API key (role, holder,
    state, last use) and every console account in `staff` (role, state, whether the
    second factor is set up, last sign-in and last action), last uses from `audit`
    (`audit_facts`)."""
    keys = [
        {
            "key_id": key.key_id,
            "role": key.role.value,
            "holder": key.assistant,
            "label": key.label,
            "created_at": _iso(key.created_at),
            "revoked_at": _iso(key.revoked_at),
            "last_used_at": audit["api_key_last_use"].get(key.key_id),
        }
        for key in ApiKeyStore(db, tenant).list()
    ]
    users = [
        {
            "username": account.username,
            "role": account.role.value,
            "mfa_enabled": account.enrolled,
            "created_at": _iso(account.created_at),
            "disabled_at": _iso(account.disabled_at),
            "failed_attempts": account.failed_attempts,
            "last_sign_in_at": audit["console_last_sign_in"].get(account.username),
            "last_used_at": audit["console_last_use"].get(account.username),
        }
        for account in staff
    ]
    return {"api_keys": keys, "console_users": users}


def key_store_facts(keys_db: Database | None) -> dict[str, Any]:
    """Data keys per master key and the last rotation time (no key material)."""
    if keys_db is None:
        return {"available": False}
    per_master = wrapped_per_master(keys_db)
    return {
        "available": True,
        "master_keys": [
            {"master_key_id": m, "data_keys": int(n), "last_rotated_at": _iso(last)}
            for m, n, last in per_master
        ],
    }


def incident_facts(db: Database, tenant: str, period: Period) -> list[dict[str, Any]]:
    from discreet.ops.incidents import IncidentRegister

    register = IncidentRegister(db, tenant=tenant)
    now = register.now()
    return [
        {**register.get(i.id).as_dict(now)}
        for i in register.list()
        if period.contains(i.aware_at) or (i.closed_at is None and i.aware_at < period.end)
    ]


def weeks_between(period: Period) -> list[str]:
    out, moment = [], period.start
    while moment < period.end:
        iso = moment.isocalendar()
        label = f"{iso.year}-W{iso.week:02d}"
        if label not in out:
            out.append(label)
        moment += timedelta(days=1)
    return out
