"""Every write to conversations, messages and tags goes through here (the conventions)."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from wowdesk.conversations.html import sanitize_html, text_to_html
from wowdesk.conversations.models import (
    AnswerBot,
    Attachment,
    Channel,
    Conversation,
    DeliveryIssue,
    Direction,
    Inbox,
    Macro,
    Message,
    OutboxMessage,
    OutboxStatus,
    Priority,
    Status,
    Tag,
    attachment_path,
)
from wowdesk.core import audit, fastsql
from wowdesk.core import fields as core_fields
from wowdesk.core import i18n as i18n_text
from wowdesk.core import services as core_services
from wowdesk.core.brand_cache import BrandCache
from wowdesk.core.errors import Conflict, Forbidden, InvalidInput, ServiceError
from wowdesk.core.events import Event, emit, emit_many
from wowdesk.core.input import check_line, check_text, single_line
from wowdesk.core.models import Agent, AuditLog, Team
from wowdesk.customers.identity import InvalidAddress, inbox_address_key, normalize_email
from wowdesk.customers.models import Customer

MAX_SUBJECT = 300
# The same limits for every edge (the API, the workspace forms).
MAX_BODY = 100_000  # characters of an agent's reply or note
MAX_TAGS = 50  # tags on one conversation
MAX_TAG_NAME = 64


class Unset:
    """Marks an argument left out (``None`` means "clear it")."""


UNSET = Unset()


# --- inboxes and tags -----------------------------------------------------------------


def _load_answer_bots() -> dict[int, dict[int, str]]:
    table: dict[int, dict[int, str]] = {}
    rows = Inbox.objects.exclude(answer_bot=AnswerBot.OFF).values_list(
        "brand_id", "id", "answer_bot"
    )
    for brand_id, inbox_id, mode in rows:
        table.setdefault(brand_id, {})[inbox_id] = mode
    return table


# brand → {inbox id: "always" | "when_no_agent"} of its inboxes whose answer bot is on: the
# bot's listener on every customer message asks it (no query while nothing changed).
answer_bot_inboxes: BrandCache[dict[int, str]] = BrandCache("answer_bot", _load_answer_bots)
# Channels whose inboxes may have an answer bot (a call is not answered by text).
ANSWER_BOT_CHANNELS = (Channel.CHAT, Channel.EMAIL, Channel.SOCIAL, Channel.API)


def check_answer_bot(channel: str, mode: str) -> str:
    """The inbox setting ``answer_bot`` as given, or a refusal naming the field."""
    if mode not in AnswerBot.values:
        raise InvalidInput(
            _("The answer bot is one of: %(values)s.") % {"values": ", ".join(AnswerBot.values)},
            field="answer_bot",
        )
    if mode != AnswerBot.OFF and channel not in ANSWER_BOT_CHANNELS:
        raise InvalidInput(_("The answer bot is not offered on this channel."), field="answer_bot")
    return mode


def set_bot_hold(conversation: Conversation, holds: bool) -> None:
    """The answer bot takes (``True``) or lets go of the conversation; routing leaves a
    held conversation alone (knowledge.bot_services is the caller)."""
    conversation.bot_holds = holds
    Conversation.objects.filter(pk=conversation.pk).update(bot_holds=holds)


def default_inbox(brand_id: int, channel: str) -> Inbox:
    """The brand's default inbox for a channel, created on first use (two first messages
    at once, in two threads or processes, make one inbox)."""
    for _attempt in range(2):
        found = fastsql.select(
            Inbox,
            "brand_id = %s AND channel = %s",
            [brand_id, channel],
            order_by="is_default DESC, id",
            limit=1,
        )
        if found:
            return found[0]
        try:
            with transaction.atomic():
                inbox = Inbox.objects.create(
                    brand_id=brand_id,
                    channel=channel,
                    name=str(Channel(channel).label),
                    is_default=True,
                )
        except IntegrityError:
            continue  # created by the other one a moment ago: read it
        return _with_channel_parts(inbox)
    raise InvalidInput(_("No inbox for this channel could be made."), field="channel")


def _with_channel_parts(inbox: Inbox) -> Inbox:
    """Announce a new inbox in its own write, however it was made: its channel's app adds
    what every inbox of that channel has from the start (a chat inbox's widget token)."""
    emit(Event.INBOX_CREATED, inbox_id=inbox.pk, brand_id=inbox.brand_id, channel=inbox.channel)
    inbox.refresh_from_db(fields=["settings"])
    return inbox


def create_inbox(
    *,
    brand_id: int,
    name: str,
    channel: str,
    address: str = "",
    team_id: int | None = None,
    is_default: bool = False,
    actor: Agent | None = None,
    answer_bot: str = AnswerBot.OFF,
) -> Inbox:
    if channel not in Channel.values:
        raise InvalidInput(_("Unknown channel."), field="channel")
    check_answer_bot(channel, answer_bot)
    if Inbox.objects.filter(brand_id=brand_id, name=name).exists():
        raise InvalidInput(_("An inbox with this name exists."), field="name")
    address = address.strip()
    check_inbox_address(channel, address)
    try:
        with transaction.atomic():
            inbox = Inbox.objects.create(
                brand_id=brand_id,
                name=name,
                channel=channel,
                address=address,
                team_id=team_id,
                is_default=is_default,
                answer_bot=answer_bot,
            )
    except IntegrityError as exc:  # the same address claimed a moment ago elsewhere
        raise Conflict(
            _("Another inbox already takes mail for this address."), field="address"
        ) from exc
    _with_channel_parts(inbox)
    if answer_bot != AnswerBot.OFF:
        answer_bot_inboxes.changed()
    audit.record(
        action="inbox.create",
        obj=inbox,
        actor=actor,
        brand_id=brand_id,
        after={"name": name, "channel": channel},
    )
    return inbox


def check_inbox_address(channel: str, address: str, *, exclude_pk: int | None = None) -> None:
    """An email inbox claims an address no other inbox of the installation claims, in any
    brand: compared case folded, with plus-addressing folded (``support+x@`` is
    ``support@``), so that every mail belongs to exactly one inbox."""
    if channel != Channel.EMAIL or not address.strip():
        return
    try:
        key = inbox_address_key(address)
    except InvalidAddress as exc:
        raise InvalidInput(_("This email address is not valid."), field="address") from exc
    taken = Inbox.objects.filter(address_key=key)
    if exclude_pk is not None:
        taken = taken.exclude(pk=exclude_pk)
    if taken.exists():
        raise Conflict(_("Another inbox already takes mail for this address."), field="address")


def clean_tag_names(names: Iterable[str], field: str = "tags") -> list[str]:
    """Tag names as stored (trimmed, lower case, each once): one line each, at most
    ``MAX_TAG_NAME`` characters, at most ``MAX_TAGS`` of them."""
    out: list[str] = []
    for i, raw in enumerate(names):
        name = check_line(raw, f"{field}.{i}", max_length=MAX_TAG_NAME).strip().lower()
        if name and name not in out:
            out.append(name)
    if len(out) > MAX_TAGS:
        raise InvalidInput(
            _("A conversation may have at most %(n)d tags.") % {"n": MAX_TAGS}, field=field
        )
    return out


def refuse_new_tags(missing: list[str]) -> Forbidden:
    """The refusal of tags the actor may not create."""
    return Forbidden(
        _("Only supervisors and admins may create new tags: %(names)s")
        % {"names": ", ".join(missing)},
        field="tags",
    )


def ensure_tags(brand_id: int, names: Iterable[str], *, actor: Agent | None = None) -> list[Tag]:
    """The brand's tags of these names; the missing ones are created, if ``actor`` may
    create tags (``permissions.may_create_tags``; no actor: the system may)."""
    from wowdesk.core import permissions

    wanted = clean_tag_names(names)
    found = {t.name: t for t in Tag.objects.filter(brand_id=brand_id, name__in=wanted)}
    missing = [n for n in wanted if n not in found]
    if missing and actor is not None and not permissions.may_create_tags(actor, brand_id):
        raise refuse_new_tags(missing)
    for name in missing:
        found[name], _created = Tag.objects.get_or_create(brand_id=brand_id, name=name)
    return [found[n] for n in wanted]


def create_tag(
    *, brand_id: int, name: str, color: str = "#6b7280", actor: Agent | None = None
) -> Tag:
    name = check_line(name, "name", max_length=MAX_TAG_NAME).strip().lower()
    if not name:
        raise InvalidInput(_("A tag needs a name."), field="name")
    if Tag.objects.filter(brand_id=brand_id, name=name).exists():
        raise InvalidInput(_("A tag with this name exists."), field="name")
    _check_color(color)
    tag = Tag.objects.create(brand_id=brand_id, name=name, color=color)
    audit.record(
        action="tag.create",
        obj=tag,
        actor=actor,
        brand_id=brand_id,
        after={"name": name, "color": color},
    )
    return tag


def update_tag(
    tag: Tag, *, actor: Agent | None, name: str | None = None, color: str | None = None
) -> Tag:
    before = {"name": tag.name, "color": tag.color}
    if name is not None:
        name = check_line(name, "name", max_length=MAX_TAG_NAME).strip().lower()
        if not name:
            raise InvalidInput(_("A tag needs a name."), field="name")
        if Tag.objects.filter(brand_id=tag.brand_id, name=name).exclude(pk=tag.pk).exists():
            raise InvalidInput(_("A tag with this name exists."), field="name")
        tag.name = name
    if color is not None:
        _check_color(color)
        tag.color = color
    tag.save()
    b, a = audit.diff(before, {"name": tag.name, "color": tag.color})
    if a:
        audit.record(
            action="tag.update", obj=tag, actor=actor, brand_id=tag.brand_id, before=b, after=a
        )
    return tag


def _check_color(color: str) -> None:
    if (
        len(color) != 7
        or color[0] != "#"
        or any(c not in "0123456789abcdefABCDEF" for c in color[1:])
    ):
        raise InvalidInput(_("A color is written #rrggbb."), field="color")


# --- conversations --------------------------------------------------------------------


def find_open_conversation(customer: Customer, inbox: Inbox) -> Conversation | None:
    """The customer's latest conversation on this inbox that is not resolved."""
    found = fastsql.select(
        Conversation,
        "customer_id = %s AND inbox_id = %s AND status <> %s",
        [customer.pk, inbox.pk, Status.RESOLVED],
        order_by="id DESC",
        limit=1,
    )
    return found[0] if found else None


def create_conversation(
    *,
    inbox: Inbox,
    customer: Customer,
    subject: str = "",
    at: dt.datetime | None = None,
    language: str = "",
    for_incoming: bool = False,
) -> Conversation:
    """A new conversation. ``for_incoming``: opened by a customer's message that
    ``append_incoming(..., new_conversation=True)`` adds next; its counters are set here
    so that adding the message needs no second write of the row."""
    now = at or timezone.now()
    conversation = fastsql.insert(
        Conversation,
        brand_id=inbox.brand_id,
        number=core_services.next_conversation_number(inbox.brand_id),
        inbox=inbox,
        customer=customer,
        subject=single_line(subject)[:MAX_SUBJECT],
        team_id=inbox.team_id,
        language=language or customer.language,
        created_at=now,
        updated_at=now,
        last_message_at=now if for_incoming else None,
        waiting_since=now if for_incoming else None,
        message_count=1 if for_incoming else 0,
    )
    emit(
        Event.CONVERSATION_CREATED, conversation_id=conversation.pk, brand_id=conversation.brand_id
    )
    return conversation


@dataclass(frozen=True)
class IncomingMessage:
    body: str
    channel: str
    external_id: str = ""
    html: str = ""
    sent_at: dt.datetime | None = None
    meta: dict[str, Any] | None = None
    # Detected at ingest (intelligence.annotate): stored in the same insert.
    language: str = ""
    language_confidence: float | None = None
    # The conversation takes this language in the same update (a confident detection).
    conversation_language: str = ""


def append_incoming(
    conversation: Conversation,
    customer: Customer,
    incoming: IncomingMessage,
    *,
    new_conversation: bool = False,
) -> Message:
    """Add a customer's message; a resolved or snoozed conversation opens again.

    Two statements: the message insert and one update of the conversation (none when
    the conversation was created for this very message with its counters set)."""
    now = timezone.now()
    message = fastsql.insert(
        Message,
        conversation=conversation,
        brand_id=conversation.brand_id,
        direction=Direction.IN,
        channel=incoming.channel,
        body=incoming.body,
        html=sanitize_html(incoming.html) if incoming.html else text_to_html(incoming.body),
        sender=customer,
        external_id=incoming.external_id[:400],
        meta=incoming.meta or {},
        language=incoming.language,
        language_confidence=incoming.language_confidence,
        sent_at=incoming.sent_at,
        created_at=now,
    )
    updates: dict[str, Any] = {
        "last_message_at": now,
        "updated_at": now,
        "message_count": fastsql.Increment(1),
    }
    if conversation.waiting_since is None:
        updates["waiting_since"] = now
    if conversation.status in (Status.RESOLVED, Status.SNOOZED, Status.PENDING):
        updates["status"] = Status.OPEN
        updates["snoozed_until"] = None
        updates["resolved_at"] = None
        updates["version"] = fastsql.Increment(1)
    if incoming.conversation_language and incoming.conversation_language != conversation.language:
        updates["language"] = incoming.conversation_language
        conversation.language = incoming.conversation_language
    if not new_conversation:
        fastsql.update(Conversation, conversation.pk, **updates)
    if "status" in updates and not new_conversation:
        # Reopened by the customer (rare on this path): in the audit trail, which is also
        # what a save based on the older version is told (``last_change``).
        audit.record(
            action="conversation.update",
            obj=conversation,
            actor=None,
            brand_id=conversation.brand_id,
            before={"status": conversation.status},
            after={"status": Status.OPEN, "customer_id": customer.pk},
        )
    emit(
        Event.MESSAGE_CREATED,
        message_id=message.pk,
        conversation_id=conversation.pk,
        brand_id=conversation.brand_id,
        direction=Direction.IN,
    )
    return message


def conversation_for_reply(conversation_id: int) -> Conversation | None:
    """The conversation with its inbox, as a reply needs it (two prepared statements)."""
    if not 0 < conversation_id < 2**63:
        return None
    found = fastsql.select(Conversation, "id = %s", [conversation_id], limit=1)
    if not found:
        return None
    conversation = found[0]
    conversation.inbox = fastsql.select(Inbox, "id = %s", [conversation.inbox_id], limit=1)[0]
    return conversation


def add_reply(
    conversation: Conversation,
    *,
    author: Agent | None,
    body: str,
    private: bool = False,
    meta: dict[str, Any] | None = None,
    language: str = "",
    rule_id: int | None = None,
    cc: Iterable[str] = (),
    bcc: Iterable[str] = (),
) -> Message:
    """An agent's reply (queued in the outbox in this same transaction) or private note;
    ``rule_id``: written by that automation rule (no author), and said so in its event.
    ``cc``, ``bcc``: more recipients of an email reply (:func:`check_copies`), kept in
    ``meta``; the email adapter sends them the reply.

    Prepared statements (core.fastsql), as for a customer's message: the message insert,
    the outbox row's (a reply), one update of the conversation, and on its first reply
    the first response time (set only where none is, whatever the copy in hand says)."""
    text = check_text(body, "body", max_length=MAX_BODY).strip()
    if not text:
        raise InvalidInput(_("A reply cannot be empty."), field="body")
    if cc or bcc:
        copies = check_copies(conversation, cc=cc, bcc=bcc, private=private)
        meta = {**(meta or {}), **copies}
    now = timezone.now()
    message = fastsql.insert(
        Message,
        conversation=conversation,
        brand_id=conversation.brand_id,
        direction=Direction.NOTE if private else Direction.OUT,
        channel=conversation.inbox.channel,
        body=text,
        html=text_to_html(text),
        author=author,
        language=language,
        meta=meta or {},
        created_at=now,
    )
    message.author = author  # the caller's copy, with its user: read again by no one
    updates: dict[str, Any] = {"updated_at": now}
    if not private:
        updates["last_message_at"] = now
        updates["waiting_since"] = None
        row = fastsql.insert(
            OutboxMessage,
            brand_id=message.brand_id,
            message=message,
            channel=message.channel,
            next_attempt_at=now,
        )
        message.outbox = row  # type: ignore[attr-defined]
        emit(Event.OUTBOUND_QUEUED, outbox_id=row.pk)
        if conversation.first_response_at is None:
            Conversation.objects.filter(pk=conversation.pk, first_response_at=None).update(
                first_response_at=now
            )
            conversation.refresh_from_db(fields=["first_response_at"])
    fastsql.update(Conversation, conversation.pk, message_count=fastsql.Increment(1), **updates)
    for name, value in updates.items():
        setattr(conversation, name, value)
    conversation.message_count += 1
    emit(
        Event.MESSAGE_CREATED,
        message_id=message.pk,
        conversation_id=conversation.pk,
        brand_id=conversation.brand_id,
        direction=message.direction,
        rule_id=rule_id,
    )
    return message


def add_system_message(
    conversation: Conversation,
    *,
    body: str,
    html: str = "",
    meta: dict[str, Any] | None = None,
    language: str = "",
    channel: str | None = None,
) -> Message:
    """An outbound message the house sends by itself (a survey's invitation): no author,
    queued in the outbox on ``channel`` (by default the conversation's; ``email`` sends it
    to the customer's address whatever the conversation's channel), ``meta["system"]`` set.

    Unlike :func:`add_reply` it changes nothing else of the conversation: its status (a
    resolved one stays resolved), its first response time, its waiting clock and its
    place in the inbox (``last_message_at``) stay as they were; the SLA clocks skip it
    (``meta["system"]``) and routing only ever wakes for customers' messages."""
    text = check_text(body, "body", max_length=MAX_BODY).strip()
    if not text:
        raise InvalidInput(_("A reply cannot be empty."), field="body")
    if not hasattr(conversation, "inbox"):
        conversation.inbox = Inbox.objects.get(pk=conversation.inbox_id)
    now = timezone.now()
    sent_on = channel or conversation.inbox.channel
    message = fastsql.insert(
        Message,
        conversation=conversation,
        brand_id=conversation.brand_id,
        direction=Direction.OUT,
        channel=sent_on,
        body=text,
        html=html or text_to_html(text),
        author=None,
        language=language,
        meta={**(meta or {}), "system": (meta or {}).get("system") or "message"},
        created_at=now,
    )
    row = fastsql.insert(
        OutboxMessage,
        brand_id=message.brand_id,
        message=message,
        channel=sent_on,
        next_attempt_at=now,
    )
    message.outbox = row  # type: ignore[attr-defined]
    emit(Event.OUTBOUND_QUEUED, outbox_id=row.pk)
    fastsql.update(
        Conversation, conversation.pk, message_count=fastsql.Increment(1), updated_at=now
    )
    conversation.message_count += 1
    conversation.updated_at = now
    emit(
        Event.MESSAGE_CREATED,
        message_id=message.pk,
        conversation_id=conversation.pk,
        brand_id=conversation.brand_id,
        direction=message.direction,
    )
    return message


def add_activity(
    conversation: Conversation,
    text: str,
    *,
    actor: Agent | None,
    meta: dict[str, Any] | None = None,
    i18n: i18n_text.Spec | None = None,
) -> Message:
    """An activity line in the thread. ``text`` is stored as written (the API's ``body``);
    ``i18n`` (``core.i18n.deferred``), kept in ``meta["i18n"]``, lets the workspace show the
    line in each reader's language."""
    if i18n is not None:
        meta = {**(meta or {}), "i18n": i18n}
    # A prepared insert (core.fastsql): routing writes one for every conversation that
    # waits in the queue, on the path of a burst of new conversations.
    return fastsql.insert(
        Message,
        conversation=conversation,
        brand_id=conversation.brand_id,
        direction=Direction.ACTIVITY,
        channel=conversation.inbox.channel,
        body=text,
        html=text_to_html(text),
        author=actor,
        meta=meta or {},
        created_at=timezone.now(),
    )


MAX_COPIES = 20  # addresses in the CC, and in the BCC, of one email reply
MAX_FORWARD_NOTE = 10_000


def _addresses(values: Iterable[str], field: str) -> list[str]:
    """Email addresses, each checked and normalised, duplicates dropped (order kept)."""
    out: list[str] = []
    for raw in values:
        try:
            address = normalize_email(str(raw))
        except InvalidAddress:
            raise InvalidInput(
                _("Not an email address: %(a)s") % {"a": str(raw)[:100]}, field=field
            ) from None
        if address not in out:
            out.append(address)
    if len(out) > MAX_COPIES:
        raise InvalidInput(_("At most %(n)d addresses.") % {"n": MAX_COPIES}, field=field)
    return out


def check_copies(
    conversation: Conversation, *, cc: Iterable[str], bcc: Iterable[str], private: bool = False
) -> dict[str, list[str]]:
    """The CC and BCC of a reply (``{"cc": [...], "bcc": [...]}``, the empty ones left
    out): only on an email conversation, never on a note; each a valid address."""
    copies = {"cc": list(cc), "bcc": list(bcc)}
    out: dict[str, list[str]] = {}
    for field, values in copies.items():
        if not values:
            continue
        if private:
            raise InvalidInput(_("A note is not sent: it has no copies."), field=field)
        if conversation.inbox.channel != Channel.EMAIL:
            raise InvalidInput(_("Copies can be sent only on an email conversation."), field=field)
        out[field] = _addresses(values, field)
    return out


def email_inbox_for(brand_id: int) -> Inbox | None:
    """The inbox a brand sends mail from that is not a reply: its default email inbox, else
    its first one (without an address of its own it sends from the installation's)."""
    return (
        Inbox.objects.filter(brand_id=brand_id, channel=Channel.EMAIL)
        .order_by("-is_default", "id")
        .first()
    )


def forward_conversation(
    conversation: Conversation, *, actor: Agent, to: str, note: str = "", language: str = ""
) -> Message:
    """Send the conversation's thread (its customer's messages and the replies, with their
    files; never the notes) to an outside address, from the brand's email inbox. Written
    here: an activity line "Forwarded to … by …" whose outbox row the email adapter
    delivers (``meta["forward"]``), and a row in the audit log. ``language``: the one the
    forwarded mail's own lines are written in (the agent's)."""
    address = _addresses([to], "to")
    if not address:
        raise InvalidInput(_("Say where to forward the conversation."), field="to")
    text_note = check_text(note or "", "note", max_length=MAX_FORWARD_NOTE).strip()
    inbox = email_inbox_for(conversation.brand_id)
    if inbox is None:
        raise InvalidInput(
            _("This brand has no email inbox to send from; add one first."), field="to"
        )
    if not hasattr(conversation, "inbox"):
        conversation.inbox = Inbox.objects.get(pk=conversation.inbox_id)
    spec = i18n_text.deferred(
        gettext_noop("Forwarded to %(to)s by %(by)s"), to=address[0], by=actor.display_name
    )
    message = add_activity(
        conversation,
        i18n_text.render(spec, "en"),
        actor=actor,
        meta={
            "forward": {
                "to": address[0],
                "note": text_note,
                "inbox_id": inbox.pk,
                "language": language[:16],
            }
        },
        i18n=spec,
    )
    row = fastsql.insert(
        OutboxMessage,
        brand_id=message.brand_id,
        message=message,
        channel=Channel.EMAIL,
        next_attempt_at=timezone.now(),
    )
    fastsql.update(Conversation, conversation.pk, updated_at=timezone.now())
    audit.record(
        action="conversation.forward",
        obj=conversation,
        actor=actor,
        brand_id=conversation.brand_id,
        after={"to": address[0], "note": text_note, "message_id": message.pk},
    )
    emit(Event.OUTBOUND_QUEUED, outbox_id=row.pk)
    return message


def snapshot(conversation: Conversation, tags: Iterable[str] | None = None) -> dict[str, Any]:
    """What a change may touch, as JSON; ``tags``: the tag names, when known (else read)."""
    until = conversation.snoozed_until
    return {
        "status": conversation.status,
        "priority": conversation.priority,
        "assignee_id": conversation.assignee_id,
        "team_id": conversation.team_id,
        "tags": sorted(tags if tags is not None else (t.name for t in conversation.tags.all())),
        "subject": conversation.subject,
        "snoozed_until": until.astimezone(dt.UTC).isoformat() if until else None,
        "custom_fields": dict(conversation.custom_fields or {}),
    }


SNOOZE_MAX = dt.timedelta(days=366)


def _snooze_time(until: dt.datetime, actor: Agent | None, now: dt.datetime) -> dt.datetime:
    """A time to wake at: aware (a time without a zone is read in the actor's zone), in
    the future and at most a year ahead."""
    if timezone.is_naive(until):
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            zone = ZoneInfo(actor.timezone if actor is not None and actor.timezone else "UTC")
        except (ZoneInfoNotFoundError, ValueError):
            zone = ZoneInfo("UTC")
        until = until.replace(tzinfo=zone)
    if until <= now:
        raise InvalidInput(_("Snooze until a time in the future."), field="snoozed_until")
    if until - now > SNOOZE_MAX:
        raise InvalidInput(
            _("Snooze for at most a year; pick an earlier time."), field="snoozed_until"
        )
    return until.astimezone(dt.UTC)


SNOOZE_PRESETS = ("1h", "tomorrow", "monday")


def snooze_preset(key: str, now: dt.datetime, zone_name: str) -> dt.datetime:
    """A preset's time in the agent's zone: ``1h`` from now, ``tomorrow`` 09:00,
    ``monday`` 09:00 (the next Monday after today)."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    if key == "1h":
        return now + dt.timedelta(hours=1)
    try:
        zone = ZoneInfo(zone_name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    today = now.astimezone(zone).date()
    if key == "tomorrow":
        day = today + dt.timedelta(days=1)
    elif key == "monday":
        day = today + dt.timedelta(days=7 - today.weekday())
    else:
        raise InvalidInput(_("Unknown snooze preset."), field="snooze")
    return dt.datetime.combine(day, dt.time(9, 0), tzinfo=zone)


def _local_label(at: dt.datetime, actor: Agent | None) -> str:
    """``2026-03-02 09:00 (Europe/Berlin)``: a time in the actor's zone, zone named."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    name = actor.timezone if actor is not None and actor.timezone else "UTC"
    try:
        zone = ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        zone, name = ZoneInfo("UTC"), "UTC"
    return f"{at.astimezone(zone):%Y-%m-%d %H:%M} ({name})"


VERSION_TAG = re.compile(r'(?:W/)?(?:"([0-9]{1,12})"|([0-9]{1,12}))')


def parse_version(raw: str | int | None, *, field: str = "version") -> int | None:
    """A version from a body field or an ``If-Match`` header (``"7"``, ``W/"7"``, ``7``;
    ``*`` or nothing: None, any version)."""
    if raw is None:
        return None
    if isinstance(raw, bool):
        raise InvalidInput(_("A version is a whole number."), field=field)
    if isinstance(raw, int):
        if raw < 1:
            raise InvalidInput(_("A version is a whole number."), field=field)
        return raw
    text = raw.strip()
    if text in ("", "*"):
        return None
    match = VERSION_TAG.fullmatch(text)
    digits = (match.group(1) or match.group(2)) if match else None
    if digits is None or int(digits) < 1:
        raise InvalidInput(_("A version is a whole number."), field=field)
    return int(digits)


def last_change(conversation: Conversation) -> dict[str, Any]:
    """Who made the latest recorded change to the conversation, when, and what it was."""
    entry = (
        audit.AuditLog.objects.filter(
            object_type="conversation",
            object_id=str(conversation.pk),
            action="conversation.update",
        )
        .select_related("actor")
        .order_by("-created_at", "-id")
        .first()
    )
    if entry is None:
        return {"by": None, "at": None, "changes": {}, "text": ""}
    if entry.actor is not None:
        name = entry.actor.display_name
    elif entry.after.get("customer_id"):
        name = _("The customer")
    else:
        name = "wowdesk"
    return {
        "by": (
            {"id": entry.actor.pk, "name": entry.actor.display_name}
            if entry.actor is not None
            else None
        ),
        "at": entry.created_at.isoformat(),
        "changes": entry.after,
        "text": describe_change(name, entry.after),
    }


def describe_change(name: str, after: dict[str, Any]) -> str:
    """``Li changed the priority to High``, one clause per field, in the reader's language."""
    parts: list[str] = []
    for key, value in after.items():
        if key == "customer_id":
            continue
        if key == "status":
            label = Status(value).label if value in Status.values else value
            parts.append(_("the status to %(v)s") % {"v": label})
        elif key == "priority":
            label = Priority(value).label if value in Priority.values else value
            parts.append(_("the priority to %(v)s") % {"v": label})
        elif key == "assignee_id":
            who = (
                Agent.objects.filter(pk=value).values_list("display_name", flat=True).first()
                if value
                else None
            )
            parts.append(_("the assignee to %(v)s") % {"v": who or _("nobody")})
        elif key == "team_id":
            team = (
                Team.objects.filter(pk=value).values_list("name", flat=True).first()
                if value
                else None
            )
            parts.append(_("the team to %(v)s") % {"v": team or _("no team")})
        elif key == "tags":
            parts.append(_("the tags to %(v)s") % {"v": ", ".join(value or []) or "—"})
        elif key == "subject":
            parts.append(_("the subject to %(v)s") % {"v": value or "—"})
        elif key == "snoozed_until":
            parts.append(_("the snooze to %(v)s") % {"v": value or _("none")})
        elif key == "custom_fields":
            parts.append(_("the custom fields"))
    if not parts:
        return _("%(name)s changed this conversation") % {"name": name}
    return _("%(name)s changed %(what)s") % {"name": name, "what": "; ".join(parts)}


def check_version(conversation: Conversation, expected: int | None) -> None:
    """Refuse a change based on an older version (409, with the current state and the
    last change's author). The row is locked first on PostgreSQL (SQLite's write
    transaction already holds the database)."""
    if expected is None:
        return
    current = (
        Conversation.objects.select_for_update()
        .filter(pk=conversation.pk)
        .values_list("version", flat=True)
        .first()
    )
    if current is None or current == expected:
        return
    fresh = Conversation.objects.get(pk=conversation.pk)
    change = last_change(fresh)
    text = change["text"] or _("Someone else changed this conversation")
    raise Conflict(
        _("%(change)s — your change was not saved.") % {"change": text},
        field="version",
        code="version_conflict",
        data={
            "version": current,
            "current": {**snapshot(fresh), "version": current},
            "last_change": change,
        },
    )


@dataclass
class Lookups:
    """What deciding a change looks up, as functions: the single change asks the database
    each time (``DB_LOOKUPS``), a bulk change answers from rows it read at once."""

    agent: Callable[[int, int], Agent | None]  # (brand_id, agent_id): active, of the brand
    team: Callable[[int, int], Team | None]  # (brand_id, team_id): of the brand
    tags: Callable[[int, list[str], Agent | None], list[Tag]]  # as ensure_tags
    missing: Callable[[int, dict[str, Any]], list[dict[str, Any]]]  # required, left empty


def _db_agent(brand_id: int, agent_id: int) -> Agent | None:
    return Agent.objects.filter(pk=agent_id, brands=brand_id, is_active=True).first()


def _db_team(brand_id: int, team_id: int) -> Team | None:
    return Team.objects.filter(pk=team_id, brand_id=brand_id).first()


def _db_tags(brand_id: int, names: list[str], actor: Agent | None) -> list[Tag]:
    return ensure_tags(brand_id, names, actor=actor)


DB_LOOKUPS = Lookups(
    agent=_db_agent, team=_db_team, tags=_db_tags, missing=core_fields.missing_required
)


@dataclass
class Plan:
    """A decided change: the fields set on the conversation (in memory; ``updated_at``
    always), its activity lines (text, i18n spec) and its new tags (None: unchanged)."""

    dirty: set[str]
    activities: list[tuple[str, i18n_text.Spec | None]]
    tags: list[Tag] | None

    @property
    def changed(self) -> bool:
        return len(self.dirty) > 1 or self.tags is not None


def plan_update(
    conversation: Conversation,
    before: dict[str, Any],
    *,
    actor: Agent | None,
    now: dt.datetime,
    lookups: Lookups = DB_LOOKUPS,
    status: str | None = None,
    priority: str | None = None,
    assignee_id: int | Unset | None = UNSET,
    team_id: int | Unset | None = UNSET,
    tags: list[str] | None = None,
    subject: str | None = None,
    snoozed_until: dt.datetime | Unset | None = UNSET,
    reason: str | None = None,
    status_reason: str | None = None,
    reason_i18n: i18n_text.Spec | None = None,
    status_reason_i18n: i18n_text.Spec | None = None,
    custom_fields: dict[str, Any] | None = None,
) -> Plan:
    """The rules of ``update_conversation`` (see there), shared by the bulk change: the
    values are set on ``conversation`` in memory and nothing is written (``lookups.tags``
    may create a missing tag the actor may create). ``before`` is ``snapshot`` of the
    conversation. A change the rules refuse raises, as the service does."""
    activities: list[tuple[str, i18n_text.Spec | None]] = []

    def said(spec: i18n_text.Spec) -> tuple[str, i18n_text.Spec]:
        return i18n_text.render(spec), spec

    dirty = {"updated_at"}  # saved alone: a stale copy must not undo a concurrent message
    if status is not None and status not in Status.values:
        raise InvalidInput(_("Unknown status."), field="status")
    values = dict(conversation.custom_fields or {})
    if custom_fields is not None:
        values = core_fields.merged_values(
            conversation.brand_id, "conversation", values, custom_fields
        )
    if status == Status.RESOLVED and conversation.status != Status.RESOLVED:
        check_resolvable(conversation.brand_id, values, missing=lookups.missing)
    if values != before["custom_fields"]:
        conversation.custom_fields = values
        dirty.add("custom_fields")
        changed_keys = sorted(
            k
            for k in {*values, *before["custom_fields"]}
            if values.get(k) != before["custom_fields"].get(k)
        )
        activities.append(
            said(
                i18n_text.deferred(
                    gettext_noop("Custom fields changed: %(f)s"), f=", ".join(changed_keys)
                )
            )
        )
    if not isinstance(snoozed_until, Unset):
        if snoozed_until is not None:
            if status is not None and status != Status.SNOOZED:
                raise InvalidInput(
                    _("A snoozed conversation has the status snoozed."), field="status"
                )
            until = _snooze_time(snoozed_until, actor, now)
            status = Status.SNOOZED
            if until != conversation.snoozed_until:
                conversation.snoozed_until = until
                dirty.add("snoozed_until")
                activities.append(
                    said(
                        i18n_text.deferred(
                            gettext_noop("Snoozed until %(t)s"), t=_local_label(until, actor)
                        )
                    )
                )
        elif conversation.snoozed_until is not None or conversation.status == Status.SNOOZED:
            conversation.snoozed_until = None
            dirty.add("snoozed_until")
            if status is None and conversation.status == Status.SNOOZED:
                status = Status.OPEN
    if status is not None and status != conversation.status:
        conversation.status = status
        conversation.resolved_at = now if status == Status.RESOLVED else None
        dirty |= {"status", "resolved_at"}
        if status == Status.RESOLVED:
            conversation.waiting_since = None
            dirty.add("waiting_since")
        if status != Status.SNOOZED and conversation.snoozed_until is not None:
            conversation.snoozed_until = None
            dirty.add("snoozed_until")
        if not (status == Status.SNOOZED and "snoozed_until" in dirty):
            if status_reason:
                activities.append((status_reason, status_reason_i18n))
            else:
                activities.append(
                    said(
                        i18n_text.deferred(
                            gettext_noop("Status changed to %(s)s"),
                            s=i18n_text.choice("status", status),
                        )
                    )
                )
    if priority is not None and priority != conversation.priority:
        if priority not in Priority.values:
            raise InvalidInput(_("Unknown priority."), field="priority")
        conversation.priority = priority
        dirty.add("priority")
        activities.append(
            said(
                i18n_text.deferred(
                    gettext_noop("Priority changed to %(p)s"),
                    p=i18n_text.choice("priority", priority),
                )
            )
        )
    if not isinstance(assignee_id, Unset) and assignee_id != conversation.assignee_id:
        if assignee_id is None:
            conversation.assignee = None
            dirty.add("assignee")
            activities.append(
                (reason, reason_i18n)
                if reason
                else said(i18n_text.deferred(gettext_noop("Unassigned")))
            )
        else:
            agent = lookups.agent(conversation.brand_id, assignee_id)
            if agent is None:
                raise InvalidInput(_("No such active agent in this brand."), field="assignee_id")
            conversation.assignee = agent
            dirty.add("assignee")
            activities.append(
                (reason, reason_i18n)
                if reason
                else said(
                    i18n_text.deferred(gettext_noop("Assigned to %(a)s"), a=agent.display_name)
                )
            )
    if not isinstance(team_id, Unset) and team_id != conversation.team_id:
        if team_id is None:
            conversation.team = None
            dirty.add("team")
            activities.append(said(i18n_text.deferred(gettext_noop("Removed from team"))))
        else:
            team = lookups.team(conversation.brand_id, team_id)
            if team is None:
                raise InvalidInput(_("No such team in this brand."), field="team_id")
            conversation.team = team
            dirty.add("team")
            activities.append(
                said(i18n_text.deferred(gettext_noop("Team set to %(t)s"), t=team.name))
            )
    if subject is not None:
        subject = check_line(subject, "subject", max_length=MAX_SUBJECT).strip()
    if subject is not None and subject != conversation.subject:
        conversation.subject = subject
        dirty.add("subject")
    new_tags: list[Tag] | None = None
    if tags is not None:
        wanted = lookups.tags(conversation.brand_id, tags, actor)
        if sorted(t.name for t in wanted) != before["tags"]:
            new_tags = wanted
            activities.append(
                said(
                    i18n_text.deferred(
                        gettext_noop("Tags: %(t)s"), t=", ".join(t.name for t in new_tags) or "—"
                    )
                )
            )
    return Plan(dirty=dirty, activities=activities, tags=new_tags)


def update_conversation(
    conversation: Conversation,
    *,
    actor: Agent | None,
    status: str | None = None,
    priority: str | None = None,
    assignee_id: int | Unset | None = UNSET,
    team_id: int | Unset | None = UNSET,
    tags: list[str] | None = None,
    subject: str | None = None,
    snoozed_until: dt.datetime | Unset | None = UNSET,
    reason: str | None = None,
    status_reason: str | None = None,
    expected_version: int | None = None,
    reason_i18n: i18n_text.Spec | None = None,
    status_reason_i18n: i18n_text.Spec | None = None,
    rule_id: int | None = None,
    source: str = "",
    custom_fields: dict[str, Any] | None = None,
) -> Conversation:
    """Change status, priority, assignee, team, tags, subject, snooze, custom fields; each
    change is an activity message in the thread and a line in the audit log. ``UNSET``
    means "leave as it is". ``snoozed_until``: a time snoozes (status snoozed), None ends a snooze.
    ``expected_version``: the version the change was based on; another one → ``Conflict``
    (None: the last write wins). Every change bumps ``version``. ``reason`` replaces the
    assignment's activity text and ``status_reason`` the status change's; their ``_i18n``
    specs (``core.i18n``) show them to readers of other languages. ``rule_id``: the
    automation rule that makes the change (kept on its activity lines and its event).
    ``source`` names the system part that made the change (``"routing"``), carried in
    ``conversation.updated``. ``custom_fields``: keys to set (checked against the brand's
    definitions, ``core.fields``), ``None`` values remove a key. Resolving with a field
    that is required to resolve left empty is refused, naming the fields."""
    check_version(conversation, expected_version)
    before = snapshot(conversation)
    now = timezone.now()
    plan = plan_update(
        conversation,
        before,
        actor=actor,
        now=now,
        status=status,
        priority=priority,
        assignee_id=assignee_id,
        team_id=team_id,
        tags=tags,
        subject=subject,
        snoozed_until=snoozed_until,
        reason=reason,
        status_reason=status_reason,
        reason_i18n=reason_i18n,
        status_reason_i18n=status_reason_i18n,
        custom_fields=custom_fields,
    )
    dirty, activities = plan.dirty, plan.activities
    if plan.tags is not None:
        conversation.tags.set(plan.tags)
    tags_changed = plan.tags is not None
    conversation.updated_at = now
    if len(dirty) > 1 or tags_changed:
        conversation.version = F("version") + 1  # type: ignore[assignment]
        dirty.add("version")
    conversation.save(update_fields=sorted(dirty))
    if "version" in dirty:
        conversation.refresh_from_db(fields=["version"])
    after = snapshot(conversation)
    b, a = audit.diff(before, after)
    if a:
        audit.record(
            action="conversation.update",
            obj=conversation,
            actor=actor,
            brand_id=conversation.brand_id,
            before=b,
            after=a,
        )
        for text, spec in activities:
            add_activity(
                conversation,
                text,
                actor=actor,
                meta={"changes": a, **({"rule_id": rule_id} if rule_id else {})},
                i18n=spec,
            )
        emit(
            Event.CONVERSATION_UPDATED,
            conversation_id=conversation.pk,
            brand_id=conversation.brand_id,
            changes=a,
            before=b,
            actor_id=actor.pk if actor is not None else None,
            rule_id=rule_id,
            **({"source": source} if source else {}),
        )
    return conversation


#: The arguments of ``update_conversation`` that ``update_conversations`` decides with
#: ``plan_update``; a request with another one goes through ``update_conversation``.
PLAN_KEYS = frozenset(
    {
        "status",
        "priority",
        "assignee_id",
        "team_id",
        "tags",
        "subject",
        "snoozed_until",
        "reason",
        "status_reason",
        "reason_i18n",
        "status_reason_i18n",
        "custom_fields",
    }
)


class _Preloaded:
    """``Lookups`` answered from rows read at once for many conversations: the agents
    and teams named in the requests, in the rows' brands; their tags; the actor's right
    to create tags, per brand."""

    def __init__(self, requests: list[tuple[Conversation, dict[str, Any]]], actor: Agent | None):
        from wowdesk.core.models import Membership

        brands = {c.brand_id for c, _r in requests}
        agent_ids = {r.get("assignee_id") for _c, r in requests}
        team_ids = {r.get("team_id") for _c, r in requests}
        names: set[str] = set()
        for _c, r in requests:
            # a name refused here is refused for its row, when its change is decided
            with contextlib.suppress(InvalidInput):
                names.update(clean_tag_names(r.get("tags") or []))
        agent_ids = {a for a in agent_ids if isinstance(a, int)}
        team_ids = {t for t in team_ids if isinstance(t, int)}
        self._agents: dict[tuple[int, int], Agent] = (
            {
                (m.brand_id, m.agent_id): m.agent
                for m in Membership.objects.filter(
                    agent_id__in=agent_ids, brand_id__in=brands, agent__is_active=True
                ).select_related("agent")
            }
            if agent_ids
            else {}
        )
        self._teams: dict[tuple[int, int], Team] = (
            {
                (t.brand_id, t.pk): t
                for t in Team.objects.filter(pk__in=team_ids, brand_id__in=brands)
            }
            if team_ids
            else {}
        )
        self._tags: dict[tuple[int, str], Tag] = (
            {
                (t.brand_id, t.name): t
                for t in Tag.objects.filter(brand_id__in=brands, name__in=names)
            }
            if names
            else {}
        )
        self._may_create: dict[int, bool] = {}

    def agent(self, brand_id: int, agent_id: int) -> Agent | None:
        return self._agents.get((brand_id, agent_id))

    def team(self, brand_id: int, team_id: int) -> Team | None:
        return self._teams.get((brand_id, team_id))

    def tags(self, brand_id: int, names: list[str], actor: Agent | None) -> list[Tag]:
        """As ``ensure_tags``."""
        from wowdesk.core import permissions

        wanted = clean_tag_names(names)
        missing = [n for n in wanted if (brand_id, n) not in self._tags]
        if missing and actor is not None:
            if brand_id not in self._may_create:
                self._may_create[brand_id] = permissions.may_create_tags(actor, brand_id)
            if not self._may_create[brand_id]:
                raise refuse_new_tags(missing)
        for name in missing:
            self._tags[(brand_id, name)], _created = Tag.objects.get_or_create(
                brand_id=brand_id, name=name
            )
        return [self._tags[(brand_id, n)] for n in wanted]

    def lookups(self) -> Lookups:
        return Lookups(
            agent=self.agent, team=self.team, tags=self.tags, missing=core_fields.missing_required
        )


#: A row of ``update_conversations``: the conversation, its values before, and whether it
#: changed (or the refusal of its change).
RowOutcome = tuple[Conversation, dict[str, Any], "bool | ServiceError"]


def update_conversations(
    requests: list[tuple[Conversation, dict[str, Any]]], *, actor: Agent | None
) -> list[RowOutcome]:
    """``update_conversation`` for many conversations in one transaction, each with its
    own arguments (``PLAN_KEYS``), written set-wise: the same rules (``plan_update``, with
    the lookups read at once), then one UPDATE per set of rows given the same values, the
    tags, activity lines and audit rows each in one statement, and every row's
    ``conversation.updated`` (``emit_many``: after the commit, their listeners run in one
    transaction). The conversations are locked by the caller, with ``tags`` and ``inbox``
    read. A row whose change the rules refuse is not written; its outcome is the refusal.
    A request with another argument goes through ``update_conversation`` (a savepoint)."""
    now = timezone.now()
    preloaded = _Preloaded([(c, r) for c, r in requests if set(r) <= PLAN_KEYS], actor)
    lookups = preloaded.lookups()
    out: dict[int, RowOutcome] = {}
    planned: list[tuple[Conversation, dict[str, Any], Plan]] = []
    for conversation, request in requests:
        before = snapshot(conversation)
        if not set(request) <= PLAN_KEYS:
            version = conversation.version
            try:
                with transaction.atomic():
                    update_conversation(conversation, actor=actor, **request)
            except ServiceError as exc:
                out[conversation.pk] = (conversation, before, exc)
            else:
                out[conversation.pk] = (conversation, before, conversation.version != version)
            continue
        try:
            plan = plan_update(
                conversation, before, actor=actor, now=now, lookups=lookups, **request
            )
        except ServiceError as exc:
            out[conversation.pk] = (conversation, before, exc)
            continue
        planned.append((conversation, before, plan))
    _write_planned(planned, actor, now)
    activities: list[Message] = []
    audits: list[AuditLog] = []
    payloads: list[dict[str, Any]] = []
    at = timezone.now()
    for conversation, before, plan in planned:
        out[conversation.pk] = (conversation, before, plan.changed)
        if not plan.changed:
            continue
        names = [t.name for t in plan.tags] if plan.tags is not None else before["tags"]
        b, a = audit.diff(before, snapshot(conversation, names))
        if not a:
            continue
        audits.append(
            audit.unsaved(
                action="conversation.update",
                obj=conversation,
                actor=actor,
                brand_id=conversation.brand_id,
                before=b,
                after=a,
            )
        )
        for text, spec in plan.activities:
            meta: dict[str, Any] = {"changes": a}
            if spec is not None:
                meta["i18n"] = spec
            activities.append(
                Message(
                    conversation=conversation,
                    brand_id=conversation.brand_id,
                    direction=Direction.ACTIVITY,
                    channel=conversation.inbox.channel,
                    body=text,
                    html=text_to_html(text),
                    author=actor,
                    meta=meta,
                    created_at=at,
                )
            )
        payloads.append(
            {
                "conversation_id": conversation.pk,
                "brand_id": conversation.brand_id,
                "changes": a,
                "before": b,
                "actor_id": actor.pk if actor is not None else None,
                "rule_id": None,
            }
        )
    if audits:
        audit.record_many(audits)
    if activities:
        Message.objects.bulk_create(activities)
    emit_many(Event.CONVERSATION_UPDATED, payloads)
    return [out[c.pk] for c, _r in requests]


def _write_planned(
    planned: list[tuple[Conversation, dict[str, Any], Plan]], actor: Agent | None, now: dt.datetime
) -> None:
    """The decided changes, in a number of statements that does not grow with the rows:
    an UPDATE per distinct set of values (``version`` + 1 where something changed, only
    ``updated_at`` elsewhere), the new versions read back, the tag links removed per
    distinct set of removed tags and added in one insert."""
    untouched: list[int] = []
    groups: dict[str, tuple[dict[str, Any], list[int]]] = {}
    for conversation, _before, plan in planned:
        conversation.updated_at = now
        if not plan.changed:
            untouched.append(conversation.pk)
            continue
        values: dict[str, Any] = {}
        for name in sorted(plan.dirty - {"updated_at"}):
            attname = Conversation._meta.get_field(name).attname  # type: ignore[union-attr]
            values[attname] = getattr(conversation, attname)
        key = json.dumps(values, sort_keys=True, cls=DjangoJSONEncoder)
        groups.setdefault(key, (values, []))[1].append(conversation.pk)
    if untouched:
        Conversation.objects.filter(pk__in=untouched).update(updated_at=now)
    changed: list[int] = []
    for values, pks in groups.values():
        Conversation.objects.filter(pk__in=pks).update(
            **values, updated_at=now, version=F("version") + 1
        )
        changed.extend(pks)
    if not changed:
        return
    versions = dict(Conversation.objects.filter(pk__in=changed).values_list("pk", "version"))
    links = Conversation.tags.through
    removed: dict[frozenset[int], list[int]] = {}
    added: list[Any] = []
    for conversation, _before, plan in planned:
        if not plan.changed:
            continue
        conversation.version = versions[conversation.pk]
        if plan.tags is None:
            continue
        old = {t.pk for t in conversation.tags.all()}
        new = {t.pk for t in plan.tags}
        if old - new:
            removed.setdefault(frozenset(old - new), []).append(conversation.pk)
        added.extend(links(conversation_id=conversation.pk, tag_id=t) for t in sorted(new - old))
    for tag_ids, pks in removed.items():
        links.objects.filter(conversation_id__in=pks, tag_id__in=tag_ids).delete()
    if added:
        links.objects.bulk_create(added, ignore_conflicts=True)


def check_resolvable(
    brand_id: int,
    values: dict[str, Any],
    *,
    missing: Callable[[int, dict[str, Any]], list[dict[str, Any]]] = core_fields.missing_required,
) -> None:
    """Refuse to resolve a conversation whose fields required to resolve are empty."""
    empty = missing(brand_id, values)
    if empty:
        raise InvalidInput(
            _("Fill in before resolving: %(names)s.")
            % {"names": ", ".join(d["name"] for d in empty)},
            field="custom_fields",
            code="required_fields",
            data={"missing": [d["key"] for d in empty]},
        )


def merge_conversations(
    source: Conversation, into: Conversation, *, actor: Agent | None
) -> Conversation:
    """Fold ``source`` into ``into`` (one brand): its messages and tags move over, it is
    resolved and points at ``into`` (a mail or an item that refers to it is led there),
    both threads get an activity line and the audit log a row."""
    if source.pk == into.pk:
        raise InvalidInput(_("A conversation cannot be merged into itself."), field="into")
    if source.brand_id != into.brand_id:
        raise InvalidInput(_("Conversations of different brands cannot be merged."), field="into")
    locked = {
        c.pk: c
        for c in Conversation.objects.select_for_update().filter(pk__in=[source.pk, into.pk])
    }
    source, into = locked[source.pk], locked[into.pk]
    if source.merged_into_id is not None:
        raise InvalidInput(_("This conversation was already merged."), field="id")
    if into.merged_into_id is not None:
        raise InvalidInput(_("That conversation was merged into another one."), field="into")
    counted = (
        Message.objects.filter(conversation=source).exclude(direction=Direction.ACTIVITY).count()
    )
    moved = Message.objects.filter(conversation=source).update(conversation=into)
    tags = list(source.tags.all())
    if tags:
        into.tags.add(*tags)
    now = timezone.now()
    updates: dict[str, Any] = {"updated_at": now, "message_count": F("message_count") + counted}
    if source.last_message_at and (
        into.last_message_at is None or source.last_message_at > into.last_message_at
    ):
        updates["last_message_at"] = source.last_message_at
    if source.waiting_since and into.status != Status.RESOLVED:
        waiting = min(filter(None, [into.waiting_since, source.waiting_since]))
        updates["waiting_since"] = waiting
    Conversation.objects.filter(pk=into.pk).update(**updates)
    Conversation.objects.filter(pk=source.pk).update(
        merged_into=into,
        status=Status.RESOLVED,
        resolved_at=now,
        waiting_since=None,
        snoozed_until=None,
        message_count=0,
        updated_at=now,
    )
    source.refresh_from_db()
    into.refresh_from_db()
    meta = {"merge": {"source": source.pk, "into": into.pk, "messages": moved}}
    merged_spec = i18n_text.deferred(gettext_noop("Merged into #%(number)s."), number=into.number)
    add_activity(source, i18n_text.render(merged_spec), actor=actor, meta=meta, i18n=merged_spec)
    joined_spec = i18n_text.deferred(
        gettext_noop("#%(number)s was merged into this conversation (%(count)s messages)."),
        number=source.number,
        count=counted,
    )
    add_activity(
        into,
        i18n_text.render(joined_spec),
        actor=actor,
        meta=meta,
        i18n=joined_spec,
    )
    audit.record(
        action="conversation.merge",
        obj=into,
        actor=actor,
        brand_id=into.brand_id,
        before={"source_id": source.pk, "source_number": source.number},
        after={"messages": moved, "tags": sorted(t.name for t in tags)},
    )
    emit(
        Event.CONVERSATION_UPDATED,
        conversation_id=source.pk,
        brand_id=source.brand_id,
        changes={"status": Status.RESOLVED, "merged_into": into.pk},
        actor_id=actor.pk if actor is not None else None,
    )
    emit(
        Event.CONVERSATION_UPDATED,
        conversation_id=into.pk,
        brand_id=into.brand_id,
        changes={"merged": source.pk},
        actor_id=actor.pk if actor is not None else None,
    )
    return into


#: What the language and emotion detectors may write on a message.
ANNOTATIONS = ("language", "language_confidence", "emotion", "emotion_label")


def annotate_messages(notes: Iterable[tuple[Message, dict[str, Any]]]) -> list[Message]:
    """Write what the detectors learnt about messages (fields of ``ANNOTATIONS``, and
    ``emotion_cues`` kept in ``meta``) and announce each change as ``message.annotated``
    with the fields that changed. A message is scored once: when two scorers race, the
    first score stays. Returns the messages that changed, with the values set."""
    changed: list[Message] = []
    with transaction.atomic():
        for message, learnt in notes:
            unknown = set(learnt) - {*ANNOTATIONS, "emotion_cues"}
            if unknown:
                raise InvalidInput(_("Not an annotation."), field=sorted(unknown)[0])
            fields = {
                k: v for k, v in learnt.items() if k in ANNOTATIONS and getattr(message, k) != v
            }
            meta = dict(message.meta or {})
            cues = learnt.get("emotion_cues")
            if cues and meta.get("emotion_cues") != list(cues):
                meta["emotion_cues"] = list(cues)
                fields["meta"] = meta
            if not fields:
                continue
            rows = Message.objects.filter(pk=message.pk)
            if "emotion" in fields:
                rows = rows.filter(emotion__isnull=True)
            if not rows.update(**fields):
                continue
            for key, value in fields.items():
                setattr(message, key, value)
            announced = {k: v for k, v in fields.items() if k != "meta"}
            if "meta" in fields:
                announced["emotion_cues"] = list(cues or [])
            emit(
                Event.MESSAGE_ANNOTATED,
                message_id=message.pk,
                conversation_id=message.conversation_id,
                brand_id=message.brand_id,
                fields=announced,
            )
            changed.append(message)
    return changed


def on_customer_merged(customer_id: int, merged_id: int, **_: Any) -> None:
    """``customer.merged`` (in the merge's transaction): the merged customer's
    conversations and messages move to the one that stays."""
    Conversation.objects.filter(customer_id=merged_id).update(customer_id=customer_id)
    Message.objects.filter(sender_id=merged_id).update(sender_id=customer_id)


def live_conversation(conversation: Conversation) -> Conversation:
    """The conversation a merged one lives on in (itself when it was not merged)."""
    seen = 0
    while conversation.merged_into_id is not None and seen < 10:
        conversation = Conversation.objects.get(pk=conversation.merged_into_id)
        seen += 1
    return conversation


def snoozed_due(now: dt.datetime, limit: int = 500) -> list[Conversation]:
    """Snoozed conversations whose time has come, the longest due first."""
    return list(
        Conversation.objects.filter(status=Status.SNOOZED, snoozed_until__lte=now)
        .select_related("inbox", "assignee", "team", "customer")
        .order_by("snoozed_until", "id")[:limit]
    )


def wake(conversation: Conversation) -> Conversation:
    """A snooze ends: open again, with its owner, and said so in the thread."""
    return update_conversation(
        conversation,
        actor=None,
        snoozed_until=None,
        status=Status.OPEN,
        status_reason=_("Snooze ended: open again"),
        status_reason_i18n=i18n_text.deferred(gettext_noop("Snooze ended: open again")),
    )


# --- macros and attachments ------------------------------------------------------------

MACRO_VARIABLE = re.compile(r"\{\{\s*([a-z_]+(?:\.[a-z_]+)?)\s*\}\}")
MAX_ATTACHMENT_BYTES = 25 * 1024 * 1024


MACRO_VARIABLE_NAMES = (
    "customer.name",
    "customer.first_name",
    "customer.email",
    "agent.name",
    "agent.first_name",
    "conversation.number",
    "conversation.subject",
    "brand.name",
)


def macro_variables(conversation: Conversation, agent: Agent | None) -> dict[str, str]:
    """The values a macro may use, e.g. ``{{ customer.first_name }}``."""
    customer = conversation.customer
    name = customer.name.strip()
    agent_name = agent.display_name.strip() if agent is not None else ""
    return {
        "customer.name": name,
        "customer.first_name": name.split()[0] if name else "",
        "customer.email": customer.email,
        "agent.name": agent_name,
        "agent.first_name": agent_name.split()[0] if agent_name else "",
        "conversation.number": str(conversation.number),
        "conversation.subject": conversation.subject,
        "brand.name": conversation.brand.name,
    }


def render_macro_text(body: str, variables: dict[str, str]) -> str:
    """Replace each known ``{{ variable }}``; unknown ones stay visible for the agent to fix.
    A single pass: a value that looks like a variable is never expanded again."""

    def sub(match: re.Match[str]) -> str:
        value = variables.get(match.group(1))
        return match.group(0) if value is None else value

    return MACRO_VARIABLE.sub(sub, body)


def macros_for(conversation: Conversation) -> list[Macro]:
    """One macro per name: the variant in the conversation's language, else the brand's
    default language, else one without a language, else the first one."""

    def base(code: str | None) -> str:
        return (code or "").split("-")[0].lower()

    wanted = base(conversation.language)
    default = base(conversation.brand.default_language)
    by_name: dict[str, list[Macro]] = {}
    for m in Macro.objects.filter(brand_id=conversation.brand_id).order_by("name", "id"):
        by_name.setdefault(m.name, []).append(m)

    def rank(m: Macro) -> int:
        lang = base(m.language)
        return 0 if lang == wanted else 1 if lang == default else 2 if not lang else 3

    return [min(variants, key=rank) for variants in by_name.values()]


def render_macro(macro: Macro, conversation: Conversation, agent: Agent | None) -> str:
    if macro.brand_id != conversation.brand_id:
        raise InvalidInput(_("This macro belongs to another brand."), field="macro")
    return render_macro_text(macro.body, macro_variables(conversation, agent))


def add_attachment(
    message: Message,
    *,
    filename: str,
    content: bytes,
    content_type: str = "",
    content_id: str = "",
) -> Attachment:
    """Store a file with a message, content-addressed under MEDIA_ROOT: the same bytes
    sent again (a forwarded mail, a re-upload) reuse the stored file."""
    if len(content) > MAX_ATTACHMENT_BYTES:
        raise InvalidInput(_("A file may be at most 25 MB."), field="attachments")
    digest = hashlib.sha256(content).hexdigest()
    name = (filename or "file").replace("/", "_").replace("\\", "_")[:255]
    attachment = Attachment(
        message=message,
        brand_id=message.brand_id,
        filename=name,
        content_type=(content_type or "application/octet-stream")[:255],
        size=len(content),
        sha256=digest,
        content_id=content_id[:255],
    )
    path = attachment_path(attachment, name)
    if default_storage.exists(path):
        attachment.file.name = path
    else:
        attachment.file.save(name, ContentFile(content), save=False)
    attachment.save()
    return attachment


def ensure_macro(*, brand_id: int, name: str, language: str, body: str) -> Macro:
    """A macro variant, created once (the demo seeds these; edits in the admin stay)."""
    macro, _created = Macro.objects.get_or_create(
        brand_id=brand_id, name=name, language=language, defaults={"body": body}
    )
    return macro


def note_delivery(conversation_id: int) -> str:
    """Keep ``Conversation.delivery_issue`` in step with its replies' outbox rows (after
    every change of a delivery state, ``_delivery_changed``): ``failed`` while one is
    failed, else ``retrying`` while an attempt of one failed and another is due, else
    empty; returns it. Does not touch ``updated_at``: a delivery does not reorder lists."""
    states = set(
        OutboxMessage.objects.filter(message__conversation_id=conversation_id)
        .filter(Q(status=OutboxStatus.FAILED) | (Q(status=OutboxStatus.QUEUED) & ~Q(last_error="")))
        .values_list("status", flat=True)
        .distinct()
    )
    issue = (
        DeliveryIssue.FAILED
        if OutboxStatus.FAILED in states
        else DeliveryIssue.RETRYING
        if states
        else ""
    )
    Conversation.objects.filter(pk=conversation_id).exclude(delivery_issue=issue).update(
        delivery_issue=issue
    )
    return str(issue)


# --- the outbox: a reply's delivery, as its channel (channels.outbox) reports it ---------


def claim_delivery(outbox_id: int, *, until: dt.datetime) -> tuple[OutboxMessage, bool]:
    """Claim a queued row for one send attempt: the attempt is counted and the row leased
    (``next_attempt_at`` moved to ``until``, past any send) so that no other sender takes
    it meanwhile. Returns the row and whether it was claimed (not when it is sent, failed
    or leased by another sender)."""
    with transaction.atomic():
        row = _outbox_row(outbox_id)
        row.message = fastsql.select(Message, "id = %s", [row.message_id], limit=1)[0]
        now = timezone.now()
        if row.status != OutboxStatus.QUEUED or delivery_in_flight(row, now):
            return row, False
        row.attempts += 1
        row.next_attempt_at = until
        fastsql.update(
            OutboxMessage, row.pk, attempts=row.attempts, next_attempt_at=row.next_attempt_at
        )
    return row, True


def _outbox_row(outbox_id: int) -> OutboxMessage:
    """The row, locked for this transaction (prepared statements, core.fastsql: a reply's
    delivery reads and writes it twice)."""
    found = fastsql.select(OutboxMessage, "id = %s", [outbox_id], limit=1, for_update=True)
    if not found:
        raise OutboxMessage.DoesNotExist(f"OutboxMessage {outbox_id} does not exist")
    return found[0]


def delivery_in_flight(row: OutboxMessage, now: dt.datetime) -> bool:
    """Claimed by a sender whose lease runs: an attempt began and has no outcome yet
    (every failed attempt records its error; a sent row is no longer queued)."""
    return (
        row.status == OutboxStatus.QUEUED
        and row.attempts > 0
        and not row.last_error
        and row.next_attempt_at > now
    )


def record_delivery(
    outbox_id: int,
    *,
    sent: bool = False,
    error: str = "",
    kind: str = "",
    retry_at: dt.datetime | None = None,
) -> OutboxMessage:
    """The outcome of an attempt: ``sent``; or failed with ``error`` (the channel's text)
    and ``kind`` (``conversations.delivery``), to be tried again at ``retry_at`` or, without
    it, parked as failed. Updates the conversation's flag and emits
    ``message.delivery_changed`` (a failure also raises an alert for the brand)."""
    with transaction.atomic():
        row = _outbox_row(outbox_id)
        before = row.state()
        now = timezone.now()
        if sent:
            row.status = OutboxStatus.SENT
            row.sent_at = now
            row.last_error = row.error_kind = ""
            fastsql.update(Message, row.message_id, sent_at=now)
        else:
            row.last_error, row.error_kind = error[:4000], kind
            if retry_at is None:
                row.status = OutboxStatus.FAILED
            else:
                row.next_attempt_at = retry_at
        fastsql.update(
            OutboxMessage,
            row.pk,
            status=row.status,
            sent_at=row.sent_at,
            last_error=row.last_error,
            error_kind=row.error_kind,
            next_attempt_at=row.next_attempt_at,
        )
        # A reply sent at its first try never marked its conversation: the flag stays.
        _delivery_changed(row, flag_may_change=not (before == "queued" and sent))
    return row


def fail_delivered(message: Message, error: str, *, kind: str) -> OutboxMessage | None:
    """The channel took the message but reports later that it could not deliver it (an
    email bounce): its row is parked as failed, as a failed attempt would have left it."""
    with transaction.atomic():
        row = OutboxMessage.objects.select_for_update().filter(message=message).first()
        if row is None:
            return None
        row.status = OutboxStatus.FAILED
        row.last_error, row.error_kind = error[:4000], kind
        row.save(update_fields=["status", "last_error", "error_kind"])
        _delivery_changed(row)
    return row


@transaction.atomic
def retry_delivery(row: OutboxMessage, *, actor: Agent | None = None) -> OutboxMessage:
    """A person asked to try a failed message again: the author, the conversation's
    assignee or a supervisor of its brand (``permissions.check_may_retry``)."""
    from wowdesk.core import permissions

    message = Message.objects.select_related("conversation").get(pk=row.message_id)
    if actor is not None:
        permissions.check_may_retry(actor, message)
    if row.status != OutboxStatus.FAILED:
        raise InvalidInput(_("Only a failed message can be retried."), field="outbox_id")
    before = {"status": row.status, "attempts": row.attempts, "error_kind": row.error_kind}
    row.status = OutboxStatus.QUEUED
    row.attempts = 0
    row.last_error = row.error_kind = ""
    row.next_attempt_at = timezone.now()
    row.save(update_fields=["status", "attempts", "last_error", "error_kind", "next_attempt_at"])
    audit.record(
        action="outbox.retry",
        obj=row,
        actor=actor,
        brand_id=row.brand_id,
        before=before,
        after={"status": row.status},
    )
    emit(Event.OUTBOUND_QUEUED, outbox_id=row.pk)
    _delivery_changed(row)
    return row


def _delivery_changed(row: OutboxMessage, *, flag_may_change: bool = True) -> None:
    """After each change of a row's delivery state: the conversation's flag (unless the
    change cannot move it), and the event (the message updates live, the author hears of
    a failure)."""
    from wowdesk.conversations.delivery import reason
    from wowdesk.core.models import AlertKind
    from wowdesk.core.services import create_alert

    conversation_id, number = (
        Message.objects.filter(pk=row.message_id)
        .values_list("conversation_id", "conversation__number")
        .get()
    )
    if flag_may_change:
        note_delivery(conversation_id)
    if row.status == OutboxStatus.FAILED:
        create_alert(
            row.brand_id,
            AlertKind.DELIVERY_FAILED,
            _("A reply in conversation #%(n)s could not be delivered: %(reason)s")
            % {"n": number, "reason": reason(row.error_kind, row.channel)},
            conversation_id=conversation_id,
            message_id=row.message_id,
            params={"number": number, "reason": row.error_kind, "channel": row.channel},
        )
    emit(
        Event.MESSAGE_DELIVERY_CHANGED,
        outbox_id=row.pk,
        brand_id=row.brand_id,
        message_id=row.message_id,
        conversation_id=conversation_id,
        state=row.state(),
    )


# --- configuration rows edited in the admin ------------------------------------------

INBOX_FIELDS = ("name", "address", "team_id", "is_default", "answer_bot")


def update_inbox(inbox: Inbox, *, actor: Agent | None, **fields: Any) -> Inbox:
    """Change an inbox's name, address, team, default flag or answer bot (its brand and
    channel stay)."""
    from wowdesk.core.services import save_fields

    values = {k: v for k, v in fields.items() if k in INBOX_FIELDS}
    if "answer_bot" in values:
        check_answer_bot(inbox.channel, values["answer_bot"])
        if values["answer_bot"] != inbox.answer_bot:
            answer_bot_inboxes.changed()
    team_id = values.get("team_id")
    if (
        team_id is not None
        and not Team.objects.filter(pk=team_id, brand_id=inbox.brand_id).exists()
    ):
        raise InvalidInput(_("No such team in this brand."), field="team_id")
    name = values.get("name")
    if name is not None and (
        Inbox.objects.filter(brand_id=inbox.brand_id, name=name).exclude(pk=inbox.pk).exists()
    ):
        raise InvalidInput(_("An inbox with this name exists."), field="name")
    if values.get("address") is not None:
        values["address"] = str(values["address"]).strip()
        check_inbox_address(inbox.channel, values["address"], exclude_pk=inbox.pk)
    return save_fields(  # type: ignore[no-any-return]
        inbox, fields=values, actor=actor, brand_id=inbox.brand_id, action="inbox.update"
    )


def set_inbox_setting(inbox: Inbox, key: str, value: Any) -> Inbox:
    """Set one section of an inbox's channel settings (``settings[key]``; a chat inbox's
    ``widget``): the channel's app owns what the section says, conversations writes it."""
    inbox.settings = {**(inbox.settings or {}), key: value}
    Inbox.objects.filter(pk=inbox.pk).update(settings=inbox.settings)
    return inbox


def set_external_id(message: Message, external_id: str) -> None:
    """The channel's id of an outgoing message (an email's Message-ID), recorded before it
    is sent so that the customer's answer threads even after a crash; kept when set."""
    Message.objects.filter(pk=message.pk, external_id="").update(external_id=external_id)


def set_message_meta(message: Message, **entries: Any) -> Message:
    """Add entries to a message's ``meta`` (a channel's delivery facts: a bounce report)."""
    message.meta = {**(message.meta or {}), **entries}
    Message.objects.filter(pk=message.pk).update(meta=message.meta)
    return message


MACRO_FIELDS = ("name", "language", "body", "actions")


def save_macro(macro: Macro | None, *, brand_id: int, actor: Agent | None, **fields: Any) -> Macro:
    """Create (``macro`` None) or change a macro of a brand."""
    from wowdesk.core.services import save_fields

    row = macro or Macro(brand_id=brand_id, created_by=actor)
    values = {k: v for k, v in fields.items() if k in MACRO_FIELDS}
    if "actions" in values:
        values["actions"] = clean_macro_actions(brand_id, values["actions"])
    return save_fields(  # type: ignore[no-any-return]
        row,
        fields=values,
        actor=actor,
        brand_id=brand_id,
        action="macro.create" if macro is None else "macro.update",
    )


def macro_for(conversation: Conversation, macro_id: int) -> Macro:
    """The macro ``macro_id`` of the conversation's brand; any other id (another brand's,
    none) is refused naming ``macro_id``."""
    macro = Macro.objects.filter(pk=macro_id, brand_id=conversation.brand_id).first()
    if macro is None:
        raise InvalidInput(_("No such macro in this brand."), field="macro_id")
    return macro


def macro_changes(conversation: Conversation, macro: Macro, actor: Agent | None) -> dict[str, Any]:
    """What a macro's actions change on the conversation, as ``update_conversation``
    arguments: ``status``, ``priority``, ``tags`` (the macro's added to the
    conversation's), ``team_id``, ``assign_to_me`` (the assignee becomes ``actor``; no
    actor: left as it is) and ``custom_fields`` (merged). The one reading of a macro's
    actions, used by a reply with a macro, the apply-macro action and bulk actions."""
    if macro.brand_id != conversation.brand_id:
        raise InvalidInput(_("This macro belongs to another brand."), field="macro_id")
    actions = macro.actions or {}
    changes: dict[str, Any] = {}
    if actions.get("status"):
        changes["status"] = actions["status"]
    if actions.get("priority"):
        changes["priority"] = actions["priority"]
    if actions.get("tags"):
        have = sorted(t.name for t in conversation.tags.all())
        added = [t for t in actions["tags"] if t not in have]
        if added:
            changes["tags"] = [*have, *added]
    if actions.get("team_id"):
        changes["team_id"] = actions["team_id"]
    if actions.get("assign_to_me") and actor is not None:
        changes["assignee_id"] = actor.pk
    if actions.get("custom_fields"):
        changes["custom_fields"] = actions["custom_fields"]
    return changes


def apply_macro_actions(
    conversation: Conversation, macro: Macro, *, actor: Agent | None
) -> Conversation:
    """Carry out a macro's actions (``macro_changes``) on the conversation in one change
    (audited, announced). Custom field values are checked again against the brand's
    definitions as they are now; resolving follows the rules of ``update_conversation``
    (fields required to resolve)."""
    changes = macro_changes(conversation, macro, actor)
    if not changes:
        return conversation
    return update_conversation(conversation, actor=actor, **changes)


def delete_tag(tag: Tag, *, actor: Agent | None) -> None:
    """Delete a tag; conversations lose it."""
    from wowdesk.core.services import delete_row

    delete_row(tag, actor=actor, brand_id=tag.brand_id, action="tag.delete")


def delete_macro(macro: Macro, *, actor: Agent | None) -> None:
    from wowdesk.core.services import delete_row

    delete_row(macro, actor=actor, brand_id=macro.brand_id, action="macro.delete")


def _retag_macros(brand_id: int, old: str, new: str | None) -> None:
    """Macros that add the tag ``old`` add ``new`` instead (none: no longer add it)."""
    for macro in Macro.objects.filter(brand_id=brand_id).exclude(actions={}):
        tags = (macro.actions or {}).get("tags")
        if not isinstance(tags, list) or old not in tags:
            continue
        renamed = [new if t == old else t for t in tags if t != old or new is not None]
        unique = list(dict.fromkeys(t for t in renamed if t))
        Macro.objects.filter(pk=macro.pk).update(actions={**macro.actions, "tags": unique})


def rename_tag(tag: Tag, *, name: str, actor: Agent | None) -> Tag:
    """Give a tag another name; the brand's macros that add it follow."""
    old = tag.name
    tag = update_tag(tag, actor=actor, name=name)
    if tag.name != old:
        _retag_macros(tag.brand_id, old, tag.name)
    return tag


def merge_tags(source: Tag, into: Tag, *, actor: Agent | None) -> int:
    """Merge ``source`` into ``into`` (same brand): every conversation tagged ``source``
    is tagged ``into``, macros adding ``source`` add ``into``, and ``source`` is deleted.
    Returns how many conversations gained ``into``."""
    if source.pk == into.pk:
        raise InvalidInput(_("A tag cannot be merged into itself."), field="into")
    if source.brand_id != into.brand_id:
        raise InvalidInput(_("Tags merge only within one brand."), field="into")
    links = Conversation.tags.through.objects
    has_target = links.filter(tag_id=into.pk).values("conversation_id")
    moved: int = (
        links.filter(tag_id=source.pk)
        .exclude(conversation_id__in=has_target)
        .update(tag_id=into.pk)
    )
    _retag_macros(source.brand_id, source.name, into.name)
    audit.record(
        action="tag.merge",
        obj=into,
        actor=actor,
        brand_id=into.brand_id,
        before={"name": source.name},
        after={"name": into.name, "conversations": moved},
    )
    delete_tag(source, actor=actor)
    return moved


MACRO_LANGUAGE = re.compile(r"(?:[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*)?")
MAX_MACRO_BODY = 20_000
MACRO_ACTION_KEYS = ("status", "priority", "tags", "team_id", "assign_to_me", "custom_fields")


def clean_macro_actions(brand_id: int, actions: dict[str, Any]) -> dict[str, Any]:
    """A macro's actions as stored: ``status``, ``priority``, ``tags`` (names of the
    brand's tags), ``team_id`` (a team of the brand), ``assign_to_me`` (the agent who uses
    the macro), ``custom_fields`` (keys and values of the brand's conversation fields,
    ``core.fields.check_patch``). Unknown keys and bad values are refused, naming the
    field."""
    if not isinstance(actions, dict):
        raise InvalidInput(_("A macro's actions are an object."), field="actions")
    out: dict[str, Any] = {}
    for key, value in actions.items():
        if key not in MACRO_ACTION_KEYS:
            raise InvalidInput(_("Unknown macro action."), field=f"actions.{key}")
        if value in (None, "", [], False):
            continue
        if key == "status" and value not in Status.values:
            raise InvalidInput(_("Unknown status."), field="actions.status")
        if key == "priority" and value not in Priority.values:
            raise InvalidInput(_("Unknown priority."), field="actions.priority")
        if key == "tags":
            names = clean_tag_names(value if isinstance(value, list) else [], "actions.tags")
            known = set(
                Tag.objects.filter(brand_id=brand_id, name__in=names).values_list("name", flat=True)
            )
            if set(names) - known:
                raise InvalidInput(_("No such tag in this brand."), field="actions.tags")
            value = names
        if key == "team_id" and (
            not isinstance(value, int)
            or not Team.objects.filter(pk=value, brand_id=brand_id).exists()
        ):
            raise InvalidInput(_("No such team in this brand."), field="actions.team_id")
        if key == "assign_to_me":
            value = True
        if key == "custom_fields":
            value = core_fields.check_patch(
                brand_id, "conversation", value, field="actions.custom_fields"
            )
            if not value:
                continue
        out[key] = value
    return out


def save_macro_variants(
    *,
    brand_id: int,
    name: str,
    variants: list[tuple[str, str]],
    actions: dict[str, Any],
    actor: Agent | None,
    old_name: str | None = None,
) -> list[Macro]:
    """Write a macro as the settings page edits it: one name, a body per language (one
    row each, ``language`` "" for the variant used when no other fits) and one set of
    actions shared by the variants. Variants not listed are deleted."""
    name = check_line(name, "name", max_length=120).strip()
    if not name:
        raise InvalidInput(_("A macro needs a name."), field="name")
    if not variants:
        raise InvalidInput(_("A macro needs at least one text."), field="variants")
    languages = [lang for lang, _body in variants]
    for i, (language, body) in enumerate(variants):
        if not MACRO_LANGUAGE.fullmatch(language):
            raise InvalidInput(_("Not a language code."), field=f"variants.{i}.language")
        check_text(body, f"variants.{i}.body", max_length=MAX_MACRO_BODY)
    if len(set(languages)) != len(languages):
        raise InvalidInput(_("Each language may have one text."), field="variants")
    if any(not body.strip() for _lang, body in variants):
        raise InvalidInput(_("A macro's text may not be empty."), field="variants")
    if name != old_name and Macro.objects.filter(brand_id=brand_id, name=name).exists():
        raise InvalidInput(_("A macro with this name exists."), field="name")
    actions = clean_macro_actions(brand_id, actions)
    existing = {
        m.language: m for m in Macro.objects.filter(brand_id=brand_id, name=old_name or name)
    }
    rows = []
    for language, body in variants:
        row = existing.pop(language, None)
        rows.append(
            save_macro(
                row,
                brand_id=brand_id,
                actor=actor,
                name=name,
                language=language,
                body=body,
                actions=actions,
            )
        )
    for gone in existing.values():
        delete_macro(gone, actor=actor)
    return rows


# --- split and link ----------------------------------------------------------------------


def _recount(conversation_id: int) -> dict[str, Any]:
    """A conversation's counters from its messages (after messages moved out or in):
    ``message_count`` (every message but activity lines), ``last_message_at`` (the latest
    message to or from the customer), ``waiting_since`` (the first customer message after
    the last reply, when the customer spoke last and the conversation is not resolved)."""
    rows = list(
        Message.objects.filter(conversation_id=conversation_id)
        .exclude(direction=Direction.ACTIVITY)
        .order_by("created_at", "id")
        .values_list("direction", "created_at")
    )
    said = [(d, at) for d, at in rows if d in (Direction.IN, Direction.OUT)]
    waiting: dt.datetime | None = None
    for direction, at in said:
        if direction == Direction.OUT:
            waiting = None
        elif waiting is None:
            waiting = at
    status = Conversation.objects.filter(pk=conversation_id).values_list("status", flat=True)[0]
    return {
        "message_count": len(rows),
        "last_message_at": said[-1][1] if said else None,
        "waiting_since": None if status == Status.RESOLVED else waiting,
    }


def split_conversation(
    source: Conversation,
    message_id: int,
    *,
    actor: Agent | None,
    also: Iterable[int] = (),
    subject: str | None = None,
) -> Conversation:
    """Move one message of ``source`` (and the later ones of ``also``) into a new
    conversation of the same customer and inbox. Nothing is copied: each message lives in
    one thread. Both threads get a line ("Split into #m", "Split from #n"), the audit log
    a row. On email the moved mail forgets the references of the old thread, so that a
    reply of the new conversation starts a thread of its own (its subject carries the new
    number) and the customer's answer to it comes back to the new conversation."""
    if subject is not None:
        subject = check_line(subject, "subject", max_length=MAX_SUBJECT).strip()
    source = (
        Conversation.objects.select_for_update(of=("self",))
        .select_related("inbox", "customer")
        .get(pk=source.pk)
    )
    if source.merged_into_id is not None:
        raise InvalidInput(_("This conversation was merged into another one."), field="id")
    first = Message.objects.filter(pk=message_id, conversation=source).first()
    if first is None:
        raise InvalidInput(_("No such message in this conversation."), field="message_id")
    if first.direction == Direction.ACTIVITY:
        raise InvalidInput(_("An activity line cannot be split off."), field="message_id")
    wanted = {int(i) for i in also} - {first.pk}
    later = list(
        Message.objects.filter(conversation=source, pk__in=wanted)
        .exclude(direction=Direction.ACTIVITY)
        .filter(
            Q(created_at__gt=first.created_at) | Q(created_at=first.created_at, pk__gt=first.pk)
        )
    )
    if len(later) != len(wanted):
        raise InvalidInput(
            _("Only later messages of this conversation can go with it."), field="also"
        )
    kept = (
        Message.objects.filter(conversation=source)
        .exclude(direction=Direction.ACTIVITY)
        .exclude(pk__in=[first.pk, *wanted])
        .exists()
    )
    if not kept:
        raise InvalidInput(
            _("At least one message must stay in the conversation."), field="message_id"
        )
    moving = [first, *later]
    new = create_conversation(
        inbox=source.inbox,
        customer=source.customer,
        subject=subject if subject else source.subject,
        language=source.language,
        at=timezone.now(),
    )
    Message.objects.filter(pk__in=[m.pk for m in moving]).update(conversation=new)
    for m in moving:
        mail = (m.meta or {}).get("email")
        if isinstance(mail, dict) and mail.get("references"):
            meta = {**m.meta, "email": {**mail, "references": []}, "split_from": source.pk}
            Message.objects.filter(pk=m.pk).update(meta=meta)
    now = timezone.now()
    Conversation.objects.filter(pk=source.pk).update(updated_at=now, **_recount(source.pk))
    Conversation.objects.filter(pk=new.pk).update(
        updated_at=now, team_id=source.team_id, priority=source.priority, **_recount(new.pk)
    )
    source.refresh_from_db()
    new.refresh_from_db()
    meta = {"split": {"source": source.pk, "into": new.pk, "messages": [m.pk for m in moving]}}
    into_spec = i18n_text.deferred(gettext_noop("Split into #%(number)s."), number=new.number)
    add_activity(source, i18n_text.render(into_spec), actor=actor, meta=meta, i18n=into_spec)
    from_spec = i18n_text.deferred(gettext_noop("Split from #%(number)s."), number=source.number)
    add_activity(new, i18n_text.render(from_spec), actor=actor, meta=meta, i18n=from_spec)
    audit.record(
        action="conversation.split",
        obj=new,
        actor=actor,
        brand_id=new.brand_id,
        before={"source_id": source.pk, "source_number": source.number},
        after={"messages": [m.pk for m in moving], "number": new.number},
    )
    actor_id = actor.pk if actor is not None else None
    emit(
        Event.CONVERSATION_UPDATED,
        conversation_id=source.pk,
        brand_id=source.brand_id,
        changes={"split_into": new.pk},
        actor_id=actor_id,
    )
    emit(
        Event.CONVERSATION_UPDATED,
        conversation_id=new.pk,
        brand_id=new.brand_id,
        changes={"split_from": source.pk},
        actor_id=actor_id,
    )
    return new


def later_messages(conversation: Conversation, message_id: int) -> list[int]:
    """The ids of the messages after ``message_id`` in the conversation (not activity
    lines): what "split it and the later messages off" moves with it."""
    first = Message.objects.filter(pk=message_id, conversation=conversation).first()
    if first is None:
        return []
    return list(
        Message.objects.filter(conversation=conversation)
        .exclude(direction=Direction.ACTIVITY)
        .filter(
            Q(created_at__gt=first.created_at) | Q(created_at=first.created_at, pk__gt=first.pk)
        )
        .values_list("pk", flat=True)
    )


def _link_pair(a: Conversation, b: Conversation) -> tuple[int, int]:
    if a.pk == b.pk:
        raise InvalidInput(_("A conversation cannot be linked to itself."), field="conversation_id")
    if a.brand_id != b.brand_id:
        raise InvalidInput(
            _("Conversations of different brands cannot be linked."), field="conversation_id"
        )
    return (a.pk, b.pk) if a.pk < b.pk else (b.pk, a.pk)


def link_conversations(a: Conversation, b: Conversation, *, actor: Agent | None) -> bool:
    """Mark two conversations of one brand as related (both show the other). Returns
    whether a link was made (False: they were linked already)."""
    from wowdesk.conversations.models import ConversationLink

    first, second = _link_pair(a, b)
    try:
        with transaction.atomic():
            ConversationLink.objects.create(
                brand_id=a.brand_id, first_id=first, second_id=second, created_by=actor
            )
    except IntegrityError:
        return False
    _linked_said(a, b, actor, linked=True)
    return True


def unlink_conversations(a: Conversation, b: Conversation, *, actor: Agent | None) -> bool:
    """Remove the link of two conversations; returns whether there was one."""
    from wowdesk.conversations.models import ConversationLink

    first, second = _link_pair(a, b)
    deleted, _rows = ConversationLink.objects.filter(first_id=first, second_id=second).delete()
    if not deleted:
        return False
    _linked_said(a, b, actor, linked=False)
    return True


def _linked_said(a: Conversation, b: Conversation, actor: Agent | None, *, linked: bool) -> None:
    """A link made or removed: an activity line in both threads, the audit log, events."""
    for one, other in ((a, b), (b, a)):
        text = (
            gettext_noop("Linked to #%(number)s.")
            if linked
            else gettext_noop("No longer linked to #%(number)s.")
        )
        spec = i18n_text.deferred(text, number=other.number)
        Conversation.objects.filter(pk=one.pk).update(updated_at=timezone.now())
        add_activity(one, i18n_text.render(spec), actor=actor, i18n=spec)
        emit(
            Event.CONVERSATION_UPDATED,
            conversation_id=one.pk,
            brand_id=one.brand_id,
            changes={"linked" if linked else "unlinked": other.pk},
            actor_id=actor.pk if actor is not None else None,
        )
    audit.record(
        action="conversation.link" if linked else "conversation.unlink",
        obj=a,
        actor=actor,
        brand_id=a.brand_id,
        after={"conversation_id": b.pk, "number": b.number},
    )


def linked_conversations(conversation: Conversation) -> list[Conversation]:
    """The conversations linked to this one, lowest number first (one query)."""
    from wowdesk.conversations.models import ConversationLink

    seconds = ConversationLink.objects.filter(first_id=conversation.pk).values("second_id")
    firsts = ConversationLink.objects.filter(second_id=conversation.pk).values("first_id")
    return list(
        Conversation.objects.filter(Q(pk__in=seconds) | Q(pk__in=firsts))
        .select_related("customer", "assignee")
        .order_by("number")
    )
