"""`discreet report`: RoPA, DPIA draft, evidence pack, and verifying a pack."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from discreet.cli._common import ConfigOpt, load_policy_or_exit
from discreet.errors import InvalidInput
from discreet.ops.stores import (
    data_store,
    key_store,
    master_key,
)
from discreet.settings import Settings

app = typer.Typer(
    short_help="RoPA, DPIA draft and signed evidence pack for audits.",
    help="Reports a regulator or auditor asks for: the record of processing activities "
    "(art. 30), a DPIA draft (art. 35) with measured facts, and a signed evidence pack for "
    "SOC 2 / ISO 27001 audits. HTML by default; PDF needs the `reports` extra.",
)

_Out = Annotated[
    Path | None, typer.Option("--out", "-o", help="Write here (default: stdout for HTML).")
]
_Format = Annotated[str, typer.Option("--format", "-f", help="html or pdf.")]


def _write(html: str, fmt: str, out: Path | None) -> None:
    from discreet.ops.reports import html_to_pdf

    if fmt not in ("html", "pdf"):
        raise InvalidInput("--format must be html or pdf")
    if fmt == "pdf":
        if out is None:
            raise InvalidInput("--format pdf needs --out FILE")
        out.write_bytes(html_to_pdf(html))
    elif out is None:
        typer.echo(html)
        return
    else:
        out.write_text(html, encoding="utf-8")
    typer.echo(f"wrote {out}", err=True)


@app.command("ropa")
def ropa(config: ConfigOpt = None, fmt: _Format = "html", out: _Out = None) -> None:
    """The record of processing activities, generated from the policy."""
    from discreet.ops.reports import ropa_html

    _write(ropa_html(load_policy_or_exit(config)), fmt, out)


@app.command("dpia")
def dpia(
    period: Annotated[
        str, typer.Option("--period", help="YYYY, YYYY-Qn or YYYY-MM: facts measured over it.")
    ],
    bench_json: Annotated[
        Path | None,
        typer.Option(
            "--bench-json", help="Detection figures from `discreet bench --json bench.json`."
        ),
    ] = None,
    config: ConfigOpt = None,
    fmt: _Format = "html",
    out: _Out = None,
) -> None:
    """A DPIA draft: the processing from the policy, the facts measured over --period, the
    risks and measures; what a person must assess is marked TO COMPLETE."""
    from discreet.ops import facts
    from discreet.ops.reports import detection_figures, dpia_html

    policy = load_policy_or_exit(config)
    span = facts.parse_period(period)
    settings = Settings()
    with data_store(settings) as db:
        html = dpia_html(
            policy,
            span,
            audit=facts.audit_facts(db, span),
            requests=facts.requests_facts(db, settings.tenant, span),
            retention_runs=facts.retention_facts(db, settings.tenant, span),
            incidents=facts.incident_facts(db, settings.tenant, span),
            detection=detection_figures(bench_json),
            weeks=facts.weeks_between(span),
        )
    _write(html, fmt, out)


@app.command("evidence")
def evidence(
    period: Annotated[str, typer.Option("--period", help="YYYY, YYYY-Qn or YYYY-MM.")],
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Archive path (default: evidence-PERIOD.zip)."),
    ] = None,
    config: ConfigOpt = None,
) -> None:
    """Write the evidence pack for --period: one ZIP with a manifest of SHA-256 sums signed
    with a key derived from the master key (check it with `report verify`)."""
    from discreet.console.accounts import AccountStore
    from discreet.ops import facts
    from discreet.ops.evidence import build_pack

    policy = load_policy_or_exit(config)
    span = facts.parse_period(period)
    settings = Settings()
    master = master_key(settings)
    target = out or Path(f"evidence-{span.label}.zip")
    from rich.console import Console

    status = Console(stderr=True).status("collecting evidence...")
    with data_store(settings) as db, key_store(settings) as keys_db, status:
        manifest = build_pack(
            target,
            db=db,
            keys_db=keys_db,
            policy=policy,
            tenant=settings.tenant,
            period=span,
            master=master,
            staff=AccountStore(db).accounts(),
        )
    typer.echo(f"wrote {target}: {len(manifest['files'])} files, manifest signed")


@app.command("verify")
def verify(pack: Annotated[Path, typer.Argument(help="The evidence pack (.zip).")]) -> None:
    """Check an evidence pack: the manifest's signature and every file's SHA-256.
    Exit status 1 when anything does not match."""
    from discreet.ops.evidence import verify_pack

    result = verify_pack(pack, master_key())
    if result.ok:
        typer.echo(f"{pack}: OK ({result.files} files match the signed manifest)")
        return
    for problem in result.problems:
        typer.echo(f"{pack}: {problem}", err=True)
    raise typer.Exit(1)
