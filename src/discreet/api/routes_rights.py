"""Data-subject request endpoints (``/v1/rights/...``) and legal holds (``/v1/legal-holds``).

Translation only: the rules live in :mod:`discreet.rights`. The application supplies
the service and an `operator` dependency (its authentication) when it mounts the router.
An access request's archive is returned in the response and never stored.
"""

# No `from __future__ import annotations`: FastAPI must see the Annotated dependency
# aliases built inside the router factories, which string annotations would hide.
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Response
from pydantic import BaseModel, ConfigDict, Field, model_validator

from discreet.api.routes_consent import http_error, operator_context
from discreet.rights import (
    ErasureMismatch,
    HoldNotFound,
    RequestError,
    RequestKind,
    RequestNotFound,
    RequestState,
    RightsService,
)
from discreet.store.errors import StorageError
from discreet.vault import VaultError

RIGHTS_PURPOSE = "data_subject_request"
_Domain = (ValueError, VaultError, StorageError)


class RequestIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    subject_ref: str = Field(min_length=1, max_length=200)
    kind: RequestKind
    channel: str = Field(default="api", max_length=64)
    scope: str | None = Field(default=None, max_length=64)
    """Objections: the purpose objected to (none: all processing)."""


class ExecuteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    subject_ref: str = Field(min_length=1, max_length=200)
    changes: dict[str, str | None] | None = None
    """Rectification: field -> corrected value (null deletes the field)."""


class ExtendIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    months: int = Field(ge=1, le=2)
    reason: str = Field(min_length=1, max_length=500)


class RejectIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=500)


class HoldIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    subject_ref: str | None = Field(default=None, max_length=200)
    conversation_id: str | None = Field(default=None, max_length=200)
    reason: str = Field(min_length=1, max_length=500)

    @model_validator(mode="after")
    def _one_target(self) -> "HoldIn":
        if (self.subject_ref is None) == (self.conversation_id is None):
            raise ValueError("give either subject_ref or conversation_id")
        return self


def _error(exc: Exception) -> HTTPException:
    if isinstance(exc, RequestNotFound | HoldNotFound):
        return HTTPException(404, {"error": "not_found", "message": str(exc)})
    if isinstance(exc, RequestError):
        return HTTPException(409, {"error": "invalid_state", "message": str(exc)})
    if isinstance(exc, ErasureMismatch):
        return HTTPException(409, {"error": "subject_mismatch", "message": str(exc)})
    return http_error(exc)


