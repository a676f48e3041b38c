"""The WOW wall's listener and panel: a promoter's why becomes a story by itself, and the
conversation's side panel offers "Nominate for the WOW wall"."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from wowdesk.conversations.models import Conversation


def register() -> None:
    """Listeners and panels of the WOW wall (called from ``SurveysConfig.ready``)."""
    from wowdesk.core.events import Event, listen
    from wowdesk.web.panels import register_panel

    listen(Event.SURVEY_ANSWERED, "wowdesk.surveys.wow.on_survey_answered")
    register_panel("wow", "surveys/_wow_panel.html", order=80, context=panel_context)


def on_survey_answered(
    *, response_id: int, kind: str, score: int, updated: bool = False, **_: Any
) -> None:
    """A promoter's answer (NPS 9–10, CSAT 5) with a why of a few words becomes a story,
    once per response (a why added later counts too); an answer changed to a lower score
    takes its story off the wall."""
    from wowdesk.surveys import wow_services

    if wow_services.is_promoter(kind, score):
        wow_services.do_add_promoter_story(response_id)
    elif updated:
        wow_services.do_withdraw_promoter_story(response_id)


def panel_context(request: HttpRequest, conversation: Conversation) -> dict[str, Any]:
    """The nomination form (no query: the conversation is already loaded)."""
    return {
        "action": reverse("wow:nominate", args=[conversation.pk]),
        "conversation_id": conversation.pk,
        "max_story": 2000,
    }
