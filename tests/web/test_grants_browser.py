"""A supervisor approves a grant from the signed link in the approval email, in a real
browser without signing in; the link then shows the decision and cannot decide again."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django.core import mail

from tests.factories import quick_conversation
from tests.web.pages_grants import ApproveLinkPage
from wowdesk.core.models import Agent, Brand, Role
from wowdesk.notifications.models import Kind, Notification
from wowdesk.policies import services
from wowdesk.policies.models import GrantStatus

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
