"""Abusive customers in a real browser: an agent reports a customer from the conversation
with the offending message as evidence; a supervisor restricts them to email from
/policies/abuse/; the customer's next message (not by email) is stored, answered by the
courteous template and stays unassigned, though the agent is online."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.factories import make_conversation, post_inbound
from tests.policies.helpers import customer_messages
from tests.web.pages import LoginPage
from tests.web.pages_abuse import AbusePage, ReportAbusePanel
from wowdesk.conversations.models import Conversation, Direction, Message
from wowdesk.core.models import Agent, Brand, Role
from wowdesk.policies.models import AbuseReport

PASSWORD = "correct-horse-battery-staple"


def _template(conversation_id: int) -> Message | None:
    return (
        Message.objects.filter(
            conversation_id=conversation_id, direction=Direction.OUT, meta__system="abuse"
        )
        .order_by("id")
        .first()
    )


@pytest.mark.no_ingest_writer  # the message is stored and its reactions run in this thread
def test_reported_restricted_answered_by_the_template_and_never_routed(
    page: Any, brand: Brand, make_agent: Callable[..., Agent]
) -> None:
    make_agent(Role.AGENT, email="ann@example.com", name="Ann", password=PASSWORD)
    make_agent(Role.SUPERVISOR, email="sol@example.com", name="Sol", password=PASSWORD)
    conversation = make_conversation(
        brand, email="rude@example.com", name="Rex Rude", body="You are useless idiots!"
    )
    [evidence] = customer_messages(conversation)

    LoginPage(page).open().login("ann@example.com", PASSWORD)  # Ann is online
    panel = ReportAbusePanel(page).open(conversation.pk)
    assert "supervisor will decide" in panel.pick(evidence).report("Insults in every line")
    report = AbuseReport.objects.get()
    assert report.message_ids == [evidence] and report.note == "Insults in every line"

    page.context.clear_cookies()
    LoginPage(page).open().login("sol@example.com", PASSWORD)
    abuse = AbusePage(page).open()
    assert abuse.evidence(report.pk) == ["You are useless idiots!"]
    abuse.decide(report.pk, "restricted", "Insults to staff", channel="email")
    assert abuse.restricted(conversation.customer_id).count() == 1
    assert "Insults to staff" in abuse.restricted(conversation.customer_id).inner_text()

    # the customer writes again through the API (not email): stored and reacted to here
    result = post_inbound(
        brand,
        **{"from": {"name": "Rex Rude", "email": "rude@example.com"}, "body": "Answer me now!"},
    )
    sent = _template(result.conversation_id)
    assert sent is not None and "through email" in sent.body
    assert Message.objects.filter(pk=result.message_id, body="Answer me now!").exists()
    assert Conversation.objects.get(pk=result.conversation_id).assignee_id is None
    # supervisors still see what the customer wrote
    assert any(
        "Answer me now!" in line for line in AbusePage(page).open().latest(conversation.customer_id)
    )
    panel = ReportAbusePanel(page).open(result.conversation_id)
    assert panel.banner().endswith("Insults to staff")
