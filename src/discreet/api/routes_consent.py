"""Consent endpoints: ``POST`` and ``GET /v1/subjects/{ref}/consents``.

Translation only: the rules live in :mod:`discreet.consent`. The application supplies
the service and an `operator` dependency (its authentication) when it mounts the router.
"""

# No `from __future__ import annotations`: FastAPI must see the Annotated dependency
# aliases built inside the router factories, which string annotations would hide.
from collections.abc import Callable
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException
from pydantic import BaseModel, ConfigDict, Field

from discreet.audit.context import AccessContext, ActorKind, LegalBasis
from discreet.consent import ConsentService, ConsentState
from discreet.store.errors import StorageError
from discreet.vault import SubjectNotFound, VaultError

CONSENT_PURPOSE = "consent_management"


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


def http_error(exc: Exception) -> HTTPException:
    """Domain errors as HTTP answers; their messages name no values."""
    if isinstance(exc, SubjectNotFound):
        return HTTPException(404, {"error": "subject_not_found", "message": str(exc)})
    if isinstance(exc, StorageError | VaultError):
        return HTTPException(503, {"error": "store_unavailable", "message": str(exc)})
    return HTTPException(422, {"error": "invalid", "message": str(exc)})


def consent_router(
    service: Callable[[], ConsentService], operator: Callable[..., str]
) -> APIRouter:
    """The consent routes; `service` and `operator` are FastAPI dependencies."""
    router = APIRouter(prefix="/v1/subjects", tags=["consent"])
    Service = Annotated[ConsentService, Depends(service)]
    Operator = Annotated[str, Depends(operator)]

    @router.post("/{ref}/consents", status_code=201)
    def record_consent(ref: str, body: ConsentIn, svc: Service, actor: Operator) -> dict[str, Any]:
        ctx = operator_context(actor, CONSENT_PURPOSE)
        try:
            entry = svc.record(
                ref,
                body.purpose,
                ConsentState(body.state),
                notice_version=body.notice_version,
                channel=body.channel,
                ctx=ctx,
            )
        except (ValueError, VaultError, StorageError) as exc:
            raise http_error(exc) from None
        return entry.as_dict()

    @router.get("/{ref}/consents")
    def show_consents(ref: str, svc: Service, actor: Operator) -> dict[str, Any]:
        ctx = operator_context(actor, CONSENT_PURPOSE)
        try:
            return svc.show(ref, ctx=ctx).as_dict()
        except (ValueError, VaultError, StorageError) as exc:
            raise http_error(exc) from None

    return router
