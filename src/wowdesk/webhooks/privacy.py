"""What the webhooks app keeps about a customer (``customer.erasing``, docs/privacy.md).

A delivery stores its event's payload and, once sent, the body it sent (a snapshot of
the message, the conversation and the customer). The deliveries naming the customer, one
of their conversations or one of their messages keep their row, event, status and
attempts (ids and numbers too); every text of the payload becomes ``[erased]`` and the
stored body is emptied. One not yet sent is sent later with what the house holds then:
the erased values.
"""

from __future__ import annotations

from django.db.models import Q

from wowdesk.conversations.models import Conversation, Message
from wowdesk.core import privacy as core_privacy
from wowdesk.core.privacy import scrub
from wowdesk.webhooks.models import WebhookDelivery

CHUNK = 500


def on_customer_erasing(customer_id: int, brand_id: int) -> None:
    conversation_ids = list(
        Conversation.objects.filter(customer_id=customer_id).values_list("pk", flat=True)
    )
    message_ids = list(
        Message.objects.filter(conversation_id__in=conversation_ids).values_list("pk", flat=True)
    )
    wanted = Q(payload__customer_id=customer_id) | Q(payload__merged_id=customer_id)
    for start in range(0, len(conversation_ids), CHUNK):
        wanted |= Q(payload__conversation_id__in=conversation_ids[start : start + CHUNK])
    for start in range(0, len(message_ids), CHUNK):
        wanted |= Q(payload__message_id__in=message_ids[start : start + CHUNK])
    rows = list(WebhookDelivery.objects.filter(Q(brand_id=brand_id) & wanted))
    for row in rows:
        row.payload = scrub(row.payload)
        row.body = ""
    WebhookDelivery.objects.bulk_update(rows, ["payload", "body"], batch_size=CHUNK)
    core_privacy.tally("webhook_deliveries", len(rows))


def register() -> None:
    """The listener (called from ``WebhooksConfig.ready``)."""
    from wowdesk.core.events import Event, Phase, listen

    listen(
        Event.CUSTOMER_ERASING,
        "wowdesk.webhooks.privacy.on_customer_erasing",
        phase=Phase.TRANSACTION,
    )
