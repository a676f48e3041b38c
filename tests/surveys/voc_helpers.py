"""Survey answers for the voice-of-the-customer tests, written straight to the tables (a
whole history at once, with chosen answer times; the live path is
``surveys.answer_services.record_answer``)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from wowdesk.conversations.models import Conversation
from wowdesk.surveys.models import Survey, SurveyResponse, SurveyStatus


def answer(
    conversation: Conversation,
    kind: str,
    score: int,
    comment: str = "",
    *,
    language: str = "",
    at: dt.datetime | None = None,
) -> SurveyResponse:
    when = at or timezone.now()
    survey = Survey.objects.create(
        brand_id=conversation.brand_id,
        conversation=conversation,
        customer_id=conversation.customer_id,
        kind=kind,
        status=SurveyStatus.ANSWERED,
        resolved_at=when - dt.timedelta(hours=2),
        scheduled_for=when - dt.timedelta(hours=1),
        answered_at=when,
        agent_id=conversation.assignee_id,
        language=language,
    )
    return SurveyResponse.objects.create(
        survey=survey,
        brand_id=conversation.brand_id,
        kind=kind,
        score=score,
        comment=comment,
        comment_language=language,
        conversation=conversation,
        customer_id=conversation.customer_id,
        agent_id=conversation.assignee_id,
        language=language,
        answered_at=when,
        updated_at=when,
    )
