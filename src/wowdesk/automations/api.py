"""API: automation rules (administrators of the brand)."""

import datetime as dt
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import Field

from wowdesk.automations import services
from wowdesk.automations.models import Rule
from wowdesk.core import permissions
from wowdesk.core.api import me
from wowdesk.core.models import Role
from wowdesk.core.schemas import ERRORS

router = Router(tags=["automations"])


class RuleIn(Schema):
    name: str = Field(..., max_length=200)
    event: str = Field(..., max_length=64)
    # [{"field": "body", "op": "contains", "value": "refund"}]; checked by the service
    conditions: list[Any] = Field(default_factory=list, max_length=50)
    # [{"type": "add_tag", "value": "refund"}]
    actions: list[Any] = Field(..., max_length=50)
    active: bool = True
    brand_id: int | None = Field(None, ge=1, le=2**62)


class RulePatch(Schema):
    name: str | None = Field(None, max_length=200)
    event: str | None = Field(None, max_length=64)
    conditions: list[Any] | None = Field(None, max_length=50)
    actions: list[Any] | None = Field(None, max_length=50)
    active: bool | None = None


class RuleOut(Schema):
    id: int
    brand_id: int
    name: str
    event: str
    conditions: list[dict[str, Any]]
    actions: list[dict[str, Any]]
    active: bool
    created_at: dt.datetime
    updated_at: dt.datetime


def rule_out(rule: Rule) -> RuleOut:
    return RuleOut(
        id=rule.pk,
        brand_id=rule.brand_id,
        name=rule.name,
        event=rule.event,
        conditions=list(rule.conditions),
        actions=list(rule.actions),
        active=rule.active,
        created_at=rule.created_at,
        updated_at=rule.updated_at,
    )


def _rule(request: HttpRequest, rule_id: int) -> Rule:
    return permissions.get_for_agent(Rule.objects.all(), me(request), rule_id, role=Role.ADMIN)


@router.get("/automations", response={200: list[RuleOut], **ERRORS})
def list_rules(request: HttpRequest) -> list[RuleOut]:
    permissions.require_role(me(request), Role.ADMIN)
    qs = permissions.scope(Rule.objects.all(), me(request), role=Role.ADMIN)
    return [rule_out(r) for r in qs]


@router.post("/automations", response={201: RuleOut, **ERRORS})
@transaction.atomic
def create_rule(request: HttpRequest, payload: RuleIn) -> Status[RuleOut]:
    permissions.require_role(me(request), Role.ADMIN)
    brand_id = permissions.pick_brand(me(request), payload.brand_id, role=Role.ADMIN)
    rule = services.create_rule(
        brand_id=brand_id,
        name=payload.name,
        event=payload.event,
        conditions=payload.conditions,
        actions=payload.actions,
        active=payload.active,
        actor=me(request),
    )
    return Status(201, rule_out(rule))


@router.get("/automations/{rule_id}", response={200: RuleOut, **ERRORS})
def get_rule(request: HttpRequest, rule_id: int) -> RuleOut:
    return rule_out(_rule(request, rule_id))


@router.patch("/automations/{rule_id}", response={200: RuleOut, **ERRORS})
@transaction.atomic
def update_rule(request: HttpRequest, rule_id: int, payload: RulePatch) -> RuleOut:
    rule = _rule(request, rule_id)
    services.update_rule(rule, actor=me(request), **payload.model_dump(exclude_unset=True))
    return rule_out(rule)


@router.delete("/automations/{rule_id}", response={204: None, **ERRORS})
@transaction.atomic
def delete_rule(request: HttpRequest, rule_id: int) -> Status[None]:
    services.delete_rule(_rule(request, rule_id), actor=me(request))
    return Status(204, None)
