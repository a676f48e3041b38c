"""Split a message off into a new conversation, and link related conversations: the
services, and the API per role and brand."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from tests.conftest import ApiClient
from tests.factories import make_reply, quick_conversation
from wowdesk.conversations import services as conversations
from wowdesk.conversations.models import (
    Conversation,
    ConversationLink,
    Direction,
    Message,
)
from wowdesk.core.errors import InvalidInput
from wowdesk.core.events import Event
from wowdesk.core.models import Agent, AuditLog, Brand, Role

ROLES = [Role.AGENT, Role.SUPERVISOR, Role.ADMIN]


def thread(brand: Brand, agent: Agent) -> tuple[Conversation, list[Message]]:
    """A conversation of four messages: in, out, in, in."""
    conversation = quick_conversation(brand, subject="Lamp and invoice", body="The lamp broke")
    first = Message.objects.get(conversation=conversation, direction=Direction.IN)
    reply = make_reply(conversation, agent, "Sorry, a new one is on its way")
    later = [
        conversations.append_incoming(
            conversation,
            conversation.customer,
            conversations.IncomingMessage(body=text, channel="api"),
        )
        for text in ("Also my invoice is wrong", "It says 40 instead of 30")
    ]
    conversation.refresh_from_db()
    return conversation, [first, reply, *later]


def bodies(conversation: Conversation) -> list[str]:
    return list(
        Message.objects.filter(conversation=conversation)
        .exclude(direction=Direction.ACTIVITY)
        .order_by("created_at", "id")
        .values_list("body", flat=True)
    )


def activity(conversation: Conversation) -> list[str]:
    return list(
        Message.objects.filter(conversation=conversation, direction=Direction.ACTIVITY)
        .order_by("id")
        .values_list("body", flat=True)
    )


def test_split_moves_the_message_and_the_picked_later_ones(
    brand: Brand, agent: Agent, event_log: Any
) -> None:
    source, (first, reply, invoice, amount) = thread(brand, agent)
    new = conversations.split_conversation(
        source, invoice.pk, actor=agent, also=[amount.pk], subject="Invoice wrong"
    )
    source.refresh_from_db()
    assert (new.customer_id, new.inbox_id, new.brand_id) == (
        source.customer_id,
        source.inbox_id,
        source.brand_id,
    )
    assert new.subject == "Invoice wrong" and new.number != source.number
    assert bodies(source) == [first.body, reply.body]
    assert bodies(new) == [invoice.body, amount.body]
    assert (source.message_count, new.message_count) == (2, 2)
    # the source's customer was answered last; the new one waits since the invoice mail
    assert source.waiting_since is None
    assert new.waiting_since == invoice.created_at
    assert any(f"#{new.number}" in line for line in activity(source))
    assert any(f"#{source.number}" in line for line in activity(new))
    log = AuditLog.objects.get(action="conversation.split")
    assert log.before["source_id"] == source.pk and log.after["messages"] == [invoice.pk, amount.pk]
    changed = {p["conversation_id"]: p["changes"] for p in event_log.of(Event.CONVERSATION_UPDATED)}
    assert changed[source.pk] == {"split_into": new.pk}
    assert changed[new.pk] == {"split_from": source.pk}
    assert new.pk in [p["conversation_id"] for p in event_log.of(Event.CONVERSATION_CREATED)]


def test_split_refusals(brand: Brand, other_brand: Brand, agent: Agent) -> None:
    source, (first, reply, invoice, amount) = thread(brand, agent)
    elsewhere, _ = thread(other_brand, agent)
    line = conversations.add_activity(source, "a line", actor=None)
    theirs = Message.objects.filter(conversation=elsewhere).first()
    assert theirs is not None
    for message_id, also, field in (
        (theirs.pk, [], "message_id"),  # another conversation's message
        (999_999_999, [], "message_id"),
        (line.pk, [], "message_id"),  # an activity line
        (amount.pk, [invoice.pk], "also"),  # an earlier message cannot go with it
        (invoice.pk, [theirs.pk], "also"),
        (first.pk, [reply.pk, invoice.pk, amount.pk], "message_id"),  # nothing would stay
    ):
        with pytest.raises(InvalidInput) as caught:
            conversations.split_conversation(source, message_id, actor=agent, also=also)
        assert caught.value.field == field
    assert bodies(source) == [first.body, reply.body, invoice.body, amount.body]
    assert Conversation.objects.filter(brand=brand).count() == 1


@pytest.mark.parametrize("role", ROLES)
def test_split_api_per_role_and_brand(
    role: str,
    brand: Brand,
    other_brand: Brand,
    make_agent: Callable[..., Agent],
    make_api: Callable[[Agent | None], ApiClient],
) -> None:
    helper = make_agent(Role.AGENT)
    source, (_first, _reply, invoice, _amount) = thread(brand, helper)
    own = make_api(make_agent(role))
    stranger = make_api(make_agent(role, brands=[other_brand]))
    refused = stranger.post(f"/conversations/{source.pk}/split", {"message_id": invoice.pk})
    assert refused.status_code == 403
    assert Conversation.objects.filter(brand=brand).count() == 1
    missing = own.post("/conversations/999999999/split", {"message_id": invoice.pk})
    assert missing.status_code == 404
    bad = own.post(f"/conversations/{source.pk}/split", {"message_id": "x"})
    assert bad.status_code == 422
    done = own.post(f"/conversations/{source.pk}/split", {"message_id": invoice.pk})
    assert done.status_code == 201, done.content
    new = done.json()
    assert new["id"] != source.pk and new["customer"]["id"] == source.customer_id
    assert [m["body"] for m in new["messages"] if m["direction"] == "in"] == [invoice.body]


def test_link_is_symmetric_said_in_both_threads_and_undone(brand: Brand, agent: Agent) -> None:
    a = quick_conversation(brand)
    b = quick_conversation(brand)
    assert conversations.link_conversations(b, a, actor=agent) is True
    assert conversations.link_conversations(a, b, actor=agent) is False  # already linked
    assert ConversationLink.objects.count() == 1
    assert [c.pk for c in conversations.linked_conversations(a)] == [b.pk]
    assert [c.pk for c in conversations.linked_conversations(b)] == [a.pk]
    assert any(f"#{a.number}" in line for line in activity(b))
    assert any(f"#{b.number}" in line for line in activity(a))
    assert conversations.unlink_conversations(a, b, actor=agent) is True
    assert conversations.unlink_conversations(a, b, actor=agent) is False
    assert conversations.linked_conversations(a) == []
    assert list(
        AuditLog.objects.filter(action__startswith="conversation.")
        .order_by("id")
        .values_list("action", flat=True)
    )[-2:] == ["conversation.link", "conversation.unlink"]


def test_link_refusals(brand: Brand, other_brand: Brand, agent: Agent) -> None:
    a = quick_conversation(brand)
    elsewhere = quick_conversation(other_brand)
    for one, other in ((a, a), (a, elsewhere), (elsewhere, a)):
        with pytest.raises(InvalidInput) as caught:
            conversations.link_conversations(one, other, actor=agent)
        assert caught.value.field == "conversation_id"
    assert ConversationLink.objects.count() == 0


@pytest.mark.parametrize("role", ROLES)
def test_link_api_per_role_and_brand(
    role: str,
    brand: Brand,
    other_brand: Brand,
    make_agent: Callable[..., Agent],
    make_api: Callable[[Agent | None], ApiClient],
) -> None:
    a, b = quick_conversation(brand), quick_conversation(brand)
    theirs = quick_conversation(other_brand)
    own = make_api(make_agent(role))
    stranger = make_api(make_agent(role, brands=[other_brand]))
    assert (
        stranger.post(f"/conversations/{a.pk}/links", {"conversation_id": b.pk}).status_code == 403
    )
    assert stranger.get(f"/conversations/{a.pk}/links").status_code == 403
    across = own.post(f"/conversations/{a.pk}/links", {"conversation_id": theirs.pk})
    assert across.status_code == 403 and across.json()["field"] == "conversation_id"
    gone = own.post(f"/conversations/{a.pk}/links", {"conversation_id": 999_999_999})
    assert gone.status_code == 404 and gone.json()["field"] == "conversation_id"
    assert ConversationLink.objects.count() == 0
    made = own.post(f"/conversations/{a.pk}/links", {"conversation_id": b.pk})
    assert made.status_code == 201 and [c["id"] for c in made.json()] == [b.pk]
    assert [c["id"] for c in own.get(f"/conversations/{b.pk}/links").json()] == [a.pk]
    # the other brand's agent cannot remove it either
    refused = stranger.client.delete(
        f"/api/v1/conversations/{b.pk}/links",
        json.dumps({"conversation_id": a.pk}),
        content_type="application/json",
        headers=stranger._headers(),
    )
    assert refused.status_code == 403 and ConversationLink.objects.count() == 1
    removed = own.client.delete(
        f"/api/v1/conversations/{b.pk}/links",
        json.dumps({"conversation_id": a.pk}),
        content_type="application/json",
        headers=own._headers(),
    )
    assert removed.status_code == 200 and removed.json() == []
    assert ConversationLink.objects.count() == 0
