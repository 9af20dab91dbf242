"""`discreet redact` and `discreet rehydrate`: pseudonymising text with tokens kept in the
vault, and restoring them."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from discreet.cli._common import (
    cli_config,
    cli_context,
    open_services,
    read_yaml_mapping,
    validation_problems,
)
from discreet.cli.detection import DetectorConfigOpt
from discreet.errors import InvalidInput

if TYPE_CHECKING:
    from collections.abc import Iterator

    from discreet.transform import OperatorConfig

app = typer.Typer()


def _operator_config(
    path: Path | None, overrides: list[str], phone_region: str | None
) -> OperatorConfig:
    from pydantic import ValidationError

    from discreet.transform import OperatorConfig, parse_override

    raw: dict[str, object] = {}
    if path is not None:
        raw = read_yaml_mapping(path, "--operators", "OperatorConfig")
    if phone_region and "phone_region" not in raw:
        raw["phone_region"] = phone_region
    try:
        config = OperatorConfig.model_validate(raw)
        parsed = dict(parse_override(o) for o in overrides)
    except ValidationError as exc:
        raise InvalidInput(f"--operators: {validation_problems(exc)}") from None
    except ValueError as exc:  # parse_override's: TYPE=OPERATOR malformed or unknown
        raise InvalidInput(f"--operator: {exc}") from None
    return config.with_overrides(parsed)


def _read_key(path: Path | None) -> bytes | None:
    if path is None:
        return None
    try:
        key = path.read_bytes().strip()
    except OSError as exc:
        raise InvalidInput(f"cannot read --key-file {path}: {exc.strerror}") from None
    if len(key) < 16:
        raise InvalidInput(f"--key-file {path} must hold at least 16 bytes")
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
    config: DetectorConfigOpt = None,
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

    from discreet.detect import Detector, DetectorConfig
    from discreet.gateway.customer import known_subject
    from discreet.scan import load_config
    from discreet.transform import Pseudonymizer
    from discreet.transform.config import HashSpec
    from discreet.vault import VaultTokenStore

    configured = cli_config()
    phone_region = configured.settings.phone_region
    operators = _operator_config(operators_file, operator or [], phone_region)
    key = _read_key(key_file)
    if key is None and any(
        isinstance(spec, HashSpec) for spec in (operators.default, *operators.by_type.values())
    ):
        # Say it in this command's words, not the library's (hash_key).
        raise InvalidInput(
            "the hash operator needs a secret key: give --key-file FILE (32 random "
            "bytes, e.g. from `discreet keys generate --out FILE`)"
        )
    try:
        text = (
            sys.stdin.read()
            if source is None or str(source) == "-"
            else source.read_text(encoding="utf-8")
        )
    except (OSError, UnicodeDecodeError) as exc:  # a file the user named
        raise InvalidInput(f"cannot read {source}: {type(exc).__name__}") from None
    # A missing model, key or schema raises its DiscreetError (messages name no text);
    # nothing reaches stdout before the whole text is pseudonymised.
    detector = Detector(load_config(config) if config else DetectorConfig())
    ctx = cli_context("pseudonymisation")
    with open_services(configured) as services:
        vault = services.vault
        known = None
        if subject is not None:
            vault.bind_conversation(conversation, subject, ctx=ctx)
            known = known_subject(
                vault.get_subject(subject, ctx=ctx).fields,
                configured.policy.entity_fields,
            )
        store = VaultTokenStore(vault, ctx=ctx)
        pseudonymizer = Pseudonymizer(detector, operators, store, hash_key=key, surrogate_key=key)
        result = pseudonymizer.pseudonymize(text, conversation, known, language)
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

    from discreet.transform import StreamingRehydrator
    from discreet.vault import VaultTokenStore

    ctx = cli_context("rehydration")
    with open_services(cli_config()) as services:
        # The conversation's tokens are read here, at once: the stream below needs no vault.
        store = VaultTokenStore(services.vault, ctx=ctx)
        stream = StreamingRehydrator.for_conversation(conversation, store)
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
