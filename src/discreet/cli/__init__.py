"""The `discreet` command line. Commands parse arguments and call domain code; no rules here."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from discreet import __version__

app = typer.Typer(
    name="discreet",
    help="A privacy layer between AI customer-service assistants and customer data.",
    no_args_is_help=True,
    rich_markup_mode="rich",
    pretty_exceptions_show_locals=False,  # locals may hold customer data
)


@app.command()
def version() -> None:
    """Print the discreet version."""
    typer.echo(__version__)


# --- detection commands: scan, bench ---------------------------------------------------


@app.command()
def scan(
    inputs: Annotated[
        list[Path] | None,
        typer.Option(
            "--input",
            "-i",
            help="File to scan (repeatable): .jsonl/.ndjson lines of {id, text, language?}, "
            "or plain text; '-' reads JSONL from stdin. Without it: plain text piped on "
            "stdin (`echo 'call me on 06 12345678' | discreet scan`), else the bundled sample.",
        ),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="Write results here ('-': stdout); a one-line summary goes to stderr.",
        ),
    ] = None,
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format",
            "-f",
            help="jsonl or table (default: table on a terminal or for the sample, else jsonl).",
        ),
    ] = None,
    lines: Annotated[
        bool, typer.Option("--lines", help="Plain-text inputs hold one document per line.")
    ] = False,
    show_values: Annotated[
        bool, typer.Option("--show-values", help="Print found values unmasked in the table.")
    ] = False,
    skip_bad: Annotated[
        bool, typer.Option("--skip-bad", help="Skip bad input lines instead of stopping.")
    ] = False,
    workers: Annotated[
        int | None, typer.Option("--workers", min=1, help="Processes (default: all cores).")
    ] = None,
    language: Annotated[
        str | None,
        typer.Option(
            "--language", help="en, nl, de or fr for texts without one (default: detect)."
        ),
    ] = None,
    threshold: Annotated[
        float | None, typer.Option("--threshold", min=0.0, max=1.0, help="Minimum score.")
    ] = None,
    entities: Annotated[
        str | None,
        typer.Option("--entities", help="Only these types, comma-separated (e.g. PERSON,IBAN)."),
    ] = None,
    config: Annotated[
        Path | None, typer.Option("--config", help="YAML file with DetectorConfig fields.")
    ] = None,
    engine: Annotated[
        str,
        typer.Option(
            "--engine",
            help="local (all cores) or ray (a Ray cluster, for large JSONL/Parquet inputs; "
            "extra 'ray').",
        ),
    ] = "local",
    address: Annotated[
        str | None,
        typer.Option("--address", help="Ray cluster (ray://HOST:PORT); default: a local one."),
    ] = None,
) -> None:
    """Find personal data in files (or the bundled sample) and report where it is."""
    from discreet.detect.entities import parse_entity_type
    from discreet.scan import ScanOptions, run_scan

    if engine not in ("local", "ray"):
        raise typer.BadParameter("must be local or ray", param_hint="--engine")
    if fmt is not None and fmt not in ("jsonl", "table"):
        raise typer.BadParameter("must be jsonl or table", param_hint="--format")
    try:
        types = (
            [parse_entity_type(t) for t in entities.split(",") if t.strip()] if entities else None
        )
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--entities") from None
    options = ScanOptions(
        inputs=list(inputs or []),
        output=output,
        format="jsonl" if fmt == "jsonl" else "table" if fmt == "table" else None,
        lines=lines,
        show_values=show_values,
        skip_bad=skip_bad,
        workers=workers,
        language=language,
        threshold=threshold,
        entities=types,
        config=config,
        engine="ray" if engine == "ray" else "local",
        address=address,
    )
    raise typer.Exit(run_scan(options))


@app.command()
def bench(
    n: Annotated[int, typer.Option("--n", min=1, help="Texts to generate.")] = 2000,
    seed: Annotated[int, typer.Option("--seed")] = 0,
    corpus: Annotated[
        str | None,
        typer.Option(
            "--corpus",
            help="A public annotated corpus's dev split by NAME (conll2003-en, conll2003-de, "
            "conll2002-nl, wikineural-en/-de/-nl/-fr, uner-en-ewt; fetch them first with "
            "`python training/fetch_corpora.py`; only names and places are scored), or a "
            "labelled JSONL file. With --limit, that many texts are sampled.",
        ),
    ] = None,
    handwritten: Annotated[
        bool,
        typer.Option(
            "--handwritten",
            help="Score the packaged hand-written set (161 messages written by hand, not by "
            "the generator the NER model was trained from) instead of a generated corpus.",
        ),
    ] = False,
    limit: Annotated[
        int | None, typer.Option("--limit", min=1, help="Only the first N texts (quick look).")
    ] = None,
    config: Annotated[
        Path | None, typer.Option("--config", help="YAML DetectorConfig for discreet.")
    ] = None,
    workers: Annotated[
        int | None, typer.Option("--workers", min=1, help="Processes for detect_many.")
    ] = None,
    skip_presidio: Annotated[
        bool, typer.Option("--skip-presidio", help="Measure discreet only.")
    ] = False,
    latency_samples: Annotated[int, typer.Option("--latency-samples", min=10)] = 1000,
    out: Annotated[Path | None, typer.Option("--out", help="Write the Markdown report.")] = None,
    json_out: Annotated[Path | None, typer.Option("--json", help="Write the JSON report.")] = None,
) -> None:
    """Benchmark detection quality and speed against Presidio (needs the bench extra)."""
    from discreet.evaluation.bench import BenchError, BenchOptions, split_corpus_argument
    from discreet.evaluation.bench import bench as run_bench
    from discreet.scan import ScanError

    if handwritten and corpus is not None:
        typer.echo("error: give --handwritten or --corpus, not both", err=True)
        raise typer.Exit(2)

    public, corpus_path = split_corpus_argument(corpus)
    options = BenchOptions(
        n=n,
        seed=seed,
        corpus=corpus_path,
        public=public,
        handwritten=handwritten,
        limit=limit,
        config=config,
        workers=workers,
        skip_presidio=skip_presidio,
        latency_samples=latency_samples,
        out=out,
        json_out=json_out,
    )
    try:
        typer.echo(run_bench(options))
    except (BenchError, ScanError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None


# --- storage, vault and audit commands: db, keys, subjects, audit ----------------------

db_app = typer.Typer(help="Database migrations of the data store and key store.")
keys_app = typer.Typer(help="The master key: generate, rotate, status.")
subjects_app = typer.Typer(help="Customer records in the encrypted vault.")
audit_app = typer.Typer(help="The tamper-evident audit log: verify, export.")
app.add_typer(db_app, name="db", no_args_is_help=True)
app.add_typer(keys_app, name="keys", no_args_is_help=True)
app.add_typer(subjects_app, name="subjects", no_args_is_help=True)
app.add_typer(audit_app, name="audit", no_args_is_help=True)

_ActorOpt = Annotated[
    str | None, typer.Option("--actor", help="Who acts (default: your login name).")
]
_TenantOpt = Annotated[
    str | None, typer.Option("--tenant", help="Tenant (default: DISCREET_TENANT).")
]


def _storage_fail(exc: Exception) -> typer.Exit:
    """Print a storage/vault error (its message names no values) and give exit code 2."""
    typer.echo(f"error: {exc}", err=True)
    return typer.Exit(2)


def _operator_ctx(actor: str | None, purpose: str, legal_basis: str) -> AccessContext:
    import getpass

    from discreet.audit.context import AccessContext, ActorKind

    try:
        return AccessContext(
            actor=actor or getpass.getuser(),
            purpose=purpose,
            legal_basis=legal_basis,  # type: ignore[arg-type]  # validated, coerced
            actor_kind=ActorKind.USER,
        )
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply migrations to the data store and the key store."""
    from discreet.settings import Settings
    from discreet.store.errors import StorageError
    from discreet.vault import upgrade_databases

    settings = Settings()
    try:
        upgrade_databases(settings)
    except StorageError as exc:
        raise _storage_fail(exc) from None
    typer.echo("data store and key store are at the newest schema")


