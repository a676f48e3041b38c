"""What the training app keeps about a customer (``customer.erasing``, docs/privacy.md):
scenarios made from their conversations lose the link to them (``source_conversation``
cleared). Their text was anonymised when they were made (names, emails, phones, order
numbers and addresses replaced), so it stays; training sessions hold only what trainees
and the simulated customer wrote.
"""

from __future__ import annotations

from wowdesk.conversations.models import Conversation
from wowdesk.core import privacy as core_privacy
from wowdesk.training.models import Scenario


def on_customer_erasing(customer_id: int, brand_id: int) -> None:
    conversation_ids = Conversation.objects.filter(customer_id=customer_id).values("pk")
    unlinked = Scenario.objects.filter(source_conversation_id__in=conversation_ids).update(
        source_conversation=None
    )
    core_privacy.tally("scenarios_unlinked", unlinked)


def register() -> None:
    """The listener (called from ``TrainingConfig.ready``)."""
    from wowdesk.core.events import Event, Phase, listen

    listen(
        Event.CUSTOMER_ERASING,
        "wowdesk.training.privacy.on_customer_erasing",
        phase=Phase.TRANSACTION,
    )
