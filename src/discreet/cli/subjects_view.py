"""`discreet subjects list` and `discreet subjects show`: what the vault holds, for an
operator. References and field names by default; values masked ("j***@e***.nl") unless
`--show-values`. Every listing and every read is an audit record with its purpose."""

from __future__ import annotations

import getpass
from typing import TYPE_CHECKING, Annotated

import typer

from discreet.errors import InvalidInput, NotFound, Unavailable

if TYPE_CHECKING:
    from discreet.audit.context import AccessContext
    from discreet.vault import Vault

_TenantOpt = Annotated[
    str | None, typer.Option("--tenant", help="Tenant (default: DISCREET_TENANT).")
]
_PurposeOpt = Annotated[
    str, typer.Option("--purpose", help="Why you look (recorded in the audit log).")
]
_BasisOpt = Annotated[str, typer.Option("--legal-basis", help="The legal basis of that purpose.")]


class SubjectNotFoundError(NotFound):
    code = "subject_not_found"


def _context(purpose: str, legal_basis: str, actor: str | None) -> AccessContext:
    from discreet.audit.context import AccessContext, ActorKind

    try:
        return AccessContext(
            actor=actor or getpass.getuser(),
            purpose=purpose,
            legal_basis=legal_basis,  # type: ignore[arg-type]  # validated, coerced
            actor_kind=ActorKind.USER,
        )
    except ValueError as exc:
        raise InvalidInput(f"--purpose/--legal-basis: {exc}") from None


def _vault(tenant: str | None) -> Vault:
    from discreet.settings import Settings
    from discreet.store.errors import StorageError
    from discreet.vault import VaultError, open_vault

    try:
        return open_vault(Settings(), tenant=tenant)
    except (VaultError, StorageError) as exc:
        raise Unavailable(str(exc)) from None


def list_subjects(
    limit: Annotated[
        int | None, typer.Option("--limit", min=1, help="At most this many (oldest first).")
    ] = None,
    purpose: _PurposeOpt = "customer_service",
    legal_basis: _BasisOpt = "contract",
    actor: Annotated[str | None, typer.Option("--actor", help="Who acts.")] = None,
    tenant: _TenantOpt = None,
) -> None:
    """List customers: reference, pseudonymous id and which fields are held (no values)."""
    ctx = _context(purpose, legal_basis, actor)
    vault = _vault(tenant)
    listed = vault.list_subjects(ctx=ctx, limit=limit)
    for subject_id, ref, fields in listed:
        typer.echo(f"{ref}\t{subject_id}\t{','.join(fields)}")
    typer.echo(f"{len(listed)} subject(s) in tenant {vault.tenant!r}", err=True)


def show_subject(
    ref: Annotated[str, typer.Argument(help="The customer's reference (subject_ref).")],
    show_values: Annotated[
        bool, typer.Option("--show-values", help="Print the values unmasked (audited).")
    ] = False,
    purpose: _PurposeOpt = "customer_service",
    legal_basis: _BasisOpt = "contract",
    actor: Annotated[str | None, typer.Option("--actor", help="Who acts.")] = None,
    tenant: _TenantOpt = None,
) -> None:
    """Show one customer's fields with their data category; values masked unless
    `--show-values`. Example: `discreet subjects show CUST-1042 --show-values`."""
    from discreet.scan import mask_value
    from discreet.vault import SubjectNotFound

    ctx = _context(purpose, legal_basis, actor)
    vault = _vault(tenant)
    try:
        view = vault.get_subject(ref, ctx=ctx)
    except SubjectNotFound:
        raise SubjectNotFoundError(
            f"no subject with that reference in tenant {vault.tenant!r}"
        ) from None
    typer.echo(f"subject {view.subject_id}")
    for name, value in sorted(view.fields.items()):
        shown = value if show_values else mask_value(value)
        typer.echo(f"  {name:<20} {view.categories.get(name, '-'):<12} {shown}")
