"""The SOC 2 / ISO 27001 evidence pack: one ZIP archive for a period, with a signed manifest.

Contents: the audit chain's verification, key rotation history and data keys per master
key, the access review (API keys, and console users with their role, second factor, last
sign-in and last action), retention runs, data-subject requests and their timeliness,
incidents, alerts, a configuration snapshot (the policy, store URLs with passwords
masked), charts, and a summary page.

``manifest.json`` lists the SHA-256 of every other file; ``manifest.sig`` is an
HMAC-SHA256 of the manifest with a key derived from the master key
(:func:`discreet.ops.keys.derive_key`, label ``evidence``). :func:`verify_pack` recomputes
both: an edited, added or removed file, or an edited manifest, is reported. Whoever can
verify holds the master key, as whoever could forge; an auditor verifies in the presence
of the operator, or the operator attests with ``discreet report verify``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from discreet.audit.log import AuditLog
from discreet.errors import InvalidInput, NotFound
from discreet.ops import facts
from discreet.ops.alerts import AlertStore
from discreet.ops.keys import derive_key
from discreet.ops.reports import guard_chart, requests_chart
from discreet.policy import Policy
from discreet.store.db import Database, safe_url
from discreet.vault.crypto import MasterKey

MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"


def _json(value: Any) -> bytes:
    return (json.dumps(value, indent=2, sort_keys=True, default=str) + "\n").encode()


def _sign(master: MasterKey, manifest: bytes) -> str:
    return hmac.new(derive_key(master, "evidence"), manifest, hashlib.sha256).hexdigest()


def build_pack(
    out: Path,
    *,
    db: Database,
    keys_db: Database | None,
    policy: Policy,
    tenant: str,
    period: facts.Period,
    master: MasterKey,
    staff: Iterable[facts.StaffAccount] = (),
    now: datetime | None = None,
) -> dict[str, Any]:
    """Write the evidence pack for `period` to `out` (a .zip); returns the manifest.
    `staff`: the console accounts, for the access review."""
    moment = now or datetime.now(UTC)
    verification = AuditLog(db).verify()
    audit = facts.audit_facts(db, period)
    requests = facts.requests_facts(db, tenant, period)
    runs = facts.retention_facts(db, tenant, period)
    incidents = facts.incident_facts(db, tenant, period)
    weeks = facts.weeks_between(period)
    access = facts.access_review(db, tenant, audit, staff)
    alerts = [
        a.as_dict()
        for a in AlertStore(db, tenant=tenant).list(open_only=False, limit=10_000)
        if a.raised_at is not None and period.contains(a.raised_at)
    ]
    files: dict[str, bytes] = {
        "audit_verification.json": _json(
            {
                "ok": verification.ok,
                "records_checked": verification.records,
                "first_bad_seq": verification.first_bad_seq,
                "reason": verification.reason,
                "verified_at": moment.isoformat(),
            }
        ),
        "key_rotation.json": _json(
            {
                "rotations_in_period": audit["key_rotations"],
                "key_store": facts.key_store_facts(keys_db),
                "current_master_key_id": master.key_id,
            }
        ),
        "access_review.json": _json(access),
        "retention_runs.json": _json(runs),
        "requests.json": _json(requests),
        "incidents.json": _json(incidents),
        "alerts.json": _json(alerts),
        "activity.json": _json(
            {
                k: audit[k]
                for k in (
                    "turns",
                    "refused_turns",
                    "guard_blocks",
                    "values_withheld",
                    "guard_decisions",
                    "handoffs",
                    "actions",
                )
            }
        ),
        "config_snapshot.json": _json(
            {
                "policy_source": policy.source,
                "policy": policy.model_dump(mode="json"),
                "data_store": safe_url(db.url),
                "key_store": safe_url(keys_db.url) if keys_db is not None else None,
            }
        ),
        "guard_decisions.svg": guard_chart(audit, weeks).encode(),
        "requests.svg": requests_chart(requests).encode(),
    }
    files["summary.html"] = _summary(
        period, tenant, verification.ok, audit, requests, runs, incidents, alerts, access, moment
    ).encode()
    manifest = {
        "kind": "discreet evidence pack",
        "tenant": tenant,
        "period": {
            "label": period.label,
            "start": period.start.isoformat(),
            "end": period.end.isoformat(),
        },
        "created_at": moment.isoformat(),
        "master_key_id": master.key_id,
        "files": {name: hashlib.sha256(data).hexdigest() for name, data in sorted(files.items())},
    }
    manifest_bytes = _json(manifest)
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in sorted(files.items()):
            archive.writestr(name, data)
        archive.writestr(MANIFEST, manifest_bytes)
        archive.writestr(SIGNATURE, _sign(master, manifest_bytes) + "\n")
    return manifest


def _summary(
    period: facts.Period,
    tenant: str,
    chain_ok: bool,
    audit: dict[str, Any],
    requests: dict[str, Any],
    runs: list[dict[str, Any]],
    incidents: list[dict[str, Any]],
    alerts: list[dict[str, Any]],
    access: dict[str, Any],
    moment: datetime,
) -> str:
    from html import escape

    users = [u for u in access["console_users"] if u["disabled_at"] is None]

    rows = [
        ("audit chain", "verified" if chain_ok else "VERIFICATION FAILED"),
        ("chat turns", audit["turns"]),
        ("guard blocks", audit["guard_blocks"]),
        ("key rotations", len(audit["key_rotations"])),
        ("retention runs", len(runs)),
        (
            "requests received / closed on time",
            f"{requests['received']} / {requests['closed_on_time']}",
        ),
        ("incidents", len(incidents)),
        ("alerts", len(alerts)),
        ("API keys not revoked", sum(k["revoked_at"] is None for k in access["api_keys"])),
        (
            "console users active / without a second factor",
            f"{len(users)} / {sum(not u['mfa_enabled'] for u in users)}",
        ),
    ]
    table = "".join(f"<tr><th>{escape(str(k))}</th><td>{escape(str(v))}</td></tr>" for k, v in rows)
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Evidence '
        f"{escape(period.label)}</title></head><body><h1>Evidence pack {escape(period.label)}"
        f"</h1><p>tenant {escape(tenant)}, generated {moment:%Y-%m-%d %H:%M} UTC</p>"
        f'<table border="1">{table}</table><p><img src="guard_decisions.svg" alt="guard '
        'decisions per week"></p><p><img src="requests.svg" alt="requests per month"></p>'
        "</body></html>"
    )


@dataclass(frozen=True, slots=True)
class PackVerification:
    ok: bool
    problems: tuple[str, ...]
    files: int


def verify_pack(path: Path, master: MasterKey) -> PackVerification:
    """Check the manifest's signature and every file's SHA-256 (names, never contents, in
    the problems reported)."""
    if not path.is_file():
        raise NotFound(f"no evidence pack at {path}")
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise InvalidInput(f"{path} is not a ZIP archive") from None
    problems: list[str] = []
    with archive:
        names = set(archive.namelist())
        if MANIFEST not in names or SIGNATURE not in names:
            return PackVerification(False, ("manifest or signature missing",), 0)
        manifest_bytes = archive.read(MANIFEST)
        signature = archive.read(SIGNATURE).decode("ascii", "replace").strip()
        if not hmac.compare_digest(signature, _sign(master, manifest_bytes)):
            problems.append(
                "manifest signature does not match (edited manifest, or another master key)"
            )
        try:
            listed: dict[str, str] = json.loads(manifest_bytes)["files"]
        except (ValueError, KeyError, TypeError):
            return PackVerification(False, (*problems, "manifest is not readable"), 0)
        for name, digest in sorted(listed.items()):
            if name not in names:
                problems.append(f"{name}: missing")
            elif hashlib.sha256(archive.read(name)).hexdigest() != digest:
                problems.append(f"{name}: SHA-256 does not match the manifest")
        for name in sorted(names - set(listed) - {MANIFEST, SIGNATURE}):
            problems.append(f"{name}: not in the manifest")
    return PackVerification(not problems, tuple(problems), len(listed))
