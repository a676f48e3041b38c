"""The workspace's pieces of "Policies and approvals": the Grant panel of an open
conversation and the approvals tile of the supervisor board (registered from
``PoliciesConfig.ready``)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from wowdesk.core import permissions
from wowdesk.core.models import Agent, Role


def register() -> None:
    from wowdesk.web.board_tiles import register_tile
    from wowdesk.web.panels import register_panel

    register_panel("grants", "policies/_grant_panel.html", order=30, context=panel_context)
    register_tile("approvals", "policies/_tile.html", tile_context, order=5)


def panel_context(request: HttpRequest, conversation: Any) -> dict[str, Any]:
    """The panel loads its content after the page (no query here)."""
    return {"url": reverse("policies:conversation-grants", args=[conversation.pk])}


def tile_context(request: HttpRequest) -> dict[str, Any] | None:
    """Pending approvals of the brands the reader supervises, oldest first (three queries:
    the count, the page, the custom actions' labels)."""
    from wowdesk.policies import ui_queries

    agent: Agent | None = getattr(request, "agent", None)
    if agent is None:
        return None
    brand_ids = permissions.brands_with_role(agent, Role.SUPERVISOR)
    if not brand_ids:
        return None
    total, pending = ui_queries.pending_for(agent)
    labels = ui_queries.labels_for_brands(brand_ids) if pending else {}
    now = timezone.now()
    return {
        "total": total,
        "rows": [ui_queries.approval_row(a, labels, now) for a in pending],
        "more": max(0, total - len(pending)),
        "several_brands": len(brand_ids) > 1,
    }
