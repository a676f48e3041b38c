"""Right-to-left text in a real browser: the workspace lays out every written text in its own
direction inside a left-to-right page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.factories import quick_conversation
from tests.web.pages import ConversationPage, LoginPage
from wowdesk.conversations import services as conversations
from wowdesk.core.models import Agent, Brand, Role
from wowdesk.routing.models import RoutingSettings

PASSWORD = "correct-horse-battery-staple"


def test_arabic_and_hebrew_read_right_to_left_in_the_thread(
    page: Any, brand: Brand, make_agent: Callable[..., Agent]
) -> None:
    agent = make_agent(Role.AGENT, email="dana@example.com", name="דנה לוי", password=PASSWORD)
    RoutingSettings.objects.update_or_create(brand=brand, defaults={"auto_assign": False})
    conversation = quick_conversation(
        brand, subject="المصباح مكسور", body="وصل المصباح مكسورا، أريد استبداله", name="سارة"
    )
    conversations.add_reply(
        conversation, author=agent, body="Checking the order now.", private=True
    )

    LoginPage(page).open().login("dana@example.com", PASSWORD)
    shown = dict(ConversationPage(page).open(conversation.pk).text_directions())
    assert shown["وصل المصباح مكسورا، أريد استبداله"] == "rtl"
    assert shown["سارة"] == "rtl"
    assert shown["المصباح مكسور"] == "rtl"
    assert shown["דנה לוי"] == "rtl"
    assert shown["Checking the order now."] == "ltr"
    assert page.evaluate("getComputedStyle(document.body).direction") == "ltr"
