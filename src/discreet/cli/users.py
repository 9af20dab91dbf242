"""`discreet users`: console accounts (create, list, disable, reset-mfa).

The console (``discreet serve --console-port``) has no account until one is made here;
the first is usually an admin, who then manages the others. Every change is an audit
record with the operating-system user as the actor.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated

import typer

from discreet.cli._common import cli_context

if TYPE_CHECKING:
    from discreet.console.accounts import AccountStore

app = typer.Typer(
    help="Accounts of the privacy office console: create one per person, with a role "
    "(admin, privacy_officer, auditor, support_lead); the second factor (TOTP) is enrolled "
    "at first sign-in."
)

_UserArg = Annotated[str, typer.Argument(help="The user name (lower-case, 3-64 characters).")]


@contextmanager
def _store() -> Iterator[tuple[AccountStore, str]]:
    """The accounts in the migrated data store (account changes join the keyed audit
    chain) and the tenant, disposed after."""
    from discreet.console.accounts import AccountStore
    from discreet.ops.stores import data_store
    from discreet.settings import Settings

    settings = Settings()
    with data_store(settings) as db:
        yield AccountStore(db), settings.tenant


def _audit(store: AccountStore, tenant: str, action: str, username: str) -> None:
    from discreet.audit import AuditLog
    from discreet.console.activity import ADMINISTRATION, record

    ctx = cli_context(ADMINISTRATION)
    record(AuditLog(store.db), tenant, ctx, action, details={"account": username})


@app.command("create")
def create(
    username: _UserArg,
    role: Annotated[
        str,
        typer.Option(
            "--role", help="admin, privacy_officer, auditor or support_lead (see the README)."
        ),
    ],
    password_stdin: Annotated[
        bool,
        typer.Option(
            "--password-stdin",
            help="Read the password from the first line of standard input (for scripts); "
            "otherwise you are asked for it twice.",
        ),
    ] = False,
) -> None:
    """Create a console account. The password needs at least 12 characters; the user
    enrols an authenticator app (TOTP) at first sign-in and gets one-time recovery codes."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    with _store() as (store, tenant):
        account = store.create(username, role, password)
        _audit(store, tenant, "console.user.create", account.username)
    typer.echo(
        f"created {account.username} ({account.role.value}); TOTP enrolment at first sign-in"
    )


@app.command("list")
def list_users() -> None:
    """List the console accounts: role, second factor, lock and state."""
    with _store() as (store, _tenant):
        now = store.now()
        accounts = store.accounts()
    if not accounts:
        typer.echo("no console accounts (create one with `discreet users create`)")
    for account in accounts:
        state = "disabled" if not account.active else "active"
        if account.active and account.locked_at(now):
            state = "locked"
        mfa = "totp" if account.enrolled else "not enrolled"
        typer.echo(f"{account.username:<24} {account.role.value:<16} {mfa:<13} {state}")


@app.command("disable")
def disable(username: _UserArg) -> None:
    """Disable an account: it cannot sign in, and its open sessions end now."""
    with _store() as (store, tenant):
        store.disable(username)
        _audit(store, tenant, "console.user.disable", username)
    typer.echo(f"disabled {username}")


@app.command("reset-mfa")
def reset_mfa(username: _UserArg) -> None:
    """Forget an account's authenticator and recovery codes (a lost phone): its sessions
    end, any lock is lifted, and the next sign-in enrols a new authenticator."""
    with _store() as (store, tenant):
        store.reset_mfa(username)
        _audit(store, tenant, "console.user.reset_mfa", username)
    typer.echo(f"second factor of {username} reset; it is enrolled again at next sign-in")
