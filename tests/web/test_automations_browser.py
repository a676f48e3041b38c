"""An administrator makes a rule on the automation rules page; an inbound message that
matches it is tagged and prioritised, and the thread names the rule."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.test import Client

from tests.conftest import inbound
from tests.web.pages import AutomationsPage, ConversationPage, LoginPage
from wowdesk.automations.models import Rule
from wowdesk.conversations.models import Conversation
from wowdesk.core.models import Agent, Brand, Role
from wowdesk.core.services import create_token

PASSWORD = "correct-horse-battery-staple"


def test_a_rule_made_on_the_page_acts_on_an_inbound_message(
    page: Any, brand: Brand, make_agent: Callable[..., Agent]
) -> None:
    admin = make_agent(Role.ADMIN, email="boss@example.com", name="Boss", password=PASSWORD)
    LoginPage(page).open().login("boss@example.com", PASSWORD)
    rules = (
        AutomationsPage(page)
        .open()
        .new_rule(
            "Refunds",
            event="A message is added",
            conditions=[("Message text", "contains", "refund")],
            actions=[("Add the tag", "refund"), ("Set the priority to", "high")],
        )
    )
    assert "Refunds" in rules.flash
    assert rules.names() == ["Refunds"]
    rule = Rule.objects.get()
    assert rule.conditions == [{"field": "body", "op": "contains", "value": "refund"}]

    response = Client().post(
        "/api/v1/inbound",
        inbound("b-1", body="Hello, I want a Refund for the broken lamp."),
        content_type="application/json",
        headers={"Authorization": f"Bearer {create_token(admin)}"},
    )
    assert response.status_code == 202, response.content
    conversation = Conversation.objects.get(pk=response.json()["conversation_id"])
    assert conversation.priority == "high"
    assert [t.name for t in conversation.tags.all()] == ["refund"]

    thread = ConversationPage(page).open(conversation.pk)
    texts = [body for _kind, body in thread.messages()]
    assert any("Rule “Refunds” added tag refund" in t for t in texts), texts
    assert any("Rule “Refunds” set the priority to High" in t for t in texts), texts
