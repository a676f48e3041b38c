"""Pages of the agents' knowledge assistance, loaded into the workspace by htmx and
``static/knowledge/assist.js``: the "Suggestions" panel's content, the composer's knowledge
search, inserting an article or a macro, "Solved it" and "Propose an edit"."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from wowdesk.conversations import services as conversations
from wowdesk.conversations.models import Conversation, Macro
from wowdesk.core import permissions
from wowdesk.core.errors import ServiceError
from wowdesk.core.input import BadInput, check_int
from wowdesk.core.models import Agent
from wowdesk.knowledge import assist, assist_services
from wowdesk.knowledge.models import Article, Source
from wowdesk.web.auth import agent_required

SEARCH_LIMIT = 8
QUERY_MAX = 300


def _agent(request: HttpRequest) -> Agent:
    agent: Agent = request.agent  # type: ignore[attr-defined]
    return agent


def _conversation(request: HttpRequest, pk: int) -> Conversation:
    """A conversation of one of the agent's brands; another brand's is not found."""
    try:
        return permissions.get_for_agent(
            Conversation.objects.select_related("brand"), _agent(request), pk
        )
    except ServiceError as exc:
        raise Http404(exc.message) from exc


def _article(conversation: Conversation, article_id: int) -> Article:
    article = (
        Article.objects.select_related("brand")
        .filter(pk=article_id, brand_id=conversation.brand_id)
        .first()
    )
    if article is None:
        raise Http404(_("No such article."))
    return article


def _refused(exc: ServiceError) -> HttpResponse:
    return HttpResponse(exc.message, status=exc.status, content_type="text/plain; charset=utf-8")


@require_GET
@agent_required()
def suggestions(request: HttpRequest, pk: int) -> HttpResponse:
    """The panel's content: articles and macros for the latest customer message."""
    conversation = _conversation(request, pk)
    found = assist.suggestions_for(conversation)
    return render(
        request,
        "knowledge/_suggestions.html",
        {"found": found, "conversation": conversation},
    )


@require_GET
@agent_required()
def search(request: HttpRequest) -> HttpResponse:
    """The composer's knowledge search (``q``, ``conversation``): the brand's articles, in
    the customer's language when translated."""
    from wowdesk.knowledge.search import log_search, search_articles

    try:
        pk = check_int(request.GET.get("conversation", ""), "conversation", lo=1)
    except BadInput as exc:
        return HttpResponse(
            f"conversation: {exc}", status=400, content_type="text/plain; charset=utf-8"
        )
    conversation = _conversation(request, pk)
    query = request.GET.get("q", "").strip()[:QUERY_MAX]
    items: list[dict[str, Any]] = []
    if query:
        language = assist.customer_language(
            conversation, assist.latest_customer_message(conversation)
        )
        hits = search_articles(
            conversation.brand_id,
            query,
            language=language or None,
            include_internal=True,
            limit=SEARCH_LIMIT,
        )
        log_search(conversation.brand_id, query, language, Source.AGENT, hits)
        source_ids = list(dict.fromkeys(h.source_id for h in hits))
        shown = assist.localised(
            assist.article_rows(conversation.brand_id, source_ids), source_ids, language
        )
        for sid in source_ids:
            row = shown.get(sid)
            if row is None:
                continue
            items.append(
                {
                    "id": row.pk,
                    "title": row.title,
                    "language": row.language,
                    "internal": row.internal,
                    "snippet": assist.markdown_to_text(row.body)[: assist.SNIPPET_CHARS],
                }
            )
    return render(
        request,
        "knowledge/_assist_search_results.html",
        {"items": items, "query": query, "conversation": conversation},
    )


