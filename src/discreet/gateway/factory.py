"""Assemble a `Gateway` over an open vault and a policy (`discreet.wiring.build_services`
builds it with the rest of the services)."""

from __future__ import annotations

from collections.abc import Mapping

from discreet.consent.decision import ConsentChecker
from discreet.conversations.fence import RunningErasures
from discreet.detect.detector import Detector
from discreet.gateway.backend import ChatBackend, create_backend
from discreet.gateway.config import resolve_upstream
from discreet.gateway.limits import TurnLimits
from discreet.gateway.turn import Gateway
from discreet.policy import Policy
from discreet.settings import Settings
from discreet.vault import Vault, open_vault
from discreet.vault.crypto import MasterKey

_WARM_UP = (
    "Hello, my name is Anna de Vries and I live at Dorpsstraat 12 in Utrecht. Could you "
    "tell me when my order arrives? You can reach me at anna@example.org."
)


def policy_field_categories(policy: Policy) -> dict[str, str]:
    """The policy's field -> data category table, for the vault's field catalog."""
    return {name: policy.category_of(name) for name in policy.all_fields}


def open_policy_vault(
    policy: Policy,
    settings: Settings | None = None,
    *,
    master_key: MasterKey | None = None,
    migrate: bool = False,
    categories: Mapping[str, str] | None = None,
) -> Vault:
    """The configured vault of the settings' tenant, its fields categorised by `policy`
    and then by `categories` (field -> data category, e.g. `subjects import --category`)."""
    settings = settings or Settings()
    return open_vault(
        settings,
        master_key=master_key,
        tenant=settings.tenant,
        categories={**policy_field_categories(policy), **(categories or {})},
        migrate=migrate,
        identifiers=policy.identifier_fields,
    )


def gateway_over(
    vault: Vault,
    policy: Policy,
    *,
    consent: ConsentChecker,
    erasures: RunningErasures,
    settings: Settings,
    backend: ChatBackend | None = None,
) -> Gateway:
    """A gateway over an open vault, asking `consent` on every turn and `erasures` before
    it stores one; the backend from the settings or the policy unless given, the turn
    limits from the settings. Raises `UpstreamConfigError` for a bad upstream setting."""
    chosen = backend or create_backend(resolve_upstream(policy, settings))
    detector = Detector(policy.detection)
    # One detection now loads what the first turn would otherwise wait for (language
    # identification model, NER's first batch), so the first customer is not slower.
    detector.detect(_WARM_UP)
    return Gateway(
        policy=policy,
        vault=vault,
        detector=detector,
        backend=chosen,
        erasures=erasures,
        consent=consent,
        limits=TurnLimits.from_settings(settings),
    )
