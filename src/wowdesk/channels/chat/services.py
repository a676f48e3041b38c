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
from dataclasses import dataclass, field
from typing import Any

from django.core import signing
from django.core.cache import cache
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from wowdesk.channels.adapters import adapter_for
from wowdesk.channels.chat import tokens
from wowdesk.channels.chat import widget_rules as rules
from wowdesk.channels.chat.tokens import Visitor
from wowdesk.channels.ingest import IngestResult, ingest
from wowdesk.channels.schema import InboundIn
from wowdesk.conversations import services as conversations
from wowdesk.conversations.models import (
    Attachment,
    Channel,
    Conversation,
    Direction,
    Inbox,
    Message,
    Status,
)
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


DEFAULT_COLOUR = "#4f46e5"


@dataclass(frozen=True)
class WidgetSettings:
    token: str = ""
    secret: str = ""
    prechat: bool = False
    greeting: str = ""
    title: str = ""
    require_verification: bool = False
    # Pre-chat form: each field "off", "optional" or "required".
    prechat_name: str = "off"
    prechat_email: str = "off"
    # Greeting and away message per widget language (``rules.LANGUAGES``).
    greetings: dict[str, str] = field(default_factory=dict)
    away: dict[str, str] = field(default_factory=dict)
    colour: str = DEFAULT_COLOUR
    position: str = "right"
    language: str = "auto"
    sound: bool = True
    allowed_domains: tuple[str, ...] = ()

    def public(self) -> dict[str, Any]:
        """What any web page may learn (never the secret)."""
        return {
            "prechat": self.prechat_name != "off" or self.prechat_email != "off",
            "greeting": self.greeting,
            "title": self.title,
            "prechat_name": self.prechat_name,
            "prechat_email": self.prechat_email,
            "greetings": dict(self.greetings),
            "away": dict(self.away),
            "colour": self.colour,
            "position": self.position,
            "language": self.language,
            "sound": self.sound,
        }


# ensure_widget makes 24-character tokens; a shorter one is no widget's.
MIN_TOKEN_CHARS = 16


def _mode(value: Any, legacy: bool) -> str:
    if value in rules.FIELD_MODES:
        return str(value)
    return "optional" if legacy else "off"


