"""`discreet incidents`: the breach register and its 72-hour clock."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer

from discreet.cli._common import ActorOpt, JsonOpt, default_actor
from discreet.errors import parse_choice
from discreet.ops.incidents import (
    IncidentRegister,
    Kind,
    Severity,
    State,
    parse_local_time,
    zone,
)
from discreet.ops.stores import data_store
from discreet.settings import Settings

app = typer.Typer(
    short_help="The breach register and its 72-hour clock (GDPR art. 33/34).",
    help="The incident register (GDPR art. 33/34): open an incident when personal data may "
    "have been disclosed, altered or lost; the 72-hour clock runs from when you became aware "
    "until `notify --to authority`. Times you type are read in --tz (an IANA zone such as "
    "Europe/Amsterdam); the register keeps UTC.",
)

_Tz = Annotated[str, typer.Option("--tz", help="Time zone for times you type and times shown.")]
_Id = Annotated[str, typer.Argument(help="The incident id (INC-...).")]


@contextmanager
def _register() -> Iterator[IncidentRegister]:
    """The tenant's register over the migrated data store, disposed after."""
    settings = Settings()
    with data_store(settings) as db:
        yield IncidentRegister(db, tenant=settings.tenant)


@app.command("list")
def list_incidents(
    state: Annotated[
        str | None, typer.Option("--state", help="open, notified or closed (default: all).")
    ] = None,
    overdue: Annotated[
        bool, typer.Option("--overdue", help="Only incidents past the 72-hour deadline.")
    ] = False,
    tz: _Tz = "UTC",
    as_json: JsonOpt = False,
) -> None:
    """List incidents with where each stands on the 72-hour clock."""
    from rich.console import Console
    from rich.table import Table

    wanted = parse_choice(state, State, "--state") if state else None
    with _register() as register:
        items = register.overdue() if overdue else register.list(state=wanted)
        now = register.now()
    if as_json:
        typer.echo(json.dumps([i.as_dict(now) for i in items], indent=2))
        return
    if not items:
        typer.echo("no incidents" + (" past the deadline" if overdue else ""))
        return
    table = Table("id", "state", "severity", "kind", "subjects", "72-hour clock", "title")
    for i in items:
        table.add_row(
            i.id,
            i.state.value,
            i.severity.value,
            i.kind.value,
            str(i.subject_count),
            "closed" if i.state == State.CLOSED else i.clock(now).describe(tz),
            i.title,
        )
    Console(highlight=False).print(table)
    if any(i.clock(now).overdue for i in items):
        raise typer.Exit(1)  # cron can alert on it


@app.command("show")
def show(incident_id: _Id, tz: _Tz = "UTC", as_json: JsonOpt = False) -> None:
    """Show an incident: facts, the clock and the timeline."""
    with _register() as register:
        incident = register.get(incident_id)
        now = register.now()
    if as_json:
        typer.echo(json.dumps(incident.as_dict(now), indent=2))
        return
    typer.echo(f"{incident.id}  {incident.title}")
    typer.echo(f"  state     {incident.state.value}")
    typer.echo(f"  kind      {incident.kind.value}, severity {incident.severity.value}")
    typer.echo(f"  source    {incident.source} {incident.source_ref or ''}".rstrip())
    typer.echo(f"  data      {', '.join(incident.categories) or '(none recorded)'}")
    typer.echo(f"  subjects  {incident.subject_count}")
    typer.echo(f"  clock     {incident.clock(now).describe(tz)}")
    typer.echo("  timeline")
    for entry in incident.timeline:
        local = entry.at.astimezone(zone(tz)).strftime("%Y-%m-%d %H:%M %Z")
        typer.echo(f"    {local}  {entry.kind:<18} {entry.actor}: {entry.text}")


