"""Policies and approvals in a real browser.

On the ASGI server (WebSockets), two people: an agent grants a refund within the limit at
once and asks for one above it; a supervisor approves it from the board; the agent's open
conversation shows "approved" without a reload. On the live server: an administrator edits
the policy table (a refusal on its field, a line added, changed and removed, the approval
deadline), and a supervisor decides on the approvals page and reads the cost of grants.
And a supervisor approves from the signed link in the approval email, without signing in."""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.core import mail

from tests.factories import quick_conversation
from tests.web.pages import ConversationPage, LiveWorkspace, LoginPage
from tests.web.pages_grants import (
    ApprovalsPage,
    ApprovalsTile,
    ApproveLinkPage,
    CostsPage,
    GrantPanel,
    PolicySettingsPage,
)
from tests.web.pages_notify import NotificationBell
from wowdesk.conversations.models import Conversation
from wowdesk.core.models import Agent, Brand, Role
from wowdesk.notifications.models import Kind, Notification
from wowdesk.policies import services
from wowdesk.policies.models import Approval, Grant, GrantStatus, Policy, PolicySettings
from wowdesk.routing.models import RoutingSettings

PASSWORD = "correct-horse-battery-staple"


@pytest.fixture
def shop(brand: Brand, make_agent: Callable[..., Agent]) -> Conversation:
    make_agent(Role.AGENT, email="li@example.com", name="Li Wei", password=PASSWORD)
    make_agent(Role.SUPERVISOR, email="sol@example.com", name="Sol Ruiz", password=PASSWORD)
    make_agent(Role.ADMIN, email="ada@example.com", name="Ada Admin", password=PASSWORD)
    RoutingSettings.objects.update_or_create(brand=brand, defaults={"auto_assign": False})
    Policy.objects.create(
        brand=brand, action="refund", role=Role.AGENT, limit=Decimal(50), currency="EUR"
    )
    Policy.objects.create(brand=brand, action="replacement", role=Role.AGENT, unit="items")
    return quick_conversation(brand, subject="Parcel arrived crushed", body="It is crushed")


def test_agent_grants_at_once_asks_above_and_sees_the_approval_live(
    shop: Conversation, browser_contexts: Callable[[], Any]
) -> None:
    conversation = shop
    li = browser_contexts()
    LoginPage(li).open().login("li@example.com", PASSWORD)
    ConversationPage(li).open(conversation.pk)
    live = LiveWorkspace(li).wait_connected()
    panel = GrantPanel(li).wait_loaded()
    assert any("up to 50 EUR" in o for o in panel.options())

    assert panel.grant("refund", "Damaged parcel", amount="40", currency="EUR") == "Granted"
    granted = Grant.objects.get(conversation=conversation, amount=40)
    assert granted.status == "granted"
    assert panel.wait_for_status(granted.pk, "granted") == "granted"

    said = panel.grant("refund", "Crushed twice, full price", amount="120", currency="EUR")
    assert said == "Sent for approval"
    asked = Grant.objects.get(conversation=conversation, amount=120)
    assert asked.status == "pending_approval"
    assert panel.wait_for_status(asked.pk, "waiting for approval") == "waiting for approval"
    live.mark()

    sol = browser_contexts()
    LoginPage(sol).open().login("sol@example.com", PASSWORD)
    approval = Approval.objects.get(grant=asked)
    tile = ApprovalsTile(sol).open().wait_for(approval.pk)
    text = tile.text(approval.pk)
    assert "Crushed twice, full price" in text and "Li Wei" in text
    assert "above the agent's limit" in text
    tile.decide(approval.pk, "approve", note="Fair, keep the customer")
    approval.refresh_from_db()
    assert approval.status == "approved"
    assert approval.pk not in ApprovalsTile(sol).ids()

    # the agent's open conversation turns it to "approved" without a reload
    assert panel.wait_for_status(asked.pk, "approved") == "approved"
    assert not live.reloaded
    # and the bell says so
    bell = NotificationBell(li).wait_for_count(1)
    assert bell.count == 1


