"""API: rosters (planners: supervisors and administrators of the brand).

* ``POST /api/v1/wfm/rosters`` ``{"week_start": "YYYY-MM-DD", "interval_minutes"?: 30,
  "forecast_id"? | "requirements"?: [{"language", "channel"?, "interval_start", "agents"}],
  "agent_ids"?, "rules"?: {"max_hours_per_week", "min_rest_hours", "max_days_in_row",
  "shift_hours": [...], "start_hours": [...]}, "time_limit_seconds"?, "brand_id"?}`` → 202
  ``{"id"}``; solved by the worker (``progress`` in the roster). Neither forecast nor
  requirements: the brand's latest finished forecast that starts on or before the week.
* ``GET /api/v1/wfm/rosters?brand=``; ``GET /api/v1/wfm/rosters/{id}`` → ``{"status",
  "progress", "shifts": [{"agent_id", "start", "end", "breaks"}], "coverage":
  {"short_intervals", "over_hours", "short"}, "hours", "lower_bound_hours", "gap", …}``.
* ``POST /api/v1/wfm/rosters/{id}/publish`` — the shifts become the agents' dated shifts
  for that week; routing follows them.
* ``POST /api/v1/wfm/rosters/{id}/simulate`` ``{"replications"?: 20, "languages"?,
  "patience_seconds"?}`` — per queue and interval the simulated service level and the
  probability of missing 80 % in 20 s.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import Field

from wowdesk.core import permissions
from wowdesk.core.api import me
from wowdesk.core.models import Agent, Role
from wowdesk.core.schemas import ERRORS
from wowdesk.wfm import roster_services
from wowdesk.wfm.models import Roster, RosterShift

router = Router(tags=["wfm"])


class RequirementIn(Schema):
    language: str = Field(..., max_length=16)
    channel: str | None = Field(None, max_length=16)
    interval_start: dt.datetime
    agents: int = Field(..., ge=0, le=10_000)


class RosterIn(Schema):
    brand_id: int | None = Field(None, ge=1, le=2**62)
    week_start: dt.date
    interval_minutes: int = Field(30, ge=15, le=60)
    forecast_id: int | None = Field(None, ge=1, le=2**62)
    requirements: list[RequirementIn] | None = Field(None, max_length=200_000)
    agent_ids: list[int] | None = Field(None, max_length=5_000)
    rules: dict[str, Any] | None = None
    time_limit_seconds: float | None = Field(None, ge=1, le=900)


class RosterCreated(Schema):
    id: int


class ShiftOut(Schema):
    id: int
    agent_id: int
    agent: str
    start: dt.datetime
    end: dt.datetime
    breaks: list[dict[str, str]]
    language: str


class RosterSummary(Schema):
    id: int
    brand_id: int
    week_start: dt.date
    interval_minutes: int
    status: str
    progress: float
    forecast_id: int | None
    hours: float | None
    lower_bound_hours: float | None
    gap: float | None
    created_at: dt.datetime
    published_at: dt.datetime | None
    error: str


class RosterOut(RosterSummary):
    shifts: list[ShiftOut]
    coverage: dict[str, Any]
    seconds: dict[str, float]
    required: dict[str, list[int]]
    covered: dict[str, list[int]]


def _summary(row: Roster) -> dict[str, Any]:
    res = row.result or {}
    return {
        "id": row.pk,
        "brand_id": row.brand_id,
        "week_start": row.week_start,
        "interval_minutes": row.interval_minutes,
        "status": row.status,
        "progress": roster_services.roster_progress(row),
        "forecast_id": row.forecast_id,
        "hours": res.get("hours"),
        "lower_bound_hours": res.get("lower_bound_hours"),
        "gap": res.get("gap"),
        "created_at": row.created_at,
        "published_at": row.published_at,
        "error": row.error,
    }


def planner_roster(agent: Agent, roster_id: int) -> Roster:
    row = permissions.get_for_agent(Roster.objects.all(), agent, roster_id)
    permissions.check_plans_workforce(agent, row.brand_id)
    return row


@router.post("/wfm/rosters", response={202: RosterCreated, **ERRORS})
def create_roster(request: HttpRequest, payload: RosterIn) -> Status[RosterCreated]:
    agent = me(request)
    brand_id = permissions.pick_brand(agent, payload.brand_id, role=Role.SUPERVISOR)
    permissions.check_plans_workforce(agent, brand_id)
    row = roster_services.create_roster(
        agent,
        brand_id,
        week_start=payload.week_start,
        interval_minutes=payload.interval_minutes,
        forecast_id=payload.forecast_id,
        requirements=[r.dict() for r in payload.requirements]
        if payload.requirements is not None
        else None,
        agent_ids=payload.agent_ids,
        rules=payload.rules,
        time_limit_seconds=payload.time_limit_seconds,
    )
    return Status(202, RosterCreated(id=row.pk))


@router.get("/wfm/rosters", response={200: list[RosterSummary], **ERRORS})
def list_rosters(request: HttpRequest, brand: int | None = None) -> list[dict[str, Any]]:
    agent = me(request)
    permissions.require_role(agent, Role.SUPERVISOR)
    qs = Roster.objects.filter(brand_id__in=permissions.planner_brands(agent))
    if brand is not None:
        permissions.check_plans_workforce(agent, brand)
        qs = qs.filter(brand_id=brand)
    return [_summary(r) for r in qs.order_by("-created_at", "-id")[:50]]


@router.get("/wfm/rosters/{roster_id}", response={200: RosterOut, **ERRORS})
def get_roster(request: HttpRequest, roster_id: int) -> dict[str, Any]:
    agent = me(request)
    row = planner_roster(agent, roster_id)
    res = row.result or {}
    shifts = [
        {
            "id": s.pk,
            "agent_id": s.agent_id,
            "agent": s.agent.display_name,
            "start": s.start,
            "end": s.end,
            "breaks": s.breaks,
            "language": s.language,
        }
        for s in RosterShift.objects.filter(roster=row)
        .select_related("agent")
        .order_by("start", "agent_id")
    ]
    return {
        **_summary(row),
        "shifts": shifts,
        "coverage": res.get("coverage", {}),
        "seconds": res.get("seconds", {}),
        "required": res.get("required", {}),
        "covered": res.get("covered", {}),
    }


@router.post("/wfm/rosters/{roster_id}/publish", response={200: RosterSummary, **ERRORS})
def publish(request: HttpRequest, roster_id: int) -> dict[str, Any]:
    agent = me(request)
    row = planner_roster(agent, roster_id)
    return _summary(roster_services.publish_roster(agent, row))


class SimulateIn(Schema):
    replications: int = Field(20, ge=1, le=500)
    languages: list[str] | None = Field(None, max_length=200)
    patience_seconds: float | None = Field(180.0, gt=0, le=86_400)
    handle_cv: float = Field(1.0, ge=0, le=5)
    seed: int = Field(0, ge=0, le=2**31)


@router.post("/wfm/rosters/{roster_id}/simulate", response={200: dict[str, Any], **ERRORS})
def simulate(request: HttpRequest, roster_id: int, payload: SimulateIn) -> dict[str, Any]:
    agent = me(request)
    row = planner_roster(agent, roster_id)
    return roster_services.simulate_roster(
        row,
        replications=payload.replications,
        languages=payload.languages,
        patience_seconds=payload.patience_seconds,
        handle_cv=payload.handle_cv,
        seed=payload.seed,
    )
