"""The three-pane workspace in a real browser: keyboard-only work through several
conversations, the URL following the open conversation and the back button, the phone
layout, the dark theme and the UI in Chinese."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from tests.factories import quick_conversation
from tests.web.pages import LoginPage
from tests.web.pages_shell import Workspace
from wowdesk.conversations.models import Conversation, Direction, Status
from wowdesk.core.models import Agent, Brand, Role
from wowdesk.routing.models import RoutingSettings

PASSWORD = "correct-horse-battery-staple"
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def three(
    page: Any, brand: Brand, make_agent: Callable[..., Agent]
) -> tuple[Any, Agent, list[Conversation]]:
    """A signed-in agent and three open conversations, newest last."""
    agent = make_agent(Role.AGENT, email="ana@example.com", name="Ana Agent", password=PASSWORD)
    RoutingSettings.objects.update_or_create(brand=brand, defaults={"auto_assign": False})
    convs = [
        quick_conversation(brand, subject=s, body=f"About the {s.lower()}", name=n)
        for s, n in (("Lamp", "Lia Lamp"), ("Chair", "Cy Chair"), ("Desk", "Dee Desk"))
    ]
    LoginPage(page).open().login("ana@example.com", PASSWORD)
    return page, agent, convs


def _path(page: Any) -> str:
    return str(page.url).split("://", 1)[1].split("/", 1)[1].split("?")[0]


def test_keyboard_only_through_several_conversations(
    three: tuple[Any, Agent, list[Conversation]],
) -> None:
    page, agent, (lamp, chair, desk) = three
    ws = Workspace(page).open()
    assert ws.open_id == 0 and ws.row_ids() == [desk.pk, chair.pk, lamp.pk]
    assert ws.is_unread(desk.pk)
    ws.mark_document()

    ws.key_opens("j", desk.pk)
    assert ws.selected_id == desk.pk and "Desk" in ws.title
    assert not ws.is_unread(desk.pk)
    ws.key_opens("j", chair.pk)
    ws.key_opens("j", lamp.pk)
    ws.key_opens("k", chair.pk)
    assert ws.selected_id == chair.pk and "Chair" in ws.title
    assert _path(page) == f"inbox/c/{chair.pk}/"
    assert ws.still_same_document()  # no page load so far
    assert ws.messages() == ["About the chair"]

    ws.key("r")
    assert page.evaluate("document.activeElement.id") == "composer-body"
    ws.type_in_composer("Sorted, a new chair ships today.")
    page.locator("#send").focus()
    with page.expect_navigation():
        ws.key("Enter")
    assert ws.open_id == chair.pk
    assert "Sorted, a new chair ships today." in ws.messages()
    assert chair.messages.filter(direction=Direction.OUT, author=agent).count() == 1

    with page.expect_navigation():
        ws.key("e")
    chair.refresh_from_db()
    assert chair.status == Status.RESOLVED
    assert page.locator("#conv-status").inner_text().strip() == "Resolved"

    # the resolved one left the open list: j goes on through the server's neighbour
    with page.expect_navigation():
        ws.key("j")
    assert ws.open_id in (lamp.pk, desk.pk)
    ws.key("?")
    assert page.locator("dialog#shortcuts").is_visible()
    keys = {k.strip() for k in page.locator("dialog#shortcuts kbd").all_inner_texts()}
    assert {"j", "k", "o", "u", "r", "n", "a", "e", "s", "/", "?", "Esc"} <= keys
    ws.key("Escape")
    assert not page.locator("dialog#shortcuts").is_visible()
    ws.key("/")
    assert page.evaluate("document.activeElement.id") == "q"


def test_the_url_follows_and_the_back_button_goes_back(
    three: tuple[Any, Agent, list[Conversation]],
) -> None:
    page, _agent, (lamp, _chair, desk) = three
    ws = Workspace(page).open()
    ws.mark_document()
    ws.click_row(desk.pk)
    assert _path(page) == f"inbox/c/{desk.pk}/" and "view=all" in page.url
    ws.click_row(lamp.pk)
    assert _path(page) == f"inbox/c/{lamp.pk}/"
    assert ws.still_same_document()

    ws.back()
    assert _path(page) == f"inbox/c/{desk.pk}/"
    page.locator(f'#open-pane[data-conversation-id="{desk.pk}"]').wait_for()
    assert "Desk" in ws.title and ws.selected_id == desk.pk
    ws.back()
    assert _path(page) == "inbox/"
    page.locator("#open-pane.is-empty").wait_for()
    page.go_forward()
    page.locator(f'#open-pane[data-conversation-id="{desk.pk}"]').wait_for()
    # a reload of a pushed URL is the same three panes
    page.reload()
    assert ws.open_id == desk.pk and ws.selected_id == desk.pk


def test_the_phone_layout_list_then_conversation_then_back(
    three: tuple[Any, Agent, list[Conversation]],
) -> None:
    page, _agent, (lamp, _chair, _desk) = three
    page.set_viewport_size({"width": 390, "height": 844})
    ws = Workspace(page).open()
    assert ws.visible("#inbox-list") and not ws.visible("#open-pane")
    ws.click_row(lamp.pk)
    assert ws.visible("#thread") and ws.visible("#composer-body")
    assert not ws.visible("#inbox-list")
    assert not ws.visible("#context-pane")
    box = page.locator("#open-pane").bounding_box()
    assert box is not None and box["width"] >= 380  # full width
    ws.toggle_details()
    assert ws.visible("#customer-panel")
    ws.key("Escape")
    assert not ws.visible("#context-pane")
    ws.tap_back_to_list()
    assert ws.visible("#inbox-list") and not ws.visible("#open-pane")


def test_the_tablet_layout_keeps_list_and_conversation_with_a_drawer(
    three: tuple[Any, Agent, list[Conversation]],
) -> None:
    page, _agent, (lamp, _chair, _desk) = three
    page.set_viewport_size({"width": 900, "height": 1000})
    ws = Workspace(page).open()
    ws.click_row(lamp.pk)
    assert ws.visible("#inbox-list") and ws.visible("#thread")
    views = '#views-pane .view-link[data-view="all"]'
    assert not ws.visible(views) and not ws.visible("#context-pane")
    ws.toggle_details()
    assert ws.visible("#props-panel")
    ws.key("Escape")
    assert not ws.visible("#context-pane")
    page.locator("[data-toggle-views]").click()  # the sidebar opens over the list
    assert ws.visible(views)
    ws.key("Escape")
    assert not ws.visible(views)


def test_dark_theme_by_preference_and_by_choice(
    three: tuple[Any, Agent, list[Conversation]],
) -> None:
    page, agent, (lamp, _chair, _desk) = three
    ws = Workspace(page).open(f"/inbox/c/{lamp.pk}/?view=all")
    light = ws.background()
    light_list = ws.background(".list-pane")
    page.emulate_media(color_scheme="dark")
    dark = ws.background()
    assert dark != light and ws.background(".list-pane") != light_list
    assert dark == "rgb(11, 17, 32)"

    ws.set_theme("light")  # the agent's choice wins over the browser's preference
    assert ws.background() == light
    agent.refresh_from_db()
    assert agent.ui_theme == "light"
    page.emulate_media(color_scheme="light")
    ws.set_theme("dark")
    assert ws.background() == dark
    page.reload()
    assert ws.background() == dark  # kept on the agent


def test_the_workspace_in_chinese(three: tuple[Any, Agent, list[Conversation]]) -> None:
    page, _agent, (lamp, _chair, desk) = three
    ws = Workspace(page).open()
    with page.expect_navigation():
        page.locator("select#language").select_option(label="简体中文")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert CJK.search(page.locator("#inbox-title").inner_text())
    assert CJK.search(page.locator("#open-pane.is-empty").inner_text())
    ws.key_opens("j", desk.pk)
    assert CJK.search(page.locator("#details-toggle").inner_text())
    assert CJK.search(page.locator("#props-title").inner_text())
    ws.click_row(lamp.pk)
    assert "Lamp" in ws.title


def test_the_composer_grows_with_its_text_and_never_covers_the_thread(
    three: tuple[Any, Agent, list[Conversation]],
) -> None:
    page, _agent, (lamp, _chair, _desk) = three
    ws = Workspace(page).open(f"/inbox/c/{lamp.pk}/?view=all")
    body = page.locator("#composer-body")

    def height() -> float:
        box = body.bounding_box()
        assert box is not None
        return float(box["height"])

    start = height()
    body.click()
    ws.type_in_composer("line\n" * 6)
    grown = height()
    assert grown > start
    ws.type_in_composer("line\n" * 60)
    capped = height()
    window = page.viewport_size
    assert window is not None
    assert grown < capped <= window["height"] / 3 + 2  # a third of the window, then it scrolls
    assert body.evaluate("el => el.scrollHeight > el.clientHeight")
    thread = page.locator("#thread").bounding_box()
    composer = page.locator("#composer").bounding_box()
    assert thread is not None and composer is not None
    assert thread["y"] + thread["height"] <= composer["y"] + 1  # the thread ends above it


def test_right_to_left_mirrors_the_panes(three: tuple[Any, Agent, list[Conversation]]) -> None:
    page, _agent, (lamp, _chair, _desk) = three
    ws = Workspace(page).open(f"/inbox/c/{lamp.pk}/?view=all")

    def x(selector: str) -> float:
        box = page.locator(selector).bounding_box()
        assert box is not None
        return float(box["x"])

    assert x("#list-pane") < x("#open-pane .conversation") < x("#context-pane")
    page.evaluate("document.documentElement.dir = 'rtl'")
    assert x("#list-pane") > x("#open-pane .conversation") > x("#context-pane")
    assert ws.open_id == lamp.pk
