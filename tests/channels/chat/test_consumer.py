"""The visitor's WebSocket (channels/chat/consumers.py) through the real ASGI application."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.utils import timezone

from tests.channels.chat.conftest import run, visitor
from wowdesk.channels import adapters, outbox
from wowdesk.channels.chat import services as chat
from wowdesk.channels.chat import tokens
from wowdesk.channels.models import InboundEnvelope
from wowdesk.conversations import services as conversations
from wowdesk.conversations.models import (
    Conversation,
    Direction,
    Inbox,
    Message,
    OutboxMessage,
    OutboxStatus,
)
from wowdesk.core.models import Agent, Brand, Presence
from wowdesk.core.realtime import conversation_group
from wowdesk.customers.models import Identity, IdentityKind

pytestmark = pytest.mark.usefixtures("transactional_db", "fresh_layer_and_cache")


def ref(inbox: Inbox) -> str:
    return chat.widget_settings(inbox).token


def _reply(conversation_id: int, agent: Agent, body: str, private: bool = False) -> OutboxStatus:
    """An agent answers through the service, then the worker delivers the outbox row."""
    conversation = Conversation.objects.get(pk=conversation_id)
    message = conversations.add_reply(conversation, author=agent, body=body, private=private)
    if private:
        return OutboxStatus.QUEUED
    row = outbox.deliver(OutboxMessage.objects.get(message=message).pk)
    return OutboxStatus(row.status)


reply = database_sync_to_async(_reply)


# --- identity ---------------------------------------------------------------------------


def test_new_visitor_gets_a_token_that_brings_them_back(chat_inbox: Inbox) -> None:
    async def scenario() -> None:
        ws, welcome = await visitor(ref(chat_inbox))
        assert welcome["type"] == "welcome"
        assert welcome["visitor"].startswith("v") and not welcome["verified"]
        assert welcome["history"] == [] and welcome["conversation_id"] is None
        await ws.close()

        again, back = await visitor(ref(chat_inbox), token=welcome["token"])
        assert back["visitor"] == welcome["visitor"]
        await again.close()

        forged = welcome["token"][:-2] + ("AA" if not welcome["token"].endswith("AA") else "BB")
        other, stranger = await visitor(ref(chat_inbox), token=forged)
        assert stranger["visitor"] != welcome["visitor"]
        await other.close()

    run(scenario)


def test_a_token_of_another_inbox_is_not_believed(brand: Brand, chat_inbox: Inbox) -> None:
    second = chat.ensure_widget(
        conversations.create_inbox(brand_id=brand.pk, name="Other site", channel="chat")
    )
    token = tokens.issue(tokens.Visitor(second.pk, "vfeedface"))

    async def scenario() -> None:
        ws, welcome = await visitor(ref(chat_inbox), token=token)
        assert welcome["visitor"] != "vfeedface"
        await ws.close()

    run(scenario)


def test_verified_user_by_hmac_and_wrong_hash_refused(chat_inbox: Inbox) -> None:
    secret = chat.widget_settings(chat_inbox).secret
    good = tokens.user_hash(secret, "customer-42")

    async def scenario() -> None:
        ws, welcome = await visitor(ref(chat_inbox), user_id="customer-42", user_hash=good)
        assert welcome["verified"] is True
        assert welcome["visitor"] == tokens.verified_visitor_id(chat_inbox.brand_id, "customer-42")
        await ws.close()

        bad, error = await visitor(ref(chat_inbox), user_id="customer-43", user_hash=good)
        assert error["type"] == "error" and error["field"] == "user_hash"
        assert await bad.closed_with() == 4403

    run(scenario)


def test_required_verification_refuses_anonymous_visitors(chat_inbox: Inbox) -> None:
    chat.configure_widget(chat_inbox, actor=None, require_verification=True)

    async def scenario() -> None:
        ws, error = await visitor(ref(chat_inbox))
        assert error["type"] == "error" and error["code"] == "Forbidden"
        assert await ws.closed_with() == 4403

    run(scenario)


def test_unknown_inbox_and_non_chat_inbox_are_not_found(brand: Brand) -> None:
    mail = conversations.create_inbox(brand_id=brand.pk, name="Mail", channel="email")

    async def scenario() -> None:
        for inbox_ref in ("nope", str(mail.pk)):
            ws, error = await visitor(inbox_ref)
            assert error["code"] == "NotFound"
            assert await ws.closed_with() == 4404

    run(scenario)


def test_frames_before_hello_are_refused(chat_inbox: Inbox) -> None:
    async def scenario() -> None:
        from tests.channels.chat.conftest import Socket
        from wowdesk.asgi import application

        ws = Socket(application)
        await ws.connect()
        await ws.send_json({"type": "message", "client_id": "abcdefgh1", "body": "hi"})
        assert (await ws.receive_json())["code"] == "hello_first"
        await ws.close()

    run(scenario)
    assert not InboundEnvelope.objects.exists()


# --- messages ---------------------------------------------------------------------------


def test_message_stored_once_for_a_repeated_client_id(chat_inbox: Inbox) -> None:
    async def scenario() -> dict[str, Any]:
        ws, welcome = await visitor(ref(chat_inbox))
        frame = {"type": "message", "client_id": "c1a2b3c4d5", "body": "Is my order shipped?"}
        await ws.send_json({**frame, "name": "Mei"})
        first = await ws.receive_type("ack")
        await ws.send_json(frame)  # the widget resends after a dropped connection
        second = await ws.receive_type("ack")
        await ws.close()
        assert first["duplicate"] is False and second["duplicate"] is True
        assert first["message_id"] == second["message_id"]
        return welcome

    welcome: dict[str, Any] = {}

    async def outer() -> None:
        welcome.update(await scenario())

    run(outer)
    message = Message.objects.get(direction=Direction.IN)
    assert message.direction == Direction.IN and message.channel == "chat"
    assert message.body == "Is my order shipped?"
    assert message.meta["chat"] == {
        "visitor": welcome["visitor"],
        "client_id": "c1a2b3c4d5",
        "language": "en",
    }
    assert InboundEnvelope.objects.get().external_id == f"chat:{welcome['visitor']}:c1a2b3c4d5"
    conversation = message.conversation
    assert conversation.inbox_id == chat_inbox.pk
    assert conversation.customer.name == "Mei"
    assert Identity.objects.filter(
        customer=conversation.customer, kind=IdentityKind.CHAT, value=welcome["visitor"]
    ).exists()


def test_bad_messages_are_refused_with_the_field(chat_inbox: Inbox) -> None:
    async def scenario() -> None:
        ws, _welcome = await visitor(ref(chat_inbox))
        await ws.send_json({"type": "message", "client_id": "short", "body": "hi"})
        assert (await ws.receive_json())["field"] == "client_id"
        await ws.send_json({"type": "message", "client_id": "abcdefgh12", "body": "   "})
        assert (await ws.receive_json())["field"] == "body"
        await ws.close()

    run(scenario)
    assert not InboundEnvelope.objects.exists()


def test_agent_reply_pushed_live_and_history_on_reconnect(chat_inbox: Inbox, agent: Agent) -> None:
    async def scenario() -> None:
        ws, welcome = await visitor(ref(chat_inbox))
        await ws.send_json({"type": "message", "client_id": "m0000001", "body": "Hello?"})
        ack = await ws.receive_type("ack")
        echo = await ws.receive_type("message")  # own message, to every tab of the visitor
        assert echo["id"] == ack["message_id"] and echo["client_id"] == "m0000001"

        status = await reply(ack["conversation_id"], agent, "Hi, I am checking.")
        assert status == OutboxStatus.SENT
        pushed = await ws.receive_type("message")
        assert pushed["direction"] == "out" and pushed["body"] == "Hi, I am checking."
        assert pushed["author"] == agent.display_name
        await reply(ack["conversation_id"], agent, "internal: VIP", private=True)
        await ws.close()

        again, back = await visitor(ref(chat_inbox), token=welcome["token"])
        assert back["conversation_id"] == ack["conversation_id"]
        assert [(m["direction"], m["body"]) for m in back["history"]] == [
            ("in", "Hello?"),
            ("out", "Hi, I am checking."),
        ]
        await again.close()

    run(scenario)


def test_reply_reaches_every_tab_of_the_visitor(chat_inbox: Inbox, agent: Agent) -> None:
    async def scenario() -> None:
        tab1, welcome = await visitor(ref(chat_inbox))
        tab2, _ = await visitor(ref(chat_inbox), token=welcome["token"])
        await tab1.send_json({"type": "message", "client_id": "t0000001", "body": "Two tabs"})
        ack = await tab1.receive_type("ack")
        assert (await tab2.receive_type("message"))["body"] == "Two tabs"
        await reply(ack["conversation_id"], agent, "Seen in both")
        assert (await tab1.receive_type("message"))["direction"] == "in"  # own echo first
        assert (await tab1.receive_type("message"))["body"] == "Seen in both"
        assert (await tab2.receive_type("message"))["body"] == "Seen in both"
        await tab1.close()
        await tab2.close()

    run(scenario)


# --- typing -----------------------------------------------------------------------------


def test_typing_both_ways_and_unknown_events_ignored(chat_inbox: Inbox) -> None:
    async def scenario() -> None:
        layer = get_channel_layer()
        assert layer is not None
        ws, _welcome = await visitor(ref(chat_inbox))
        await ws.send_json({"type": "message", "client_id": "y0000001", "body": "Typing test"})
        ack = await ws.receive_type("ack")
        await ws.receive_type("message")
        cid = ack["conversation_id"]
        agent_side = await layer.new_channel()
        await layer.group_add(conversation_group(cid), agent_side)

        await ws.send_json({"type": "typing", "is_typing": True})
        event = await layer.receive(agent_side)
        assert event == {"type": "typing.customer", "conversation_id": cid, "is_typing": True}

        group = conversation_group(cid)
        await layer.group_send(group, {"type": "viewers", "conversation_id": cid, "viewers": []})
        await layer.group_send(group, {"type": "conversation.updated", "conversation_id": cid})
        await layer.group_send(
            group,
            {
                "type": "typing",
                "conversation_id": cid,
                "agent_id": 7,
                "agent_name": "Li Wei",
                "is_typing": True,
            },
        )
        frame = await ws.receive_json()  # the two unknown events produced nothing
        assert frame == {"type": "typing", "is_typing": True, "name": "Li Wei"}
        await ws.close()

    run(scenario)


# --- nobody on shift, email -------------------------------------------------------------


def test_offline_notice_when_no_agent_is_on_shift(
    chat_inbox: Inbox, make_agent: Callable[..., Agent]
) -> None:
    def welcome_online() -> bool:
        async def scenario() -> bool:
            ws, welcome = await visitor(ref(chat_inbox))
            await ws.close()
            return bool(welcome["online"])

        result: list[bool] = []

        async def outer() -> None:
            result.append(await scenario())

        run(outer)
        return result[0]

    nobody_on = make_agent()
    assert nobody_on.presence == Presence.OFFLINE
    assert welcome_online() is False
    # Online, but on a half-hour shift twelve hours from now.
    hour = (timezone.now().hour + 12) % 24
    Agent.objects.filter(pk=nobody_on.pk).update(
        presence=Presence.ONLINE, shifts=[f"mon-sun {hour:02d}:00-{hour:02d}:30"], timezone="UTC"
    )
    assert welcome_online() is False
    Agent.objects.filter(pk=nobody_on.pk).update(shifts=[])  # no shifts: always on shift
    assert welcome_online() is True


def test_email_left_in_the_widget_is_kept_on_the_customer(chat_inbox: Inbox) -> None:
    async def scenario() -> None:
        ws, _welcome = await visitor(ref(chat_inbox))
        await ws.send_json({"type": "message", "client_id": "e0000001", "body": "Anyone?"})
        await ws.receive_type("ack")
        await ws.send_json({"type": "email", "email": "not-an-address"})
        assert (await ws.receive_type("error"))["field"] == "email"
        await ws.send_json({"type": "email", "email": "Mei@Example.com", "name": "Mei"})
        await ws.receive_type("email.saved")
        await ws.send_json({"type": "email", "email": "mei@example.com"})
        await ws.receive_type("email.saved")
        await ws.close()

    run(scenario)
    conversation = Conversation.objects.get()
    assert Identity.objects.get(customer=conversation.customer, kind="email").value == (
        "mei@example.com"
    )
    notes = Message.objects.filter(conversation=conversation, meta__has_key="chat_email")
    assert [(m.direction, m.meta["chat_email"]) for m in notes] == [
        (Direction.ACTIVITY, "mei@example.com")  # said once
    ]
    assert notes[0].meta["i18n"]["params"] == {"email": "mei@example.com"}  # for any reader


def test_prechat_setting_reaches_the_widget(chat_inbox: Inbox) -> None:
    chat.configure_widget(chat_inbox, actor=None, prechat=True, greeting="Hi! How can we help?")

    async def scenario() -> None:
        ws, welcome = await visitor(ref(chat_inbox))
        config = welcome["config"]
        assert (config["prechat"], config["greeting"], config["title"]) == (
            True,
            "Hi! How can we help?",
            "",
        )
        assert (config["prechat_name"], config["prechat_email"]) == ("optional", "optional")
        assert "secret" not in config and "allowed_domains" not in config
        await ws.close()

    run(scenario)


class FakeMailer:
    sent: list[int] = []

    def send(self, message: Message) -> dict[str, str]:
        FakeMailer.sent.append(message.pk)
        return {"message_id": f"<{message.pk}@test>"}


def test_reply_goes_by_email_once_the_visitor_has_left(
    chat_inbox: Inbox, agent: Agent, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(adapters.ADAPTERS, "email", f"{__name__}.FakeMailer")
    FakeMailer.sent = []
    ids: dict[str, int] = {}

    async def scenario() -> None:
        ws, _welcome = await visitor(ref(chat_inbox))
        await ws.send_json({"type": "message", "client_id": "g0000001", "body": "Bye soon"})
        ack = await ws.receive_type("ack")
        ids["conversation"] = ack["conversation_id"]
        await ws.send_json({"type": "email", "email": "mei@example.com"})
        await ws.receive_type("email.saved")
        await reply(ack["conversation_id"], agent, "While you are here")
        await ws.close()

    run(scenario)
    assert FakeMailer.sent == []  # the visitor was there: the widget had it
    status = _reply(ids["conversation"], agent, "After you left")
    assert status == OutboxStatus.SENT
    last = Message.objects.filter(direction=Direction.OUT).order_by("-id").first()
    assert last is not None and FakeMailer.sent == [last.pk]
