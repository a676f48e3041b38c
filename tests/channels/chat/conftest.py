"""Chat widget test helpers: a chat inbox with its widget, and a WebSocket communicator
driving the real ASGI application at ``/ws/chat/``.

Each scenario runs in one event loop (``async_to_sync``); its ORM calls come back to the
test's thread. Channels closes a connection found inside a transaction before each query,
so the consumer tests use ``transactional_db``.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from asgiref.testing import ApplicationCommunicator

from wowdesk.channels.chat import services as chat
from wowdesk.conversations import services as conversations
from wowdesk.conversations.models import Inbox
from wowdesk.core.models import Brand

TIMEOUT = 5  # generous: the CI machine is busy; nothing here measures time


@pytest.fixture
def fresh_layer_and_cache(settings: Any) -> Iterator[None]:
    """A channel layer and a cache of this test's own."""
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"chat-{uuid.uuid4()}",
        }
    }
    yield


@pytest.fixture
def chat_inbox(brand: Brand) -> Inbox:
    inbox = conversations.create_inbox(brand_id=brand.pk, name="Website chat", channel="chat")
    return chat.ensure_widget(inbox)


class Socket(ApplicationCommunicator):
    """A widget's WebSocket (``channels.testing`` imports daphne, not installed here)."""

    def __init__(self, application: Any, path: str = "/ws/chat/") -> None:
        origin = (b"origin", b"https://shop.example")  # the brand's site, not ours
        scope = {"type": "websocket", "path": path, "query_string": b"", "headers": [origin]}
        super().__init__(application, scope)

    async def connect(self) -> None:
        await self.send_input({"type": "websocket.connect"})
        response = await self.receive_output(TIMEOUT)
        assert response["type"] == "websocket.accept", response

    async def send_json(self, data: Any) -> None:
        await self.send_input({"type": "websocket.receive", "text": json.dumps(data)})

    async def receive_json(self) -> dict[str, Any]:
        response = await self.receive_output(TIMEOUT)
        assert response["type"] == "websocket.send", response
        return dict(json.loads(response["text"]))

    async def receive_type(self, kind: str) -> dict[str, Any]:
        for _ in range(10):
            frame = await self.receive_json()
            if frame["type"] == kind:
                return frame
        raise AssertionError(f"no {kind} frame")

    async def closed_with(self) -> int:
        """The close code after an error frame."""
        while True:
            response = await self.receive_output(TIMEOUT)
            if response["type"] == "websocket.close":
                return int(response.get("code", 1000))

    async def hello(self, inbox: str | int, **extra: Any) -> dict[str, Any]:
        await self.send_json({"type": "hello", "inbox": str(inbox), **extra})
        return await self.receive_json()

    async def close(self) -> None:
        await self.send_input({"type": "websocket.disconnect", "code": 1000})
        await self.wait(TIMEOUT)


async def visitor(inbox: str | int, **extra: Any) -> tuple[Socket, dict[str, Any]]:
    """A connected widget that said hello; returns the socket and the welcome frame."""
    from wowdesk.asgi import application

    ws = Socket(application)
    await ws.connect()
    welcome = await ws.hello(inbox, **extra)
    return ws, welcome


def run(scenario: Callable[[], Awaitable[None]]) -> None:
    async_to_sync(scenario)()


# The browser fixture of the web tests (Playwright + /usr/bin/chromium).
from tests.web.conftest import page  # noqa: E402, F401
