"""Replies go out through each network's send API; a local server stands in for it."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from tests.channels.social.conftest import FakeApi, payload_bytes
from wowdesk.channels import outbox
from wowdesk.channels.social.signing import hub_signature, sign, verify
from wowdesk.conversations import services as conversations
from wowdesk.conversations.models import Conversation, Inbox, Message, OutboxMessage, OutboxStatus
from wowdesk.core.models import Agent

pytestmark = pytest.mark.django_db

MakeInbox = Callable[..., Inbox]

INBOUND = {
    "whatsapp": "whatsapp_text.json",
    "telegram": "telegram_message.json",
    "messenger": "messenger_text.json",
    "generic": "generic.json",
}


def receive(client: Client, inbox: Inbox, network: str) -> Conversation:
    raw = payload_bytes(INBOUND[network])
    headers: dict[str, str]
    if network in ("whatsapp", "messenger"):
        headers = {"X-Hub-Signature-256": hub_signature("meta-app-secret", raw)}
    elif network == "telegram":
        headers = {"X-Telegram-Bot-Api-Secret-Token": "tg-secret_123"}
    else:
        ts = int(time.time())
        headers = {"X-Wowdesk-Signature": sign("generic-secret", raw, ts)}
        headers["X-Wowdesk-Timestamp"] = str(ts)
    response = client.post(
        f"/hooks/social/{inbox.pk}", raw, content_type="application/json", headers=headers
    )
    assert response.status_code == 200, response.content
    return Conversation.objects.get(pk=response.json()["results"][0]["conversation_id"])


def reply(conversation: Conversation, agent: Agent, body: str = "Yes, in blue and green.") -> int:
    message = conversations.add_reply(conversation, author=agent, body=body)
    return OutboxMessage.objects.get(message=message).pk


@pytest.fixture
def network_inbox(social_inbox: MakeInbox, fake_api: FakeApi) -> Callable[[str], Inbox]:
    def make(network: str) -> Inbox:
        extra: dict[str, Any] = {"api_base_url": fake_api.base_url}
        if network == "generic":
            extra = {"reply_url": fake_api.base_url + "/replies"}
        return social_inbox(network, **extra)

    return make


def test_whatsapp_reply_posts_to_the_phone_number_with_the_bearer_token(
    client: Client, network_inbox: Callable[[str], Inbox], fake_api: FakeApi, agent: Agent
) -> None:
    conversation = receive(client, network_inbox("whatsapp"), "whatsapp")
    row = outbox.deliver(reply(conversation, agent))
    assert row.status == OutboxStatus.SENT, row.last_error
    [seen] = fake_api.requests
    assert seen.path == "/106540352242922/messages"
    assert seen.headers["authorization"] == "Bearer EAAJB-whatsapp-token"
    assert seen.body == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": "16505551234",
        "type": "text",
        "text": {"preview_url": False, "body": "Yes, in blue and green."},
    }
    assert Message.objects.get(pk=row.message_id).sent_at is not None


def test_telegram_reply_calls_send_message_on_the_chat(
    client: Client, network_inbox: Callable[[str], Inbox], fake_api: FakeApi, agent: Agent
) -> None:
    conversation = receive(client, network_inbox("telegram"), "telegram")
    row = outbox.deliver(reply(conversation, agent))
    assert row.status == OutboxStatus.SENT, row.last_error
    [seen] = fake_api.requests
    assert seen.path == "/bot123456:ABC-DEF1234ghIkl-zyx57W2v1u123ew11/sendMessage"
    assert seen.body == {"chat_id": 1111111, "text": "Yes, in blue and green."}


def test_messenger_reply_uses_the_send_api_with_the_page_token(
    client: Client, network_inbox: Callable[[str], Inbox], fake_api: FakeApi, agent: Agent
) -> None:
    conversation = receive(client, network_inbox("messenger"), "messenger")
    row = outbox.deliver(reply(conversation, agent))
    assert row.status == OutboxStatus.SENT, row.last_error
    [seen] = fake_api.requests
    assert seen.path == "/me/messages"
    assert seen.query == {"access_token": ["EAAJB-page-token"]}
    assert seen.body == {
        "recipient": {"id": "2345678901234567"},
        "messaging_type": "RESPONSE",
        "message": {"text": "Yes, in blue and green."},
    }


def test_generic_reply_is_signed(
    client: Client, network_inbox: Callable[[str], Inbox], fake_api: FakeApi, agent: Agent
) -> None:
    import json

    conversation = receive(client, network_inbox("generic"), "generic")
    row = outbox.deliver(reply(conversation, agent))
    assert row.status == OutboxStatus.SENT, row.last_error
    [seen] = fake_api.requests
    assert seen.path == "/replies"
    assert seen.body["to"] == "U4af4980629" and seen.body["text"] == "Yes, in blue and green."
    raw = json.dumps(seen.body).encode()
    verify(
        "generic-secret",
        raw,
        seen.headers["x-wowdesk-signature"],
        seen.headers["x-wowdesk-timestamp"],
        now=time.time(),
    )


@pytest.mark.parametrize(
    ("network", "answer", "final"),
    [
        ("whatsapp", (429, {"error": {"message": "Too many", "code": 4}}), OutboxStatus.QUEUED),
        ("whatsapp", (503, {"error": {"message": "Service unavailable"}}), OutboxStatus.QUEUED),
        # Meta reports throttling as 400 with a rate-limit code: still worth a retry
        ("whatsapp", (400, {"error": {"message": "Rate limit", "code": 130429}}), "queued"),
        (
            "whatsapp",
            (400, {"error": {"message": "Invalid parameter", "code": 100}}),
            OutboxStatus.FAILED,
        ),
        (
            "telegram",
            (
                429,
                {
                    "ok": False,
                    "error_code": 429,
                    "description": "Too Many Requests: retry after 5",
                    "parameters": {"retry_after": 5},
                },
            ),
            OutboxStatus.QUEUED,
        ),
        (
            "telegram",
            (403, {"ok": False, "error_code": 403, "description": "Forbidden: bot was blocked"}),
            OutboxStatus.FAILED,
        ),
        ("messenger", (500, {"error": {"message": "Unknown", "code": 1}}), OutboxStatus.QUEUED),
        (
            "messenger",
            (400, {"error": {"message": "No matching user found", "code": 100}}),
            OutboxStatus.FAILED,
        ),
        ("generic", (502, {}), OutboxStatus.QUEUED),
        ("generic", (404, {}), OutboxStatus.FAILED),
    ],
)
def test_errors_map_to_retry_or_failed(
    client: Client,
    network_inbox: Callable[[str], Inbox],
    fake_api: FakeApi,
    agent: Agent,
    network: str,
    answer: tuple[int, Any],
    final: str,
) -> None:
    conversation = receive(client, network_inbox(network), network)
    fake_api.script.append(answer)
    row = outbox.deliver(reply(conversation, agent))
    assert row.status == final
    assert row.last_error.startswith(("TransientSendError", "HTTP")), row.last_error
    assert str(answer[0]) in row.last_error
    assert len(fake_api.requests) == 1


def test_a_network_that_cannot_be_reached_is_retried(
    client: Client, social_inbox: MakeInbox, agent: Agent
) -> None:
    inbox = social_inbox("telegram", api_base_url="http://127.0.0.1:9")  # discard port: closed
    conversation = receive(client, inbox, "telegram")
    row = outbox.deliver(reply(conversation, agent))
    assert row.status == OutboxStatus.QUEUED
    assert "ConnectError" in row.last_error


@pytest.mark.django_db(transaction=True)
def test_a_network_api_is_called_with_no_transaction_open(
    client: Client,
    network_inbox: Callable[[str], Inbox],
    fake_api: FakeApi,
    agent: Agent,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A network's API may take its timeout to answer: no write lock is held meanwhile."""
    from django.db import connection

    from wowdesk.channels.social import outbound

    real = outbound._post
    seen: list[bool] = []

    def watched(url: str, **kwargs: Any) -> Any:
        seen.append(connection.in_atomic_block)
        return real(url, **kwargs)

    monkeypatch.setattr(outbound, "_post", watched)
    for network in ("whatsapp", "telegram", "generic"):
        conversation = receive(client, network_inbox(network), network)
        row = outbox.deliver(reply(conversation, agent))
        assert row.status == OutboxStatus.SENT, row.last_error
    assert seen and not any(seen)