@require_POST
@agent_required()
def insert_article(request: HttpRequest, pk: int, article_id: int) -> HttpResponse:
    """The text (``what=text``) or the link (``what=link``) of an article, in the
    customer's language when translated, for the composer; kept as an "inserted" use."""
    conversation = _conversation(request, pk)
    article = _article(conversation, article_id)
    what = request.POST.get("what", "text")
    if what not in ("text", "link"):
        return HttpResponse(
            _("what: text or link."), status=400, content_type="text/plain; charset=utf-8"
        )
    language = assist.customer_language(conversation, assist.latest_customer_message(conversation))
    shown = assist.article_in_language(article, language)
    if what == "link":
        url = assist.article_url(shown)
        if not url:
            return HttpResponse(
                _("An internal article has no public link."),
                status=422,
                content_type="text/plain; charset=utf-8",
            )
        out = request.build_absolute_uri(url)
    else:
        out = assist.markdown_to_text(shown.body)
    try:
        with transaction.atomic():
            assist_services.do_record_use(_agent(request), conversation, "inserted", article=shown)
    except ServiceError as exc:
        return _refused(exc)
    return HttpResponse(out, content_type="text/plain; charset=utf-8")


@require_POST
@agent_required()
def insert_macro(request: HttpRequest, pk: int, macro_id: int) -> HttpResponse:
    """A suggested macro's text with its variables filled in; kept as an "inserted" use."""
    conversation = _conversation(request, pk)
    macro = Macro.objects.filter(pk=macro_id, brand_id=conversation.brand_id).first()
    if macro is None:
        raise Http404(_("No such macro."))
    agent = _agent(request)
    try:
        text = conversations.render_macro(macro, conversation, agent)
        with transaction.atomic():
            assist_services.do_record_use(agent, conversation, "inserted", macro=macro)
    except ServiceError as exc:
        return _refused(exc)
    return HttpResponse(text, content_type="text/plain; charset=utf-8")


@require_POST
@agent_required()
def solved(request: HttpRequest, pk: int) -> HttpResponse:
    """ "Solved it" on a suggestion (``article`` or ``macro``, an id)."""
    conversation = _conversation(request, pk)
    article = macro = None
    try:
        if request.POST.get("article"):
            article = _article(conversation, check_int(request.POST["article"], "article", lo=1))
        elif request.POST.get("macro"):
            macro_id = check_int(request.POST["macro"], "macro", lo=1)
            macro = Macro.objects.filter(pk=macro_id, brand_id=conversation.brand_id).first()
            if macro is None:
                raise Http404(_("No such macro."))
        else:
            return HttpResponse(
                _("article: say which article or which macro."),
                status=400,
                content_type="text/plain; charset=utf-8",
            )
        with transaction.atomic():
            assist_services.do_record_use(
                _agent(request), conversation, "solved", article=article, macro=macro
            )
    except BadInput as exc:
        return HttpResponse(
            f"{exc.field}: {exc}", status=400, content_type="text/plain; charset=utf-8"
        )
    except ServiceError as exc:
        return _refused(exc)
    return render(request, "knowledge/_assist_solved.html", {})


@require_POST
@agent_required()
def propose(request: HttpRequest, article_id: int) -> HttpResponseBase:
    """ "Propose an edit" of an article (``body``, ``title``, ``conversation``)."""
    agent = _agent(request)
    try:
        article = permissions.get_for_agent(
            Article.objects.select_related("brand"), agent, article_id
        )
    except ServiceError as exc:
        raise Http404(exc.message) from exc
    conversation = None
    raw = request.POST.get("conversation", "").strip()
    if raw:
        try:
            conversation = _conversation(request, check_int(raw, "conversation", lo=1))
        except BadInput as exc:
            return HttpResponse(
                f"conversation: {exc}", status=400, content_type="text/plain; charset=utf-8"
            )
    try:
        with transaction.atomic():
            assist_services.do_propose_edit(
                agent,
                article,
                body=request.POST.get("body", ""),
                title=request.POST.get("title", ""),
                conversation=conversation,
            )
    except ServiceError as exc:
        return _refused(exc)
    if request.headers.get("HX-Request") or conversation is None:
        return render(request, "knowledge/_assist_proposed.html", {}, status=201)
    return redirect("web:conversation", pk=conversation.pk)
