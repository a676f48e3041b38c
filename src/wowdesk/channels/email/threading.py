"""Which conversation a mail belongs to, and the Message-IDs we put on our own mail.

Order: a Message-ID it answers (In-Reply-To, References) that is ours or a mail already
in a conversation, then a ``[#number]`` token in the subject (only for the
conversation's own customer). A mail that refers to no conversation opens a new one.

A reference is trusted only from a participant of the conversation it names (one of
its customer's email addresses, or the Reply-To address of the mail that opened it):
anyone else's mail opens a conversation of its own, and both threads say so.

Our Message-IDs carry the message's id and an HMAC of it, so a reply finds its
conversation even if the send was never recorded, and nobody can forge a reference
into somebody else's conversation.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass

from django.db.models import Q
from django.utils.crypto import constant_time_compare, salted_hmac

from wowdesk.channels.email.parse import ParsedMail
from wowdesk.conversations.models import Conversation, Message
from wowdesk.conversations.services import live_conversation
from wowdesk.customers.identity import InvalidAddress, normalize_email
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
        except InvalidAddress:
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


def participants(conversation_id: int) -> set[str]:
    """The normalised email addresses a conversation's mail may come from and replies may
    go to: the email identities of its customer and of every sender of a message in it
    (a sender's message is there because they took part, or because an agent merged it
    in), and the Reply-To of the mail that opened it."""
    conversation = Conversation.objects.filter(pk=conversation_id).only("customer_id").first()
    if conversation is None:
        return set()
    senders = Message.objects.filter(
        conversation_id=conversation_id, direction="in", sender_id__isnull=False
    ).values("sender_id")
    found = set(
        Identity.objects.filter(kind=IdentityKind.EMAIL)
        .filter(Q(customer_id=conversation.customer_id) | Q(customer_id__in=senders))
        .values_list("value", flat=True)
    )
    opening = (
        Message.objects.filter(conversation_id=conversation_id, direction="in", channel="email")
        .order_by("id")
        .values_list("meta", flat=True)
        .first()
    )
    mail = opening.get("email") if isinstance(opening, dict) else None
    if isinstance(mail, dict) and mail.get("reply_to"):
        with contextlib.suppress(InvalidAddress):
            found.add(normalize_email(str(mail["reply_to"])))
    return found


def is_participant(conversation_id: int, address: str) -> bool:
    try:
        return normalize_email(address) in participants(conversation_id)
    except InvalidAddress:
        return False


@dataclass(frozen=True)
class Threading:
    """Where a mail goes: ``conversation_id`` (None: a new conversation) and the
    conversation it refers to when its sender is not a participant there."""

    conversation_id: int | None
    untrusted_reference: int | None = None


def thread_mail(brand_id: int, parsed: ParsedMail) -> Threading:
    referenced = conversation_for(brand_id, parsed)
    if referenced is None:
        return Threading(None)
    merged_into = (
        Conversation.objects.filter(pk=referenced).values_list("merged_into_id", flat=True).first()
    )
    if merged_into is not None:  # merged since: the mail goes where its thread lives
        referenced = live_conversation(Conversation.objects.get(pk=merged_into)).pk
    if is_participant(referenced, parsed.from_email):
        return Threading(referenced)
    return Threading(None, untrusted_reference=referenced)
