"""Answers for the follow-up tests: a sent survey of the conversation's latest resolution
(made when it has none), answered through the real writer,
``surveys.answer_services.record_answer`` (the response, then ``survey.answered``)."""

from __future__ import annotations

from django.utils import timezone

from wowdesk.conversations.models import Conversation
from wowdesk.surveys.answer_services import record_answer
from wowdesk.surveys.models import Survey, SurveyResponse, SurveyStatus


def answer(
    conversation: Conversation,
    kind: str,
    score: int,
    *,
    comment: str = "",
    team_id: int | None = None,
) -> SurveyResponse:
    """The customer answers (or changes their answer to) the ``kind`` survey of the
    conversation's latest resolution."""
    now = timezone.now()
    survey = Survey.objects.filter(conversation=conversation, kind=kind).first()
    if survey is None:
        survey = Survey.objects.create(
            brand_id=conversation.brand_id,
            conversation=conversation,
            customer_id=conversation.customer_id,
            kind=kind,
            status=SurveyStatus.SENT,
            resolved_at=conversation.resolved_at or now,
            scheduled_for=now,
            sent_at=now,
            language=conversation.language,
            channel="api",
            inbox_id=conversation.inbox_id,
            agent_id=conversation.assignee_id,
            team_id=team_id if team_id is not None else conversation.team_id,
        )
    return record_answer(survey, score, comment=comment or None, language=conversation.language)
