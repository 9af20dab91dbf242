"""`discreet index rebuild` recomputes the blind index, so a store imported before the
output guard's identifier forms existed is guarded too."""

from __future__ import annotations

from sqlalchemy import delete, select
from typer.testing import CliRunner

from discreet.cli import app
from discreet.guard.leaks import check
from discreet.store.models import BlindIndexEntry, table_of

B = table_of(BlindIndexEntry)


def test_rebuild_restores_every_identifier_form(
    store_env, ctx, sample_subjects, monkeypatch
) -> None:
    vault = store_env.open_vault()
    for ref, fields in sample_subjects.items():
        vault.put_subject(ref, fields, ctx=ctx)
    with store_env.data_db().begin() as conn:
        before = conn.execute(select(B.c.field)).scalars().all()
        conn.execute(delete(B))  # as a store from before the upgrade: no derived forms
    email = next(iter(sample_subjects.values()))["email"]
    assert not check(email.upper(), subject=None, allowed=[], lookup=vault.match_identifiers).leaked

    for name, value in store_env.environ().items():
        monkeypatch.setenv(name, value)
    result = CliRunner().invoke(app, ["index", "rebuild", "--actor", "ops"])

    assert result.exit_code == 0, result.output
    assert "rebuilt the blind indexes of 2 subjects" in result.output
    with store_env.data_db().begin() as conn:
        assert sorted(conn.execute(select(B.c.field)).scalars().all()) == sorted(before)
    assert check(email.upper(), subject=None, allowed=[], lookup=vault.match_identifiers).leaked
