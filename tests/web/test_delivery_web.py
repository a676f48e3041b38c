"""Delivery in the workspace: the message's delivery line (retrying with the next attempt
in the viewer's zone, failed with the reason and a Retry button), the Retry button per role
and brand, and the inbox's mark and "Delivery failed" view."""

from __future__ import annotations

import dataclasses
import socket
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.test import Client

from tests.factories import make_conversation, make_reply, outbox_of, quick_conversation
from wowdesk.channels import adapters, outbox
from wowdesk.conversations import services as conversations
from wowdesk.conversations.models import Conversation, Message, OutboxMessage, OutboxStatus
from wowdesk.core.models import Agent, Brand, Role


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    cache.clear()


def _login(agent: Agent) -> Client:
    client = Client()
    client.force_login(agent.user)
    return client


@pytest.fixture
def email_conversation(brand: Brand) -> Conversation:
    conversations.create_inbox(brand_id=brand.pk, name="Mail", channel="email")
    return make_conversation(brand, channel="email", inbox="Mail")


@pytest.fixture
def dead_relay(settings: Any) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    settings.CONFIG = dataclasses.replace(
        settings.CONFIG, email_host="127.0.0.1", email_port=port, email_timeout=5.0
    )


def _partial(client: Client, message: Message) -> str:
    url = f"/inbox/c/{message.conversation_id}/messages/{message.pk}/"
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_the_message_says_retrying_then_failed_with_a_retry_button(
    make_agent: Callable[..., Agent], email_conversation: Conversation, dead_relay: None
) -> None:
    author = make_agent(Role.AGENT, timezone="Asia/Tokyo")
    client = _login(author)
    reply = make_reply(email_conversation, author)
    html = _partial(client, reply)
    assert 'data-delivery="queued"' in html and "Sending…" in html

    row = outbox.deliver(outbox_of(reply).pk)
    html = _partial(client, reply)
    at = row.next_attempt_at.astimezone(ZoneInfo("Asia/Tokyo"))
    assert 'data-delivery="retrying"' in html
    assert (
        "Retrying: connection refused by the mail server. "
        f"Next attempt at {at.hour:02d}:{at.minute:02d}."
    ) in html
    assert "retry-button" not in html  # it is still being tried

    OutboxMessage.objects.filter(pk=row.pk).update(attempts=outbox.MAX_ATTEMPTS - 1)
    OutboxMessage.objects.filter(pk=row.pk).update(next_attempt_at=reply.created_at)
    outbox.deliver(row.pk)
    html = _partial(client, reply)
    assert 'data-delivery="failed"' in html
    assert "Not delivered: connection refused by the mail server." in html
    assert f'action="/inbox/c/{email_conversation.pk}/messages/{reply.pk}/retry/"' in html
    # the whole page shows the same
    page = client.get(f"/inbox/c/{email_conversation.pk}/").content.decode()
    assert "Not delivered: connection refused by the mail server." in page


def test_the_delivery_line_speaks_the_viewers_language(
    make_agent: Callable[..., Agent],
    email_conversation: Conversation,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    author = make_agent(Role.AGENT)
    monkeypatch.delitem(adapters.ADAPTERS, "email")
    reply = make_reply(email_conversation, author)
    outbox.deliver(outbox_of(reply).pk)
    client = _login(author)
    client.cookies["django_language"] = "zh-hans"
    html = _partial(client, reply)
    assert "未送达：此渠道无法发送回复。" in html
    assert "重试" in html


def test_a_sent_reply_says_delivered_and_notes_have_no_line(brand: Brand, agent: Agent) -> None:
    conversation = make_conversation(brand)
    reply = make_reply(conversation, agent)
    outbox.deliver(outbox_of(reply).pk)
    note = conversations.add_reply(conversation, author=agent, body="inside", private=True)
    client = _login(agent)
    assert 'data-delivery="sent"' in _partial(client, reply)
    assert "data-delivery" not in _partial(client, note)


@pytest.fixture
def failed_reply(
    agent: Agent, email_conversation: Conversation, monkeypatch: pytest.MonkeyPatch
) -> Message:
    monkeypatch.delitem(adapters.ADAPTERS, "email")
    reply = make_reply(email_conversation, agent)
    outbox.deliver(outbox_of(reply).pk)
    return reply


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("author", 302),
        ("colleague", 403),
        ("supervisor", 302),
        ("admin", 302),
        ("other_agent", 404),
        ("other_supervisor", 404),
        ("other_admin", 404),
    ],
)
def test_retry_button_per_role_and_brand(
    who: str,
    status: int,
    agent: Agent,
    other_brand: Brand,
    failed_reply: Message,
    make_agent: Callable[..., Agent],
) -> None:
    people = {
        "author": agent,
        "colleague": make_agent(Role.AGENT),
        "supervisor": make_agent(Role.SUPERVISOR),
        "admin": make_agent(Role.ADMIN),
        "other_agent": make_agent(Role.AGENT, brands=[other_brand]),
        "other_supervisor": make_agent(Role.SUPERVISOR, brands=[other_brand]),
        "other_admin": make_agent(Role.ADMIN, brands=[other_brand]),
    }
    url = f"/inbox/c/{failed_reply.conversation_id}/messages/{failed_reply.pk}/retry/"
    response = _login(people[who]).post(url)
    assert response.status_code == status
    row = outbox_of(failed_reply)
    assert row.status == (OutboxStatus.QUEUED if status == 302 else OutboxStatus.FAILED)


