"""What several command groups share: the common options, who acts, the policy, and the
services over the configured stores (built by :mod:`discreet.wiring`, the one wiring
point). Errors are not handled here: commands let a
:class:`~discreet.errors.DiscreetError` rise, and the root command maps it once."""

from __future__ import annotations

import getpass
import json
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from discreet.errors import InvalidInput
from discreet.errors import (
    validation_problems as validation_problems,  # cli/pseudonymise.py reads it here
)

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping
    from contextlib import AbstractContextManager

    from discreet.audit.context import AccessContext
    from discreet.policy import Policy
    from discreet.settings import Settings
    from discreet.wiring import Config, Services

ActorOpt = Annotated[
    str | None, typer.Option("--actor", help="Who acts (default: your login name).")
]
TenantOpt = Annotated[
    str | None, typer.Option("--tenant", help="Tenant (default: DISCREET_TENANT).")
]
ConfigOpt = Annotated[
    Path | None,
    typer.Option(
        "--config",
        "-c",
        help="Policy file (default: $DISCREET_CONFIG, else ./discreet.yaml, else the "
        "built-in example).",
    ),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable output.")]


def operator_ctx(actor: str | None, purpose: str, legal_basis: str) -> AccessContext:
    """An operator acting by name (default: the login name) for a purpose on a basis."""
    from discreet.audit.context import AccessContext, ActorKind

    # A bad --actor, --purpose or --legal-basis: InvalidContext names which (exit 2).
    return AccessContext(
        actor=actor or getpass.getuser(),
        purpose=purpose,
        legal_basis=legal_basis,  # type: ignore[arg-type]  # validated, coerced
        actor_kind=ActorKind.USER,
    )


def default_actor(actor: str | None) -> str:
    """`--actor`, else the operating-system user running the CLI (``cli:<login>``)."""
    return actor or f"cli:{getpass.getuser()}"


def cli_context(
    purpose: str, actor: str | None = None, legal_basis: str = "legitimate_interests"
) -> AccessContext:
    """Who is reading: `--actor`, else the operating-system user running the CLI."""
    from discreet.audit.context import AccessContext, ActorKind

    return AccessContext(
        actor=default_actor(actor),
        purpose=purpose,
        legal_basis=legal_basis,  # type: ignore[arg-type]  # validated, coerced
        actor_kind=ActorKind.USER,
    )


def load_policy_or_exit(path: Path | None, settings: Settings | None = None) -> Policy:
    """Load the policy (`path`: ``--config``, else the settings' DISCREET_CONFIG); on
    problems print each (line, key, what) and exit with status 2 (a list, not the one
    line the root command prints for an error)."""
    from discreet.policy import PolicyError, load_policy
    from discreet.settings import Settings

    try:
        return load_policy(path if path is not None else (settings or Settings()).config)
    except PolicyError as exc:
        for message in exc.messages():
            typer.echo(message, err=True)
        count = len(exc.issues)
        typer.echo(
            f"{exc.source}: {count} problem{'' if count == 1 else 's'}; the policy is not valid",
            err=True,
        )
        raise typer.Exit(exc.exit_code) from None


def settings_for(tenant: str | None) -> Settings:
    """The environment's settings, `--tenant` taking the place of DISCREET_TENANT."""
    from discreet.settings import Settings

    return Settings(tenant=tenant) if tenant else Settings()


def cli_config(tenant: str | None = None, config: Path | None = None) -> Config:
    """What a command reads from outside itself, once: the settings (`--tenant` taking
    the place of DISCREET_TENANT) and the policy (`--config`, else the default)."""
    from discreet.wiring import read_config

    settings = settings_for(tenant)
    return read_config(settings, load_policy_or_exit(config, settings))


@contextmanager
def open_services(
    config: Config, *, categories: Mapping[str, str] | None = None
) -> Iterator[Services]:
    """The services over the stores and policy of `config`, built by the wiring without a
    gateway and closed after; fails closed with the stores' and the key's start-up errors
    (exit 5). `categories` add field categories (`subjects import --category`)."""
    from discreet.wiring import build_services

    built = build_services(config, with_gateway=False, categories=categories)
    try:
        yield built
    finally:
        built.close()


def governance(tenant: str | None, config: Path | None = None) -> AbstractContextManager[Services]:
    """The services over the configured stores and policy of `tenant` (the rights,
    consent, subjects and audit commands), closed after."""
    return open_services(cli_config(tenant, config))


def read_yaml_mapping(
    path: Path, option: str, model: str, error: type[InvalidInput] = InvalidInput
) -> dict[str, object]:
    """The mapping of `model` fields in the YAML file given with `option`; `error` names
    the file and what is wrong with it, never its content."""
    import yaml

    try:
        loaded = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise error(f"cannot read {option} {path}: {type(exc).__name__}") from None
    if not isinstance(loaded, dict):
        raise error(f"{option} {path} must hold a mapping of {model} fields")
    return loaded


def echo_json(value: object) -> None:
    typer.echo(json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False))
