"""The console's pages and forms. Each names the permission it needs (checked by
:mod:`discreet.console.web` through :func:`discreet.console.roles.require`), calls the
domain services, audits the action with the signed-in user as actor, and renders.

Customer references (what a subject is opened by) travel in form bodies only, never in
URLs, so they do not end up in browser history, proxies' logs or Referer headers.
"""

# No `from __future__ import annotations`: FastAPI reads the Annotated dependencies.
import io
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response

from discreet.audit import AccessContext, AuditEntry, LegalBasis, Outcome, VerifyResult
from discreet.audit.export import ExportFormat, export_entries
from discreet.console import activity, views
from discreet.console.charts import Bar, day_columns, hbar_chart
from discreet.console.errors import AccountInputError
from discreet.console.reveals import REASONS
from discreet.console.roles import Permission as P
from discreet.console.roles import Role, allows
from discreet.console.sessions import Session
from discreet.console.web import Acts, Needs, Web, redirect
from discreet.conversations.apikeys import KeyRole
from discreet.errors import (
    Conflict,
    DiscreetError,
    InvalidInput,
    NotFound,
    Unavailable,
    parse_choice,
)
from discreet.policy.explain import explain_assistant
from discreet.retention import forecast
from discreet.rights import (
    ErasureMismatch,
    HoldNotFound,
    RequestError,
    RequestKind,
    RequestNotFound,
    RequestState,
)
from discreet.store.errors import StorageError
from discreet.vault import SubjectNotFound, VaultError

SUBJECT_PURPOSES = {
    activity.RIGHTS: "handling a data-subject request",
    "complaint_handling": "handling a complaint",
    "legal_claim": "establishing or defending a legal claim",
    activity.OVERSIGHT: "privacy oversight (audit, DPIA, incident)",
}
"""Why a subject is opened: the purpose of every read the page makes."""

Ref = Annotated[str, Form(min_length=1, max_length=200)]
Reason = Annotated[str, Form(min_length=1, max_length=500)]
Username = Annotated[str, Form(min_length=1, max_length=64)]


@dataclass(frozen=True, slots=True)
class AuditSearch:
    """The audit log search, from the query string (the search page and its export)."""

    actor: str = ""
    subject: str = ""
    action: str = ""
    since: str = ""
    until: str = ""


@contextmanager
def domain_errors() -> Iterator[None]:
    """Domain failures as the console's error tree (their messages carry no values)."""
    try:
        yield
    except DiscreetError:
        raise
    except (SubjectNotFound, RequestNotFound, HoldNotFound) as exc:
        raise NotFound(str(exc)) from None
    except (RequestError, ErasureMismatch) as exc:
        raise Conflict(str(exc)) from None
    except (StorageError, VaultError) as exc:
        raise Unavailable(f"a store is unavailable: {type(exc).__name__}") from None
    except (ValueError, LookupError) as exc:
        raise InvalidInput(str(exc)) from None


def _date(value: str, what: str) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value).replace(tzinfo=UTC)
    except ValueError:
        raise InvalidInput(f"{what} must be a date like 2026-12-31") from None


def _changes(text: str) -> dict[str, str | None]:
    """A rectification's corrections, one ``field = value`` a line (no value: delete)."""
    changes: dict[str, str | None] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        name, sep, value = line.partition("=")
        if not sep or not name.strip():
            raise InvalidInput(f"changes, line {number}: write field = value")
        changes[name.strip()] = value.strip() or None
    return changes