@keys_app.command("generate")
def keys_generate(
    out: Annotated[Path, typer.Option("--out", help="Key file to create (mode 0600).")],
) -> None:
    """Create a new random master key in a file (never overwrites one)."""
    from discreet.vault.master import write_master_key_file

    try:
        key = write_master_key_file(out)
    except FileExistsError:
        raise _storage_fail(ValueError(f"{out} exists; refusing to overwrite a key")) from None
    typer.echo(f"wrote master key {key.key_id} to {out}; set DISCREET_MASTER_KEY_FILE={out}")


@keys_app.command("rotate")
def keys_rotate(
    new_key_file: Annotated[
        Path,
        typer.Option("--new-key-file", help="The new key; created (mode 0600) if absent."),
    ],
    actor: _ActorOpt = None,
) -> None:
    """Re-wrap every data key under a new master key (the data is not re-encrypted)."""
    from discreet.settings import Settings
    from discreet.store.errors import StorageError
    from discreet.vault import VaultError, open_vault
    from discreet.vault.master import read_master_key_file, write_master_key_file

    ctx = _operator_ctx(actor, "key_management", "legal_obligation")
    try:
        vault = open_vault(Settings())
        new = (
            read_master_key_file(new_key_file)
            if new_key_file.exists()
            else write_master_key_file(new_key_file)
        )
        count = vault.rotate_master_key(new, ctx=ctx)
    except (VaultError, StorageError, ValueError) as exc:
        raise _storage_fail(exc) from None
    typer.echo(
        f"re-wrapped {count} data keys under master key {new.key_id}. Configure it now "
        f"(DISCREET_MASTER_KEY_FILE={new_key_file}); the old key opens nothing any more."
    )


@keys_app.command("status")
def keys_status() -> None:
    """Show the configured master key's id and how many data keys each key id wraps."""
    from discreet.settings import Settings
    from discreet.store.db import Database
    from discreet.store.errors import StorageError
    from discreet.vault import VaultError, load_master_key
    from discreet.vault.keystore import KeyStore

    settings = Settings()
    try:
        key = load_master_key(settings)
        store = KeyStore(Database(settings.keys_url, name="key store"), key)
        counts = store.counts_by_master_key()
    except (VaultError, StorageError) as exc:
        raise _storage_fail(exc) from None
    typer.echo(f"configured master key: {key.key_id}")
    for key_id, count in sorted(counts.items()):
        mark = "" if key_id == key.key_id else "  (NOT the configured key)"
        typer.echo(f"  {key_id}: {count} wrapped data keys{mark}")


