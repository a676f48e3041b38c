"""API: training scenarios and role-play sessions with a simulated customer.

* ``POST /api/v1/training/scenarios`` ``{"from_conversation": id}`` or the authored fields
  (``brand_id``, ``title``, ``opening``, …) → 201 (supervisors+ of the brand)
* ``GET /api/v1/training/scenarios?brand=&limit=&cursor=`` (every agent of the brand;
  archived ones: supervisors+), ``GET/PATCH /api/v1/training/scenarios/{id}`` (the
  trainee's view never includes ``source_conversation_id``; PATCH: supervisors+)
* ``POST /api/v1/training/sessions`` ``{"scenario_id", "assignment_id"?}`` → 201 with the
  customer's opening message
* ``POST /api/v1/training/sessions/{id}/messages`` ``{"body"}`` → ``{"body", "mood", "done"}``
* ``POST /api/v1/training/sessions/{id}/finish`` → ``{"score", "feedback"}``
* ``GET /api/v1/training/sessions/{id}`` (the transcript), ``GET
  /api/v1/training/sessions?trainee=&brand=&limit=&cursor=`` (own, or supervisors: the brand's)
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import Field

from wowdesk.conversations.models import Conversation
from wowdesk.core import permissions
from wowdesk.core.api import me
from wowdesk.core.errors import Forbidden, InvalidInput, NotFound
from wowdesk.core.models import Agent, Role
from wowdesk.core.schemas import ERRORS, Line
from wowdesk.training import services, simulator
from wowdesk.training.models import Assignment, Scenario, TrainingSession

router = Router(tags=["training"])

ID = Field(None, ge=1, le=2**62)
MAX_LIMIT = 200
Text = Field(None, max_length=10_000)


class ScenarioIn(Schema):
    from_conversation: int | None = ID
    brand_id: int | None = ID
    title: Line | None = Field(None, max_length=200)
    product: Line | None = Field(None, max_length=200)
    market: Line | None = Field(None, max_length=64)
    language: Line | None = Field(None, max_length=16)
    mood: Line | None = Field(None, max_length=12)
    difficulty: Line | None = Field(None, max_length=8)
    opening: str | None = Text
    facts: dict[str, str] | None = Field(None, max_length=50)
    expected_resolution: str | None = Text
    key_points: list[str] | None = Field(None, max_length=20)
    policy_limits: list[dict[str, Any]] | None = Field(None, max_length=20)
    scorecard_id: int | None = ID
    archived: bool | None = None


class ScenarioOut(Schema):
    id: int
    brand_id: int
    title: str
    source: str
    # the conversation it was made from: supervisors+ only (never in the trainee's view)
    source_conversation_id: int | None = None
    product: str
    market: str
    language: str
    mood: str
    difficulty: str
    opening: str
    facts: dict[str, Any]
    transcript: list[dict[str, Any]]
    expected_resolution: str
    key_points: list[Any]
    policy_limits: list[Any]
    scorecard_id: int | None
    archived: bool
    created_at: dt.datetime
    updated_at: dt.datetime


class ScenariosQuery(Schema):
    brand: int | None = ID
    limit: int = Field(50, ge=1, le=MAX_LIMIT)
    # the last id of the previous page
    cursor: int | None = ID


class ScenariosOut(Schema):
    items: list[ScenarioOut]
    next_cursor: int | None


class SessionIn(Schema):
    scenario_id: int = Field(..., ge=1, le=2**62)
    assignment_id: int | None = ID


class MessageIn(Schema):
    body: str = Field(..., max_length=services.MAX_BODY)


class TurnOut(Schema):
    id: int
    body: str
    mood: str
    mood_level: int
    done: bool
    outcome: str


class TrainingMessageOut(Schema):
    id: int
    role: str
    body: str
    mood: str | None
    created_at: dt.datetime


class CriterionOut(Schema):
    score: float
    feedback: str


class SessionOut(Schema):
    id: int
    brand_id: int
    scenario_id: int
    scenario_title: str
    trainee_id: int
    assignment_id: int | None
    status: str
    provider: str
    mood: str
    mood_level: int
    done: bool
    outcome: str
    score: float | None
    feedback: dict[str, CriterionOut]
    started_at: dt.datetime
    finished_at: dt.datetime | None
    messages: list[TrainingMessageOut] = []


class FinishOut(Schema):
    score: float
    feedback: dict[str, CriterionOut]


class SessionsQuery(Schema):
    trainee: int | None = ID
    brand: int | None = ID
    scenario: int | None = ID
    limit: int = Field(50, ge=1, le=MAX_LIMIT)
    cursor: int | None = ID


class SessionsOut(Schema):
    items: list[SessionOut]
    next_cursor: int | None


# --- scenarios --------------------------------------------------------------------------------


def scenario_out(s: Scenario, agent: Agent) -> ScenarioOut:
    staff = permissions.has_role_in(agent, Role.SUPERVISOR, s.brand_id)
    return ScenarioOut(
        id=s.pk,
        brand_id=s.brand_id,
        title=s.title,
        source=s.source,
        source_conversation_id=s.source_conversation_id if staff else None,
        product=s.product,
        market=s.market,
        language=s.language,
        mood=s.mood,
        difficulty=s.difficulty,
        opening=s.opening,
        facts=s.facts or {},
        transcript=s.transcript or [],
        expected_resolution=s.expected_resolution,
        key_points=s.key_points or [],
        policy_limits=s.policy_limits or [],
        scorecard_id=s.scorecard_id,
        archived=s.archived,
        created_at=s.created_at,
        updated_at=s.updated_at,
    )


def _scenario(agent: Agent, scenario_id: int, field: str = "id") -> Scenario:
    s = Scenario.objects.filter(pk=scenario_id).first()
    if s is None:
        raise NotFound(_("Not found."), field=field)
    permissions.check_brand(agent, s.brand_id)
    if s.archived and not permissions.has_role_in(agent, Role.SUPERVISOR, s.brand_id):
        raise NotFound(_("Not found."), field=field)
    return s


@router.post("/training/scenarios", response={201: ScenarioOut, **ERRORS})
def create_scenario(request: HttpRequest, payload: ScenarioIn) -> Status[ScenarioOut]:
    with transaction.atomic():
        agent = me(request)
        data = payload.model_dump(exclude_unset=True)
        source = data.pop("from_conversation", None)
        if source is not None:
            conversation = permissions.get_for_agent(
                Conversation.objects.select_related("customer"), agent, source
            )
            scenario = services.create_scenario_from_conversation(agent, conversation)
        else:
            brand_id = permissions.pick_brand(agent, data.pop("brand_id", None), Role.SUPERVISOR)
            scenario = services.save_scenario(agent, brand_id, **data)
        return Status(201, scenario_out(scenario, agent))


@router.get("/training/scenarios", response={200: ScenariosOut, **ERRORS})
def list_scenarios(request: HttpRequest, q: Query[ScenariosQuery]) -> ScenariosOut:
    agent = me(request)
    rows = Scenario.objects.filter(services.scenarios_visible(agent))
    if q.brand is not None:
        permissions.check_brand(agent, q.brand)
        rows = rows.filter(brand_id=q.brand)
    if q.cursor is not None:
        rows = rows.filter(pk__lt=q.cursor)
    page = list(rows.order_by("-id")[: q.limit + 1])
    more = len(page) > q.limit
    page = page[: q.limit]
    return ScenariosOut(
        items=[scenario_out(s, agent) for s in page],
        next_cursor=page[-1].pk if more and page else None,
    )


@router.get("/training/scenarios/{scenario_id}", response={200: ScenarioOut, **ERRORS})
def get_scenario(request: HttpRequest, scenario_id: int) -> ScenarioOut:
    agent = me(request)
    return scenario_out(_scenario(agent, scenario_id), agent)


@router.patch("/training/scenarios/{scenario_id}", response={200: ScenarioOut, **ERRORS})
def patch_scenario(request: HttpRequest, scenario_id: int, payload: ScenarioIn) -> ScenarioOut:
    with transaction.atomic():
        agent = me(request)
        scenario = _scenario(agent, scenario_id)
        data = payload.model_dump(exclude_unset=True)
        for name in ("from_conversation", "brand_id"):
            if name in data:
                raise InvalidInput(_("This field cannot be changed."), field=name)
        scenario = services.save_scenario(agent, scenario.brand_id, scenario, **data)
        return scenario_out(scenario, agent)


# --- sessions ---------------------------------------------------------------------------------


def _mood(level: int) -> str:
    return simulator.MOODS[max(0, min(simulator.MAX_MOOD, level))]


def session_out(s: TrainingSession, messages: bool = False) -> SessionOut:
    state = s.state or {}
    level = int(state.get("mood", simulator.mood_level(s.scenario.mood)))
    feedback = services.feedback_in(s, get_language())
    return SessionOut(
        id=s.pk,
        brand_id=s.brand_id,
        scenario_id=s.scenario_id,
        scenario_title=s.scenario.title,
        trainee_id=s.trainee_id,
        assignment_id=s.assignment_id,
        status=s.status,
        provider=s.provider,
        mood=_mood(level),
        mood_level=level,
        done=bool(state.get("outcome")),
        outcome=str(state.get("outcome", "")),
        score=s.score,
        feedback={k: CriterionOut(**v) for k, v in feedback.items()},
        started_at=s.started_at,
        finished_at=s.finished_at,
        messages=[
            TrainingMessageOut(
                id=m.pk,
                role=m.role,
                body=m.body,
                mood=_mood(int(m.meta["mood"])) if isinstance(m.meta.get("mood"), int) else None,
                created_at=m.created_at,
            )
            for m in s.messages.order_by("created_at", "id")
        ]
        if messages
        else [],
    )


def _session(agent: Agent, session_id: int) -> TrainingSession:
    s = TrainingSession.objects.select_related("scenario").filter(pk=session_id).first()
    if s is None:
        raise NotFound(_("Not found."), field="id")
    permissions.check_brand(agent, s.brand_id)
    if not TrainingSession.objects.filter(
        permissions.training_sessions_visible(agent), pk=s.pk
    ).exists():
        raise Forbidden(_("This is another trainee's session."))
    return s


@router.post("/training/sessions", response={201: SessionOut, **ERRORS})
def start_session(request: HttpRequest, payload: SessionIn) -> Status[SessionOut]:
    with transaction.atomic():
        agent = me(request)
        scenario = _scenario(agent, payload.scenario_id, field="scenario_id")
        assignment = None
        if payload.assignment_id is not None:
            assignment = Assignment.objects.filter(pk=payload.assignment_id).first()
            if assignment is None:
                raise NotFound(_("Not found."), field="assignment_id")
            permissions.check_brand(agent, assignment.brand_id)
        session = services.start_session(agent, scenario, assignment)
        return Status(201, session_out(session, messages=True))


@router.post("/training/sessions/{session_id}/messages", response={200: TurnOut, **ERRORS})
def send_message(request: HttpRequest, session_id: int, payload: MessageIn) -> TurnOut:
    agent = me(request)
    # the answer is worked out outside the transaction (an LLM call may take seconds)
    pending = services.prepare_turn(agent, _session(agent, session_id), payload.body)
    with transaction.atomic():
        answer = services.record_turn(pending)
        session = pending.session
        level = int(answer.meta.get("mood", 0))
        return TurnOut(
            id=answer.pk,
            body=answer.body,
            mood=_mood(level),
            mood_level=level,
            done=bool(answer.meta.get("done")),
            outcome=str((session.state or {}).get("outcome", "")),
        )


@router.post("/training/sessions/{session_id}/finish", response={200: FinishOut, **ERRORS})
def finish_session(request: HttpRequest, session_id: int) -> FinishOut:
    with transaction.atomic():
        agent = me(request)
        session = services.finish_session(agent, _session(agent, session_id))
        feedback = services.feedback_in(session, get_language())
        return FinishOut(
            score=session.score or 0.0,
            feedback={k: CriterionOut(**v) for k, v in feedback.items()},
        )


@router.get("/training/sessions/{session_id}", response={200: SessionOut, **ERRORS})
def get_session(request: HttpRequest, session_id: int) -> SessionOut:
    agent = me(request)
    return session_out(_session(agent, session_id), messages=True)


@router.get("/training/sessions", response={200: SessionsOut, **ERRORS})
def list_sessions(request: HttpRequest, q: Query[SessionsQuery]) -> SessionsOut:
    agent = me(request)
    rows = TrainingSession.objects.filter(permissions.training_sessions_visible(agent))
    if q.brand is not None:
        permissions.check_brand(agent, q.brand)
        rows = rows.filter(brand_id=q.brand)
    if q.trainee is not None:
        if q.trainee != agent.pk and not permissions.brands_with_role(agent, Role.SUPERVISOR):
            raise Forbidden(_("You see your own training sessions only."))
        rows = rows.filter(trainee_id=q.trainee)
    if q.scenario is not None:
        rows = rows.filter(scenario_id=q.scenario)
    if q.cursor is not None:
        rows = rows.filter(pk__lt=q.cursor)
    page = list(rows.select_related("scenario").order_by("-id")[: q.limit + 1])
    more = len(page) > q.limit
    page = page[: q.limit]
    return SessionsOut(
        items=[session_out(s) for s in page],
        next_cursor=page[-1].pk if more and page else None,
    )
