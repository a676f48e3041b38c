"""Outbound channel adapters: one per channel, behind one small interface."""

from __future__ import annotations

from typing import Protocol

from django.utils.module_loading import import_string

from wowdesk.conversations.models import Message


class TransientSendError(Exception):
    """The channel could not take the message now; try again later."""


class PermanentSendError(Exception):
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
