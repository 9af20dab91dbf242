"""`discreet conversations`: what an operator sees of a conversation, and giving a
handed-over conversation back to the assistant."""

from __future__ import annotations

import getpass
import json
from typing import TYPE_CHECKING, Annotated

import typer

from discreet.errors import NotFound

if TYPE_CHECKING:
    from discreet.conversations.states import ConversationStates

app = typer.Typer(
    help="Conversations for operators: show a conversation's state (handoff, closed, turns; "
    "never its content) and release a handoff so the assistant answers again."
)

_IdArg = Annotated[str, typer.Argument(help="The conversation id (X-Discreet-Conversation).")]
_TenantOpt = Annotated[
    str | None, typer.Option("--tenant", help="Tenant (default: DISCREET_TENANT).")
]


class ConversationNotFound(NotFound):
    code = "conversation_not_found"


def _states(tenant: str | None) -> ConversationStates:
    from discreet.conversations.states import ConversationStates
    from discreet.settings import Settings
    from discreet.vault import open_vault

    settings = Settings()
    # Through the vault: it checks the master key and registers the audit chain's key, so
    # the release's audit record joins the keyed chain (audit/keyed.py).
    vault = open_vault(settings, tenant=tenant or settings.tenant)
    return ConversationStates(vault.data_store, vault.audit_log, vault.tenant)


def _show(states: ConversationStates, conversation_id: str) -> dict[str, object]:
    from discreet.api.responses import conversation_view

    found = states.get(conversation_id)
    if found is None:
        raise ConversationNotFound(
            f"no conversation {conversation_id!r} in tenant {states.tenant!r}"
        )
    return dict(conversation_view(found).model_dump(mode="json"))


@app.command("show")
def show(conversation_id: _IdArg, tenant: _TenantOpt = None) -> None:
    """Print a conversation's state as JSON: assistant, pseudonymous subject, turns,
    handoff (and why), closed."""
    typer.echo(json.dumps(_show(_states(tenant), conversation_id), indent=2))


@app.command("release")
def release(
    conversation_id: _IdArg,
    reason: Annotated[
        str, typer.Option("--reason", help="Why (audited; no customer data).")
    ] = "released by an operator",
    actor: Annotated[
        str | None, typer.Option("--actor", help="Who acts (default: your login name).")
    ] = None,
    tenant: _TenantOpt = None,
) -> None:
    """Give a handed-over conversation back to the assistant: its next turn is answered by
    the model again. Example: `discreet conversations release conv-42 --reason resolved`."""
    from discreet.api.routes_handoff import operator_support_context

    states = _states(tenant)
    _show(states, conversation_id)  # not found: exit 3 before anything changes
    ctx = operator_support_context(actor or getpass.getuser())
    if states.release_handoff(conversation_id, ctx=ctx, reason=reason):
        typer.echo(f"released {conversation_id}: the assistant answers its next turn")
    else:
        typer.echo(f"{conversation_id} was not handed over; nothing changed")
