"""Typed ``make_*`` helpers: test data made through the services, the way the app makes it."""

from __future__ import annotations

import itertools
from typing import Any

from tests.conftest import inbound
from wowdesk.channels import ingest
from wowdesk.channels.schema import InboundIn
from wowdesk.conversations import services as conversations
from wowdesk.conversations.models import Conversation, Inbox, Message, OutboxMessage
from wowdesk.core.models import Agent, Brand
from wowdesk.customers.models import Customer

_seq = itertools.count(1)


def unique(prefix: str = "x") -> str:
    return f"{prefix}-{next(_seq)}"


def post_inbound(brand: Brand, **over: Any) -> ingest.IngestResult:
    """Run one inbound item through the real ingest pipeline (as ``POST /inbound`` does)."""
    external_id = over.pop("external_id", None) or unique("ext")
    return ingest.ingest(brand.pk, InboundIn.model_validate(inbound(external_id, **over)))


def make_conversation(
    brand: Brand,
    *,
    email: str | None = None,
    name: str = "Ana Lima",
    subject: str = "My lamp arrived broken",
    body: str = "Hello, the lamp I ordered arrived with a cracked shade.",
    **over: Any,
) -> Conversation:
    """A new conversation opened by an inbound message from a (by default new) customer."""
    sender = {"name": name, "email": email or f"{unique('customer')}@example.com"}
    result = post_inbound(brand, **{"from": sender, "subject": subject, "body": body, **over})
    assert result.conversation_id is not None, result
    return Conversation.objects.get(pk=result.conversation_id)


def make_customer(brand: Brand, *, email: str | None = None, name: str = "Ana Lima") -> Customer:
    from wowdesk.customers.services import Contact, resolve_customer

    customer, _created = resolve_customer(
        brand.pk, Contact(name=name, email=email or f"{unique('customer')}@example.com")
    )
    return customer


def make_reply(conversation: Conversation, author: Agent, body: str = "We are on it.") -> Message:
    return conversations.add_reply(conversation, author=author, body=body)


def outbox_of(message: Message) -> OutboxMessage:
    return OutboxMessage.objects.get(message=message)


def quick_conversation(
    brand: Brand,
    *,
    subject: str = "Help",
    body: str = "Hello",
    name: str | None = None,
    email: str | None = None,
    channel: str = "api",
    inbox: Inbox | None = None,
) -> Conversation:
    """Straight through the services (no envelope, no annotation): setup at speed."""
    customer = make_customer(brand, name=name or unique("Customer"), email=email)
    conversation = conversations.create_conversation(
        inbox=inbox or conversations.default_inbox(brand.pk, channel),
        customer=customer,
        subject=subject,
    )
    conversations.append_incoming(
        conversation,
        customer,
        conversations.IncomingMessage(body=body, channel=inbox.channel if inbox else channel),
    )
    conversation.refresh_from_db()
    return conversation
