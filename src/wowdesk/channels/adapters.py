"""Outbound channel adapters: one per channel, behind one small interface."""

from __future__ import annotations

from typing import Protocol

from django.utils.module_loading import import_string

from wowdesk.conversations.models import Message


class SendError(Exception):
    """A delivery failed. ``kind`` (one of ``channels.failures.KINDS``) may say why when
    no network exception in the cause chain does (e.g. ``no_address``)."""

    def __init__(self, *args: object, kind: str = "") -> None:
        super().__init__(*args)
        self.kind = kind


class TransientSendError(SendError):
    """The channel could not take the message now; try again later."""


class PermanentSendError(SendError):
    """The channel refused the message for good (bad address, blocked…)."""


class OutboundAdapter(Protocol):
    def send(self, message: Message) -> dict[str, str]:
        """Deliver the message; return what the channel said (e.g. its message id)."""


class ApiAdapter:
    """The API channel has no server of ours to push to: the integrator reads replies
    from ``GET /api/v1/conversations/{id}``. Delivery is therefore immediate."""

    def send(self, message: Message) -> dict[str, str]:
        return {"delivered_via": "api"}


# Each channel capability registers its adapter here.
ADAPTERS: dict[str, str] = {
    "api": "wowdesk.channels.adapters.ApiAdapter",
    "web": "wowdesk.channels.adapters.ApiAdapter",
    "email": "wowdesk.channels.email.outbound.EmailAdapter",
    "chat": "wowdesk.channels.chat.services.ChatAdapter",
    "social": "wowdesk.channels.social.outbound.SocialAdapter",
}


def adapter_for(channel: str) -> OutboundAdapter | None:
    path = ADAPTERS.get(channel)
    if path is None:
        return None
    adapter: OutboundAdapter = import_string(path)()
    return adapter
