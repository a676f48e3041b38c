"""API: abusive customers.

* ``POST /api/v1/customers/{id}/abuse-reports`` ``{"conversation_id", "message_ids": [...],
  "note"}`` → 201 (any agent of the customer's brand)
* ``GET /api/v1/abuse-reports?status=open|decided|dismissed&brand_id=&before=&limit=``
  (supervisors and admins of the report's brand; newest first, keyset paged by ``before``)
* ``GET /api/v1/abuse-reports/{id}``
* ``POST /api/v1/abuse-reports/{id}/decision`` ``{"decision": "dismiss"|"warned"|
  "restricted"|"blocked", "reason", "channel"?}``
* ``GET /api/v1/customers/{id}/restriction`` (everyone of the brand)
* ``POST /api/v1/customers/{id}/restriction`` ``{"level", "reason", "channel"?}`` → 201
  (a new restriction) or 200 (a change of one); ``DELETE`` lifts it (``?reason=``)

Deciding and restricting: supervisors and admins of the brand (``check_decides_abuse``).
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import Field

from wowdesk.core import permissions
from wowdesk.core.api import me
from wowdesk.core.errors import InvalidInput
from wowdesk.core.models import Role
from wowdesk.core.schemas import ERRORS, AgentRef, Line, agent_ref
from wowdesk.customers.models import Customer
from wowdesk.policies import abuse_services
from wowdesk.policies.models import AbuseReport, AbuseStatus

router = Router(tags=["policies"])

MAX_PAGE = 100


class ReportIn(Schema):
    conversation_id: int = Field(..., ge=1, le=2**62)
    message_ids: list[int] = Field(..., min_length=1, max_length=abuse_services.MAX_EVIDENCE)
    note: str = Field("", max_length=abuse_services.MAX_NOTE)


class EvidenceOut(Schema):
    id: int
    conversation_id: int
    channel: str
    body: str
    created_at: dt.datetime


class RestrictionOut(Schema):
    customer_id: int
    level: str
    channel: str
    reason: str
    decided_by: AgentRef | None
    decided_at: dt.datetime | None


class ReportOut(Schema):
    id: int
    brand_id: int
    customer_id: int
    customer_name: str
    conversation_id: int | None
    message_ids: list[int]
    evidence: list[EvidenceOut]
    note: str
    status: str
    decision: str
    reported_by: AgentRef | None
    decided_by: AgentRef | None
    decided_at: dt.datetime | None
    created_at: dt.datetime
    restriction: RestrictionOut


class ReportsOut(Schema):
    items: list[ReportOut]
    next_before: int | None


class AbuseDecisionIn(Schema):
    decision: Literal["dismiss", "warned", "restricted", "blocked"]
    reason: str = Field("", max_length=500)
    channel: str = Field("", max_length=16)


class RestrictIn(Schema):
    level: Literal["warned", "restricted", "blocked"]
    reason: Line = Field(..., max_length=500)
    channel: str = Field("", max_length=16)


def restriction_out(c: Customer) -> RestrictionOut:
    return RestrictionOut(
        customer_id=c.pk,
        level=c.restriction,
        channel=c.restriction_channel,
        reason=c.restriction_reason,
        decided_by=agent_ref(c.restricted_by) if c.restricted_by_id else None,
        decided_at=c.restricted_at,
    )


def report_out(r: AbuseReport, evidence: dict[int, object]) -> ReportOut:
    quoted = [evidence[i] for i in (r.message_ids or []) if i in evidence]
    return ReportOut(
        id=r.pk,
        brand_id=r.brand_id,
        customer_id=r.customer_id,
        customer_name=r.customer.name,
        conversation_id=r.conversation_id,
        message_ids=list(r.message_ids or []),
        evidence=[
            EvidenceOut(
                id=m.pk,  # type: ignore[attr-defined]
                conversation_id=m.conversation_id,  # type: ignore[attr-defined]
                channel=m.channel,  # type: ignore[attr-defined]
                body=m.body,  # type: ignore[attr-defined]
                created_at=m.created_at,  # type: ignore[attr-defined]
            )
            for m in quoted
        ],
        note=r.note,
        status=r.status,
        decision=r.decision,
        reported_by=agent_ref(r.reported_by),
        decided_by=agent_ref(r.decided_by),
        decided_at=r.decided_at,
        created_at=r.created_at,
        restriction=restriction_out(r.customer),
    )


def _customer(request: HttpRequest, customer_id: int) -> Customer:
    return permissions.get_for_agent(
        Customer.objects.select_related("restricted_by__user"), me(request), customer_id
    )


def _report(request: HttpRequest, report_id: int) -> AbuseReport:
    return permissions.get_for_agent(
        abuse_services.with_relations(AbuseReport.objects.all()),
        me(request),
        report_id,
        role=Role.SUPERVISOR,
    )


def _one(report: AbuseReport) -> ReportOut:
    return report_out(report, abuse_services.evidence_of([report]))  # type: ignore[arg-type]


@router.post("/customers/{customer_id}/abuse-reports", response={201: ReportOut, **ERRORS})
def create_report(request: HttpRequest, customer_id: int, payload: ReportIn) -> Status:
    """Flag a customer's abuse with their messages as evidence."""
    with transaction.atomic():
        customer = _customer(request, customer_id)
        report = abuse_services.report_abuse(
            me(request),
            customer,
            conversation_id=payload.conversation_id,
            message_ids=payload.message_ids,
            note=payload.note,
        )
    return Status(201, _one(_report_for_reporter(report.pk)))