def pages_router(web: Web) -> APIRouter:
    services = web.services
    router = APIRouter()

    def ctx(
        session: Session, purpose: str, basis: LegalBasis = LegalBasis.LEGAL_OBLIGATION
    ) -> AccessContext:
        return activity.staff_context(session.username, purpose, basis)

    def revealing(session: Session, reason: str) -> AccessContext:
        """A read the user asked to see for ``reason`` (one of `REASONS`)."""
        return ctx(session, reason, LegalBasis.LEGITIMATE_INTERESTS)

    def administer(session: Session, action: str, **details: str | int | bool) -> None:
        """Audit a look at or a change to what the console administers (policy, API keys,
        accounts): its purpose is administration, not a customer."""
        admin = ctx(session, activity.ADMINISTRATION)
        activity.record(services.audit, services.tenant, admin, action, details=details)

    def audit(
        session: Session,
        action: str,
        *,
        purpose: str = activity.OVERSIGHT,
        subject: str | None = None,
        outcome: Outcome = Outcome.OK,
        **details: str | int | bool,
    ) -> None:
        activity.record(
            services.audit,
            services.tenant,
            ctx(session, purpose),
            action,
            outcome=outcome,
            subject=subject,
            details=details,
        )

    def reveal(
        session: Session,
        reason: str,
        note: str,
        item: str,
        *,
        subject: str | None,
        conversation_id: str | None = None,
    ) -> None:
        """Grant the user a timed look at the subject's field ``item`` or, with
        ``conversation_id``, at that conversation's token ``item``, and audit it as a
        read for ``reason``."""
        minutes = services.policy.console.reveal_minutes
        if conversation_id is None:
            target: dict[str, str | None] = {"subject_id": subject}
            shown = {"field": item}
        else:
            target = {"conversation_id": conversation_id}
            shown = {"conversation": conversation_id, "token": item}
        with domain_errors():
            grant = services.reveals.grant(
                services.tenant,
                session.username,
                item=item,
                reason=reason,
                note=note,
                minutes=minutes,
                **target,
            )
        activity.record(
            services.audit,
            services.tenant,
            revealing(session, reason),
            "console.reveal",
            subject=subject,
            details={"grant": grant.id, **shown, "minutes": minutes},
        )

    # --- overview ----------------------------------------------------------------------

    @router.get("/", response_class=HTMLResponse)
    def overview(request: Request, session: Annotated[Session, Needs(web, P.OVERVIEW)]) -> Response:
        now = services.accounts.now()
        role = session.role
        context: dict[str, Any] = {}
        if allows(role, P.REQUESTS_VIEW):
            with domain_errors():
                items = [views.queue_item(r, now) for r in services.rights.book.find() if r.is_open]
            items.sort(key=lambda i: i.request.due_at)
            context["open_requests"] = items
            context["deadline_chart"] = hbar_chart(
                "Open requests by deadline", views.deadline_bars(items)
            )
        if allows(role, P.GUARD_VIEW):
            days = views.guard_days(services, now)
            context["guard_chart"] = day_columns("Guard blocks and handoffs per day", days)
            context["guard_totals"] = (sum(d[1] for d in days), sum(d[2] for d in days))
        if allows(role, P.CONSENT_VIEW):
            registry = services.rights.consent.registry
            with domain_errors():
                counts = [
                    Bar(purpose, len(registry.subjects_with_grant(purpose)))
                    for purpose in services.policy.purposes
                ]
            context["consent_chart"] = hbar_chart("Customers with consent, per purpose", counts)
        if allows(role, P.AUDIT_VIEW):
            with domain_errors():
                context["chain"], context["chain_at"] = web.chain_status()
        if allows(role, P.AUDIT_VIEW):  # incidents: the privacy officer's and auditor's
            with domain_errors():
                context["incidents"] = views.open_incidents(services, now)
        if allows(role, P.GUARD_VIEW):
            with domain_errors():
                context["analytics"] = views.analytics_summary(services)
        if allows(role, P.USERS_MANAGE):
            with domain_errors():
                context["accounts"] = len(services.accounts.accounts())
                context["active_keys"] = sum(1 for k in services.api_keys.list() if not k.revoked)
        if allows(role, P.RETENTION_VIEW) and services.retention is not None:
            with domain_errors():
                result = forecast(
                    services.retention.data,
                    services.policy,
                    holders=services.retention.holders,
                    tenant=services.tenant,
                    clock=services.clock,
                    horizon_days=30,
                )
            totals: dict[str, int] = {}
            for line in result.lines:
                if line.when != "later":
                    totals[line.kind] = totals.get(line.kind, 0) + line.count - line.held
            context["retention_chart"] = hbar_chart(
                "Deleted by retention in the next 30 days",
                [Bar(kind, count, "bar-muted") for kind, count in sorted(totals.items())],
            )
        audit(session, "console.overview.view")
        return web.render(request, "overview.html", session=session, now=now, **context)

    # --- rights requests ---------------------------------------------------------------

    @router.get("/requests", response_class=HTMLResponse)
    def queue(
        request: Request,
        session: Annotated[Session, Needs(web, P.REQUESTS_VIEW)],
        state: str = "",
        kind: str = "",
        overdue: str = "",
    ) -> Response:
        now = services.accounts.now()
        chosen_state = parse_choice(state, RequestState, "state") if state else None
        chosen_kind = parse_choice(kind, RequestKind, "kind") if kind else None
        with domain_errors():
            found = services.rights.book.find(state=chosen_state)
        items = [
            views.queue_item(r, now)
            for r in found
            if (chosen_kind is None or r.kind is chosen_kind) and (not overdue or r.overdue_at(now))
        ]
        items.sort(key=lambda i: i.request.due_at)
        audit(session, "console.requests.view", purpose=activity.RIGHTS, shown=len(items))
        return web.render(
            request,
            "requests.html",
            session=session,
            items=items,
            states=[s.value for s in RequestState],
            kinds=[k.value for k in RequestKind],
            state=state,
            kind=kind,
            overdue=bool(overdue),
        )

    def request_page(
        request: Request,
        session: Session,
        request_id: str,
        *,
        error: str | None = None,
        notice: str | None = None,
        status: int = 200,
    ) -> Response:
        with domain_errors():
            item = services.rights.book.get(request_id)
            steps = views.timeline(services, item)
        audit(
            session,
            "console.request.view",
            purpose=activity.RIGHTS,
            subject=item.subject_id,
            request=item.id,
        )
        return web.render(
            request,
            "request.html",
            session=session,
            item=views.queue_item(item, services.accounts.now()),
            steps=steps,
            record=views.pretty(item.result) if item.result is not None else None,
            error=error,
            notice=notice,
            status=status,
        )

    @router.get("/requests/{request_id}", response_class=HTMLResponse)
    def show_request(
        request: Request,
        request_id: str,
        session: Annotated[Session, Needs(web, P.REQUESTS_VIEW)],
    ) -> Response:
        return request_page(request, session, request_id)

    @router.post("/requests")
    def submit_request(
        session: Annotated[Session, Acts(web, P.REQUESTS_MANAGE)],
        subject_ref: Ref,
        kind: Annotated[str, Form()],
        scope: Annotated[str, Form(max_length=64)] = "",
    ) -> Response:
        with domain_errors():
            made = services.rights.submit(
                subject_ref,
                parse_choice(kind, RequestKind, "kind"),
                channel="console",
                scope=scope or None,
                ctx=ctx(session, activity.RIGHTS),
            )
        return redirect(f"/requests/{made.id}")

    @router.post("/requests/{request_id}/verify")
    def verify_request(
        request_id: str, session: Annotated[Session, Acts(web, P.REQUESTS_MANAGE)]
    ) -> Response:
        with domain_errors():
            services.rights.book.verify(request_id, ctx=ctx(session, activity.RIGHTS))
        return redirect(f"/requests/{request_id}")

    @router.post("/requests/{request_id}/extend")
    def extend_request(
        request_id: str,
        session: Annotated[Session, Acts(web, P.REQUESTS_MANAGE)],
        reason: Reason,
        months: Annotated[int, Form(ge=1, le=2)] = 1,
    ) -> Response:
        with domain_errors():
            services.rights.book.extend(
                request_id, months, reason, ctx=ctx(session, activity.RIGHTS)
            )
        return redirect(f"/requests/{request_id}")

    @router.post("/requests/{request_id}/reject")
    def reject_request(
        request_id: str,
        session: Annotated[Session, Acts(web, P.REQUESTS_MANAGE)],
        reason: Reason,
    ) -> Response:
        with domain_errors():
            services.rights.book.reject(request_id, reason, ctx=ctx(session, activity.RIGHTS))
        return redirect(f"/requests/{request_id}")

    def archive_response(request_id: str, archive: bytes) -> Response:
        return Response(
            archive,
            media_type="application/zip",
            headers={"Content-Disposition": f'attachment; filename="{request_id}.zip"'},
        )

    @router.post("/requests/{request_id}/execute")
    def execute_request(
        request: Request,
        request_id: str,
        session: Annotated[Session, Acts(web, P.REQUESTS_MANAGE)],
        subject_ref: Ref,
        changes: Annotated[str, Form(max_length=20_000)] = "",
    ) -> Response:
        corrected = _changes(changes) if changes.strip() else None
        with domain_errors():
            done = services.rights.execute(
                request_id, subject_ref, changes=corrected, ctx=ctx(session, activity.RIGHTS)
            )
        if done.erasure is not None and not done.erasure.completed:
            return request_page(
                request,
                session,
                request_id,
                error="Legal holds block this erasure; nothing was erased. Holds: "
                + ", ".join(f"#{h.id}" for h in done.erasure.blocked_by),
                status=409,
            )
        if done.archive is not None:
            return archive_response(request_id, done.archive)
        return redirect(f"/requests/{request_id}")

    @router.post("/requests/{request_id}/archive")
    def download_archive(
        request_id: str,
        session: Annotated[Session, Acts(web, P.REQUESTS_MANAGE)],
        subject_ref: Ref,
    ) -> Response:
        """The access archive again (it is never stored: it is made anew)."""
        with domain_errors():
            item = services.rights.book.get(request_id)
            if item.kind is not RequestKind.ACCESS:
                raise Conflict("only access requests have an archive")
            context = ctx(session, activity.RIGHTS)
            if services.vault.subject_id(subject_ref, ctx=context) != item.subject_id:
                raise Conflict("that reference belongs to another subject than the request's")
            archive = services.rights.export(subject_ref, ctx=context).archive()
        audit(
            session,
            "console.request.archive",
            purpose=activity.RIGHTS,
            subject=item.subject_id,
            request=item.id,
            archive_bytes=len(archive),
        )
        return archive_response(request_id, archive)

    # --- subject -----------------------------------------------------------------------

    @router.get("/subject", response_class=HTMLResponse)
    def subject_form(
        request: Request, session: Annotated[Session, Needs(web, P.SUBJECT_VIEW)]
    ) -> Response:
        return web.render(request, "subject_open.html", session=session, purposes=SUBJECT_PURPOSES)

    def subject_page(
        request: Request, session: Session, ref: str, purpose: str, *, notice: str = ""
    ) -> Response:
        if purpose not in SUBJECT_PURPOSES:
            raise InvalidInput("purpose is not one of the listed purposes")
        context = ctx(session, purpose)
        with domain_errors():
            consent = services.rights.consent.show(ref, ctx=context)
            subject_id = consent.subject_id
            holds = [h for h in services.rights.holds() if h.subject_id == subject_id]
            requests = services.rights.book.find(subject_id=subject_id)
            conversations = views.subject_conversations(services, subject_id)
            grants = services.reveals.active(
                services.tenant, session.username, subject_id=subject_id
            )
            revealed: dict[str, tuple[str | None, datetime]] = {}
            for grant in grants:
                seen = services.vault.get_subject(
                    ref,
                    ctx=revealing(session, grant.reason),
                    fields=[grant.item],
                )
                revealed[grant.item] = (seen.fields.get(grant.item), grant.expires_at)
        fields = {
            category: [
                views.FieldView(
                    name,
                    category,
                    name in revealed,
                    revealed[name][0] if name in revealed else None,
                    revealed[name][1] if name in revealed else None,
                )
                for name in spec.fields
            ]
            for category, spec in services.policy.data_categories.items()
        }
        audit(session, "console.subject.view", purpose=purpose, subject=subject_id)
        now = services.accounts.now()
        return web.render(
            request,
            "subject.html",
            session=session,
            ref=ref,
            purpose=purpose,
            purposes=SUBJECT_PURPOSES,
            subject_id=subject_id,
            consent=consent,
            holds=holds,
            requests=[views.queue_item(r, now) for r in requests],
            conversations=conversations,
            fields=fields,
            reasons=REASONS,
            kinds=[k.value for k in RequestKind],
            notice=notice,
            reveal_minutes=services.policy.console.reveal_minutes,
        )

    @router.post("/subject", response_class=HTMLResponse)
    def open_subject(
        request: Request,
        session: Annotated[Session, Acts(web, P.SUBJECT_VIEW)],
        subject_ref: Ref,
        purpose: Annotated[str, Form()] = activity.RIGHTS,
    ) -> Response:
        return subject_page(request, session, subject_ref, purpose)

    @router.post("/subject/reveal", response_class=HTMLResponse)
    def reveal_field(
        request: Request,
        session: Annotated[Session, Acts(web, P.SUBJECT_REVEAL)],
        subject_ref: Ref,
        field: Annotated[str, Form(max_length=64)],
        reason: Annotated[str, Form(max_length=64)],
        note: Annotated[str, Form(max_length=500)] = "",
        purpose: Annotated[str, Form()] = activity.RIGHTS,
    ) -> Response:
        if field not in services.policy.all_fields:
            raise InvalidInput("field is not a field of the policy")
        with domain_errors():
            subject_id = services.vault.subject_id(subject_ref, ctx=ctx(session, purpose))
        reveal(session, reason, note, field, subject=subject_id)
        return subject_page(request, session, subject_ref, purpose, notice=f"{field} revealed")

    @router.post("/subject/hold", response_class=HTMLResponse)
    def hold_subject(
        request: Request,
        session: Annotated[Session, Acts(web, P.HOLDS_MANAGE)],
        subject_ref: Ref,
        reason: Reason,
        purpose: Annotated[str, Form()] = activity.RIGHTS,
    ) -> Response:
        with domain_errors():
            services.rights.hold_subject(subject_ref, reason, ctx=ctx(session, "legal_hold"))
        return subject_page(request, session, subject_ref, purpose, notice="legal hold set")

    @router.post("/subject/release", response_class=HTMLResponse)
    def release_hold(
        request: Request,
        session: Annotated[Session, Acts(web, P.HOLDS_MANAGE)],
        subject_ref: Ref,
        hold_id: Annotated[int, Form()],
        purpose: Annotated[str, Form()] = activity.RIGHTS,
    ) -> Response:
        with domain_errors():
            subject_id = services.vault.subject_id(subject_ref, ctx=ctx(session, purpose))
            if not any(
                h.id == hold_id and h.subject_id == subject_id for h in services.rights.holds()
            ):
                raise NotFound("no active hold with that id on this subject")
            services.rights.release(hold_id, ctx=ctx(session, "legal_hold"))
        return subject_page(request, session, subject_ref, purpose, notice="legal hold released")

    # --- conversations -----------------------------------------------------------------

    @router.get("/conversations", response_class=HTMLResponse)
    def conversations(
        request: Request, session: Annotated[Session, Needs(web, P.CONVERSATIONS_VIEW)]
    ) -> Response:
        with domain_errors():
            rows = views.recent_conversations(services, services.accounts.now())
        audit(session, "console.conversations.view", shown=len(rows))
        return web.render(request, "conversations.html", session=session, rows=rows)

    @router.get("/conversation", response_class=HTMLResponse)
    def conversation(
        request: Request,
        session: Annotated[Session, Needs(web, P.CONVERSATIONS_VIEW)],
        id: str = "",
    ) -> Response:
        if not id or len(id) > 200:
            raise InvalidInput("id: give a conversation id (1 to 200 characters)")
        with domain_errors():
            state = services.states.get(id)
            messages = services.transcripts.messages(id)
            if state is None and not messages:
                raise NotFound("no such conversation")
            since = state.created_at if state is not None else messages[0].created_at
            subject = state.subject if state is not None else None
            turns = views.conversation_turns(services, id, subject, since)
            grants = services.reveals.active(services.tenant, session.username, conversation_id=id)
            revealed: dict[str, str] = {}
            for grant in grants:
                mapping = services.vault.load_token_map(id, ctx=revealing(session, grant.reason))
                if grant.item in mapping:
                    revealed[grant.item] = mapping[grant.item]
        audit(session, "console.conversation.view", subject=subject, conversation=id)
        # A turn that answered through the model stores one assistant message; refused
        # turns and short answers (handoff texts) store none: pair only the former.
        answered = [
            t for t in turns if "status" not in t.details and t.details.get("guard") != "not_run"
        ]
        assistant_turns = iter(answered)
        shown = []
        for message in messages:
            decision = next(assistant_turns, None) if message.role == "assistant" else None
            shown.append((message, views.pieces(message.text, revealed), decision))
        return web.render(
            request,
            "conversation.html",
            session=session,
            conversation_id=id,
            state=state,
            shown=shown,
            turns=turns,
            tokens=views.tokens_in(m.text for m in messages),
            reasons=REASONS,
            grants=grants,
            reveal_minutes=services.policy.console.reveal_minutes,
        )

    @router.post("/conversation/reveal")
    def reveal_token(
        session: Annotated[Session, Acts(web, P.CONVERSATION_REVEAL)],
        conversation_id: Annotated[str, Form(min_length=1, max_length=200)],
        token: Annotated[str, Form(max_length=64)],
        reason: Annotated[str, Form(max_length=64)],
        note: Annotated[str, Form(max_length=500)] = "",
    ) -> Response:
        with domain_errors():
            messages = services.transcripts.messages(conversation_id)
            if token not in views.tokens_in(m.text for m in messages):
                raise InvalidInput("token: not a token of this conversation")
            state = services.states.get(conversation_id)
        subject = state.subject if state is not None else None
        reveal(session, reason, note, token, subject=subject, conversation_id=conversation_id)
        return redirect(f"/conversation?id={quote(conversation_id, safe='')}")

    # --- audit log ---------------------------------------------------------------------

    def audit_query(search: AuditSearch) -> views.AuditQuery:
        actor, subject, action = search.actor, search.subject, search.action
        for name, value in (("actor", actor), ("subject", subject), ("action", action)):
            if len(value) > 200:
                raise InvalidInput(f"{name} is longer than 200 characters")
        end = _date(search.until, "until")
        start = _date(search.since, "since")
        if start is None and not subject.strip():
            # Without a start, the last SEARCH_DAYS: a search does not read the whole log.
            start = services.accounts.now() - timedelta(days=views.SEARCH_DAYS)
        return views.AuditQuery(
            actor=actor.strip(),
            subject=subject.strip(),
            action=action.strip(),
            since=start,
            until=end + timedelta(days=1) if end is not None else None,
        )

    def audit_page(
        request: Request,
        session: Session,
        *,
        entries: list[AuditEntry],
        q: AuditSearch,
        verified: VerifyResult | None = None,
    ) -> Response:
        return web.render(
            request,
            "audit.html",
            session=session,
            entries=entries,
            q=q,
            verified=verified,
            grants=services.reveals.recent(services.tenant, limit=20),
        )

    @router.get("/audit", response_class=HTMLResponse)
    def audit_log(
        request: Request,
        session: Annotated[Session, Needs(web, P.AUDIT_VIEW)],
        search: Annotated[AuditSearch, Depends()],
    ) -> Response:
        query = audit_query(search)
        with domain_errors():
            entries = views.newest(query.run(services), query.limit)
        audit(session, "console.audit.search", shown=len(entries))
        return audit_page(request, session, entries=entries, q=search)

    @router.post("/audit/verify", response_class=HTMLResponse)
    def audit_verify(
        request: Request, session: Annotated[Session, Acts(web, P.AUDIT_VIEW)]
    ) -> Response:
        with domain_errors():
            result, _at = web.chain_status(fresh=True)
        audit(
            session,
            "console.audit.verify",
            outcome=Outcome.OK if result.ok else Outcome.INTEGRITY_ERROR,
            records=result.records,
        )
        return audit_page(request, session, entries=[], q=AuditSearch(), verified=result)

    @router.get("/audit/export")
    def audit_export(
        session: Annotated[Session, Needs(web, P.AUDIT_EXPORT)],
        search: Annotated[AuditSearch, Depends()],
        format: str = "csv",
    ) -> Response:
        fmt = parse_choice(format, ExportFormat, "format")
        query = audit_query(search)
        out = io.StringIO()
        with domain_errors():
            count = export_entries(query.run(services), out, fmt)
        audit(session, "console.audit.export", records=count, format=fmt.value)
        media = "text/csv" if fmt is ExportFormat.CSV else "application/x-ndjson"
        return Response(
            out.getvalue(),
            media_type=media,
            headers={"Content-Disposition": f'attachment; filename="audit.{fmt.value}"'},
        )

    # --- policy ------------------------------------------------------------------------

    @router.get("/policy", response_class=HTMLResponse)
    def policy(
        request: Request, session: Annotated[Session, Needs(web, P.POLICY_VIEW)]
    ) -> Response:
        explanations = [explain_assistant(services.policy, a) for a in services.policy.assistants]
        administer(session, "console.policy.view")
        return web.render(
            request,
            "policy.html",
            session=session,
            explanations=explanations,
            retention=services.policy.retention,
            console=services.policy.console,
        )

    # --- API keys ----------------------------------------------------------------------

    def keys_page(
        request: Request, session: Session, *, new_key: str | None = None, status: int = 200
    ) -> Response:
        with domain_errors():
            keys = services.api_keys.list()
            last = views.keys_last_used(services, services.accounts.now())
        return web.render(
            request,
            "apikeys.html",
            session=session,
            keys=keys,
            last=last,
            new_key=new_key,
            assistants=list(services.policy.assistants),
            status=status,
        )

    @router.get("/apikeys", response_class=HTMLResponse)
    def api_keys(
        request: Request, session: Annotated[Session, Needs(web, P.APIKEYS_MANAGE)]
    ) -> Response:
        administer(session, "console.apikeys.view")
        return keys_page(request, session)

    @router.post("/apikeys", response_class=HTMLResponse)
    def create_key(
        request: Request,
        session: Annotated[Session, Acts(web, P.APIKEYS_MANAGE)],
        name: Annotated[str, Form(min_length=1, max_length=64)],
        role: Annotated[str, Form()] = "assistant",
        label: Annotated[str, Form(max_length=200)] = "",
    ) -> Response:
        key_role = parse_choice(role, KeyRole, "role")
        if key_role is KeyRole.ASSISTANT and name not in services.policy.assistants:
            raise InvalidInput("name: not an assistant of the policy")
        if any(ord(ch) < 32 for ch in name + label):
            raise InvalidInput("name and label must be printable")
        with domain_errors():
            key, info = services.api_keys.create(name, label or None, role=key_role)
        administer(session, "console.apikey.create", key_id=info.key_id, role=key_role.value)
        return keys_page(request, session, new_key=key, status=201)

    @router.post("/apikeys/revoke")
    def revoke_key(
        session: Annotated[Session, Acts(web, P.APIKEYS_MANAGE)],
        key_id: Annotated[str, Form(min_length=1, max_length=32)],
    ) -> Response:
        with domain_errors():
            if not services.api_keys.revoke(key_id):
                raise NotFound("no active key with that id")
        administer(session, "console.apikey.revoke", key_id=key_id)
        return redirect("/apikeys")

    # --- console accounts --------------------------------------------------------------

    def users_page(
        request: Request, session: Session, *, notice: str = "", status: int = 200
    ) -> Response:
        return web.render(
            request,
            "users.html",
            session=session,
            accounts=services.accounts.accounts(),
            roles=[r.value for r in Role],
            now=services.accounts.now(),
            notice=notice,
            status=status,
        )

    @router.get("/users", response_class=HTMLResponse)
    def users(
        request: Request, session: Annotated[Session, Needs(web, P.USERS_MANAGE)]
    ) -> Response:
        administer(session, "console.users.view")
        return users_page(request, session)

    @router.post("/users", response_class=HTMLResponse)
    def create_user(
        request: Request,
        session: Annotated[Session, Acts(web, P.USERS_MANAGE)],
        username: Username,
        role: Annotated[str, Form()],
        password: Annotated[str, Form(min_length=1, max_length=256)],
    ) -> Response:
        account = services.accounts.create(username, role, password)
        administer(
            session, "console.user.create", account=account.username, role=account.role.value
        )
        return users_page(request, session, notice=f"created {account.username}", status=201)

    def account_action(session: Session, username: str, action: str) -> None:
        if username == session.username:
            raise AccountInputError("use another admin account to change your own")
        if action == "disable":
            services.accounts.disable(username)
        else:
            services.accounts.reset_mfa(username)
        administer(session, f"console.user.{action}", account=username)

    @router.post("/users/disable", response_class=HTMLResponse)
    def disable_user(
        request: Request,
        session: Annotated[Session, Acts(web, P.USERS_MANAGE)],
        username: Username,
    ) -> Response:
        account_action(session, username, "disable")
        return users_page(request, session, notice=f"disabled {username}")

    @router.post("/users/reset-mfa", response_class=HTMLResponse)
    def reset_user_mfa(
        request: Request,
        session: Annotated[Session, Acts(web, P.USERS_MANAGE)],
        username: Username,
    ) -> Response:
        account_action(session, username, "reset_mfa")
        return users_page(request, session, notice=f"second factor of {username} reset")

    return router