@subjects_app.command("import")
def subjects_import(
    file: Annotated[Path, typer.Argument(help="CSV (header row) or JSONL file.", exists=True)],
    fmt: Annotated[
        str | None, typer.Option("--format", help="csv or jsonl (default: from the suffix).")
    ] = None,
    skip_bad: Annotated[
        bool, typer.Option("--skip-bad", help="Import the good rows, list the bad ones.")
    ] = False,
    category: Annotated[
        list[str] | None,
        typer.Option("--category", help="field=category, overriding the default table."),
    ] = None,
    purpose: Annotated[str, typer.Option("--purpose")] = "customer_service",
    legal_basis: Annotated[str, typer.Option("--legal-basis")] = "contract",
    actor: _ActorOpt = None,
    tenant: _TenantOpt = None,
) -> None:
    """Import subjects; all or nothing unless --skip-bad."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    from discreet.settings import Settings
    from discreet.store.errors import StorageError
    from discreet.vault import ImportRowError, VaultError, open_vault
    from discreet.vault.importer import FileFormat, count_data_lines, read_subjects

    ctx = _operator_ctx(actor, purpose, legal_basis)
    overrides: dict[str, str] = {}
    for item in category or []:
        field_name, sep, cat = item.partition("=")
        if not sep:
            raise typer.BadParameter(f"--category expects field=category, got {item!r}")
        overrides[field_name.strip()] = cat.strip()
    try:
        file_format = FileFormat(fmt) if fmt else None
        vault = open_vault(Settings(), categories=overrides, tenant=tenant)
        total = max(count_data_lines(file) - (file_format != FileFormat.JSONL), 0)
        columns = (*Progress.get_default_columns()[:1], BarColumn(), MofNCompleteColumn())
        # The bar goes to stderr: stdout carries only the result, for scripts.
        with Progress(
            *columns, TimeRemainingColumn(), console=Console(stderr=True), transient=True
        ) as bar:
            task = bar.add_task("importing subjects", total=total or None)
            report = vault.import_subjects(
                read_subjects(file, vault.catalog, file_format),
                ctx=ctx,
                skip_bad=skip_bad,
                progress=lambda done: bar.update(task, completed=done),
            )
    except ImportRowError as exc:
        typer.echo(f"error: {exc}; nothing was imported (--skip-bad skips bad rows)", err=True)
        raise typer.Exit(2) from None
    except (VaultError, StorageError, ValueError) as exc:
        raise _storage_fail(exc) from None
    typer.echo(f"imported {report.imported} subjects in {report.batches} batch(es)")
    for skipped in report.skipped:
        typer.echo(f"skipped {skipped}", err=True)


@subjects_app.command("erase")
def subjects_erase(
    ref: Annotated[str, typer.Argument(help="The subject's reference (subject_ref).")],
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
    purpose: Annotated[str, typer.Option("--purpose")] = "erasure_request",
    legal_basis: Annotated[str, typer.Option("--legal-basis")] = "legal_obligation",
    actor: _ActorOpt = None,
    tenant: _TenantOpt = None,
) -> None:
    """Erase a subject for good: destroy its key (crypto-shredding) and delete its rows."""
    from discreet.settings import Settings
    from discreet.store.errors import StorageError
    from discreet.vault import VaultError, open_vault

    ctx = _operator_ctx(actor, purpose, legal_basis)
    if not yes:
        typer.confirm("Erase this subject and all its data? This cannot be undone", abort=True)
    try:
        receipt = open_vault(Settings(), tenant=tenant).erase_subject(ref, ctx=ctx)
    except (VaultError, StorageError, ValueError) as exc:
        raise _storage_fail(exc) from None
    typer.echo(
        f"erased subject {receipt.subject_id}: {receipt.fields} fields, "
        f"{receipt.conversations} conversations; its data key is destroyed"
    )


@audit_app.command("verify")
def audit_verify(
    anchor: Annotated[
        Path | None,
        typer.Option(
            "--anchor",
            help="An anchor file written by `discreet audit anchor FILE` (kept outside the "
            "database): every head it recorded must still be in the chain, unchanged, "
            "so a truncated tail is caught. Needs the master key.",
        ),
    ] = None,
) -> None:
    """Check the hash chain and, with the master key, the keyed MAC chain (catches
    recomputed hashes, renumbering, forged pruning anchors) and the anchor file; name
    the first bad record. Exit code 1 if tampered."""
    from discreet.audit.keyed import read_anchors
    from discreet.settings import Settings
    from discreet.store.errors import StorageError
    from discreet.vault import MasterKeyMissing, VaultError, open_audit_log, open_vault

    try:
        anchors = read_anchors(anchor) if anchor is not None else []
        try:
            # Opening the vault registers the chain key (audit/keyed.py) for the MACs.
            log = open_vault(Settings()).audit_log
        except MasterKeyMissing:
            if anchors:
                raise
            log = open_audit_log(Settings())  # hashes only; say so below
        result = log.verify(anchors=anchors)
    except (StorageError, VaultError, ValueError, OSError) as exc:
        raise _storage_fail(exc) from None
    if result.ok:
        keyed = (
            f"; {result.keyed_records} MACs checked"
            + (f", {len(anchors)} anchors" if anchors else "")
            if result.keyed_records is not None
            else ""
        )
        typer.echo(f"audit log intact: {result.records} records verified{keyed}")
        if result.keyed_records is None:
            typer.echo("MACs not checked: no master key configured", err=True)
        return
    typer.echo(
        f"audit log TAMPERED: first bad record is seq {result.first_bad_seq}: {result.reason}",
        err=True,
    )
    raise typer.Exit(1)


@audit_app.command("anchor")
def audit_anchor(
    file: Annotated[
        Path,
        typer.Argument(
            help="The anchor file to append the chain head to (created 0600). Keep it "
            "outside the database and ship it elsewhere, e.g. from cron every few minutes."
        ),
    ],
) -> None:
    """Append the audit chain's current head (seq and MAC) to an anchor file, for
    `discreet audit verify --anchor FILE`."""
    from discreet.audit.keyed import write_anchor
    from discreet.settings import Settings
    from discreet.store.errors import StorageError
    from discreet.vault import VaultError, open_vault

    try:
        vault = open_vault(Settings())
        head = write_anchor(vault.audit_log.db, file)
    except (StorageError, VaultError, OSError) as exc:
        raise _storage_fail(exc) from None
    if head is None:
        typer.echo("the audit chain holds no keyed records yet; nothing anchored")
        return
    typer.echo(f"anchored the audit chain at seq {head[0]} in {file}")


@audit_app.command("export")
def audit_export(
    since: Annotated[
        str | None,
        typer.Option("--since", help="ISO date or time (UTC if no offset), e.g. 2026-01-31."),
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="jsonl or csv.")] = "jsonl",
    out: Annotated[Path | None, typer.Option("--out", help="File (default: stdout).")] = None,
) -> None:
    """Export audit records for auditors."""
    import sys
    from datetime import UTC, datetime

    from discreet.audit.export import ExportFormat, export_entries
    from discreet.settings import Settings
    from discreet.store.errors import StorageError
    from discreet.vault import open_audit_log

    try:
        export_format = ExportFormat(fmt)
    except ValueError:
        raise typer.BadParameter("--format must be jsonl or csv") from None
    start = None
    if since:
        try:
            start = datetime.fromisoformat(since)
        except ValueError:
            raise typer.BadParameter(f"--since: not an ISO date or time: {since!r}") from None
        if start.tzinfo is None:
            start = start.replace(tzinfo=UTC)
    try:
        log = open_audit_log(Settings())
        if out is None:
            export_entries(log.entries(since=start), sys.stdout, export_format)
        else:
            with out.open("w", encoding="utf-8", newline="") as handle:
                count = export_entries(log.entries(since=start), handle, export_format)
            typer.echo(f"exported {count} records to {out}")
    except StorageError as exc:
        raise _storage_fail(exc) from None


# --- pseudonymisation commands: redact, rehydrate --------------------------------------

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping

    from discreet.audit.context import AccessContext
    from discreet.transform import OperatorConfig


def _cli_context(purpose: str) -> AccessContext:
    """Who is reading: the operating-system user running the CLI."""
    import getpass

    from discreet.audit.context import AccessContext, ActorKind, LegalBasis

    return AccessContext(
        actor=f"cli:{getpass.getuser()}",
        purpose=purpose,
        legal_basis=LegalBasis.LEGITIMATE_INTERESTS,
        actor_kind=ActorKind.USER,
    )


def _fail(message: str, code: int = 2) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)


def _operator_config(
    path: Path | None, overrides: list[str], phone_region: str | None
) -> OperatorConfig:
    import yaml
    from pydantic import ValidationError

    from discreet.transform import OperatorConfig, parse_override

    raw: dict[str, object] = {}
    if path is not None:
        try:
            loaded = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as exc:
            raise _fail(f"cannot read --operators {path}: {type(exc).__name__}") from None
        if not isinstance(loaded, dict):
            raise _fail(f"--operators {path} must hold a mapping of OperatorConfig fields")
        raw = loaded
    if phone_region and "phone_region" not in raw:
        raw["phone_region"] = phone_region
    try:
        config = OperatorConfig.model_validate(raw)
        parsed = dict(parse_override(o) for o in overrides)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise _fail(f"--operators: {problems}") from None
    except ValueError as exc:
        raise _fail(f"--operator: {exc}") from None
    return config.with_overrides(parsed)


def _read_key(path: Path | None) -> bytes | None:
    if path is None:
        return None
    try:
        key = path.read_bytes().strip()
    except OSError as exc:
        raise _fail(f"cannot read --key-file {path}: {exc.strerror}") from None
    if len(key) < 16:
        raise _fail(f"--key-file {path} must hold at least 16 bytes")
    return key


@app.command()
def redact(
    conversation: Annotated[
        str, typer.Option("--conversation", "-c", help="Conversation id (tokens are per id).")
    ],
    source: Annotated[
        Path | None, typer.Argument(help="Text file to pseudonymise (default or '-': stdin).")
    ] = None,
    subject: Annotated[
        str | None,
        typer.Option(
            "--subject",
            "-s",
            help="The customer's reference in the vault: binds the conversation to them and "
            "finds their own values exactly.",
        ),
    ] = None,
    operator: Annotated[
        list[str] | None,
        typer.Option(
            "--operator",
            "-o",
            help="TYPE=OPERATOR (repeatable), e.g. CREDIT_CARD=mask. Operators: redact, "
            "placeholder, mask, token, surrogate, hash, generalize. Default: token.",
        ),
    ] = None,
    operators_file: Annotated[
        Path | None, typer.Option("--operators", help="YAML file with OperatorConfig fields.")
    ] = None,
    language: Annotated[
        str | None, typer.Option("--language", help="en, nl, de or fr (default: detect).")
    ] = None,
    config: Annotated[
        Path | None, typer.Option("--config", help="YAML file with DetectorConfig fields.")
    ] = None,
    key_file: Annotated[
        Path | None,
        typer.Option(
            "--key-file",
            help="Secret (>= 16 bytes) for the hash operator and reproducible surrogates.",
        ),
    ] = None,
) -> None:
    """Pseudonymise text: personal data becomes tokens kept in the vault (or as configured).

    Reads stdin (or SOURCE); writes the pseudonymised text to stdout.

    A summary (types and counts, never values) goes to stderr.

    Fails closed: if detection or the vault fails, nothing is written to stdout.
    """
    import sys

    from discreet.detect import DetectionError, Detector, DetectorConfig
    from discreet.gateway.customer import known_subject
    from discreet.scan import ConfigError, load_config
    from discreet.settings import Settings
    from discreet.transform import Pseudonymizer
    from discreet.transform.config import HashSpec
    from discreet.vault import VaultError, VaultTokenStore, open_vault

    settings = Settings()
    operators = _operator_config(operators_file, operator or [], settings.phone_region)
    key = _read_key(key_file)
    try:
        text = (
            sys.stdin.read()
            if source is None or str(source) == "-"
            else source.read_text(encoding="utf-8")
        )
    except (OSError, UnicodeDecodeError) as exc:
        raise _fail(f"cannot read {source}: {type(exc).__name__}") from None
    try:
        detector = Detector(load_config(config) if config else DetectorConfig())
    except (ConfigError, ValueError) as exc:
        raise _fail(str(exc)) from None
    except Exception as exc:  # e.g. the NER model is missing: say so, name no text
        raise _fail(f"detector unavailable: {exc}") from None
    ctx = _cli_context("pseudonymisation")
    try:
        vault = open_vault(settings)
    except VaultError as exc:
        raise _fail(str(exc)) from None
    try:
        known = None
        if subject is not None:
            vault.bind_conversation(conversation, subject, ctx=ctx)
            known = known_subject(
                vault.get_subject(subject, ctx=ctx).fields, _load_policy_or_exit(None).entity_fields
            )
        store = VaultTokenStore(vault, ctx=ctx)
        if key is None and any(
            isinstance(spec, HashSpec) for spec in (operators.default, *operators.by_type.values())
        ):
            # Say it in this command's words, not the library's (hash_key).
            raise ValueError(
                "the hash operator needs a secret key: give --key-file FILE (32 random "
                "bytes, e.g. from `discreet keys generate --out FILE`)"
            )
        pseudonymizer = Pseudonymizer(detector, operators, store, hash_key=key, surrogate_key=key)
        result = pseudonymizer.pseudonymize(text, conversation, known, language)
    except (VaultError, DetectionError) as exc:
        raise _fail(f"{exc}; nothing was written", code=1) from None
    except ValueError as exc:
        raise _fail(str(exc)) from None
    finally:
        vault.close()
    sys.stdout.write(result.text)
    sys.stdout.flush()
    counts = ", ".join(f"{t.value}={n}" for t, n in sorted(result.counts.items())) or "nothing"
    typer.echo(f"conversation {conversation}: replaced {counts}", err=True)


@app.command()
def rehydrate(
    conversation: Annotated[
        str, typer.Option("--conversation", "-c", help="Conversation whose tokens to restore.")
    ],
    fail_on_unknown: Annotated[
        bool,
        typer.Option(
            "--fail-on-unknown", help="Exit with status 1 if the text had unknown tokens."
        ),
    ] = False,
) -> None:
    """Restore a conversation's tokens in text from stdin, streaming as it arrives.

    Tokens of other conversations, and made-up ones, are removed and listed on stderr.
    """
    import sys

    from discreet.settings import Settings
    from discreet.transform import StreamingRehydrator
    from discreet.vault import VaultError, VaultTokenStore, open_vault

    ctx = _cli_context("rehydration")
    try:
        vault = open_vault(Settings())
    except VaultError as exc:  # not configured (key, schema): a usage problem
        raise _fail(str(exc)) from None
    try:
        stream = StreamingRehydrator.for_conversation(conversation, VaultTokenStore(vault, ctx=ctx))
    except VaultError as exc:
        raise _fail(str(exc), code=1) from None
    except ValueError as exc:
        raise _fail(str(exc)) from None
    finally:
        vault.close()
    for piece in stream.stream(_stdin_chunks()):
        sys.stdout.write(piece)
        sys.stdout.flush()
    if stream.unknown_tokens:
        tokens = " ".join(stream.unknown_tokens)
        typer.echo(f"removed {len(stream.unknown_tokens)} unknown token(s): {tokens}", err=True)
        if fail_on_unknown:
            raise typer.Exit(1)


def _stdin_chunks() -> Iterator[str]:
    """Stdin as it arrives: os.read returns what the pipe holds, so a streamed LLM answer
    piped in is rehydrated and shown piece by piece rather than at end of input."""
    import codecs
    import io
    import os
    import sys

    try:
        fd = sys.stdin.fileno()
    except (io.UnsupportedOperation, AttributeError):  # e.g. a test runner's stand-in
        while chunk := sys.stdin.read(65536):
            yield chunk
        return
    decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    while raw := os.read(fd, 65536):
        if text := decoder.decode(raw):
            yield text
    if tail := decoder.decode(b"", final=True):
        yield tail


# --- policy commands ---

policy_app = typer.Typer(
    help="Check and explain the privacy policy (discreet.yaml).", no_args_is_help=True
)
app.add_typer(policy_app, name="policy")

if TYPE_CHECKING:
    from discreet.policy import Policy


def _load_policy_or_exit(path: Path | None) -> Policy:
    """Load the policy; on problems print each (line, key, what) and exit with status 2."""
    from discreet.policy import PolicyError, load_policy

    try:
        return load_policy(path)
    except PolicyError as exc:
        for message in exc.messages():
            typer.echo(message, err=True)
        count = len(exc.issues)
        typer.echo(
            f"{exc.source}: {count} problem{'' if count == 1 else 's'}; the policy is not valid",
            err=True,
        )
        raise typer.Exit(2) from None


@policy_app.command("check")
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

    policy = _load_policy_or_exit(file)
    typer.echo(summarize(policy))
    data_tenant = Settings().tenant
    if data_tenant != policy.tenant:
        # Say so: the data commands and the gateway read and write under DISCREET_TENANT.
        typer.echo(
            f"  note: the data commands use tenant {data_tenant!r} (DISCREET_TENANT), not "
            f"the policy's {policy.tenant!r}; set DISCREET_TENANT={policy.tenant} to use it"
        )


@policy_app.command("explain")
def policy_explain(
    assistant: Annotated[str, typer.Argument(help="The assistant's name in the policy.")],
    config: Annotated[
        Path | None,
        typer.Option(
            "--config",
            "-c",
            help="Policy file (default: $DISCREET_CONFIG, else ./discreet.yaml, else the "
            "built-in example).",
        ),
    ] = None,
) -> None:
    """Say in plain words what an assistant can and cannot see, and why."""
    from rich.console import Console

    from discreet.policy import UnknownAssistant, explain_assistant, render_markup

    policy = _load_policy_or_exit(config)
    try:
        explanation = explain_assistant(policy, assistant)
    except UnknownAssistant as exc:
        typer.echo(f"{policy.source}: {exc}", err=True)
        raise typer.Exit(2) from None
    Console(soft_wrap=True, highlight=False).print(render_markup(explanation))


# --- gateway commands: serve, apikey ---------------------------------------------------

apikey_app = typer.Typer(help="API keys of the gateway: one key, one assistant.")
app.add_typer(apikey_app, name="apikey", no_args_is_help=True)

_ConfigOpt = Annotated[
    Path | None,
    typer.Option(
        "--config",
        "-c",
        help="Policy file (default: $DISCREET_CONFIG, else ./discreet.yaml, else the "
        "built-in example).",
    ),
]


def _api_key_store(tenant: str | None) -> ApiKeyStore:
    from discreet.conversations.apikeys import ApiKeyStore
    from discreet.settings import Settings
    from discreet.store import DATA, Database, ensure_current
    from discreet.vault.factory import register_audit_chain_from

    settings = Settings()
    db = Database(settings.data_url, name="data store")
    ensure_current(db, DATA)
    register_audit_chain_from(settings, db)  # key changes are audited
    return ApiKeyStore(db, tenant or settings.tenant)


@apikey_app.command("create")
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
    config: _ConfigOpt = None,
    tenant: _TenantOpt = None,
) -> None:
    """Create an API key for an assistant (--assistant) or an operator (--operator).

    The key is shown once; only its hash is stored."""
    from discreet.conversations.apikeys import KeyRole
    from discreet.policy import UnknownAssistant
    from discreet.store.errors import StorageError

    if (assistant is None) == (operator is None):
        raise _fail("give exactly one of --assistant NAME or --operator NAME")
    if assistant is not None:
        policy = _load_policy_or_exit(config)
        try:
            policy.assistant(assistant)
        except UnknownAssistant as exc:
            raise _fail(str(exc)) from None
    name, role = (assistant, KeyRole.ASSISTANT) if assistant else (operator, KeyRole.OPERATOR)
    assert name is not None
    if not name.strip() or len(name) > 64 or any(ord(ch) < 32 for ch in name):
        raise _fail(f"the {role.value} name must be 1 to 64 printable characters")
    try:
        key, info = _api_key_store(tenant).create(name, label, role=role)
    except StorageError as exc:
        raise _storage_fail(exc) from None
    typer.echo(key)
    typer.echo(
        f"key id {info.key_id} for {role.value} {name!r}; store the key now, it is not shown again",
        err=True,
    )


@apikey_app.command("list")
def apikey_list(tenant: _TenantOpt = None) -> None:
    """List API keys (ids, assistants, dates; never the keys)."""
    from discreet.store.errors import StorageError

    try:
        keys = _api_key_store(tenant).list()
    except StorageError as exc:
        raise _storage_fail(exc) from None
    for info in keys:
        created = info.created_at.isoformat() if info.created_at else "-"
        state = "revoked" if info.revoked else "active"
        typer.echo(
            f"{info.key_id}\t{info.role.value}\t{info.assistant}\t{state}\t{created}"
            f"\t{info.label or ''}"
        )


@apikey_app.command("revoke")
def apikey_revoke(
    key_id: Annotated[str, typer.Argument(help="The key id (see `discreet apikey list`).")],
    tenant: _TenantOpt = None,
) -> None:
    """Revoke an API key by id; requests with it get 401 from then on."""
    from discreet.store.errors import StorageError

    try:
        revoked = _api_key_store(tenant).revoke(key_id)
    except StorageError as exc:
        raise _storage_fail(exc) from None
    if not revoked:
        raise _fail(f"no active key with id {key_id}")
    typer.echo(f"revoked {key_id}")


_ConsolePortOpt = Annotated[
    int | None,
    typer.Option(
        "--console-port",
        min=1,
        max=65535,
        help="Also serve the privacy office console (web pages for privacy officers, "
        "auditors, support leads, admins) on this port; off unless given. Accounts: "
        "`discreet users create alice --role privacy_officer`.",
    ),
]
_ConsoleHostOpt = Annotated[
    str,
    typer.Option(
        "--console-host",
        help="Interface for the console: loopback by default, so the admin plane can be "
        "firewalled apart from the chat API.",
    ),
]


if TYPE_CHECKING:
    from discreet.settings import Settings


def _start_console(policy: Policy, host: str, port: int, settings: Settings | None = None) -> None:
    """Start the console in a background thread of this process (see discreet.console)."""
    from discreet.api.console_serving import start_console
    from discreet.errors import DiscreetError
    from discreet.store.errors import StorageError
    from discreet.vault import VaultError

    try:
        running = start_console(policy, settings, host=host, port=port)
    except (StorageError, VaultError, DiscreetError) as exc:
        raise _storage_fail(exc) from None
    typer.echo(f"discreet console on {running.url}", err=True)


@app.command()
def serve(
    host: Annotated[str, typer.Option("--host", help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="TCP port.", min=0, max=65535)] = 8000,
    config: _ConfigOpt = None,
    workers: Annotated[
        int,
        typer.Option(
            "--workers",
            min=1,
            help="Server processes. One process is bound by one CPU core; with N > 1 each "
            "process holds its own detection model (~270 MB) and retention runs in the "
            "supervising process.",
        ),
    ] = 1,
    json_logs: Annotated[
        bool,
        typer.Option(
            "--json-logs",
            help="Log one JSON object per line, personal data masked by the detector.",
        ),
    ] = False,
    console_port: _ConsolePortOpt = None,
    console_host: _ConsoleHostOpt = "127.0.0.1",
    tls_cert: Annotated[
        Path | None,
        typer.Option("--tls-cert", help="PEM certificate chain: serve HTTPS (with --tls-key)."),
    ] = None,
    tls_key: Annotated[
        Path | None, typer.Option("--tls-key", help="PEM private key of --tls-cert.")
    ] = None,
    allow_plain_http: Annotated[
        bool,
        typer.Option(
            "--allow-plain-http",
            help="Serve plain HTTP on a non-loopback --host (only behind a TLS-terminating "
            "proxy); without it such a bind is refused.",
        ),
    ] = False,
) -> None:
    """Run the OpenAI-compatible privacy gateway (applies database migrations first).

    The upstream model comes from DISCREET_UPSTREAM_URL / _API_KEY / _MODEL, else from the
    policy's `upstream:`; with neither, the embedded FAQ assistant answers. Beyond loopback
    the gateway needs TLS: `discreet serve --host 0.0.0.0 --tls-cert cert.pem --tls-key
    key.pem`.
    """
    import uvicorn

    from discreet.api import build_app
    from discreet.api.listen import check_listen, tls_from_options
    from discreet.api.server import run_server
    from discreet.gateway.config import resolve_upstream
    from discreet.gateway.settings import UpstreamConfigError
    from discreet.retention.scheduler import retention_thread
    from discreet.store.errors import StorageError
    from discreet.vault import VaultError

    tls = tls_from_options(tls_cert, tls_key)
    check_listen(host, port, tls=tls, allow_plain_http=allow_plain_http)
    policy = _load_policy_or_exit(config)
    try:
        backend = "upstream model" if resolve_upstream(policy) else "embedded assistant"
        # build_app: the gateway, consent checked per turn, and the operator routes.
        server = build_app(policy, migrate=True) if workers == 1 else None
        retention = _prepare_workers(policy, config) if workers > 1 else None
    except (StorageError, VaultError, UpstreamConfigError) as exc:
        raise _storage_fail(exc) from None
    processes = f", {workers} processes" if workers > 1 else ""
    scheme = "https" if tls else "http"
    typer.echo(f"discreet gateway on {scheme}://{host}:{port}/v1 ({backend}{processes})", err=True)
    if console_port is not None:  # the console: its own listener, in this process
        _start_console(policy, console_host, console_port)
    if server is not None:
        run_server(server, host=host, port=port, json_logs=json_logs, tls=tls)
        return
    assert retention is not None  # workers > 1
    try:
        # This process supervises the workers and runs retention once for all of them.
        with retention_thread(retention.runner.run):
            # No access log: request lines carry conversation ids chosen by clients.
            uvicorn.run(
                "discreet.api.server:worker_app",
                factory=True,
                workers=workers,
                host=host,
                port=port,
                access_log=False,
                log_level="info",
                ssl_certfile=tls.cert if tls else None,
                ssl_keyfile=tls.key if tls else None,
            )
    finally:
        retention.close()


def _prepare_workers(policy: Policy, config: Path | None) -> Retention:
    """For `serve --workers N`: migrate the stores once, here, and point the workers
    (`discreet.api.server.worker_app`, which build the app from the environment) at the
    policy this process validated, wherever it came from. Returns retention over the
    stores, for this process to run."""
    import os

    from discreet.gateway.factory import policy_field_categories
    from discreet.policy.loader import ENV_VAR, resolve_policy_path
    from discreet.settings import Settings
    from discreet.vault import open_vault
    from discreet.wiring import open_retention

    settings = Settings()
    open_vault(
        settings, tenant=settings.tenant, categories=policy_field_categories(policy), migrate=True
    ).close()
    retention = open_retention(policy, settings)
    path = resolve_policy_path(config)
    if path is not None:
        os.environ[ENV_VAR] = str(path.resolve())
    return retention


if TYPE_CHECKING:
    from discreet.conversations.apikeys import ApiKeyStore
    from discreet.retention import Retention


# --- governance commands: consent, rights ---

if TYPE_CHECKING:
    from discreet.rights import RightsRequest, RightsService

consent_app = typer.Typer(help="Customers' consent per purpose: grant, withdraw, show.")
rights_app = typer.Typer(
    help="Data-subject requests (access, rectification, erasure, restriction, objection), "
    "deadlines and legal holds."
)
app.add_typer(consent_app, name="consent", no_args_is_help=True)
app.add_typer(rights_app, name="rights", no_args_is_help=True)

_RefArg = Annotated[str, typer.Argument(help="The customer's reference (subject_ref).")]
_RequestArg = Annotated[str, typer.Argument(help="The request id (dsr_...).")]
_ChannelOpt = Annotated[
    str, typer.Option("--channel", help="How it reached us: web, email, phone, ...")
]
_GOVERNANCE_ERRORS_EXIT = 2
_ERASURE_BLOCKED_EXIT = 3


def _rights_service(tenant: str | None) -> RightsService:
    """The rights service over the configured vault and policy; exits 2 if unavailable."""
    from discreet.policy import PolicyError, load_policy
    from discreet.rights import RightsService
    from discreet.settings import Settings
    from discreet.store.errors import StorageError
    from discreet.vault import VaultError, open_vault
    from discreet.wiring import vault_holders

    try:
        policy = load_policy()
        vault = open_vault(Settings(), tenant=tenant)
    except (VaultError, StorageError, PolicyError) as exc:
        raise _storage_fail(exc) from None
    return RightsService(vault, holders=vault_holders(vault), policy=policy)


def _governance_errors() -> tuple[type[Exception], ...]:
    from discreet.store.errors import StorageError
    from discreet.vault import VaultError

    return (VaultError, StorageError, ValueError, LookupError)


def _echo_json(value: object) -> None:
    import json

    typer.echo(json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False))


def _echo_request(request: RightsRequest, refs: Mapping[str, str] | None = None) -> None:
    due = request.due_at.date().isoformat()
    line = f"{request.id}  {request.kind.value:<13} {request.state.value:<11} due {due}"
    if refs is not None:
        # The customer's reference, as they and the operator know them (erased: none).
        line += f"  {refs.get(request.subject_id, '(erased)')}"
    typer.echo(line + (f"  ({request.rejection_reason})" if request.rejection_reason else ""))


def _request_refs(service: RightsService) -> dict[str, str]:
    """Pseudonymous id -> reference, for listing requests (one audited vault listing)."""
    listed = service.vault.list_subjects(ctx=_operator_ctx(None, *_DSR))
    return {subject_id: ref for subject_id, ref, _fields in listed}


def _record_consent(
    ref: str,
    purpose: str,
    granted: bool,
    notice: str,
    channel: str,
    actor: str | None,
    tenant: str | None,
) -> None:
    from discreet.consent import ConsentState

    ctx = _operator_ctx(actor, "consent_management", "legal_obligation")
    state = ConsentState.GRANTED if granted else ConsentState.WITHDRAWN
    try:
        entry = _rights_service(tenant).consent.record(
            ref, purpose, state, notice_version=notice, channel=channel, ctx=ctx
        )
    except _governance_errors() as exc:
        raise _storage_fail(exc) from None
    typer.echo(
        f"{entry.state.value}: {purpose} for subject {entry.subject_id} "
        f"(notice {notice}, via {channel}, at {entry.recorded_at.isoformat()})"
    )


_NoticeOpt = Annotated[
    str, typer.Option("--notice-version", help="Version of the privacy notice shown.")
]


@consent_app.command("grant")
def consent_grant(
    ref: _RefArg,
    purpose: Annotated[str, typer.Argument(help="Purpose, as named in the policy.")],
    notice_version: _NoticeOpt,
    channel: _ChannelOpt = "cli",
    actor: _ActorOpt = None,
    tenant: _TenantOpt = None,
) -> None:
    """Record that the customer granted consent for a purpose."""
    _record_consent(ref, purpose, True, notice_version, channel, actor, tenant)


@consent_app.command("withdraw")
def consent_withdraw(
    ref: _RefArg,
    purpose: Annotated[str, typer.Argument(help="Purpose, as named in the policy.")],
    notice_version: _NoticeOpt,
    channel: _ChannelOpt = "cli",
    actor: _ActorOpt = None,
    tenant: _TenantOpt = None,
) -> None:
    """Record that the customer withdrew consent for a purpose (as easy as granting)."""
    _record_consent(ref, purpose, False, notice_version, channel, actor, tenant)


@consent_app.command("show")
def consent_show(
    ref: _RefArg,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
    actor: _ActorOpt = None,
    tenant: _TenantOpt = None,
) -> None:
    """Show the customer's current consent per purpose and the full history."""
    ctx = _operator_ctx(actor, "consent_management", "legal_obligation")
    try:
        overview = _rights_service(tenant).consent.show(ref, ctx=ctx)
    except _governance_errors() as exc:
        raise _storage_fail(exc) from None
    if as_json:
        _echo_json(overview.as_dict())
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


