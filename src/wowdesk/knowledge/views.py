"""The knowledge base's pages under ``/knowledge/``: the article list, the editor with its
preview, versions and translations, categories and the help center's settings. Thin: who
may see what is ``core.permissions``; every write is ``knowledge.services``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages as flash
from django.db import transaction
from django.db.models import Count
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wowdesk.core import permissions
from wowdesk.core.errors import InvalidInput, ServiceError
from wowdesk.core.models import Agent, Brand, Role
from wowdesk.knowledge import services
from wowdesk.knowledge.models import Article, ArticleAttachment, ArticleStatus, Category
from wowdesk.web.auth import agent_required, current_agent
from wowdesk.web.settings_nav import sections_for

PAGE_SIZE = 50


def _me(request: HttpRequest) -> Agent:
    agent: Agent = request.agent  # type: ignore[attr-defined]
    return agent


def _status(exc: ServiceError) -> int:
    return 400 if exc.status == 422 else exc.status


def _render(
    request: HttpRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    context = {
        "settings_sections": sections_for(_me(request)),
        "settings_section": "knowledge",
        "is_manager": bool(permissions.knowledge_manager_brands(_me(request))),
        **context,
    }
    return render(request, template, context, status=status)


def _brands(request: HttpRequest) -> list[Brand]:
    return list(Brand.objects.filter(pk__in=permissions.visible_brand_ids(_me(request))))


def _article(request: HttpRequest, pk: int) -> Article:
    """The article if it belongs to one of the agent's brands; 404 otherwise."""
    found = (
        Article.objects.select_related("translation_of", "category", "author__user")
        .filter(pk=pk, brand_id__in=permissions.visible_brand_ids(_me(request)))
        .first()
    )
    if found is None:
        raise Http404
    return found


def _categories(brand_id: int) -> list[tuple[int, str]]:
    rows = Category.objects.filter(brand_id=brand_id).select_related("parent")
    out = []
    for c in rows.order_by("parent_id", "position", "id"):
        label = services.category_name(c)
        if c.parent is not None:
            label = f"{services.category_name(c.parent)} › {label}"
        out.append((c.pk, label))
    return sorted(out, key=lambda x: x[1])


def _tags(text: str) -> list[str]:
    return [w.strip() for w in text.split(",") if w.strip()]


# --- the list -----------------------------------------------------------------------------


@agent_required()
def articles(request: HttpRequest) -> HttpResponse:
    """Every article of the agent's brands (each language row), with filters and counts."""
    agent = _me(request)
    base = Article.objects.filter(brand_id__in=permissions.visible_brand_ids(agent))
    f = {k: request.GET.get(k, "").strip() for k in ("status", "language", "category", "q")}
    error = ""
    try:
        rows = services.filter_articles(base, **f)
    except ServiceError as exc:
        rows, error = base.none(), exc.message
    counts = dict(base.values_list("status").annotate(n=Count("id")).values_list("status", "n"))
    try:
        page = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        page = 1
    total = rows.count()
    start = (page - 1) * PAGE_SIZE
    items = list(
        rows.select_related("category", "author__user", "brand").order_by("-updated_at", "-id")[
            start : start + PAGE_SIZE
        ]
    )
    for item in items:
        item.category_label = services.category_name(item.category) if item.category else ""  # type: ignore[attr-defined]
    languages = sorted(set(base.values_list("language", flat=True).distinct()))
    cats = Category.objects.filter(brand_id__in=permissions.visible_brand_ids(agent))
    # One entry per slug: the filter matches the slug in every brand you work for.
    by_slug = {c.slug: services.category_name(c) for c in cats.order_by("-brand_id", "-id")}
    return _render(
        request,
        "knowledge/articles.html",
        {
            "items": items,
            "total": total,
            "page": page,
            "has_next": start + PAGE_SIZE < total,
            "filters": f,
            "error": error,
            "states": ArticleStatus.choices,
            "counts": [(v, label, counts.get(v, 0)) for v, label in ArticleStatus.choices],
            "languages": languages,
            "categories": sorted(by_slug.items(), key=lambda kv: kv[1]),
        },
    )


# --- the editor ---------------------------------------------------------------------------


