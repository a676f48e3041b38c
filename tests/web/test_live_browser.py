"""The live workspace in a real browser against a real ASGI server: two agents on one
conversation see each other (viewing, typing), a reply appears for the other without a
reload, and an assignment and a ringing call pop toasts.

One test, one pair of logins: each browser login costs seconds on the CI machine.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.factories import quick_conversation
from tests.web.pages import ConversationPage, LiveWorkspace, LoginPage
from wowdesk.conversations import services as conversations
from wowdesk.conversations.models import Conversation, Direction
from wowdesk.core.models import Agent, Brand, Role
from wowdesk.core.realtime import agent_group, publish
from wowdesk.routing.models import RoutingSettings

PASSWORD = "correct-horse-battery-staple"


@pytest.fixture
def team(brand: Brand, make_agent: Callable[..., Agent]) -> tuple[Agent, Agent, Conversation]:
    li = make_agent(Role.AGENT, email="li@example.com", name="Li Wei", password=PASSWORD)
    ana = make_agent(Role.AGENT, email="ana@example.com", name="Ana Costa", password=PASSWORD)
    # Logging in puts an agent online; keep routing from assigning the conversation.
    RoutingSettings.objects.update_or_create(brand=brand, defaults={"auto_assign": False})
    conversation = quick_conversation(brand, subject="Lamp shade cracked", body="It is cracked")
    return li, ana, conversation


def open_as(new_page: Callable[[], Any], email: str, conversation: Conversation) -> Any:
    page = new_page()
    LoginPage(page).open().login(email, PASSWORD)
    ConversationPage(page).open(conversation.pk)
    LiveWorkspace(page).wait_connected()
    return page


def test_second_agent_sees_viewing_typing_the_reply_and_toasts_live(
    team: tuple[Agent, Agent, Conversation], browser_contexts: Callable[[], Any]
) -> None:
    # ``team`` first: its writes publish events before the browser's event loop runs here.
    li, ana, conversation = team
    ana_page = open_as(browser_contexts, "ana@example.com", conversation)
    ana_live = LiveWorkspace(ana_page).mark()

    li_page = open_as(browser_contexts, "li@example.com", conversation)
    assert ana_live.wait_for_collision("Li Wei is viewing") == "Li Wei is viewing"
    LiveWorkspace(li_page).wait_for_collision("Ana Costa is viewing")

    LiveWorkspace(li_page).type("A new shade")
    assert ana_live.wait_for_collision("Li Wei is typing…") == "Li Wei is typing…"

    li_view = ConversationPage(li_page)
    li_view.page.locator("#composer-body").fill("A new shade is on its way.")
    li_view.send()

    element_id = ana_live.wait_for_message("A new shade is on its way.")
    reply = conversation.messages.get(direction=Direction.OUT)
    assert element_id == f"message-{reply.pk}"
    assert reply.author == li
    assert not ana_live.reloaded  # it arrived over the socket, not by a page load
    assert ("out", "A new shade is on its way.") in ConversationPage(ana_page).messages()
    # Li's page was reloaded by the form post; once back, it says Ana is still there.
    LiveWorkspace(li_page).wait_connected().wait_for_collision("Ana Costa is viewing")

    # Li leaves: Ana's notice goes.
    li_page.goto("/inbox/")
    expect(ana_page.locator("#collision")).not_to_contain_text("Li Wei")

    # Li hands the conversation to Ana (through the service, as the side panel does).
    conversations.update_conversation(conversation, actor=li, assignee_id=ana.pk)
    toast = ana_live.wait_for_toast("A conversation was assigned to you.")
    assert "Go to conversation" in toast
    links = ana_page.locator("#toasts .toast-assigned a")
    assert links.first.get_attribute("href") == f"/inbox/c/{conversation.pk}/"
    # …and her open conversation catches up with the change.
    expect(ana_page.locator("#conv-assignee")).to_contain_text("Ana Costa")

    # The phone system rings Ana: a screen-pop with the caller and a link.
    publish(
        agent_group(ana.pk),
        "call.ringing",
        call_id="call-1",
        conversation_id=conversation.pk,
        customer_id=conversation.customer_id,
        customer_name="Zoe Quark",
        phone="+49 30 1234567",
        url=f"/inbox/c/{conversation.pk}/",
    )
    call = ana_live.wait_for_toast("Incoming call: Zoe Quark")
    assert "+49 30 1234567" in call
    assert not ana_live.reloaded
