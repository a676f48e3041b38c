"""Voice fixtures: a phone inbox with its secrets, signed posts, and a listener on the
channel layer that sees what the workspace would be pushed."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.test import Client

from wowdesk.channels.social.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign
from wowdesk.conversations import services as conversations
from wowdesk.conversations.models import Inbox
from wowdesk.core.models import Agent, Brand

PAYLOADS = Path(__file__).parent / "payloads"
SECRET = "s3cret-voice"
TWILIO_TOKEN = "12345"


def payload(name: str) -> Any:
    return json.loads((PAYLOADS / name).read_text())


@pytest.fixture
def voice_inbox(brand: Brand, agent: Agent) -> Inbox:
    inbox = conversations.create_inbox(
        brand_id=brand.pk, name="Hotline", channel="voice", address="+498001234567"
    )
    inbox.settings = {
        "secret": SECRET,
        "twilio_auth_token": TWILIO_TOKEN,
        "default_region": "DE",
        "extensions": {"201": agent.email, "alice": agent.pk},
        "recording_url": "https://pbx.example.com/ari/recordings/stored/{name}/file",
        "twiml": "<Response><Dial><Client>alice</Client></Dial></Response>",
    }
    inbox.save(update_fields=["settings"])
    return inbox


def post_signed(
    client: Client,
    url: str,
    body: Any,
    *,
    secret: str = SECRET,
    timestamp: int | None = None,
    signature: str | None = None,
) -> Any:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    ts = int(time.time()) if timestamp is None else timestamp
    headers = {
        SIGNATURE_HEADER: signature if signature is not None else sign(secret, raw, ts),
        TIMESTAMP_HEADER: str(ts),
    }
    return client.post(url, raw, content_type="application/json", headers=headers)


class Listener:
    """A test channel subscribed to groups of the channel layer."""

    def __init__(self) -> None:
        self.layer = get_channel_layer()
        assert self.layer is not None
        self.channel: str = async_to_sync(self.layer.new_channel)()
        self.groups: list[str] = []

    def join(self, group: str) -> None:
        async_to_sync(self.layer.group_add)(group, self.channel)
        self.groups.append(group)

    def received(self) -> list[dict[str, Any]]:
        """Everything sent so far (the pushes ran synchronously after commit)."""
        out: list[dict[str, Any]] = []

        async def drain() -> None:
            while True:
                try:
                    out.append(await asyncio.wait_for(self.layer.receive(self.channel), 0.05))
                except TimeoutError:
                    return

        async_to_sync(drain)()
        return out

    def leave(self) -> None:
        for group in self.groups:
            async_to_sync(self.layer.group_discard)(group, self.channel)


@pytest.fixture
def listen() -> Iterator[Callable[..., Listener]]:
    made: list[Listener] = []

    def make(*groups: str) -> Listener:
        listener = Listener()
        for group in groups:
            listener.join(group)
        made.append(listener)
        return listener

    yield make
    for listener in made:
        listener.leave()
