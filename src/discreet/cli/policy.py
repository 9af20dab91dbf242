"""`discreet policy`: check and explain the privacy policy (discreet.yaml)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from discreet.cli._common import ConfigOpt, load_policy_or_exit

app = typer.Typer(help="Check and explain the privacy policy (discreet.yaml).")


@app.command("check")
def policy_check(
    file: Annotated[
        Path | None,
        typer.Argument(
            help="Policy file (default: $DISCREET_CONFIG, else ./discreet.yaml, else the "
            "built-in example).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Validate a policy file: exit 0 with a summary, or 2 listing every problem by line."""
    from discreet.policy import summarize
    from discreet.settings import Settings

    policy = load_policy_or_exit(file)
    typer.echo(summarize(policy))
    data_tenant = Settings().tenant
    if data_tenant != policy.tenant:
        # Say so: the data commands and the gateway read and write under DISCREET_TENANT.
        typer.echo(
            f"  note: the data commands use tenant {data_tenant!r} (DISCREET_TENANT), not "
            f"the policy's {policy.tenant!r}; set DISCREET_TENANT={policy.tenant} to use it"
        )


@app.command("explain")
def policy_explain(
    assistant: Annotated[str, typer.Argument(help="The assistant's name in the policy.")],
    config: ConfigOpt = None,
) -> None:
    """Say in plain words what an assistant can and cannot see, and why."""
    from rich.console import Console

    from discreet.policy import explain_assistant, render_markup

    policy = load_policy_or_exit(config)
    explanation = explain_assistant(policy, assistant)  # UnknownAssistant: exit 2
    Console(soft_wrap=True, highlight=False).print(render_markup(explanation))
