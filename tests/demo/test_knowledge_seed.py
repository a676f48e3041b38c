"""The demo brands get a multilingual help center, and the knowledge loop has proposals to
show from resolved conversations no article covers."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction
from rich.console import Console

from wowdesk.conversations.models import Conversation, Direction, Message
from wowdesk.core.models import Brand
from wowdesk.demo import catalog, kb_content
from wowdesk.demo.seed import DemoReport, DemoSize, seed_demo
from wowdesk.knowledge import search
from wowdesk.knowledge.models import (
    Article,
    ArticleStatus,
    ArticleVersion,
    Category,
    HelpCenter,
    Proposal,
    SearchLog,
)

SIZE = DemoSize(customers=40, conversations=160)
KEY = set(kb_content.KEY_ARTICLES)


@pytest.fixture(scope="module")
def seeded(django_db_setup: None, django_db_blocker: Any) -> Iterator[DemoReport]:
    with django_db_blocker.unblock(), transaction.atomic():
        yield seed_demo(SIZE, seed=5, console=Console(file=io.StringIO()))
        transaction.set_rollback(True)


@pytest.fixture
def demo(seeded: DemoReport, db: None) -> DemoReport:
    return seeded


def brands() -> list[Brand]:
    return list(Brand.objects.filter(slug__in=[b.slug for b in catalog.BRANDS]))


def test_every_demo_brand_has_a_multilingual_help_center(demo: DemoReport) -> None:
    for brand in brands():
        center = HelpCenter.objects.get(brand=brand)
        assert center.title and center.colour.startswith("#")
        assert set(center.languages) >= {"en", "es", "de", "zh"}
        sources = Article.objects.filter(brand=brand, translation_of=None, internal=False)
        assert 20 <= sources.count() <= 30
        assert not sources.exclude(status=ArticleStatus.PUBLISHED).exists()
        assert not sources.filter(intent="").exists()
        assert sources.values("intent").distinct().count() == sources.count()
        assert not sources.filter(category=None).exists()
        assert Category.objects.filter(brand=brand).count() >= 8
        for language in ("es", "de", "zh"):
            translated = Article.objects.filter(brand=brand, language=language)
            assert set(translated.values_list("translation_of__intent", flat=True)) >= KEY
            assert translated.count() >= 8
            for t in translated:
                assert t.source_version == t.translation_of.version
                assert t.title and t.body and t.body_html
                assert "{" not in t.body  # every slot filled
        zh = Article.objects.get(brand=brand, language="zh", translation_of__intent="cancel_order")
        assert "取消" in zh.title
        internal = Article.objects.filter(brand=brand, internal=True)
        assert 1 <= internal.count() <= 3
        assert (
            ArticleVersion.objects.filter(article__brand=brand).count()
            == Article.objects.filter(brand=brand).count()
        )
        assert SearchLog.objects.filter(brand=brand, results=0).exists()


def test_articles_carry_the_brands_details(demo: DemoReport) -> None:
    for spec in catalog.BRANDS:
        brand = Brand.objects.get(slug=spec.slug)
        body = Article.objects.get(brand=brand, language="en", intent="contact_human_agent").body
        assert spec.phone in body and spec.domain in body
        assert not Article.objects.filter(brand=brand, body__contains="{{").exists()


def test_the_help_center_is_searchable(demo: DemoReport) -> None:
    brand = Brand.objects.get(slug="acme")
    hits = search.search_articles(brand.pk, "cancel order", language="en")
    assert hits


def test_the_knowledge_loop_has_demo_proposals(demo: DemoReport) -> None:
    proposals = Proposal.objects.filter(brand__in=brands(), kind=Proposal.Kind.NEW_ARTICLE)
    assert proposals.count() >= 3
    for p in proposals:
        conversation = Conversation.objects.get(pk=p.conversation_id)
        assert conversation.status == "resolved"
        customer = conversation.customer
        for part in customer.name.split():
            assert part not in p.title + p.body
        assert p.status == Proposal.Status.OPEN and p.language == conversation.language
        first = Message.objects.filter(conversation=conversation).order_by("created_at").first()
        assert first is not None and first.direction == Direction.IN
    grouped = proposals.exclude(group=None)
    assert grouped.exists()  # the two Wi-Fi questions of a brand share a group


def test_the_demo_chat_answers_from_the_help_center_when_nobody_is_on_shift(
    demo: DemoReport,
) -> None:
    from wowdesk.conversations.models import AnswerBot, Inbox

    for brand in brands():
        chats = Inbox.objects.filter(brand=brand, channel="chat")
        assert chats.exists()
        assert {i.answer_bot for i in chats} == {AnswerBot.WHEN_NO_AGENT}
        assert not Inbox.objects.filter(brand=brand, channel="email", answer_bot="always").exists()
