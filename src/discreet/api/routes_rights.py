"""Data-subject request endpoints (``/v1/rights/...``) and legal holds (``/v1/legal-holds``).

Translation only: the rules live in :mod:`discreet.rights`. The application supplies
the service and an `operator` dependency (its authentication) when it mounts the router.
Errors are raised as `DiscreetError`s and answered by the app's one error map
(`api.contract.install_error_format`).
An access request's archive is returned in the response and never stored.
"""

# No `from __future__ import annotations`: FastAPI must see the Annotated dependency
# aliases built inside the router factories, which string annotations would hide.
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Response
from pydantic import BaseModel, ConfigDict, Field, model_validator

from discreet.api.contract import ErrorResponse
from discreet.api.responses import LegalHoldOut, Lifted, RightsRequestOut
from discreet.api.routes_consent import operator_context
from discreet.rights import ErasureBlocked, RequestState, RightsService

RIGHTS_PURPOSE = "data_subject_request"
RequestId = Annotated[str, Path(min_length=1, max_length=64)]
# Hold ids are the store's 64-bit integers: a larger number is a 400 naming the
# parameter, not the store's overflow.
HoldId = Annotated[int, Path(ge=1, le=2**63 - 1)]


class RequestIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    subject_ref: str = Field(min_length=1, max_length=200)
    kind: str = Field(
        min_length=1,
        max_length=32,
        description="access, rectification, erasure, restriction or objection; where the "
        "policy names the CCPA also know, delete, correct or opt_out (an objection to "
        "sale_sharing). Deadlines follow the policy's jurisdictions.",
    )
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

    subject_ref: str | None = Field(default=None, min_length=1, max_length=200)
    conversation_id: str | None = Field(default=None, min_length=1, max_length=200)
    reason: str = Field(min_length=1, max_length=500)

    @model_validator(mode="after")
    def _one_target(self) -> "HoldIn":
        if (self.subject_ref is None) == (self.conversation_id is None):
            raise ValueError("give either subject_ref or conversation_id")
        return self


def rights_router(service: Callable[[], RightsService], operator: Callable[..., str]) -> APIRouter:
    """The rights and legal-hold routes; `service` and `operator` are FastAPI dependencies."""
    router = APIRouter(tags=["rights"])
    Service = Annotated[RightsService, Depends(service)]
    Operator = Annotated[str, Depends(operator)]

    @router.post("/v1/rights/requests", status_code=201, response_model=RightsRequestOut)
    def submit(body: RequestIn, svc: Service, actor: Operator) -> dict[str, Any]:
        ctx = operator_context(actor, RIGHTS_PURPOSE)
        kind, scope = svc.parse_kind(body.kind, body.scope)
        return svc.submit(
            body.subject_ref, kind, channel=body.channel, scope=scope, ctx=ctx
        ).as_dict()

    @router.get("/v1/rights/requests", response_model=list[RightsRequestOut])
    def list_requests(
        svc: Service, actor: Operator, state: RequestState | None = None
    ) -> list[dict[str, Any]]:
        return [request.as_dict() for request in svc.book.find(state=state)]

    @router.get("/v1/rights/overdue", response_model=list[RightsRequestOut])
    def overdue(svc: Service, actor: Operator) -> list[dict[str, Any]]:
        return [request.as_dict() for request in svc.book.overdue()]

    @router.get("/v1/rights/requests/{request_id}", response_model=RightsRequestOut)
    def show(request_id: RequestId, svc: Service, actor: Operator) -> dict[str, Any]:
        return svc.book.get(request_id).as_dict()

    @router.post("/v1/rights/requests/{request_id}/verify", response_model=RightsRequestOut)
    def verify(request_id: RequestId, svc: Service, actor: Operator) -> dict[str, Any]:
        ctx = operator_context(actor, RIGHTS_PURPOSE)
        return svc.book.verify(request_id, ctx=ctx).as_dict()

    @router.post("/v1/rights/requests/{request_id}/extend", response_model=RightsRequestOut)
    def extend(
        request_id: RequestId, body: ExtendIn, svc: Service, actor: Operator
    ) -> dict[str, Any]:
        ctx = operator_context(actor, RIGHTS_PURPOSE)
        return svc.book.extend(request_id, body.months, body.reason, ctx=ctx).as_dict()

    @router.post("/v1/rights/requests/{request_id}/reject", response_model=RightsRequestOut)
    def reject(
        request_id: RequestId, body: RejectIn, svc: Service, actor: Operator
    ) -> dict[str, Any]:
        ctx = operator_context(actor, RIGHTS_PURPOSE)
        return svc.book.reject(request_id, body.reason, ctx=ctx).as_dict()

    @router.post(
        "/v1/rights/requests/{request_id}/execute",
        response_model=RightsRequestOut,
        responses={
            200: {"content": {"application/zip": {}}, "description": "The request, "
                  "completed; an access request answers with the zip archive itself."},
            409: {"model": ErrorResponse, "description": "Wrong state, another subject's "
                  "reference, or (code legal_hold) legal holds block the erasure: the "
                  "request is then blocked_by_hold until they are released."},
        },
    )  # fmt: skip
    def execute(request_id: RequestId, body: ExecuteIn, svc: Service, actor: Operator) -> Any:
        """Carry out the request. Access answers with the zip archive itself."""
        ctx = operator_context(actor, RIGHTS_PURPOSE)
        done = svc.execute(request_id, body.subject_ref, changes=body.changes, ctx=ctx)
        if done.erasure is not None and not done.erasure.completed:
            raise ErasureBlocked(
                "legal holds block this erasure; nothing was erased. It resumes when they "
                "are released (execute the request again)",
                details={
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

    @router.post("/v1/rights/requests/{request_id}/lift", response_model=Lifted)
    def lift(request_id: RequestId, svc: Service, actor: Operator) -> dict[str, int]:
        return {"lifted": svc.lift(request_id, ctx=operator_context(actor, RIGHTS_PURPOSE))}

    @router.post("/v1/legal-holds", status_code=201, response_model=LegalHoldOut)
    def set_hold(body: HoldIn, svc: Service, actor: Operator) -> dict[str, Any]:
        ctx = operator_context(actor, "legal_hold")
        if body.subject_ref is not None:
            return svc.hold_subject(body.subject_ref, body.reason, ctx=ctx).as_dict()
        assert body.conversation_id is not None  # the validator allows nothing else
        return svc.hold_conversation(body.conversation_id, body.reason, ctx=ctx).as_dict()

    @router.get("/v1/legal-holds", response_model=list[LegalHoldOut])
    def list_holds(svc: Service, actor: Operator) -> list[dict[str, Any]]:
        return [hold.as_dict() for hold in svc.holds()]

    @router.delete("/v1/legal-holds/{hold_id}", response_model=LegalHoldOut)
    def release(hold_id: HoldId, svc: Service, actor: Operator) -> dict[str, Any]:
        """Release a hold; erasures it blocked resume when executed again."""
        return svc.release(hold_id, ctx=operator_context(actor, "legal_hold")).as_dict()

    return router