def test_admin_edits_the_policy_table(shop: Conversation, page: Any, brand: Brand) -> None:
    LoginPage(page).open().login("ada@example.com", PASSWORD)
    settings = PolicySettingsPage(page).open()
    assert len(settings.lines()) == 2
    settings.add(action="refund", role="supervisor", limit="a lot", unit="money", currency="EUR")
    assert settings.error("new")[0] == "limit"
    assert settings.invalid("new", "limit") and settings.value("new", "limit") == "a lot"
    settings.add(action="refund", role="supervisor", limit="500", unit="money", currency="EUR")
    line = Policy.objects.get(brand=brand, role=Role.SUPERVISOR, action="refund")
    assert line.limit == Decimal(500)
    settings.add(action="__custom", custom_action="free_gift", label="Free gift", unit="items")
    assert Policy.objects.get(brand=brand, action="free_gift").label == "Free gift"
    settings.edit(str(line.pk), limit="450")
    line.refresh_from_db()
    assert line.limit == Decimal(450)
    settings.remove(str(line.pk))
    assert not Policy.objects.filter(pk=line.pk).exists()
    assert len(settings.lines()) == 3
    settings.set_deadline("30")
    assert settings.deadline() == "30"
    assert PolicySettings.objects.get(brand=brand).approval_sla_minutes == 30


def test_supervisor_decides_on_the_approvals_page_and_reads_the_costs(
    shop: Conversation, page: Any, brand: Brand
) -> None:
    li = Agent.objects.get(user__email="li@example.com")
    Grant.objects.create(
        brand=brand,
        conversation=shop,
        agent=li,
        action="refund",
        amount=Decimal(30),
        currency="EUR",
        reason="Late delivery",
    )
    asked = Grant.objects.create(
        brand=brand,
        conversation=shop,
        agent=li,
        action="refund",
        amount=Decimal(90),
        currency="EUR",
        reason="Broken twice",
        status="pending_approval",
    )
    approval = Approval.objects.create(brand=brand, grant=asked, requested_by=li, why="limit")
    LoginPage(page).open().login("sol@example.com", PASSWORD)
    approvals = ApprovalsPage(page).open()
    assert approvals.pending() == [approval.pk]
    approvals.decide(approval.pk, "decline", note="Offer a replacement instead")
    assert approvals.pending() == [] and approvals.decided() == [approval.pk]
    assert "Offer a replacement instead" in approvals.decided_text(approval.pk)

    costs = CostsPage(page).open().group_by("reason")
    assert costs.chart_drawn()
    rows = costs.rows()
    assert any("Late delivery" in r and "30" in r for r in rows), rows
    assert not any("Broken twice" in r for r in rows)
    assert "format=csv" in costs.csv_url()


LINK = re.compile(r"https?://\S+(/policies/approve/\S+/)")


def test_a_supervisor_approves_from_the_email_link(
    page: Any, brand: Brand, make_agent: Callable[..., Agent]
) -> None:
    admin = make_agent(Role.ADMIN)
    agent = make_agent(Role.AGENT)
    supervisor = make_agent(Role.SUPERVISOR, email="mia@example.com")
    services.save_policy(admin, brand.pk, action="refund", role="agent", limit="50", currency="EUR")
    conversation = quick_conversation(brand, subject="Broken lamp")
    mail.outbox.clear()
    grant = services.request_grant(
        agent, conversation, action="refund", amount="90", currency="EUR", reason="late twice"
    )
    assert grant.status == GrantStatus.PENDING_APPROVAL
    sent = next(m for m in mail.outbox if m.to == ["mia@example.com"])
    found = LINK.search(sent.body)
    assert found is not None

    link = ApproveLinkPage(page).open(found.group(1))
    assert link.what == "Refund 90.00 EUR"
    assert link.can_decide
    link.decide("approve", note="fine this once")
    assert link.done
    assert link.status == "approved"
    assert not link.can_decide
    grant.refresh_from_db()
    assert grant.status == GrantStatus.GRANTED
    told = Notification.objects.get(agent=agent, kind=Kind.APPROVAL_DECIDED)
    assert told.actor_id == supervisor.pk

    again = ApproveLinkPage(page).open(found.group(1))
    assert again.status == "approved" and not again.can_decide
    bad = ApproveLinkPage(page).open(found.group(1)[:-3] + "xx/")
    assert bad.refused == "This link is not valid."
