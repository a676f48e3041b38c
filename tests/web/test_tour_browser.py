"""The first hour as a new person lives it, in a real browser (issue 14's "Done means"):
an agent signs in, works ten conversations from the list with the keyboard only, mentions
a colleague in a note, bulk-tags three with shift-click and saves a view; on a phone the
same work with taps. In English and in Simplified Chinese."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from tests.factories import quick_conversation
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
