"""What the notifications app keeps about a customer (``customer.erasing``,
docs/privacy.md): the title parameters of notifications about their conversations (a
customer's name, a subject, a quote) become ``[erased]``; kind, count, times and read
state stay.
"""

from __future__ import annotations

from wowdesk.conversations.models import Conversation
from wowdesk.core import privacy as core_privacy
from wowdesk.core.privacy import scrub
from wowdesk.notifications.models import Notification


def on_customer_erasing(customer_id: int, brand_id: int) -> None:
    conversation_ids = Conversation.objects.filter(customer_id=customer_id).values("pk")
    rows = list(
        Notification.objects.filter(conversation_id__in=conversation_ids).exclude(params={})
    )
    for row in rows:
        row.params = scrub(row.params)
    Notification.objects.bulk_update(rows, ["params"], batch_size=500)
    core_privacy.tally("notifications", len(rows))


def register() -> None:
    """The listener (called from ``NotificationsConfig.ready``)."""
    from wowdesk.core.events import Event, Phase, listen

    listen(
        Event.CUSTOMER_ERASING,
        "wowdesk.notifications.privacy.on_customer_erasing",
        phase=Phase.TRANSACTION,
    )
