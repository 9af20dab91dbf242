"""Consent endpoints: ``POST`` and ``GET /v1/subjects/{ref}/consents``.

Translation only: the rules live in :mod:`discreet.consent`. The application supplies
the service and an `operator` dependency (its authentication) when it mounts the router.
Errors are raised as `DiscreetError`s and answered by the app's one error map
(`api.contract.install_error_format`).
"""

# No `from __future__ import annotations`: FastAPI must see the Annotated dependency
# aliases built inside the router factories, which string annotations would hide.
from collections.abc import Callable
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path
from pydantic import BaseModel, ConfigDict, Field

from discreet.api.responses import ConsentOverview, ConsentRecordOut
from discreet.audit.context import AccessContext, ActorKind, LegalBasis
from discreet.consent import ConsentService, ConsentState

CONSENT_PURPOSE = "consent_management"
MAX_REF = 200
SubjectRef = Annotated[
    str, Path(min_length=1, max_length=MAX_REF, description="The customer's reference.")
]


class ConsentIn(BaseModel):
    """A grant or a withdrawal, as recorded."""

    model_config = ConfigDict(extra="forbid")

    purpose: str = Field(max_length=64)
    state: Literal["granted", "withdrawn"]
    notice_version: str = Field(max_length=64)
    channel: str = Field(max_length=64)


def operator_context(actor: str, purpose: str) -> AccessContext:
    """Requests made through the API on the controller's legal obligation (arts. 7, 12)."""
    return AccessContext(
        actor=actor,
        purpose=purpose,
        legal_basis=LegalBasis.LEGAL_OBLIGATION,
        actor_kind=ActorKind.API_KEY,
    )


def consent_router(
    service: Callable[[], ConsentService], operator: Callable[..., str]
) -> APIRouter:
    """The consent routes; `service` and `operator` are FastAPI dependencies."""
    router = APIRouter(prefix="/v1/subjects", tags=["consent"])
    Service = Annotated[ConsentService, Depends(service)]
    Operator = Annotated[str, Depends(operator)]

    @router.post("/{ref}/consents", status_code=201, response_model=ConsentRecordOut)
    def record_consent(
        ref: SubjectRef, body: ConsentIn, svc: Service, actor: Operator
    ) -> dict[str, Any]:
        entry = svc.record(
            ref,
            body.purpose,
            ConsentState(body.state),
            notice_version=body.notice_version,
            channel=body.channel,
            ctx=operator_context(actor, CONSENT_PURPOSE),
        )
        return entry.as_dict()

    @router.get("/{ref}/consents", response_model=ConsentOverview)
    def show_consents(ref: SubjectRef, svc: Service, actor: Operator) -> dict[str, Any]:
        return svc.show(ref, ctx=operator_context(actor, CONSENT_PURPOSE)).as_dict()

    return router
