"""API: training assignments and progress per trainee.

* ``GET /api/v1/training/assignments?brand=&trainee=&status=&page=&page_size=``: the
  caller's own assignments, and every one of the brands where they manage training.
* ``POST /api/v1/training/assignments`` ``{"scenario_id", "trainee_ids": [..], "due_on"?,
  "note"?, "review_id"?}`` → 201 ``{"items": [...]}`` (supervisors of the scenario's brand;
  trainees of that brand only; each is notified).
* ``PATCH /api/v1/training/assignments/{id}`` ``{"due_on"?, "note"?, "status"?}``.
* ``GET /api/v1/training/progress?brand=&team=``: per trainee, assigned / done / sessions /
  average score / last session / average per difficulty (supervisors).
"""

import datetime as dt

from django.db import transaction
from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import Field

from wowdesk.core import permissions
from wowdesk.core.api import me
from wowdesk.core.models import Role
from wowdesk.core.schemas import ERRORS, Page, SaneDate
from wowdesk.training import assignment_services
from wowdesk.training.models import Assignment

router = Router(tags=["training"])


class AssignIn(Schema):
    scenario_id: int = Field(..., ge=1, le=2**62)
    trainee_ids: list[int] = Field(..., min_length=1, max_length=200)
    due_on: SaneDate | None = None
    note: str = Field("", max_length=2000)
    review_id: int | None = Field(None, ge=1, le=2**62)


class AssignPatchIn(Schema):
    due_on: SaneDate | None = None
    note: str | None = Field(None, max_length=2000)
    status: str | None = Field(None, max_length=16)


class AssignmentOut(Schema):
    id: int
    brand_id: int
    scenario_id: int
    scenario_title: str
    difficulty: str
    trainee_id: int
    trainee_name: str
    assigned_by_id: int | None
    review_id: int | None
    note: str
    due_on: dt.date | None
    status: str
    created_at: dt.datetime
    done_at: dt.datetime | None


class AssignmentsOut(Page):
    items: list[AssignmentOut]


class CreatedOut(Schema):
    items: list[AssignmentOut]


class AssignmentsQuery(Schema):
    brand: int | None = Field(None, ge=1, le=2**62)
    trainee: int | None = Field(None, ge=1, le=2**62)
    status: str | None = Field(None, max_length=16)
    page: int = Field(1, ge=1, le=100_000)
    page_size: int = Field(50, ge=1, le=100)


class ProgressQuery(Schema):
    brand: int | None = Field(None, ge=1, le=2**62)
    team: int | None = Field(None, ge=1, le=2**62)


class ProgressRowOut(Schema):
    agent_id: int
    name: str
    assigned: int
    done: int
    sessions: int
    average: float | None
    last_session: dt.datetime | None
    by_difficulty: dict[str, float | None]


class ProgressOut(Schema):
    brand_id: int
    team_id: int | None
    items: list[ProgressRowOut]


def assignment_out(a: Assignment) -> AssignmentOut:
    return AssignmentOut(
        id=a.pk,
        brand_id=a.brand_id,
        scenario_id=a.scenario_id,
        scenario_title=a.scenario.title,
        difficulty=a.scenario.difficulty,
        trainee_id=a.trainee_id,
        trainee_name=a.trainee.display_name,
        assigned_by_id=a.assigned_by_id,
        review_id=a.review_id,
        note=a.note,
        due_on=a.due_on,
        status=a.status,
        created_at=a.created_at,
        done_at=a.done_at,
    )


@router.get("/training/assignments", response={200: AssignmentsOut, **ERRORS})
def list_assignments(request: HttpRequest, filters: Query[AssignmentsQuery]) -> AssignmentsOut:
    rows = assignment_services.assignments_for(
        me(request), brand_id=filters.brand, trainee_id=filters.trainee, status=filters.status
    )
    start = (filters.page - 1) * filters.page_size
    return AssignmentsOut(
        items=[assignment_out(a) for a in rows[start : start + filters.page_size]],
        total=rows.count(),
        page=filters.page,
        page_size=filters.page_size,
    )


@router.post("/training/assignments", response={201: CreatedOut, **ERRORS})
@transaction.atomic
def create_assignments(request: HttpRequest, payload: AssignIn) -> Status[CreatedOut]:
    agent = me(request)
    rows = assignment_services.assign(
        agent,
        scenario_id=payload.scenario_id,
        trainee_ids=payload.trainee_ids,
        due_on=payload.due_on,
        note=payload.note,
        review_id=payload.review_id,
    )
    found = assignment_services.assignments_for(agent).filter(pk__in=[r.pk for r in rows])
    return Status(201, CreatedOut(items=[assignment_out(a) for a in found]))


@router.patch("/training/assignments/{assignment_id}", response={200: AssignmentOut, **ERRORS})
@transaction.atomic
def update_assignment(
    request: HttpRequest, assignment_id: int, payload: AssignPatchIn
) -> AssignmentOut:
    agent = me(request)
    sent = payload.model_dump(exclude_unset=True)
    row = assignment_services.update_assignment(
        agent,
        assignment_id,
        due_on=payload.due_on,
        clear_due="due_on" in sent and payload.due_on is None,
        note=payload.note,
        status=payload.status,
    )
    return assignment_out(assignment_services.assignments_for(agent).get(pk=row.pk))


@router.get("/training/progress", response={200: ProgressOut, **ERRORS})
def progress(request: HttpRequest, filters: Query[ProgressQuery]) -> ProgressOut:
    agent = me(request)
    brand_id = permissions.pick_brand(agent, filters.brand, role=Role.SUPERVISOR)
    rows = assignment_services.progress(agent, brand_id, team_id=filters.team)
    return ProgressOut(
        brand_id=brand_id,
        team_id=filters.team,
        items=[ProgressRowOut(**p.as_dict()) for p in rows],
    )
