"""A customer message's mood arrives after the message (the worker scores emotion): in a
real browser against a real ASGI server, the open conversation shows the emotion badge
of that message without a reload, and only of its own messages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.factories import make_conversation
from tests.web.pages import ConversationPage, LiveWorkspace, LoginPage
from wowdesk.conversations.models import Conversation, Message
from wowdesk.core.models import Agent, Brand, Role
from wowdesk.intelligence.services import score_pending
from wowdesk.routing.models import RoutingSettings

PASSWORD = "correct-horse-battery-staple"


@pytest.fixture
def setup(brand: Brand, make_agent: Callable[..., Agent]) -> tuple[Conversation, Conversation]:
    make_agent(Role.AGENT, email="li@example.com", name="Li Wei", password=PASSWORD)
    RoutingSettings.objects.update_or_create(brand=brand, defaults={"auto_assign": False})
    angry = make_conversation(
        brand, body="This is outrageous! Broken again, I am furious, worst service ever!"
    )
    other = make_conversation(brand, body="Thank you so much, the lamp is wonderful!")
    return angry, other


def test_the_mood_of_a_message_shows_live(
    setup: tuple[Conversation, Conversation], browser_contexts: Callable[[], Any]
) -> None:
    angry, other = setup
    message = Message.objects.get(conversation=angry)
    page = browser_contexts()
    LoginPage(page).open().login("li@example.com", PASSWORD)
    view = ConversationPage(page).open(angry.pk)
    live = LiveWorkspace(page).wait_connected().mark()
    assert view.mood(message.pk) == ""  # not scored yet

    assert score_pending() == 2  # what the worker does
    message.refresh_from_db()
    assert message.emotion is not None
    badge = view.wait_for_mood(message.pk)
    assert badge.startswith(message.emotion_label)
    assert badge.endswith(f"{message.emotion:.1f}")
    assert not live.reloaded  # it arrived over the socket
    # the other conversation's message was scored too, and is not drawn here
    assert Message.objects.get(conversation=other).emotion is not None
    assert page.locator("#thread article.message").count() == 1
