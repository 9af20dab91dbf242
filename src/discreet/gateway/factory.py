"""Assemble a `Gateway` from settings and a policy (for `discreet serve` and benchmarks)."""

from __future__ import annotations

from collections.abc import Mapping

from discreet.detect.detector import Detector
from discreet.gateway.backend import ChatBackend, create_backend
from discreet.gateway.config import resolve_upstream
from discreet.gateway.consent import ConsentChecker
from discreet.gateway.turn import Gateway
from discreet.policy import Policy
from discreet.settings import Settings
from discreet.vault import open_vault
from discreet.vault.crypto import MasterKey

_WARM_UP = (
    "Hello, my name is Anna de Vries and I live at Dorpsstraat 12 in Utrecht. Could you "
    "tell me when my order arrives? You can reach me at anna@example.org."
)


def policy_field_categories(policy: Policy) -> dict[str, str]:
    """The policy's field -> data category table, for the vault's field catalog."""
    return {name: policy.category_of(name) for name in policy.all_fields}


def build_gateway(
    policy: Policy,
    settings: Settings | None = None,
    *,
    master_key: MasterKey | None = None,
    backend: ChatBackend | None = None,
    consent: ConsentChecker | None = None,
    migrate: bool = False,
    environ: Mapping[str, str] | None = None,
) -> Gateway:
    """A gateway over the configured vault; the backend from env/policy unless given, and
    the consent records of the same data store unless `consent` is given.

    Raises the vault's start-up errors (missing master key, store unavailable) and
    `UpstreamConfigError`, so a server refuses to start rather than fail per turn.
    """
    settings = settings or Settings()
    vault = open_vault(
        settings,
        master_key=master_key,
        tenant=settings.tenant,
        categories=policy_field_categories(policy),
        migrate=migrate,
        identifiers=policy.identifier_fields,
    )
    try:
        chosen = backend or create_backend(resolve_upstream(policy, environ))
        detector = Detector(policy.detection)
        # One detection now loads what the first turn would otherwise wait for (language
        # identification model, NER's first batch), so the first customer is not slower.
        detector.detect(_WARM_UP)
        if consent is None:
            # Imported here: discreet.consent builds on the gateway's ConsentChecker type.
            from discreet.consent import ConsentGate

            consent = ConsentGate.for_vault(vault)
    except Exception:
        vault.close()
        raise
    return Gateway(policy=policy, vault=vault, detector=detector, backend=chosen, consent=consent)
