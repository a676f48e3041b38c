"""Replies out through each network's HTTP API, behind one small interface.

The adapter (``ADAPTERS["social"]``) finds the conversation's inbox (its ``network``,
credentials and optional ``api_base_url``) and the address to answer (kept on the
customer's last message), and hands the text to the network's client:

- WhatsApp Cloud API: ``POST {base}/{phone_number_id}/messages`` with a bearer token;
- Telegram Bot API: ``POST {base}/bot{token}/sendMessage``;
- Messenger Send API: ``POST {base}/me/messages?access_token=…``;
- generic: ``POST`` to the inbox's ``reply_url``, signed like our inbound webhooks.

429, 5xx and network errors are transient (the outbox retries with backoff); any other
4xx is permanent (the message is parked as failed with the network's reason).
"""

from __future__ import annotations

import json
import time
from typing import Any, Protocol

import httpx

from wowdesk.channels import inbox_secrets
from wowdesk.channels.adapters import PermanentSendError, TransientSendError
from wowdesk.channels.social import signing
from wowdesk.channels.webhooks import sub_object
from wowdesk.conversations.models import Direction, Inbox, Message

GRAPH_API = "https://graph.facebook.com/v21.0"
TELEGRAM_API = "https://api.telegram.org"
TIMEOUT = httpx.Timeout(15.0, connect=5.0)
# Meta reports throttling and passing faults as 400 with these error codes.
META_TRANSIENT_CODES = {1, 2, 4, 17, 32, 341, 613, 80007, 130429, 131000, 131016, 131056}


class Client(Protocol):
    def send_text(self, to: str, text: str) -> dict[str, str]:
        """Send one text message; return the network's message id and what else it said."""


def _post(url: str, **kwargs: Any) -> httpx.Response:
    try:
        return httpx.post(url, timeout=TIMEOUT, **kwargs)
    except httpx.HTTPError as exc:  # connect, read, timeout: try again later
        raise TransientSendError(f"{type(exc).__name__}: {exc}") from exc


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        data = response.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _raise_for_status(response: httpx.Response, reason: str, transient: bool = False) -> None:
    status = response.status_code
    if status < 400:
        return
    text = f"HTTP {status}: {reason or response.text[:300]}"
    if transient or status == 429 or status >= 500:
        raise TransientSendError(text)
    raise PermanentSendError(text)


def _meta_error(response: httpx.Response) -> tuple[str, bool]:
    error = _json(response).get("error")
    if not isinstance(error, dict):
        return "", False
    code = error.get("code")
    reason = f"{error.get('message', '')} (code {code})"
    return reason, code in META_TRANSIENT_CODES


class WhatsAppClient:
    def __init__(self, settings: dict[str, Any]) -> None:
        self.base = str(settings.get("api_base_url") or GRAPH_API).rstrip("/")
        self.token = str(settings.get("access_token") or "")
        self.phone_number_id = str(settings.get("phone_number_id") or "")

    def send_text(self, to: str, text: str) -> dict[str, str]:
        if not self.token or not self.phone_number_id:
            raise PermanentSendError(
                "the inbox needs access_token and phone_number_id", kind="setup"
            )
        response = _post(
            f"{self.base}/{self.phone_number_id}/messages",
            headers={"Authorization": f"Bearer {self.token}"},
            json={
                "messaging_product": "whatsapp",
                "recipient_type": "individual",
                "to": to,
                "type": "text",
                "text": {"preview_url": False, "body": text},
            },
        )
        reason, transient = _meta_error(response)
        _raise_for_status(response, reason, transient)
        messages = _json(response).get("messages") or [{}]
        return {"network": "whatsapp", "external_id": str(messages[0].get("id", ""))}


