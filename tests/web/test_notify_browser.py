"""Notifications and the command palette in a real browser: a mention in a note reaches
the other agent's bell live (count, list, tab title), opening it goes to the
conversation; Ctrl-K finds a conversation by number and a customer by name. Once in
Chinese on a phone."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.factories import quick_conversation
from tests.web.pages import ConversationPage, InboxPage, LiveWorkspace, LoginPage
from tests.web.pages_notify import CommandPalette, NotificationBell
from wowdesk.conversations import services as conversations
from wowdesk.conversations.models import Conversation
from wowdesk.core.models import Agent, Brand, Role
from wowdesk.notifications import services
from wowdesk.notifications.models import Kind, Notification
from wowdesk.routing.models import RoutingSettings

PASSWORD = "correct-horse-battery-staple"


@pytest.fixture
def pair(brand: Brand, make_agent: Callable[..., Agent]) -> tuple[Agent, Agent, Conversation]:
    li = make_agent(Role.AGENT, email="li@example.com", name="Li Wei", password=PASSWORD)
    ana = make_agent(Role.AGENT, email="ana@example.com", name="Ana Costa", password=PASSWORD)
    RoutingSettings.objects.update_or_create(brand=brand, defaults={"auto_assign": False})
    conversation = quick_conversation(
        brand, subject="Kettle whistles", body="It whistles", name="Greta Kettle"
    )
    conversations.save_macro(
        None,
        brand_id=brand.pk,
        actor=None,
        name="Lid answer",
        body="Please press the lid down firmly.",
    )
    return li, ana, conversation


def test_a_mention_reaches_the_bell_live_and_the_palette_finds_things(
    pair: tuple[Agent, Agent, Conversation], browser_contexts: Callable[[], Any]
) -> None:
    _li, ana, conversation = pair
    ana_page = browser_contexts()
    LoginPage(ana_page).open().login("ana@example.com", PASSWORD)
    InboxPage(ana_page).open()
    ana_live = LiveWorkspace(ana_page).wait_connected().mark()
    bell = NotificationBell(ana_page)
    assert bell.count == 0
    assert not bell.title.startswith("(")

    li_page = browser_contexts()
    LoginPage(li_page).open().login("li@example.com", PASSWORD)
    ConversationPage(li_page).open(conversation.pk).write(
        "@Ana Costa can you check the lid?", note=True
    ).send()

    bell.wait_for_count(1)
    assert not ana_live.reloaded  # the count came over the socket
    expect(ana_page).to_have_title("(1) " + bell.title.removeprefix("(1) "))
    assert bell.title.startswith("(1) ")
    bell.open()
    expected = f"Li Wei mentioned you in #{conversation.number}"
    assert bell.unread_titles() == [expected]
    bell.click(expected)
    assert ana_page.url.endswith(f"/inbox/c/{conversation.pk}/")
    NotificationBell(ana_page).wait_for_count(0)
    assert Notification.objects.get(agent=ana).read_at is not None
    assert not NotificationBell(ana_page).title.startswith("(")
    # the author heard nothing of their own note
    assert NotificationBell(li_page).count == 0

    # Ctrl-K: a conversation by its number, a customer by name
    ana_page.goto("/inbox/")
    palette = CommandPalette(ana_page).open()
    palette.search(f"#{conversation.number}", "Kettle whistles")
    assert palette.groups()[0] == "Conversations"
    palette.enter()
    assert ana_page.url.endswith(f"/inbox/c/{conversation.pk}/")
    palette = CommandPalette(ana_page).open()
    palette.search("Greta", "Kettle whistles")  # her conversation comes first
    palette.search("Greta Kettle", "Greta Kettle")
    while "Greta Kettle" not in palette.selected():
        palette.press("ArrowDown")
    palette.enter()
    assert ana_page.url.endswith(f"/inbox/c/{conversation.pk}/")
    # the page's own actions, and Esc closes
    CommandPalette(ana_page).open().search("assign to me", "Assign to me").close()
    # a macro of the conversation's brand goes into the open composer
    palette = CommandPalette(ana_page).open().search("lid", "Lid answer")
    ana_page.locator("#palette-q").press("Enter")
    expect(ana_page.locator("#composer-body")).to_have_value("Please press the lid down firmly.")
    # an action: resolve the open conversation
    CommandPalette(ana_page).open().search("resolve", "Resolve").enter()
    conversation.refresh_from_db()
    assert conversation.status == "resolved"


def test_bell_and_palette_in_chinese_on_a_phone(
    brand: Brand, make_agent: Callable[..., Agent], page: Any
) -> None:
    me = make_agent(Role.AGENT, email="zh@example.com", name="王芳", password=PASSWORD)
    boss = make_agent(Role.SUPERVISOR, name="李主管")
    RoutingSettings.objects.update_or_create(brand=brand, defaults={"auto_assign": False})
    conv = quick_conversation(brand, subject="水壶漏水", body="漏水了", name="陈静")
    services.deliver(
        [
            services.Draft(
                agent_id=me.pk,
                brand_id=brand.pk,
                kind=Kind.ASSIGNED,
                conversation_id=conv.pk,
                actor_id=boss.pk,
                params={"number": conv.number, "subject": conv.subject, "actor": "李主管"},
            )
        ]
    )
    page.set_viewport_size({"width": 390, "height": 844})
    LoginPage(page).open().login("zh@example.com", PASSWORD)
    InboxPage(page).open().switch_language("简体中文")
    bell = NotificationBell(page).wait_for_count(1)
    assert bell.title.startswith("(1) ")
    bell.open()
    assert bell.titles() == [f"李主管 将 #{conv.number} 分配给了你"]
    box = bell.panel_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390  # on the screen
    expect(page.locator("#notif-panel")).to_contain_text("全部标为已读")
    page.locator("#notif-panel [data-notif-read-all]").click()
    bell.wait_for_count(0)
    assert Notification.objects.get(agent=me).read_at is not None
    palette = CommandPalette(page).open()
    expect(page.locator("#palette-q")).to_have_attribute(
        "placeholder", "输入 #编号、姓名、快捷回复或操作…"
    )
    palette.search("陈静", "水壶漏水")
    assert palette.groups()[0] == "会话"
    palette.enter()
    assert page.url.endswith(f"/inbox/c/{conv.pk}/")


# The browser's Notification API and WebAudio, recorded instead of shown and played; the
# tab counts as hidden (desktop notifications are for a tab the agent is not looking at).
RECORDER = """
window.__told = [];
window.__beeps = 0;
Object.defineProperty(document, "visibilityState", { get: () => "hidden" });
window.Notification = function (title, options) { window.__told.push(title); };
window.Notification.permission = "granted";
window.Notification.requestPermission = function () { return Promise.resolve("granted"); };
window.AudioContext = function () {
  const node = () => ({ connect: (x) => x, start() {}, stop() {},
    frequency: {}, gain: { setValueAtTime() {}, exponentialRampToValueAtTime() {} } });
  return { currentTime: 0, destination: {},
    createOscillator: () => { window.__beeps += 1; return node(); }, createGain: node };
};
"""


def test_desktop_and_sound_only_when_turned_on(
    brand: Brand, make_agent: Callable[..., Agent], browser_contexts: Callable[[], Any]
) -> None:
    me = make_agent(Role.AGENT, email="ana@example.com", name="Ana Costa", password=PASSWORD)
    boss = make_agent(Role.SUPERVISOR, name="Mia Boss")
    RoutingSettings.objects.update_or_create(brand=brand, defaults={"auto_assign": False})
    first, second = (quick_conversation(brand, subject=f"Case {i}") for i in (1, 2))
    services.set_preferences(me, sound=True, desktop=False)
    page = browser_contexts()
    page.add_init_script(RECORDER)
    LoginPage(page).open().login("ana@example.com", PASSWORD)
    InboxPage(page).open()
    LiveWorkspace(page).wait_connected()
    bell = NotificationBell(page)

    def assign(conv: Conversation) -> None:
        conversations.update_conversation(conv, actor=boss, assignee_id=me.pk)

    assign(first)
    bell.wait_for_count(1)
    page.wait_for_function("() => window.__beeps === 1")
    assert page.evaluate("window.__told") == []

    services.set_preferences(me, sound=False, desktop=True)
    assign(second)
    bell.wait_for_count(2)
    page.wait_for_function("() => window.__told.length === 1")
    assert page.evaluate("window.__told") == [f"Mia Boss assigned #{second.number} to you"]
    assert page.evaluate("window.__beeps") == 1
