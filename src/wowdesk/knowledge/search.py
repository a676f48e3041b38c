"""Searching the knowledge base: the one entry point every surface calls (help center,
widget, agents' suggestions, the answer bot, the API).

``search_articles`` returns the best articles for a query within one brand, each in the
asker's language when that translation exists."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from wowdesk.knowledge.models import Article, ArticleStatus


@dataclass(frozen=True)
class Hit:
    article_id: int  # the row shown: the translation in the asked language when it exists
    source_id: int  # the article's source row (shared by all its translations)
    title: str
    language: str
    score: float
    snippet: str


def register() -> None:
    """Listeners of search (index updates on publish)."""


def search_articles(
    brand_id: int,
    query: str,
    *,
    language: str | None = None,
    limit: int = 10,
    include_internal: bool = False,
) -> list[Hit]:
    """The best published articles of the brand for ``query``, best first."""
    rows = Article.objects.filter(brand_id=brand_id, status=ArticleStatus.PUBLISHED)
    if not include_internal:
        rows = rows.filter(internal=False)
    words = [w for w in query.split() if len(w) > 2][:8]
    cond = Q()
    for w in words:
        cond |= Q(title__icontains=w) | Q(body__icontains=w)
    if not words:
        return []
    hits = []
    for a in rows.filter(cond)[:limit]:
        hits.append(Hit(a.pk, a.source_id, a.title, a.language, 1.0, a.body[:200]))
    return hits


def on_articles_changed(brand_id: int, article_ids: list[int]) -> None:
    """Called by the article services after a publish, unpublish, archive, edit or delete."""


def log_search(brand_id: int, query: str, language: str, source: str, hits: list[Hit]) -> None:
    """Keep one search for the reports (searches with no result, top article)."""
