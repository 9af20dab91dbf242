"""Stored alerts and their delivery by webhook (generic JSON or Slack-compatible) and SMTP.

An alert names a signal, an actor (an API key id, an operator name, or a keyed digest of
a network address), the window, the value, the baseline it was compared with and a
sentence saying why it was raised. Never a subject id or a value: alerts leave the
system (chat channels, mailboxes).

Delivery is configured in the policy's ``alerts`` section (``policy.models.AlertsSpec``:
webhooks with a ``json``, ``slack`` -- also Mattermost -- or ``teams`` shape, and an SMTP
relay). Secrets (a webhook's URL or bearer token, the relay password) are named there by
their environment variable, never written in the policy file, and read by
`discreet.settings.secret_from_env` when a channel needs one. A variable that is not set
fails that channel's delivery with a message naming it; the alert stays stored either way.
"""

from __future__ import annotations

import builtins
import json
import smtplib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from typing import Any

import httpx
from pydantic import SecretStr
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from discreet.clock import Clock, as_utc, now_from, system_clock
from discreet.errors import Conflict, NotFound
from discreet.policy.models import AlertEmailSpec, AlertsSpec
from discreet.settings import secret_from_env
from discreet.store.db import Database
from discreet.store.models import table_of
from discreet.store.ops_models import AlertRow

_A = table_of(AlertRow)


@dataclass(frozen=True, slots=True)
class Alert:
    signal: str
    actor: str
    severity: str
    window_start: datetime
    window_end: datetime
    value: float
    baseline: float
    score: float
    reason: str
    id: int | None = None
    raised_at: datetime | None = None
    acked_at: datetime | None = None
    acked_by: str | None = None
    delivered: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "signal": self.signal,
            "actor": self.actor,
            "severity": self.severity,
            "window_start": as_utc(self.window_start).isoformat(),
            "window_end": as_utc(self.window_end).isoformat(),
            "value": self.value,
            "baseline": round(self.baseline, 3),
            "score": round(self.score, 2),
            "reason": self.reason,
            "raised_at": as_utc(self.raised_at).isoformat() if self.raised_at else None,
            "acked_at": as_utc(self.acked_at).isoformat() if self.acked_at else None,
            "acked_by": self.acked_by,
            "delivered": self.delivered,
        }

    def summary(self) -> str:
        return f"[{self.severity}] {self.signal} by {self.actor}: {self.reason}"


def _alert(row: Any) -> Alert:
    return Alert(
        signal=row.signal,
        actor=row.actor,
        severity=row.severity,
        window_start=as_utc(row.window_start),
        window_end=as_utc(row.window_end),
        value=float(row.value),
        baseline=float(row.baseline),
        score=float(row.score),
        reason=row.reason,
        id=int(row.id),
        raised_at=as_utc(row.raised_at),
        acked_at=as_utc(row.acked_at) if row.acked_at else None,
        acked_by=row.acked_by,
        delivered=row.delivered or "",
    )


class AlertNotFound(NotFound):
    """No alert with that id in this tenant."""


class AlertStore:
    """The ``ops_alerts`` table of one tenant."""

    def __init__(self, db: Database, *, tenant: str, clock: Clock = system_clock) -> None:
        self._db = db
        self.tenant = tenant
        self._clock = clock

    def raise_alert(self, alert: Alert) -> Alert | None:
        """Store `alert`; None when the same signal, actor and window was already raised."""
        now = now_from(self._clock)
        row = {
            "tenant": self.tenant,
            "signal": alert.signal,
            "actor": alert.actor,
            "severity": alert.severity,
            "window_start": alert.window_start,
            "window_end": alert.window_end,
            "value": alert.value,
            "baseline": alert.baseline,
            "score": alert.score,
            "reason": alert.reason,
            "raised_at": now,
            "acked_at": None,
            "acked_by": None,
            "delivered": "",
        }
        try:
            with self._db.begin() as conn:
                exists = conn.execute(
                    select(_A.c.id).where(
                        _A.c.tenant == self.tenant,
                        _A.c.signal == alert.signal,
                        _A.c.actor == alert.actor,
                        _A.c.window_start == alert.window_start,
                    )
                ).first()
                if exists is not None:
                    return None
                new_id = conn.execute(_A.insert().returning(_A.c.id), row).scalar_one()
        except IntegrityError:  # a concurrent run raised it first
            return None
        return self.get(int(new_id))

    def get(self, alert_id: int) -> Alert:
        with self._db.read() as conn:
            row = conn.execute(
                select(_A).where(_A.c.id == alert_id, _A.c.tenant == self.tenant)
            ).one_or_none()
        if row is None:
            raise AlertNotFound(f"no alert {alert_id}")
        return _alert(row)

    def list(self, *, open_only: bool = True, limit: int = 200) -> builtins.list[Alert]:
        query = select(_A).where(_A.c.tenant == self.tenant)
        if open_only:
            query = query.where(_A.c.acked_at.is_(None))
        with self._db.read() as conn:
            rows = conn.execute(query.order_by(_A.c.raised_at.desc(), _A.c.id.desc()).limit(limit))
            return [_alert(r) for r in rows.all()]

    def ongoing(self, signal: str, actor: str, *, since: datetime) -> bool:
        """Whether an unacknowledged alert for `signal` and `actor` covers a window that
        started at or after `since` (the same episode)."""
        with self._db.read() as conn:
            row = conn.execute(
                select(_A.c.id)
                .where(
                    _A.c.tenant == self.tenant,
                    _A.c.signal == signal,
                    _A.c.actor == actor,
                    _A.c.acked_at.is_(None),
                    _A.c.window_start >= since,
                )
                .limit(1)
            ).first()
        return row is not None

    def count_open(self) -> int:
        with self._db.read() as conn:
            return int(
                conn.execute(
                    select(func.count())
                    .select_from(_A)
                    .where(_A.c.tenant == self.tenant, _A.c.acked_at.is_(None))
                ).scalar_one()
            )

    def ack(self, alert_id: int, *, actor: str) -> Alert:
        alert = self.get(alert_id)
        if alert.acked_at is not None:
            raise Conflict(f"alert {alert_id} was already acknowledged by {alert.acked_by}")
        with self._db.begin() as conn:
            conn.execute(
                update(_A)
                .where(_A.c.id == alert_id)
                .values(acked_at=now_from(self._clock), acked_by=actor)
            )
        return self.get(alert_id)

    def mark_delivered(self, alert_id: int, channels: builtins.list[str]) -> None:
        with self._db.begin() as conn:
            conn.execute(
                update(_A).where(_A.c.id == alert_id).values(delivered=",".join(channels)[:200])
            )


