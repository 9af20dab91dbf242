"""Where the gateway sends turns: environment first, then the policy, else embedded.

``DISCREET_UPSTREAM_URL`` (the name in the product docs) and ``DISCREET_UPSTREAM_BASE_URL``
(what `UpstreamSettings.from_env` reads) are both accepted; with either set, the other
``DISCREET_UPSTREAM_*`` variables apply (``_API_KEY``, ``_MODEL``, timeouts). Otherwise the
policy's ``upstream:`` block is used, its API key read from the variable it names. With
neither, None: the embedded assistant answers.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from discreet.gateway.settings import ENV_PREFIX, UpstreamConfigError, UpstreamSettings
from discreet.policy import Policy

URL_ALIAS = f"{ENV_PREFIX}URL"


def resolve_upstream(
    policy: Policy, environ: Mapping[str, str] | None = None
) -> UpstreamSettings | None:
    """The upstream settings for this deployment, or None for the embedded assistant."""
    env = dict(os.environ if environ is None else environ)
    alias = env.get(URL_ALIAS, "").strip()
    if alias and not env.get(f"{ENV_PREFIX}BASE_URL", "").strip():
        env[f"{ENV_PREFIX}BASE_URL"] = alias
    from_env = UpstreamSettings.from_env(env)
    if from_env is not None or policy.upstream is None:
        return from_env
    spec = policy.upstream
    values: dict[str, object] = {
        "base_url": spec.base_url,
        "model": spec.model,
        "read_timeout": spec.timeout_s,
        "max_attempts": spec.max_retries + 1,
    }
    if spec.api_key_env:
        key = env.get(spec.api_key_env, "").strip()
        if not key:
            raise UpstreamConfigError(
                f"the policy's upstream.api_key_env names {spec.api_key_env}, which is not set"
            )
        values["api_key"] = key
    return UpstreamSettings.model_validate(values)
