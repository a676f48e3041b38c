"""The public help center's pages (``/help/…``): server-rendered, no JavaScript needed.

Thin views: reading is ``help_queries``, every write ``help_services``; search is
``knowledge.search``. The visit's searches and articles read are kept in the session
(``help_trail``) for the "Contact us" form."""

from __future__ import annotations

from typing import Any
from xml.sax.saxutils import escape, quoteattr

from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation.trans_real import parse_accept_lang_header
from django.views.decorators.http import require_http_methods, require_safe

from wowdesk.core.errors import InvalidInput
from wowdesk.core.input import check_query
from wowdesk.core.ratelimit import RateLimited
from wowdesk.knowledge import help_queries as q
from wowdesk.knowledge import help_services, help_texts, search
from wowdesk.knowledge.models import Article, Source
from wowdesk.knowledge.templatetags.help_i18n import localise
from wowdesk.web.services import client_ip

TRAIL = "help_trail"
MAX_TRAIL = 10
MAX_QUERY = 200
PUBLIC_CACHE = "public, max-age=300"


def article_slug(row: Article) -> str:
    return row.slug or slugify(row.title, allow_unicode=True)[:120] or "article"


def article_url(slug: str, row: Article) -> str:
    return reverse(
        "help:article",
        kwargs={
            "slug": slug,
            "lang": q.norm(row.language),
            "article_id": row.pk,
            "article_slug": article_slug(row),
        },
    )


def _site_lang(slug: str, lang: str) -> tuple[q.Site, str]:
    site = q.site_for(slug)
    found = next((code for code in site.languages if code == q.norm(lang)), None)
    if found is None:
        raise Http404("this help center has no such language")
    return site, found


def _page(
    request: HttpRequest,
    template: str,
    site: q.Site,
    lang: str,
    context: dict[str, Any],
    *,
    status: int = 200,
    alternates: dict[str, str] | None = None,
) -> HttpResponse:
    """Render a page in the reader's language: the interface's texts, ``lang`` and
    ``dir``, the language picker (to the same page in each language when it exists)."""
    alternates = alternates or {}
    picker = [
        {
            "code": code,
            "name": _language_name(code),
            "url": alternates.get(code)
            or reverse("help:home", kwargs={"slug": site.brand.slug, "lang": code}),
            "current": code == lang,
        }
        for code in site.languages
    ]
    with translation.override(q.ui_language(lang)):
        response = render(
            request,
            f"knowledge/help/{template}",
            {
                "site": site,
                "lang": lang,
                "dir": "rtl" if q.is_rtl(lang) else "ltr",
                "picker": picker,
                "home_url": reverse("help:home", kwargs={"slug": site.brand.slug, "lang": lang}),
                "search_url": reverse(
                    "help:search", kwargs={"slug": site.brand.slug, "lang": lang}
                ),
                "contact_url": reverse("help:contact", kwargs={"slug": site.brand.slug})
                + f"?lang={lang}",
                "theme_url": reverse("help:theme", kwargs={"slug": site.brand.slug}),
                **context,
            },
            status=status,
        )
    response["Content-Language"] = lang
    return response


# Codes Django's language table knows only by a longer name ("zh" is written "zh-hans").
_LANGUAGE_ALIASES = {"zh": "zh-hans"}


def _language_name(code: str) -> str:
    for candidate in (code, _LANGUAGE_ALIASES.get(code, ""), code.split("-")[0]):
        try:
            return str(translation.get_language_info(candidate)["name_local"])
        except KeyError:
            continue
    return code


# --- entry points ---------------------------------------------------------------------------


@require_safe
def index(request: HttpRequest) -> HttpResponse:
    """``/help/``: the default brand's help center."""
    slug = q.default_site_slug()
    if slug is None:
        raise Http404("no help center")
    return HttpResponseRedirect(reverse("help:brand", kwargs={"slug": slug}))


@require_safe
def brand(request: HttpRequest, slug: str) -> HttpResponse:
    """``/help/<slug>/``: to the reader's browser language among the help center's, else
    the brand's default language."""
    site = q.site_for(slug)
    lang = site.default_language
    for asked, _weight in parse_accept_lang_header(request.headers.get("Accept-Language", "")):
        found = q.match_language(asked, site.languages)
        if found:
            lang = found
            break
    response = HttpResponseRedirect(reverse("help:home", kwargs={"slug": slug, "lang": lang}))
    response["Vary"] = "Accept-Language"
    return response


