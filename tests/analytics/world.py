"""A small hand-built world for the measures: conversations with set times, survey answers,
SLA events, bot sessions. Tests write the other apps' rows here straight (the times of a
real help desk cannot be waited for); the facts are then computed by the real code."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from tests.factories import quick_conversation
from wowdesk.conversations.models import Conversation, Direction, Message
from wowdesk.core.models import Agent, Brand
from wowdesk.surveys.models import Survey, SurveyResponse

_seq = itertools.count(1)
UTC = dt.UTC


def at(text: str) -> dt.datetime:
    """An aware datetime from ISO 8601 with an offset (``2026-03-02T16:00+09:00``)."""
    value = dt.datetime.fromisoformat(text)
    assert value.tzinfo is not None
    return value.astimezone(UTC)


def conversation(
    brand: Brand,
    *,
    created: str,
    first_response: str | None = None,
    resolved: str | None = None,
    agent: Agent | None = None,
    channel: str = "email",
    language: str = "en",
    **fields: Any,
) -> Conversation:
    c = quick_conversation(brand, channel=channel)
    values: dict[str, Any] = {
        "created_at": at(created),
        "first_response_at": at(first_response) if first_response else None,
        "resolved_at": at(resolved) if resolved else None,
        "status": "resolved" if resolved else "open",
        "assignee": agent,
        "language": language,
        **fields,
    }
    Conversation.objects.filter(pk=c.pk).update(**values)
    Message.objects.filter(conversation=c).update(created_at=at(created))
    if first_response and agent is not None:
        reply(c, agent, first_response)
    c.refresh_from_db()
    return c


def reply(c: Conversation, agent: Agent, when: str) -> Message:
    return Message.objects.create(
        conversation=c,
        brand_id=c.brand_id,
        direction=Direction.OUT,
        channel=c.inbox.channel,
        body="Here is how.",
        author=agent,
        created_at=at(when),
    )


def customer_writes(c: Conversation, when: str) -> Message:
    return Message.objects.create(
        conversation=c,
        brand_id=c.brand_id,
        direction=Direction.IN,
        channel=c.inbox.channel,
        body="One more thing.",
        sender=c.customer,
        created_at=at(when),
    )


def answer(
    c: Conversation,
    kind: str,
    score: int | None,
    when: str,
    *,
    comment: str = "",
    agent: Agent | None = None,
) -> Survey:
    """A survey of ``c`` sent at ``when``; answered with ``score`` then (None: unanswered)."""
    moment = at(when)
    survey = Survey.objects.create(
        brand_id=c.brand_id,
        conversation=c,
        customer=c.customer,
        kind=kind,
        status="answered" if score is not None else "sent",
        resolved_at=moment - dt.timedelta(seconds=next(_seq)),
        scheduled_for=moment,
        sent_at=moment,
        answered_at=moment if score is not None else None,
        language=c.language,
        channel=c.inbox.channel,
        inbox=c.inbox,
        agent=agent or c.assignee,
        team=c.team,
    )
    if score is not None:
        SurveyResponse.objects.create(
            survey=survey,
            brand_id=c.brand_id,
            kind=kind,
            score=score,
            comment=comment,
            conversation=c,
            customer=c.customer,
            agent=agent or c.assignee,
            team=c.team,
            inbox=c.inbox,
            channel=c.inbox.channel,
            language=c.language,
            answered_at=moment,
            updated_at=moment,
        )
    return survey