def _texts(value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        return {}
    return {str(k): str(v) for k, v in value.items() if k in rules.LANGUAGES and v}


def widget_settings(inbox: Inbox) -> WidgetSettings:
    raw = inbox.settings.get("widget") if isinstance(inbox.settings, dict) else None
    raw = raw if isinstance(raw, dict) else {}
    legacy_prechat = bool(raw.get("prechat", False))
    colour = str(raw.get("colour") or DEFAULT_COLOUR)
    domains = raw.get("allowed_domains")
    return WidgetSettings(
        token=str(raw.get("token") or ""),
        secret=str(raw.get("secret") or ""),
        prechat=legacy_prechat,
        greeting=str(raw.get("greeting") or ""),
        title=str(raw.get("title") or ""),
        require_verification=bool(raw.get("require_verification", False)),
        prechat_name=_mode(raw.get("prechat_name"), legacy_prechat),
        prechat_email=_mode(raw.get("prechat_email"), legacy_prechat),
        greetings=_texts(raw.get("greetings")),
        away=_texts(raw.get("away")),
        colour=colour if rules.HEX_COLOUR.match(colour) else DEFAULT_COLOUR,
        position=str(raw.get("position")) if raw.get("position") in rules.POSITIONS else "right",
        language=str(raw.get("language")) if raw.get("language") in rules.LANGUAGES else "auto",
        sound=bool(raw.get("sound", True)),
        allowed_domains=tuple(str(d) for d in domains) if isinstance(domains, list) else (),
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


MAX_GREETING = 500
MAX_TITLE = 100


def clean_widget_changes(changes: dict[str, Any]) -> dict[str, Any]:
    """The widget settings an administrator asked for, checked; InvalidInput names the
    first wrong field (``greetings.de``, ``colour``, ``allowed_domains``…)."""
    out: dict[str, Any] = {}
    for key, value in changes.items():
        if value is None:
            continue
        if key in ("prechat", "require_verification", "sound"):
            if not isinstance(value, bool):
                raise InvalidInput(_("Must be true or false."), field=key)
            out[key] = value
        elif key == "greeting":
            out[key] = _text(value, key, MAX_GREETING)
        elif key == "title":
            out[key] = _text(value, key, MAX_TITLE)
        elif key in ("prechat_name", "prechat_email"):
            if value not in rules.FIELD_MODES:
                raise InvalidInput(_("Choose off, optional or required."), field=key)
            out[key] = value
        elif key in ("greetings", "away"):
            if not isinstance(value, dict):
                raise InvalidInput(_("Expected one text per language."), field=key)
            texts = {}
            for lang, text in value.items():
                if lang not in rules.LANGUAGES:
                    raise InvalidInput(_("Unknown widget language."), field=f"{key}.{lang}")
                cleaned = _text(text, f"{key}.{lang}", MAX_GREETING)
                if cleaned:
                    texts[lang] = cleaned
            out[key] = texts
        elif key == "colour":
            if not isinstance(value, str) or not rules.HEX_COLOUR.match(value.strip()):
                raise InvalidInput(_("A colour is written #rrggbb."), field=key)
            colour = value.strip().lower()
            if rules.contrast_with_white(colour) < rules.MIN_CONTRAST:
                raise InvalidInput(
                    _(
                        "White text on this colour is hard to read (contrast %(ratio).1f:1, "
                        "at least 4.5:1 needed): choose a darker colour."
                    )
                    % {"ratio": rules.contrast_with_white(colour)},
                    field=key,
                )
            out[key] = colour
        elif key == "position":
            if value not in rules.POSITIONS:
                raise InvalidInput(_("Choose left or right."), field=key)
            out[key] = value
        elif key == "language":
            if value != "auto" and value not in rules.LANGUAGES:
                raise InvalidInput(_("Unknown widget language."), field=key)
            out[key] = value
        elif key == "allowed_domains":
            if not isinstance(value, list):
                raise InvalidInput(_("Expected a list of domains."), field=key)
            if len(value) > rules.MAX_DOMAINS:
                raise InvalidInput(_("At most 50 domains."), field=key)
            domains: list[str] = []
            for raw in value:
                domain = rules.normalize_domain(str(raw)) if isinstance(raw, str) else None
                if domain is None:
                    raise InvalidInput(
                        _("“%(value)s” is not a domain name.") % {"value": str(raw)[:100]},
                        field=key,
                    )
                if domain not in domains:
                    domains.append(domain)
            out[key] = domains
        else:
            raise InvalidInput(_("Unknown widget setting."), field=key)
    return out


def _text(value: Any, name: str, limit: int) -> str:
    if not isinstance(value, str):
        raise InvalidInput(_("Must be text."), field=name)
    text = value.strip()
    if len(text) > limit:
        raise InvalidInput(
            _("At most %(n)d characters.") % {"n": limit},
            field=name,
        )
    return text


def configure_widget(inbox: Inbox, *, actor: Agent | None, **changes: Any) -> Inbox:
    """Change a chat inbox's widget settings (validated: ``clean_widget_changes``); the
    change is in the audit log."""
    cleaned = clean_widget_changes(changes)

    def audited(w: WidgetSettings) -> dict[str, Any]:
        return {
            **w.public(),
            "allowed_domains": list(w.allowed_domains),
            "require_verification": w.require_verification,
        }

    with transaction.atomic():
        ensure_widget(inbox)
        before = audited(widget_settings(inbox))
        widget = {**dict(inbox.settings["widget"]), **cleaned}
        if "prechat" in cleaned and not {"prechat_name", "prechat_email"} & cleaned.keys():
            mode = "optional" if cleaned["prechat"] else "off"
            widget["prechat_name"] = widget["prechat_email"] = mode
        conversations.set_inbox_setting(inbox, "widget", widget)
        audit.record(
            action="inbox.widget",
            obj=inbox,
            actor=actor,
            brand_id=inbox.brand_id,
            before=before,
            after=audited(widget_settings(inbox)),
        )
    cache.delete(_estimate_key(inbox.pk))
    return inbox


def check_origin(inbox: Inbox, origin: str | None, own_host: str = "") -> None:
    """Refuse a page whose origin is not among the inbox's allowed domains (Forbidden)."""
    if not rules.origin_allowed(origin, widget_settings(inbox).allowed_domains, own_host=own_host):
        raise Forbidden(_("This site may not use this chat widget."), field="origin")


def clean_page(raw: Any) -> dict[str, str]:
    """The visitor's page details from the widget (``rules.clean_page``), or InvalidInput."""
    try:
        return rules.clean_page(raw)
    except rules.PageProblem as exc:
        reasons = {
            "type": _("Must be text."),
            "length": _("Too long."),
            "url": _("Must be an http or https address."),
            "format": _("Not in the expected format."),
        }
        raise InvalidInput(str(reasons[exc.reason]), field=exc.field) from exc


# --- the expected answer time -----------------------------------------------------------------

ESTIMATE_DAYS = 7
ESTIMATE_TTL = 60  # seconds a computed estimate is reused
ESTIMATE_SAMPLE = 2000


def _estimate_key(inbox_id: int) -> str:
    return f"wowdesk:chat:estimate:{inbox_id}"


def answer_estimate(inbox: Inbox, now: dt.datetime | None = None) -> dict[str, Any]:
    """``{"minutes": N or None, "waiting": count}``: the median first response of the
    inbox's chats of the last 7 days with the current queue (``rules.expected_answer_minutes``),
    cached for a minute in the shared cache."""
    key = _estimate_key(inbox.pk)
    cached = cache.get(key)
    if isinstance(cached, dict):
        return cached
    from wowdesk.routing.services import available_agents

    now = now or timezone.now()
    rows = (
        Conversation.objects.filter(
            inbox=inbox,
            created_at__gte=now - dt.timedelta(days=ESTIMATE_DAYS),
            first_response_at__isnull=False,
        )
        .order_by("-created_at")
        .values_list("created_at", "first_response_at")[:ESTIMATE_SAMPLE]
    )
    seconds = [(answered - created).total_seconds() for created, answered in rows if answered]
    waiting = Conversation.objects.filter(
        inbox=inbox, status=Status.OPEN, first_response_at__isnull=True
    ).count()
    online = len(available_agents(inbox.brand_id, now))
    value = {
        "minutes": rules.expected_answer_minutes(seconds, waiting, online),
        "waiting": waiting,
    }
    cache.set(key, value, ESTIMATE_TTL)
    return value


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


FILE_SALT = "wowdesk.chat.file"
# What a browser may show inline from a file link; any other type is a download.
INLINE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})


