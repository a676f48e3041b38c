"""Parsing the webhook payloads of each network into one small shape.

Pure functions, no Django. Each parser takes the decoded JSON body and returns the
customer messages in it (possibly none: delivery receipts, read marks, our own echoes),
or raises ``MalformedPayload`` when the body is not the network's format. Formats:

- WhatsApp Cloud API: ``{"object": "whatsapp_business_account", "entry": [{"changes":
  [{"field": "messages", "value": {"metadata", "contacts", "messages", "statuses"}}]}]}``
- Telegram Bot API: one ``Update`` (``update_id`` and ``message`` / ``edited_message`` /
  ``channel_post`` / ``callback_query`` …).
- Facebook Messenger: ``{"object": "page", "entry": [{"messaging": [{"sender", "recipient",
  "timestamp", "message" | "postback"}]}]}``
- generic (ours): ``{"network", "message_id", "user": {"id", "name"}, "text", "timestamp"}``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from wowdesk.channels.webhooks import sub_object

NETWORKS = ("generic", "whatsapp", "telegram", "messenger")


class MalformedPayload(ValueError):
    """The body is not in the network's documented format."""


@dataclass(frozen=True)
class SocialMessage:
    network: str
    # The network's own id of the message (idempotency on re-delivery).
    message_id: str
    # Who wrote: a WhatsApp id (the phone number), a Telegram user id, a page-scoped id.
    user_id: str
    name: str
    text: str
    # Where a reply goes: a WhatsApp id, a Telegram chat id, a Messenger PSID.
    reply_to: str
    # Our side of the conversation: phone number id, page id, bot chat.
    account: str = ""
    sent_at: dt.datetime | None = None
    phone: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def _obj(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise MalformedPayload(f"{what} must be an object")
    return value


def _list(value: Any, what: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise MalformedPayload(f"{what} must be a list")
    return value


def _id(value: Any, what: str) -> str:
    """An id the networks send as a string or a number (never a bool or blank)."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise MalformedPayload(f"{what} is missing or not an id")
    text = str(value).strip()
    if not text or len(text) > 300 or any(ord(c) < 32 or c.isspace() for c in text):
        raise MalformedPayload(f"{what} is not a valid id")
    return text


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _unix(value: Any, *, millis: bool = False) -> dt.datetime | None:
    """Unix seconds (WhatsApp sends them as a string) or milliseconds (Messenger)."""
    if isinstance(value, bool):
        return None
    try:
        seconds = float(value) / (1000 if millis else 1)
        return dt.datetime.fromtimestamp(seconds, tz=dt.UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return None


# --- WhatsApp Cloud API -------------------------------------------------------------------

_WA_MEDIA = ("image", "video", "audio", "document", "sticker")


def _whatsapp_text(msg: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    kind = _str(msg.get("type"))
    part = sub_object(msg, kind)
    if kind == "text":
        return _str(part.get("body")), {}
    if kind in _WA_MEDIA:
        caption = _str(part.get("caption")) or _str(part.get("filename"))
        media = {k: part[k] for k in ("id", "mime_type", "sha256") if k in part}
        return (f"[{kind}] {caption}".strip(), {"media": media})
    if kind == "location":
        label = " ".join(x for x in (_str(part.get("name")), _str(part.get("address"))) if x)
        where = f"{part.get('latitude')},{part.get('longitude')}"
        return (f"[location] {label} ({where})".replace("  ", " ").strip(), {})
    if kind == "button":
        return _str(part.get("text")), {"payload": part.get("payload")}
    if kind == "interactive":
        reply = part.get("button_reply") or part.get("list_reply") or {}
        if isinstance(reply, dict):
            return _str(reply.get("title")), {"reply_id": reply.get("id")}
    if kind == "reaction":
        return f"[reaction] {_str(part.get('emoji'))}".strip(), {
            "reacted_to": part.get("message_id")
        }
    return f"[{kind or 'unsupported'}]", {}


def parse_whatsapp(data: Any) -> list[SocialMessage]:
    body = _obj(data, "the body")
    if body.get("object") != "whatsapp_business_account":
        raise MalformedPayload('"object" must be "whatsapp_business_account"')
    out: list[SocialMessage] = []
    for entry in _list(body.get("entry"), "entry"):
        for change in _list(_obj(entry, "entry[]").get("changes"), "entry[].changes"):
            change = _obj(change, "changes[]")
            if change.get("field") != "messages":
                continue
            value = _obj(change.get("value"), "changes[].value")
            metadata = sub_object(value, "metadata")
            account = _str(metadata.get("phone_number_id"))
            names = {
                _str(c.get("wa_id")): _str((c.get("profile") or {}).get("name"))
                for c in _list(value.get("contacts"), "contacts")
                if isinstance(c, dict) and isinstance(c.get("profile") or {}, dict)
            }
            for msg in _list(value.get("messages"), "messages"):
                msg = _obj(msg, "messages[]")
                sender = _id(msg.get("from"), "messages[].from")
                text, extra = _whatsapp_text(msg)
                if msg.get("context"):
                    extra["context"] = msg["context"]
                out.append(
                    SocialMessage(
                        network="whatsapp",
                        message_id=_id(msg.get("id"), "messages[].id"),
                        user_id=sender,
                        name=names.get(sender, ""),
                        text=text,
                        reply_to=sender,
                        account=account,
                        sent_at=_unix(msg.get("timestamp")),
                        phone="+" + sender if sender.isdigit() else "",
                        extra={"type": _str(msg.get("type")), **extra},
                    )
                )
    return out


# --- Telegram Bot API ---------------------------------------------------------------------

_TG_MESSAGES = ("message", "edited_message", "channel_post", "edited_channel_post")
_TG_MEDIA = ("photo", "video", "voice", "audio", "document", "sticker", "animation")


def _telegram_name(user: dict[str, Any]) -> str:
    name = " ".join(x for x in (_str(user.get("first_name")), _str(user.get("last_name"))) if x)
    return name or _str(user.get("title")) or _str(user.get("username"))


def parse_telegram(data: Any) -> list[SocialMessage]:
    update = _obj(data, "the body")
    update_id = _id(update.get("update_id"), "update_id")
    kind = next((k for k in _TG_MESSAGES if k in update), None)
    if kind is not None:
        msg = _obj(update[kind], kind)
        chat = _obj(msg.get("chat"), f"{kind}.chat")
        sender = sub_object(msg, "from") or chat
        text = _str(msg.get("text")) or _str(msg.get("caption"))
        media = next((m for m in _TG_MEDIA if m in msg), "")
        if media:
            text = f"[{media}] {text}".strip()
        if not text:
            text = "[message]"
        message_id = f"{_id(chat.get('id'), 'chat.id')}:{_id(msg.get('message_id'), 'message_id')}"
        if kind.startswith("edited_"):
            message_id += f":edit:{msg.get('edit_date', update_id)}"
        return [
            SocialMessage(
                network="telegram",
                message_id=message_id,
                user_id=_id(sender.get("id"), f"{kind}.from.id"),
                name=_telegram_name(sender),
                text=text,
                reply_to=_id(chat.get("id"), "chat.id"),
                sent_at=_unix(msg.get("edit_date") or msg.get("date")),
                extra={
                    "update_id": update_id,
                    "kind": kind,
                    "username": _str(sender.get("username")),
                    "language_code": _str(sender.get("language_code")),
                },
            )
        ]
    if "callback_query" in update:
        query = _obj(update["callback_query"], "callback_query")
        user = _obj(query.get("from"), "callback_query.from")
        msg = sub_object(query, "message")
        chat = sub_object(msg, "chat") or user
        return [
            SocialMessage(
                network="telegram",
                message_id=f"callback:{_id(query.get('id'), 'callback_query.id')}",
                user_id=_id(user.get("id"), "callback_query.from.id"),
                name=_telegram_name(user),
                text=_str(query.get("data")) or "[button]",
                reply_to=_id(chat.get("id"), "chat.id"),
                extra={"update_id": update_id, "kind": "callback_query"},
            )
        ]
    return []  # my_chat_member, poll, … carry nothing for an agent


# --- Facebook Messenger -------------------------------------------------------------------


def parse_messenger(data: Any) -> list[SocialMessage]:
    body = _obj(data, "the body")
    if body.get("object") != "page":
        raise MalformedPayload('"object" must be "page"')
    out: list[SocialMessage] = []
    for entry in _list(body.get("entry"), "entry"):
        entry = _obj(entry, "entry[]")
        for event in _list(entry.get("messaging"), "entry[].messaging"):
            event = _obj(event, "messaging[]")
            sender = _id(_obj(event.get("sender"), "messaging[].sender").get("id"), "sender.id")
            recipient = sub_object(event, "recipient")
            sent_at = _unix(event.get("timestamp"), millis=True)
            if isinstance(event.get("message"), dict):
                msg = event["message"]
                if msg.get("is_echo"):
                    continue  # our own reply, echoed back
                kinds = [
                    _str(a.get("type"))
                    for a in _list(msg.get("attachments"), "message.attachments")
                    if isinstance(a, dict)
                ]
                text = _str(msg.get("text")) or " ".join(f"[{k}]" for k in kinds) or "[message]"
                extra: dict[str, Any] = {}
                if isinstance(msg.get("quick_reply"), dict):
                    extra["payload"] = msg["quick_reply"].get("payload")
                if kinds:
                    extra["attachments"] = [
                        a.get("payload", {}) for a in msg["attachments"] if isinstance(a, dict)
                    ]
                out.append(
                    SocialMessage(
                        network="messenger",
                        message_id=_id(msg.get("mid"), "message.mid"),
                        user_id=sender,
                        name="",
                        text=text,
                        reply_to=sender,
                        account=_str(str(recipient.get("id", ""))),
                        sent_at=sent_at,
                        extra=extra,
                    )
                )
            elif isinstance(event.get("postback"), dict):
                postback = event["postback"]
                mid = postback.get("mid") or f"postback:{sender}:{event.get('timestamp')}"
                out.append(
                    SocialMessage(
                        network="messenger",
                        message_id=_id(mid, "postback.mid"),
                        user_id=sender,
                        name="",
                        text=_str(postback.get("title")) or "[postback]",
                        reply_to=sender,
                        account=_str(str(recipient.get("id", ""))),
                        sent_at=sent_at,
                        extra={"payload": postback.get("payload")},
                    )
                )
            # delivery, read, reaction, … : nothing for an agent
    return out


# --- generic ------------------------------------------------------------------------------


def parse_generic(data: Any) -> list[SocialMessage]:
    body = _obj(data, "the body")
    items = body.get("messages", [body])
    out: list[SocialMessage] = []
    for item in _list(items, "messages"):
        item = _obj(item, "message")
        user = _obj(item.get("user"), "user")
        network = _str(item.get("network")).strip().lower() or "generic"
        if len(network) > 32 or not network.replace("-", "").replace("_", "").isalnum():
            raise MalformedPayload('"network" must be a short name such as "line"')
        text = _str(item.get("text"))
        if not text.strip():
            raise MalformedPayload('"text" is required')
        user_id = _id(user.get("id"), "user.id")
        timestamp = item.get("timestamp")
        sent_at = None
        if isinstance(timestamp, str) and not timestamp.isdigit():
            try:
                sent_at = dt.datetime.fromisoformat(timestamp)
            except ValueError as exc:
                raise MalformedPayload('"timestamp" must be ISO 8601 or Unix seconds') from exc
            if sent_at.tzinfo is None:
                sent_at = sent_at.replace(tzinfo=dt.UTC)
        elif timestamp is not None:
            sent_at = _unix(timestamp)
        out.append(
            SocialMessage(
                network=network,
                message_id=_id(item.get("message_id"), "message_id"),
                user_id=user_id,
                name=_str(user.get("name")),
                text=text,
                reply_to=_id(item.get("reply_to") or user_id, "reply_to"),
                sent_at=sent_at,
            )
        )
    return out


PARSERS: dict[str, Callable[[Any], list[SocialMessage]]] = {
    "generic": parse_generic,
    "whatsapp": parse_whatsapp,
    "telegram": parse_telegram,
    "messenger": parse_messenger,
}
