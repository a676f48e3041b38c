"""Training in the conversation's side panel: the culture card for the customer's country
(or language), and, for supervisors on a resolved conversation, "Make a training scenario"."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import get_language

from wowdesk.conversations.models import Conversation, Status
from wowdesk.core import permissions
from wowdesk.core.models import Role


def register() -> None:
    """The conversation panels (called from ``TrainingConfig.ready``)."""
    from wowdesk.web.panels import register_panel

    register_panel("culture", "training/_culture_panel.html", order=15, context=culture_panel)
    register_panel(
        "training_scenario", "training/_scenario_panel.html", order=90, context=scenario_panel
    )


def customer_country(conversation: Conversation) -> str:
    from wowdesk.training import culture_texts

    customer = conversation.customer
    fields = customer.custom_fields if isinstance(customer.custom_fields, dict) else {}
    custom = fields.get("country")
    return culture_texts.customer_country(
        custom_country=custom if isinstance(custom, str) else None,
        phone=customer.phone,
        timezone=customer.timezone,
    )


def culture_panel(request: HttpRequest, conversation: Conversation) -> dict[str, Any] | None:
    """The card for the customer (one query), or no panel."""
    from wowdesk.training import culture_services

    shown = culture_services.card_for(
        conversation.brand_id,
        country=customer_country(conversation),
        language=conversation.customer.language or conversation.language,
        ui_language=get_language(),
    )
    if shown is None:
        return None
    return {"card": shown}


def scenario_panel(request: HttpRequest, conversation: Conversation) -> dict[str, Any] | None:
    """The button for supervisors of the brand on a resolved conversation (no query)."""
    agent = getattr(request, "agent", None)
    if agent is None or conversation.status != Status.RESOLVED:
        return None
    if not permissions.has_role_in(agent, Role.SUPERVISOR, conversation.brand_id):
        return None
    return {"action": reverse("training:from-conversation", args=[conversation.pk])}
