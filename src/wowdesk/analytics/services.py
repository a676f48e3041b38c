"""Placeholder of the metrics query service (part "metrics" replaces this file): the shape
of ``metrics()`` with no numbers, and ``drill()`` with no conversations."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from wowdesk.conversations.models import Conversation
from wowdesk.core.models import Agent


def metrics(agent: Agent, query: dict[str, Any]) -> dict[str, Any]:
    period = {"from": query.get("from"), "to": query.get("to")}
    return {"period": period, "previous": {**period, "totals": {}}, "totals": {}, "groups": []}


def drill(agent: Agent, query: dict[str, Any], measure: str) -> QuerySet[Conversation]:
    return Conversation.objects.none()
