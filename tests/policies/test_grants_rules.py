"""``policies.services.request_grant``: the rule outcomes — within the limit, above it,
tenure lines, a currency without a line, budgets per agent and per team across a month
boundary, bad input naming the field."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from tests.policies.conftest import table
from wowdesk.conversations.models import Conversation, Direction, Message
from wowdesk.core.errors import ServiceError
from wowdesk.core.models import Agent, AuditLog, Brand, Role
from wowdesk.core.services import create_team
from wowdesk.policies import services
from wowdesk.policies.models import Approval, Grant, GrantStatus

pytestmark = pytest.mark.django_db


def ask(agent: Agent, conversation: Conversation, **kw: Any) -> Grant:
    kw.setdefault("reason", "damaged parcel")
    return services.request_grant(agent, conversation, **kw)


def test_within_the_limit_is_granted_at_once(
    brand: Brand, people: dict[str, Any], conversation: Conversation, event_log: Any
) -> None:
    a = people["agents"]
    table(brand, a["admin"])
    grant = ask(a["agent"], conversation, action="refund", amount="40", currency="eur")
    assert grant.status == GrantStatus.GRANTED
    assert (grant.amount, grant.currency) == (Decimal("40.00"), "EUR")
    assert not Approval.objects.filter(grant=grant).exists()
    line = Message.objects.filter(conversation=conversation, direction=Direction.ACTIVITY).last()
    assert line is not None and line.body == "Refund 40.00 EUR granted: damaged parcel"
    assert AuditLog.objects.filter(action="grant.create", object_id=str(grant.pk)).exists()
    from wowdesk.core.events import Event

    assert [p["status"] for p in event_log.of(Event.GRANT_CREATED)] == ["granted"]


def test_above_the_limit_waits_for_an_approval(
    brand: Brand, people: dict[str, Any], conversation: Conversation
) -> None:
    a = people["agents"]
    table(brand, a["admin"])
    grant = ask(a["agent"], conversation, action="refund", amount="80", currency="EUR")
    assert grant.status == GrantStatus.PENDING_APPROVAL
    approval = Approval.objects.get(grant=grant)
    assert approval.why == "limit" and approval.due_at is not None
    line = Message.objects.filter(conversation=conversation, direction=Direction.ACTIVITY).last()
    assert line is not None
    assert line.body == "Refund 80.00 EUR requested, waiting for approval: damaged parcel"
    # a supervisor's own line is higher
    sup = ask(a["supervisor"], conversation, action="refund", amount="80", currency="EUR")
    assert sup.status == GrantStatus.GRANTED


def test_actions_without_an_amount_and_without_a_line(
    brand: Brand, people: dict[str, Any], conversation: Conversation
) -> None:
    a = people["agents"]
    table(brand, a["admin"])
    assert ask(a["agent"], conversation, action="replacement").status == GrantStatus.GRANTED
    upgrade = ask(a["agent"], conversation, action="shipping_upgrade")
    assert upgrade.status == GrantStatus.PENDING_APPROVAL
    assert Approval.objects.get(grant=upgrade).why == "no_policy"


def test_a_currency_without_a_line_needs_an_approval(
    brand: Brand, people: dict[str, Any], conversation: Conversation
) -> None:
    a = people["agents"]
    table(brand, a["admin"])
    grant = ask(a["agent"], conversation, action="refund", amount="10", currency="USD")
    assert grant.status == GrantStatus.PENDING_APPROVAL
    assert Approval.objects.get(grant=grant).why == "no_policy"


def test_tenure_lines(brand: Brand, people: dict[str, Any], conversation: Conversation) -> None:
    a = people["agents"]
    table(brand, a["admin"])
    services.save_policy(
        a["admin"],
        brand.pk,
        action="refund",
        role="agent",
        limit="150",
        currency="EUR",
        min_tenure_months=12,
    )
    new, old = a["agent"], a["other_agent"]
    today = timezone.localdate()
    new.hired_on = today - dt.timedelta(days=30)
    old.hired_on = today - dt.timedelta(days=800)
    assert ask(new, conversation, action="refund", amount="100", currency="EUR").status == (
        GrantStatus.PENDING_APPROVAL
    )
    assert ask(old, conversation, action="refund", amount="100", currency="EUR").status == (
        GrantStatus.GRANTED
    )
    picked = services.applicable_policy(old, brand.pk, "refund", "EUR")
    assert picked is not None and picked.min_tenure_months == 12


def _move_to_last_month(grant: Grant) -> None:
    last_month = timezone.now().replace(day=1) - dt.timedelta(days=3)
    Grant.objects.filter(pk=grant.pk).update(created_at=last_month)


def test_a_monthly_budget_per_agent_starts_again_each_month(
    brand: Brand, people: dict[str, Any], conversation: Conversation
) -> None:
    a = people["agents"]
    services.save_policy(
        a["admin"],
        brand.pk,
        action="goodwill_credit",
        role="agent",
        limit="30",
        currency="EUR",
        monthly_budget="50",
    )
    first = ask(a["agent"], conversation, action="goodwill_credit", amount="30", currency="EUR")
    assert first.status == GrantStatus.GRANTED
    second = ask(a["agent"], conversation, action="goodwill_credit", amount="25", currency="EUR")
    assert second.status == GrantStatus.PENDING_APPROVAL
    assert Approval.objects.get(grant=second).why == "budget"
    # another agent has their own budget
    other = ask(
        a["other_agent"], conversation, action="goodwill_credit", amount="25", currency="EUR"
    )
    assert other.status == GrantStatus.GRANTED
    # last month's grants do not count this month
    _move_to_last_month(first)
    third = ask(a["agent"], conversation, action="goodwill_credit", amount="25", currency="EUR")
    assert third.status == GrantStatus.GRANTED


def test_a_team_budget_is_shared_by_its_members(
    brand: Brand, people: dict[str, Any], conversation: Conversation
) -> None:
    a = people["agents"]
    team = create_team(
        brand_id=brand.pk, name="Returns", member_ids=[a["agent"].pk, a["other_agent"].pk]
    )
    services.save_policy(
        a["admin"],
        brand.pk,
        action="refund",
        role="agent",
        limit="100",
        currency="EUR",
        monthly_budget="120",
        team_id=team.pk,
    )
    one = ask(a["agent"], conversation, action="refund", amount="70", currency="EUR")
    assert one.status == GrantStatus.GRANTED and one.team_id == team.pk
    two = ask(a["other_agent"], conversation, action="refund", amount="60", currency="EUR")
    assert two.status == GrantStatus.PENDING_APPROVAL
    assert Approval.objects.get(grant=two).why == "budget"
    _move_to_last_month(one)
    three = ask(a["other_agent"], conversation, action="refund", amount="60", currency="EUR")
    assert three.status == GrantStatus.GRANTED


@pytest.mark.parametrize(
    ("kw", "field", "status"),
    [
        ({"action": "teleport"}, "action", 400),
        ({"action": "refund", "currency": "EUR"}, "amount", 422),
        ({"action": "refund", "amount": "10"}, "currency", 422),
        ({"action": "refund", "amount": "0", "currency": "EUR"}, "amount", 422),
        ({"action": "refund", "amount": "-5", "currency": "EUR"}, "amount", 422),
        ({"action": "refund", "amount": "5", "currency": "EURO"}, "currency", 422),
        ({"action": "refund", "amount": "5", "currency": "EUR", "reason": " "}, "reason", 422),
    ],
)
def test_bad_requests_name_the_field(
    brand: Brand,
    people: dict[str, Any],
    conversation: Conversation,
    kw: dict[str, Any],
    field: str,
    status: int,
) -> None:
    table(brand, people["agents"]["admin"])
    with pytest.raises(ServiceError) as err:
        ask(people["agents"]["agent"], conversation, **kw)
    assert (err.value.field, err.value.status) == (field, status)


def test_custom_actions_of_the_brand(
    brand: Brand,
    people: dict[str, Any],
    conversation: Conversation,
    make_agent: Callable[..., Agent],
) -> None:
    a = people["agents"]
    services.save_policy(
        a["admin"], brand.pk, action="free_engraving", role="agent", unit="items", label="Engraving"
    )
    grant = ask(a["agent"], conversation, action="free_engraving")
    assert grant.status == GrantStatus.GRANTED
    assert services.what_of(grant) == "Engraving"
    assert Role.AGENT == "agent"


def test_erasing_the_customer_keeps_anonymous_figures(
    brand: Brand, people: dict[str, Any], conversation: Conversation
) -> None:
    from wowdesk.core.events import Event, emit

    a = people["agents"]
    table(brand, a["admin"])
    grant = ask(
        a["agent"],
        conversation,
        action="refund",
        amount="20",
        currency="EUR",
        details={"iban": "x"},
    )
    assert grant.customer_id == conversation.customer_id
    emit(Event.CUSTOMER_ERASING, customer_id=conversation.customer_id, brand_id=brand.pk)
    grant.refresh_from_db()
    # the figures stay for the cost report; what an agent wrote about the customer goes
    assert (grant.amount, grant.currency, grant.action) == (Decimal("20.00"), "EUR", "refund")
    assert grant.reason == "[erased]" and "x" not in str(grant.details.values())
