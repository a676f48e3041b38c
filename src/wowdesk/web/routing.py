"""WebSocket routes. The chat widget and the live agent workspace add theirs here."""

from __future__ import annotations

from typing import Any

from channels.security.websocket import AllowedHostsOriginValidator
from django.urls import path

from wowdesk.channels.chat.consumers import VisitorConsumer
from wowdesk.web.consumers import WorkspaceConsumer

websocket_urlpatterns: list[Any] = [
    # The workspace rides on the agent's session cookie: only pages of this site (an
    # Origin in ALLOWED_HOSTS) may open it, or any site an agent visits could listen in.
    path("ws/workspace/", AllowedHostsOriginValidator(WorkspaceConsumer.as_asgi())),
    # The chat widget is embedded on the brand's own sites: any origin, a signed visitor token.
    path("ws/chat/", VisitorConsumer.as_asgi()),
]
