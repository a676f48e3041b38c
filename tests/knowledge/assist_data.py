"""Rows the assist tests share: published articles (with translations) and conversations
whose latest customer message is in a given language, written directly."""

from __future__ import annotations

import itertools

from tests.factories import quick_conversation
from wowdesk.conversations.models import Conversation, Direction, Message
from wowdesk.core.models import Brand
from wowdesk.knowledge.models import Article, ArticleStatus

_seq = itertools.count(1)


def article(
    brand: Brand,
    title: str,
    body: str,
    *,
    language: str = "en",
    translation_of: Article | None = None,
    internal: bool = False,
    status: str = ArticleStatus.PUBLISHED,
) -> Article:
    return Article.objects.create(
        brand=brand,
        title=title,
        slug=f"a-{next(_seq)}",
        body=body,
        language=language,
        translation_of=translation_of,
        internal=internal,
        status=status,
    )


def conversation(brand: Brand, body: str, *, language: str = "") -> Conversation:
    conv = quick_conversation(brand, body=body)
    if language:
        Message.objects.filter(conversation=conv, direction=Direction.IN).update(language=language)
        Conversation.objects.filter(pk=conv.pk).update(language=language)
        conv.refresh_from_db()
    return conv
