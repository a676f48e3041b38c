"""Helpers of the survey tests."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

from django.utils import timezone

from tests.factories import make_reply, quick_conversation
from wowdesk.conversations import services as conversations
from wowdesk.conversations.models import Conversation
from wowdesk.core.models import Agent, Brand
from wowdesk.customers.services import Contact, resolve_customer
from wowdesk.surveys.models import Survey, SurveyResponse

Commits = Callable[[], AbstractContextManager[Any]]


def resolved(
    brand: Brand,
    agent: Agent,
    commits: Commits,
    *,
    channel: str = "email",
    email: str | None = None,
    language: str = "",
    reply: bool = True,
) -> Conversation:
    """A conversation on ``channel`` answered by ``agent`` and resolved (listeners run)."""
    conversation = quick_conversation(brand, channel=channel, email=email)
    if language:
        Conversation.objects.filter(pk=conversation.pk).update(language=language)
        conversation.language = language
    if reply:
        make_reply(conversation, agent, "Fixed: a new shade is on its way.")
    resolve(conversation, agent, commits)
    return conversation


def resolve(conversation: Conversation, agent: Agent | None, commits: Commits) -> None:
    with commits():
        conversations.update_conversation(conversation, actor=agent, status="resolved")
    conversation.refresh_from_db()


def reopen(conversation: Conversation, agent: Agent | None, commits: Commits) -> None:
    with commits():
        conversations.update_conversation(conversation, actor=agent, status="open")
    conversation.refresh_from_db()


def phone_only_conversation(brand: Brand, channel: str = "voice") -> Conversation:
    customer, _created = resolve_customer(brand.pk, Contact(name="Bo", phone="+4915112345678"))
    conversation = conversations.create_conversation(
        inbox=conversations.default_inbox(brand.pk, channel), customer=customer, subject="Call"
    )
    conversations.append_incoming(
        conversation, customer, conversations.IncomingMessage(body="A call", channel=channel)
    )
    conversation.refresh_from_db()
    return conversation


def surveys_of(conversation: Conversation) -> list[Survey]:
    return list(Survey.objects.filter(conversation=conversation).order_by("resolved_at", "id"))


def answer(survey: Survey, score: int, comment: str = "", **over: Any) -> SurveyResponse:
    """An answer as the survey page records it (test data; the page's service writes it)."""
    now = over.pop("answered_at", None) or timezone.now()
    Survey.objects.filter(pk=survey.pk).update(status="answered", answered_at=now)
    fields: dict[str, Any] = {
        "survey": survey,
        "brand_id": survey.brand_id,
        "kind": survey.kind,
        "score": score,
        "comment": comment,
        "conversation_id": survey.conversation_id,
        "customer_id": survey.customer_id,
        "agent_id": survey.agent_id,
        "team_id": survey.team_id,
        "site_id": survey.site_id,
        "inbox_id": survey.inbox_id,
        "channel": survey.channel,
        "language": survey.language,
        "intent": survey.intent,
        "answered_at": now,
        "updated_at": now,
    }
    fields.update(over)
    return SurveyResponse.objects.create(**fields)


HOUR = dt.timedelta(hours=1)