def file_url(attachment: Attachment) -> str:
    """A link to one file of a chat conversation, for its visitor: signed (it names only
    this file and cannot be guessed from another)."""
    signed = signing.dumps({"a": attachment.pk, "b": attachment.brand_id}, salt=FILE_SALT)
    return reverse("chat:file", args=[signed])


def read_file_link(signed: str) -> Attachment:
    """The attachment a signed file link names (of a chat conversation), or NotFound."""
    try:
        data = signing.loads(signed, salt=FILE_SALT)
    except signing.BadSignature as exc:
        raise NotFound(_("No such file."), field="file") from exc
    if not isinstance(data, dict) or not all(isinstance(data.get(k), int) for k in "ab"):
        raise NotFound(_("No such file."), field="file")
    attachment = (
        Attachment.objects.filter(
            pk=data["a"],
            brand_id=data["b"],
            message__conversation__inbox__channel=Channel.CHAT,
            message__direction__in=[Direction.IN, Direction.OUT],
        )
        .select_related("message")
        .first()
    )
    if attachment is None:
        raise NotFound(_("No such file."), field="file")
    return attachment


def message_out(message: Message) -> dict[str, Any]:
    """A message as the widget shows it (no internal notes ever reach here): its files as
    signed links, and for a visitor's message whether an agent has read it."""
    author = ""
    if message.direction == Direction.OUT and message.author is not None:
        author = message.author.display_name
    chat = message.meta.get("chat") if isinstance(message.meta, dict) else None
    chat = chat if isinstance(chat, dict) else {}
    files = [
        {
            "name": a.filename,
            "type": a.content_type,
            "size": a.size,
            "url": file_url(a),
            "image": a.content_type in INLINE_TYPES,
        }
        for a in message.attachments.all()
    ]
    return {
        "id": message.pk,
        "conversation_id": message.conversation_id,
        "direction": message.direction,
        "body": "" if chat.get("upload") else message.body,
        "author": author,
        "client_id": chat.get("client_id", ""),
        "created_at": message.created_at.isoformat(),
        "files": files,
        "read": bool(chat.get("read_at")),
        # The answer bot's replies (no author, ``meta.bot``): the widget names it in the
        # visitor's language.
        "bot": message.direction == Direction.OUT
        and message.author_id is None
        and isinstance(message.meta, dict)
        and isinstance(message.meta.get("bot"), dict),
        # A survey after the resolution (``meta.survey``, written by the surveys app): the
        # widget draws a card with score buttons; older widgets show the body's links.
        "survey": survey_card(message.meta) if message.direction == Direction.OUT else None,
    }


