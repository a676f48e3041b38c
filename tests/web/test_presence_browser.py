"""Presence, snooze, stale saves, the thread's scroll and the composer's mode in a real
browser (page objects in tests/web/pages.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.factories import quick_conversation
from tests.web.pages import (
    Composer,
    ConversationPage,
    LiveWorkspace,
    LoginPage,
    PresenceSwitch,
    SidePanel,
)
from wowdesk.conversations import services as conversations
from wowdesk.conversations.models import Conversation, Direction, Status
from wowdesk.core.models import Agent, Brand, Presence, Role
from wowdesk.routing.models import RoutingSettings

PASSWORD = "correct-horse-battery-staple"


@pytest.fixture
def people(brand: Brand, make_agent: Callable[..., Agent]) -> tuple[Agent, Agent]:
    li = make_agent(
        Role.AGENT, email="li@example.com", name="Li Wei", password=PASSWORD, timezone="Asia/Manila"
    )
    ana = make_agent(Role.AGENT, email="ana@example.com", name="Ana Costa", password=PASSWORD)
    RoutingSettings.objects.update_or_create(brand=brand, defaults={"auto_assign": False})
    return li, ana


def _long_thread(brand: Brand, li: Agent, subject: str) -> Conversation:
    c = quick_conversation(brand, subject=subject, body="First message of a long thread")
    for i in range(30):
        conversations.add_reply(c, author=li, body=f"Step {i}: " + "more detail " * 20)
    conversations.add_reply(c, author=li, body="The newest message")
    return Conversation.objects.get(pk=c.pk)


def test_switch_snooze_stale_save_scroll_and_composer_mode(
    people: tuple[Agent, Agent], brand: Brand, page: Any
) -> None:
    li, ana = people
    first = _long_thread(brand, li, "Lamp shade cracked")
    second = quick_conversation(brand, subject="Parcel late", body="Where is it?")
    LoginPage(page).open().login("li@example.com", PASSWORD)

    # the presence switch
    switch = PresenceSwitch(page)
    assert switch.state == Presence.ONLINE  # signing in
    switch.choose(Presence.AWAY)
    assert PresenceSwitch(page).state == Presence.AWAY
    assert Agent.objects.get(pk=li.pk).presence == Presence.AWAY
    PresenceSwitch(page).choose(Presence.ONLINE)
    assert Agent.objects.get(pk=li.pk).presence == Presence.ONLINE

    # the thread opens at the newest message
    view = ConversationPage(page).open(first.pk)
    composer = Composer(page)
    assert composer.newest_message_in_view()
    assert not composer.first_message_in_view()

    # the composer keeps the note mode after sending, per conversation
    view.write("Checked the warehouse", note=True).send()
    assert ("note", "Checked the warehouse") in view.messages()
    assert Composer(page).mode == "note"
    assert Composer(page).newest_message_in_view()
    ConversationPage(page).open(second.pk)
    assert Composer(page).mode == "reply"  # another conversation: its own mode
    ConversationPage(page).open(first.pk)
    assert Composer(page).mode == "note"
    first.refresh_from_db()
    assert first.messages.filter(direction=Direction.NOTE).count() == 1

    # a stale save: Ana changes the priority while Li's panel shows the old one
    panel = SidePanel(page)
    assert panel.priority == "normal"
    conversations.update_conversation(
        Conversation.objects.get(pk=first.pk), actor=ana, priority="high"
    )
    panel.set_priority("Low").save()
    assert "Ana Costa changed the priority to High — your change was not saved." in panel.flash()
    assert SidePanel(page).priority == "high"
    assert Conversation.objects.get(pk=first.pk).priority == "high"
    SidePanel(page).set_priority("Urgent").save()  # now based on the fresh values
    assert Conversation.objects.get(pk=first.pk).priority == "urgent"

    # snooze: a preset, then a time picked in Li's zone (Manila), then wake up
    SidePanel(page).snooze("tomorrow")
    snoozed = Conversation.objects.get(pk=first.pk)
    assert snoozed.status == Status.SNOOZED
    assert snoozed.snoozed_until is not None
    assert "Snoozed until" in SidePanel(page).snoozed_until
    SidePanel(page).snooze_until("2031-01-01T10:00")  # more than a year ahead
    assert "at most a year" in SidePanel(page).flash()
    SidePanel(page).wake()
    assert Conversation.objects.get(pk=first.pk).status == Status.OPEN


def test_the_side_panel_and_the_switch_refresh_live(
    people: tuple[Agent, Agent], brand: Brand, browser_contexts: Callable[[], Any]
) -> None:
    li, ana = people
    c = quick_conversation(brand, subject="Lamp shade cracked", body="It is cracked")
    page = browser_contexts()
    LoginPage(page).open().login("li@example.com", PASSWORD)
    ConversationPage(page).open(c.pk)
    live = LiveWorkspace(page).wait_connected().mark()
    assert SidePanel(page).version == "1"
    conversations.update_conversation(Conversation.objects.get(pk=c.pk), actor=ana, priority="high")
    SidePanel(page).wait_for_priority("high")
    assert SidePanel(page).version == "2"
    assert not live.reloaded
    # a supervisor sets Li away: Li's switch shows it
    from wowdesk.routing.services import set_presence

    set_presence(Agent.objects.get(pk=li.pk), Presence.AWAY, by=ana)
    PresenceSwitch(page).wait_for(Presence.AWAY)
