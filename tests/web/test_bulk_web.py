"""The workspace's bulk toolbar, saved views in the sidebar, split and link pages, per role
and brand (web/bulk.py)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.cache import cache
from django.db.models import Q
from django.test import Client

from tests.factories import make_reply, quick_conversation
from wowdesk.conversations import services as conversations
from wowdesk.conversations.models import (
    Conversation,
    ConversationLink,
    Direction,
    Message,
    SavedView,
)
from wowdesk.core.models import Agent, Brand, Role

ROLES = [Role.AGENT, Role.SUPERVISOR, Role.ADMIN]


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    cache.clear()


@pytest.fixture
def login(db: None) -> Callable[[Agent], Client]:
    def make(agent: Agent) -> Client:
        client = Client()
        client.force_login(agent.user)
        return client

    return make


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("home", ["a", "b"])
def test_bulk_toolbar_per_role_and_brand(
    role: str,
    home: str,
    brand: Brand,
    other_brand: Brand,
    make_agent: Callable[..., Agent],
    login: Callable[[Agent], Client],
) -> None:
    mine_brand, their_brand = (brand, other_brand) if home == "a" else (other_brand, brand)
    mine = [quick_conversation(mine_brand) for _ in range(2)]
    theirs = quick_conversation(their_brand)
    client = login(make_agent(role, brands=[mine_brand]))
    page = client.get("/inbox/?view=all")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="bulk-bar"' in html and "web/bulk.js" in html
    assert f'data-bulk-id="{mine[0].pk}"' in html and f'data-bulk-id="{theirs.pk}"' not in html
    ids = ",".join(str(i) for i in (mine[0].pk, mine[1].pk, theirs.pk))
    done = client.post("/inbox/bulk/", {"ids": ids, "action": "priority", "value": "high"})
    assert done.status_code == 200
    body = done.json()
    assert body["updated"] == 2 and [s["id"] for s in body["skipped"]] == [theirs.pk]
    assert body["skipped"][0]["number"] is None  # another brand's: not even its number
    theirs.refresh_from_db()
    assert theirs.priority == "normal"
    assert {c.priority for c in Conversation.objects.filter(pk__in=[m.pk for m in mine])} == {
        "high"
    }
    undone = client.post("/inbox/bulk/undo/", {"undo_token": body["undo_token"]})
    assert undone.status_code == 200 and undone.json()["restored"] == 2
    assert {c.priority for c in Conversation.objects.filter(pk__in=[m.pk for m in mine])} == {
        "normal"
    }
    # "select all matching": the filter of the list, scoped to the agent's brand
    count = client.get("/inbox/bulk/count/?view=all&status=open")
    assert count.json()["total"] == 2
    every = client.post(
        "/inbox/bulk/",
        {"all": "1", "view": "all", "status": "open", "action": "assign", "value": "me"},
    )
    assert every.json()["updated"] == 2
    theirs.refresh_from_db()
    assert theirs.assignee_id is None


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"action": "priority", "value": "high"}, "ids"),
        ({"ids": "1,x", "action": "priority", "value": "high"}, "ids"),
        ({"ids": "1", "action": "explode", "value": "x"}, "action"),
        ({"ids": "1", "action": "assign", "value": "someone"}, "value"),
        ({"ids": "1", "action": "status", "value": "gone"}, "changes.status"),
    ],
)
def test_bulk_bad_input_is_a_4xx_naming_the_field(
    data: dict[str, str], field: str, agent: Agent, login: Callable[[Agent], Client]
) -> None:
    response = login(agent).post("/inbox/bulk/", data)
    assert response.status_code == 422 and response.json()["field"] == field


def test_bulk_needs_a_login(client: Client) -> None:
    response = client.post("/inbox/bulk/", {"ids": "1", "action": "priority", "value": "low"})
    assert response.status_code in (302, 401, 403)


@pytest.mark.parametrize("role", ROLES)
def test_saved_view_in_the_sidebar_per_role_and_brand(
    role: str,
    brand: Brand,
    other_brand: Brand,
    make_agent: Callable[..., Agent],
    login: Callable[[Agent], Client],
) -> None:
    quick_conversation(brand)
    quick_conversation(other_brand)
    owner = login(make_agent(role))
    saved = owner.post(
        "/inbox/views/",
        {"name": "Everything open", "view": "all", "status": "open", "scope": "personal"},
    )
    view = SavedView.objects.get()
    assert saved.status_code == 302 and saved["Location"].endswith(f"?saved={view.pk}")
    page = owner.get(f"/inbox/?saved={view.pk}").content.decode()
    assert 'id="inbox-title" class="list-title">Everything open</h1>' in page
    assert f'data-saved-count="{view.pk}">1<' in page
    # the same role in the other brand cannot open, rename or delete it
    stranger = login(make_agent(role, brands=[other_brand]))
    assert stranger.get(f"/inbox/?saved={view.pk}").status_code == 404
    assert "Everything open" not in stranger.get("/inbox/").content.decode()
    assert stranger.post(f"/inbox/views/{view.pk}/rename/", {"name": "x"}).status_code == 404
    assert stranger.post(f"/inbox/views/{view.pk}/delete/").status_code == 404
    owner.post(f"/inbox/views/{view.pk}/rename/", {"name": "Open ones"})
    view.refresh_from_db()
    assert view.name == "Open ones"
    assert owner.post(f"/inbox/views/{view.pk}/delete/").status_code == 302
    assert not SavedView.objects.exists()


def test_a_colleagues_brand_view_is_seen_but_not_deleted(
    brand: Brand, make_agent: Callable[..., Agent], login: Callable[[Agent], Client]
) -> None:
    supervisor = login(make_agent(Role.SUPERVISOR))
    supervisor.post("/inbox/views/", {"name": "Team wide", "view": "all", "scope": "brand"})
    view = SavedView.objects.get()
    agent = login(make_agent(Role.AGENT))
    assert "Team wide" in agent.get("/inbox/").content.decode()
    assert agent.post(f"/inbox/views/{view.pk}/delete/").status_code == 403
    assert SavedView.objects.exists()
    refused = agent.post("/inbox/views/", {"name": "Mine for all", "scope": "brand"})
    assert refused.status_code == 302 and SavedView.objects.count() == 1


@pytest.mark.parametrize("role", ROLES)
def test_split_and_link_pages_per_role_and_brand(
    role: str,
    brand: Brand,
    other_brand: Brand,
    make_agent: Callable[..., Agent],
    login: Callable[[Agent], Client],
) -> None:
    helper = make_agent(Role.AGENT)
    source = quick_conversation(brand)
    make_reply(source, helper)
    later = conversations.append_incoming(
        source, source.customer, conversations.IncomingMessage(body="Another thing", channel="api")
    )
    other = quick_conversation(brand)
    theirs = quick_conversation(other_brand)
    client = login(make_agent(role))
    stranger = login(make_agent(role, brands=[other_brand]))
    page = client.get(f"/inbox/c/{source.pk}/").content.decode()
    assert "Split into a new conversation" in page and "Linked conversations" in page
    assert (
        stranger.post(f"/inbox/c/{source.pk}/split/", {"message_id": later.pk}).status_code == 404
    )
    assert (
        stranger.post(f"/inbox/c/{source.pk}/links/", {"number": other.number}).status_code == 404
    )
    # another brand's number is not found in this brand
    client.post(f"/inbox/c/{source.pk}/links/", {"number": theirs.number})
    assert not ConversationLink.objects.filter(Q(first=theirs) | Q(second=theirs)).exists()
    client.post(f"/inbox/c/{source.pk}/links/", {"number": f"#{other.number}"})
    assert ConversationLink.objects.filter(brand=brand).count() == 1
    panel = client.get(f"/inbox/c/{other.pk}/").content.decode()
    assert f"#{source.number}" in panel and 'class="link unlink"' in panel
    line = conversations.add_activity(source, "a line", actor=None)
    refused = client.post(f"/inbox/c/{source.pk}/split/", {"message_id": line.pk})
    assert refused.status_code == 302 and refused["Location"].endswith(f"/inbox/c/{source.pk}/")
    # the message menu's button (htmx): the page is sent to the new conversation
    moved = client.post(
        f"/inbox/c/{source.pk}/split/", {"message_id": later.pk}, headers={"HX-Request": "true"}
    )
    new = Conversation.objects.exclude(pk__in=[source.pk, other.pk, theirs.pk]).get()
    assert moved.status_code == 204 and moved["HX-Redirect"] == f"/inbox/c/{new.pk}/"
    assert Message.objects.get(pk=later.pk).conversation_id == new.pk
    assert Message.objects.filter(conversation=new, direction=Direction.ACTIVITY).exists()
    client.post(f"/inbox/c/{source.pk}/links/{other.pk}/delete/")
    assert not ConversationLink.objects.exists()


def test_split_with_the_later_messages(
    brand: Brand, agent: Agent, login: Callable[[Agent], Client]
) -> None:
    source = quick_conversation(brand, body="first")
    said = [
        conversations.append_incoming(
            source, source.customer, conversations.IncomingMessage(body=text, channel="api")
        )
        for text in ("second", "third", "fourth")
    ]
    conversations.add_activity(source, "a line", actor=None)
    client = login(agent)
    client.post(f"/inbox/c/{source.pk}/split/", {"message_id": said[1].pk, "with_later": "1"})
    new = Message.objects.get(pk=said[1].pk).conversation
    assert new.pk != source.pk
    moved = Message.objects.filter(conversation=new).exclude(direction=Direction.ACTIVITY)
    kept = Message.objects.filter(conversation=source).exclude(direction=Direction.ACTIVITY)
    assert sorted(moved.values_list("body", flat=True)) == ["fourth", "third"]
    assert sorted(kept.values_list("body", flat=True)) == ["first", "second"]


def test_a_refused_save_shows_the_same_list_again(
    brand: Brand, make_agent: Callable[..., Agent], login: Callable[[Agent], Client]
) -> None:
    client = login(make_agent(Role.AGENT))
    posted = {"name": "", "view": "all", "tag": "refund", "sort": "priority", "cf_plan": "pro"}
    response = client.post("/inbox/views/", posted)
    assert response.status_code == 302
    location = response["Location"]
    for part in ("view=all", "tag=refund", "sort=priority", "cf_plan=pro"):
        assert part in location, location
