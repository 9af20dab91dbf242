"""Settings from DISCREET_* environment variables."""

from __future__ import annotations

from pathlib import Path

import pytest

from discreet.settings import Settings


def test_defaults_put_two_sqlite_files_in_the_data_dir(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("DISCREET_HOME", "DISCREET_DATABASE_URL", "DISCREET_KEYSTORE_URL"):
        monkeypatch.delenv(name, raising=False)
    settings = Settings()
    assert settings.home_dir == (Path.cwd() / ".discreet").resolve()
    assert settings.data_url.endswith("/.discreet/discreet.db")
    assert settings.keys_url.endswith("/.discreet/keys.db")
    assert settings.data_url != settings.keys_url


def test_environment_overrides(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("DISCREET_HOME", str(tmp_path))
    monkeypatch.setenv("DISCREET_DATABASE_URL", "postgresql+psycopg://db/discreet")
    monkeypatch.setenv("DISCREET_MASTER_KEY", "c2VjcmV0")
    monkeypatch.setenv("DISCREET_TENANT", "acme")
    settings = Settings()
    assert settings.data_url == "postgresql+psycopg://db/discreet"
    assert settings.keys_url == f"sqlite:///{tmp_path.resolve()}/keys.db"
    assert settings.tenant == "acme"
    assert "c2VjcmV0" not in repr(settings)
