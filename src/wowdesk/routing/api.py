"""API: presence, the queue, SLA policies, supervisor alerts, the coverage report."""

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import Field

from wowdesk.conversations.models import Channel, Priority
from wowdesk.core import permissions
from wowdesk.core.api import AgentOut, _visible_agent, agent_out, me
from wowdesk.core.errors import InvalidInput
from wowdesk.core.models import Agent, Alert, Presence, Role
from wowdesk.core.schemas import ERRORS, Line
from wowdesk.routing import services
from wowdesk.routing.models import SlaPolicy

router = Router(tags=["routing"])


def agent_routing_state(agents: Sequence[Agent]) -> dict[int, dict[str, Any]]:
    """``AgentOut``'s routing fields (``core.api.contribute_agent_state``): on shift now,
    open conversations per channel and in all."""
    now = timezone.now()
    loads = services.open_loads([a.pk for a in agents])
    out: dict[int, dict[str, Any]] = {}
    for agent in agents:
        load = loads.get(agent.pk, {})
        out[agent.pk] = {
            "on_shift": services.on_shift(agent, now),
            "open_load": load,
            "open_total": sum(load.values()),
        }
    return out


class PresenceIn(Schema):
    status: Presence


@router.post("/agents/{agent_id}/presence", response={200: AgentOut, **ERRORS})
@transaction.atomic
def set_presence(request: HttpRequest, agent_id: int, payload: PresenceIn) -> AgentOut:
    """Set an agent online, away or offline (oneself, or anyone as a supervisor).
    Online: the queue is served at once. Offline: their open conversations go back to
    the queue and are routed to someone else."""
    agent = _visible_agent(request, agent_id)
    if agent.pk != me(request).pk:
        permissions.require_role(
            me(request), Role.SUPERVISOR, any_of=agent.brands.values_list("id", flat=True)
        )
    services.set_presence(agent, payload.status, actor=me(request))
    return agent_out(Agent.objects.select_related("user", "site").get(pk=agent.pk))


class RoutingIn(Schema):
    opt_in: bool = Field(..., strict=True)


@router.post("/agents/{agent_id}/routing", response={200: AgentOut, **ERRORS})
@transaction.atomic
def set_routing(request: HttpRequest, agent_id: int, payload: RoutingIn) -> AgentOut:
    """Whether a supervisor or administrator is routed conversations (``routed``; agents
    always are). Oneself, or anyone as a supervisor."""
    agent = _visible_agent(request, agent_id)
    if agent.pk != me(request).pk:
        permissions.require_role(me(request), Role.SUPERVISOR)
    services.set_routing_opt_in(agent, payload.opt_in, by=me(request))
    return agent_out(Agent.objects.select_related("user", "site").get(pk=agent.pk))


class QueueItem(Schema):
    id: int
    number: int
    subject: str
    language: str
    channel: str
    priority: str
    vip: bool
    waiting_since: dt.datetime | None


@router.get("/queue", response={200: list[QueueItem], **ERRORS})
def queue(request: HttpRequest, brand_id: int | None = None) -> list[QueueItem]:
    """Unassigned open conversations in the order they will be served (angry customers
    and VIPs first, then SLA risk and priority, then the longest waiting)."""
    brand = permissions.pick_brand(me(request), brand_id)
    return [
        QueueItem(
            id=c.pk,
            number=c.number,
            subject=c.subject,
            language=c.language,
            channel=c.inbox.channel,
            priority=c.priority,
            vip=bool(c.customer.vip_tier),
            waiting_since=c.waiting_since,
        )
        for c in services.waiting_queue(brand)
    ]


class SlaPolicyOut(Schema):
    id: int
    brand_id: int
    name: str
    priority: str
    channel: str
    first_response_minutes: int
    next_response_minutes: int | None
    resolution_minutes: int | None
    business_hours: bool
    warn_at: float
    position: int
    is_active: bool


class SlaPolicyIn(Schema):
    name: Line = Field(..., min_length=1, max_length=200)
    priority: Priority | None = None
    channel: Channel | None = None
    first_response_minutes: int = Field(..., ge=1, le=525_600)
    next_response_minutes: int | None = Field(None, ge=1, le=525_600)
    resolution_minutes: int | None = Field(None, ge=1, le=5_256_000)
    business_hours: bool = True
    warn_at: float = Field(0.75, gt=0, lt=1)
    position: int = Field(0, ge=0, le=10_000)
    is_active: bool = True
    brand_id: int | None = Field(None, ge=1, le=2**62)


class SlaPolicyPatch(Schema):
    name: Line | None = Field(None, min_length=1, max_length=200)
    first_response_minutes: int | None = Field(None, ge=1, le=525_600)
    next_response_minutes: int | None = Field(None, ge=1, le=525_600)
    resolution_minutes: int | None = Field(None, ge=1, le=5_256_000)
    business_hours: bool | None = None
    warn_at: float | None = Field(None, gt=0, lt=1)
    position: int | None = Field(None, ge=0, le=10_000)
    is_active: bool | None = None


