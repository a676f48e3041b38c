"""Survey answers written straight into the tables for the report pages' tests."""

from __future__ import annotations

from django.utils import timezone

from tests.factories import make_conversation
from wowdesk.core.models import Agent, Brand
from wowdesk.surveys.models import Survey, SurveyResponse


def answer(
    brand: Brand,
    kind: str,
    score: int,
    comment: str = "",
    *,
    agent: Agent | None = None,
    language: str = "en",
) -> SurveyResponse:
    conversation = make_conversation(brand)
    now = timezone.now()
    survey = Survey.objects.create(
        brand=brand,
        conversation=conversation,
        customer=conversation.customer,
        kind=kind,
        status="answered",
        resolved_at=now,
        scheduled_for=now,
        answered_at=now,
        language=language,
    )
    return SurveyResponse.objects.create(
        survey=survey,
        brand=brand,
        kind=kind,
        score=score,
        comment=comment,
        comment_language=language,
        conversation=conversation,
        customer=conversation.customer,
        agent=agent,
        language=language,
        answered_at=now,
        updated_at=now,
    )
