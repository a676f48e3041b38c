"""What the analytics app keeps about a customer (``customer.erasing``, docs/privacy.md).

Conversation facts, their tags and the hourly rollups hold no personal data (ids, times,
channels, languages, intents, products, scores): they stay, so every report reads the
same numbers after an erasure. The voice of the customer keeps a quote per topic member
(``TopicMember.text``) and one example per topic (``Topic.example``): those quoting the
customer become ``[erased]``; the member rows stay (the topic's counts).
"""

from __future__ import annotations

from wowdesk.analytics.models import Topic, TopicMember
from wowdesk.conversations.models import Conversation
from wowdesk.core import privacy as core_privacy
from wowdesk.core.privacy import ERASED


def on_customer_erasing(customer_id: int, brand_id: int) -> None:
    conversation_ids = Conversation.objects.filter(customer_id=customer_id).values("pk")
    members = (
        TopicMember.objects.filter(customer_id=customer_id).exclude(text="").update(text=ERASED)
    )
    members += (
        TopicMember.objects.filter(conversation_id__in=conversation_ids)
        .exclude(text__in=["", ERASED])
        .update(text=ERASED)
    )
    core_privacy.tally("topic_quotes", members)
    Topic.objects.filter(example_conversation_id__in=conversation_ids).update(example=ERASED)


def register() -> None:
    """The listener (called from ``AnalyticsConfig.ready``)."""
    from wowdesk.core.events import Event, Phase, listen

    listen(
        Event.CUSTOMER_ERASING,
        "wowdesk.analytics.privacy.on_customer_erasing",
        phase=Phase.TRANSACTION,
    )