@router.get("/sla-policies", response={200: list[SlaPolicyOut], **ERRORS})
def list_policies(request: HttpRequest) -> list[SlaPolicyOut]:
    qs = permissions.scope(SlaPolicy.objects.all(), me(request))
    return [SlaPolicyOut.from_orm(p) for p in qs]


@router.post("/sla-policies", response={201: SlaPolicyOut, **ERRORS})
@transaction.atomic
def create_policy(request: HttpRequest, payload: SlaPolicyIn) -> Status[SlaPolicyOut]:
    permissions.require_role(me(request), Role.ADMIN)
    brand_id = permissions.pick_brand(me(request), payload.brand_id, role=Role.ADMIN)
    data = payload.model_dump(exclude={"brand_id"})
    data["priority"] = data["priority"] or ""
    data["channel"] = data["channel"] or ""
    policy = services.create_sla_policy(brand_id=brand_id, actor=me(request), **data)
    return Status(201, SlaPolicyOut.from_orm(policy))


@router.patch("/sla-policies/{policy_id}", response={200: SlaPolicyOut, **ERRORS})
@transaction.atomic
def update_policy(request: HttpRequest, policy_id: int, payload: SlaPolicyPatch) -> SlaPolicyOut:
    permissions.require_role(me(request), Role.ADMIN)
    policy = permissions.get_for_agent(
        SlaPolicy.objects.all(), me(request), policy_id, role=Role.ADMIN
    )
    services.update_sla_policy(policy, actor=me(request), **payload.model_dump(exclude_unset=True))
    return SlaPolicyOut.from_orm(policy)


class AlertOut(Schema):
    id: int
    brand_id: int
    kind: str
    text: str
    conversation_id: int | None
    message_id: int | None
    data: dict[str, object]
    created_at: dt.datetime
    acknowledged_at: dt.datetime | None
    # the brand's name and the alert's sentence in the request's language
    brand_name: str
    message: str


def alert_out(a: Alert) -> AlertOut:
    from wowdesk.core.alerts import message

    return AlertOut(
        id=a.pk,
        brand_id=a.brand_id,
        kind=a.kind,
        text=a.text,
        conversation_id=a.conversation_id,
        message_id=a.message_id,
        data=a.data,
        created_at=a.created_at,
        acknowledged_at=a.acknowledged_at,
        brand_name=a.brand.name,
        message=message(a),
    )


@router.get("/alerts", response={200: list[AlertOut], **ERRORS})
def list_alerts(
    request: HttpRequest, open_only: bool = True, limit: int = Query(50, ge=1, le=500)
) -> list[AlertOut]:
    """What supervisors should look at: sharp mood drops, SLA warnings and breaches."""
    permissions.require_role(me(request), Role.SUPERVISOR)
    qs = permissions.scope(Alert.objects.all(), me(request), role=Role.SUPERVISOR)
    if open_only:
        qs = qs.filter(acknowledged_at__isnull=True)
    return [alert_out(a) for a in qs.select_related("brand")[:limit]]


@router.post("/alerts/{alert_id}/ack", response={200: AlertOut, **ERRORS})
@transaction.atomic
def ack_alert(request: HttpRequest, alert_id: int) -> AlertOut:
    from wowdesk.core.alerts import acknowledge as acknowledge_alert

    permissions.require_role(me(request), Role.SUPERVISOR)
    alert = permissions.get_for_agent(
        Alert.objects.all(), me(request), alert_id, role=Role.SUPERVISOR
    )
    acknowledge_alert(alert, actor=me(request))
    return alert_out(alert)


class GapOut(Schema):
    language: str
    gaps: list[str]
    covered_hours: int


class CoverageOut(Schema):
    week_of: dt.date
    timezone: str
    languages: list[GapOut]


@router.get("/reports/coverage", response={200: CoverageOut, **ERRORS})
def coverage(
    request: HttpRequest,
    week_of: dt.date | None = None,
    tz: str = "UTC",
    brand_id: int | None = Query(None, ge=1, le=2**62),
) -> CoverageOut:
    """For each language the brand's agents speak: the hours of the week nobody who
    speaks it is on shift (follow-the-sun gaps), in the time zone ``tz``."""
    from wowdesk.core.input import check_date
    from wowdesk.core.services import valid_timezone

    brand = permissions.pick_brand(me(request), brand_id)
    valid_timezone(tz, field="tz")
    if week_of is not None:
        check_date(week_of, "week_of")
    week = week_of or timezone.localdate()
    try:
        report = services.coverage_report(brand, week, tz)
    except ValueError as exc:
        raise InvalidInput(_("Cannot compute coverage: %(e)s") % {"e": exc}) from exc
    return CoverageOut(
        week_of=week,
        timezone=tz,
        languages=[
            GapOut(language=lang, gaps=gaps, covered_hours=hours)
            for lang, (gaps, hours) in sorted(report.items())
        ],
    )