def _report_for_reporter(pk: int) -> AbuseReport:
    return abuse_services.with_relations(AbuseReport.objects.filter(pk=pk)).get()


@router.get("/abuse-reports", response={200: ReportsOut, **ERRORS})
def list_reports(
    request: HttpRequest,
    status: str = Query("", max_length=12),
    brand_id: int | None = Query(None, ge=1, le=2**62),
    before: int | None = Query(None, ge=1, le=2**62),
    limit: int = Query(50, ge=1, le=MAX_PAGE),
) -> ReportsOut:
    """The reports of the brands I supervise, newest first."""
    agent = me(request)
    permissions.require_role(agent, Role.SUPERVISOR)
    qs = abuse_services.reports_visible(agent)
    if status:
        if status not in AbuseStatus.values:
            raise InvalidInput(_("Choose open, decided or dismissed."), field="status")
        qs = qs.filter(status=status)
    if brand_id is not None:
        permissions.check_decides_abuse(agent, brand_id)
        qs = qs.filter(brand_id=brand_id)
    if before is not None:
        qs = qs.filter(pk__lt=before)
    rows = list(abuse_services.with_relations(qs).order_by("-id")[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    evidence = abuse_services.evidence_of(rows)
    return ReportsOut(
        items=[report_out(r, evidence) for r in rows],  # type: ignore[arg-type]
        next_before=rows[-1].pk if more else None,
    )


@router.get("/abuse-reports/{report_id}", response={200: ReportOut, **ERRORS})
def get_report(request: HttpRequest, report_id: int) -> ReportOut:
    return _one(_report(request, report_id))


@router.post("/abuse-reports/{report_id}/decision", response={200: ReportOut, **ERRORS})
def decide(request: HttpRequest, report_id: int, payload: AbuseDecisionIn) -> ReportOut:
    """Dismiss the report, or warn, restrict (to ``channel``) or block the customer."""
    with transaction.atomic():
        report = _report(request, report_id)
        abuse_services.decide_report(
            me(request),
            report,
            decision=payload.decision,
            reason=payload.reason,
            channel=payload.channel,
        )
    return _one(_report(request, report_id))


@router.get("/customers/{customer_id}/restriction", response={200: RestrictionOut, **ERRORS})
def get_restriction(request: HttpRequest, customer_id: int) -> RestrictionOut:
    return restriction_out(_customer(request, customer_id))


@router.post(
    "/customers/{customer_id}/restriction",
    response={200: RestrictionOut, 201: RestrictionOut, **ERRORS},
)
def set_restriction(request: HttpRequest, customer_id: int, payload: RestrictIn) -> Status:
    """Warn, restrict to one channel or block the customer: 201 when they had none."""
    with transaction.atomic():
        customer = _customer(request, customer_id)
        had = bool(customer.restriction)
        abuse_services.restrict(
            me(request),
            customer,
            level=payload.level,
            reason=payload.reason,
            channel=payload.channel,
        )
    return Status(200 if had else 201, restriction_out(_customer(request, customer_id)))


@router.delete("/customers/{customer_id}/restriction", response={200: RestrictionOut, **ERRORS})
def lift_restriction(
    request: HttpRequest, customer_id: int, reason: str = Query("", max_length=500)
) -> RestrictionOut:
    """Lift the restriction; the customer's next message is routed as any other."""
    with transaction.atomic():
        customer = _customer(request, customer_id)
        abuse_services.lift(me(request), customer, reason=reason)
    return restriction_out(_customer(request, customer_id))
