"""The review queue: resolved conversations of the last ``DAYS`` days not yet reviewed,
with the signals that make them worth a look and the pre-score hint.

One query: the newest ``CANDIDATES`` resolved facts of the reviewer's brands
(``analytics.ConversationFact``, index ``fact_brand_resolved_created``) with, per row, the
first and last scored customer message's emotion (two index-backed subqueries on
``Message(conversation, created_at)``), whether a detractor answered its survey, whether a
grant on it went above a limit (an ``Approval``) and its assignee's start date; then
``quality.signals`` scores them in Python. So the cost does not grow with the number of
conversations a brand has (a test pins it at 100k-sized brands' shape: one query).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wowdesk.analytics.models import ConversationFact
from wowdesk.conversations.models import Conversation, Message
from wowdesk.policies.models import Approval
from wowdesk.quality import signals
from wowdesk.quality.models import Review
from wowdesk.surveys.models import SurveyResponse

DAYS = 14
CANDIDATES = 500
MAX_LIMIT = 100

LABELS = {
    "emotion_falling": _("The customer's mood fell during the conversation"),
    "detractor": _("The customer gave a low survey score"),
    "reopened": _("Reopened after it was resolved"),
    "grant_above_limit": _("A grant above the agent's limit"),
    "long": _("Long (many messages or days)"),
    "new_agent": _("Handled by an agent in their first 90 days"),
    "sample": _("Random sample of the day"),
}


@dataclass
class QueueItem:
    conversation: Conversation
    signals: list[str]
    pre_score: int
    resolved_at: dt.datetime | None

    @property
    def reasons(self) -> list[str]:
        return [str(LABELS[s]) for s in self.signals]


def _candidates(brand_ids: set[int], since: dt.datetime) -> QuerySet[ConversationFact]:
    inbound = Message.objects.filter(
        conversation_id=OuterRef("conversation_id"), direction="in", emotion__isnull=False
    )
    detractor = SurveyResponse.objects.filter(conversation_id=OuterRef("conversation_id")).filter(
        Q(kind="nps", score__lte=6) | Q(kind="csat", score__lte=2)
    )
    return (
        ConversationFact.objects.filter(
            brand_id__in=brand_ids, resolved_at__isnull=False, resolved_at__gte=since
        )
        .exclude(Exists(Review.objects.filter(conversation_id=OuterRef("conversation_id"))))
        .annotate(
            first_emotion=Subquery(inbound.order_by("created_at", "id").values("emotion")[:1]),
            last_emotion=Subquery(inbound.order_by("-created_at", "-id").values("emotion")[:1]),
            detractor=Exists(detractor),
            above_limit=Exists(
                Approval.objects.filter(grant__conversation_id=OuterRef("conversation_id"))
            ),
        )
        .select_related("conversation", "conversation__assignee")
        .order_by("-resolved_at", "-conversation_id")
    )


def queue(
    brand_ids: set[int],
    *,
    limit: int = 25,
    now: dt.datetime | None = None,
    days: int = DAYS,
    sample_rate: float = signals.SAMPLE_RATE,
) -> list[QueueItem]:
    """The conversations worth reviewing, highest pre-score first (then newest)."""
    if not brand_ids:
        return []
    now = now or timezone.now()
    today = timezone.localdate(now)
    items: list[QueueItem] = []
    for fact in _candidates(brand_ids, now - dt.timedelta(days=days))[:CANDIDATES]:
        c = fact.conversation
        tenure: int | None = None
        if c.assignee is not None:
            started = c.assignee.hired_on or timezone.localdate(c.assignee.created_at)
            tenure = (today - started).days
        opened = (
            (fact.resolved_at - c.created_at).total_seconds() / 86400 if fact.resolved_at else 0
        )
        found = signals.detect(
            signals.Facts(
                conversation_id=c.pk,
                first_emotion=fact.first_emotion,  # type: ignore[attr-defined]
                last_emotion=fact.last_emotion,  # type: ignore[attr-defined]
                reopened=fact.reopened,
                detractor=bool(fact.detractor),  # type: ignore[attr-defined]
                message_count=c.message_count,
                open_days=opened,
                grant_above_limit=bool(fact.above_limit),  # type: ignore[attr-defined]
                agent_tenure_days=tenure,
            ),
            today,
            sample_rate,
        )
        if found:
            items.append(QueueItem(c, found, signals.pre_score(found), fact.resolved_at))
    items.sort(key=lambda i: (-i.pre_score, -(i.resolved_at.timestamp() if i.resolved_at else 0)))
    return items[: max(1, min(limit, MAX_LIMIT))]
