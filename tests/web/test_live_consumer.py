"""The workspace WebSocket (web/consumers.py) and the listeners that feed it (web/live.py),
driven through the real ASGI application (session cookie, origin check, routing).

Each scenario runs in one event loop (``async_to_sync``); its ORM calls come back to the
test's thread. Channels closes a connection found inside a transaction before each query,
so these tests use ``transactional_db`` (real commits, tables flushed after each test).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from asgiref.testing import ApplicationCommunicator
from channels.layers import get_channel_layer
from django.contrib.auth import get_user_model
from django.db import transaction
from django.test import Client

from tests.factories import quick_conversation
from wowdesk.conversations import services as conversations
from wowdesk.conversations.models import Conversation
from wowdesk.core.models import Agent, Brand, Presence
from wowdesk.core.realtime import agent_group, brand_group, conversation_group
from wowdesk.routing.services import set_presence
from wowdesk.web.consumers import CLOSE_FORBIDDEN, CLOSE_UNAUTHENTICATED, visible_viewers

TIMEOUT = 5  # generous: the CI machine is busy; nothing here measures time


@pytest.fixture(autouse=True)
def fresh_layer_and_cache(settings: Any, transactional_db: None) -> Iterator[None]:
    """A channel layer and a viewers cache of this test's own."""
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"live-{uuid.uuid4()}",
        }
    }
    yield


class WebsocketCommunicator(ApplicationCommunicator):
    """Channels' ``WebsocketCommunicator`` in a few lines: ``channels.testing`` imports
    daphne, which this project does not install."""

    def __init__(self, application: Any, path: str, headers: list[tuple[bytes, bytes]]) -> None:
        scope = {"type": "websocket", "path": path, "query_string": b"", "headers": headers}
        super().__init__(application, scope)

    async def connect(self, timeout: float = 1) -> tuple[bool, Any]:
        await self.send_input({"type": "websocket.connect"})
        response = await self.receive_output(timeout)
        if response["type"] == "websocket.close":
            return False, response.get("code", 1000)
        assert response["type"] == "websocket.accept"
        return True, response.get("subprotocol")

    async def send_to(self, text_data: str) -> None:
        await self.send_input({"type": "websocket.receive", "text": text_data})

    async def send_json_to(self, data: Any) -> None:
        await self.send_to(json.dumps(data))

    async def receive_json_from(self, timeout: float = 1) -> Any:
        response = await self.receive_output(timeout)
        assert response["type"] == "websocket.send", response
        return json.loads(response["text"])

    async def disconnect(self, code: int = 1000, timeout: float = 1) -> None:
        await self.send_input({"type": "websocket.disconnect", "code": code})
        await self.wait(timeout)


def run(scenario: Callable[[], Awaitable[None]]) -> None:
    async_to_sync(scenario)()


def cookie_for(user: Any) -> bytes:
    client = Client()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}".encode()


def headers(
    cookie: bytes | None, origin: bytes = b"http://testserver"
) -> list[tuple[bytes, bytes]]:
    out = [(b"origin", origin)]
    if cookie:
        out.append((b"cookie", cookie))
    return out


def communicator(
    cookie: bytes | None, origin: bytes = b"http://testserver"
) -> WebsocketCommunicator:
    from wowdesk.asgi import application

    return WebsocketCommunicator(application, "/ws/workspace/", headers=headers(cookie, origin))


async def connected(cookie: bytes) -> WebsocketCommunicator:
    ws = communicator(cookie)
    ok, _ = await ws.connect(timeout=TIMEOUT)
    assert ok
    return ws


async def receive(ws: WebsocketCommunicator) -> dict[str, Any]:
    return dict(await ws.receive_json_from(timeout=TIMEOUT))


async def receive_type(ws: WebsocketCommunicator, kind: str) -> dict[str, Any]:
    """The next event of this type (viewers lists may come first, in any number)."""
    for _ in range(10):
        event = await receive(ws)
        if event["type"] == kind:
            return event
    raise AssertionError(f"no {kind} event")


async def view(ws: WebsocketCommunicator, conversation_id: int) -> list[dict[str, Any]]:
    await ws.send_json_to({"action": "view", "conversation_id": conversation_id})
    event = await receive_type(ws, "viewers")
    assert event["conversation_id"] == conversation_id
    return list(event["viewers"])


