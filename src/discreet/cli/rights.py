"""`discreet rights`: data-subject requests (access, rectification, erasure, restriction,
objection), their deadlines and legal holds, through the rights service the wiring
builds."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from discreet.cli._common import ActorOpt, TenantOpt, echo_json, governance, operator_ctx
from discreet.cli.consent import ChannelOpt, RefArg
from discreet.errors import InvalidInput

if TYPE_CHECKING:
    from collections.abc import Mapping

    from discreet.rights import RightsRequest, RightsService

app = typer.Typer(
    help="Data-subject requests (access, rectification, erasure, restriction, objection), "
    "deadlines and legal holds."
)

_RequestArg = Annotated[str, typer.Argument(help="The request id (dsr_...).")]
_DSR = ("data_subject_request", "legal_obligation")
_HOLD = ("legal_hold", "legal_obligation")
_ERASURE_BLOCKED_EXIT = 3
"""Not an error but an outcome: the request stands, and runs once the holds are gone."""


def _echo_request(request: RightsRequest, refs: Mapping[str, str] | None = None) -> None:
    due = request.due_at.date().isoformat()
    line = f"{request.id}  {request.kind.value:<13} {request.state.value:<11} due {due}"
    if refs is not None:
        # The customer's reference, as they and the operator know them (erased: none).
        line += f"  {refs.get(request.subject_id, '(erased)')}"
    typer.echo(line + (f"  ({request.rejection_reason})" if request.rejection_reason else ""))


def _request_refs(service: RightsService) -> dict[str, str]:
    """Pseudonymous id -> reference, for listing requests (one audited vault listing)."""
    listed = service.vault.list_subjects(ctx=operator_ctx(None, *_DSR))
    return {subject_id: ref for subject_id, ref, _fields in listed}


@app.command("submit")
def rights_submit(
    ref: RefArg,
    kind: Annotated[
        str,
        typer.Argument(
            help="access, rectification, erasure, restriction or objection; under the CCPA "
            "also know, delete, correct or opt_out (an objection to sale/sharing)."
        ),
    ],
    channel: ChannelOpt = "cli",
    scope: Annotated[
        str | None, typer.Option("--scope", help="Objection: the purpose objected to.")
    ] = None,
    actor: ActorOpt = None,
    tenant: TenantOpt = None,
) -> None:
    """Record a new request; it is due by the deadline of the policy's jurisdictions (GDPR:
    one month; CCPA: 45 days). Example: `discreet rights submit CUST-1042 opt_out`."""
    from discreet.rights.jurisdictions import parse_request

    ctx = operator_ctx(actor, *_DSR)
    with governance(tenant) as services:
        service = services.rights
        names = service.policy.jurisdictions if service.policy is not None else ("gdpr",)
        request_kind, request_scope = parse_request(kind, scope, names)
        request = service.submit(ref, request_kind, channel=channel, scope=request_scope, ctx=ctx)
    _echo_request(request)


@app.command("verify")
def rights_verify(
    request_id: _RequestArg, actor: ActorOpt = None, tenant: TenantOpt = None
) -> None:
    """Mark the requester's identity as checked."""
    ctx = operator_ctx(actor, *_DSR)
    with governance(tenant) as services:
        request = services.rights.book.verify(request_id, ctx=ctx)
    _echo_request(request)


@app.command("execute")
def rights_execute(
    request_id: _RequestArg,
    ref: Annotated[str, typer.Option("--ref", help="The customer's reference, as a check.")],
    set_field: Annotated[
        list[str] | None, typer.Option("--set", help="Rectification: field=value.")
    ] = None,
    unset: Annotated[
        list[str] | None, typer.Option("--unset", help="Rectification: delete a field.")
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="Access: where to write the zip archive.")
    ] = None,
    actor: ActorOpt = None,
    tenant: TenantOpt = None,
) -> None:
    """Carry out a verified request and record its completion. Running an interrupted
    erasure again finishes it."""
    changes: dict[str, str | None] = {}
    for item in set_field or []:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise typer.BadParameter("--set expects field=value")
        changes[name.strip()] = value
    changes.update(dict.fromkeys(unset or []))
    if out is not None and out.exists():
        raise InvalidInput(f"{out} exists; refusing to overwrite it")
    ctx = operator_ctx(actor, *_DSR)
    with governance(tenant) as services:
        done = services.rights.execute(request_id, ref, changes=changes or None, ctx=ctx)
    if done.erasure is not None and not done.erasure.completed:
        typer.echo("erasure blocked by legal holds; nothing was erased:", err=True)
        for hold in done.erasure.blocked_by:
            set_on = hold.set_at.date()
            typer.echo(f"  hold {hold.id} on the {hold.target}, set {set_on}", err=True)
        raise typer.Exit(_ERASURE_BLOCKED_EXIT)
    if done.archive is not None:
        if out is None:
            raise InvalidInput("an access request needs --out for the archive")
        out.write_bytes(done.archive)
        out.chmod(0o600)
        typer.echo(f"wrote the export archive to {out}")
    _echo_request(done.request)
    if done.request.result is not None:
        echo_json(done.request.result)


