"""Every write to conversations, messages and tags goes through here (STYLE.md §1)."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, connection, transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from wowdesk.conversations.html import sanitize_html, text_to_html
from wowdesk.conversations.models import (
    Attachment,
    Channel,
    Conversation,
    Direction,
    Inbox,
    Macro,
    Message,
    Priority,
    Status,
    Tag,
    attachment_path,
)
from wowdesk.core import audit, fastsql, textsearch
from wowdesk.core import i18n as i18n_text
from wowdesk.core.errors import InvalidInput
from wowdesk.core.events import Event, emit
from wowdesk.core.models import Agent, Brand, Team
from wowdesk.customers.models import Customer

MAX_SUBJECT = 300


class Unset:
    """Marks an argument left out (``None`` means "clear it")."""


UNSET = Unset()


# --- inboxes and tags -----------------------------------------------------------------


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
                return Inbox.objects.create(
                    brand_id=brand_id,
                    channel=channel,
                    name=str(Channel(channel).label),
                    is_default=True,
                )
        except IntegrityError:
            continue  # created by the other one a moment ago: read it
    raise InvalidInput(_("No inbox for this channel could be made."), field="channel")


def create_inbox(
    *,
    brand_id: int,
    name: str,
    channel: str,
    address: str = "",
    team_id: int | None = None,
    is_default: bool = False,
    actor: Agent | None = None,
) -> Inbox:
    if channel not in Channel.values:
        raise InvalidInput(_("Unknown channel."), field="channel")
    if Inbox.objects.filter(brand_id=brand_id, name=name).exists():
        raise InvalidInput(_("An inbox with this name exists."), field="name")
    inbox = Inbox.objects.create(
        brand_id=brand_id,
        name=name,
        channel=channel,
        address=address,
        team_id=team_id,
        is_default=is_default,
    )
    audit.record(
        action="inbox.create",
        obj=inbox,
        actor=actor,
        brand_id=brand_id,
        after={"name": name, "channel": channel},
    )
    return inbox


def ensure_tags(brand_id: int, names: Iterable[str]) -> list[Tag]:
    out: list[Tag] = []
    for raw in names:
        name = raw.strip().lower()[:64]
        if not name or any(t.name == name for t in out):
            continue
        tag, _created = Tag.objects.get_or_create(brand_id=brand_id, name=name)
        out.append(tag)
    return out


def create_tag(
    *, brand_id: int, name: str, color: str = "#6b7280", actor: Agent | None = None
) -> Tag:
    name = name.strip().lower()[:64]
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
        name = name.strip().lower()[:64]
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


def next_number(brand_id: int) -> int:
    """The brand's next display number. Must run inside the creating transaction.

    One statement (``UPDATE … RETURNING``: SQLite ≥ 3.35 and PostgreSQL) on the hot path
    of every new conversation."""
    table = Brand._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f'UPDATE "{table}" SET "conversation_seq" = "conversation_seq" + 1 '
            'WHERE "id" = %s RETURNING "conversation_seq"',
            [brand_id],
        )
        row = cursor.fetchone()
    if row is None:
        raise Brand.DoesNotExist(brand_id)
    return int(row[0])


def ids_matching(term: str) -> QuerySet[Any]:
    """The ids (column ``g``) of conversations with ``term`` in the subject or the
    customer's name or email, or with that number: one UNION of id lists from the
    indexes (core.textsearch; an OR of the same made SQLite scan every row)."""
    ids = Conversation.objects.order_by().values(g=F("pk"))
    matches = ids.filter(textsearch.contains(textsearch.CONVERSATION_SUBJECT, term)).union(
        ids.filter(
            textsearch.contains(
                textsearch.CUSTOMER_CONTACT, term, columns=("name", "email"), via="customer"
            )
        )
    )
    digits = term.lstrip("#")
    if digits.isdigit() and len(digits) < 19:
        matches = matches.union(ids.filter(number=int(digits)))
    return matches


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
        number=next_number(inbox.brand_id),
        inbox=inbox,
        customer=customer,
        subject=subject.strip()[:MAX_SUBJECT],
        team_id=inbox.team_id,
        language=language or customer.language,
        created_at=now,
        updated_at=now,
        last_message_at=now if for_incoming else None,
        waiting_since=now if for_incoming else None,
        message_count=1 if for_incoming else 0,
    )
    emit(Event.CONVERSATION_CREATED, conversation_id=conversation.pk)
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
    if incoming.conversation_language and incoming.conversation_language != conversation.language:
        updates["language"] = incoming.conversation_language
        conversation.language = incoming.conversation_language
    if not new_conversation:
        fastsql.update(Conversation, conversation.pk, **updates)
    emit(
        Event.MESSAGE_CREATED,
        message_id=message.pk,
        conversation_id=conversation.pk,
        brand_id=conversation.brand_id,
        direction=Direction.IN,
    )
    return message


def add_reply(
    conversation: Conversation,
    *,
    author: Agent,
    body: str,
    private: bool = False,
    meta: dict[str, Any] | None = None,
    language: str = "",
) -> Message:
    """An agent's reply (queued in the outbox in this same transaction) or private note."""
    from wowdesk.channels.outbox import queue_outbound

    text = body.strip()
    if not text:
        raise InvalidInput(_("A reply cannot be empty."), field="body")
    now = timezone.now()
    message = Message.objects.create(
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
    updates: dict[str, Any] = {"updated_at": now, "message_count": F("message_count") + 1}
    if not private:
        updates["last_message_at"] = now
        updates["waiting_since"] = None
        if conversation.first_response_at is None:
            updates["first_response_at"] = now
        queue_outbound(message)
    Conversation.objects.filter(pk=conversation.pk).update(**updates)
    conversation.refresh_from_db()
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


def snapshot(conversation: Conversation) -> dict[str, Any]:
    return {
        "status": conversation.status,
        "priority": conversation.priority,
        "assignee_id": conversation.assignee_id,
        "team_id": conversation.team_id,
        "tags": sorted(t.name for t in conversation.tags.all()),
    }


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
    reason: str | None = None,
    reason_i18n: i18n_text.Spec | None = None,
) -> Conversation:
    """Change status, priority, assignee, team, tags; each change is an activity message
    in the thread and a line in the audit log. ``UNSET`` means "leave as it is".
    ``reason`` replaces the assignment's activity text; ``reason_i18n`` is its spec
    (``core.i18n``) for readers of other languages."""
    before = snapshot(conversation)
    activities: list[tuple[str, i18n_text.Spec | None]] = []

    def said(spec: i18n_text.Spec) -> tuple[str, i18n_text.Spec]:
        return i18n_text.render(spec), spec

    now = timezone.now()
    dirty = {"updated_at"}  # saved alone: a stale copy must not undo a concurrent message
    if status is not None and status != conversation.status:
        if status not in Status.values:
            raise InvalidInput(_("Unknown status."), field="status")
        conversation.status = status
        conversation.resolved_at = now if status == Status.RESOLVED else None
        dirty |= {"status", "resolved_at"}
        if status == Status.RESOLVED:
            conversation.waiting_since = None
            dirty.add("waiting_since")
        activities.append(
            said(
                i18n_text.deferred(
                    gettext_noop("Status changed to %(s)s"), s=i18n_text.choice("status", status)
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
            agent = Agent.objects.filter(
                pk=assignee_id, brands=conversation.brand_id, is_active=True
            ).first()
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
            team = Team.objects.filter(pk=team_id, brand_id=conversation.brand_id).first()
            if team is None:
                raise InvalidInput(_("No such team in this brand."), field="team_id")
            conversation.team = team
            dirty.add("team")
            activities.append(
                said(i18n_text.deferred(gettext_noop("Team set to %(t)s"), t=team.name))
            )
    if subject is not None and subject.strip()[:MAX_SUBJECT] != conversation.subject:
        conversation.subject = subject.strip()[:MAX_SUBJECT]
        dirty.add("subject")
    if tags is not None:
        new_tags = ensure_tags(conversation.brand_id, tags)
        if sorted(t.name for t in new_tags) != before["tags"]:
            conversation.tags.set(new_tags)
            activities.append(
                said(
                    i18n_text.deferred(
                        gettext_noop("Tags: %(t)s"), t=", ".join(t.name for t in new_tags) or "—"
                    )
                )
            )
    conversation.updated_at = now
    conversation.save(update_fields=sorted(dirty))
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
            add_activity(conversation, text, actor=actor, meta={"changes": a}, i18n=spec)
        emit(Event.CONVERSATION_UPDATED, conversation_id=conversation.pk, changes=a)
    return conversation


# --- macros and attachments ------------------------------------------------------------

MACRO_VARIABLE = re.compile(r"\{\{\s*([a-z_]+(?:\.[a-z_]+)?)\s*\}\}")
MAX_ATTACHMENT_BYTES = 25 * 1024 * 1024


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
