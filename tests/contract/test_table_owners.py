"""One owner per table (ARCHITECTURE principle 7): every mapped table is named here with the
one package that reads and writes it, and no module of another package imports its row
class. Everyone else asks the owner (its holder, its records class, its functions).

A new table fails `test_every_table_has_an_owner` until it is listed here; a module that
reaches into another package's table fails `test_only_the_owner_imports_a_table`. The
declarations themselves live in ``store/`` (so migrations see every table), which is why
``store`` may import them all.
"""

from __future__ import annotations

import ast
from pathlib import Path

import discreet
from discreet.store.keystore_models import KeysBase
from discreet.store.models import Base

SRC = Path(discreet.__file__).parent

OWNERS: dict[str, str] = {
    # vault: subject records, blind index, bindings, token maps, wrapped keys
    "Subject": "vault",
    "SubjectField": "vault",
    "BlindIndexEntry": "vault",
    "Conversation": "vault",
    "TokenMap": "vault",
    "WrappedKey": "vault",
    "MasterKeyGeneration": "vault",
    # audit: the chain and its keyed MACs
    "AuditRecord": "audit",
    "AuditHead": "audit",
    "AuditMac": "audit",
    "AuditMacHead": "audit",
    # conversations: state, transcripts, API keys
    "GatewayApiKey": "conversations",
    "GatewayConversation": "conversations",
    "ConversationMessage": "conversations",
    # consent: one table each for records and limits
    "ConsentRecordRow": "consent",
    "ProcessingLimitRow": "consent",
    # rights: requests, erasure jobs, legal holds
    "RightsRequestRow": "rights",
    "ErasureJobRow": "rights",
    "LegalHoldRow": "rights",
    # retention: its runs
    "RetentionRunRow": "retention",
    # ops: incidents, alerts, anomaly state
    "IncidentRow": "ops",
    "IncidentSubjectRow": "ops",
    "IncidentEventRow": "ops",
    "AlertRow": "ops",
    "OpsStateRow": "ops",
    # export: training-export runs and items; analytics: the DP budget and ledger
    "ExportRun": "export",
    "ExportItem": "export",
    "DpBudget": "analytics",
    "DpLedgerEntry": "analytics",
    # console: users, sessions, recovery codes, reveal grants
    "ConsoleUser": "console",
    "ConsoleSession": "console",
    "ConsoleRecoveryCode": "console",
    "ConsoleRevealGrant": "console",
}


def _mapped_classes() -> set[str]:
    return {mapper.class_.__name__ for base in (Base, KeysBase) for mapper in base.registry.mappers}


def _package(path: Path) -> str:
    parts = path.relative_to(SRC).parts
    return parts[0] if len(parts) > 1 else parts[0].removesuffix(".py")


def _imported_names(tree: ast.AST) -> set[str]:
    """Every name imported with ``from ... import name`` (lazy imports count too)."""
    return {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }


def test_every_table_has_an_owner() -> None:
    mapped = _mapped_classes()
    assert mapped, "no mapped tables found: the check would pass vacuously"
    assert mapped - OWNERS.keys() == set(), "tables without an owner: list them in OWNERS"
    assert OWNERS.keys() - mapped == set(), "OWNERS lists tables that no longer exist"


def _trespasses(package: str, tree: ast.AST) -> list[str]:
    """The row classes of other packages that a module of `package` imports."""
    return sorted(n for n in _imported_names(tree) & OWNERS.keys() if OWNERS[n] != package)


def test_only_the_owner_imports_a_table() -> None:
    trespass: list[str] = []
    for path in sorted(SRC.rglob("*.py")):
        package = _package(path)
        if package == "store":
            continue  # the declarations and the migrations' metadata
        for name in _trespasses(package, ast.parse(path.read_text(encoding="utf-8"))):
            trespass.append(f"{path.relative_to(SRC)} imports {name} ({OWNERS[name]}'s)")
    assert trespass == []


def test_the_check_sees_a_trespass() -> None:
    """Not vacuous: a lazy import of the vault's token maps in the gateway is found, the
    same import in the vault is not."""
    tree = ast.parse("def f():\n    from discreet.store.models import TokenMap, table_of\n")
    assert _trespasses("gateway", tree) == ["TokenMap"]
    assert _trespasses("vault", tree) == []