async def group_send(group: str, kind: str, **data: Any) -> None:
    layer = get_channel_layer()
    assert layer is not None
    await layer.group_send(group, {"type": kind, **data})


@pytest.fixture
def two_agents(make_agent: Callable[..., Agent]) -> tuple[Agent, Agent]:
    return make_agent(name="Li Wei"), make_agent(name="Ana Costa")


@pytest.fixture
def conversation(brand: Brand) -> Conversation:
    return quick_conversation(brand, subject="Broken lamp")


# --- who may connect --------------------------------------------------------------------


def test_anonymous_is_closed_with_4401(transactional_db: None) -> None:
    async def scenario() -> None:
        ws = communicator(None)
        ok, _ = await ws.connect(timeout=TIMEOUT)
        assert ok  # accepted only to say why it closes
        closed = await ws.receive_output(timeout=TIMEOUT)
        assert closed == {"type": "websocket.close", "code": CLOSE_UNAUTHENTICATED}

    run(scenario)


def test_user_without_agent_profile_is_closed_with_4403(transactional_db: None) -> None:
    user = get_user_model().objects.create_user("plain", "plain@example.com", "pw-12345678")
    cookie = cookie_for(user)

    async def scenario() -> None:
        ws = communicator(cookie)
        await ws.connect(timeout=TIMEOUT)
        closed = await ws.receive_output(timeout=TIMEOUT)
        assert closed == {"type": "websocket.close", "code": CLOSE_FORBIDDEN}

    run(scenario)


def test_another_sites_page_cannot_open_the_socket(agent: Agent) -> None:
    cookie = cookie_for(agent.user)

    async def scenario() -> None:
        ws = communicator(cookie, origin=b"https://evil.example")
        ok, _ = await ws.connect(timeout=TIMEOUT)
        assert not ok

    run(scenario)


# --- what it forwards -----------------------------------------------------------------------


def test_forwards_agent_and_brand_events_and_drops_unknown_ones(
    agent: Agent, brand: Brand, other_brand: Brand
) -> None:
    cookie = cookie_for(agent.user)

    async def scenario() -> None:
        ws = await connected(cookie)
        await group_send(brand_group(brand.pk), "some.other.producer", secret="x")
        await group_send(brand_group(other_brand.pk), "conversation.updated", conversation_id=99)
        await group_send(agent_group(agent.pk + 1000), "conversation.assigned", conversation_id=98)
        await group_send(agent_group(agent.pk), "call.ringing", call_id="c1", customer_name="Ana")
        await group_send(brand_group(brand.pk), "presence.changed", agent_id=7)
        # Channel order is send order: had any of the first three come through, it would
        # be received here first.
        assert await receive(ws) == {
            "type": "call.ringing",
            "call_id": "c1",
            "customer_name": "Ana",
        }
        assert await receive(ws) == {"type": "presence.changed", "agent_id": 7}
        assert await ws.receive_nothing(timeout=0.1)
        await ws.disconnect()

    run(scenario)


def test_garbage_from_the_browser_is_ignored(agent: Agent, conversation: Conversation) -> None:
    cookie = cookie_for(agent.user)

    async def scenario() -> None:
        ws = await connected(cookie)
        await ws.send_to(text_data="not json")
        await ws.send_to(text_data="[1, 2]")
        await ws.send_json_to({"action": "view", "conversation_id": "abc"})
        await ws.send_json_to({"action": "typing", "conversation_id": conversation.pk})
        await ws.send_json_to({"action": "fly"})
        viewers = await view(ws, conversation.pk)  # still alive and serving
        assert [v["agent_id"] for v in viewers] == [agent.pk]
        await ws.disconnect()

    run(scenario)


# --- brand isolation ------------------------------------------------------------------------


def test_cannot_view_another_brands_conversation(
    agent: Agent, other_brand: Brand, conversation: Conversation
) -> None:
    foreign = quick_conversation(other_brand, subject="Not yours")
    cookie = cookie_for(agent.user)

    async def scenario() -> None:
        ws = await connected(cookie)
        await ws.send_json_to({"action": "view", "conversation_id": foreign.pk})
        assert await receive(ws) == {"type": "error", "error": "forbidden", "action": "view"}
        await group_send(conversation_group(foreign.pk), "message.created", message_id=1)
        await group_send(agent_group(agent.pk), "conversation.assigned", conversation_id=5)
        assert (await receive(ws))["type"] == "conversation.assigned"
        await ws.send_json_to({"action": "view", "conversation_id": 10**9})  # no such one
        assert (await receive(ws))["error"] == "forbidden"
        await ws.disconnect()

    run(scenario)


