"""Chat visitors are scoped to their brand: the same user id verified in two brands is two
visitors, two customers and two socket groups; nothing one brand sends reaches the other."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async

from tests.channels.chat.conftest import run, visitor
from wowdesk.channels import outbox
from wowdesk.channels.chat import services as chat
from wowdesk.channels.chat import tokens
from wowdesk.conversations import services as conversations
from wowdesk.conversations.models import Conversation, Inbox, OutboxMessage, OutboxStatus
from wowdesk.core.models import Agent, Brand
from wowdesk.core.realtime import visitor_group
from wowdesk.customers import services as crm
from wowdesk.customers.models import Identity, IdentityKind

pytestmark = pytest.mark.usefixtures("transactional_db", "fresh_layer_and_cache")


def widget(brand: Brand, name: str = "Website chat") -> Inbox:
    return chat.ensure_widget(
        conversations.create_inbox(brand_id=brand.pk, name=name, channel="chat")
    )


def ref(inbox: Inbox) -> str:
    return chat.widget_settings(inbox).token


def hash_for(inbox: Inbox, user_id: str) -> str:
    return tokens.user_hash(chat.widget_settings(inbox).secret, user_id)


@database_sync_to_async
def answer(conversation_id: int, agent: Agent, body: str) -> str:
    conversation = Conversation.objects.get(pk=conversation_id)
    message = conversations.add_reply(conversation, author=agent, body=body)
    return str(outbox.deliver(OutboxMessage.objects.get(message=message).pk).status)


@pytest.mark.parametrize("user_id", ["customer-42", "1", "ana@example.com"])
def test_the_same_user_id_in_two_brands_is_two_visitors(
    brand: Brand, other_brand: Brand, make_agent: object, user_id: str
) -> None:
    mine, theirs = widget(brand), widget(other_brand)
    agent_a = make_agent(brands=[brand])  # type: ignore[operator]

    async def scenario() -> None:
        a, welcome_a = await visitor(ref(mine), user_id=user_id, user_hash=hash_for(mine, user_id))
        b, welcome_b = await visitor(
            ref(theirs), user_id=user_id, user_hash=hash_for(theirs, user_id)
        )
        assert welcome_a["verified"] and welcome_b["verified"]
        assert welcome_a["visitor"] != welcome_b["visitor"]
        await a.send_json({"type": "message", "client_id": "a0000001", "body": "Brand A here"})
        ack_a = await a.receive_type("ack")
        await a.receive_type("message")  # own echo
        await b.send_json({"type": "message", "client_id": "b0000001", "body": "Brand B here"})
        ack_b = await b.receive_type("ack")
        await b.receive_type("message")
        assert ack_a["conversation_id"] != ack_b["conversation_id"]

        assert await answer(ack_a["conversation_id"], agent_a, "Only for A") == OutboxStatus.SENT
        pushed = await a.receive_type("message")
        assert pushed["body"] == "Only for A"
        assert await b.receive_nothing(0.5)  # brand B's visitor hears nothing of it
        await a.close()
        await b.close()

    run(scenario)
    a_customer = Conversation.objects.get(brand=brand).customer
    b_customer = Conversation.objects.get(brand=other_brand).customer
    assert a_customer.pk != b_customer.pk
    assert Identity.objects.get(customer=a_customer, kind="chat").brand_id == brand.pk


def test_visitor_groups_name_the_brand() -> None:
    assert visitor_group(1, "u00") != visitor_group(2, "u00")
    assert visitor_group(7, "vabc") == "visitor.7.vabc"


def test_a_verified_visitor_of_the_old_id_keeps_their_customer_in_their_brand_only(
    brand: Brand, other_brand: Brand
) -> None:
    mine, theirs = widget(brand), widget(other_brand)
    legacy = tokens.legacy_verified_visitor_id("customer-7")
    known, _ = crm.resolve_customer(
        brand.pk, crm.Contact(name="Ana", handle=legacy, handle_kind=IdentityKind.CHAT)
    )

    async def scenario() -> None:
        a, _ = await visitor(
            ref(mine), user_id="customer-7", user_hash=hash_for(mine, "customer-7")
        )
        await a.close()
        b, _ = await visitor(
            ref(theirs), user_id="customer-7", user_hash=hash_for(theirs, "customer-7")
        )
        await b.close()

    run(scenario)
    new_id = tokens.verified_visitor_id(brand.pk, "customer-7")
    assert chat.visitor_customer(brand.pk, new_id) == known
    assert (
        chat.visitor_customer(
            other_brand.pk, tokens.verified_visitor_id(other_brand.pk, "customer-7")
        )
        is None
    )
    assert not Identity.objects.filter(brand=other_brand).exists()
