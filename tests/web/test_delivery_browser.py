"""A reply whose mail relay refuses the connection, in a real browser against a real ASGI
server: the message turns "retrying" with the reason, then "failed" with a Retry button,
and its author gets a toast, all without a reload; Retry queues it again."""

from __future__ import annotations

import dataclasses
import socket
from collections.abc import Callable
from typing import Any

import pytest

from tests.factories import make_conversation, make_reply, outbox_of
from tests.web.pages import ConversationPage, LiveWorkspace, LoginPage
from wowdesk.channels import outbox
from wowdesk.conversations import services as conversations
from wowdesk.conversations.models import Conversation, OutboxMessage, OutboxStatus
from wowdesk.core.models import Agent, Brand, Role
from wowdesk.routing.models import RoutingSettings

PASSWORD = "correct-horse-battery-staple"


@pytest.fixture
def setup(
    brand: Brand, make_agent: Callable[..., Agent], settings: Any
) -> tuple[Agent, Conversation]:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        closed = int(s.getsockname()[1])  # nobody listens here once the socket is closed
    settings.CONFIG = dataclasses.replace(
        settings.CONFIG, email_host="127.0.0.1", email_port=closed, email_timeout=5.0
    )
    li = make_agent(Role.AGENT, email="li@example.com", name="Li Wei", password=PASSWORD)
    RoutingSettings.objects.update_or_create(brand=brand, defaults={"auto_assign": False})
    conversations.create_inbox(brand_id=brand.pk, name="Mail", channel="email")
    return li, make_conversation(brand, channel="email", inbox="Mail")


def test_a_reply_turns_retrying_then_failed_live_and_retry_queues_it(
    setup: tuple[Agent, Conversation], browser_contexts: Callable[[], Any]
) -> None:
    li, conversation = setup
    page = browser_contexts()
    LoginPage(page).open().login("li@example.com", PASSWORD)
    view = ConversationPage(page).open(conversation.pk)
    live = LiveWorkspace(page).wait_connected().mark()

    reply = make_reply(conversation, li, "Your new shade ships today.")
    live.wait_for_message("Your new shade ships today.")
    assert view.delivery(reply.pk)[0] == "queued"

    row = outbox.deliver(outbox_of(reply).pk)  # what the worker does: the relay refuses
    assert row.status == OutboxStatus.QUEUED
    text = view.wait_for_delivery(reply.pk, "retrying")
    assert text.startswith("Retrying: connection refused by the mail server. Next attempt at")
    assert not view.has_retry(reply.pk)

    OutboxMessage.objects.filter(pk=row.pk).update(
        attempts=outbox.MAX_ATTEMPTS - 1, next_attempt_at=reply.created_at
    )
    assert outbox.deliver(row.pk).status == OutboxStatus.FAILED
    text = view.wait_for_delivery(reply.pk, "failed")
    assert text.startswith("Not delivered: connection refused by the mail server.")
    assert view.has_retry(reply.pk)
    toast = live.wait_for_toast(f"Your reply to #{conversation.number} could not be delivered.")
    assert "Go to conversation" in toast
    assert not live.reloaded  # all of it arrived over the socket

    view.retry(reply.pk)
    assert view.delivery(reply.pk)[0] == "queued"
    assert outbox_of(reply).status == OutboxStatus.QUEUED


def test_one_reply_turns_sent_and_another_failed_live(
    setup: tuple[Agent, Conversation], browser_contexts: Callable[[], Any], settings: Any
) -> None:
    """Two replies in the open conversation: the relay takes the first (its line turns
    from queued to sent) and refuses the second for good (queued to failed), both over
    the socket, with no reload."""
    from aiosmtpd.controller import Controller

    from tests.channels.email.conftest import Sink, free_port

    li, conversation = setup
    page = browser_contexts()
    LoginPage(page).open().login("li@example.com", PASSWORD)
    view = ConversationPage(page).open(conversation.pk)
    live = LiveWorkspace(page).wait_connected().mark()

    taken = make_reply(conversation, li, "Your parcel left the warehouse.")
    refused = make_reply(conversation, li, "Here is your return label.")
    live.wait_for_message("Here is your return label.")
    assert view.delivery(taken.pk)[0] == "queued"
    assert view.delivery(refused.pk)[0] == "queued"

    relay, port = Sink(), free_port()
    controller = Controller(relay, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        closed = settings.CONFIG
        settings.CONFIG = dataclasses.replace(closed, email_port=port)
        assert outbox.deliver(outbox_of(taken).pk).status == OutboxStatus.SENT
        view.wait_for_delivery(taken.pk, "sent")
        assert len(relay.mails) == 1
    finally:
        controller.stop()
    assert view.delivery(refused.pk)[0] == "queued"  # untouched by the other's delivery

    settings.CONFIG = closed  # the relay is gone: the last attempt fails
    row = outbox_of(refused)
    OutboxMessage.objects.filter(pk=row.pk).update(attempts=outbox.MAX_ATTEMPTS - 1)
    assert outbox.deliver(row.pk).status == OutboxStatus.FAILED
    text = view.wait_for_delivery(refused.pk, "failed")
    assert text.startswith("Not delivered: connection refused by the mail server.")
    assert view.delivery(taken.pk)[0] == "sent"
    assert not live.reloaded
