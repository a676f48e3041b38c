"""The knowledge reports on crafted rows: each list holds what its rule says and only that."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from tests.factories import quick_conversation
from tests.knowledge.loop_helpers import published_article
from wowdesk.core.models import Agent, Brand
from wowdesk.knowledge import reports
from wowdesk.knowledge.models import ArticleStatus, BotSession, SearchLog, Source, SuggestionUse

pytestmark = pytest.mark.django_db


def period(days: int = 30) -> reports.Period:
    now = timezone.now()
    return reports.Period(start=now - dt.timedelta(days=days), end=now + dt.timedelta(minutes=1))


def search(brand: Brand, query: str, source: str, results: int = 0, days_ago: float = 0) -> None:
    row = SearchLog.objects.create(brand=brand, query=query, source=source, results=results)
    if days_ago:
        SearchLog.objects.filter(pk=row.pk).update(
            created_at=timezone.now() - dt.timedelta(days=days_ago)
        )


def test_searches_with_no_result_by_normalised_query_and_source(
    brand: Brand, other_brand: Brand
) -> None:
    for q in ("Gift card", "gift card ", "GIFT CARD"):
        search(brand, q, Source.HELP_CENTER)
    search(brand, "gift card", Source.WIDGET)
    search(brand, "warranty", Source.AGENT)
    search(brand, "warranty", Source.AGENT, results=3)  # found something: not counted
    search(brand, "old thing", Source.HELP_CENTER, days_ago=45)  # before the period
    for _ in range(5):
        search(other_brand, "other brand query", Source.HELP_CENTER)
    rows = reports.no_result_searches([brand.pk], period())
    assert rows == [
        {"query": "gift card", "source": "help_center", "count": 3},
        {"query": "gift card", "source": "widget", "count": 1},
        {"query": "warranty", "source": "agent", "count": 1},
    ]
    by_source = {r["source"]: r for r in reports.searches_by_source([brand.pk], period())}
    assert by_source["agent"]["searches"] == 2 and by_source["agent"]["no_result"] == 1
    assert by_source["agent"]["no_result_rate"] == 0.5
    assert by_source["help_center"]["searches"] == 3
    both = reports.no_result_searches([brand.pk, other_brand.pk], period())
    assert both[0] == {"query": "other brand query", "source": "help_center", "count": 5}


def test_articles_that_never_help(brand: Brand, other_brand: Brand, agent: Agent) -> None:
    def art(title: str, views: int, yes: int, no: int, **kw: Any) -> Any:
        return published_article(
            kw.pop("brand", brand),
            title,
            "body",
            view_count=views,
            helpful_yes=yes,
            helpful_no=no,
            **kw,
        )

    more_no = art("More no than yes", 100, 2, 5)
    tie = art("As many no as yes", 50, 3, 3)
    silent = art("Read, never helped", 40, 0, 0)
    art("Helps", 100, 9, 1)
    art("Too few views", 5, 0, 4)
    art("Archived", 100, 0, 9, status=ArticleStatus.ARCHIVED)
    solved = art("No yes, but solved conversations", 60, 0, 0)
    conv = quick_conversation(brand)
    SuggestionUse.objects.create(
        brand=brand,
        conversation=conv,
        article=solved,
        agent=agent,
        action=SuggestionUse.Action.SOLVED,
    )
    inserted_only = art("Inserted, never solved", 30, 0, 0)
    SuggestionUse.objects.create(
        brand=brand,
        conversation=conv,
        article=inserted_only,
        agent=agent,
        action=SuggestionUse.Action.INSERTED,
    )
    art("Other brand", 500, 0, 9, brand=other_brand)
    rows = reports.articles_that_never_help([brand.pk])
    assert [r["id"] for r in rows] == [more_no.pk, tie.pk, silent.pk, inserted_only.pk]
    assert rows[0]["helpful_no"] == 5 and rows[0]["solved"] == 0


def bot(
    brand: Brand, conv: Any, language: str, intent: str, outcome: str, days_ago: int = 0
) -> None:
    row = BotSession.objects.create(
        brand=brand, conversation=conv, language=language, intent=intent, outcome=outcome
    )
    if days_ago:
        BotSession.objects.filter(pk=row.pk).update(
            started_at=timezone.now() - dt.timedelta(days=days_ago)
        )


def test_intents_with_no_article(brand: Brand, other_brand: Brand) -> None:
    conv = quick_conversation(brand)
    other_conv = quick_conversation(other_brand)
    published_article(brand, "Cancel", "b", intent="cancel_order")
    published_article(brand, "Draft refund", "b", intent="get_refund").__class__.objects.filter(
        intent="get_refund"
    ).update(status=ArticleStatus.DRAFT)
    published_article(other_brand, "Track", "b", intent="track_order")
    out = BotSession.Outcome
    for _ in range(3):
        bot(brand, conv, "en", "track_order", out.HANDED_OVER)  # only the other brand has it
    bot(brand, conv, "es", "get_refund", out.HANDED_OVER)  # only a draft
    bot(brand, conv, "en", "get_refund", out.CONFIRMED)
    bot(brand, conv, "en", "cancel_order", out.CONFIRMED)  # covered
    bot(brand, conv, "en", "", out.HANDED_OVER)  # no intent recognised
    bot(brand, conv, "en", "newsletter", out.HANDED_OVER, days_ago=60)  # before the period
    bot(other_brand, other_conv, "en", "track_order", out.CONFIRMED)  # covered there
    rows = reports.intents_without_article([brand.pk, other_brand.pk], period())
    assert rows == [
        {"brand_id": brand.pk, "intent": "track_order", "count": 3},
        {"brand_id": brand.pk, "intent": "get_refund", "count": 2},
    ]


def test_bot_resolution_and_handover_by_language_and_intent(
    brand: Brand, other_brand: Brand
) -> None:
    conv = quick_conversation(brand)
    out = BotSession.Outcome
    for outcome in (out.CONFIRMED, out.CONFIRMED, out.NO_RETURN, out.HANDED_OVER):
        bot(brand, conv, "en", "track_order", outcome)
    for outcome in (out.HANDED_OVER, out.HANDED_OVER, out.PENDING):
        bot(brand, conv, "es", "track_order", outcome)
    bot(brand, conv, "en", "track_order", out.CONFIRMED, days_ago=90)
    bot(other_brand, quick_conversation(other_brand), "en", "track_order", out.HANDED_OVER)
    rows = {(r["language"], r["intent"]): r for r in reports.bot_outcomes([brand.pk], period())}
    en = rows[("en", "track_order")]
    assert (en["sessions"], en["confirmed"], en["no_return"], en["handed_over"]) == (4, 2, 1, 1)
    assert en["resolution_rate"] == 0.75 and en["confirmed_rate"] == 0.5
    assert en["no_return_rate"] == 0.25 and en["handover_rate"] == 0.25
    es = rows[("es", "track_order")]
    assert (es["sessions"], es["handed_over"], es["pending"]) == (3, 2, 1)
    assert es["resolution_rate"] == 0.0 and es["handover_rate"] == 0.6667
    total = reports.bot_total([brand.pk], period())
    assert total["sessions"] == 7 and total["handed_over"] == 3
    assert total["resolution_rate"] == round(3 / 7, 4)
    assert reports.bot_total([brand.pk], period(1))["sessions"] == 7
    empty = reports.bot_total([], period())
    assert empty["sessions"] == 0 and empty["handover_rate"] == 0.0


def test_reports_page_shows_the_rows(brand: Brand, make_agent: Any) -> None:
    from django.test import Client

    from wowdesk.core.models import Role

    search(brand, "Gift Card", Source.WIDGET)
    conv = quick_conversation(brand)
    bot(brand, conv, "de", "track_order", BotSession.Outcome.HANDED_OVER)
    client = Client()
    client.force_login(make_agent(Role.SUPERVISOR, brands=[brand]).user)
    html = client.get("/knowledge/reports/").content.decode()
    assert 'data-query="gift card"' in html
    assert 'data-intent="track_order"' in html and 'data-language="de"' in html
    assert "<meter" in html
