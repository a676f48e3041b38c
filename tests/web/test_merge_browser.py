"""A person merges a customer's other open conversation from the side panel."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.factories import make_conversation
from tests.web.pages import ConversationPage, LoginPage, RelatedPanel
from wowdesk.conversations.models import Conversation, Status
from wowdesk.core.models import Agent, Brand, Role
from wowdesk.routing.models import RoutingSettings

PASSWORD = "correct-horse-battery-staple"


def test_merge_the_other_open_conversation_from_the_side_panel(
    page: Any, brand: Brand, make_agent: Callable[..., Agent]
) -> None:
    make_agent(Role.AGENT, email="ana@example.com", name="Ana Agent", password=PASSWORD)
    RoutingSettings.objects.update_or_create(brand=brand, defaults={"auto_assign": False})
    first = make_conversation(
        brand, email="zoe@example.com", channel="email", subject="Lamp", body="The lamp"
    )
    second = make_conversation(
        brand, email="zoe@example.com", channel="email", subject="Cable", body="And the cable"
    )
    LoginPage(page).open().login("ana@example.com", PASSWORD)
    view = ConversationPage(page).open(first.pk)
    panel = RelatedPanel(page)
    assert panel.numbers() == [second.pk]
    panel.merge(second.pk)
    assert not panel.visible
    texts = [text for _kind, text in view.messages()]
    assert "And the cable" in texts
    assert any(f"#{second.number}" in t for t in texts)
    merged = Conversation.objects.get(pk=second.pk)
    assert merged.merged_into_id == first.pk and merged.status == Status.RESOLVED
