"""`discreet apikey`: the gateway's API keys (create, list, revoke)."""

from __future__ import annotations

from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated

import typer

from discreet.cli._common import ConfigOpt, TenantOpt, load_policy_or_exit, settings_for
from discreet.errors import InvalidInput, NotFound

if TYPE_CHECKING:
    from collections.abc import Iterator

    from discreet.conversations.apikeys import ApiKeyStore

app = typer.Typer(help="API keys of the gateway: one key, one assistant.")


@contextmanager
def _api_key_store(tenant: str | None) -> Iterator[ApiKeyStore]:
    """The tenant's API keys in the migrated data store (key changes join the keyed
    audit chain), disposed after."""
    from discreet.conversations.apikeys import ApiKeyStore
    from discreet.ops.stores import data_store

    settings = settings_for(tenant)
    with data_store(settings) as db:
        yield ApiKeyStore(db, settings.tenant)


@app.command("create")
def apikey_create(
    assistant: Annotated[
        str | None, typer.Option("--assistant", "-a", help="Assistant in the policy.")
    ] = None,
    operator: Annotated[
        str | None,
        typer.Option(
            "--operator",
            help="Operator's name: a key for the governance endpoints (consent, rights, "
            "legal holds), refused on the chat endpoints.",
        ),
    ] = None,
    label: Annotated[str | None, typer.Option("--label", help="A note for yourself.")] = None,
    config: ConfigOpt = None,
    tenant: TenantOpt = None,
) -> None:
    """Create an API key for an assistant (--assistant) or an operator (--operator).

    The key is shown once; only its hash is stored."""
    from discreet.conversations.apikeys import KeyRole

    if (assistant is None) == (operator is None):
        raise InvalidInput("give exactly one of --assistant NAME or --operator NAME")
    if assistant is not None:
        load_policy_or_exit(config).assistant(assistant)  # UnknownAssistant: exit 2
    name, role = (assistant, KeyRole.ASSISTANT) if assistant else (operator, KeyRole.OPERATOR)
    assert name is not None
    if not name.strip() or len(name) > 64 or any(ord(ch) < 32 for ch in name):
        raise InvalidInput(f"the {role.value} name must be 1 to 64 printable characters")
    with _api_key_store(tenant) as store:
        key, info = store.create(name, label, role=role)
    typer.echo(key)
    typer.echo(
        f"key id {info.key_id} for {role.value} {name!r}; store the key now, it is not shown again",
        err=True,
    )


@app.command("list")
def apikey_list(tenant: TenantOpt = None) -> None:
    """List API keys (ids, assistants, dates; never the keys)."""
    with _api_key_store(tenant) as store:
        keys = store.list()
    for info in keys:
        created = info.created_at.isoformat() if info.created_at else "-"
        state = "revoked" if info.revoked else "active"
        typer.echo(
            f"{info.key_id}\t{info.role.value}\t{info.assistant}\t{state}\t{created}"
            f"\t{info.label or ''}"
        )


@app.command("revoke")
def apikey_revoke(
    key_id: Annotated[str, typer.Argument(help="The key id (see `discreet apikey list`).")],
    tenant: TenantOpt = None,
) -> None:
    """Revoke an API key by id; requests with it get 401 from then on."""
    with _api_key_store(tenant) as store:
        revoked = store.revoke(key_id)
    if not revoked:
        raise NotFound(f"no active key with id {key_id}")
    typer.echo(f"revoked {key_id}")
