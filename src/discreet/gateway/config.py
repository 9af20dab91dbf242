"""Where the gateway sends turns: the settings first, then the policy, else embedded.

``DISCREET_UPSTREAM_URL`` (the name in the product docs) and ``DISCREET_UPSTREAM_BASE_URL``
(what the OpenAI SDK calls it) are both accepted; with either set, the other
``DISCREET_UPSTREAM_*`` settings apply (``_API_KEY``, ``_MODEL``, timeouts). Otherwise the
policy's ``upstream:`` block is used, its API key read from the variable it names. With
neither, None: the embedded assistant answers.
"""

from __future__ import annotations

from discreet.gateway.settings import UpstreamConfigError, UpstreamSettings
from discreet.policy import Policy
from discreet.settings import Settings, secret_from_env


def resolve_upstream(policy: Policy, settings: Settings) -> UpstreamSettings | None:
    """The upstream settings for this deployment, or None for the embedded assistant."""
    configured = UpstreamSettings.from_settings(settings)
    if configured is not None or policy.upstream is None:
        return configured
    spec = policy.upstream
    values: dict[str, object] = {
        "base_url": spec.base_url,
        "model": spec.model,
        "read_timeout": spec.timeout_s,
        "max_attempts": spec.max_retries + 1,
    }
    if spec.api_key_env:
        key = secret_from_env(spec.api_key_env)
        if key is None:
            raise UpstreamConfigError(
                f"the policy's upstream.api_key_env names {spec.api_key_env}, which is not set"
            )
        values["api_key"] = key
    return UpstreamSettings.model_validate(values)
