"""The demo's policy tables and a few months of grants (``docs/policies.md``).

Each demo brand gets a sensible table: agents refund up to 50 EUR or 50 USD and send
replacements and shipping upgrades; agents with a year of tenure refund up to 100 EUR;
supervisors refund up to 500, extend warranties up to 12 months and send an on-site
repair within 48 hours; the orders team shares a monthly goodwill budget. Then about four
months of grants on resolved conversations: most on the spot, some approved, one declined
and one pending (so the cost report, the approvals page and the board have something to
show). Demo agents without a start date get one (varied tenure).

The table goes through ``policies.services`` (audited like any administrator's change);
the grants of the past are written directly with their past times, like the rest of the
demo history (``demo/seed.py``). Deterministic (the brand's random generator) and fast;
idempotent: a brand that already has a table is left alone.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from decimal import Decimal

from wowdesk.conversations.models import Conversation
from wowdesk.core.models import Agent, Brand, Membership, Role, Team
from wowdesk.policies import services
from wowdesk.policies.models import Approval, ApprovalStatus, Grant, GrantStatus, Policy

REASONS = (
    "arrived damaged",
    "late delivery",
    "wrong item sent",
    "missing part",
    "repeat fault",
    "goodwill after a long wait",
)
TENURE_DAYS = (45, 120, 200, 400, 800, 1500)


def ensure_hired_on(agents: Sequence[Agent], now: dt.datetime) -> None:
    """A start date for demo agents who have none: varied tenure, stable per agent."""
    for agent in agents:
        if agent.hired_on is None:
            days = TENURE_DAYS[agent.pk % len(TENURE_DAYS)]
            agent.hired_on = now.date() - dt.timedelta(days=days)
            Agent.objects.filter(pk=agent.pk).update(hired_on=agent.hired_on)


def seed_policies(
    brand: Brand,
    conversations: Sequence[Conversation],
    teams: dict[str, Team],
    rng: random.Random,
    now: dt.datetime,
    *,
    orders_team: str | None = None,
) -> int:
    """The brand's table and its grants; returns the number of grants written."""
    if Policy.objects.filter(brand_id=brand.pk).exists():
        return 0
    members = list(
        Membership.objects.filter(brand_id=brand.pk, agent__is_active=True)
        .select_related("agent")
        .order_by("agent_id")
    )
    admins = [m.agent for m in members if m.role == Role.ADMIN]
    if not admins:
        return 0
    admin = admins[0]
    ensure_hired_on([m.agent for m in members], now)
    money = ("EUR", "USD")
    for cur in money:
        services.save_policy(
            admin, brand.pk, action="refund", role="agent", limit="50", currency=cur
        )
        services.save_policy(
            admin, brand.pk, action="refund", role="supervisor", limit="500", currency=cur
        )
    services.save_policy(
        admin,
        brand.pk,
        action="refund",
        role="agent",
        limit="100",
        currency="EUR",
        min_tenure_months=12,
    )
    services.save_policy(admin, brand.pk, action="replacement", role="agent", unit="items")
    services.save_policy(admin, brand.pk, action="shipping_upgrade", role="agent", unit="items")
    services.save_policy(
        admin, brand.pk, action="warranty_extension", role="supervisor", limit="12", unit="months"
    )
    services.save_policy(
        admin, brand.pk, action="onsite_repair", role="supervisor", limit="48", unit="hours"
    )
    team = teams.get(orders_team) if orders_team else None
    if team is not None:
        services.save_policy(
            admin,
            brand.pk,
            action="goodwill_credit",
            role="agent",
            limit="25",
            currency="EUR",
            monthly_budget="300",
            team_id=team.pk,
        )
    return _history(brand, conversations, rng, now, members)


