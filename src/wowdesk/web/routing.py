"""WebSocket routes. The chat widget and the live agent workspace add theirs here."""

from __future__ import annotations

from typing import Any

websocket_urlpatterns: list[Any] = []
