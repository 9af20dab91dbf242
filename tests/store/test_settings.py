"""Settings from DISCREET_* environment variables, the one reader of the environment."""

from __future__ import annotations

from pathlib import Path

import pytest

from discreet.settings import Settings, SettingsInvalid, secret_from_env


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


def test_a_bad_variable_is_named_and_a_secret_never_echoed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DISCREET_UPSTREAM_READ_TIMEOUT", "soon")
    monkeypatch.setenv("DISCREET_OTEL", "perhaps")
    with pytest.raises(SettingsInvalid) as info:
        Settings()
    message = str(info.value)
    assert "DISCREET_UPSTREAM_READ_TIMEOUT" in message and "DISCREET_OTEL" in message
    assert "soon" not in message and "perhaps" not in message
    assert info.value.http_status == 400  # a configuration mistake, not a crash
    monkeypatch.delenv("DISCREET_UPSTREAM_READ_TIMEOUT")
    monkeypatch.delenv("DISCREET_OTEL")
    monkeypatch.setenv("DISCREET_METRICS_TOKEN", "token-of-the-metrics-scraper")
    monkeypatch.setenv("DISCREET_UPSTREAM_API_KEY", "sk-the-upstream-key")
    settings = Settings()
    assert "token-of-the" not in repr(settings) and "sk-the" not in repr(settings)


def test_a_blank_variable_counts_as_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    # `DISCREET_X= command` is how a shell unsets a variable for one command.
    for name in ("HOME", "MAX_ANSWER_BYTES", "METRICS_TOKEN", "UPSTREAM_URL", "CONFIG"):
        monkeypatch.setenv(f"DISCREET_{name}", "  ")
    settings = Settings()
    assert settings.model_fields_set == set()
    assert settings.home == Path(".discreet") and settings.max_answer_bytes == 1_000_000
    assert settings.metrics_token is None and settings.upstream_endpoint is None
    assert settings.config is None


def test_the_demo_default_home_applies_only_when_none_is_set(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("DISCREET_HOME", raising=False)
    assert Settings().with_default_home(Path("demo")).home == Path("demo")
    monkeypatch.setenv("DISCREET_HOME", str(tmp_path))
    assert Settings().with_default_home(Path("demo")).home == tmp_path
    assert Settings(home=tmp_path).with_default_home(Path("demo")).home == tmp_path


def test_a_secret_named_by_the_policy_is_read_as_a_secret(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SHOP_WEBHOOK_URL", " https://hooks.example/x ")
    monkeypatch.setenv("SHOP_BLANK", " ")
    monkeypatch.delenv("SHOP_UNSET", raising=False)
    secret = secret_from_env("SHOP_WEBHOOK_URL")
    assert secret is not None and secret.get_secret_value() == "https://hooks.example/x"
    assert "hooks" not in repr(secret)
    assert secret_from_env("SHOP_BLANK") is None and secret_from_env("SHOP_UNSET") is None


def test_blanks_around_a_value_are_not_part_of_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DISCREET_UPSTREAM_API_KEY", " sk-pasted\n")
    monkeypatch.setenv("DISCREET_TENANT", " acme ")
    settings = Settings()
    assert settings.upstream_api_key is not None
    assert settings.upstream_api_key.get_secret_value() == "sk-pasted"
    assert settings.tenant == "acme"
