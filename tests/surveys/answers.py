"""Answers for the follow-up tests: what ``surveys.answer_services.record_answer`` does (a
``SurveyResponse`` row with the survey's fields of the time, then ``survey.answered``),
kept small until that writer is in the tree."""

from __future__ import annotations

from django.utils import timezone

from wowdesk.conversations.models import Conversation
from wowdesk.core.events import Event, emit
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
    existing = SurveyResponse.objects.filter(survey=survey).first()
    if existing is not None:
        existing.score = score
        existing.comment = comment or existing.comment
        existing.updated_at = now
        existing.save()
        response = existing
    else:
        response = SurveyResponse.objects.create(
            survey=survey,
            brand_id=survey.brand_id,
            kind=kind,
            score=score,
            comment=comment,
            conversation=conversation,
            customer_id=conversation.customer_id,
            agent_id=survey.agent_id,
            team_id=survey.team_id,
            inbox_id=survey.inbox_id,
            channel=survey.channel,
            language=survey.language,
            answered_at=now,
            updated_at=now,
        )
    Survey.objects.filter(pk=survey.pk).update(status=SurveyStatus.ANSWERED, answered_at=now)
    emit(
        Event.SURVEY_ANSWERED,
        survey_id=survey.pk,
        response_id=response.pk,
        conversation_id=conversation.pk,
        brand_id=conversation.brand_id,
        kind=kind,
        score=score,
        updated=existing is not None,
    )
    return response
