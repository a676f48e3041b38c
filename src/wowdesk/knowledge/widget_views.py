"""The chat widget's article suggestions: ``GET /chat/<token>/kb/suggest?q=&lang=``.

The widget names its inbox by the public widget token, as for its config; the inbox's
allowed domains apply. Up to 3 published public articles of the inbox's brand, in the
visitor's language when translated, each ``{"title", "url", "snippet"}``; the search is
logged with source ``widget``."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import require_GET

from wowdesk.channels.chat import services as chat
from wowdesk.core import ratelimit
from wowdesk.core.errors import Forbidden, InvalidInput, NotFound, ServiceError
from wowdesk.core.input import check_query
from wowdesk.core.ratelimit import RateLimited
from wowdesk.knowledge import help_queries as q
from wowdesk.knowledge import search
from wowdesk.knowledge.help_views import article_url
from wowdesk.knowledge.models import Source
from wowdesk.web.services import client_ip

MIN_CHARS = 3
MAX_QUERY = 200
SUGGESTIONS = 3
# Suggestion look-ups per client address: 30 in 10 s (the widget waits for a pause in typing).
SUGGEST_RATE = ratelimit.Rate(30, 10.0)


def _answer(body: dict[str, object], status: int, origin: str | None) -> HttpResponse:
    response = JsonResponse(body, status=status)
    response["Access-Control-Allow-Origin"] = origin or "*"
    response["Vary"] = "Origin"
    response["Cache-Control"] = "no-store"
    return response


def _error(exc: ServiceError, status: int, origin: str | None) -> HttpResponse:
    response = _answer(
        {"detail": exc.message, "field": exc.field or "", "code": exc.code}, status, origin
    )
    if isinstance(exc, RateLimited):
        response["Retry-After"] = str(exc.retry_after)
    return response


@require_GET
def suggest(request: HttpRequest, ref: str) -> HttpResponse:
    origin = request.headers.get("Origin")
    try:
        inbox = chat.find_inbox(ref)
        chat.check_origin(inbox, origin, request.get_host())
        text = check_query(request.GET.get("q", "").strip(), "q", max_length=MAX_QUERY)
        lang = check_query(request.GET.get("lang", "").strip(), "lang", max_length=35)
        ratelimit.check(f"kb-suggest:{client_ip(request)}", SUGGEST_RATE)
    except NotFound as exc:
        return _error(exc, 404, None)
    except Forbidden as exc:
        return _error(exc, 403, None)
    except RateLimited as exc:
        return _error(exc, 429, origin)
    except InvalidInput as exc:
        return _error(exc, 400, origin)
    if len(text) < MIN_CHARS:
        return _answer({"items": []}, 200, origin)
    site = q.site_for_brand(inbox.brand)
    language = q.match_language(lang, site.languages) if site is not None else None
    items: list[dict[str, str]] = []
    shown: list[search.Hit] = []
    if site is not None:
        hits = search.relevant(
            search.search_articles(inbox.brand_id, text, language=language, limit=SUGGESTIONS)
        )
        rows = {
            r.pk: r
            for r in q.public_articles()
            .filter(brand_id=inbox.brand_id, pk__in=[h.article_id for h in hits])
            .only("id", "slug", "title", "language", "translation_of")
        }
        shown = [h for h in hits if h.article_id in rows][:SUGGESTIONS]
        items = [
            {
                "title": h.title,
                "url": request.build_absolute_uri(article_url(site.brand.slug, rows[h.article_id])),
                "snippet": h.snippet[:200],
            }
            for h in shown
        ]
    search.log_search(inbox.brand_id, text, language or lang, Source.WIDGET, shown)
    return _answer({"items": items}, 200, origin)
