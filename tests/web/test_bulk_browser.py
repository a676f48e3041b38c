"""A person selects conversations (shift-click, all on the page, all matching), tags them
in bulk and undoes it, saves a view and sees its count, splits a message off and links
two conversations; once in Chinese, once on a phone."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from tests.factories import quick_conversation
from tests.web.pages import LoginPage
from tests.web.pages_bulk import BulkList, SavedViews, ThreadTools
from wowdesk.conversations import services as conversations
from wowdesk.conversations.models import Conversation, Message
from wowdesk.core.models import Agent, Brand, Role
from wowdesk.routing.models import RoutingSettings

PASSWORD = "correct-horse-battery-staple"
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def supervisor(brand: Brand, make_agent: Callable[..., Agent]) -> Agent:
    RoutingSettings.objects.update_or_create(brand=brand, defaults={"auto_assign": False})
    conversations.ensure_tags(brand.pk, ["vip"])
    return make_agent(Role.SUPERVISOR, email="sue@example.com", name="Sue", password=PASSWORD)


def tags_of(ids: list[int]) -> dict[int, list[str]]:
    return {
        c.pk: sorted(t.name for t in c.tags.all())
        for c in Conversation.objects.filter(pk__in=ids).prefetch_related("tags")
    }


def test_shift_click_three_tag_them_and_undo(page: Any, brand: Brand, supervisor: Agent) -> None:
    for i in range(5):
        quick_conversation(brand, subject=f"Case {i}")
    LoginPage(page).open().login("sue@example.com", PASSWORD)
    rows = BulkList(page).open()
    ids = rows.row_ids()
    assert not rows.bar_visible
    rows.tick(ids[1]).tick(ids[3], shift=True)
    assert rows.selected() == ids[1:4] and rows.bar_visible and rows.selected_count == "3"
    message = rows.apply("add_tag", "vip")
    assert "3" in message
    assert tags_of(ids) == {i: (["vip"] if i in ids[1:4] else []) for i in ids}
    assert rows.selected() == []  # the list was refreshed, the selection cleared
    restored = rows.undo()
    assert "3" in restored
    assert tags_of(ids) == {i: [] for i in ids}


def test_select_all_matching_then_save_the_view_and_see_its_count(
    page: Any, brand: Brand, other_brand: Brand, supervisor: Agent
) -> None:
    from wowdesk.web import inbox

    mine = [quick_conversation(brand) for _ in range(inbox.PAGE_SIZE + 2)]
    theirs = quick_conversation(other_brand)
    LoginPage(page).open().login("sue@example.com", PASSWORD)
    rows = BulkList(page).open("view=all&status=open")
    rows.select_page().select_all_matching()
    assert rows.selected_count == str(len(mine))
    rows.apply("priority", "high")
    assert set(
        Conversation.objects.filter(pk__in=[c.pk for c in mine]).values_list("priority", flat=True)
    ) == {"high"}
    theirs.refresh_from_db()
    assert theirs.priority == "normal"
    views = SavedViews(page)
    views.save("Open everything")
    assert views.counts() == {"Open everything": str(len(mine))}


def test_split_a_message_off_and_link_it_back(page: Any, brand: Brand, supervisor: Agent) -> None:
    source = quick_conversation(brand, subject="Lamp")
    invoice = conversations.append_incoming(
        source, source.customer, conversations.IncomingMessage(body="Invoice wrong", channel="api")
    )
    other = quick_conversation(brand, subject="Other")
    LoginPage(page).open().login("sue@example.com", PASSWORD)
    tools = ThreadTools(page).open(source.pk)
    tools.split(invoice.pk)
    new = Message.objects.get(pk=invoice.pk).conversation
    assert new.pk != source.pk and f"/inbox/c/{new.pk}/" in page.url
    assert page.locator(f"#message-{invoice.pk}").is_visible()
    tools.link(other.number)
    assert tools.linked_numbers() == [f"#{other.number}"]
    ThreadTools(page).open(other.pk)
    assert tools.linked_numbers() == [f"#{new.number}"]


def test_bulk_in_chinese(page: Any, brand: Brand, supervisor: Agent) -> None:
    supervisor.ui_language = "zh-hans"
    supervisor.save(update_fields=["ui_language"])
    ids = [quick_conversation(brand).pk for _ in range(2)]
    LoginPage(page).open().login("sue@example.com", PASSWORD)
    rows = BulkList(page).open()
    rows.tick(ids[0]).tick(ids[1])
    assert CJK.search(page.locator("#bulk-bar").inner_text())
    message = rows.apply("status", "pending")
    assert CJK.search(message), message
    assert set(Conversation.objects.filter(pk__in=ids).values_list("status", flat=True)) == {
        "pending"
    }
    assert CJK.search(page.locator(".saved-views h3").inner_text())


def test_selection_by_checkbox_on_a_phone(page: Any, brand: Brand, supervisor: Agent) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    ids = [quick_conversation(brand).pk for _ in range(3)]
    LoginPage(page).open().login("sue@example.com", PASSWORD)
    rows = BulkList(page).open()
    box = page.locator(f'#inbox-list .row-check[value="{ids[0]}"]').bounding_box()
    assert box is not None and box["width"] >= 16
    rows.tick(ids[0]).tick(ids[2])
    assert sorted(rows.selected()) == sorted([ids[0], ids[2]]) and rows.bar_visible
    rows.apply("assign", "me")
    assigned = Conversation.objects.filter(pk__in=ids).values_list("pk", "assignee_id")
    assert dict(assigned) == {ids[0]: supervisor.pk, ids[1]: None, ids[2]: supervisor.pk}
