"""API: knowledge (search). ``GET /api/v1/kb/search?q=&language=&limit=``."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema

from wowdesk.core import permissions
from wowdesk.core.api import me
from wowdesk.core.errors import InvalidInput
from wowdesk.core.models import Brand
from wowdesk.core.schemas import ERRORS
from wowdesk.knowledge import search
from wowdesk.knowledge.models import Article, Source

router = Router(tags=["knowledge"])

MAX_LIMIT = 50


class SearchItem(Schema):
    id: int
    title: str
    language: str
    score: float
    snippet: str
    url: str


class SearchOut(Schema):
    items: list[SearchItem]


def article_url(brand_slug: str, article: Article) -> str:
    """The help-center page of a public article; the editor of an internal one."""
    if article.internal:
        return f"/knowledge/articles/{article.pk}/"
    from wowdesk.knowledge.help_views import article_url as help_article_url

    return help_article_url(brand_slug, article)


@router.get("/kb/search", response={200: SearchOut, **ERRORS})
def search_kb(
    request: HttpRequest,
    q: str = "",
    language: str | None = None,
    limit: int = 10,
    brand_id: int | None = None,
) -> SearchOut:
    """Hybrid search of the brand's published articles (internal ones included: every agent
    of the brand reads them), each in ``language`` when that translation exists."""
    if not q.strip():
        raise InvalidInput(_("Say what to search for."), field="q")
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput(
            _("The limit is a number from 1 to %(max)d.") % {"max": MAX_LIMIT}, field="limit"
        )
    if language is not None and len(language) > 16:
        raise InvalidInput(_("Not a language code."), field="language")
    brand = permissions.pick_brand(me(request), brand_id)
    hits = search.search_articles(
        brand, q, language=language or None, limit=limit, include_internal=True
    )
    search.log_search(brand, q, language or "", Source.API, hits)
    slug = Brand.objects.filter(pk=brand).values_list("slug", flat=True).first() or ""
    rows = Article.objects.in_bulk([h.article_id for h in hits])
    items = []
    for h in hits:
        row = rows.get(h.article_id)
        if row is None:  # removed since the index was read
            continue
        items.append(
            SearchItem(
                id=h.article_id,
                title=h.title,
                language=h.language,
                score=h.score,
                snippet=search.highlight(h.snippet, q),
                url=article_url(slug, row),
            )
        )
    return SearchOut(items=items)
