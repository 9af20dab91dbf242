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
            "or plain text; '-' reads JSONL from stdin. Without it: the bundled sample.",
        ),
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write results here ('-': stdout).")
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
) -> None:
    """Find personal data in files (or the bundled sample) and report where it is."""
    from discreet.detect.entities import parse_entity_type
    from discreet.scan import ScanOptions, run_scan

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
    )
    raise typer.Exit(run_scan(options))


@app.command()
def bench(
    n: Annotated[int, typer.Option("--n", min=1, help="Texts to generate.")] = 2000,
    seed: Annotated[int, typer.Option("--seed")] = 0,
    corpus: Annotated[
        Path | None, typer.Option("--corpus", help="Read the labelled corpus from this JSONL.")
    ] = None,
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
    from discreet.evaluation.bench import BenchError, BenchOptions
    from discreet.evaluation.bench import bench as run_bench
    from discreet.scan import ScanError

    options = BenchOptions(
        n=n,
        seed=seed,
        corpus=corpus,
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
        with Progress(*columns, TimeRemainingColumn(), transient=True) as bar:
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
def audit_verify() -> None:
    """Check the hash chain; name the first bad record. Exit code 1 if tampered."""
    from discreet.settings import Settings
    from discreet.store.errors import StorageError
    from discreet.vault import open_audit_log

    try:
        result = open_audit_log(Settings()).verify()
    except StorageError as exc:
        raise _storage_fail(exc) from None
    if result.ok:
        typer.echo(f"audit log intact: {result.records} records verified")
        return
    typer.echo(
        f"audit log TAMPERED: first bad record is seq {result.first_bad_seq}: {result.reason}",
        err=True,
    )
    raise typer.Exit(1)


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
    from collections.abc import Iterator

    from discreet.audit.context import AccessContext
    from discreet.detect import KnownSubject
    from discreet.transform import OperatorConfig

# Vault subject fields (DEFAULT_FIELD_CATEGORIES) → what detection should look for.
# TODO(vault): this belongs next to SubjectView (e.g. SubjectView.to_known_subject()).
_SUBJECT_EXTRA_FIELDS: dict[str, str] = {
    "first_name": "PERSON",
    "last_name": "PERSON",
    "mobile": "PHONE_NUMBER",
    "bank_account": "BANK_ACCOUNT",
    "credit_card": "CREDIT_CARD",
    "vat_id": "VAT_ID",
    "order_number": "ORDER_ID",
    "national_id": "NATIONAL_ID",
    "passport": "PASSPORT",
}


def _known_subject(fields: dict[str, str]) -> KnownSubject:
    """The detection view of a vault subject: its values, by entity type."""
    from discreet.detect import EntityType, KnownSubject

    extra: dict[EntityType, list[str]] = {}
    for name, type_name in _SUBJECT_EXTRA_FIELDS.items():
        if fields.get(name):
            extra.setdefault(EntityType(type_name), []).append(fields[name])
    return KnownSubject(
        name=fields.get("name"),
        email=fields.get("email"),
        phone=fields.get("phone"),
        street_address=fields.get("street_address"),
        postal_code=fields.get("postal_code"),
        city=fields.get("city"),
        iban=fields.get("iban"),
        customer_number=fields.get("customer_number"),
        date_of_birth=fields.get("date_of_birth"),
        extra=extra,
    )


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
    from discreet.scan import ConfigError, load_config
    from discreet.settings import Settings
    from discreet.transform import Pseudonymizer
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
            known = _known_subject(dict(vault.get_subject(subject, ctx=ctx).fields))
        store = VaultTokenStore(vault, ctx=ctx)
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

    typer.echo(summarize(_load_policy_or_exit(file)))


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



def main() -> None:
    app()
