"""A refused workspace form in a real browser: the page again with the reason naming the
field, what was typed still there, nothing stored."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.factories import quick_conversation
from tests.web.pages import ConversationPage, LoginPage
from tests.web.pages_composer import Composer
from wowdesk.conversations import services as conversations
from wowdesk.conversations.models import Direction, Tag
from wowdesk.core.models import Agent, Brand, Role
from wowdesk.routing.models import RoutingSettings

PASSWORD = "correct-horse-battery-staple"


def test_an_agent_sees_why_a_new_tag_and_a_long_reply_are_refused(
    page: Any, brand: Brand, make_agent: Callable[..., Agent]
) -> None:
    make_agent(Role.AGENT, email="ana@example.com", name="Ana Agent", password=PASSWORD)
    RoutingSettings.objects.update_or_create(brand=brand, defaults={"auto_assign": False})
    conversations.ensure_tags(brand.pk, ["refund"])
    conversation = quick_conversation(brand, subject="Lamp shade cracked")
    LoginPage(page).open().login("ana@example.com", PASSWORD)

    view = ConversationPage(page).open(conversation.pk).save_tags("refund, brand-new")
    assert "Lamp shade cracked" in view.title
    assert any(e.startswith("Tags:") and "brand-new" in e for e in view.errors), view.errors
    assert not Tag.objects.filter(name="brand-new").exists()
    assert conversation.tags.count() == 0

    view.save_tags("refund")
    assert view.errors == []
    assert [t.name for t in conversation.tags.all()] == ["refund"]

    text = "word " * (conversations.MAX_BODY // 5 + 1)
    view.write(text)
    # the composer sends in the background: the refusal is said next to it, the text stays
    reason = Composer(page).send_refused()
    assert reason.startswith("Message:"), reason
    assert view.draft == text
    assert not conversation.messages.filter(direction=Direction.OUT).exists()
