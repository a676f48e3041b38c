"""What the channels app keeps about a customer: the inbound envelopes (each item as
received) and the raw mails of their messages (``customer.erasing``, docs/privacy.md).

An envelope keeps its row, channel, status and times (so counts and idempotency hold);
its payload's text becomes ``[erased]`` and its error is blanked. A raw mail keeps its
row, size and status; its addresses, subject, Message-ID and reason are blanked and its
spooled file is deleted. A raw mail that never became a message (refused, failed) is not
tied to any customer and stays as it is.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import Q

from wowdesk.channels.email.models import RawMail
from wowdesk.channels.email.services import spool_dir
from wowdesk.channels.models import InboundEnvelope
from wowdesk.conversations.models import Conversation, Message
from wowdesk.core import privacy as core_privacy
from wowdesk.core.privacy import ERASED, scrub

CHUNK = 500


def on_customer_erasing(customer_id: int, brand_id: int) -> None:
    conversation_ids = list(
        Conversation.objects.filter(customer_id=customer_id).values_list("pk", flat=True)
    )
    message_ids = list(
        Message.objects.filter(
            Q(conversation_id__in=conversation_ids) | Q(sender_id=customer_id)
        ).values_list("pk", flat=True)
    )
    envelopes = 0
    for start in range(0, len(message_ids), CHUNK):
        chunk = message_ids[start : start + CHUNK]
        rows = list(InboundEnvelope.objects.filter(message_id__in=chunk))
        envelopes += _erase_envelopes(rows)
        mails = list(RawMail.objects.filter(message_id__in=chunk))
        for mail in mails:
            if mail.spool_path:
                (spool_dir() / mail.spool_path).unlink(missing_ok=True)
            mail.spool_path = ""
            mail.mail_from = ""
            mail.rcpt_to = []
            mail.subject = ""
            mail.header_message_id = ""
            mail.reason = ""
        RawMail.objects.bulk_update(
            mails, ["spool_path", "mail_from", "rcpt_to", "subject", "header_message_id", "reason"]
        )
        core_privacy.tally("raw_mails", len(mails))
    # envelopes not (yet) tied to a message but filed under one of the conversations
    rows = list(
        InboundEnvelope.objects.filter(
            conversation_id_cache__in=conversation_ids, message__isnull=True
        )
    )
    envelopes += _erase_envelopes(rows)
    core_privacy.tally("inbound_envelopes", envelopes)


def _erase_envelopes(rows: list[InboundEnvelope]) -> int:
    for row in rows:
        row.payload = scrub(row.payload)
        row.error = ERASED if row.error else ""
    InboundEnvelope.objects.bulk_update(rows, ["payload", "error"])
    return len(rows)


def export_envelopes(customer_id: int, brand_id: int) -> Iterator[dict[str, Any]]:
    """The channels' section: how each of the customer's messages arrived (channel,
    external id, time), not the payload again (the conversations section holds it)."""
    rows = InboundEnvelope.objects.filter(message__conversation__customer_id=customer_id)
    for e in rows.order_by("pk").iterator(chunk_size=CHUNK):
        yield {
            "channel": e.channel,
            "external_id": e.external_id,
            "status": e.status,
            "received_at": e.received_at.isoformat(),
        }


def register() -> None:
    """Listener and export section (called from ``ChannelsConfig.ready``)."""
    from wowdesk.core.events import Event, Phase, listen

    listen(
        Event.CUSTOMER_ERASING,
        "wowdesk.channels.privacy.on_customer_erasing",
        phase=Phase.TRANSACTION,
    )
    core_privacy.register_exporter("inbound", "wowdesk.channels.privacy.export_envelopes", order=20)