# --- viewers and typing -----------------------------------------------------------------


def test_viewers_and_typing_are_shared_and_cleared(
    two_agents: tuple[Agent, Agent], conversation: Conversation
) -> None:
    li, ana = two_agents
    li_cookie, ana_cookie = cookie_for(li.user), cookie_for(ana.user)

    async def scenario() -> None:
        a = await connected(li_cookie)
        b = await connected(ana_cookie)
        assert await view(a, conversation.pk) == [
            {"agent_id": li.pk, "name": "Li Wei", "typing": False}
        ]
        both = await view(b, conversation.pk)
        assert {v["name"] for v in both} == {"Li Wei", "Ana Costa"}
        assert {v["name"] for v in (await receive_type(a, "viewers"))["viewers"]} == {
            "Li Wei",
            "Ana Costa",
        }

        await a.send_json_to(
            {"action": "typing", "conversation_id": conversation.pk, "is_typing": True}
        )
        typing = await receive_type(b, "typing")
        assert typing == {
            "type": "typing",
            "conversation_id": conversation.pk,
            "agent_id": li.pk,
            "agent_name": "Li Wei",
            "is_typing": True,
        }
        # A third tab that opens now learns from the stored list that Li is typing.
        c = await connected(ana_cookie)
        late = {v["name"]: v["typing"] for v in await view(c, conversation.pk)}
        assert late == {"Li Wei": True, "Ana Costa": False}
        await c.disconnect()

        await a.send_json_to(
            {"action": "typing", "conversation_id": conversation.pk, "is_typing": False}
        )
        assert (await receive_type(b, "typing"))["is_typing"] is False

        await a.disconnect()
        left = await receive_type(b, "viewers")
        assert [v["name"] for v in left["viewers"]] == ["Ana Costa"]

        await b.send_json_to({"action": "leave"})
        await b.send_json_to({"action": "view", "conversation_id": 10**9})
        assert (await receive(b))["error"] == "forbidden"  # so the leave is done
        await group_send(conversation_group(conversation.pk), "message.created", message_id=1)
        await group_send(agent_group(ana.pk), "conversation.assigned", conversation_id=1)
        # Out of the conversation's group: the next event is the second one.
        assert (await receive(b))["type"] == "conversation.assigned"
        await b.disconnect()

    run(scenario)


def test_visible_viewers_merges_tabs_and_drops_stale_entries() -> None:
    now = 1000.0
    entries = {
        "tab1": {"agent_id": 1, "name": "Li", "seen": now - 5, "typing_until": 0.0},
        "tab2": {"agent_id": 1, "name": "Li", "seen": now - 1, "typing_until": now + 3},
        "tab3": {"agent_id": 2, "name": "Ana", "seen": now - 1, "typing_until": now - 1},
        "gone": {"agent_id": 3, "name": "Bo", "seen": now - 600, "typing_until": now + 3},
    }
    assert visible_viewers(entries, now) == [
        {"agent_id": 2, "name": "Ana", "typing": False},
        {"agent_id": 1, "name": "Li", "typing": True},
    ]


# --- the listeners, end to end ----------------------------------------------------------------


