"""API: the policy table, grants, approvals, the cost report (``docs/policies.md``).

* ``GET /api/v1/policies?brand=&mine=`` (every agent of the brand), ``POST`` (administrators),
  ``PATCH``/``DELETE /api/v1/policies/{id}`` (administrators)
* ``GET``/``PATCH /api/v1/policies/settings?brand=`` (supervisors read, administrators change)
* ``POST /api/v1/conversations/{id}/grants`` → 201 granted or 202 pending approval;
  ``GET`` lists them (whoever sees the conversation)
* ``POST /api/v1/grants/{id}/cancel`` (the requester, while pending)
* ``GET /api/v1/approvals?status=&brand=`` and ``POST /api/v1/approvals/{id}/decision``
  (supervisors and administrators of the brand)
* ``GET /api/v1/grants?from=&to=&agent=&action=&status=&brand=&limit=&cursor=`` (supervisors:
  the brand's; agents: their own)
* ``GET /api/v1/grants/costs?from=&to=&group_by=&brand=&currency=`` (supervisors+)
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import Field

from wowdesk.conversations.models import Conversation
from wowdesk.core import permissions
from wowdesk.core.api import me
from wowdesk.core.errors import InvalidInput
from wowdesk.core.input import check_date
from wowdesk.core.models import Role
from wowdesk.core.schemas import ERRORS
from wowdesk.policies import services
from wowdesk.policies.models import Approval, ApprovalStatus, Grant, GrantStatus, Policy

router = Router(tags=["policies"])


ID = Field(None, ge=1, le=2**62)
MAX_LIMIT = 200
AMOUNT = Field(None, ge=0, le=9999999999.99)


# --- schemas -----------------------------------------------------------------------------------


class PolicyIn(Schema):
    action: str = Field(..., min_length=1, max_length=60)
    role: Literal["agent", "supervisor", "admin"] = "agent"
    limit: Decimal | None = AMOUNT
    currency: str | None = Field(None, max_length=3)
    unit: Literal["money", "hours", "months", "items"] | None = None
    monthly_budget: Decimal | None = AMOUNT
    min_tenure_months: int = Field(0, ge=0, le=600)
    team_id: int | None = ID
    label: str = Field("", max_length=120)
    enabled: bool = True
    brand_id: int | None = ID


class PolicyPatch(Schema):
    action: str | None = Field(None, min_length=1, max_length=60)
    role: Literal["agent", "supervisor", "admin"] | None = None
    limit: Decimal | None = AMOUNT
    currency: str | None = Field(None, max_length=3)
    unit: Literal["money", "hours", "months", "items"] | None = None
    monthly_budget: Decimal | None = AMOUNT
    min_tenure_months: int | None = Field(None, ge=0, le=600)
    team_id: int | None = ID
    label: str | None = Field(None, max_length=120)
    enabled: bool | None = None


class PolicyOut(Schema):
    id: int
    brand_id: int
    action: str
    label: str
    role: str
    min_tenure_months: int
    limit: Decimal | None
    unit: str
    currency: str
    monthly_budget: Decimal | None
    team_id: int | None
    enabled: bool


class PoliciesQuery(Schema):
    brand: int | None = ID
    mine: bool = False


class PolicySettingsQuery(Schema):
    brand: int | None = ID


class PolicySettingsIn(Schema):
    approval_sla_minutes: int = Field(..., ge=1, le=services.MAX_SLA_MINUTES)


class PolicySettingsOut(Schema):
    brand_id: int
    approval_sla_minutes: int


class GrantIn(Schema):
    action: str = Field(..., min_length=1, max_length=60)
    amount: Decimal | None = Field(None, le=9999999999.99)
    currency: str | None = Field(None, max_length=3)
    reason: str = Field(..., max_length=services.MAX_REASON)
    details: dict[str, Any] | None = None


class ApprovalRef(Schema):
    id: int
    status: str
    why: str
    due_at: dt.datetime | None
    decided_by_id: int | None
    decided_at: dt.datetime | None
    note: str


class GrantOut(Schema):
    id: int
    status: str
    brand_id: int
    conversation_id: int
    customer_id: int | None
    agent_id: int | None
    team_id: int | None
    policy_id: int | None
    action: str
    amount: Decimal | None
    currency: str
    reason: str
    details: dict[str, Any]
    created_at: dt.datetime
    decided_at: dt.datetime | None
    approval_id: int | None = None
    approval: ApprovalRef | None = None


class ApprovalOut(Schema):
    id: int
    brand_id: int
    status: str
    why: str
    due_at: dt.datetime | None
    overdue: bool
    requested_by_id: int | None
    requested_by_name: str
    decided_by_id: int | None
    decided_at: dt.datetime | None
    note: str
    created_at: dt.datetime
    conversation_number: int
    what: str
    grant: GrantOut


class ApprovalsQuery(Schema):
    status: Literal["pending", "approved", "declined", "all"] = "pending"
    brand: int | None = ID
    limit: int = Field(50, ge=1, le=MAX_LIMIT)
    cursor: str | None = Field(None, max_length=200)


class ApprovalDecisionIn(Schema):
    decision: Literal["approve", "decline"]
    note: str = Field("", max_length=2000)


class GrantsQuery(Schema):
    date_from: dt.date | None = Field(None, alias="from")
    date_to: dt.date | None = Field(None, alias="to")
    agent: int | None = ID
    action: str | None = Field(None, max_length=60)
    status: Literal["granted", "pending_approval", "declined", "cancelled"] | None = None
    brand: int | None = ID
    limit: int = Field(50, ge=1, le=MAX_LIMIT)
    cursor: str | None = Field(None, max_length=200)


class GrantsPage(Schema):
    items: list[GrantOut]
    next_cursor: str | None


class ApprovalsPage(Schema):
    items: list[ApprovalOut]
    next_cursor: str | None


class CostsQuery(Schema):
    date_from: dt.date | None = Field(None, alias="from")
    date_to: dt.date | None = Field(None, alias="to")
    group_by: Literal["brand", "team", "agent", "action", "reason"] = "action"
    brand: int | None = ID
    currency: str | None = Field(None, max_length=3)


class CostRow(Schema):
    month: str
    group: int | str | None
    label: str
    currency: str
    total: Decimal
    count: int
    on_the_spot: int
    on_the_spot_total: Decimal
    approved: int
    approved_total: Decimal


class CostsOut(Schema):
    date_from: dt.date
    date_to: dt.date
    group_by: str
    rows: list[CostRow]


# --- helpers -----------------------------------------------------------------------------------


def policy_out(p: Policy) -> PolicyOut:
    return PolicyOut(
        id=p.pk,
        brand_id=p.brand_id,
        action=p.action,
        label=p.label,
        role=p.role,
        min_tenure_months=p.min_tenure_months,
        limit=p.limit,
        unit=p.unit,
        currency=p.currency,
        monthly_budget=p.monthly_budget,
        team_id=p.team_id,
        enabled=p.enabled,
    )


def _approval_of(g: Grant) -> Approval | None:
    try:
        return g.approval
    except Approval.DoesNotExist:
        return None


def grant_out(g: Grant, approval: Approval | None = None) -> GrantOut:
    a = approval if approval is not None else _approval_of(g)
    return GrantOut(
        id=g.pk,
        status=g.status,
        brand_id=g.brand_id,
        conversation_id=g.conversation_id,
        customer_id=g.customer_id,
        agent_id=g.agent_id,
        team_id=g.team_id,
        policy_id=g.policy_id,
        action=g.action,
        amount=g.amount,
        currency=g.currency,
        reason=g.reason,
        details=g.details or {},
        created_at=g.created_at,
        decided_at=g.decided_at,
        approval_id=a.pk if a is not None else None,
        approval=ApprovalRef(
            id=a.pk,
            status=a.status,
            why=a.why,
            due_at=a.due_at,
            decided_by_id=a.decided_by_id,
            decided_at=a.decided_at,
            note=a.note,
        )
        if a is not None
        else None,
    )


def approval_out(
    a: Approval,
    now: dt.datetime | None = None,
    labels: dict[tuple[int, str], str] | None = None,
) -> ApprovalOut:
    now = now or timezone.now()
    g = a.grant
    return ApprovalOut(
        id=a.pk,
        brand_id=a.brand_id,
        status=a.status,
        why=a.why,
        due_at=a.due_at,
        overdue=a.status == ApprovalStatus.PENDING and a.due_at is not None and a.due_at < now,
        requested_by_id=a.requested_by_id,
        requested_by_name=a.requested_by.display_name if a.requested_by else "",
        decided_by_id=a.decided_by_id,
        decided_at=a.decided_at,
        note=a.note,
        created_at=a.created_at,
        conversation_number=g.conversation.number,
        what=services.what_of(g, labels),
        grant=grant_out(g, a),
    )


def _encode_cursor(at: dt.datetime, pk: int) -> str:
    return base64.urlsafe_b64encode(f"{at.isoformat()}|{pk}".encode()).decode().rstrip("=")


def _decode_cursor(cursor: str) -> tuple[dt.datetime, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        at, pk = raw.split("|")
        when = dt.datetime.fromisoformat(at)
        number = int(pk)
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise InvalidInput(_("Not a cursor from this list."), field="cursor") from exc
    if when.tzinfo is None or not 0 < number < 2**62:
        raise InvalidInput(_("Not a cursor from this list."), field="cursor")
    return when, number


def _policy_brand(request: HttpRequest, brand: int | None, role: str | None = None) -> int:
    return permissions.pick_brand(me(request), brand, role)


# --- the policy table --------------------------------------------------------------------------


@router.get("/policies", response={200: list[PolicyOut], **ERRORS})
def list_policies(request: HttpRequest, q: Query[PoliciesQuery]) -> list[PolicyOut]:
    agent = me(request)
    if q.mine:
        brand_id = _policy_brand(request, q.brand)
        return [policy_out(p) for p in services.policies_for(agent, brand_id)]
    if q.brand is not None:
        permissions.check_brand(agent, q.brand)
        brands = {q.brand}
    else:
        brands = permissions.visible_brand_ids(agent)
    return [policy_out(p) for p in services.policies_of(brands)]


@router.post("/policies", response={201: PolicyOut, **ERRORS})
def create_policy(request: HttpRequest, payload: PolicyIn) -> Status[Any]:
    with transaction.atomic():
        agent = me(request)
        brand_id = permissions.pick_brand(agent, payload.brand_id, Role.ADMIN)
        unit = payload.unit or ("money" if payload.currency else "items")
        row = services.save_policy(
            agent,
            brand_id,
            action=payload.action,
            role=payload.role,
            limit=payload.limit,
            currency=payload.currency or "",
            unit=unit,
            monthly_budget=payload.monthly_budget,
            min_tenure_months=payload.min_tenure_months,
            team_id=payload.team_id,
            label=payload.label,
            enabled=payload.enabled,
        )
        return Status(201, policy_out(row))


def _get_policy(request: HttpRequest, policy_id: int) -> Policy:
    return permissions.get_for_agent(Policy.objects.all(), me(request), policy_id)


@router.get("/policies/settings", response={200: PolicySettingsOut, **ERRORS})
def get_policy_settings(request: HttpRequest, q: Query[PolicySettingsQuery]) -> PolicySettingsOut:
    brand_id = _policy_brand(request, q.brand, Role.SUPERVISOR)
    row = services.settings_of(brand_id)
    return PolicySettingsOut(brand_id=brand_id, approval_sla_minutes=row.approval_sla_minutes)


@router.patch("/policies/settings", response={200: PolicySettingsOut, **ERRORS})
def patch_policy_settings(
    request: HttpRequest, q: Query[PolicySettingsQuery], payload: PolicySettingsIn
) -> PolicySettingsOut:
    with transaction.atomic():
        agent = me(request)
        brand_id = _policy_brand(request, q.brand, Role.ADMIN)
        row = services.update_settings(
            agent, brand_id, approval_sla_minutes=payload.approval_sla_minutes
        )
        return PolicySettingsOut(brand_id=brand_id, approval_sla_minutes=row.approval_sla_minutes)


@router.patch("/policies/{policy_id}", response={200: PolicyOut, **ERRORS})
def patch_policy(request: HttpRequest, policy_id: int, payload: PolicyPatch) -> PolicyOut:
    with transaction.atomic():
        agent = me(request)
        row = _get_policy(request, policy_id)
        changes = payload.model_dump(exclude_unset=True)
        for name in ("action", "role", "unit", "min_tenure_months", "enabled", "label"):
            if name in changes and changes[name] is None:
                raise InvalidInput(_("This cannot be empty."), field=name)
        current: dict[str, Any] = {
            "action": row.action,
            "role": row.role,
            "limit": row.limit,
            "currency": row.currency,
            "unit": row.unit,
            "monthly_budget": row.monthly_budget,
            "min_tenure_months": row.min_tenure_months,
            "team_id": row.team_id,
            "label": row.label,
            "enabled": row.enabled,
        }
        current.update(changes)
        current["currency"] = current["currency"] or ""
        saved = services.save_policy(agent, row.brand_id, policy=row, **current)
        return policy_out(saved)


@router.delete("/policies/{policy_id}", response={204: None, **ERRORS})
def delete_policy(request: HttpRequest, policy_id: int) -> Status[Any]:
    with transaction.atomic():
        row = _get_policy(request, policy_id)
        services.delete_policy(me(request), row)
        return Status(204, None)


# --- grants ------------------------------------------------------------------------------------


@router.post(
    "/conversations/{conversation_id}/grants", response={201: GrantOut, 202: GrantOut, **ERRORS}
)
def create_grant(request: HttpRequest, conversation_id: int, payload: GrantIn) -> Status[Any]:
    with transaction.atomic():
        agent = me(request)
        conversation = permissions.get_for_agent(Conversation.objects.all(), agent, conversation_id)
        grant = services.request_grant(
            agent,
            conversation,
            action=payload.action,
            amount=payload.amount,
            currency=payload.currency or "",
            reason=payload.reason,
            details=payload.details,
        )
        status = 201 if grant.status == GrantStatus.GRANTED else 202
        return Status(status, grant_out(grant))


@router.get("/conversations/{conversation_id}/grants", response={200: list[GrantOut], **ERRORS})
def conversation_grants(request: HttpRequest, conversation_id: int) -> list[GrantOut]:
    conversation = permissions.get_for_agent(
        Conversation.objects.only("id", "brand_id"), me(request), conversation_id
    )
    return [grant_out(g) for g in services.grants_of(conversation)[:MAX_LIMIT]]


@router.post("/grants/{grant_id}/cancel", response={200: GrantOut, **ERRORS})
def cancel_grant(request: HttpRequest, grant_id: int) -> GrantOut:
    with transaction.atomic():
        agent = me(request)
        grant = services.get_grant(agent, grant_id)
        return grant_out(services.cancel_grant(agent, grant))


def _date_range(
    date_from: dt.date | None, date_to: dt.date | None, default_days: int
) -> tuple[dt.date, dt.date]:
    today = timezone.localdate()
    end = date_to or today
    start = date_from or (end - dt.timedelta(days=default_days))
    check_date(start, "from")
    check_date(end, "to")
    if end < start:
        raise InvalidInput(_("The end is before the start."), field="to")
    return start, end


@router.get("/grants", response={200: GrantsPage, **ERRORS})
def list_grants(request: HttpRequest, q: Query[GrantsQuery]) -> GrantsPage:
    agent = me(request)
    cond = services.grants_visible(agent)
    if q.brand is not None:
        permissions.check_brand(agent, q.brand)
        cond &= Q(brand_id=q.brand)
    tz = timezone.get_current_timezone()
    if q.date_from is not None:
        check_date(q.date_from, "from")
        cond &= Q(created_at__gte=dt.datetime.combine(q.date_from, dt.time(), tzinfo=tz))
    if q.date_to is not None:
        check_date(q.date_to, "to")
        end = dt.datetime.combine(q.date_to + dt.timedelta(days=1), dt.time(), tzinfo=tz)
        cond &= Q(created_at__lt=end)
    if q.agent is not None:
        cond &= Q(agent_id=q.agent)
    if q.action:
        cond &= Q(action=q.action.strip().lower())
    if q.status:
        cond &= Q(status=q.status)
    if q.cursor:
        at, pk = _decode_cursor(q.cursor)
        cond &= Q(created_at__lt=at) | Q(created_at=at, id__lt=pk)
    rows = list(
        Grant.objects.filter(cond)
        .select_related("approval")
        .order_by("-created_at", "-id")[: q.limit + 1]
    )
    more = len(rows) > q.limit
    rows = rows[: q.limit]
    return GrantsPage(
        items=[grant_out(g) for g in rows],
        next_cursor=_encode_cursor(rows[-1].created_at, rows[-1].pk) if more and rows else None,
    )


@router.get("/grants/costs", response={200: CostsOut, **ERRORS})
def grant_costs(request: HttpRequest, q: Query[CostsQuery]) -> CostsOut:
    agent = me(request)
    start, end = _date_range(q.date_from, q.date_to, 365)
    if q.brand is not None:
        permissions.check_brand(agent, q.brand)
    rows = services.grant_costs(
        agent,
        date_from=start,
        date_to=end,
        group_by=q.group_by,
        brand_id=q.brand,
        currency=q.currency,
    )
    return CostsOut(
        date_from=start,
        date_to=end,
        group_by=q.group_by,
        rows=[CostRow(**{**r, "group": r["group"]}) for r in rows],
    )


# --- approvals ---------------------------------------------------------------------------------


@router.get("/approvals", response={200: ApprovalsPage, **ERRORS})
def list_approvals(request: HttpRequest, q: Query[ApprovalsQuery]) -> ApprovalsPage:
    agent = me(request)
    if q.brand is not None:
        permissions.check_supervisor_of(agent, q.brand)
    else:
        permissions.require_role(agent, Role.SUPERVISOR)
    rows_q = services.approvals_visible(agent)
    if q.brand is not None:
        rows_q = rows_q.filter(brand_id=q.brand)
    if q.status != "all":
        rows_q = rows_q.filter(status=q.status)
    if q.cursor:
        at, pk = _decode_cursor(q.cursor)
        rows_q = rows_q.filter(Q(created_at__lt=at) | Q(created_at=at, id__lt=pk))
    rows = list(rows_q.order_by("-created_at", "-id")[: q.limit + 1])
    more = len(rows) > q.limit
    rows = rows[: q.limit]
    now = timezone.now()
    labels = services.custom_labels({a.brand_id for a in rows})
    return ApprovalsPage(
        items=[approval_out(a, now, labels) for a in rows],
        next_cursor=_encode_cursor(rows[-1].created_at, rows[-1].pk) if more and rows else None,
    )


@router.post("/approvals/{approval_id}/decision", response={200: ApprovalOut, **ERRORS})
def decide(request: HttpRequest, approval_id: int, payload: ApprovalDecisionIn) -> ApprovalOut:
    with transaction.atomic():
        agent = me(request)
        approval = services.get_approval(agent, approval_id)
        services.decide_approval(agent, approval, decision=payload.decision, note=payload.note)
        fresh = services.approvals_visible(agent).get(pk=approval.pk)
        return approval_out(fresh)