@require_safe
def theme(request: HttpRequest, slug: str) -> HttpResponse:
    """The brand's colour as CSS custom properties (the pages carry no inline style)."""
    site = q.site_for(slug)
    css = f":root{{--hc-accent:{site.colour};--hc-on-accent:{_text_on(site.colour)}}}\n"
    response = HttpResponse(css, content_type="text/css; charset=utf-8")
    response["Cache-Control"] = PUBLIC_CACHE
    return response


@require_safe
def logo(request: HttpRequest, slug: str) -> HttpResponseBase:
    """The brand's logo (PNG, JPEG, GIF or WebP only), never sniffed into another type."""
    hc = q.logo_of(slug)
    try:
        handle = hc.logo.open("rb")
    except OSError as exc:
        raise Http404("no logo") from exc
    response = FileResponse(handle, content_type=q.logo_type(hc.logo.name))
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "public, max-age=86400"
    return response


def _text_on(colour: str) -> str:
    """Black or white, whichever reads better on the colour (relative luminance)."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    luminance = 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]
    return "#000000" if (luminance + 0.05) / 0.05 > 1.05 / (luminance + 0.05) else "#ffffff"


# --- pages ----------------------------------------------------------------------------------


@require_safe
def home(request: HttpRequest, slug: str, lang: str) -> HttpResponse:
    site, lang = _site_lang(slug, lang)
    popular = [(row, article_url(slug, row)) for row in q.popular(site, lang)]
    response = _page(
        request,
        "home.html",
        site,
        lang,
        {"categories": q.categories(site, lang), "popular": popular},
        alternates={
            code: reverse("help:home", kwargs={"slug": slug, "lang": code})
            for code in site.languages
        },
    )
    response["Cache-Control"] = PUBLIC_CACHE
    return response


@require_safe
def category(request: HttpRequest, slug: str, lang: str, category_slug: str) -> HttpResponse:
    site, lang = _site_lang(slug, lang)
    top = next((n for n in q.categories(site, lang) if n.category.slug == category_slug), None)
    if top is None:
        raise Http404("no such category")
    groups = [top, *top.sections]
    by_id = {n.category.pk: n for n in groups}
    rows = q.best_rows(q.in_categories(site, list(by_id)), site, lang)
    for row in rows:
        node = by_id.get(q.filed_under(row) or 0)
        if node is not None:
            node.articles.append((row, article_url(slug, row)))
    response = _page(
        request,
        "category.html",
        site,
        lang,
        {"node": top, "groups": [n for n in groups if n.articles]},
        alternates={
            code: reverse(
                "help:category",
                kwargs={"slug": slug, "lang": code, "category_slug": category_slug},
            )
            for code in site.languages
        },
    )
    response["Cache-Control"] = PUBLIC_CACHE
    return response


@require_http_methods(["GET", "POST", "HEAD"])
def article(
    request: HttpRequest, slug: str, lang: str, article_id: int, article_slug: str = ""
) -> HttpResponse:
    """An article; POST is its "Did this help?" form (then back to the page)."""
    site = q.site_for(slug)
    row = q.article(site, article_id)
    canonical = article_url(slug, row)
    if request.method == "POST":
        return _feedback(request, site, row, canonical)
    if q.norm(lang) != q.norm(row.language) or article_slug != article_slug_of(row):
        target = canonical
        if q.norm(lang) != q.norm(row.language):
            # the same article in the asked language, when it has that translation
            other = next(
                (t for t in q.translations(row) if q.norm(t.language) == q.norm(lang)), None
            )
            if other is not None:
                target = article_url(slug, other)
        return HttpResponseRedirect(target)
    lang = q.norm(row.language)
    if lang not in site.languages:
        site.languages.append(lang)
    voted = request.GET.get("voted", "")
    if not voted and request.method == "GET":
        help_services.record_view(row.pk)
        _remember(
            request,
            site,
            "a",
            {"id": row.pk, "title": row.title, "url": request.build_absolute_uri(canonical)},
        )
    alternates = {q.norm(t.language): article_url(slug, t) for t in q.translations(row)}
    crumbs = []
    cat = row.category or (row.translation_of.category if row.translation_of else None)
    section = None
    if cat is not None and cat.parent_id is not None:
        section, cat = cat, cat.parent
    for c in (cat, section):
        if c is not None:
            crumbs.append(
                {
                    "name": q.name_in(c.names, lang, site) or c.slug,
                    "url": reverse(
                        "help:category",
                        kwargs={
                            "slug": slug,
                            "lang": lang,
                            "category_slug": (cat.slug if cat is not None else c.slug),
                        },
                    )
                    + ("" if c is cat else f"#s-{c.slug}"),
                }
            )
    related: list[tuple[Article, str]] = []
    home_of = section or cat
    if home_of is not None:
        rows = q.best_rows(q.first_articles(site, [home_of.pk], 6), site, lang)
        related = [(r, article_url(slug, r)) for r in rows if r.source_id != row.source_id][:5]
    return _page(
        request,
        "article.html",
        site,
        lang,
        {
            "article": row,
            "canonical": request.build_absolute_uri(canonical),
            "hreflang": {
                code: request.build_absolute_uri(url) for code, url in sorted(alternates.items())
            },
            "crumbs": crumbs,
            "related": related,
            "voted": voted in ("yes", "no"),
            "action": canonical,
        },
        alternates=alternates,
    )


def article_slug_of(row: Article) -> str:
    return article_slug(row)


def _feedback(request: HttpRequest, site: q.Site, row: Article, canonical: str) -> HttpResponse:
    answer = request.POST.get("helpful", "")
    lang = q.norm(row.language)
    if answer not in ("yes", "no"):
        with translation.override(q.ui_language(lang)):
            return _article_error(
                request, site, row, localise(_("Choose yes or no."), lang), "helpful"
            )
    voted = request.session.get("help_voted", [])
    if row.pk not in voted:
        try:
            with translation.override(q.ui_language(lang)):
                help_services.record_feedback(
                    row.pk,
                    helpful=answer == "yes",
                    comment=request.POST.get("comment", ""),
                    source=Source.HELP_CENTER,
                )
        except InvalidInput as exc:
            return _article_error(
                request, site, row, localise(exc.message, lang), exc.field or "comment"
            )
        request.session["help_voted"] = [*voted, row.pk][-200:]
    return HttpResponseRedirect(f"{canonical}?voted={answer}#feedback")


def _article_error(
    request: HttpRequest, site: q.Site, row: Article, message: str, field: str
) -> HttpResponse:
    lang = q.norm(row.language)
    canonical = article_url(site.brand.slug, row)
    return _page(
        request,
        "article.html",
        site,
        lang,
        {
            "article": row,
            "canonical": request.build_absolute_uri(canonical),
            "hreflang": {},
            "crumbs": [],
            "related": [],
            "voted": False,
            "action": canonical,
            "error": {"field": field, "message": message},
            "comment": request.POST.get("comment", "")[: help_services.MAX_COMMENT],
        },
        status=400,
    )


@require_safe
def search_page(request: HttpRequest, slug: str, lang: str) -> HttpResponse:
    site, lang = _site_lang(slug, lang)
    text = request.GET.get("q", "").strip()
    error = None
    results: list[dict[str, Any]] = []
    count_text = ""
    status = 200
    try:
        with translation.override(q.ui_language(lang)):
            check_query(text, "q", max_length=MAX_QUERY)
    except InvalidInput as exc:
        error, status, text = localise(exc.message, lang), 400, text[:MAX_QUERY]
    if text and error is None:
        hits = search.relevant(search.search_articles(site.brand.pk, text, language=lang, limit=20))
        rows = {
            r.pk: r
            for r in q.public_articles()
            .filter(brand=site.brand, pk__in=[h.article_id for h in hits])
            .only("id", "slug", "title", "language", "translation_of")
        }
        shown = [h for h in hits if h.article_id in rows]
        search.log_search(site.brand.pk, text, lang, Source.HELP_CENTER, shown)
        results = [
            {
                "title": h.title,
                "snippet": h.snippet,
                "language": h.language,
                "url": article_url(slug, rows[h.article_id]),
            }
            for h in shown
        ]
        _remember(request, site, "s", text)
        if help_texts.in_table(lang):
            count_text = help_texts.text("Results for “%(q)s”: %(n)s", lang) % {
                "q": text,
                "n": len(results),
            }
    return _page(
        request,
        "search.html",
        site,
        lang,
        {"q": text, "results": results, "error": error, "count_text": count_text},
        status=status,
        alternates={
            code: reverse("help:search", kwargs={"slug": slug, "lang": code})
            + (f"?q={_quote(text)}" if text else "")
            for code in site.languages
        },
    )


def _quote(text: str) -> str:
    from urllib.parse import quote_plus

    return quote_plus(text)


@require_http_methods(["GET", "POST", "HEAD"])
def contact(request: HttpRequest, slug: str) -> HttpResponse:
    """ "Contact us": name, email, message; opens a conversation with the visit's trail."""
    site = q.site_for(slug)
    lang = q.match_language(request.GET.get("lang", ""), site.languages) or site.default_language
    trail = _trail(request, site)
    context: dict[str, Any] = {"trail": trail, "sent": request.GET.get("sent") == "1"}
    if request.method != "POST":
        return _page(request, "contact.html", site, lang, context)
    values = {k: request.POST.get(k, "") for k in ("name", "email", "message")}
    with translation.override(q.ui_language(lang)):
        try:
            help_services.check_contact_rate(site.brand.pk, client_ip(request))
            help_services.contact(
                site.brand.pk,
                name=values["name"],
                email=values["email"],
                message=values["message"],
                language=lang,
                trail=trail,
            )
        except RateLimited as exc:
            response = _page(
                request,
                "contact.html",
                site,
                lang,
                {
                    **context,
                    "values": values,
                    "error": {"field": "", "message": localise(exc.message, lang)},
                },
                status=429,
            )
            response["Retry-After"] = str(exc.retry_after)
            return response
        except InvalidInput as exc:
            return _page(
                request,
                "contact.html",
                site,
                lang,
                {
                    **context,
                    "values": values,
                    "error": {"field": exc.field or "", "message": localise(exc.message, lang)},
                },
                status=400 if exc.status == 422 else exc.status,
            )
    _forget_trail(request, site)
    return HttpResponseRedirect(
        reverse("help:contact", kwargs={"slug": slug}) + f"?lang={lang}&sent=1"
    )


