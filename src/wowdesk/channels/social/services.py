"""Social and messaging inbound: a network's webhook body into the one ingest path.

An edge like ``ingest`` itself: it owns no transaction of its own beyond what ingest does,
and a body we cannot read is still kept (a ``rejected`` envelope an admin sees).
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from pydantic import ValidationError

from wowdesk.channels import ingest
from wowdesk.channels.models import EnvelopeStatus, InboundEnvelope
from wowdesk.channels.schema import InboundIn
from wowdesk.channels.social.networks import SocialMessage
from wowdesk.conversations.models import Inbox
from wowdesk.core.errors import ServiceError
from wowdesk.customers.identity import InvalidAddress, normalize_phone

log = logging.getLogger(__name__)

# What of a raw body we keep when it cannot be parsed (the envelope is for a person).
RAW_LIMIT = 200_000


@dataclass(frozen=True)
class Delivered:
    external_id: str
    status: str
    message_id: int | None
    conversation_id: int | None
    duplicate: bool
    error: str = ""


def external_id(msg: SocialMessage) -> str:
    return f"{msg.network}:{msg.message_id}"[:400]


def to_inbound(inbox: Inbox, msg: SocialMessage) -> InboundIn:
    phone = ""
    if msg.phone:
        try:
            phone = normalize_phone(msg.phone)
        except InvalidAddress:
            phone = ""
    return InboundIn.model_validate(
        {
            "channel": "social",
            "external_id": external_id(msg),
            "from": {
                "name": msg.name[:200],
                "handle": f"{msg.network}:{msg.user_id}",
                "phone": phone,
            },
            "body": msg.text[:200_000],
            "sent_at": msg.sent_at,
            "inbox": inbox.pk,
            "meta": {
                "social": {
                    "network": msg.network,
                    "user_id": msg.user_id,
                    "reply_to": msg.reply_to,
                    "account": msg.account,
                    "message_id": msg.message_id,
                    **({"extra": msg.extra} if msg.extra else {}),
                }
            },
        }
    )


def receive(inbox: Inbox, messages: list[SocialMessage]) -> list[Delivered]:
    """Ingest each message; one the core refuses (a bad address) is parked, not lost."""
    out: list[Delivered] = []
    for msg in messages:
        ext = external_id(msg)
        try:
            result = ingest.ingest(inbox.brand_id, to_inbound(inbox, msg))
        except ValidationError as exc:  # e.g. a handle longer than an identity can be
            envelope = park_raw(
                inbox,
                raw=repr(msg).encode(),
                error=str(exc),
                external_id=f"refused:{ext}"[:400],
            )
            out.append(Delivered(ext, envelope.status, None, None, False, str(exc)[:500]))
            continue
        except ServiceError as exc:
            # Refused before it was stored (a bad address): keep it. Refused after (the
            # envelope exists, marked rejected): nothing more to keep.
            stored = InboundEnvelope.objects.filter(
                brand_id=inbox.brand_id, channel="social", external_id=ext
            ).first()
            envelope = stored or park_raw(
                inbox,
                raw=repr(msg).encode(),
                error=f"{exc.field or ''}: {exc.message}",
                external_id=f"refused:{ext}"[:400],
            )
            out.append(Delivered(ext, envelope.status, None, None, False, exc.message))
            continue
        out.append(
            Delivered(
                ext,
                result.status,
                result.message_id,
                result.conversation_id,
                result.duplicate,
            )
        )
    return out


def park_raw(
    inbox: Inbox, *, raw: bytes, error: str, external_id: str | None = None
) -> InboundEnvelope:
    """Keep a body we could not turn into a message, as a ``rejected`` envelope with the
    reason: supervisors see it under Inbound envelopes (API ``GET /inbound?status=rejected``
    and the admin). The same body twice is kept once."""
    key = external_id or "raw:" + hashlib.sha256(raw).hexdigest()
    payload: dict[str, Any] = {
        "inbox": inbox.pk,
        "network": inbox.settings.get("network", ""),
        "raw": raw[:RAW_LIMIT].decode("utf-8", errors="replace").replace("\x00", ""),
        "truncated": len(raw) > RAW_LIMIT,
    }
    try:
        with transaction.atomic():
            return InboundEnvelope.objects.create(
                brand_id=inbox.brand_id,
                channel=inbox.channel,
                external_id=key,
                payload=payload,
                status=EnvelopeStatus.REJECTED,
                error=error[:4000],
                attempts=1,
            )
    except IntegrityError:
        return InboundEnvelope.objects.get(
            brand_id=inbox.brand_id, channel=inbox.channel, external_id=key
        )
