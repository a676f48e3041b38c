"""The ``/chat-demo`` page: a brand's web page with its chat widget on it."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from wowdesk.channels.chat import services
from wowdesk.conversations.models import Channel, Inbox
from wowdesk.core import permissions
from wowdesk.web.auth import agent_required


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
