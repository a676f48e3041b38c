"""The knowledge reports: what customers and agents look for and do not find, articles that
never help, intents with no article, and how the answer bot does.

Every report is one aggregated query (GROUP BY in the database) over a period and a set of
brands; nothing is loaded row by row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce, Lower, Trim

from wowdesk.knowledge.models import (
    Article,
    ArticleStatus,
    BotSession,
    SearchLog,
    SuggestionUse,
)

TOP = 20  # rows per list
MIN_VIEWS = 20  # an article needs this many views before it can "never help"


@dataclass(frozen=True)
class Period:
    start: dt.datetime
    end: dt.datetime


@dataclass
class Report:
    period: Period
    no_result: list[dict[str, Any]] = field(default_factory=list)
    searches_by_source: list[dict[str, Any]] = field(default_factory=list)
    never_help: list[dict[str, Any]] = field(default_factory=list)
    intents_without_article: list[dict[str, Any]] = field(default_factory=list)
    bot: list[dict[str, Any]] = field(default_factory=list)
    bot_total: dict[str, Any] = field(default_factory=dict)


def build(brand_ids: Collection[int], period: Period, *, top: int = TOP) -> Report:
    return Report(
        period=period,
        no_result=no_result_searches(brand_ids, period, top=top),
        searches_by_source=searches_by_source(brand_ids, period),
        never_help=articles_that_never_help(brand_ids, top=top),
        intents_without_article=intents_without_article(brand_ids, period, top=top),
        bot=bot_outcomes(brand_ids, period),
        bot_total=bot_total(brand_ids, period),
    )


def _searches(brand_ids: Collection[int], period: Period) -> Any:
    return SearchLog.objects.filter(
        brand_id__in=list(brand_ids), created_at__gte=period.start, created_at__lt=period.end
    )


def no_result_searches(
    brand_ids: Collection[int], period: Period, *, top: int = TOP
) -> list[dict[str, Any]]:
    """The most frequent searches that found nothing, per source, by normalised query
    (lower case, trimmed)."""
    rows = (
        _searches(brand_ids, period)
        .filter(results=0)
        .annotate(normalised=Lower(Trim("query")))
        .values("source", "normalised")
        .annotate(count=Count("id"))
        .order_by("-count", "normalised", "source")[:top]
    )
    return [{"query": r["normalised"], "source": r["source"], "count": r["count"]} for r in rows]


def searches_by_source(brand_ids: Collection[int], period: Period) -> list[dict[str, Any]]:
    rows = (
        _searches(brand_ids, period)
        .values("source")
        .annotate(searches=Count("id"), no_result=Count("id", filter=Q(results=0)))
        .order_by("source")
    )
    return [
        {
            "source": r["source"],
            "searches": r["searches"],
            "no_result": r["no_result"],
            "no_result_rate": _rate(r["no_result"], r["searches"]),
        }
        for r in rows
    ]


def articles_that_never_help(
    brand_ids: Collection[int], *, min_views: int = MIN_VIEWS, top: int = TOP
) -> list[dict[str, Any]]:
    """Published articles read at least ``min_views`` times that readers say do not help
    (at least one "no", and as many "no" as "yes" answers), or that never helped anyone
    (no "yes" and no agent marked them as solving a conversation). Counters since the
    article was written."""
    solved = (
        SuggestionUse.objects.filter(article=OuterRef("pk"), action=SuggestionUse.Action.SOLVED)
        .order_by()
        .values("article")
        .annotate(n=Count("id"))
        .values("n")
    )
    rows = (
        Article.objects.filter(
            brand_id__in=list(brand_ids),
            status=ArticleStatus.PUBLISHED,
            view_count__gte=min_views,
        )
        .annotate(solved=Coalesce(Subquery(solved, output_field=IntegerField()), Value(0)))
        .filter(Q(helpful_no__gt=0, helpful_no__gte=F("helpful_yes")) | Q(helpful_yes=0, solved=0))
        .order_by("-view_count", "id")
        .values(
            "id",
            "brand_id",
            "title",
            "language",
            "view_count",
            "helpful_yes",
            "helpful_no",
            "solved",
        )[:top]
    )
    return [dict(r) for r in rows]


def intents_without_article(
    brand_ids: Collection[int], period: Period, *, top: int = TOP
) -> list[dict[str, Any]]:
    """The intents the answer bot recognised in the period for which the brand has no
    published article with that intent, most frequent first."""
    covered = Article.objects.filter(
        brand_id=OuterRef("brand_id"), intent=OuterRef("intent"), status=ArticleStatus.PUBLISHED
    )
    rows = (
        BotSession.objects.filter(
            brand_id__in=list(brand_ids),
            started_at__gte=period.start,
            started_at__lt=period.end,
        )
        .exclude(intent="")
        .filter(~Exists(covered))
        .values("brand_id", "intent")
        .annotate(count=Count("id"))
        .order_by("-count", "intent")[:top]
    )
    return [dict(r) for r in rows]


_OUTCOMES = {
    "confirmed": BotSession.Outcome.CONFIRMED,
    "no_return": BotSession.Outcome.NO_RETURN,
    "handed_over": BotSession.Outcome.HANDED_OVER,
    "pending": BotSession.Outcome.PENDING,
}


def _bot_rows(brand_ids: Collection[int], period: Period) -> Any:
    return BotSession.objects.filter(
        brand_id__in=list(brand_ids), started_at__gte=period.start, started_at__lt=period.end
    )


def _outcome_counts() -> dict[str, Any]:
    return {
        "sessions": Count("id"),
        **{name: Count("id", filter=Q(outcome=value)) for name, value in _OUTCOMES.items()},
    }


def _with_rates(row: dict[str, Any]) -> dict[str, Any]:
    total = row["sessions"]
    row["resolution_rate"] = _rate(row["confirmed"] + row["no_return"], total)
    row["confirmed_rate"] = _rate(row["confirmed"], total)
    row["no_return_rate"] = _rate(row["no_return"], total)
    row["handover_rate"] = _rate(row["handed_over"], total)
    return row


def bot_outcomes(brand_ids: Collection[int], period: Period) -> list[dict[str, Any]]:
    """The answer bot's sessions by language and intent: resolved (confirmed and no-return
    apart) and handed over, with their rates among all sessions."""
    rows = (
        _bot_rows(brand_ids, period)
        .values("language", "intent")
        .annotate(**_outcome_counts())
        .order_by("-sessions", "language", "intent")
    )
    return [_with_rates(dict(r)) for r in rows]


def bot_total(brand_ids: Collection[int], period: Period) -> dict[str, Any]:
    return _with_rates(dict(_bot_rows(brand_ids, period).aggregate(**_outcome_counts())))


def _rate(part: int, total: int) -> float:
    return round(part / total, 4) if total else 0.0