def _history(
    brand: Brand,
    conversations: Sequence[Conversation],
    rng: random.Random,
    now: dt.datetime,
    members: Sequence[Membership],
) -> int:
    agents = [m.agent for m in members if m.role == Role.AGENT]
    supervisors = [m.agent for m in members if m.role == Role.SUPERVISOR] or [
        m.agent for m in members if m.role == Role.ADMIN
    ]
    # the times as stored (the history writer puts back the past after inserting)
    recent = list(
        Conversation.objects.filter(
            pk__in=[c.pk for c in conversations],
            assignee__isnull=False,
            created_at__gte=now - dt.timedelta(days=120),
            created_at__lt=now - dt.timedelta(hours=2),
        )
        .only("id", "created_at", "assignee_id", "customer_id")
        .order_by("id")
    )
    if not agents or not supervisors or not recent:
        return 0
    picks = rng.sample(recent, min(len(recent), 60))
    grants: list[Grant] = []
    approvals: list[tuple[int, Approval]] = []
    for i, conversation in enumerate(picks):
        agent = next(
            (a for a in agents if a.pk == conversation.assignee_id), agents[i % len(agents)]
        )
        at = conversation.created_at + dt.timedelta(hours=rng.randint(1, 20))
        if at > now:
            at = now - dt.timedelta(hours=1)
        kind = rng.random()
        currency = "EUR" if rng.random() < 0.7 else "USD"
        if kind < 0.55:
            action, amount = "refund", Decimal(rng.randint(5, 50))
        elif kind < 0.75:
            action, amount, currency = "replacement", None, ""
        elif kind < 0.9:
            action, amount, currency = "shipping_upgrade", None, ""
        else:
            action, amount = "refund", Decimal(rng.choice((80, 120, 150, 240)))
        above = amount is not None and amount > 50
        status = GrantStatus.GRANTED
        if i == 0:
            action, amount, currency, above = "refund", Decimal(180), "EUR", True
            status = GrantStatus.PENDING_APPROVAL
            at = now - dt.timedelta(minutes=20)
        elif i == 1:
            action, amount, currency, above = "refund", Decimal(320), "EUR", True
            status = GrantStatus.DECLINED
        grants.append(
            Grant(
                brand_id=brand.pk,
                conversation_id=conversation.pk,
                customer_id=conversation.customer_id,
                agent=agent,
                action=action,
                amount=amount,
                currency=currency,
                reason=rng.choice(REASONS),
                status=status,
                created_at=at,
                decided_at=None if status == GrantStatus.PENDING_APPROVAL else at,
            )
        )
        if above:
            decider = supervisors[i % len(supervisors)]
            decided = at + dt.timedelta(minutes=rng.randint(5, 50))
            approvals.append(
                (
                    len(grants) - 1,
                    Approval(
                        brand_id=brand.pk,
                        requested_by=agent,
                        why="limit",
                        status={
                            GrantStatus.PENDING_APPROVAL: ApprovalStatus.PENDING,
                            GrantStatus.DECLINED: ApprovalStatus.DECLINED,
                        }.get(status, ApprovalStatus.APPROVED),
                        due_at=at + dt.timedelta(minutes=60),
                        decided_by=None if status == GrantStatus.PENDING_APPROVAL else decider,
                        decided_at=None if status == GrantStatus.PENDING_APPROVAL else decided,
                        note="" if status != GrantStatus.DECLINED else "Above what we do here.",
                        created_at=at,
                    ),
                )
            )
            if status == GrantStatus.GRANTED:
                grants[-1].decided_at = decided
    times = [g.created_at for g in grants]
    approval_times = [a.created_at for _i, a in approvals]
    Grant.objects.bulk_create(grants)
    rows = []
    for index, approval in approvals:
        approval.grant = grants[index]
        rows.append(approval)
    Approval.objects.bulk_create(rows)
    # auto_now_add stamped today: put back the times of the past
    for g, at in zip(grants, times, strict=True):
        Grant.objects.filter(pk=g.pk).update(created_at=at)
    for a, at in zip(rows, approval_times, strict=True):
        Approval.objects.filter(pk=a.pk).update(created_at=at)
    return len(grants)