@app.command("reject")
def rights_reject(
    request_id: _RequestArg,
    reason: Annotated[str, typer.Option("--reason", help="Why (shown to the customer).")],
    actor: ActorOpt = None,
    tenant: TenantOpt = None,
) -> None:
    """Close a request without carrying it out, with the reason."""
    ctx = operator_ctx(actor, *_DSR)
    with governance(tenant) as services:
        request = services.rights.book.reject(request_id, reason, ctx=ctx)
    _echo_request(request)


@app.command("extend")
def rights_extend(
    request_id: _RequestArg,
    reason: Annotated[str, typer.Option("--reason", help="Why more time is needed.")],
    months: Annotated[int, typer.Option("--months", min=1, max=2)] = 1,
    actor: ActorOpt = None,
    tenant: TenantOpt = None,
) -> None:
    """Extend the deadline (at most two months in all), recording the reason."""
    ctx = operator_ctx(actor, *_DSR)
    with governance(tenant) as services:
        request = services.rights.book.extend(request_id, months, reason, ctx=ctx)
    _echo_request(request)


@app.command("show")
def rights_show(request_id: _RequestArg, tenant: TenantOpt = None) -> None:
    """Show a request with its completion record, as JSON."""
    with governance(tenant) as services:
        request = services.rights.book.get(request_id)
    echo_json(request.as_dict())


@app.command("list")
def rights_list(
    state: Annotated[
        str | None, typer.Option("--state", help="Only requests in this state.")
    ] = None,
    tenant: TenantOpt = None,
) -> None:
    """List requests, oldest first."""
    from discreet.rights import RequestState

    known = [s.value for s in RequestState]
    if state is not None and state not in known:
        raise InvalidInput(f"--state must be one of {', '.join(known)}")
    with governance(tenant) as services:
        requests = services.rights.book.find(state=RequestState(state) if state else None)
        refs = _request_refs(services.rights) if requests else {}
    for request in requests:
        _echo_request(request, refs)


@app.command("overdue")
def rights_overdue(tenant: TenantOpt = None) -> None:
    """List open requests past their deadline; exit code 1 if there are any."""
    with governance(tenant) as services:
        late = services.rights.book.overdue()
        refs = _request_refs(services.rights) if late else {}
    if not late:
        typer.echo("no overdue requests")
        return
    for request in late:
        _echo_request(request, refs)
    raise typer.Exit(1)


@app.command("lift")
def rights_lift(request_id: _RequestArg, actor: ActorOpt = None, tenant: TenantOpt = None) -> None:
    """Lift the restriction or objection a completed request put in force."""
    ctx = operator_ctx(actor, *_DSR)
    with governance(tenant) as services:
        count = services.rights.lift(request_id, ctx=ctx)
    typer.echo(f"lifted {count} processing limit(s)")


@app.command("hold")
def rights_hold(
    reason: Annotated[str, typer.Option("--reason", help="Why the data must be kept.")],
    ref: Annotated[str | None, typer.Option("--ref", help="Hold a whole subject.")] = None,
    conversation: Annotated[
        str | None, typer.Option("--conversation", help="Hold one conversation.")
    ] = None,
    actor: ActorOpt = None,
    tenant: TenantOpt = None,
) -> None:
    """Put a legal hold on a subject or a conversation (blocks erasure and deletion)."""
    if (ref is None) == (conversation is None):
        raise typer.BadParameter("give either --ref or --conversation")
    ctx = operator_ctx(actor, *_HOLD)
    with governance(tenant) as services:
        hold = (
            services.rights.hold_subject(ref, reason, ctx=ctx)
            if ref is not None
            else services.rights.hold_conversation(str(conversation), reason, ctx=ctx)
        )
    typer.echo(f"hold {hold.id} set on the {hold.target}")


@app.command("release")
def rights_release(
    hold_id: Annotated[int, typer.Argument(help="The hold's number.")],
    actor: ActorOpt = None,
    tenant: TenantOpt = None,
) -> None:
    """Release a legal hold."""
    ctx = operator_ctx(actor, *_HOLD)
    with governance(tenant) as services:
        hold = services.rights.release(hold_id, ctx=ctx)
    typer.echo(f"hold {hold.id} on the {hold.target} released")


@app.command("holds")
def rights_holds(tenant: TenantOpt = None) -> None:
    """List the active legal holds."""
    with governance(tenant) as services:
        holds = services.rights.holds()
    if not holds:
        typer.echo("no active legal holds")
    for hold in holds:
        typer.echo(f"{hold.id}  {hold.target}  set {hold.set_at.date()} by {hold.set_by}")
