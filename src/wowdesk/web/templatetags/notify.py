"""``{% unread_notifications as n %}``: the signed-in agent's unread count (one query)."""

from __future__ import annotations

from typing import Any

from django import template

from wowdesk.notifications import services

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notifications(context: dict[str, Any]) -> int:
    request = context.get("request")
    agent = getattr(request, "agent", None)
    if agent is None:
        return 0
    return services.unread_count(agent)
