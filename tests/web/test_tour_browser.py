"""The first hour as a new person lives it, in a real browser (issue 14's "Done means"):
an agent signs in, works ten conversations from the list with the keyboard only, mentions
a colleague in a note, bulk-tags three with shift-click and saves a view; on a phone the
same work with taps. An administrator invites an agent, creates a chat inbox, copies its
snippet into a page of another origin, and the invited agent answers the visitor. In
English and in Simplified Chinese."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from tests.factories import quick_conversation
from tests.web.conftest import asgi_server  # noqa: F401
from tests.web.pages_bulk import BulkList, SavedViews
from tests.web.pages_tour import KeyboardAgent, PhoneAgent, SignIn
from wowdesk.conversations import services as conversations
from wowdesk.conversations.models import Conversation, Direction, Status
from wowdesk.core.models import Agent, Brand, Role
from wowdesk.routing.models import RoutingSettings

PASSWORD = "correct-horse-battery-staple"
CJK = re.compile(r"[\u4e00-\u9fff]")
TEN = 10


def _bell(agent: Agent) -> int:
    """The unread count the agent's bell shows on their next page."""
    client = Client()
    client.force_login(agent.user)
    html = client.get("/inbox/").content.decode()
    found = re.search(r'id="notif-count" data-count="(\d+)"', html)
    assert found is not None
    return int(found.group(1))


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    """Cached lists (a brand's tags, counts) of another test's database are not this one's."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def team(brand: Brand, make_agent: Callable[..., Agent]) -> tuple[Agent, Agent]:
    RoutingSettings.objects.update_or_create(brand=brand, defaults={"auto_assign": False})
    conversations.ensure_tags(brand.pk, ["vip"])
    ana = make_agent(Role.AGENT, email="ana@example.com", name="Ana Costa", password=PASSWORD)
    li = make_agent(Role.AGENT, email="li@example.com", name="Li Wei", password=PASSWORD)
    return ana, li


def _speaks(agent: Agent, language: str) -> None:
    agent.ui_language = language
    agent.save(update_fields=["ui_language"])


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_new_agent_works_ten_conversations_with_the_keyboard(
    page: Any, brand: Brand, team: tuple[Agent, Agent], language: str
) -> None:
    ana, li = team
    _speaks(ana, language)
    ids = {quick_conversation(brand, subject=f"Case {i}", body=f"Help {i}").pk for i in range(TEN)}

    SignIn(page).as_("ana@example.com", PASSWORD)
    page.goto("/inbox/?view=all")
    assert (page.locator("html").get_attribute("lang") or "").lower() == language
    agent = KeyboardAgent(page)
    assert {"j", "r", "e", "Ctrl", "Enter"} <= set(agent.shortcut_keys())
    worked: list[int] = []
    for i in range(TEN):
        opened = agent.next()
        assert opened in ids and opened not in worked
        agent.reply(f"Answer {i}")
        if i == 0:
            assert _bell(li) == 0
            offered = agent.note_mentioning("Please look,", "Li", "thanks")
            assert any("Li Wei" in o for o in offered)
            assert _bell(li) == 1
        agent.resolve()
        worked.append(opened)

    assert set(worked) == ids
    done = Conversation.objects.filter(pk__in=ids)
    assert {c.status for c in done} == {Status.RESOLVED}
    for i, pk in enumerate(worked):
        replies = Conversation.objects.get(pk=pk).messages.filter(direction=Direction.OUT)
        assert [m.body for m in replies] == [f"Answer {i}"]
    note = Conversation.objects.get(pk=worked[0]).messages.get(direction=Direction.NOTE)
    assert note.author == ana and "Li Wei" in note.body

    # three tagged at once with shift-click, then a view of them with its count
    rows = BulkList(page).open("view=all&status=resolved")
    order = rows.row_ids()
    rows.tick(order[2]).tick(order[4], shift=True)
    assert rows.selected() == order[2:5]
    message = rows.apply("add_tag", "vip")
    assert "3" in message
    if language == "zh-hans":
        assert CJK.search(message), message
    tagged = set(Conversation.objects.filter(tags__name="vip").values_list("pk", flat=True))
    assert tagged == set(order[2:5])
    page.goto("/inbox/?view=all&status=resolved&tag=vip")
    views = SavedViews(page)
    views.save("VIP")
    assert views.counts() == {"VIP": "3"}


def test_a_new_agent_on_a_phone_works_with_taps(
    page: Any, brand: Brand, team: tuple[Agent, Agent]
) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    ids = {quick_conversation(brand, subject=f"Case {i}").pk for i in range(TEN)}
    SignIn(page).as_("ana@example.com", PASSWORD)
    agent = PhoneAgent(page)
    worked: list[int] = []
    for i in range(TEN):
        page.goto("/inbox/?view=all&status=open")
        todo = KeyboardAgent(page).row_ids()
        assert todo and not page.locator("#open-pane .conversation").is_visible()
        agent.tap_row(todo[0])
        assert not page.locator("#inbox-list").is_visible()  # one view at a time
        agent.reply(f"Answer {i}").resolve()
        worked.append(todo[0])
    assert set(worked) == ids
    assert {c.status for c in Conversation.objects.filter(pk__in=ids)} == {Status.RESOLVED}


# --- the administrator's first hour -----------------------------------------------------------

LINK = re.compile(r"https?://\S+/password/reset/\S+/")
NEW_PASSWORD = "a-fresh-password-for-li"


@pytest.fixture
def fresh_layer(settings: Any) -> None:
    """A channel layer and a cache of this test's own (the widget's socket)."""
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"tour-{uuid.uuid4().hex}",
        }
    }


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_new_admin_invites_an_agent_and_embeds_a_chat_inbox(
    browser_contexts: Callable[[], Any],
    asgi_server: str,  # noqa: F811
    fresh_layer: None,
    brand: Brand,
    make_agent: Callable[..., Agent],
    language: str,
) -> None:
    from django.core import mail
    from playwright.sync_api import expect

    from tests.web.pages import SetPasswordPage
    from tests.web.pages_tour import InviteForm, NewChatInbox, serve_html
    from tests.web.pages_widget import Widget
    from wowdesk.channels import outbox
    from wowdesk.channels.chat import services as chat
    from wowdesk.conversations.models import Inbox, OutboxMessage, OutboxStatus

    RoutingSettings.objects.update_or_create(brand=brand, defaults={"auto_assign": False})
    boss = make_agent(Role.ADMIN, email="boss@example.com", name="Boss", password=PASSWORD)
    _speaks(boss, language)
    admin = browser_contexts()
    SignIn(admin).as_("boss@example.com", PASSWORD)

    # invite an agent: the mail with the set-password link arrives
    invite = InviteForm(admin).open().invite("li@example.com", "Li Wei")
    assert invite.listed("li@example.com")
    assert [m.to for m in mail.outbox] == [["li@example.com"]]
    link = LINK.search(mail.outbox[0].body)
    assert link is not None

    # a chat inbox from the settings area; its widget page shows the snippet at once
    widget_page = NewChatInbox(admin).open_from_settings().create("Website")
    inbox = Inbox.objects.get(brand=brand, name="Website")
    assert admin.url.endswith(f"/settings/inboxes/{inbox.pk}/widget/")
    if language == "zh-hans":
        assert CJK.search(widget_page.flash), widget_page.flash
    admin.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=asgi_server)
    snippet = widget_page.copy_snippet()
    assert snippet == widget_page.snippet
    assert chat.widget_settings(inbox).token in snippet and asgi_server in snippet
    widget_page.allow_domains("localhost")
    assert chat.widget_settings(Inbox.objects.get(pk=inbox.pk)).allowed_domains == ("localhost",)

    # the snippet on a plain page of the shop's website (another origin)
    url, server = serve_html(
        f"<!doctype html><html><head><title>Shop</title></head><body><h1>Shop</h1>{snippet}"
        "</body></html>"
    )
    try:
        visitor = browser_contexts()
        visitor.goto(url)
        widget = Widget(visitor).open()
        widget.send("Do you ship to Lisbon?")
        expect(widget.mine("Do you ship to Lisbon?")).not_to_have_class(
            re.compile(r"\bpending\b"), timeout=30_000
        )
        conversation = Conversation.objects.get(inbox=inbox)

        # the invited agent sets a password, signs in and answers from the list
        li = browser_contexts()
        SetPasswordPage(li).open(link.group(0)).set(NEW_PASSWORD)
        SignIn(li).as_("li@example.com", NEW_PASSWORD)
        li.goto("/inbox/?view=all")
        agent = KeyboardAgent(li)
        assert agent.next() == conversation.pk
        agent.reply("Yes, in two days.")
        reply = OutboxMessage.objects.get(message__conversation=conversation)
        assert outbox.deliver(reply.pk).status == OutboxStatus.SENT
        expect(widget.replies().filter(has_text="Yes, in two days.")).to_have_count(1)
    finally:
        server.shutdown()  # type: ignore[attr-defined]