def rights_router(service: Callable[[], RightsService], operator: Callable[..., str]) -> APIRouter:
    """The rights and legal-hold routes; `service` and `operator` are FastAPI dependencies."""
    router = APIRouter(tags=["rights"])
    Service = Annotated[RightsService, Depends(service)]
    Operator = Annotated[str, Depends(operator)]

    @router.post("/v1/rights/requests", status_code=201)
    def submit(body: RequestIn, svc: Service, actor: Operator) -> dict[str, Any]:
        ctx = operator_context(actor, RIGHTS_PURPOSE)
        try:
            return svc.submit(
                body.subject_ref, body.kind, channel=body.channel, scope=body.scope, ctx=ctx
            ).as_dict()
        except (*_Domain, RequestError, LookupError) as exc:
            raise _error(exc) from None

    @router.get("/v1/rights/requests")
    def list_requests(
        svc: Service, actor: Operator, state: RequestState | None = None
    ) -> list[dict[str, Any]]:
        return [request.as_dict() for request in svc.book.find(state=state)]

    @router.get("/v1/rights/overdue")
    def overdue(svc: Service, actor: Operator) -> list[dict[str, Any]]:
        return [request.as_dict() for request in svc.book.overdue()]

    @router.get("/v1/rights/requests/{request_id}")
    def show(request_id: str, svc: Service, actor: Operator) -> dict[str, Any]:
        try:
            return svc.book.get(request_id).as_dict()
        except RequestNotFound as exc:
            raise _error(exc) from None

    @router.post("/v1/rights/requests/{request_id}/verify")
    def verify(request_id: str, svc: Service, actor: Operator) -> dict[str, Any]:
        try:
            return svc.book.verify(
                request_id, ctx=operator_context(actor, RIGHTS_PURPOSE)
            ).as_dict()
        except (*_Domain, LookupError) as exc:
            raise _error(exc) from None

    @router.post("/v1/rights/requests/{request_id}/extend")
    def extend(request_id: str, body: ExtendIn, svc: Service, actor: Operator) -> dict[str, Any]:
        ctx = operator_context(actor, RIGHTS_PURPOSE)
        try:
            return svc.book.extend(request_id, body.months, body.reason, ctx=ctx).as_dict()
        except (*_Domain, LookupError) as exc:
            raise _error(exc) from None

    @router.post("/v1/rights/requests/{request_id}/reject")
    def reject(request_id: str, body: RejectIn, svc: Service, actor: Operator) -> dict[str, Any]:
        ctx = operator_context(actor, RIGHTS_PURPOSE)
        try:
            return svc.book.reject(request_id, body.reason, ctx=ctx).as_dict()
        except (*_Domain, LookupError) as exc:
            raise _error(exc) from None

    @router.post("/v1/rights/requests/{request_id}/execute", response_model=None)
    def execute(
        request_id: str, body: ExecuteIn, svc: Service, actor: Operator
    ) -> dict[str, Any] | Response:
        """Carry out the request. Access answers with the zip archive itself."""
        ctx = operator_context(actor, RIGHTS_PURPOSE)
        try:
            done = svc.execute(request_id, body.subject_ref, changes=body.changes, ctx=ctx)
        except (*_Domain, LookupError) as exc:
            raise _error(exc) from None
        if done.erasure is not None and not done.erasure.completed:
            raise HTTPException(
                409,
                {
                    "error": "legal_hold",
                    "message": "legal holds block this erasure; nothing was erased",
                    "holds": [hold.as_dict() for hold in done.erasure.blocked_by],
                    "request": done.request.as_dict(),
                },
            )
        if done.archive is not None:
            return Response(
                done.archive,
                media_type="application/zip",
                headers={
                    "Content-Disposition": f'attachment; filename="{request_id}.zip"',
                    "X-Discreet-Request": request_id,
                },
            )
        return done.request.as_dict()

    @router.post("/v1/rights/requests/{request_id}/lift")
    def lift(request_id: str, svc: Service, actor: Operator) -> dict[str, int]:
        ctx = operator_context(actor, RIGHTS_PURPOSE)
        try:
            return {"lifted": svc.lift(request_id, ctx=ctx)}
        except (*_Domain, LookupError) as exc:
            raise _error(exc) from None

    @router.post("/v1/legal-holds", status_code=201)
    def set_hold(body: HoldIn, svc: Service, actor: Operator) -> dict[str, Any]:
        ctx = operator_context(actor, "legal_hold")
        try:
            if body.subject_ref is not None:
                return svc.hold_subject(body.subject_ref, body.reason, ctx=ctx).as_dict()
            assert body.conversation_id is not None  # the validator allows nothing else
            return svc.hold_conversation(body.conversation_id, body.reason, ctx=ctx).as_dict()
        except (*_Domain, LookupError) as exc:
            raise _error(exc) from None

    @router.get("/v1/legal-holds")
    def list_holds(svc: Service, actor: Operator) -> list[dict[str, Any]]:
        return [hold.as_dict() for hold in svc.holds()]

    @router.delete("/v1/legal-holds/{hold_id}")
    def release(hold_id: int, svc: Service, actor: Operator) -> dict[str, Any]:
        try:
            return svc.release(hold_id, ctx=operator_context(actor, "legal_hold")).as_dict()
        except (*_Domain, LookupError) as exc:
            raise _error(exc) from None

    return router
