"""The knowledge base's pages under ``/knowledge/``: the article list, the editor with its
preview, versions and translations, categories and the help center's settings. Thin: who
may see what is ``core.permissions``; every write is ``knowledge.services``."""

from __future__ import annotations

from django.http import FileResponse, Http404, HttpRequest, HttpResponse

from wowdesk.core import permissions
from wowdesk.core.models import Agent
from wowdesk.knowledge.models import ArticleAttachment, ArticleStatus
from wowdesk.web.auth import current_agent


def articles(request: HttpRequest) -> HttpResponse:
    raise Http404


def attachment_file(request: HttpRequest, pk: int, name: str) -> FileResponse:
    """An article's file: anyone's when the article is published and public, else only the
    brand's agents'."""
    att = ArticleAttachment.objects.select_related("article").filter(pk=pk).first()
    if att is None or att.filename != name:
        raise Http404
    article = att.article
    public = article.status == ArticleStatus.PUBLISHED and not article.internal
    if not public:
        agent: Agent | None = current_agent(request) if request.user.is_authenticated else None
        if agent is None or article.brand_id not in permissions.visible_brand_ids(agent):
            raise Http404
    response = FileResponse(att.file.open("rb"), content_type=att.content_type or None)
    response["X-Content-Type-Options"] = "nosniff"
    if not att.content_type.startswith("image/"):
        response["Content-Disposition"] = f'attachment; filename="{att.filename}"'
    return response
