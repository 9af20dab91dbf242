"""`discreet demo`: the gateway and the console over a seeded synthetic shop."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from discreet.cli.serve import start_console

app = typer.Typer()


@app.command(
    help="Try discreet in one command: a seeded synthetic shop, API keys and a running "
    "gateway.\n\nCreates (or reuses) a data directory with a demo master key, a few hundred "
    "synthetic customers (English and Dutch) with orders and past conversations, the example "
    "policy with two assistants (support, billing) and fresh API keys; prints copy-paste "
    "commands; then serves on http://127.0.0.1:8000/v1 with the embedded assistant."
)
def demo(
    home: Annotated[
        Path | None,
        typer.Option(
            "--home",
            help="Data directory (default: $DISCREET_HOME, else ./.discreet-demo).",
            show_default=False,
        ),
    ] = None,
    customers: Annotated[
        int, typer.Option("--customers", min=1, max=10_000, help="Synthetic customers.")
    ] = 300,
    serve_it: Annotated[
        bool, typer.Option("--serve/--no-serve", help="Start the gateway when ready.")
    ] = True,
    host: Annotated[str, typer.Option("--host", help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="TCP port.", min=1, max=65535)] = 8000,
    console_port: Annotated[
        int,
        typer.Option(
            "--console-port", min=0, max=65535, help="The privacy office console's port (0: off)."
        ),
    ] = 8001,
) -> None:
    # The help text is given above as one string: Rich keeps a docstring's line breaks.
    from collections.abc import Callable

    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress

    from discreet.api.listen import check_listen
    from discreet.demo import DEFAULT_HOME, prepare_demo, render_instructions, serve_demo
    from discreet.settings import Settings

    if serve_it:
        # Before seeding and printing keys: a busy port must not leave keys nobody serves.
        check_listen(host, port, tls=None, allow_plain_http=False)
    # Read once; the demo's own default directory unless DISCREET_HOME names one.
    settings = Settings().with_default_home(DEFAULT_HOME)
    columns = (*Progress.get_default_columns()[:1], BarColumn(), MofNCompleteColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:

        class _Bar:
            def start(self, description: str, total: int) -> Callable[[int], None]:
                task = bar.add_task(description, total=total)
                return lambda done: bar.update(task, completed=done)

        env = prepare_demo(
            home or settings.home, customers=customers, progress=_Bar(), settings=settings
        )
    typer.echo(render_instructions(env, host=host, port=port, serving=serve_it))
    if serve_it and console_port:
        from discreet.api.console_serving import demo_login

        user, password = demo_login(env.settings)
        start_console(env.policy(), host, console_port, env.settings)
        typer.echo(
            f"\nPrivacy office console: http://{host}:{console_port}/ - sign in as {user} "
            f"with password {password} (a privacy officer; an authenticator app is enrolled "
            "at first sign-in)."
        )
    if serve_it:
        serve_demo(env, host=host, port=port)
