"""Policies: abuse reports and restrictions (listeners, alert sentence, conversation panel)."""

from __future__ import annotations

from typing import Any


def register() -> None:
    """Register this part's listeners, alert sentence and panel."""
    from wowdesk.core import alerts
    from wowdesk.core.events import Event, Phase, listen
    from wowdesk.core.models import AlertKind
    from wowdesk.policies.abuse_services import reported_sentence
    from wowdesk.web.panels import register_panel

    here = "wowdesk.policies.abuse_services"
    # a restricted or blocked customer's new message gets the courteous template
    listen(Event.MESSAGE_CREATED, f"{here}.on_messages_created", phase=Phase.BATCH)
    # the right to be forgotten deletes the customer's reports (policies/privacy.py)
    alerts.register(AlertKind.ABUSE_REPORTED, reported_sentence)
    register_panel("abuse", "policies/_abuse_panel.html", order=15, context=panel_context)


def panel_context(request: Any, conversation: Any) -> dict[str, Any] | None:
    from wowdesk.policies import abuse_views

    return abuse_views.panel_context(request, conversation)