_SURVEY_TEXTS = ("kind", "url", "question", "low", "high")


def survey_card(meta: Any) -> dict[str, Any] | None:
    """The survey questions a message carries, as the widget's card needs them (only the
    expected keys and types; anything else is dropped), or None."""
    block = meta.get("survey") if isinstance(meta, dict) else None
    if not isinstance(block, dict) or not isinstance(block.get("surveys"), list):
        return None
    questions = []
    for item in block["surveys"][:5]:
        if not isinstance(item, dict):
            continue
        numbers = [item.get(k) for k in ("id", "min", "max")]
        if not all(isinstance(n, int) and not isinstance(n, bool) for n in numbers):
            continue
        if not all(isinstance(item.get(k), str) for k in _SURVEY_TEXTS):
            continue
        questions.append(
            {"id": item["id"], "min": item["min"], "max": item["max"]}
            | {k: str(item[k])[:500] for k in _SURVEY_TEXTS}
        )
    if not questions:
        return None
    language = block.get("language")
    return {"language": language if isinstance(language, str) else "", "surveys": questions}


def history(conversation: Conversation | None, limit: int = HISTORY) -> list[dict[str, Any]]:
    if conversation is None:
        return []
    rows = list(
        Message.objects.filter(
            conversation=conversation, direction__in=[Direction.IN, Direction.OUT]
        )
        .select_related("author")
        .prefetch_related("attachments")
        .order_by("-created_at", "-id")[:limit]
    )
    out = [message_out(m) for m in reversed(rows)]
    # a visitor's message is read when it, or a later one of theirs, was marked read
    read_up_to = max(
        (m["id"] for m in out if m["direction"] == Direction.IN and m["read"]), default=0
    )
    for m in out:
        if m["direction"] == Direction.IN:
            m["read"] = m["id"] <= read_up_to
    return out


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
    page: dict[str, str] | None = None,
    upload: bool = False,
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
    if page:
        meta["page"] = page
    if upload:
        meta["upload"] = True
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


