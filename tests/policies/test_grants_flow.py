"""The approval flow end to end: the request notifies and mails the supervisors (the team
lead first), the signed link decides once, the decision is an activity, an audit row, an
event and a notification to the requester; the approval deadline raises one alert."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone, translation

from tests.policies.conftest import table
from wowdesk.conversations.models import Conversation, Direction, Message
from wowdesk.core.errors import Conflict, Forbidden
from wowdesk.core.events import Event
from wowdesk.core.models import Agent, Alert, AlertKind, AuditLog, Brand
from wowdesk.core.services import create_team, update_team
from wowdesk.notifications.models import Kind, Notification
from wowdesk.notifications.present import title
from wowdesk.policies import services, tokens
from wowdesk.policies.models import Approval, ApprovalStatus, Grant, GrantStatus

pytestmark = pytest.mark.django_db
LINK = re.compile(r"https?://\S+/policies/approve/(\S+)/")

Commits = Callable[[], AbstractContextManager[Any]]


def pending(agent: Agent, conversation: Conversation, commits: Commits) -> Grant:
    with commits():
        grant = services.request_grant(
            agent, conversation, action="refund", amount="120", currency="EUR", reason="late twice"
        )
    assert grant.status == GrantStatus.PENDING_APPROVAL
    return grant


def test_the_supervisors_are_notified_and_mailed_a_link_the_team_lead_first(
    brand: Brand, people: dict[str, Any], conversation: Conversation, commits: Commits
) -> None:
    a = people["agents"]
    table(brand, a["admin"])
    team = create_team(brand_id=brand.pk, name="Returns", member_ids=[a["agent"].pk, a["admin"].pk])
    update_team(team, lead_id=a["admin"].pk, actor=a["admin"])
    mail.outbox.clear()
    grant = pending(a["agent"], conversation, commits)
    asked = services.approvers(brand.pk, a["agent"])
    assert [x.pk for x in asked] == [a["admin"].pk, a["supervisor"].pk]
    notes = Notification.objects.filter(kind=Kind.APPROVAL_NEEDED)
    assert sorted(n.agent_id for n in notes) == sorted([a["admin"].pk, a["supervisor"].pk])
    assert title(notes[0]) == "Approval needed: Refund 120.00 EUR"
    with translation.override("zh-hans"):  # each reader in their own language
        assert title(notes[0]) == "需要审批：退款 120.00 EUR"
    assert sorted(m.to[0] for m in mail.outbox) == sorted([a["admin"].email, a["supervisor"].email])
    body = next(m.body for m in mail.outbox if m.to == [a["supervisor"].email])
    assert "late twice" in body
    token = LINK.search(body)
    assert token is not None
    link = tokens.read_token(token.group(1))
    assert link is not None
    assert (link.approval_id, link.agent_id) == (grant.approval.pk, a["supervisor"].pk)


def test_a_decision_by_the_api_tells_the_agent_and_writes_the_thread(
    brand: Brand,
    people: dict[str, Any],
    conversation: Conversation,
    commits: Commits,
    event_log: Any,
) -> None:
    a, api = people["agents"], people["api"]
    table(brand, a["admin"])
    grant = pending(a["agent"], conversation, commits)
    approval = grant.approval
    with commits():
        r = api["supervisor"].post(
            f"/approvals/{approval.pk}/decision", {"decision": "approve", "note": "fine"}
        )
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "approved" and r.json()["grant"]["status"] == "granted"
    grant.refresh_from_db()
    assert grant.status == GrantStatus.GRANTED and grant.decided_at is not None
    told = Notification.objects.get(agent=a["agent"], kind=Kind.APPROVAL_DECIDED)
    assert title(told) == f"{a['supervisor'].display_name} approved Refund 120.00 EUR"
    line = Message.objects.filter(conversation=conversation, direction=Direction.ACTIVITY).last()
    assert line is not None
    assert line.body == (
        f"Refund 120.00 EUR approved by {a['supervisor'].display_name}: late twice"
    )
    assert AuditLog.objects.filter(action="approval.decide", object_id=str(approval.pk)).exists()
    decided = event_log.of(Event.GRANT_DECIDED)
    assert [(p["grant_id"], p["status"]) for p in decided] == [(grant.pk, "granted")]
    # twice: a conflict with a reason
    r = api["admin"].post(f"/approvals/{approval.pk}/decision", {"decision": "decline"})
    assert r.status_code == 409 and r.json()["field"] == "decision"


def test_a_decline_and_a_withdrawal(
    brand: Brand, people: dict[str, Any], conversation: Conversation, commits: Commits
) -> None:
    a = people["agents"]
    table(brand, a["admin"])
    grant = pending(a["agent"], conversation, commits)
    services.decide_approval(a["admin"], grant.approval, decision="decline", note="too much")
    grant.refresh_from_db()
    assert grant.status == GrantStatus.DECLINED
    told = Notification.objects.get(agent=a["agent"], kind=Kind.APPROVAL_DECIDED)
    assert "declined" in title(told)
    other = pending(a["agent"], conversation, commits)
    with pytest.raises(Forbidden):
        services.cancel_grant(a["other_agent"], other)
    services.cancel_grant(a["agent"], other)
    other.refresh_from_db()
    assert other.status == GrantStatus.CANCELLED
    with pytest.raises(Conflict):
        services.decide_approval(a["supervisor"], other.approval, decision="approve")


def test_only_supervisors_of_the_brand_decide(
    brand: Brand, people: dict[str, Any], conversation: Conversation, commits: Commits
) -> None:
    a = people["agents"]
    table(brand, a["admin"])
    grant = pending(a["agent"], conversation, commits)
    for who in ("agent", "other_agent", "their_supervisor", "their_admin"):
        with pytest.raises(Forbidden):
            services.decide_approval(a[who], grant.approval, decision="approve")


def _token(grant: Grant, agent: Agent, **kw: Any) -> str:
    return tokens.make_token(grant.approval.pk, agent.pk, **kw)


def test_the_signed_link_decides_once_without_signing_in(
    brand: Brand, people: dict[str, Any], conversation: Conversation, commits: Commits
) -> None:
    a = people["agents"]
    table(brand, a["admin"])
    mail.outbox.clear()
    grant = pending(a["agent"], conversation, commits)
    body = next(m.body for m in mail.outbox if m.to == [a["supervisor"].email])
    found = LINK.search(body)
    assert found is not None
    url = f"/policies/approve/{found.group(1)}/"
    client = Client()
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="approve-yes"' in html and "Refund 120.00 EUR" in html
    with commits():
        done = client.post(url, {"decision": "approve", "note": "ok"})
    assert done.status_code == 200 and 'id="approve-done"' in done.content.decode()
    approval = Approval.objects.get(grant=grant)
    assert approval.status == ApprovalStatus.APPROVED
    assert approval.decided_by_id == a["supervisor"].pk
    # used: shown, not decided again
    again = client.post(url, {"decision": "decline"})
    assert again.status_code == 409
    assert Approval.objects.get(grant=grant).status == ApprovalStatus.APPROVED
    assert 'id="approve-yes"' not in client.get(url).content.decode()


def test_expired_altered_and_other_supervisors_links_are_refused(
    brand: Brand, people: dict[str, Any], conversation: Conversation, commits: Commits
) -> None:
    a = people["agents"]
    table(brand, a["admin"])
    grant = pending(a["agent"], conversation, commits)
    client = Client()
    old = _token(grant, a["supervisor"], now=timezone.now() - dt.timedelta(days=4))
    assert client.post(f"/policies/approve/{old}/", {"decision": "approve"}).status_code == 410
    good = _token(grant, a["supervisor"])
    assert client.get(f"/policies/approve/{good[:-2]}xx/").status_code == 404
    # a supervisor of another brand, even with a link made for them
    theirs = _token(grant, a["their_supervisor"])
    assert client.post(f"/policies/approve/{theirs}/", {"decision": "approve"}).status_code == 403
    # signed in as someone else than the link's supervisor
    other = Client()
    other.force_login(a["admin"].user)
    assert other.get(f"/policies/approve/{good}/").status_code == 403
    assert Approval.objects.get(grant=grant).status == ApprovalStatus.PENDING


def test_an_overdue_approval_raises_one_alert(
    brand: Brand, people: dict[str, Any], conversation: Conversation, commits: Commits
) -> None:
    a = people["agents"]
    table(brand, a["admin"])
    services.update_settings(a["admin"], brand.pk, approval_sla_minutes=30)
    grant = pending(a["agent"], conversation, commits)
    approval = grant.approval
    assert approval.due_at is not None
    assert services.run_overdue(approval.due_at - dt.timedelta(minutes=1)) == 0
    later = approval.due_at + dt.timedelta(minutes=1)
    assert services.run_overdue(later) == 1
    assert services.run_overdue(later + dt.timedelta(hours=1)) == 0
    alert = Alert.objects.get(kind=AlertKind.APPROVAL_OVERDUE)
    assert alert.brand_id == brand.pk and alert.conversation_id == conversation.pk
    from wowdesk.core.alerts import message

    assert message(alert) == (
        f"The approval of Refund 120.00 EUR on #{conversation.number} is waiting too long."
    )
    from django.utils import translation

    with translation.override("zh-hans"):
        said = message(alert)
    assert "Refund" not in said and "120.00 EUR" in said