_DSR = ("data_subject_request", "legal_obligation")


@rights_app.command("submit")
def rights_submit(
    ref: _RefArg,
    kind: Annotated[
        str,
        typer.Argument(
            help="access, rectification, erasure, restriction or objection; under the CCPA "
            "also know, delete, correct or opt_out (an objection to sale/sharing)."
        ),
    ],
    channel: _ChannelOpt = "cli",
    scope: Annotated[
        str | None, typer.Option("--scope", help="Objection: the purpose objected to.")
    ] = None,
    actor: _ActorOpt = None,
    tenant: _TenantOpt = None,
) -> None:
    """Record a new request; it is due by the deadline of the policy's jurisdictions (GDPR:
    one month; CCPA: 45 days). Example: `discreet rights submit CUST-1042 opt_out`."""
    from discreet.rights.jurisdictions import parse_request

    ctx = _operator_ctx(actor, *_DSR)
    try:
        service = _rights_service(tenant)
        names = service.policy.jurisdictions if service.policy is not None else ("gdpr",)
        request_kind, request_scope = parse_request(kind, scope, names)
        request = service.submit(ref, request_kind, channel=channel, scope=request_scope, ctx=ctx)
    except _governance_errors() as exc:
        raise _storage_fail(exc) from None
    _echo_request(request)


