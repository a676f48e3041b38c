"""Listeners (core/events.py) that tell open workspaces what changed.

They run after the transaction commits, on the ingest path too, so each costs at most one
small query; the pushes themselves go out once the listeners' transaction commits
(core/realtime.py). The browser fetches what it needs to show (a message partial, the inbox
list) with ordinary requests, which apply the usual permissions.
"""

from __future__ import annotations

from typing import Any

from wowdesk.conversations.models import Conversation, Message
from wowdesk.core.events import many, outside_transaction
from wowdesk.core.realtime import agent_group, brand_group, conversation_group, publish
from wowdesk.web.inbox import bump_counts


@outside_transaction
def on_message_created(
    *,
    message_id: int,
    conversation_id: int,
    brand_id: int,
    direction: str,
    **_: Any,
) -> None:
    """``message.created`` to whoever has the conversation open and to the brand's inboxes.
    The emitters put brand and direction in the event: no query on the ingest path."""
    data = {"message_id": message_id, "conversation_id": conversation_id, "direction": direction}
    publish(conversation_group(conversation_id), "message.created", **data)
    publish(brand_group(brand_id), "message.created", **data)


def on_conversations_updated(payloads: list[dict[str, Any]]) -> None:
    """``on_conversation_updated`` for many (a bulk change): the brands in one query, the
    counts of each brand bumped once."""
    brands = dict(
        Conversation.objects.filter(pk__in=[p["conversation_id"] for p in payloads]).values_list(
            "pk", "brand_id"
        )
    )
    for changed in sorted(set(brands.values())):
        bump_counts(changed)
    for p in payloads:
        brand_id = brands.get(p["conversation_id"])
        if brand_id is not None:
            _publish_updated(p["conversation_id"], brand_id, p.get("changes"))


@many(on_conversations_updated)
def on_conversation_updated(
    *, conversation_id: int, changes: dict[str, Any] | None = None, **_: Any
) -> None:
    """``conversation.updated`` to the conversation and brand groups; when it was assigned
    to someone, ``conversation.assigned`` to that agent."""
    brand_id = (
        Conversation.objects.filter(pk=conversation_id).values_list("brand_id", flat=True).first()
    )
    if brand_id is None:
        return
    bump_counts(brand_id)
    _publish_updated(conversation_id, brand_id, changes)


def _publish_updated(conversation_id: int, brand_id: int, changes: dict[str, Any] | None) -> None:
    publish(
        conversation_group(conversation_id), "conversation.updated", conversation_id=conversation_id
    )
    publish(brand_group(brand_id), "conversation.updated", conversation_id=conversation_id)
    assignee_id = (changes or {}).get("assignee_id")
    if assignee_id:
        publish(
            agent_group(int(assignee_id)), "conversation.assigned", conversation_id=conversation_id
        )


@outside_transaction
def on_delivery_changed(
    *,
    message_id: int,
    conversation_id: int,
    brand_id: int,
    state: str,
    outbox_id: int,
    **_: Any,
) -> None:
    """``message.delivery`` to whoever has the conversation open (the message redraws
    its delivery line) and to the brand (lists and the supervisor board refresh); when the
    reply failed, ``delivery.failed`` to its author, wherever they are in the workspace
    (the only case that reads the message: the event says the rest)."""
    bump_counts(brand_id)  # the conversation's delivery issue may have changed
    data = {"message_id": message_id, "conversation_id": conversation_id, "state": state}
    publish(conversation_group(conversation_id), "message.delivery", **data)
    publish(brand_group(brand_id), "message.delivery", **data)
    if state != "failed":
        return
    row = Message.objects.filter(pk=message_id).values("author_id", "conversation__number").first()
    if row is not None and row["author_id"]:
        publish(
            agent_group(row["author_id"]),
            "delivery.failed",
            number=row["conversation__number"],
            outbox_id=outbox_id,
            **data,
        )


@outside_transaction
def on_message_annotated(
    *, message_id: int, conversation_id: int, fields: dict[str, Any], **_: Any
) -> None:
    """``message.annotated`` to whoever has the conversation open: the message redraws
    with its mood (an emotion score arrives after the message, from the worker)."""
    publish(
        conversation_group(conversation_id),
        "message.annotated",
        message_id=message_id,
        conversation_id=conversation_id,
        fields=sorted(fields),
    )
