"""The agent workspace in a real browser: log in, work a conversation end to end,
shortcuts, and the UI in Chinese."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from tests.factories import quick_conversation
from tests.web.pages import ConversationPage, LoginPage, ShortcutsOverlay
from wowdesk.conversations.models import Direction, Macro, Status
from wowdesk.core.models import Agent, Brand, Role
from wowdesk.routing.models import RoutingSettings

PASSWORD = "correct-horse-battery-staple"
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def signed_in(page: Any, brand: Brand, make_agent: Callable[..., Agent]) -> tuple[Any, Agent]:
    agent = make_agent(Role.AGENT, email="ana@example.com", name="Ana Agent", password=PASSWORD)
    # Logging in puts the agent online; keep routing from assigning the test's conversations.
    RoutingSettings.objects.update_or_create(brand=brand, defaults={"auto_assign": False})
    return page, agent


def test_log_in_open_reply_note_and_resolve(signed_in: tuple[Any, Agent], brand: Brand) -> None:
    page, agent = signed_in
    conversation = quick_conversation(brand, subject="Lamp shade cracked", body="It is cracked")
    quick_conversation(brand, subject="Invoice question")
    Macro.objects.create(brand=brand, name="Sorry", body="Dear {{ customer.first_name }}, sorry!")

    inbox = LoginPage(page).open().login("ana@example.com", PASSWORD).choose_view("unassigned")
    assert set(inbox.subjects()) == {"Lamp shade cracked", "Invoice question"}
    assert inbox.count("unassigned") == 2

    view = inbox.open_conversation("Lamp shade cracked")
    assert "Lamp shade cracked" in view.title
    assert ("in", "It is cracked") in view.messages()

    text = view.insert_macro("Sorry")
    assert text == f"Dear {conversation.customer.name.split()[0]}, sorry!"
    view.send()
    view.write("Regular customer, be generous.", note=True).send()
    view.write("A new shade is on its way.").send(resolve=True)

    assert view.status == "Resolved"
    kinds = [k for k, _ in view.messages()]
    assert kinds.count("out") == 2 and kinds.count("note") == 1
    conversation.refresh_from_db()
    assert conversation.status == Status.RESOLVED
    assert conversation.messages.filter(direction=Direction.NOTE).get().author == agent


def test_search_swaps_the_list(signed_in: tuple[Any, Agent], brand: Brand) -> None:
    page, _agent = signed_in
    quick_conversation(brand, subject="Broken lamp", name="Zoe Quark")
    quick_conversation(brand, subject="Invoice")
    inbox = LoginPage(page).open().login("ana@example.com", PASSWORD).open("view=all")
    inbox.search("Quark")
    assert inbox.subjects() == ["Broken lamp"]
    assert "q=Quark" in page.url


def test_shortcuts_assign_to_me_and_the_overlay(signed_in: tuple[Any, Agent], brand: Brand) -> None:
    page, agent = signed_in
    first = quick_conversation(brand, subject="First")
    quick_conversation(brand, subject="Second")
    inbox = LoginPage(page).open().login("ana@example.com", PASSWORD).open("view=all")

    overlay = ShortcutsOverlay(page).open_with_key()
    assert overlay.visible
    assert {"j", "k", "r", "n", "e", "a", "m", "?"} <= set(overlay.keys())
    overlay.close()
    assert not overlay.visible

    view = ConversationPage(page)
    view.switch("j")  # the first row opens beside the list
    assert inbox.selected_subject == "Second"  # newest first
    assert "Second" in view.title
    view.switch("j")
    assert inbox.selected_subject == "First"
    assert "First" in view.title
    assert page.url.split("?")[0].endswith(f"/inbox/c/{first.pk}/")
    view.switch("k")  # the previous (newer) one of the list
    assert "Second" in view.title
    view.switch("j")
    assert "First" in view.title

    view.shortcut("a")
    assert agent.display_name in view.assignee
    first.refresh_from_db()
    assert first.assignee_id == agent.pk

    view.shortcut("r", navigates=False)
    assert page.evaluate("document.activeElement.id") == "composer-body"
    page.locator("#composer-body").press("Escape")
    page.evaluate("document.activeElement.blur()")
    view.shortcut("e")
    assert view.status == "Resolved"


def test_switch_the_workspace_to_chinese(signed_in: tuple[Any, Agent], brand: Brand) -> None:
    page, agent = signed_in
    quick_conversation(brand, subject="Lamp")
    inbox = LoginPage(page).open().login("ana@example.com", PASSWORD)
    english = inbox.heading
    inbox.switch_language("简体中文")
    assert inbox.language == "zh-hans"
    assert "/inbox/" in page.url
    agent.refresh_from_db()
    assert agent.ui_language == "zh-hans"
    assert CJK.search(inbox.heading), inbox.heading
    assert inbox.heading != english


def test_a_supervisor_sees_every_header_link_at_1280(
    page: Any, brand: Brand, make_agent: Callable[..., Agent]
) -> None:
    """The workspace header at a laptop's width: no link of the nav is cut off (Reports,
    Supervisor and Settings came last and were hidden behind a sideways scroll)."""
    make_agent(Role.SUPERVISOR, email="sue@example.com", name="Sue Visor", password=PASSWORD)
    RoutingSettings.objects.update_or_create(brand=brand, defaults={"auto_assign": False})
    page.set_viewport_size({"width": 1280, "height": 800})
    LoginPage(page).open().login("sue@example.com", PASSWORD)
    nav = page.locator("header.top nav")
    right = nav.bounding_box()["x"] + nav.bounding_box()["width"]
    for name in ("Follow-ups", "WOW wall", "Reports", "Supervisor", "Settings"):
        box = nav.get_by_role("link", name=name, exact=True).bounding_box()
        assert box is not None and box["x"] + box["width"] <= right + 1, name