def test_retry_of_another_brands_message_id_is_not_found(
    agent: Agent, other_brand: Brand, failed_reply: Message, make_agent: Callable[..., Agent]
) -> None:
    """A message id of brand A under a conversation of brand B: not found, nothing queued."""
    theirs = quick_conversation(other_brand)
    other_admin = make_agent(Role.ADMIN, brands=[other_brand])
    url = f"/inbox/c/{theirs.pk}/messages/{failed_reply.pk}/retry/"
    assert _login(other_admin).post(url).status_code == 404
    assert outbox_of(failed_reply).status == OutboxStatus.FAILED


def test_retry_of_a_queued_reply_is_refused_with_a_reason(
    agent: Agent, failed_reply: Message
) -> None:
    client = _login(agent)
    url = f"/inbox/c/{failed_reply.conversation_id}/messages/{failed_reply.pk}/retry/"
    assert client.post(url).status_code == 302
    response = client.post(url, follow=True)
    assert "Only a failed message can be retried." in response.content.decode()
    assert client.get(url).status_code == 405


def test_inbox_marks_and_lists_conversations_with_an_undelivered_reply(
    agent: Agent, brand: Brand, failed_reply: Message
) -> None:
    fine = quick_conversation(brand, subject="All good")
    conversations.update_conversation(fine, actor=None, assignee_id=agent.pk)
    failed = Conversation.objects.get(pk=failed_reply.conversation_id)
    conversations.update_conversation(failed, actor=None, assignee_id=agent.pk)
    client = _login(agent)
    html = client.get("/inbox/list/?view=mine").content.decode()
    row_failed = html.split(f'data-conversation-id="{failed.pk}"')[1].split("</li>")[0]
    row_fine = html.split(f'data-conversation-id="{fine.pk}"')[1].split("</li>")[0]
    assert "delivery-failed" in row_failed
    assert "delivery-failed" not in row_fine
    listed = client.get("/inbox/list/?view=undelivered").content.decode()
    assert f'data-conversation-id="{failed.pk}"' in listed
    assert f'data-conversation-id="{fine.pk}"' not in listed
    page = client.get("/inbox/").content.decode()
    assert 'data-count="undelivered" id="count-undelivered">1<' in page


def test_the_retry_button_is_shown_to_who_may_use_it(
    agent: Agent, failed_reply: Message, make_agent: Callable[..., Agent]
) -> None:
    colleague = make_agent(Role.AGENT)
    supervisor = make_agent(Role.SUPERVISOR)
    assert "retry-button" in _partial(_login(agent), failed_reply)  # the author
    assert "retry-button" in _partial(_login(supervisor), failed_reply)
    seen_by_colleague = _partial(_login(colleague), failed_reply)
    assert "retry-button" not in seen_by_colleague
    assert 'data-delivery="failed"' in seen_by_colleague  # the state is shown to everyone
    conversations.update_conversation(
        Conversation.objects.get(pk=failed_reply.conversation_id),
        actor=None,
        assignee_id=colleague.pk,
    )
    assert "retry-button" in _partial(_login(colleague), failed_reply)  # now the assignee


def test_a_reply_being_retried_marks_its_conversation_too(
    agent: Agent, email_conversation: Conversation, dead_relay: None
) -> None:
    conversations.update_conversation(email_conversation, actor=None, assignee_id=agent.pk)
    outbox.deliver(outbox_of(make_reply(email_conversation, agent)).pk)
    email_conversation.refresh_from_db()
    assert email_conversation.delivery_issue == "retrying"
    client = _login(agent)
    html = client.get("/inbox/list/?view=mine").content.decode()
    row = html.split(f'data-conversation-id="{email_conversation.pk}"')[1].split("</li>")[0]
    assert "delivery-retrying" in row and "Retrying delivery" in row
    listed = client.get("/inbox/list/?view=undelivered").content.decode()
    assert f'data-conversation-id="{email_conversation.pk}"' in listed