@rights_app.command("verify")
def rights_verify(
    request_id: _RequestArg, actor: _ActorOpt = None, tenant: _TenantOpt = None
) -> None:
    """Mark the requester's identity as checked."""
    try:
        ctx = _operator_ctx(actor, *_DSR)
        request = _rights_service(tenant).book.verify(request_id, ctx=ctx)
    except _governance_errors() as exc:
        raise _storage_fail(exc) from None
    _echo_request(request)


@rights_app.command("execute")
def rights_execute(
    request_id: _RequestArg,
    ref: Annotated[str, typer.Option("--ref", help="The customer's reference, as a check.")],
    set_field: Annotated[
        list[str] | None, typer.Option("--set", help="Rectification: field=value.")
    ] = None,
    unset: Annotated[
        list[str] | None, typer.Option("--unset", help="Rectification: delete a field.")
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="Access: where to write the zip archive.")
    ] = None,
    actor: _ActorOpt = None,
    tenant: _TenantOpt = None,
) -> None:
    """Carry out a verified request and record its completion. Running an interrupted
    erasure again finishes it."""
    changes: dict[str, str | None] = {}
    for item in set_field or []:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise typer.BadParameter("--set expects field=value")
        changes[name.strip()] = value
    changes.update(dict.fromkeys(unset or []))
    service = _rights_service(tenant)
    try:
        if out is not None and out.exists():
            raise ValueError(f"{out} exists; refusing to overwrite it")
        done = service.execute(
            request_id, ref, changes=changes or None, ctx=_operator_ctx(actor, *_DSR)
        )
    except _governance_errors() as exc:
        raise _storage_fail(exc) from None
    if done.erasure is not None and not done.erasure.completed:
        typer.echo("erasure blocked by legal holds; nothing was erased:", err=True)
        for hold in done.erasure.blocked_by:
            set_on = hold.set_at.date()
            typer.echo(f"  hold {hold.id} on the {hold.target}, set {set_on}", err=True)
        raise typer.Exit(_ERASURE_BLOCKED_EXIT)
    if done.archive is not None:
        if out is None:
            raise _storage_fail(ValueError("an access request needs --out for the archive"))
        out.write_bytes(done.archive)
        out.chmod(0o600)
        typer.echo(f"wrote the export archive to {out}")
    _echo_request(done.request)
    if done.request.result is not None:
        _echo_json(done.request.result)


