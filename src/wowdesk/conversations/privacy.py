"""What the conversations app keeps about a customer: erased with them, exported for them
(``customer.erasing``, docs/privacy.md).

Conversations and messages keep their rows (counts, times, channels, statuses), with
their text replaced by ``[erased]``: subjects, bodies, HTML, the channel metadata of
messages (addresses, headers), custom field values, delivery errors. Attachments are
deleted, with their files when no other attachment shares them (files are stored by
content). The search indexes follow the rows (``core.textsearch`` triggers and
expression indexes). Audit rows and alerts about these conversations are blanked by the
core's helpers.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.core.files.storage import default_storage
from django.db.models import Q

from wowdesk.conversations.models import Attachment, Conversation, Message, OutboxMessage
from wowdesk.core import privacy as core_privacy
from wowdesk.core.privacy import ERASED, scrub

CHUNK = 500


def _conversation_ids(customer_id: int) -> list[int]:
    return list(
        Conversation.objects.filter(customer_id=customer_id)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def on_customer_erasing(customer_id: int, brand_id: int) -> None:
    conversation_ids = _conversation_ids(customer_id)
    messages = Message.objects.filter(
        Q(conversation_id__in=conversation_ids) | Q(sender_id=customer_id)
    )
    message_ids = list(messages.order_by("pk").values_list("pk", flat=True))
    erased_messages = 0
    for start in range(0, len(message_ids), CHUNK):
        chunk = message_ids[start : start + CHUNK]
        erased_messages += Message.objects.filter(pk__in=chunk).update(body=ERASED, html="")
        with_meta = list(Message.objects.filter(pk__in=chunk).exclude(meta={}).only("pk", "meta"))
        for message in with_meta:
            message.meta = scrub(message.meta)
        Message.objects.bulk_update(with_meta, ["meta"])
        OutboxMessage.objects.filter(message_id__in=chunk).exclude(last_error="").update(
            last_error=ERASED
        )
        attachments = list(Attachment.objects.filter(message_id__in=chunk))
        files = {a.file.name for a in attachments if a.file}
        Attachment.objects.filter(pk__in=[a.pk for a in attachments]).delete()
        shared = set(Attachment.objects.filter(file__in=list(files)).values_list("file", flat=True))
        for name in files - shared:
            if default_storage.exists(name):
                default_storage.delete(name)
        core_privacy.tally("attachments", len(attachments))
    conversations = list(Conversation.objects.filter(pk__in=conversation_ids))
    for conversation in conversations:
        conversation.subject = ERASED if conversation.subject else ""
        conversation.custom_fields = scrub(conversation.custom_fields or {})
    Conversation.objects.bulk_update(conversations, ["subject", "custom_fields"], batch_size=CHUNK)
    core_privacy.tally("conversations", len(conversations))
    core_privacy.tally("messages", erased_messages)
    core_privacy.blank_audit("conversation", conversation_ids)
    core_privacy.blank_audit("message", message_ids)
    core_privacy.erase_alerts(conversation_ids)


def export_conversations(customer_id: int, brand_id: int) -> Iterator[dict[str, Any]]:
    """One item per conversation with its messages, read a chunk of conversations at a
    time (bounded memory for a customer with many)."""
    ids = _conversation_ids(customer_id)
    for start in range(0, len(ids), 50):
        chunk = ids[start : start + 50]
        messages: dict[int, list[dict[str, Any]]] = {}
        for m in (
            Message.objects.filter(conversation_id__in=chunk)
            .prefetch_related("attachments")
            .order_by("created_at", "pk")
        ):
            messages.setdefault(m.conversation_id, []).append(
                {
                    "id": m.pk,
                    "direction": m.direction,
                    "channel": m.channel,
                    "body": m.body,
                    "language": m.language,
                    "created_at": m.created_at.isoformat(),
                    "attachments": [
                        {"filename": a.filename, "content_type": a.content_type, "size": a.size}
                        for a in m.attachments.all()
                    ],
                }
            )
        for c in Conversation.objects.filter(pk__in=chunk).select_related("inbox").order_by("pk"):
            yield {
                "id": c.pk,
                "number": c.number,
                "subject": c.subject,
                "status": c.status,
                "channel": c.inbox.channel if c.inbox else "",
                "language": c.language,
                "custom_fields": c.custom_fields,
                "created_at": c.created_at.isoformat(),
                "messages": messages.get(c.pk, []),
            }


def register() -> None:
    """Listener and export section (called from ``ConversationsConfig.ready``)."""
    from wowdesk.core.events import Event, Phase, listen

    listen(
        Event.CUSTOMER_ERASING,
        "wowdesk.conversations.privacy.on_customer_erasing",
        phase=Phase.TRANSACTION,
    )
    core_privacy.register_exporter(
        "conversations", "wowdesk.conversations.privacy.export_conversations", order=10
    )
