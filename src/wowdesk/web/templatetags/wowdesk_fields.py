"""``{% field_filter_rows as rows %}``: the custom fields the inbox's "More filters" show,
with the values the list is filtered by (web/_field_filters.html, web/fields.py)."""

from __future__ import annotations

from typing import Any

from django import template

from wowdesk.web.fields import filter_rows

register = template.Library()


@register.simple_tag(takes_context=True)
def field_filter_rows(context: Any) -> list[dict[str, Any]]:
    agent = getattr(context.get("request"), "agent", None)
    if agent is None:
        return []
    return filter_rows(agent, getattr(context.get("query"), "custom", ()))
