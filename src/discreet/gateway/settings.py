"""Where the gateway sends turns: an OpenAI-compatible upstream, or the embedded assistant.

Built by `UpstreamSettings.from_settings` from these ``DISCREET_*`` settings (read from
the environment, once, by `discreet.settings.Settings`):

=====================================  =================================================
``DISCREET_UPSTREAM_BASE_URL``         base URL as the OpenAI SDK takes it (or
                                       ``DISCREET_UPSTREAM_URL``), usually ending
                                       in ``/v1`` (``https://api.openai.com/v1``); the
                                       client posts to ``<base>/chat/completions``. Unset
                                       or empty: the embedded assistant answers.
``DISCREET_UPSTREAM_API_KEY``          bearer token; optional (local servers need none)
``DISCREET_UPSTREAM_MODEL``            model name sent upstream (required with a URL)
``DISCREET_UPSTREAM_CONNECT_TIMEOUT``  seconds, default 5
``DISCREET_UPSTREAM_READ_TIMEOUT``     seconds between bytes, default 60
``DISCREET_UPSTREAM_MAX_ATTEMPTS``     requests per turn including retries, default 3
=====================================  =================================================
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator

from discreet.errors import InvalidInput
from discreet.settings import Settings, variable_problems

ENV_PREFIX = "DISCREET_UPSTREAM_"


class UpstreamConfigError(InvalidInput, ValueError):
    """The upstream settings are invalid; names the fields, never their values."""


class UpstreamSettings(BaseModel):
    """Connection, timeout and retry settings for one OpenAI-compatible upstream."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    base_url: str
    model: str = Field(min_length=1)
    api_key: SecretStr | None = None  # SecretStr: never shown in repr() or logs
    connect_timeout: float = Field(default=5.0, gt=0)
    read_timeout: float = Field(default=60.0, gt=0)
    max_attempts: int = Field(default=3, ge=1, le=10)
    backoff_initial: float = Field(default=0.5, ge=0)  # first retry delay, then doubled
    backoff_max: float = Field(default=8.0, ge=0)
    retry_after_cap: float = Field(default=20.0, ge=0)  # longest Retry-After we wait out
    # TLS towards the upstream (see gateway/upstream_tls.py): a private CA, and a client
    # certificate for upstreams that authenticate the gateway by mutual TLS.
    ca_bundle: Path | None = None
    client_cert: Path | None = None
    client_key: Path | None = None
    max_answer_bytes: int = Field(default=1_000_000, ge=1)  # larger answers: 502

    @field_validator("base_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError("base_url must be an http(s) URL")
        return value.rstrip("/")

    @property
    def completions_url(self) -> str:
        return f"{self.base_url}/chat/completions"

    @classmethod
    def from_settings(cls, settings: Settings) -> UpstreamSettings | None:
        """The ``DISCREET_UPSTREAM_*`` settings checked; None when no URL is configured."""
        base_url = settings.upstream_endpoint
        if base_url is None:
            return None
        given = {
            "model": settings.upstream_model or "",
            "api_key": settings.upstream_api_key,
            "connect_timeout": settings.upstream_connect_timeout,
            "read_timeout": settings.upstream_read_timeout,
            "max_attempts": settings.upstream_max_attempts,
            "ca_bundle": settings.upstream_ca_bundle,
            "client_cert": settings.upstream_client_cert,
            "client_key": settings.upstream_client_key,
        }
        values = {k: v for k, v in given.items() if v is not None}
        try:
            return cls.model_validate({"base_url": base_url.strip(), **values})
        except ValidationError as exc:
            problems = variable_problems(exc, ENV_PREFIX)
            raise UpstreamConfigError(f"invalid upstream settings: {problems}") from None