@require_safe
def sitemap(request: HttpRequest, slug: str) -> HttpResponse:
    """Every public article in every language, with its translations as alternates."""
    site = q.site_for(slug)
    rows = q.sitemap_rows(site)
    groups: dict[int, list[Article]] = {}
    for row in rows:
        groups.setdefault(row.source_id, []).append(row)
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        'xmlns:xhtml="http://www.w3.org/1999/xhtml">',
    ]
    for code in site.languages:
        out.append(
            "<url><loc>"
            + escape(
                request.build_absolute_uri(
                    reverse("help:home", kwargs={"slug": slug, "lang": code})
                )
            )
            + "</loc></url>"
        )
    for row in rows:
        out.append("<url><loc>" + escape(request.build_absolute_uri(article_url(slug, row))))
        out[-1] += "</loc><lastmod>" + row.updated_at.date().isoformat() + "</lastmod>"
        for other in groups[row.source_id]:
            href = request.build_absolute_uri(article_url(slug, other))
            out.append(
                f'<xhtml:link rel="alternate" hreflang={quoteattr(q.norm(other.language))} '
                f"href={quoteattr(href)}/>"
            )
        out.append("</url>")
    out.append("</urlset>")
    response = HttpResponse("\n".join(out), content_type="application/xml; charset=utf-8")
    response["Cache-Control"] = PUBLIC_CACHE
    return response


# --- the visit's trail ----------------------------------------------------------------------


def _remember(request: HttpRequest, site: q.Site, kind: str, value: Any) -> None:
    trails = request.session.get(TRAIL) or {}
    mine = trails.get(str(site.brand.pk)) or {"s": [], "a": []}
    items = [v for v in mine.get(kind, []) if v != value]
    if kind == "a":
        items = [v for v in items if not (isinstance(v, dict) and v.get("id") == value["id"])]
    mine[kind] = [*items, value][-MAX_TRAIL:]
    trails[str(site.brand.pk)] = mine
    request.session[TRAIL] = trails


def _trail(request: HttpRequest, site: q.Site) -> help_services.Trail:
    mine = (request.session.get(TRAIL) or {}).get(str(site.brand.pk)) or {}
    searches = [s for s in mine.get("s", []) if isinstance(s, str)]
    articles = [
        a for a in mine.get("a", []) if isinstance(a, dict) and {"id", "title", "url"} <= set(a)
    ]
    return help_services.Trail(searches=searches, articles=articles)


def _forget_trail(request: HttpRequest, site: q.Site) -> None:
    trails = request.session.get(TRAIL) or {}
    if trails.pop(str(site.brand.pk), None) is not None:
        request.session[TRAIL] = trails
