"""A survey as the scheduler would leave it once sent: straight into the table (tests
write freely), with the conversation's fields of the time."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from wowdesk.conversations.models import Conversation
from wowdesk.surveys import tokens
from wowdesk.surveys.models import Survey, SurveyStatus


def sent_survey(
    conversation: Conversation,
    kind: str = "nps",
    *,
    language: str = "en",
    expires_in: dt.timedelta = dt.timedelta(days=14),
    resolved_at: dt.datetime | None = None,
) -> Survey:
    now = timezone.now()
    return Survey.objects.create(
        brand_id=conversation.brand_id,
        conversation=conversation,
        customer_id=conversation.customer_id,
        kind=kind,
        status=SurveyStatus.SENT,
        resolved_at=resolved_at or now - dt.timedelta(hours=1),
        scheduled_for=now,
        sent_at=now,
        expires_at=now + expires_in,
        language=language,
        channel=conversation.inbox.channel,
        inbox_id=conversation.inbox_id,
        agent_id=conversation.assignee_id,
        team_id=conversation.team_id,
        intent="order_status",
    )


def link(survey: Survey) -> str:
    return f"/s/{tokens.make_token(survey.pk)}"
