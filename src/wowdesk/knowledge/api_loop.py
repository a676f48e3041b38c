"""API: the knowledge loop (proposals for the knowledge managers) and the knowledge reports.

* ``GET /api/v1/kb/proposals?status=&brand_id=``
* ``POST /api/v1/kb/proposals/{id}/accept`` ``{"title"?, "body"?, "category"?}``
* ``POST /api/v1/kb/proposals/{id}/dismiss``
* ``GET /api/v1/kb/reports?from=&to=&brand_id=``

Knowledge managers only (supervisors and administrators of the brand).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from typing import Any, Literal

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from pydantic import Field

from wowdesk.core import permissions
from wowdesk.core.api import me
from wowdesk.core.errors import Forbidden, InvalidInput
from wowdesk.core.input import check_date
from wowdesk.core.models import Agent
from wowdesk.core.schemas import ERRORS
from wowdesk.knowledge import loop_services, reports
from wowdesk.knowledge.models import Proposal

router = Router(tags=["knowledge"])

MAX_DAYS = 366


class ProposalOut(Schema):
    id: int
    brand_id: int
    kind: str
    status: str
    group_id: int | None
    conversation_id: int | None
    article_id: int | None
    language: str
    title: str
    body: str
    best_similarity: float | None
    proposed_by_id: int | None
    decided_by_id: int | None
    created_at: dt.datetime
    decided_at: dt.datetime | None


class ProposalsOut(Schema):
    items: list[ProposalOut]


class ProposalsQuery(Schema):
    status: Literal["open", "accepted", "dismissed"] | None = "open"
    brand_id: int | None = Field(None, ge=1, le=2**62)


class AcceptIn(Schema):
    title: str | None = Field(None, max_length=300)
    body: str | None = Field(None, max_length=200_000)
    category: int | str | None = None


class AcceptOut(Schema):
    proposal: ProposalOut
    article_id: int


class ReportsQuery(Schema):
    from_: dt.date | None = Field(None, alias="from")
    to: dt.date | None = None
    brand_id: int | None = Field(None, ge=1, le=2**62)


def managed_brands(agent: Agent, brand_id: int | None) -> list[int]:
    """The brands whose proposals and reports ``agent`` asks for: the one named (when they
    manage its knowledge), or all they manage; 403 when none."""
    if brand_id is not None:
        permissions.check_manages_knowledge(agent, brand_id)
        return [brand_id]
    brands = sorted(permissions.knowledge_manager_brands(agent))
    if not brands:
        raise Forbidden(_("Only supervisors and administrators manage the knowledge base."))
    return brands


def proposals_for(agent: Agent, brand_id: int | None, status: str | None) -> list[Proposal]:
    rows = Proposal.objects.filter(brand_id__in=managed_brands(agent, brand_id))
    if status:
        rows = rows.filter(status=status)
    return list(rows.order_by("-created_at", "-id")[:500])


@router.get("/kb/proposals", response={200: ProposalsOut, **ERRORS})
def list_proposals(request: HttpRequest, filters: Query[ProposalsQuery]) -> ProposalsOut:
    items = proposals_for(me(request), filters.brand_id, filters.status)
    return ProposalsOut(items=[ProposalOut.from_orm(p) for p in items])


@router.post("/kb/proposals/{proposal_id}/accept", response={200: AcceptOut, **ERRORS})
def accept_proposal(request: HttpRequest, proposal_id: int, payload: AcceptIn) -> AcceptOut:
    article = loop_services.do_accept_proposal(
        me(request),
        proposal_id,
        title=payload.title,
        body=payload.body,
        category=payload.category,
    )
    proposal = Proposal.objects.get(pk=proposal_id)
    return AcceptOut(proposal=ProposalOut.from_orm(proposal), article_id=article.pk)


@router.post("/kb/proposals/{proposal_id}/dismiss", response={200: ProposalOut, **ERRORS})
@transaction.atomic
def dismiss_proposal(request: HttpRequest, proposal_id: int) -> ProposalOut:
    return ProposalOut.from_orm(loop_services.do_dismiss_proposal(me(request), proposal_id))


def period_of(start: dt.date | None, end: dt.date | None) -> reports.Period:
    """``from``..``to`` (days, both included; by default the last 30 days)."""
    today = timezone.localdate()
    # dates at the ends of the calendar would overflow the arithmetic below: refused first
    end = check_date(end, "to") if end is not None else today
    start = check_date(start, "from") if start is not None else end - dt.timedelta(days=29)
    if start > end:
        raise InvalidInput(_("The period starts after it ends."), field="from")
    if (end - start).days > MAX_DAYS:
        raise InvalidInput(_("The period is longer than a year."), field="from")
    tz = timezone.get_current_timezone()
    return reports.Period(
        start=dt.datetime.combine(start, dt.time.min, tzinfo=tz),
        end=dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz),
    )


def report_json(report: reports.Report) -> dict[str, Any]:
    data = asdict(report)
    data["period"] = {
        "from": report.period.start.date().isoformat(),
        "to": (report.period.end - dt.timedelta(days=1)).date().isoformat(),
    }
    return data


@router.get("/kb/reports", response={200: dict[str, Any], **ERRORS})
def knowledge_reports(request: HttpRequest, filters: Query[ReportsQuery]) -> dict[str, Any]:
    brands = managed_brands(me(request), filters.brand_id)
    period = period_of(filters.from_, filters.to)
    return report_json(reports.build(brands, period))
