"""API: follow-ups (closing the loop).

* ``GET /api/v1/followups?status=open|done&assignee=me|none|<id>&kind=&overdue=1&brand=``
  (paged: ``page``, ``page_size``)
* ``GET /api/v1/followups/{id}``
* ``PATCH /api/v1/followups/{id}`` ``{"status": "done", "outcome": "..."}``,
  ``{"status": "open"}``, ``{"assignee_id": 12}``

Supervisors and administrators see and work every follow-up of their brands; an agent
sees and works those assigned to them (``permissions.followups_visible``,
``may_work_followup``); only supervisors reassign.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema
from pydantic import Field

from wowdesk.core.api import me
from wowdesk.core.schemas import ERRORS, AgentRef, Page, agent_ref
from wowdesk.surveys import followup_queries, followup_services, followups
from wowdesk.surveys.models import FollowUp

router = Router(tags=["surveys"])


class FollowUpConversationRef(Schema):
    id: int
    number: int
    subject: str


class FollowUpOut(Schema):
    id: int
    brand_id: int
    kind: str
    status: str
    overdue: bool
    conversation_id: int | None
    conversation: FollowUpConversationRef | None
    customer_id: int | None
    response_id: int | None
    survey_kind: str | None
    score: int | None
    purchase_id: int | None
    assignee: AgentRef | None
    team_id: int | None
    due_at: dt.datetime
    reason: str
    outcome: str
    done_at: dt.datetime | None
    done_by: AgentRef | None
    overdue_alerted_at: dt.datetime | None
    message: str
    message_sent_at: dt.datetime | None
    details: dict[str, Any]
    created_at: dt.datetime
    updated_at: dt.datetime


class FollowUpsOut(Page):
    items: list[FollowUpOut]


class FollowUpPatchIn(Schema):
    status: Literal["open", "done"] | None = None
    outcome: str | None = Field(None, max_length=5000)
    assignee_id: int | None = Field(None, ge=1, le=2**62)


def followup_out(f: FollowUp, now: dt.datetime | None = None) -> FollowUpOut:
    conversation = f.conversation
    response = f.response
    return FollowUpOut(
        id=f.pk,
        brand_id=f.brand_id,
        kind=f.kind,
        status=f.status,
        overdue=followup_queries.is_overdue(f, now),
        conversation_id=f.conversation_id,
        conversation=FollowUpConversationRef(
            id=conversation.pk, number=conversation.number, subject=conversation.subject
        )
        if conversation is not None
        else None,
        customer_id=f.customer_id,
        response_id=f.response_id,
        survey_kind=response.kind if response is not None else None,
        score=response.score if response is not None else None,
        purchase_id=f.purchase_id,
        assignee=agent_ref(f.assignee),
        team_id=f.team_id,
        due_at=f.due_at,
        reason=followups.reason_text(f),
        outcome=f.outcome,
        done_at=f.done_at,
        done_by=agent_ref(f.done_by),
        overdue_alerted_at=f.overdue_alerted_at,
        message=followups.prepared_message(f),
        message_sent_at=f.message_sent_at,
        details=f.details or {},
        created_at=f.created_at,
        updated_at=f.updated_at,
    )


@router.get("/followups", response={200: FollowUpsOut, **ERRORS})
def list_followups(
    request: HttpRequest,
    status: str = Query("", max_length=8),
    assignee: str = Query("", max_length=24),
    kind: str = Query("", max_length=16),
    overdue: str = Query("", max_length=8),
    brand: str = Query("", max_length=24),
    page: int = Query(1, ge=1, le=100_000),
    page_size: int = Query(25, ge=1, le=100),
) -> FollowUpsOut:
    """The follow-ups I may see: open ones first (overdue first), then by deadline."""
    agent = me(request)
    f = followup_queries.parse_filter(
        status=status, assignee=assignee, kind=kind, overdue=overdue, brand=brand
    )
    now = timezone.now()
    qs = followup_queries.listed(agent, f, now)
    total = qs.count()
    start = (page - 1) * page_size
    rows = followup_queries.with_relations(qs)[start : start + page_size]
    return FollowUpsOut(
        items=[followup_out(r, now) for r in rows], total=total, page=page, page_size=page_size
    )


@router.get("/followups/{followup_id}", response={200: FollowUpOut, **ERRORS})
def get_followup(request: HttpRequest, followup_id: int) -> FollowUpOut:
    return followup_out(followup_queries.get_for_agent(me(request), followup_id))


@router.patch("/followups/{followup_id}", response={200: FollowUpOut, **ERRORS})
def patch_followup(request: HttpRequest, followup_id: int, payload: FollowUpPatchIn) -> FollowUpOut:
    """Close with an outcome, reopen, or (supervisors) reassign."""
    agent = me(request)
    with transaction.atomic():
        followup = followup_queries.get_for_agent(agent, followup_id)
        followup_queries.check_may_work(agent, followup)
        assignee: Any = ...
        if "assignee_id" in payload.model_fields_set:
            followup_queries.check_may_reassign(agent, followup)
            assignee = payload.assignee_id
        followup_services.change_followup(
            followup,
            actor=agent,
            status=payload.status,
            outcome=payload.outcome,
            assignee_id=assignee,
        )
    return followup_out(followup_queries.get_for_agent(agent, followup.pk))