@rights_app.command("reject")
def rights_reject(
    request_id: _RequestArg,
    reason: Annotated[str, typer.Option("--reason", help="Why (shown to the customer).")],
    actor: _ActorOpt = None,
    tenant: _TenantOpt = None,
) -> None:
    """Close a request without carrying it out, with the reason."""
    try:
        request = _rights_service(tenant).book.reject(
            request_id, reason, ctx=_operator_ctx(actor, *_DSR)
        )
    except _governance_errors() as exc:
        raise _storage_fail(exc) from None
    _echo_request(request)


@rights_app.command("extend")
def rights_extend(
    request_id: _RequestArg,
    reason: Annotated[str, typer.Option("--reason", help="Why more time is needed.")],
    months: Annotated[int, typer.Option("--months", min=1, max=2)] = 1,
    actor: _ActorOpt = None,
    tenant: _TenantOpt = None,
) -> None:
    """Extend the deadline (at most two months in all), recording the reason."""
    try:
        request = _rights_service(tenant).book.extend(
            request_id, months, reason, ctx=_operator_ctx(actor, *_DSR)
        )
    except _governance_errors() as exc:
        raise _storage_fail(exc) from None
    _echo_request(request)


@rights_app.command("show")
def rights_show(request_id: _RequestArg, tenant: _TenantOpt = None) -> None:
    """Show a request with its completion record, as JSON."""
    try:
        request = _rights_service(tenant).book.get(request_id)
    except _governance_errors() as exc:
        raise _storage_fail(exc) from None
    _echo_json(request.as_dict())