def _editor(
    request: HttpRequest,
    article: Article | None,
    data: dict[str, Any],
    *,
    error: ServiceError | None = None,
    preview: bool = False,
    status: int = 200,
) -> HttpResponse:
    agent = _me(request)
    brand_id = article.brand_id if article else int(data.get("brand") or 0)
    ctx: dict[str, Any] = {
        "article": article,
        "data": data,
        "error": error,
        "preview": services.render_markdown(data.get("body", "")) if preview else None,
        "brands": _brands(request),
        "categories": _categories(brand_id) if brand_id else [],
        "statuses": ArticleStatus.choices,
    }
    if article is not None:
        ctx["allowed"] = [
            (s, ArticleStatus(s).label) for s in services.allowed_statuses(agent, article)
        ]
        ctx["may_edit"] = services.may_edit(agent, article)
        ctx["may_delete"] = permissions.may_manage_knowledge(agent, article.brand_id)
        ctx["attachments"] = [
            (a, services.attachment_url(a)) for a in article.attachments.order_by("id")
        ]
        root = article.translation_of or article
        ctx["root"] = root
        ctx["translations"] = services.translations_status(root)
        ctx["out_of_date"] = (
            article.translation_of is not None
            and (article.source_version or 0) < article.translation_of.version
        )
    else:
        ctx["may_edit"] = True
        states = [ArticleStatus.IN_REVIEW]
        if brand_id and permissions.may_manage_knowledge(agent, brand_id):
            states.append(ArticleStatus.PUBLISHED)
        ctx["allowed"] = [(s, ArticleStatus(s).label) for s in states]
        ctx["is_translation"] = bool(data.get("translation_of"))
    return _render(request, "knowledge/editor.html", ctx, status=status)


@agent_required()
def new_article(request: HttpRequest) -> HttpResponse:
    """A new article; ``?translation_of=ID&language=es`` opens a translation prefilled from
    the source."""
    agent = _me(request)
    if request.method != "POST":
        data: dict[str, Any] = {
            "brand": request.GET.get("brand") or request.agent_brand_id,  # type: ignore[attr-defined]
            "language": "",
            "title": "",
            "body": "",
        }
        src_id = request.GET.get("translation_of", "")
        if src_id.isdigit():
            src = _article(request, int(src_id))
            data.update(
                brand=src.brand_id,
                translation_of=src.pk,
                language=request.GET.get("language", "")[:16],
                title=src.title,
                body=src.body,
                category=src.category_id or "",
                tags=", ".join(src.tags or []),
            )
        else:
            brand = Brand.objects.filter(pk=int(data["brand"] or 0)).first()
            data["language"] = brand.default_language if brand else ""
        return _editor(request, None, data)
    data = {k: request.POST.get(k, "") for k in request.POST}
    if request.POST.get("action") == "preview":
        return _editor(request, None, data, preview=True)
    try:
        brand_id = permissions.pick_brand(
            agent, int(data["brand"]) if data.get("brand", "").isdigit() else None
        )
        src_pk = int(data["translation_of"]) if data.get("translation_of", "").isdigit() else None
        with transaction.atomic():
            article = services.do_create_article(
                brand_id=brand_id,
                actor=agent,
                title=data.get("title", ""),
                body=data.get("body", ""),
                language=data.get("language", ""),
                category=data.get("category") or None,
                status=data.get("status") or ArticleStatus.DRAFT,
                internal=bool(data.get("internal")),
                translation_of=src_pk,
                tags=_tags(data.get("tags", "")),
                note=data.get("note", ""),
            )
    except ServiceError as exc:
        return _editor(request, None, data, error=exc, status=_status(exc))
    flash.success(request, _("Article saved."))
    return redirect("knowledge:article", article.pk)


