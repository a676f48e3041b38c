"""The widget's socket: allowed domains, the visitor's page details (stored, shown in the
Visitor panel per role and brand), read marks and the answer estimate."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from tests.channels.chat.conftest import Socket, run, visitor
from wowdesk.channels.chat import services as chat
from wowdesk.conversations import services as conversations
from wowdesk.conversations.models import Conversation, Direction, Inbox, Message
from wowdesk.core.models import Agent, Brand, Presence, Role

pytestmark = pytest.mark.usefixtures("transactional_db", "fresh_layer_and_cache")

PAGE = {
    "url": "https://shop.example/lamps/42?ref=mail",
    "title": "Lamp 42 · Shop",
    "referrer": "https://search.example/?q=lamp",
    "browser": "Mozilla/5.0 (X11; Linux x86_64) Chrome/120",
    "language": "de-DE",
    "timezone": "Europe/Berlin",
}


def ref(inbox: Inbox) -> str:
    return chat.widget_settings(inbox).token


async def from_site(origin: str, host: str = "desk.example") -> Socket:
    from wowdesk.asgi import application

    ws = Socket(application)
    ws.scope["headers"] = [(b"origin", origin.encode()), (b"host", host.encode())]
    await ws.connect()
    return ws


def test_a_site_outside_the_allowed_domains_is_refused(chat_inbox: Inbox) -> None:
    chat.configure_widget(
        chat_inbox, actor=None, allowed_domains=["shop.example", "*.acme.example"]
    )

    async def scenario() -> None:
        for origin in ("https://evil.example", "https://shop.example.evil.example", "null"):
            ws = await from_site(origin)
            answer = await ws.hello(ref(chat_inbox))
            assert (answer["type"], answer["field"]) == ("error", "origin"), origin
            assert await ws.closed_with() == 4403
        for origin in ("https://shop.example", "https://www.acme.example", "http://desk.example"):
            ws = await from_site(origin)
            assert (await ws.hello(ref(chat_inbox)))["type"] == "welcome", origin
            await ws.close()

    run(scenario)


def test_page_details_are_kept_with_the_first_message_and_shown_to_the_agent(
    chat_inbox: Inbox, make_agent: Callable[..., Agent]
) -> None:
    async def scenario() -> None:
        ws, welcome = await visitor(ref(chat_inbox), page=PAGE)
        assert welcome["type"] == "welcome"
        await ws.send_json({"type": "message", "client_id": "first-0001", "body": "Hi"})
        await ws.receive_type("ack")
        await ws.send_json({"type": "message", "client_id": "second-001", "body": "Still there?"})
        await ws.receive_type("ack")
        await ws.close()

    run(scenario)
    first, second = Message.objects.filter(direction=Direction.IN).order_by("id")
    assert first.meta["chat"]["page"] == PAGE
    assert "page" not in second.meta["chat"]  # once per connection
    client = Client()
    client.force_login(make_agent().user)
    html = client.get(f"/inbox/c/{first.conversation_id}/").content.decode()
    assert 'data-panel="visitor"' in html
    for value in ("Lamp 42 · Shop", "Europe/Berlin", "de-DE", "https://search.example/?q=lamp"):
        assert value.replace("&", "&amp;") in html.replace("&#x27;", "'"), value


@pytest.mark.parametrize(
    ("page", "field"),
    [
        ({"url": "javascript:alert(1)"}, "page.url"),
        ({"title": "x" * 301}, "page.title"),
        ({"timezone": 3}, "page.timezone"),
        ("https://shop.example", "page"),
    ],
)
def test_wrong_page_details_are_refused_by_name_and_the_chat_goes_on(
    chat_inbox: Inbox, page: Any, field: str
) -> None:
    async def scenario() -> None:
        from wowdesk.asgi import application

        ws = Socket(application)
        await ws.connect()
        await ws.send_json({"type": "hello", "inbox": ref(chat_inbox), "page": page})
        error = await ws.receive_json()
        assert (error["type"], error["code"], error["field"]) == ("error", "invalid", field)
        assert (await ws.receive_json())["type"] == "welcome"
        await ws.send_json({"type": "message", "client_id": "after-0001", "body": "Hi"})
        await ws.receive_type("ack")
        await ws.close()

    run(scenario)
    message = Message.objects.get(direction=Direction.IN)
    assert "page" not in message.meta["chat"]


@pytest.mark.parametrize("home", ["brand", "other_brand"])
@pytest.mark.parametrize("role", [Role.AGENT, Role.SUPERVISOR, Role.ADMIN])
def test_visitor_panel_and_read_marks_per_role_and_brand(
    request: pytest.FixtureRequest, make_agent: Callable[..., Agent], role: str, home: str
) -> None:
    mine: Brand = request.getfixturevalue(home)
    other: Brand = request.getfixturevalue("other_brand" if home == "brand" else "brand")
    inboxes = {
        b.pk: chat.ensure_widget(
            conversations.create_inbox(brand_id=b.pk, name="Website chat", channel="chat")
        )
        for b in (mine, other)
    }
    ids: dict[int, int] = {}
    ack_ids: dict[int, int] = {}

    async def scenario() -> None:
        sockets = {}
        for brand_id, inbox in inboxes.items():
            ws, _welcome = await visitor(ref(inbox), page=PAGE)
            await ws.send_json({"type": "message", "client_id": "hello-0001", "body": "Hi"})
            ack = await ws.receive_type("ack")
            await ws.receive_type("message")  # its own message, echoed to its tabs
            ids[brand_id] = ack["conversation_id"]
            ack_ids[brand_id] = ack["message_id"]
            sockets[brand_id] = ws
        from asgiref.sync import sync_to_async

        client = Client()
        await sync_to_async(client.force_login)(
            (await sync_to_async(make_agent)(role, brands=[mine])).user
        )
        own = await sync_to_async(client.get)(f"/inbox/c/{ids[mine.pk]}/")
        assert own.status_code == 200 and 'data-panel="visitor"' in own.content.decode()
        read = await sockets[mine.pk].receive_type("read")
        assert read["up_to"] == ack_ids[mine.pk]
        theirs = await sync_to_async(client.get)(f"/inbox/c/{ids[other.pk]}/")
        assert theirs.status_code == 404
        assert await sockets[other.pk].receive_nothing(timeout=0.2)  # not read
        for ws in sockets.values():
            await ws.close()

    run(scenario)
    marks = {
        m.conversation.brand_id: bool(m.meta["chat"].get("read_at"))
        for m in Message.objects.filter(direction=Direction.IN).select_related("conversation")
    }
    assert marks == {mine.pk: True, other.pk: False}
    # a reconnecting widget's history says so too
    conversation = Conversation.objects.get(pk=ids[mine.pk])
    assert [m["read"] for m in chat.history(conversation)] == [True]


def test_the_visitor_panel_is_only_for_chats(
    brand: Brand, make_agent: Callable[..., Agent]
) -> None:
    from tests.factories import quick_conversation

    conversation = quick_conversation(brand, subject="By mail")
    client = Client()
    client.force_login(make_agent().user)
    html = client.get(f"/inbox/c/{conversation.pk}/").content.decode()
    assert 'data-panel="visitor"' not in html


def test_the_answer_estimate_follows_the_inbox_queue(
    chat_inbox: Inbox, make_agent: Callable[..., Agent]
) -> None:
    from tests.factories import quick_conversation

    agent = make_agent()
    Agent.objects.filter(pk=agent.pk).update(presence=Presence.ONLINE)
    now = timezone.now()
    for minutes in (2, 4, 30):
        c = quick_conversation(chat_inbox.brand, inbox=chat_inbox, channel="chat")
        Conversation.objects.filter(pk=c.pk).update(
            created_at=now - dt.timedelta(hours=1),
            first_response_at=now - dt.timedelta(hours=1) + dt.timedelta(minutes=minutes),
            status="resolved",
        )
    old = quick_conversation(chat_inbox.brand, inbox=chat_inbox, channel="chat")
    Conversation.objects.filter(pk=old.pk).update(  # older than a week: not counted
        created_at=now - dt.timedelta(days=8),
        first_response_at=now - dt.timedelta(days=8) + dt.timedelta(hours=5),
        status="resolved",
    )
    assert chat.answer_estimate(chat_inbox) == {"minutes": 4, "waiting": 0}

    async def scenario() -> None:
        ws, welcome = await visitor(ref(chat_inbox))
        assert welcome["estimate"] == {"minutes": 4, "waiting": 0}  # the cached value
        await ws.close()

    run(scenario)
    for _ in range(3):  # three chats waiting for a first answer, one agent online
        quick_conversation(chat_inbox.brand, inbox=chat_inbox, channel="chat")
    chat.configure_widget(chat_inbox, actor=None, title="Help")  # a save forgets the cache
    assert chat.answer_estimate(chat_inbox) == {"minutes": 4 + 2 * 2, "waiting": 3}
