"""`discreet consent`: customers' consent per purpose (grant, withdraw, show), recorded
through the rights service the wiring builds."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

import typer

from discreet.cli._common import ActorOpt, JsonOpt, TenantOpt, echo_json, governance, operator_ctx
from discreet.consent import ConsentState

app = typer.Typer(help="Customers' consent per purpose: grant, withdraw, show.")

RefArg = Annotated[str, typer.Argument(help="The customer's reference (subject_ref).")]
ChannelOpt = Annotated[
    str, typer.Option("--channel", help="How it reached us: web, email, phone, ...")
]
_PurposeArg = Annotated[str, typer.Argument(help="Purpose, as named in the policy.")]
_NoticeOpt = Annotated[
    str, typer.Option("--notice-version", help="Version of the privacy notice shown.")
]
_CONSENT = ("consent_management", "legal_obligation")


def _consent_command(state: ConsentState) -> Callable[..., None]:
    """`grant` and `withdraw`: the same command, recording the other state (withdrawing
    is exactly as easy as granting)."""

    def record(
        ref: RefArg,
        purpose: _PurposeArg,
        notice_version: _NoticeOpt,
        channel: ChannelOpt = "cli",
        actor: ActorOpt = None,
        tenant: TenantOpt = None,
    ) -> None:
        ctx = operator_ctx(actor, *_CONSENT)
        with governance(tenant) as services:
            entry = services.rights.consent.record(
                ref, purpose, state, notice_version=notice_version, channel=channel, ctx=ctx
            )
        typer.echo(
            f"{entry.state.value}: {purpose} for subject {entry.subject_id} "
            f"(notice {notice_version}, via {channel}, at {entry.recorded_at.isoformat()})"
        )

    return record


app.command("grant", help="Record that the customer granted consent for a purpose.")(
    _consent_command(ConsentState.GRANTED)
)
app.command(
    "withdraw",
    help="Record that the customer withdrew consent for a purpose (as easy as granting).",
)(_consent_command(ConsentState.WITHDRAWN))


@app.command("show")
def consent_show(
    ref: RefArg,
    as_json: JsonOpt = False,
    actor: ActorOpt = None,
    tenant: TenantOpt = None,
) -> None:
    """Show the customer's current consent per purpose and the full history."""
    ctx = operator_ctx(actor, *_CONSENT)
    with governance(tenant) as services:
        overview = services.rights.consent.show(ref, ctx=ctx)
    if as_json:
        echo_json(overview.as_dict())
        return
    typer.echo(f"subject {overview.subject_id}")
    if not overview.history:
        typer.echo("  no consent recorded")
    for purpose, entry in sorted(overview.current.items()):
        typer.echo(f"  {purpose}: {entry.state.value} since {entry.recorded_at.isoformat()}")
    typer.echo("history:")
    for entry in overview.history:
        typer.echo(
            f"  {entry.recorded_at.isoformat()}  {entry.purpose:<16} {entry.state.value:<9} "
            f"notice {entry.notice_version}, via {entry.channel}, by {entry.recorded_by}"
        )
    for limit in overview.limits:
        until = f" until {limit.lifted_at.isoformat()}" if limit.lifted_at else " (in force)"
        typer.echo(f"  {limit.kind.value} of {limit.purpose or 'all processing'}{until}")
