"""The widget's public configuration endpoint and the ``/chat-demo`` page."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from wowdesk.channels.chat import services
from wowdesk.conversations.models import Channel, Inbox
from wowdesk.core import permissions
from wowdesk.core.errors import NotFound
from wowdesk.web.auth import agent_required


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


@require_GET
@agent_required()
def demo(request: HttpRequest) -> HttpResponse:
    """A brand's web page with the widget on it, as a customer would see it: for signed-in
    agents, with a chat inbox of a brand they work for."""
    agent = request.agent  # type: ignore[attr-defined]
    inbox = (
        permissions.scope(Inbox.objects.filter(channel=Channel.CHAT), agent)
        .select_related("brand")
        .order_by("-is_default", "id")
        .first()
    )
    if inbox is None or not services.widget_settings(inbox).token:
        return render(
            request,
            "chat/demo.html",
            {"missing": _("No chat inbox yet: run `wowdesk demo`, or add a chat inbox.")},
            status=404,
        )
    ref = services.widget_settings(inbox).token
    return render(request, "chat/demo.html", {"inbox": inbox, "ref": ref})
