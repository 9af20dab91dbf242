"""`discreet conversations`: what an operator sees of a conversation, and giving a
handed-over conversation back to the assistant."""

from __future__ import annotations

import getpass
import json
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated

import typer

from discreet.cli._common import ActorOpt, TenantOpt, governance
from discreet.errors import NotFound

if TYPE_CHECKING:
    from collections.abc import Iterator

    from discreet.conversations.states import ConversationStates

app = typer.Typer(
    help="Conversations for operators: show a conversation's state (handoff, closed, turns; "
    "never its content) and release a handoff so the assistant answers again."
)

_IdArg = Annotated[str, typer.Argument(help="The conversation id (X-Discreet-Conversation).")]


class ConversationNotFound(NotFound):
    code = "conversation_not_found"


@contextmanager
def _states(tenant: str | None) -> Iterator[ConversationStates]:
    from discreet.conversations.states import ConversationStates

    # Over the wiring's vault: it checks the master key and registers the audit chain's
    # key, so the release's audit record joins the keyed chain (audit/keyed.py).
    with governance(tenant) as services:
        yield ConversationStates(services.data, services.audit, services.vault.tenant)


def _show(states: ConversationStates, conversation_id: str) -> dict[str, object]:
    from discreet.api.responses import conversation_view

    found = states.get(conversation_id)
    if found is None:
        raise ConversationNotFound(
            f"no conversation {conversation_id!r} in tenant {states.tenant!r}"
        )
    return dict(conversation_view(found).model_dump(mode="json"))


@app.command("show")
def show(conversation_id: _IdArg, tenant: TenantOpt = None) -> None:
    """Print a conversation's state as JSON: assistant, pseudonymous subject, turns,
    handoff (and why), closed."""
    with _states(tenant) as states:
        shown = _show(states, conversation_id)
    typer.echo(json.dumps(shown, indent=2))


@app.command("release")
def release(
    conversation_id: _IdArg,
    reason: Annotated[
        str, typer.Option("--reason", help="Why (audited; no customer data).")
    ] = "released by an operator",
    actor: ActorOpt = None,
    tenant: TenantOpt = None,
) -> None:
    """Give a handed-over conversation back to the assistant: its next turn is answered by
    the model again. Example: `discreet conversations release conv-42 --reason resolved`."""
    from discreet.api.routes_handoff import operator_support_context

    ctx = operator_support_context(actor or getpass.getuser())
    with _states(tenant) as states:
        _show(states, conversation_id)  # not found: exit 3 before anything changes
        released = states.release_handoff(conversation_id, ctx=ctx, reason=reason)
    if released:
        typer.echo(f"released {conversation_id}: the assistant answers its next turn")
    else:
        typer.echo(f"{conversation_id} was not handed over; nothing changed")