@agent_required()
def article_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The editor of one article: save (a new version), preview, change its state."""
    agent = _me(request)
    article = _article(request, pk)
    data: dict[str, Any]
    if request.method != "POST":
        data = {
            "title": article.title,
            "body": article.body,
            "language": article.language,
            "category": article.category_id or "",
            "tags": ", ".join(article.tags or []),
            "internal": article.internal,
            "brand": article.brand_id,
        }
        return _editor(request, article, data)
    data = {k: request.POST.get(k, "") for k in request.POST}
    data.setdefault("brand", article.brand_id)
    data["internal"] = bool(request.POST.get("internal"))
    if request.POST.get("action") == "preview":
        return _editor(request, article, data, preview=True)
    target = request.POST.get("status", "")
    try:
        with transaction.atomic():
            if "title" in request.POST:
                changes: dict[str, Any] = {
                    "title": data.get("title", ""),
                    "body": data.get("body", ""),
                    "category": data.get("category") or None,
                    "tags": _tags(data.get("tags", "")),
                }
                if article.translation_of_id is None:
                    changes["internal"] = data["internal"]
                services.do_update_article(
                    article, actor=agent, note=data.get("note", ""), **changes
                )
            if target:
                services.do_set_status(article, target, actor=agent)
    except ServiceError as exc:
        article.refresh_from_db()
        return _editor(request, article, data, error=exc, status=_status(exc))
    flash.success(request, _("Article saved."))
    return redirect("knowledge:article", article.pk)


@require_POST
@agent_required()
def preview(request: HttpRequest) -> HttpResponse:
    """The body's Markdown rendered and sanitised (the editor's live preview)."""
    html = services.render_markdown(request.POST.get("body", "")[: services.MAX_BODY])
    return HttpResponse(html, content_type="text/html; charset=utf-8")


def _run_on_article(
    request: HttpRequest, article: Article, action: Callable[[], object]
) -> HttpResponse | None:
    """Run a service action on ``article`` in one transaction. A refusal shows the editor
    again with the reason (its status code); None when the action went through."""
    try:
        with transaction.atomic():
            action()
    except ServiceError as exc:
        return _editor(
            request,
            article,
            {"title": article.title, "body": article.body},
            error=exc,
            status=_status(exc),
        )
    return None


@require_POST
@agent_required()
def mark_up_to_date(request: HttpRequest, pk: int) -> HttpResponse:
    article = _article(request, pk)
    refused = _run_on_article(
        request, article, lambda: services.do_mark_up_to_date(article, actor=_me(request))
    )
    if refused is not None:
        return refused
    flash.success(request, _("Marked as up to date with the source."))
    back = request.POST.get("back", "")
    if back.isdigit() and int(back) == article.translation_of_id:
        return redirect("knowledge:article", int(back))  # from the source's panel
    return redirect("knowledge:article", article.pk)


@require_POST
@agent_required()
def delete_article(request: HttpRequest, pk: int) -> HttpResponse:
    article = _article(request, pk)
    refused = _run_on_article(
        request, article, lambda: services.do_delete_article(article, actor=_me(request))
    )
    if refused is not None:
        return refused
    flash.success(request, _("Article deleted."))
    return redirect("knowledge:articles")


@require_POST
@agent_required()
def add_attachment(request: HttpRequest, pk: int) -> HttpResponse:
    article = _article(request, pk)
    upload = request.FILES.get("file")
    try:
        if upload is None:
            raise InvalidInput(_("Choose a file."), field="file")
        with transaction.atomic():
            services.do_add_attachment(article, upload, actor=_me(request))
    except ServiceError as exc:
        data = {"title": article.title, "body": article.body, "brand": article.brand_id}
        return _editor(request, article, data, error=exc, status=_status(exc))
    flash.success(request, _("File added."))
    return redirect("knowledge:article", article.pk)


@agent_required()
def history(request: HttpRequest, pk: int) -> HttpResponse:
    """The article's versions, and the change between any two (``?a=1&b=3``)."""
    article = _article(request, pk)
    versions = services.versions_of(article)
    by_number = {v.number: v for v in versions}

    def pick(name: str, default: int) -> int:
        raw = request.GET.get(name, "")
        return int(raw) if raw.isdigit() and int(raw) in by_number else default

    newest = versions[0].number if versions else 1
    b = pick("b", newest)
    a = pick("a", max(1, b - 1) if b - 1 in by_number else b)
    diff = None
    if a in by_number and b in by_number:
        old, new = by_number[a], by_number[b]
        diff = {
            "title": mark_safe(services.diff_html(old.title, new.title)),
            "body": mark_safe(services.diff_html(old.body, new.body)),
        }
    return _render(
        request,
        "knowledge/history.html",
        {"article": article, "versions": versions, "a": a, "b": b, "diff": diff},
    )


def attachment_file(request: HttpRequest, pk: int, name: str) -> FileResponse:
    """An article's file: anyone's when the article is published and public, else only the
    brand's agents'."""
    att = ArticleAttachment.objects.select_related("article").filter(pk=pk).first()
    if att is None or att.filename != name:
        raise Http404
    article = att.article
    public = article.status == ArticleStatus.PUBLISHED and not article.internal
    if not public:
        agent = current_agent(request)
        if agent is None or article.brand_id not in permissions.visible_brand_ids(agent):
            raise Http404
    response = FileResponse(att.file.open("rb"), content_type=att.content_type or None)
    response["X-Content-Type-Options"] = "nosniff"
    if not att.content_type.startswith("image/"):
        response["Content-Disposition"] = f'attachment; filename="{att.filename}"'
    return response


