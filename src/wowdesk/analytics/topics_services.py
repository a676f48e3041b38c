"""The writer of the voice of the customer's tables (``Topic``, ``TopicMember``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from django.db import transaction
from django.utils import timezone

from wowdesk.analytics import topics as pure
from wowdesk.analytics.models import Topic, TopicMember

if TYPE_CHECKING:
    from wowdesk.analytics.topics_jobs import RunResult

LABEL_CHARS = 200
EXAMPLE_CHARS = 500


@transaction.atomic
def do_store_topics(result: RunResult) -> int:
    """Store a run's topics: a topic matching a previous one (by centroid) updates it,
    others are new; the previous topics not found again become inactive. The members are
    replaced. Returns the number of active topics."""
    from wowdesk.analytics.topics_jobs import previous_centroids

    brand_id = result.brand_id
    previous = previous_centroids(brand_id)
    usable = [(pk, c) for pk, c in previous if c]
    matched = pure.match(
        np.array([c for _pk, c in usable]) if usable else np.zeros((0, 1)),
        np.stack([t.found.centroid for t in result.topics]) if result.topics else np.zeros((0, 1)),
    )
    now = timezone.now()
    kept: set[int] = set()
    members: list[TopicMember] = []
    for i, t in enumerate(result.topics):
        fields = {
            "label": t.found.label[:LABEL_CHARS] or "—",
            "terms": list(t.found.terms),
            "example": t.example.text[:EXAMPLE_CHARS],
            "example_conversation_id": t.example.conversation_id,
            "centroid": [round(float(v), 6) for v in t.found.centroid],
            "active": True,
            "size": len(t.items),
            "conversations": t.conversations,
            "customers": t.customers,
            "weekly": t.weekly,
            "week_change": t.week_change,
            "nps": t.nps.value,
            "nps_responses": t.nps.responses,
            "detractors": t.detractors,
            "csat": t.csat.value,
            "csat_responses": t.csat.responses,
            "sentiment": t.sentiment,
            "languages": t.languages,
            "lift": t.lift,
            "is_driver": t.is_driver,
            "window_start": result.window_start,
            "window_end": result.window_end,
            "computed_at": now,
        }
        if i in matched:
            pk = usable[matched[i]][0]
            Topic.objects.filter(pk=pk).update(**fields)
        else:
            pk = Topic.objects.create(brand_id=brand_id, **fields).pk
        kept.add(pk)
        members.extend(
            TopicMember(
                topic_id=pk,
                brand_id=brand_id,
                kind=item.kind,
                conversation_id=item.conversation_id,
                customer_id=item.customer_id,
                response_id=item.response_id,
                text=item.text[:300],
                language=item.language[:16],
                similarity=sim,
                at=item.at,
            )
            for item, sim in zip(t.items, t.similarities, strict=True)
        )
    Topic.objects.filter(brand_id=brand_id, active=True).exclude(pk__in=kept).update(
        active=False, is_driver=False
    )
    TopicMember.objects.filter(brand_id=brand_id).delete()
    TopicMember.objects.bulk_create(members, batch_size=1000)
    return len(kept)
