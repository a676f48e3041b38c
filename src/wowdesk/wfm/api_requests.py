"""API: the agent's schedule, and swap and time-off requests.

* ``GET /api/v1/wfm/schedule?from=&to=&agent=`` → ``{"agent_id", "timezone",
  "on_shift_now", "shifts": [{"shift_id", "roster_id", "source", "language", "start",
  "end", "start_local", "end_local", "breaks": [{"start", "end", "start_local",
  "end_local"}]}]}`` — one's own (planners: any agent of their brands); default this week
  and the next, at most 31 days.
* ``GET /api/v1/wfm/requests?status=&before=&limit=`` — one's own and, for planners, their
  brands' (newest first, keyset on ``before``);
  ``POST /api/v1/wfm/requests`` ``{"kind": "swap", "shift_id", "other_agent_id"?,
  "other_shift_id"?, "reason"}`` or ``{"kind": "time_off", "start", "end", "brand_id"?,
  "reason"}``;
  ``POST /api/v1/wfm/requests/{id}/decision`` ``{"decision": "approve"|"decline",
  "note"}`` (planners; twice → 409); ``POST /api/v1/wfm/requests/{id}/cancel`` (one's own
  pending).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal
from zoneinfo import ZoneInfo

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import Field

from wowdesk.core import permissions
from wowdesk.core.api import me
from wowdesk.core.errors import InvalidInput, NotFound
from wowdesk.core.models import Agent
from wowdesk.core.schemas import ERRORS
from wowdesk.wfm import request_services
from wowdesk.wfm.models import RosterShift, ShiftRequest

router = Router(tags=["wfm"])
MAX_DAYS = 31


class ScheduleQuery(Schema):
    from_: dt.date | None = Field(None, alias="from")
    to: dt.date | None = None
    agent: int | None = Field(None, ge=1, le=2**62)


def _local(at: dt.datetime, zone: ZoneInfo) -> str:
    return at.astimezone(zone).isoformat()


def week_start(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def schedule_payload(agent: Agent, first: dt.date, last: dt.date) -> dict[str, Any]:
    """``first``..``last`` (days in the agent's zone) of the agent's schedule."""
    zone = ZoneInfo(agent.timezone or "UTC")
    start = dt.datetime.combine(first, dt.time(), zone).astimezone(dt.UTC)
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), zone).astimezone(dt.UTC)
    data = request_services.schedule_of(agent, start, end)
    shifts = []
    for s in data["shifts"]:  # type: ignore[attr-defined]
        shifts.append(
            {
                **s,
                "start_local": _local(s["start"], zone),
                "end_local": _local(s["end"], zone),
                "breaks": [
                    {
                        **b,
                        "start_local": _local(b["start"], zone),
                        "end_local": _local(b["end"], zone),
                    }
                    for b in s["breaks"]
                ],
            }
        )
    return {
        "agent_id": agent.pk,
        "name": agent.display_name,
        "timezone": agent.timezone or "UTC",
        "from": first,
        "to": last,
        "on_shift_now": data["on_shift_now"],
        "shifts": shifts,
    }


@router.get("/wfm/schedule", response={200: dict[str, Any], **ERRORS})
def schedule(request: HttpRequest, q: Query[ScheduleQuery]) -> dict[str, Any]:
    actor = me(request)
    agent = actor
    if q.agent is not None and q.agent != actor.pk:
        found = Agent.objects.filter(pk=q.agent).first()
        if found is None:
            raise NotFound(_("No such agent."), field="agent")
        request_services.check_sees_schedule(actor, found)
        agent = found
    today = timezone.now().astimezone(ZoneInfo(agent.timezone or "UTC")).date()
    first = q.from_ or week_start(today)
    last = q.to or first + dt.timedelta(days=13)
    if last < first:
        raise InvalidInput(_("'to' comes before 'from'."), field="to")
    if (last - first).days >= MAX_DAYS:
        raise InvalidInput(_("At most %(n)d days at a time.") % {"n": MAX_DAYS}, field="to")
    return schedule_payload(agent, first, last)


class RequestIn(Schema):
    kind: Literal["swap", "time_off"]
    shift_id: int | None = Field(None, ge=1, le=2**62)
    other_agent_id: int | None = Field(None, ge=1, le=2**62)
    other_shift_id: int | None = Field(None, ge=1, le=2**62)
    start: dt.datetime | None = None
    end: dt.datetime | None = None
    brand_id: int | None = Field(None, ge=1, le=2**62)
    reason: str = Field("", max_length=500)


class RequestOut(Schema):
    id: int
    brand_id: int
    kind: str
    status: str
    agent_id: int
    agent: str
    shift_id: int | None
    other_agent_id: int | None
    other_agent: str | None
    other_shift_id: int | None
    start: dt.datetime | None
    end: dt.datetime | None
    reason: str
    note: str
    decided_by_id: int | None
    decided_at: dt.datetime | None
    created_at: dt.datetime


def as_dict(r: ShiftRequest) -> dict[str, Any]:
    return {
        "id": r.pk,
        "brand_id": r.brand_id,
        "kind": r.kind,
        "status": r.status,
        "agent_id": r.agent_id,
        "agent": r.agent.display_name,
        "shift_id": r.shift_id,
        "other_agent_id": r.other_agent_id,
        "other_agent": r.other_agent.display_name if r.other_agent else None,
        "other_shift_id": r.other_shift_id,
        "start": r.start,
        "end": r.end,
        "reason": r.reason,
        "note": r.note,
        "decided_by_id": r.decided_by_id,
        "decided_at": r.decided_at,
        "created_at": r.created_at,
    }


class ListQuery(Schema):
    status: Literal["pending", "approved", "declined", "cancelled"] | None = None
    before: int | None = Field(None, ge=1, le=2**62)
    limit: int = Field(50, ge=1, le=100)


@router.get("/wfm/requests", response={200: list[RequestOut], **ERRORS})
def list_requests(request: HttpRequest, q: Query[ListQuery]) -> list[dict[str, Any]]:
    qs = request_services.visible(me(request))
    if q.status:
        qs = qs.filter(status=q.status)
    if q.before:
        qs = qs.filter(pk__lt=q.before)
    return [as_dict(r) for r in qs.order_by("-id")[: q.limit]]


def _agent_in_brand(pk: int, brand_id: int, field: str) -> Agent:
    found = Agent.objects.filter(pk=pk, brands=brand_id).first()
    if found is None:
        raise NotFound(_("No such colleague."), field=field)
    return found


def make_request(actor: Agent, payload: RequestIn) -> ShiftRequest:
    """A request from the API or the schedule page's form."""
    if payload.kind == "swap":
        if payload.shift_id is None:
            raise InvalidInput(_("Name the shift to swap."), field="shift_id")
        shift = request_services.check_swap_shift(actor, payload.shift_id)
        brand_id = shift.roster.brand_id
        other = (
            _agent_in_brand(payload.other_agent_id, brand_id, "other_agent_id")
            if payload.other_agent_id
            else None
        )
        other_shift = None
        if payload.other_shift_id:
            other_shift = (
                RosterShift.objects.select_related("roster")
                .filter(pk=payload.other_shift_id, roster__brand_id=brand_id)
                .first()
            )
            if other_shift is None:
                raise NotFound(_("No such shift of that colleague."), field="other_shift_id")
        return request_services.request_swap(
            actor, shift, other_agent=other, other_shift=other_shift, reason=payload.reason
        )
    if payload.start is None:
        raise InvalidInput(_("Give the start of the time off."), field="start")
    if payload.end is None:
        raise InvalidInput(_("Give the end of the time off."), field="end")
    brand_id = permissions.pick_brand(actor, payload.brand_id)
    return request_services.request_time_off(
        actor, brand_id, start=payload.start, end=payload.end, reason=payload.reason
    )


@router.post("/wfm/requests", response={201: RequestOut, **ERRORS})
def create_request(request: HttpRequest, payload: RequestIn) -> Status[dict[str, Any]]:
    return Status(201, as_dict(make_request(me(request), payload)))


class RequestDecisionIn(Schema):
    decision: Literal["approve", "decline"]
    note: str = Field("", max_length=500)


@router.post("/wfm/requests/{request_id}/decision", response={200: RequestOut, **ERRORS})
def decide(request: HttpRequest, request_id: int, payload: RequestDecisionIn) -> dict[str, Any]:
    actor = me(request)
    row = request_services.get_visible(actor, request_id)
    permissions.check_plans_workforce(actor, row.brand_id)
    row = request_services.decide_request(actor, row, decision=payload.decision, note=payload.note)
    return as_dict(request_services.get_visible(actor, row.pk))


@router.post("/wfm/requests/{request_id}/cancel", response={200: RequestOut, **ERRORS})
def cancel(request: HttpRequest, request_id: int) -> dict[str, Any]:
    actor = me(request)
    row = request_services.get_visible(actor, request_id)
    request_services.cancel_request(actor, row)
    return as_dict(request_services.get_visible(actor, row.pk))
