"""A running server anchors the audit chain itself (`audit.keyed.anchoring`): the head at
start-up, again when it moved, and at shutdown; a failed write is logged and serving goes
on."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest

from discreet.audit import AccessContext, AuditEvent, Outcome
from discreet.audit.keyed import anchoring, mac_head, read_anchors
from discreet.vault import Vault


def _append(vault: Vault, ctx: AccessContext, action: str) -> None:
    vault.audit_log.append(AuditEvent(ctx=ctx, tenant="default", action=action, outcome=Outcome.OK))


def test_the_head_is_anchored_at_start_when_it_moves_and_at_shutdown(
    vault: Vault, ctx: AccessContext, tmp_path: Path
) -> None:
    _append(vault, ctx, "test.before")
    anchors = tmp_path / "anchors"
    db = vault.data_store

    async def serve() -> None:
        async with anchoring(db, anchors, interval_s=0.05):
            await asyncio.sleep(0.3)  # several ticks with the head unchanged: one line
            assert read_anchors(anchors) == [mac_head(db)]
            _append(vault, ctx, "test.during")
            while len(read_anchors(anchors)) < 2:  # the next tick anchors the new head
                await asyncio.sleep(0.05)
            _append(vault, ctx, "test.last")  # anchored by the shutdown write

    asyncio.run(serve())
    lines = read_anchors(anchors)
    assert len(lines) == 3 and lines[-1] == mac_head(db)
    assert vault.audit_log.verify(anchors=lines).ok


def test_a_failed_anchor_write_is_logged_not_raised(
    vault: Vault, ctx: AccessContext, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    _append(vault, ctx, "test.before")
    unwritable = tmp_path / "a-directory"
    unwritable.mkdir()

    async def serve() -> None:
        async with anchoring(vault.data_store, unwritable, interval_s=0.05):
            await asyncio.sleep(0.1)

    with caplog.at_level(logging.ERROR):
        asyncio.run(serve())
    assert "audit anchor not written: cannot write anchor file" in caplog.text
    assert "Is a directory" in caplog.text
