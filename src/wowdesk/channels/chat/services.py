"""Live chat: the widget's configuration, visitor sessions, messages in and replies out.

Every write of the chat channel goes through here. A visitor's message enters through the
one ingest path (``wowdesk.channels.ingest.ingest``, channel ``chat``): stored first,
exactly once per client-generated message id. An agent's reply leaves through the outbox
and :class:`ChatAdapter`, which pushes it to the visitor's widgets (group
``visitor.<brand id>.<visitor id>``) and, when the visitor has gone and left an email
address, hands it to the email channel so the conversation continues by email.

Widget settings live in ``Inbox.settings["widget"]`` (no model of their own):
``token`` (public, goes in the script tag), ``secret`` (identity verification HMAC key),
``prechat`` (ask name and email before the first message), ``greeting``, ``title``,
``require_verification`` (refuse visitors without a valid user hash).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import secrets
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from wowdesk.channels.adapters import adapter_for
from wowdesk.channels.chat import tokens
from wowdesk.channels.chat.tokens import Visitor
from wowdesk.channels.ingest import IngestResult, ingest
from wowdesk.channels.schema import InboundIn
from wowdesk.conversations import services as conversations
from wowdesk.conversations.models import Channel, Conversation, Direction, Inbox, Message
from wowdesk.core import audit, ratelimit
from wowdesk.core import i18n as i18n_text
from wowdesk.core.errors import Forbidden, InvalidInput, NotFound
from wowdesk.core.models import Agent
from wowdesk.core.realtime import send_now, visitor_group
from wowdesk.customers import services as crm
from wowdesk.customers.identity import InvalidAddress, normalize_email
from wowdesk.customers.models import Customer, Identity, IdentityKind

log = logging.getLogger(__name__)

CLIENT_ID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
MAX_BODY = 5000
HISTORY = 50
# A widget pings every 25 s; a visitor not heard from for this long has gone.
ONLINE_TTL = 70


# --- widget settings ----------------------------------------------------------------------


@dataclass(frozen=True)
class WidgetSettings:
    token: str = ""
    secret: str = ""
    prechat: bool = False
    greeting: str = ""
    title: str = ""
    require_verification: bool = False

    def public(self) -> dict[str, Any]:
        """What any web page may learn (never the secret)."""
        return {"prechat": self.prechat, "greeting": self.greeting, "title": self.title}


# ensure_widget makes 24-character tokens; a shorter one is no widget's.
MIN_TOKEN_CHARS = 16


def widget_settings(inbox: Inbox) -> WidgetSettings:
    raw = inbox.settings.get("widget") if isinstance(inbox.settings, dict) else None
    raw = raw if isinstance(raw, dict) else {}
    return WidgetSettings(
        token=str(raw.get("token") or ""),
        secret=str(raw.get("secret") or ""),
        prechat=bool(raw.get("prechat", False)),
        greeting=str(raw.get("greeting") or ""),
        title=str(raw.get("title") or ""),
        require_verification=bool(raw.get("require_verification", False)),
    )


def on_inbox_created(*, inbox_id: int, brand_id: int, channel: str) -> None:
    """``inbox.created`` (in its transaction): a chat inbox has its widget from the start."""
    if channel == Channel.CHAT:
        ensure_widget(Inbox.objects.get(pk=inbox_id))


def ensure_widget(inbox: Inbox) -> Inbox:
    """Give a chat inbox its public widget token and verification secret if it lacks them."""
    if inbox.channel != Channel.CHAT:
        raise InvalidInput(_("Only a chat inbox has a widget."), field="inbox")
    current = widget_settings(inbox)
    if current.token and current.secret:
        return inbox
    widget = dict(inbox.settings.get("widget") or {})
    widget.setdefault("token", secrets.token_urlsafe(18))
    widget.setdefault("secret", secrets.token_hex(32))
    return conversations.set_inbox_setting(inbox, "widget", widget)


def configure_widget(
    inbox: Inbox,
    *,
    actor: Agent | None,
    prechat: bool | None = None,
    greeting: str | None = None,
    title: str | None = None,
    require_verification: bool | None = None,
) -> Inbox:
    ensure_widget(inbox)
    before = widget_settings(inbox).public()
    widget = dict(inbox.settings["widget"])
    if prechat is not None:
        widget["prechat"] = prechat
    if greeting is not None:
        widget["greeting"] = greeting.strip()[:500]
    if title is not None:
        widget["title"] = title.strip()[:100]
    if require_verification is not None:
        widget["require_verification"] = require_verification
    conversations.set_inbox_setting(inbox, "widget", widget)
    audit.record(
        action="inbox.widget",
        obj=inbox,
        actor=actor,
        brand_id=inbox.brand_id,
        before=before,
        after={**widget_settings(inbox).public(), "require_verification": require_verification},
    )
    return inbox


def find_inbox(ref: str | int) -> Inbox:
    """The chat inbox a script tag names by its public widget token (random, so the chat
    inboxes cannot be enumerated: an inbox id names none)."""
    ref = str(ref).strip()
    inbox: Inbox | None = None
    if MIN_TOKEN_CHARS <= len(ref) <= 100:
        inbox = Inbox.objects.filter(channel=Channel.CHAT, settings__widget__token=ref).first()
    if inbox is None:
        raise NotFound(_("No such chat inbox."), field="inbox")
    return inbox


# --- visitors -----------------------------------------------------------------------------


def open_session(
    inbox: Inbox, *, token: str = "", user_id: str = "", user_hash: str = ""
) -> Visitor:
    """The visitor behind a widget connection: verified by the brand's user hash, else the
    one the signed token names, else a new one."""
    config = widget_settings(inbox)
    if user_id or user_hash:
        if not tokens.check_user_hash(config.secret, user_id.strip(), user_hash):
            raise Forbidden(_("The identity verification hash is wrong."), field="user_hash")
        visitor_id = tokens.verified_visitor_id(inbox.brand_id, user_id.strip())
        _adopt_legacy_identity(inbox.brand_id, visitor_id, user_id.strip())
        return Visitor(inbox.pk, visitor_id, verified=True)
    if config.require_verification:
        raise Forbidden(_("This chat needs a verified user."), field="user_hash")
    visitor = tokens.read(token, inbox.pk)
    if visitor is not None and not visitor.verified:
        return visitor
    return Visitor(inbox.pk, tokens.new_visitor_id())


def _adopt_legacy_identity(brand_id: int, visitor_id: str, user_id: str) -> None:
    """A verified visitor known under the id that did not name the brand keeps their
    customer (looked up in this brand's identities only)."""
    mine = Identity.objects.filter(brand_id=brand_id, kind=IdentityKind.CHAT)
    if mine.filter(value=visitor_id).exists():
        return
    legacy = tokens.legacy_verified_visitor_id(user_id)
    owner = mine.filter(value=legacy).values_list("customer_id", flat=True).first()
    if owner is not None:
        with transaction.atomic():
            customer = Customer.objects.get(pk=owner)
            crm.add_identity(customer, kind=IdentityKind.CHAT, value=visitor_id, actor=None)


def agents_on_shift(brand_id: int, now: dt.datetime | None = None) -> bool:
    """Is anyone there to answer: an active agent of the brand, online, on shift now."""
    from wowdesk.routing.services import available_agents

    return bool(available_agents(brand_id, now))


def visitor_customer(brand_id: int, visitor_id: str) -> Customer | None:
    identity = (
        Identity.objects.select_related("customer")
        .filter(brand_id=brand_id, kind=IdentityKind.CHAT, value=visitor_id)
        .first()
    )
    if identity is None:
        return None
    customer = identity.customer
    while customer.merged_into_id is not None:  # follow merges to the surviving record
        customer = Customer.objects.get(pk=customer.merged_into_id)
    return customer


def current_conversation(inbox: Inbox, visitor_id: str) -> Conversation | None:
    """The visitor's latest conversation on this widget (whatever its status)."""
    customer = visitor_customer(inbox.brand_id, visitor_id)
    if customer is None:
        return None
    return Conversation.objects.filter(customer=customer, inbox=inbox).order_by("-id").first()


def message_out(message: Message) -> dict[str, Any]:
    """A message as the widget shows it (no internal notes ever reach here)."""
    author = ""
    if message.direction == Direction.OUT and message.author is not None:
        author = message.author.display_name
    chat = message.meta.get("chat") if isinstance(message.meta, dict) else None
    return {
        "id": message.pk,
        "conversation_id": message.conversation_id,
        "direction": message.direction,
        "body": message.body,
        "author": author,
        "client_id": chat.get("client_id", "") if isinstance(chat, dict) else "",
        "created_at": message.created_at.isoformat(),
    }


def history(conversation: Conversation | None, limit: int = HISTORY) -> list[dict[str, Any]]:
    if conversation is None:
        return []
    rows = list(
        Message.objects.filter(
            conversation=conversation, direction__in=[Direction.IN, Direction.OUT]
        )
        .select_related("author")
        .order_by("-created_at", "-id")[:limit]
    )
    return [message_out(m) for m in reversed(rows)]


def check_rate(inbox: Inbox, visitor: Visitor, *, kind: str = "message") -> None:
    """Count one frame of this visitor (in their brand) against the chat rate: messages
    and email frames share ``WOWDESK_CHAT_RATE`` per 10 s; other frames (``kind``
    "frame": typing, ping…) have five times that. Raises RateLimited."""
    rate = ratelimit.chat_rate()
    if kind == "frame":
        rate = ratelimit.Rate(rate.count * 5, rate.period)
    else:
        kind = "message"
    ratelimit.check(f"chat:{kind}:{inbox.brand_id}:{visitor.visitor_id}", rate)


def post_message(
    inbox: Inbox,
    visitor: Visitor,
    *,
    client_id: str,
    body: str,
    name: str = "",
    email: str = "",
    language: str = "",
) -> IngestResult:
    """A visitor's message, through the one ingest path. The same ``client_id`` sent twice
    (a resend after a dropped connection) is stored once and answers with the same ids.
    At most ``WOWDESK_CHAT_RATE`` per visitor in 10 seconds (RateLimited beyond)."""
    check_rate(inbox, visitor)
    if not CLIENT_ID.match(client_id or ""):
        raise InvalidInput(_("A chat message needs a client id."), field="client_id")
    text = (body or "").strip()
    if not text:
        raise InvalidInput(_("A message cannot be empty."), field="body")
    if len(text) > MAX_BODY:
        raise InvalidInput(_("A chat message is at most 5000 characters."), field="body")
    meta: dict[str, Any] = {"visitor": visitor.visitor_id, "client_id": client_id}
    if visitor.verified:
        meta["verified"] = True
    if language:
        meta["language"] = language[:16]
    item = InboundIn.model_validate(
        {
            "channel": "chat",
            "external_id": f"chat:{visitor.visitor_id}:{client_id}",
            # Only the visitor handle: an email address typed into a form is not proof of
            # who someone is, so it never picks the customer (nor their history).
            "from": {"name": (name or "").strip()[:200], "handle": visitor.visitor_id},
            "body": text,
            "inbox": inbox.pk,
            "meta": {"chat": meta},
        }
    )
    result = ingest(inbox.brand_id, item)
    if email and not result.duplicate:
        remember_email(inbox, visitor, email, name=name)
    return result


@transaction.atomic
def remember_email(inbox: Inbox, visitor: Visitor, email: str, *, name: str = "") -> Customer:
    """The visitor left an email address (pre-chat form or the offline notice): keep it
    on the customer so that replies reach them by email once they have left."""
    try:
        address = normalize_email(email)
    except InvalidAddress as exc:
        raise InvalidInput(_("This email address is not valid."), field="email") from exc
    customer, _created = crm.resolve_customer(
        inbox.brand_id,
        crm.Contact(name=name, handle=visitor.visitor_id, handle_kind=IdentityKind.CHAT),
    )
    owner = (
        Identity.objects.filter(brand_id=inbox.brand_id, kind=IdentityKind.EMAIL, value=address)
        .values_list("customer_id", flat=True)
        .first()
    )
    if owner == customer.pk:
        return customer  # already known: nothing new to tell the agent
    taken = owner is not None
    if not taken:
        crm.add_identity(customer, kind=IdentityKind.EMAIL, value=address, actor=None)
    conversation = current_conversation(inbox, visitor.visitor_id)
    if conversation is not None:
        spec = i18n_text.deferred(
            gettext_noop(
                "The visitor left the email address %(email)s, which belongs to another "
                "customer: merge them to reply by email."
            )
            if taken
            else gettext_noop(
                "The visitor left the email address %(email)s: replies go there once they "
                "have left the chat."
            ),
            email=address,
        )
        conversations.add_activity(
            conversation,
            i18n_text.render(spec),
            actor=None,
            meta={"chat_email": address},
            i18n=spec,
        )
    return customer


# --- presence of visitors (shared cache: Redis in cluster mode) ------------------------------


def _online_key(brand_id: int, visitor_id: str) -> str:
    return f"wowdesk:chat:online:{brand_id}:{visitor_id}"


def mark_online(brand_id: int, visitor_id: str) -> None:
    cache.set(_online_key(brand_id, visitor_id), 1, ONLINE_TTL)


def mark_offline(brand_id: int, visitor_id: str) -> None:
    cache.delete(_online_key(brand_id, visitor_id))


def is_online(brand_id: int, visitor_id: str) -> bool:
    return cache.get(_online_key(brand_id, visitor_id)) is not None


# --- outbound -----------------------------------------------------------------------------


class ChatAdapter:
    """Delivers an agent's reply on a chat conversation.

    Pushed to every widget of the conversation's customer at once. If none of them is
    connected and the customer left an email address, the reply also goes out by email.
    """

    def send(self, message: Message) -> dict[str, str]:
        conversation = Conversation.objects.select_related("customer").get(
            pk=message.conversation_id
        )
        visitors = list(
            Identity.objects.filter(
                customer_id=conversation.customer_id, kind=IdentityKind.CHAT
            ).values_list("value", flat=True)
        )
        payload = message_out(message)
        for visitor_id in visitors:
            send_now(
                visitor_group(conversation.brand_id, visitor_id),
                {"type": "chat.message", "message": payload},
            )
        if any(is_online(conversation.brand_id, v) for v in visitors):
            return {"delivered_via": "chat"}
        email = (
            Identity.objects.filter(customer_id=conversation.customer_id, kind=IdentityKind.EMAIL)
            .values_list("value", flat=True)
            .first()
        )
        if not email:
            # Nobody to email: the reply waits in the widget's history for their return.
            return {"delivered_via": "chat", "visitor": "away"}
        mailer = adapter_for(Channel.EMAIL)
        if mailer is None:  # an install without the email channel
            log.warning("chat reply %s: visitor away but no email adapter", message.pk)
            return {"delivered_via": "chat", "visitor": "away"}
        # The email adapter addresses a conversation with no inbound mail to the
        # customer's email identity; its errors reach the outbox (retry, then failed).
        result = mailer.send(message)
        return {**result, "delivered_via": "email", "to": email}
