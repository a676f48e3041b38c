"""Which conversation a mail belongs to, and the Message-IDs we put on our own mail.

Order (the issue's): a Message-ID it answers (In-Reply-To, References) that is ours or a
mail already in a conversation, then a ``[#number]`` token in the subject (only for the
conversation's own customer), then ingest's default: the customer's open conversation.

Our Message-IDs carry the message's id and an HMAC of it, so a reply finds its
conversation even if the send was never recorded, and nobody can forge a reference
into somebody else's conversation.
"""

from __future__ import annotations

import re

from django.utils.crypto import constant_time_compare, salted_hmac

from wowdesk.channels.email.parse import ParsedMail
from wowdesk.conversations.models import Conversation, Message
from wowdesk.customers.identity import normalize_email
from wowdesk.customers.models import Identity, IdentityKind

_SALT = "wowdesk.channels.email.message-id"
OUR_ID_RE = re.compile(r"^<wowdesk\.(\d{1,19})\.([0-9a-f]{20})@[^<>\s]+>$")


def _sign(message_pk: int) -> str:
    return salted_hmac(_SALT, str(message_pk), algorithm="sha256").hexdigest()[:20]


def make_message_id(message_pk: int, domain: str) -> str:
    return f"<wowdesk.{message_pk}.{_sign(message_pk)}@{domain or 'localhost'}>"


def our_message_pk(message_id: str) -> int | None:
    """The id of our message behind one of our Message-IDs; None for anyone else's."""
    match = OUR_ID_RE.match(message_id.strip())
    if match is None:
        return None
    pk = int(match.group(1))
    return pk if constant_time_compare(match.group(2), _sign(pk)) else None


def conversation_for(brand_id: int, parsed: ParsedMail) -> int | None:
    """The conversation this mail continues, or None for ingest's default."""
    ids = parsed.thread_ids
    ours = [pk for pk in (our_message_pk(m) for m in ids) if pk is not None]
    if ours:
        found = (
            Message.objects.filter(brand_id=brand_id, pk__in=ours)
            .values_list("conversation_id", flat=True)
            .first()
        )
        if found is not None:
            return int(found)
    if ids:
        found = (
            Message.objects.filter(brand_id=brand_id, channel="email", external_id__in=ids)
            .order_by("-id")
            .values_list("conversation_id", flat=True)
            .first()
        )
        if found is not None:
            return int(found)
    numbers = parsed.subject_numbers()
    if numbers and parsed.from_email:
        try:
            sender = normalize_email(parsed.from_email)
        except Exception:
            return None
        customers = Identity.objects.filter(
            brand_id=brand_id, kind=IdentityKind.EMAIL, value=sender
        ).values("customer_id")
        found = (
            Conversation.objects.filter(
                brand_id=brand_id, number__in=numbers, customer_id__in=customers
            )
            .values_list("pk", flat=True)
            .first()
        )
        if found is not None:
            return int(found)
    return None
