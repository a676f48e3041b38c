"""The widget's public configuration endpoint (its ``/chat-demo`` page is in
``web/chat_demo.py``)."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET

from wowdesk.channels.chat import services
from wowdesk.core.errors import NotFound


@require_GET
def widget_config(request: HttpRequest, ref: str) -> JsonResponse:
    """What the widget needs before its WebSocket opens: pre-chat form on or off, the
    greeting, and whether an agent is on shift now. Readable from any site (CORS)."""
    try:
        inbox = services.find_inbox(ref)
    except NotFound as exc:
        response = JsonResponse({"detail": exc.message}, status=404)
    else:
        response = JsonResponse(
            {
                **services.widget_settings(inbox).public(),
                "online": services.agents_on_shift(inbox.brand_id),
                "socket": "/ws/chat/",
            }
        )
    response["Access-Control-Allow-Origin"] = "*"
    response["Cache-Control"] = "no-store"
    return response