def test_a_reply_and_an_assignment_reach_the_open_workspaces(
    two_agents: tuple[Agent, Agent],
    other_brand: Brand,
    make_agent: Callable[..., Agent],
    conversation: Conversation,
) -> None:
    li, ana = two_agents
    outsider = make_agent(name="Outsider", brands=[other_brand])
    cookies = [cookie_for(x.user) for x in (li, ana, outsider)]

    def reply() -> int:
        with transaction.atomic():
            return conversations.add_reply(conversation, author=li, body="On its way").pk

    def assign() -> None:
        with transaction.atomic():
            conversations.update_conversation(conversation, actor=li, assignee_id=ana.pk)

    def go_online() -> None:
        with transaction.atomic():
            set_presence(li, Presence.ONLINE, actor=li)

    async def scenario() -> None:
        a, b, o = [await connected(c) for c in cookies]
        await view(b, conversation.pk)
        message_id = await sync_to_async(reply)()
        expected = {
            "type": "message.created",
            "message_id": message_id,
            "conversation_id": conversation.pk,
            "direction": "out",
        }
        assert await receive_type(a, "message.created") == expected  # brand group
        # Ana has it open: once for the conversation, once for the brand's inbox.
        assert [await receive_type(b, "message.created") for _ in range(2)] == [expected] * 2

        await sync_to_async(assign)()
        assigned = await receive_type(b, "conversation.assigned")
        assert assigned == {"type": "conversation.assigned", "conversation_id": conversation.pk}
        updated = await receive_type(a, "conversation.updated")
        assert updated["conversation_id"] == conversation.pk

        await sync_to_async(go_online)()
        assert await receive_type(a, "presence.changed") == {
            "type": "presence.changed",
            "agent_id": li.pk,
            "presence": "online",
        }
        # The other brand's agent heard none of it: the first thing it gets is a marker
        # sent after everything else.
        await group_send(agent_group(outsider.pk), "conversation.assigned", conversation_id=0)
        assert await receive(o) == {"type": "conversation.assigned", "conversation_id": 0}
        for ws in (a, b, o):
            await ws.disconnect()

    run(scenario)


# --- deactivation -------------------------------------------------------------------------------


def test_deactivating_an_agent_closes_every_open_socket_of_that_agent_at_once(
    make_agent: Callable[..., Agent], make_api: Callable[[Agent | None], Any]
) -> None:
    from wowdesk.core.models import Role
    from wowdesk.web.consumers import CLOSE_DEACTIVATED

    leaving = make_agent(name="Leaving")
    staying = make_agent(name="Staying")
    admin_api = make_api(make_agent(Role.ADMIN, name="Boss"))
    leaving_cookie, staying_cookie = cookie_for(leaving.user), cookie_for(staying.user)

    def deactivate() -> int:
        return int(admin_api.patch(f"/agents/{leaving.pk}", {"is_active": False}).status_code)

    def rename() -> int:
        return int(
            admin_api.patch(f"/agents/{staying.pk}", {"display_name": "Still here"}).status_code
        )

    async def scenario() -> None:
        tab1, tab2 = await connected(leaving_cookie), await connected(leaving_cookie)
        other = await connected(staying_cookie)
        # A change that is not a deactivation closes nothing.
        assert await sync_to_async(rename)() == 200
        assert await sync_to_async(deactivate)() == 200
        for tab in (tab1, tab2):
            closed = await tab.receive_output(timeout=TIMEOUT)
            assert closed == {
                "type": "websocket.close",
                "code": CLOSE_DEACTIVATED,
                "reason": "deactivated",
            }
        # Out of its groups: a push to the agent's group or brand reaches no closed tab.
        await group_send(agent_group(leaving.pk), "conversation.assigned", conversation_id=1)
        assert await tab1.receive_nothing(timeout=0.1)
        # The other agent's socket is still open and served.
        await group_send(agent_group(staying.pk), "conversation.assigned", conversation_id=2)
        assert await receive(other) == {"type": "conversation.assigned", "conversation_id": 2}
        # A new socket with the old session is refused.
        again = communicator(leaving_cookie)
        await again.connect(timeout=TIMEOUT)
        assert await again.receive_output(timeout=TIMEOUT) == {
            "type": "websocket.close",
            "code": CLOSE_DEACTIVATED,
        }
        await other.disconnect()

    run(scenario)


def test_a_deactivation_rolled_back_closes_nothing(make_agent: Callable[..., Agent]) -> None:
    from wowdesk.core.services import update_agent

    agent = make_agent(name="Maybe leaving")
    cookie = cookie_for(agent.user)

    def deactivate_then_roll_back() -> None:
        try:
            with transaction.atomic():
                update_agent(agent, actor=None, is_active=False)
                raise RuntimeError("rolled back")
        except RuntimeError:
            pass

    async def scenario() -> None:
        ws = await connected(cookie)
        await sync_to_async(deactivate_then_roll_back)()
        await group_send(agent_group(agent.pk), "conversation.assigned", conversation_id=3)
        assert await receive(ws) == {"type": "conversation.assigned", "conversation_id": 3}
        await ws.disconnect()

    run(scenario)