@rights_app.command("list")
def rights_list(
    state: Annotated[
        str | None, typer.Option("--state", help="Only requests in this state.")
    ] = None,
    tenant: _TenantOpt = None,
) -> None:
    """List requests, oldest first."""
    from discreet.rights import RequestState

    try:
        wanted = RequestState(state) if state else None
        service = _rights_service(tenant)
        requests = service.book.find(state=wanted)
        refs = _request_refs(service) if requests else {}
    except _governance_errors() as exc:
        raise _storage_fail(exc) from None
    for request in requests:
        _echo_request(request, refs)


@rights_app.command("overdue")
def rights_overdue(tenant: _TenantOpt = None) -> None:
    """List open requests past their deadline; exit code 1 if there are any."""
    try:
        service = _rights_service(tenant)
        late = service.book.overdue()
        refs = _request_refs(service) if late else {}
    except _governance_errors() as exc:
        raise _storage_fail(exc) from None
    if not late:
        typer.echo("no overdue requests")
        return
    for request in late:
        _echo_request(request, refs)
    raise typer.Exit(1)


@rights_app.command("lift")
def rights_lift(
    request_id: _RequestArg, actor: _ActorOpt = None, tenant: _TenantOpt = None
) -> None:
    """Lift the restriction or objection a completed request put in force."""
    try:
        count = _rights_service(tenant).lift(request_id, ctx=_operator_ctx(actor, *_DSR))
    except _governance_errors() as exc:
        raise _storage_fail(exc) from None
    typer.echo(f"lifted {count} processing limit(s)")


@rights_app.command("hold")
def rights_hold(
    reason: Annotated[str, typer.Option("--reason", help="Why the data must be kept.")],
    ref: Annotated[str | None, typer.Option("--ref", help="Hold a whole subject.")] = None,
    conversation: Annotated[
        str | None, typer.Option("--conversation", help="Hold one conversation.")
    ] = None,
    actor: _ActorOpt = None,
    tenant: _TenantOpt = None,
) -> None:
    """Put a legal hold on a subject or a conversation (blocks erasure and deletion)."""
    if (ref is None) == (conversation is None):
        raise typer.BadParameter("give either --ref or --conversation")
    ctx = _operator_ctx(actor, "legal_hold", "legal_obligation")
    service = _rights_service(tenant)
    try:
        hold = (
            service.hold_subject(ref, reason, ctx=ctx)
            if ref is not None
            else service.hold_conversation(str(conversation), reason, ctx=ctx)
        )
    except _governance_errors() as exc:
        raise _storage_fail(exc) from None
    typer.echo(f"hold {hold.id} set on the {hold.target}")


@rights_app.command("release")
def rights_release(
    hold_id: Annotated[int, typer.Argument(help="The hold's number.")],
    actor: _ActorOpt = None,
    tenant: _TenantOpt = None,
) -> None:
    """Release a legal hold."""
    ctx = _operator_ctx(actor, "legal_hold", "legal_obligation")
    try:
        hold = _rights_service(tenant).release(hold_id, ctx=ctx)
    except _governance_errors() as exc:
        raise _storage_fail(exc) from None
    typer.echo(f"hold {hold.id} on the {hold.target} released")


@rights_app.command("holds")
def rights_holds(tenant: _TenantOpt = None) -> None:
    """List the active legal holds."""
    try:
        holds = _rights_service(tenant).holds()
    except _governance_errors() as exc:
        raise _storage_fail(exc) from None
    if not holds:
        typer.echo("no active legal holds")
    for hold in holds:
        typer.echo(f"{hold.id}  {hold.target}  set {hold.set_at.date()} by {hold.set_by}")