def webhook_body(alert: Alert, shape: str) -> dict[str, Any]:
    title = f"discreet alert {alert.id}: {alert.signal} ({alert.severity})"
    if shape == "slack":
        return {
            "text": f":rotating_light: discreet alert {alert.id}: {alert.summary()}",
            "blocks": [
                {
                    "type": "section",
                    "text": {"type": "mrkdwn", "text": f"*{alert.signal}* ({alert.severity})"},
                },
                {"type": "section", "text": {"type": "plain_text", "text": alert.reason}},
            ],
        }
    if shape == "teams":
        # An Office 365 connector card: what a Teams incoming webhook accepts.
        return {
            "@type": "MessageCard",
            "@context": "https://schema.org/extensions",
            "summary": title,
            "themeColor": "D7263D" if alert.severity == "high" else "F49D37",
            "title": title,
            "text": alert.reason,
            "sections": [
                {
                    "facts": [
                        {"name": "actor", "value": alert.actor},
                        {"name": "value", "value": f"{alert.value:g}"},
                        {"name": "baseline", "value": f"{alert.baseline:.2f}"},
                        {"name": "acknowledge", "value": f"discreet alerts ack {alert.id}"},
                    ]
                }
            ],
        }
    return {"source": "discreet", "alert": alert.as_dict()}


class MissingSecret(Exception):
    """An environment variable the policy names for a delivery secret is not set."""


class Delivery:
    """Sends alerts to the channels of the policy's ``alerts`` section; a failing channel
    is reported, not raised (the alert stays stored and listed either way)."""

    def __init__(
        self, spec: AlertsSpec, secrets: Callable[[str], SecretStr | None] = secret_from_env
    ) -> None:
        """`secrets`: the secret held in the variable of that name (None: not set)."""
        self.spec = spec
        self._secrets = secrets

    @property
    def channels(self) -> builtins.list[str]:
        names = [f"webhook{i}" for i in range(1, len(self.spec.webhooks) + 1)]
        return [*names, "email"] if self.spec.email is not None else names

    def _secret(self, name: str) -> str:
        value = self._secrets(name)
        if value is None:
            raise MissingSecret(f"environment variable {name} is not set")
        return value.get_secret_value()

    def send(self, alert: Alert) -> tuple[builtins.list[str], builtins.list[str]]:
        """(delivered channels, failures as "channel: reason")."""
        done: list[str] = []
        failed: list[str] = []
        for number, hook in enumerate(self.spec.webhooks, 1):
            channel = f"webhook{number}"
            try:
                url = hook.url if hook.url is not None else self._secret(str(hook.url_env))
                headers = (
                    {"Authorization": f"Bearer {self._secret(hook.token_env)}"}
                    if hook.token_env
                    else {}
                )
                response = httpx.post(
                    url,
                    json=webhook_body(alert, hook.shape),
                    headers=headers,
                    timeout=self.spec.timeout_s,
                )
                response.raise_for_status()
                done.append(channel)
            except MissingSecret as exc:
                failed.append(f"{channel}: {exc}")
            except httpx.HTTPStatusError as exc:
                failed.append(f"{channel}: HTTP {exc.response.status_code}")
            except httpx.HTTPError as exc:  # the URL may hold a secret: the type alone
                failed.append(f"{channel}: {type(exc).__name__}")
        if self.spec.email is not None:
            try:
                self._mail(alert, self.spec.email)
                done.append("email")
            except MissingSecret as exc:
                failed.append(f"email: {exc}")
            except (OSError, smtplib.SMTPException) as exc:
                failed.append(f"email: {type(exc).__name__}")
        return done, failed

    def _mail(self, alert: Alert, mail: AlertEmailSpec) -> None:
        password = self._secret(mail.password_env) if mail.password_env else None
        message = EmailMessage()
        message["Subject"] = f"[discreet] {alert.severity} alert: {alert.signal}"
        message["From"] = mail.sender
        message["To"] = ", ".join(mail.to)
        message.set_content(
            f"{alert.summary()}\n\nwindow: {alert.window_start.isoformat()} - "
            f"{alert.window_end.isoformat()}\nvalue: {alert.value:g}, baseline: "
            f"{alert.baseline:.2f}, score: {alert.score:.1f}\n\n"
            f"Acknowledge with: discreet alerts ack {alert.id}\n"
        )
        smtp_class = smtplib.SMTP_SSL if mail.smtp_port == 465 else smtplib.SMTP
        with smtp_class(mail.smtp_host, mail.smtp_port, timeout=self.spec.timeout_s) as smtp:
            if mail.starttls:
                smtp.starttls()
            if mail.user and password is not None:
                smtp.login(mail.user, password)
            smtp.send_message(message)


def as_json(alerts: builtins.list[Alert]) -> str:
    return json.dumps([a.as_dict() for a in alerts], indent=2)
