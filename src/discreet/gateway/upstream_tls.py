"""TLS towards the upstream: which CAs to trust and which client certificate to present.

``DISCREET_UPSTREAM_CA_BUNDLE`` (a PEM file of CA certificates) replaces the system's trust
store, for an upstream behind a private CA; ``DISCREET_UPSTREAM_CLIENT_CERT`` and
``_CLIENT_KEY`` (PEM) are presented to an upstream that authenticates the gateway by mutual
TLS. Loaded once when the client is built, so a wrong file fails at start-up with its name,
not on the first customer's turn.
"""

from __future__ import annotations

import ssl
from typing import Any

from discreet.gateway.settings import UpstreamConfigError, UpstreamSettings


def tls_options(settings: UpstreamSettings) -> dict[str, Any]:
    """Keyword arguments for `httpx.Client`/`AsyncClient` (empty: httpx's defaults)."""
    if settings.ca_bundle is None and settings.client_cert is None:
        if settings.client_key is not None:
            raise UpstreamConfigError("DISCREET_UPSTREAM_CLIENT_KEY needs _CLIENT_CERT too")
        return {}
    try:
        context = ssl.create_default_context(cafile=settings.ca_bundle)
    except (OSError, ssl.SSLError) as exc:
        raise UpstreamConfigError(
            f"the upstream CA bundle {settings.ca_bundle} does not load ({type(exc).__name__})"
        ) from None
    if settings.client_cert is not None:
        try:
            context.load_cert_chain(settings.client_cert, settings.client_key)
        except (OSError, ssl.SSLError) as exc:
            raise UpstreamConfigError(
                f"the upstream client certificate {settings.client_cert} does not load "
                f"({type(exc).__name__})"
            ) from None
    return {"verify": context}
