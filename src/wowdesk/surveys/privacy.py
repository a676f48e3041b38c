"""What the surveys app keeps about a customer (``customer.erasing``, docs/privacy.md).

Surveys and responses keep their rows, kinds, scores and times, so NPS, CSAT and CES do
not change; the customer's words (a response's "why") become ``[erased]``. A survey not
yet answered expires (``expired_reason`` ``erased``): its link, a signed token naming the
survey, then opens nothing and nothing more is sent. Follow-ups keep kind, status and
times; their reason, outcome and details are blanked. WOW stories told about the
customer's conversations are blanked.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import Q
from django.utils import timezone

from wowdesk.conversations.models import Conversation
from wowdesk.core import privacy as core_privacy
from wowdesk.core.privacy import ERASED, scrub
from wowdesk.surveys.models import FollowUp, Survey, SurveyResponse, SurveyStatus, WowStory


def on_customer_erasing(customer_id: int, brand_id: int) -> None:
    conversation_ids = Conversation.objects.filter(customer_id=customer_id).values("pk")
    comments = (
        SurveyResponse.objects.filter(customer_id=customer_id)
        .exclude(comment="")
        .update(comment=ERASED)
    )
    core_privacy.tally("survey_comments", comments)
    expired = Survey.objects.filter(
        customer_id=customer_id, status__in=[SurveyStatus.SCHEDULED, SurveyStatus.SENT]
    ).update(status=SurveyStatus.EXPIRED, expired_reason="erased", expires_at=timezone.now())
    core_privacy.tally("surveys_expired", expired)
    followups = list(
        FollowUp.objects.filter(
            Q(customer_id=customer_id) | Q(conversation_id__in=conversation_ids)
        )
    )
    for f in followups:
        f.reason = ERASED if f.reason else ""
        f.outcome = ERASED if f.outcome else ""
        f.details = scrub(f.details or {})
    FollowUp.objects.bulk_update(followups, ["reason", "outcome", "details"])
    core_privacy.tally("followups", len(followups))
    stories = (
        WowStory.objects.filter(conversation_id__in=conversation_ids)
        .exclude(story="")
        .update(story=ERASED)
    )
    core_privacy.tally("wow_stories", stories)


def export_surveys(customer_id: int, brand_id: int) -> Iterator[dict[str, Any]]:
    """Every survey asked of the customer, with the answer if any."""
    answers = {r.survey_id: r for r in SurveyResponse.objects.filter(customer_id=customer_id)}
    for s in Survey.objects.filter(customer_id=customer_id).order_by("pk"):
        r = answers.get(s.pk)
        yield {
            "id": s.pk,
            "conversation_id": s.conversation_id,
            "kind": s.kind,
            "status": s.status,
            "sent_at": s.sent_at.isoformat() if s.sent_at else None,
            "answer": (
                {"score": r.score, "comment": r.comment, "at": r.answered_at.isoformat()}
                if r is not None
                else None
            ),
        }


def export_followups(customer_id: int, brand_id: int) -> list[dict[str, Any]]:
    return [
        {
            "id": f.pk,
            "kind": f.kind,
            "status": f.status,
            "conversation_id": f.conversation_id,
            "reason": f.reason,
            "outcome": f.outcome,
            "details": f.details,
            "due_at": f.due_at.isoformat() if f.due_at else None,
        }
        for f in FollowUp.objects.filter(customer_id=customer_id).order_by("pk")
    ]


def register() -> None:
    """Listener and export sections (called from ``SurveysConfig.ready``)."""
    from wowdesk.core.events import Event, Phase, listen

    listen(
        Event.CUSTOMER_ERASING,
        "wowdesk.surveys.privacy.on_customer_erasing",
        phase=Phase.TRANSACTION,
    )
    core_privacy.register_exporter("surveys", "wowdesk.surveys.privacy.export_surveys", order=30)
    core_privacy.register_exporter(
        "followups", "wowdesk.surveys.privacy.export_followups", order=31
    )