def test_a_user_deactivated_in_django_cannot_open_a_socket(
    make_agent: Callable[..., Agent],
) -> None:
    agent = make_agent(name="Locked user")
    cookie = cookie_for(agent.user)
    get_user_model().objects.filter(pk=agent.user.pk).update(is_active=False)

    async def scenario() -> None:
        ws = communicator(cookie)
        await ws.connect(timeout=TIMEOUT)
        closed = await ws.receive_output(timeout=TIMEOUT)
        assert closed["type"] == "websocket.close"
        assert closed["code"] in (CLOSE_FORBIDDEN, CLOSE_UNAUTHENTICATED)

    run(scenario)


def test_a_failed_delivery_reaches_its_author_and_the_brand_only(
    two_agents: tuple[Agent, Agent],
    other_brand: Brand,
    make_agent: Callable[..., Agent],
    conversation: Conversation,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from wowdesk.channels import adapters, outbox
    from wowdesk.conversations.models import OutboxMessage

    li, ana = two_agents
    outsider = make_agent(name="Outsider", brands=[other_brand])
    cookies = [cookie_for(x.user) for x in (li, ana, outsider)]
    monkeypatch.delitem(adapters.ADAPTERS, "api")  # the reply cannot go out

    def reply_and_fail() -> tuple[int, int]:
        with transaction.atomic():
            message = conversations.add_reply(conversation, author=li, body="On its way")
        row = OutboxMessage.objects.get(message=message)
        outbox.deliver(row.pk)
        return message.pk, row.pk

    async def scenario() -> None:
        a, b, o = [await connected(c) for c in cookies]
        await view(b, conversation.pk)
        message_id, outbox_id = await sync_to_async(reply_and_fail)()
        told = await receive_type(a, "delivery.failed")
        assert told == {
            "type": "delivery.failed",
            "number": conversation.number,
            "outbox_id": outbox_id,
            "message_id": message_id,
            "conversation_id": conversation.pk,
            "state": "failed",
        }
        changed = await receive_type(b, "message.delivery")
        assert changed == {
            "type": "message.delivery",
            "message_id": message_id,
            "conversation_id": conversation.pk,
            "state": "failed",
        }
        # Ana did not write it: no notice for her; the outsider heard nothing at all.
        await group_send(agent_group(ana.pk), "conversation.assigned", conversation_id=0)
        await group_send(agent_group(outsider.pk), "conversation.assigned", conversation_id=0)
        while (event := await receive(b))["type"] != "conversation.assigned":
            assert event["type"] != "delivery.failed"
        assert await receive(o) == {"type": "conversation.assigned", "conversation_id": 0}
        for ws in (a, b, o):
            await ws.disconnect()

    run(scenario)


def test_a_message_annotation_reaches_its_conversations_viewers_only(
    other_brand: Brand,
    make_agent: Callable[..., Agent],
    conversation: Conversation,
) -> None:
    from wowdesk.conversations.models import Message
    from wowdesk.core.models import Role

    viewers = [make_agent(role, name=f"Viewer {role}") for role in Role.values]
    elsewhere = make_agent(name="Not viewing")
    outsider = make_agent(Role.ADMIN, name="Outsider", brands=[other_brand])
    message = Message.objects.filter(conversation=conversation).first()
    assert message is not None
    viewer_cookies = [cookie_for(v.user) for v in viewers]
    other_cookies = [cookie_for(x.user) for x in (elsewhere, outsider)]

    def score() -> None:
        conversations.annotate_messages([(message, {"emotion": -0.8, "emotion_label": "angry"})])

    async def scenario() -> None:
        watching = [await connected(c) for c in viewer_cookies]
        for ws in watching:
            await view(ws, conversation.pk)
        others = [await connected(c) for c in other_cookies]
        await sync_to_async(score)()
        for ws in watching:
            assert await receive_type(ws, "message.annotated") == {
                "type": "message.annotated",
                "message_id": message.pk,
                "conversation_id": conversation.pk,
                "fields": ["emotion", "emotion_label"],
            }
        # neither the brand's other agent nor the other brand's admin heard of it
        for ws, who in zip(others, (elsewhere, outsider), strict=True):
            await group_send(agent_group(who.pk), "conversation.assigned", conversation_id=0)
            while (event := await receive(ws))["type"] != "conversation.assigned":
                assert event["type"] != "message.annotated"
        for ws in [*watching, *others]:
            await ws.disconnect()

    run(scenario)