# --- demo command ---


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
    import os
    from collections.abc import Callable

    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress

    from discreet.api.listen import check_listen
    from discreet.demo import DEFAULT_HOME, prepare_demo, render_instructions, serve_demo
    from discreet.policy import PolicyError
    from discreet.store.errors import StorageError
    from discreet.vault import VaultError

    if serve_it:
        # Before seeding and printing keys: a busy port must not leave keys nobody serves.
        check_listen(host, port, tls=None, allow_plain_http=False)
    chosen = home or Path(os.environ.get("DISCREET_HOME", "").strip() or DEFAULT_HOME)
    columns = (*Progress.get_default_columns()[:1], BarColumn(), MofNCompleteColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:

        class _Bar:
            def start(self, description: str, total: int) -> Callable[[int], None]:
                task = bar.add_task(description, total=total)
                return lambda done: bar.update(task, completed=done)

        try:
            env = prepare_demo(chosen, customers=customers, progress=_Bar())
        except (StorageError, VaultError, PolicyError, ValueError, OSError) as exc:
            raise _storage_fail(exc) from None
    typer.echo(render_instructions(env, host=host, port=port, serving=serve_it))
    if serve_it and console_port:
        from discreet.api.console_serving import demo_login

        user, password = demo_login(env.settings)
        _start_console(env.policy(), host, console_port, env.settings)
        typer.echo(
            f"\nPrivacy office console: http://{host}:{console_port}/ - sign in as {user} "
            f"with password {password} (a privacy officer; an authenticator app is enrolled "
            "at first sign-in)."
        )
    if serve_it:
        try:
            serve_demo(env, host=host, port=port)
        except (StorageError, VaultError) as exc:
            raise _storage_fail(exc) from None


# --- retention commands ---

retention_app = typer.Typer(
    help="Retention: delete what the policy no longer allows to keep (legal holds are "
    "kept), report what expires when, close conversations."
)
app.add_typer(retention_app, name="retention", no_args_is_help=True)
_JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")]


def _open_retention(config: Path | None, tenant: str | None) -> Retention:
    """Retention over the configured stores and policy; exits 2 if unavailable."""
    from discreet.store.errors import StorageError
    from discreet.vault import VaultError
    from discreet.wiring import open_retention

    policy = _load_policy_or_exit(config)
    try:
        return open_retention(policy, tenant=tenant)
    except (StorageError, VaultError) as exc:
        raise _storage_fail(exc) from None


@retention_app.command("run")
def retention_run(
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Count what is due; change nothing.")
    ] = False,
    config: _ConfigOpt = None,
    tenant: _TenantOpt = None,
    actor: _ActorOpt = None,
    as_json: _JsonOpt = False,
) -> None:
    """Delete what is past retention (crypto-shredding keys), close idle conversations,
    prune the audit log if the policy says so; one audit record per batch."""
    import json

    from rich.console import Console

    from discreet.retention.render import holds_table, outcome_table
    from discreet.store.errors import StorageError
    from discreet.vault import VaultError

    retention = _open_retention(config, tenant)
    ctx = _operator_ctx(actor, "retention", "legal_obligation")
    try:
        outcome = retention.runner.run(dry_run=dry_run, ctx=ctx)
    except (StorageError, VaultError) as exc:
        raise _storage_fail(exc) from None
    finally:
        retention.close()
    if as_json:
        typer.echo(json.dumps(outcome.as_dict(), indent=2))
        return
    console = Console(highlight=False)
    console.print(outcome_table(outcome))
    if outcome.holds:
        console.print(holds_table(outcome.holds))


@retention_app.command("report")
def retention_report(
    days: Annotated[int, typer.Option("--days", min=1, max=3650, help="Horizon.")] = 30,
    config: _ConfigOpt = None,
    tenant: _TenantOpt = None,
    as_json: _JsonOpt = False,
) -> None:
    """What will expire when: counts per kind, category and day (changes nothing)."""
    import json

    from rich.console import Console

    from discreet.retention import forecast
    from discreet.retention.render import forecast_table, holds_table
    from discreet.store.errors import StorageError

    retention = _open_retention(config, tenant)
    try:
        result = forecast(
            retention.data,
            retention.policy,
            holders=retention.holders,
            tenant=retention.tenant,
            horizon_days=days,
        )
    except StorageError as exc:
        raise _storage_fail(exc) from None
    finally:
        retention.close()
    if as_json:
        typer.echo(json.dumps(result.as_dict(), indent=2))
        return
    console = Console(highlight=False)
    console.print(forecast_table(result))
    if result.holds:
        console.print(holds_table(result.holds))


@retention_app.command("close")
def retention_close(
    conversation_id: Annotated[str, typer.Argument(help="The conversation's id.")],
    config: _ConfigOpt = None,
    tenant: _TenantOpt = None,
    actor: _ActorOpt = None,
) -> None:
    """Close a conversation now and forget its token map (unless held or kept by policy)."""
    from discreet.retention import ConversationNotFound
    from discreet.store.errors import StorageError
    from discreet.vault import VaultError

    retention = _open_retention(config, tenant)
    ctx = _operator_ctx(actor, "conversation_close", "legitimate_interests")
    try:
        outcome = retention.closer.close(conversation_id, ctx=ctx)
    except ConversationNotFound as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
    except (StorageError, VaultError) as exc:
        raise _storage_fail(exc) from None
    finally:
        retention.close()
    if outcome.token_map_destroyed:
        state = "token map destroyed"
    elif outcome.held:
        state = "token map kept: legal hold"
    elif outcome.token_map_kept_until is not None:
        state = f"token map kept until {outcome.token_map_kept_until.date().isoformat()} (policy)"
    else:
        state = "no token map"
    typer.echo(f"closed {conversation_id}: {state}")


if TYPE_CHECKING:
    from discreet.retention import Retention


# Command groups that live in their own module (``discreet/cli/<module>.py`` defining
# ``app``) register here, one line each: (module, command name).
_GROUPS: tuple[tuple[str, str], ...] = (
    ("incidents", "incidents"),
    ("alerts", "alerts"),
    ("report", "report"),
    ("backup", "backup"),
    ("selftest", "selftest"),
    ("export", "export"),
    ("analytics", "analytics"),
    ("users", "users"),
    ("conversations", "conversations"),
    ("index", "index"),
)


def _register_groups() -> None:
    import importlib

    from discreet.cli import subjects_view

    for module_name, group in _GROUPS:
        module = importlib.import_module(f"discreet.cli.{module_name}")
        # A group that runs by itself (`discreet selftest`) sets NO_ARGS_IS_HELP = False.
        help_alone = getattr(module, "NO_ARGS_IS_HELP", True)
        app.add_typer(module.app, name=group, no_args_is_help=help_alone)
    # Commands of an existing group that live in their own module.
    subjects_app.command("list")(subjects_view.list_subjects)
    subjects_app.command("show")(subjects_view.show_subject)


_register_groups()


def main() -> None:
    """Run the CLI; a :class:`~discreet.errors.DiscreetError` is mapped here, once."""
    from discreet.errors import DiscreetError

    try:
        app()
    except DiscreetError as exc:
        # The message names what and where, never a value (see discreet.errors).
        typer.echo(f"error: {exc.message}", err=True)
        raise SystemExit(exc.exit_code) from None