@app.command("open")
def open_incident(
    title: Annotated[
        str | None, typer.Option("--title", help="What happened, without personal data.")
    ] = None,
    kind: Annotated[
        str, typer.Option("--kind", help="confidentiality, integrity or availability.")
    ] = "confidentiality",
    severity: Annotated[
        str, typer.Option("--severity", help="low, medium, high or critical.")
    ] = "medium",
    aware: Annotated[
        str | None,
        typer.Option(
            "--aware", help="When you became aware (ISO time, read in --tz; default now)."
        ),
    ] = None,
    category: Annotated[
        list[str] | None,
        typer.Option("--category", help="A data category concerned (repeatable)."),
    ] = None,
    subject: Annotated[
        list[str] | None,
        typer.Option("--subject", help="A pseudonymous subject id concerned (repeatable)."),
    ] = None,
    subjects: Annotated[
        int, typer.Option("--subjects", min=0, help="Approximate number of subjects concerned.")
    ] = 0,
    from_guard: Annotated[
        bool,
        typer.Option(
            "--from-guard-blocks",
            help="Open one incident per output-guard block in the audit log that has none.",
        ),
    ] = False,
    from_alert: Annotated[
        int | None, typer.Option("--from-alert", help="Open from this alert's id.")
    ] = None,
    tz: _Tz = "UTC",
    actor: ActorOpt = None,
) -> None:
    """Open an incident by hand, from an alert, or from the guard blocks the gateway
    recorded."""
    settings = Settings()
    with data_store(settings) as db:
        register = IncidentRegister(db, tenant=settings.tenant)
        if from_alert is not None:
            from discreet.ops.alerts import AlertStore

            alert = AlertStore(db, tenant=settings.tenant).get(from_alert)
            incident = register.open_from_alert(alert, actor=default_actor(actor))
            typer.echo(f"opened {incident.id}: {incident.clock(register.now()).describe(tz)}")
            return
        if from_guard:
            from discreet.audit.log import AuditLog

            opened = register.open_from_guard_blocks(
                AuditLog(db).entries(), actor=default_actor(actor)
            )
            for incident in opened:
                typer.echo(f"opened {incident.id} ({incident.source_ref})")
            typer.echo(f"{len(opened)} incident(s) opened from guard blocks")
            return
        if not title:
            raise typer.BadParameter("give --title (or --from-guard-blocks)", param_hint="--title")
        incident = register.open(
            title=title,
            kind=parse_choice(kind, Kind, "--kind"),
            severity=parse_choice(severity, Severity, "--severity"),
            actor=default_actor(actor),
            aware_at=parse_local_time(aware, tz) if aware else None,
            categories=category or (),
            subjects=subject or (),
            subject_count=subjects,
        )
        now = register.now()
    typer.echo(f"opened {incident.id}: {incident.clock(now).describe(tz)}")


@app.command("note")
def note(
    incident_id: _Id,
    text: Annotated[str, typer.Argument(help="The note (personal data in it is masked).")],
    decision: Annotated[
        bool,
        typer.Option(
            "--decision",
            help="Record a decision (e.g. not to notify: unlikely to result in a risk).",
        ),
    ] = False,
    actor: ActorOpt = None,
) -> None:
    """Add a note or a decision to an incident's timeline."""
    with _register() as register:
        register.note(incident_id, text, actor=default_actor(actor), decision=decision)
    typer.echo(f"{'decision' if decision else 'note'} added to {incident_id}")


@app.command("notify")
def notify(
    incident_id: _Id,
    to: Annotated[
        str,
        typer.Option("--to", help="authority (stops the 72-hour clock) or subjects (art. 34)."),
    ] = "authority",
    at: Annotated[
        str | None, typer.Option("--at", help="When it was sent (ISO, in --tz; default now).")
    ] = None,
    reference: Annotated[
        str, typer.Option("--reference", help="The authority's case reference, if any.")
    ] = "",
    draft_only: Annotated[
        bool,
        typer.Option("--draft", help="Print a draft notification instead of recording one."),
    ] = False,
    language: Annotated[
        str, typer.Option("--language", help="Draft language: en, nl, de or fr.")
    ] = "en",
    contact: Annotated[
        str | None, typer.Option("--contact", help="Contact point to put in the draft.")
    ] = None,
    tz: _Tz = "UTC",
    actor: ActorOpt = None,
) -> None:
    """Record a notification, or with --draft print one (art. 33(3) / art. 34)."""
    from discreet.ops.notifications import draft

    with _register() as register:
        if draft_only:
            incident = register.get(incident_id)
            typer.echo(
                draft(
                    incident,
                    to=to,
                    language=language,
                    tz=tz,
                    now=register.now(),
                    contact=contact,
                )
            )
            return
        incident = register.notify(
            incident_id,
            to=to,
            actor=default_actor(actor),
            at=parse_local_time(at, tz) if at else None,
            reference=reference,
        )
        now = register.now()
    clock = incident.clock(now).describe(tz)  # once the authority has it: "authority notified ..."
    typer.echo(
        f"{incident.id}: {clock}" if to == "authority" else f"{incident.id}: {to} notified; {clock}"
    )


@app.command("close")
def close(
    incident_id: _Id,
    summary: Annotated[str, typer.Argument(help="How it ended (no personal data).")],
    actor: ActorOpt = None,
) -> None:
    """Close an incident (needs the authority notified, or a recorded decision not to)."""
    with _register() as register:
        register.close(incident_id, actor=default_actor(actor), summary=summary)
    typer.echo(f"closed {incident_id}")