class MessengerClient:
    def __init__(self, settings: dict[str, Any]) -> None:
        self.base = str(settings.get("api_base_url") or GRAPH_API).rstrip("/")
        self.token = str(settings.get("access_token") or "")

    def send_text(self, to: str, text: str) -> dict[str, str]:
        if not self.token:
            raise PermanentSendError("the inbox needs a page access_token", kind="setup")
        response = _post(
            f"{self.base}/me/messages",
            params={"access_token": self.token},
            json={
                "recipient": {"id": to},
                "messaging_type": "RESPONSE",
                "message": {"text": text},
            },
        )
        reason, transient = _meta_error(response)
        _raise_for_status(response, reason, transient)
        return {"network": "messenger", "external_id": str(_json(response).get("message_id", ""))}


class TelegramClient:
    def __init__(self, settings: dict[str, Any]) -> None:
        self.base = str(settings.get("api_base_url") or TELEGRAM_API).rstrip("/")
        self.token = str(settings.get("bot_token") or "")

    def send_text(self, to: str, text: str) -> dict[str, str]:
        if not self.token:
            raise PermanentSendError("the inbox needs a bot_token", kind="setup")
        chat_id: int | str = int(to) if to.lstrip("-").isdigit() else to
        response = _post(
            f"{self.base}/bot{self.token}/sendMessage", json={"chat_id": chat_id, "text": text}
        )
        data = _json(response)
        _raise_for_status(response, str(data.get("description", "")))
        if data.get("ok") is not True:
            raise PermanentSendError(str(data.get("description") or "Telegram did not say ok"))
        result = sub_object(data, "result")
        return {"network": "telegram", "external_id": str(result.get("message_id", ""))}


class GenericClient:
    """Posts ``{"to", "text", "conversation_id", "message_id"}`` to the inbox's
    ``reply_url``, signed with its ``secret`` like our inbound webhooks."""

    def __init__(self, settings: dict[str, Any], message: Message) -> None:
        self.url = str(settings.get("reply_url") or "")
        self.secret = str(settings.get("secret") or "")
        self.message = message

    def send_text(self, to: str, text: str) -> dict[str, str]:
        if not self.url or not self.secret:
            raise PermanentSendError("the inbox needs reply_url and secret", kind="setup")
        body = json.dumps(
            {
                "to": to,
                "text": text,
                "conversation_id": self.message.conversation_id,
                "message_id": self.message.pk,
            }
        ).encode()
        ts = int(time.time())
        response = _post(
            self.url,
            content=body,
            headers={
                "Content-Type": "application/json",
                signing.SIGNATURE_HEADER: signing.sign(self.secret, body, ts),
                signing.TIMESTAMP_HEADER: str(ts),
            },
        )
        _raise_for_status(response, "")
        return {"network": "generic", "external_id": str(_json(response).get("id", ""))}


def client_for(inbox: Inbox, message: Message) -> Client:
    network = str(inbox.settings.get("network") or "generic")
    if network == "whatsapp":
        return WhatsAppClient(inbox_secrets.opened(inbox))
    if network == "telegram":
        return TelegramClient(inbox_secrets.opened(inbox))
    if network == "messenger":
        return MessengerClient(inbox_secrets.opened(inbox))
    return GenericClient(inbox_secrets.opened(inbox), message)


def reply_address(message: Message) -> str:
    """Where the customer last wrote from on this conversation (their chat, their id)."""
    metas = (
        Message.objects.filter(
            conversation_id=message.conversation_id, direction=Direction.IN, channel="social"
        )
        .order_by("-id")
        .values_list("meta", flat=True)[:20]
    )
    for meta in metas:
        social = (meta or {}).get("social") if isinstance(meta, dict) else None
        if isinstance(social, dict) and social.get("reply_to"):
            return str(social["reply_to"])
    raise PermanentSendError(
        "no message from the customer on a social network to answer", kind="no_address"
    )


class SocialAdapter:
    def send(self, message: Message) -> dict[str, str]:
        inbox = message.conversation.inbox
        return client_for(inbox, message).send_text(reply_address(message), message.body)
