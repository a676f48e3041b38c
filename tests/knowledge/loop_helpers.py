"""Helpers of the knowledge-loop tests: resolved conversations and published articles."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from tests.factories import make_reply, quick_conversation
from wowdesk.conversations import services as conversations
from wowdesk.conversations.models import Conversation
from wowdesk.core.models import Agent, Brand
from wowdesk.knowledge.models import Article, ArticleStatus


def resolved_conversation(
    brand: Brand,
    agent: Agent,
    question: str,
    answer: str,
    *,
    name: str = "Maria Lopez",
    commits: Any = None,
) -> Conversation:
    """A conversation with the customer's question and the agent's answer, resolved by the
    agent (its events run after commit when ``commits`` is the capture fixture)."""
    conversation = quick_conversation(brand, body=question, name=name)
    make_reply(conversation, agent, answer)
    if commits is not None:
        with commits(execute=True):
            conversations.update_conversation(conversation, actor=agent, status="resolved")
    else:
        conversations.update_conversation(conversation, actor=agent, status="resolved")
    conversation.refresh_from_db()
    return conversation


def published_article(brand: Brand, title: str, body: str, **kw: Any) -> Article:
    return Article.objects.create(
        brand=brand,
        language=kw.pop("language", "en"),
        title=title,
        slug=title.lower().replace(" ", "-")[:100],
        body=body,
        status=kw.pop("status", ArticleStatus.PUBLISHED),
        published_at=timezone.now(),
        **kw,
    )