def logo(request: HttpRequest, brand_id: int) -> FileResponse:
    """The help center's logo (public, as the help center is)."""
    hc = services.help_center_of(brand_id)
    if not hc.pk or not hc.logo:
        raise Http404
    ext = hc.logo.name.rsplit(".", 1)[-1].lower()
    response = FileResponse(
        hc.logo.open("rb"), content_type=services.ATTACHMENT_TYPES.get(ext, "image/png")
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- categories and the help center (knowledge managers) ----------------------------------


def _managed_brands(request: HttpRequest) -> list[Brand]:
    return list(Brand.objects.filter(pk__in=permissions.knowledge_manager_brands(_me(request))))


@agent_required(Role.SUPERVISOR)
def categories(request: HttpRequest) -> HttpResponse:
    """Categories and their sections, per brand the agent manages; add one."""
    agent = _me(request)
    brands = _managed_brands(request)
    error: ServiceError | None = None
    status = 200
    if request.method == "POST":
        try:
            raw_brand = request.POST.get("brand", "")
            brand_id = permissions.pick_brand(
                agent, int(raw_brand) if raw_brand.isdigit() else None, role=Role.SUPERVISOR
            )
            parent = request.POST.get("parent", "")
            with transaction.atomic():
                services.do_create_category(
                    brand_id=brand_id,
                    actor=agent,
                    names={
                        request.POST.get("language", "en") or "en": request.POST.get("name", "")
                    },
                    slug=request.POST.get("slug", ""),
                    parent=int(parent) if parent.isdigit() else None,
                )
        except ServiceError as exc:
            error, status = exc, _status(exc)
        else:
            flash.success(request, _("Category added."))
            return redirect("knowledge:categories")
    rows = (
        Category.objects.filter(brand_id__in=[b.pk for b in brands])
        .select_related("parent")
        .annotate(n=Count("articles"))
        .order_by("brand_id", "position", "id")
    )
    tops = [c for c in rows if c.parent_id is None]
    sections: dict[int, list[Category]] = {}
    for c in rows:
        if c.parent_id is not None:
            sections.setdefault(c.parent_id, []).append(c)
    return _render(
        request,
        "knowledge/categories.html",
        {
            "brands": brands,
            "tree": [(c, sections.get(c.pk, [])) for c in tops],
            "error": error,
        },
        status=status,
    )


def _category(request: HttpRequest, pk: int) -> Category:
    found = Category.objects.filter(
        pk=pk, brand_id__in=permissions.knowledge_manager_brands(_me(request))
    ).first()
    if found is None:
        raise Http404
    return found


@require_POST
@agent_required(Role.SUPERVISOR)
def category_edit(request: HttpRequest, pk: int) -> HttpResponse:
    cat = _category(request, pk)
    try:
        with transaction.atomic():
            names = dict(cat.names or {})
            names[request.POST.get("language", "") or "en"] = request.POST.get("name", "")
            services.do_update_category(cat, actor=_me(request), names=names)
    except ServiceError as exc:
        flash.error(request, exc.message)
        return redirect("knowledge:categories")
    flash.success(request, _("Category saved."))
    return redirect("knowledge:categories")


@require_POST
@agent_required(Role.SUPERVISOR)
def category_delete(request: HttpRequest, pk: int) -> HttpResponse:
    cat = _category(request, pk)
    with transaction.atomic():
        services.do_delete_category(cat, actor=_me(request))
    flash.success(request, _("Category deleted."))
    return redirect("knowledge:categories")


@agent_required(Role.SUPERVISOR)
def help_center(request: HttpRequest) -> HttpResponse:
    """The help center's title, colour, logo, languages and fallback chain, per brand."""
    agent = _me(request)
    brands = _managed_brands(request)
    if not brands:
        raise Http404
    raw = request.GET.get("brand") or request.POST.get("brand", "")
    brand = next((b for b in brands if str(b.pk) == raw), brands[0])
    error: ServiceError | None = None
    status = 200
    if request.method == "POST":
        p = request.POST
        try:
            with transaction.atomic():
                services.do_update_help_center(
                    brand.pk,
                    actor=agent,
                    title=p.get("title", ""),
                    colour=p.get("colour", ""),
                    logo=request.FILES.get("logo"),
                    remove_logo=bool(p.get("remove_logo")),
                    languages=_tags(p.get("languages", "")),
                    fallback_chain=_tags(p.get("fallback_chain", "")),
                    enabled=bool(p.get("enabled")),
                )
        except ServiceError as exc:
            error, status = exc, _status(exc)
        else:
            flash.success(request, _("Help center saved."))
            return redirect(f"{request.path}?brand={brand.pk}")
    hc = services.help_center_of(brand.pk)
    return _render(
        request,
        "knowledge/help_center.html",
        {
            "brands": brands,
            "brand": brand,
            "hc": hc,
            "languages": ", ".join(hc.languages or []),
            "fallback": ", ".join(hc.fallback_chain or []),
            "error": error,
        },
        status=status,
    )