def upload_file(
    inbox: Inbox,
    visitor: Visitor,
    *,
    client_id: str,
    filename: str,
    content: bytes,
    language: str = "",
) -> IngestResult:
    """A visitor's file: checked like an email's attachment (at most
    ``MAX_ATTACHMENT_BYTES``) and by its bytes (``rules.sniff``: images, PDF and text;
    executables refused), then a message of the conversation through the ingest path, the
    file stored with it. The same ``client_id`` again stores nothing new."""
    name = (filename or "").strip().replace("/", "_").replace("\\", "_")[:255] or "file"
    verdict = rules.sniff(name, content[:8192], len(content), conversations.MAX_ATTACHMENT_BYTES)
    if not verdict.ok:
        reasons = {
            "empty": _("The file is empty."),
            "too_large": _("A file may be at most 25 MB."),
            "dangerous": _("Programs and scripts cannot be sent."),
            "mismatch": _("The file's name does not match what it contains."),
            "type": _("Only images (PNG, JPEG, GIF, WebP), PDF and text files can be sent."),
        }
        raise InvalidInput(str(reasons[verdict.reason]), field="file")
    result = post_message(
        inbox, visitor, client_id=client_id, body=name, language=language, upload=True
    )
    if result.message_id is not None:
        with transaction.atomic():
            message = Message.objects.select_for_update().get(pk=result.message_id)
            if not message.attachments.exists():
                conversations.add_attachment(
                    message, filename=name, content=content, content_type=verdict.content_type
                )
    return result


def tell_visitor_of(message_id: int | None) -> None:
    """Show a visitor's stored message (an upload) in every widget of theirs."""
    message = (
        Message.objects.filter(pk=message_id).prefetch_related("attachments").first()
        if message_id is not None
        else None
    )
    chat = message.meta.get("chat") if message is not None else None
    if message is None or not isinstance(chat, dict) or not chat.get("visitor"):
        return
    send_now(
        visitor_group(message.brand_id, str(chat["visitor"])),
        {"type": "chat.message", "message": message_out(message)},
    )


# --- read marks ---------------------------------------------------------------------------


def mark_read(conversation: Conversation, now: dt.datetime | None = None) -> int | None:
    """An agent opened a chat conversation: the visitor's messages so far are read.

    The visitor's latest message gets ``meta.chat.read_at``: it and every earlier message
    of the visitor count as read (one row written, whatever the length of the chat). The
    visitor's widgets hear ``read`` {up_to: its id} after commit. Returns that id, or
    None when there was nothing new to mark."""
    if conversation.inbox.channel != Channel.CHAT:
        return None
    latest = (
        Message.objects.filter(
            conversation=conversation, direction=Direction.IN, meta__has_key="chat"
        )
        .order_by("-id")
        .only("meta")
        .first()
    )
    if latest is None or latest.meta["chat"].get("read_at"):
        return None
    chat = {**latest.meta["chat"], "read_at": (now or timezone.now()).isoformat()}
    conversations.set_message_meta(latest, chat=chat)
    visitors = list(
        Identity.objects.filter(
            customer_id=conversation.customer_id, kind=IdentityKind.CHAT
        ).values_list("value", flat=True)
    )
    event = {"type": "chat.read", "conversation_id": conversation.pk, "up_to": latest.pk}

    def tell() -> None:
        for visitor_id in visitors:
            send_now(visitor_group(conversation.brand_id, visitor_id), event)

    transaction.on_commit(tell)
    return latest.pk


def visitor_page(conversation: Conversation) -> dict[str, Any] | None:
    """The latest page details the visitor's widget sent (url, title, referrer, browser,
    language, time zone) with when, or None."""
    message = (
        Message.objects.filter(
            conversation=conversation, direction=Direction.IN, meta__chat__has_key="page"
        )
        .order_by("-id")
        .only("meta", "created_at")
        .first()
    )
    if message is None:
        return None
    page = message.meta["chat"]["page"]
    return {**page, "at": message.created_at} if isinstance(page, dict) else None


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
