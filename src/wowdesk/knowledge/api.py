"""API: the knowledge base's articles, translations, versions, attachments and categories
(``/api/v1/kb/...``). Every agent of a brand reads its articles and writes drafts; the
knowledge managers publish, archive, delete and manage categories and the help center
(``knowledge.services`` says who may do what). Another brand's ids answer 404."""

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from wowdesk.core import permissions
from wowdesk.core.api import me
from wowdesk.core.errors import NotFound
from wowdesk.core.schemas import ERRORS, AgentRef, Page, agent_ref
from wowdesk.knowledge import services
from wowdesk.knowledge.models import Article, ArticleAttachment, ArticleStatus, Category

router = Router(tags=["knowledge"])

CategoryRef = int | str | None


class ArticleIn(Schema):
    title: str = Field(..., max_length=services.MAX_TITLE)
    body: str = Field("", max_length=services.MAX_BODY)
    language: str = Field(..., max_length=16)
    category: CategoryRef = Field(None, description="a category id or slug")
    status: str = Field(ArticleStatus.DRAFT, max_length=16)
    internal: bool = False
    translation_of: int | None = Field(None, ge=1, le=2**62)
    tags: list[str] = Field(default_factory=list, max_length=services.MAX_TAGS)
    products: list[str] = Field(default_factory=list, max_length=services.MAX_TAGS)
    intent: str = Field("", max_length=100)
    note: str = Field("", max_length=300)
    brand_id: int | None = Field(None, ge=1, le=2**62)


class ArticlePatch(Schema):
    title: str | None = Field(None, max_length=services.MAX_TITLE)
    body: str | None = Field(None, max_length=services.MAX_BODY)
    category: CategoryRef = Field(None, description="a category id or slug; null: none")
    status: str | None = Field(None, max_length=16)
    internal: bool | None = None
    tags: list[str] | None = Field(None, max_length=services.MAX_TAGS)
    products: list[str] | None = Field(None, max_length=services.MAX_TAGS)
    intent: str | None = Field(None, max_length=100)
    note: str = Field("", max_length=300)
    # a translation: the source's version it says what it says (true: the current one)
    source_version: int | None = Field(None, ge=1, le=2**31)
    up_to_date: bool | None = None


class TranslationRef(Schema):
    id: int
    language: str
    status: str
    state: str


class AttachmentOut(Schema):
    id: int
    filename: str
    content_type: str
    size: int
    url: str


class ArticleOut(Schema):
    id: int
    brand_id: int
    source_id: int
    translation_of: int | None
    language: str
    title: str
    slug: str
    body: str
    body_html: str
    category: int | None
    tags: list[str]
    products: list[str]
    intent: str
    internal: bool
    status: str
    version: int
    source_version: int | None
    author: AgentRef | None
    view_count: int
    helpful_yes: int
    helpful_no: int
    created_at: dt.datetime
    updated_at: dt.datetime
    published_at: dt.datetime | None
    translations: list[TranslationRef] | None = None
    attachments: list[AttachmentOut] | None = None


class ArticlesOut(Page):
    items: list[ArticleOut]


class VersionOut(Schema):
    number: int
    title: str
    body: str
    status: str
    author: AgentRef | None
    note: str
    created_at: dt.datetime


class TranslationStateOut(Schema):
    language: str
    state: str
    id: int | None
    source_version: int | None


def _attachment_out(att: ArticleAttachment) -> AttachmentOut:
    return AttachmentOut(
        id=att.pk,
        filename=att.filename,
        content_type=att.content_type,
        size=att.size,
        url=services.attachment_url(att),
    )


def article_out(a: Article, *, detail: bool = False) -> ArticleOut:
    out = ArticleOut(
        id=a.pk,
        brand_id=a.brand_id,
        source_id=a.source_id,
        translation_of=a.translation_of_id,
        language=a.language,
        title=a.title,
        slug=a.slug,
        body=a.body,
        body_html=a.body_html,
        category=a.category_id,
        tags=list(a.tags or []),
        products=list(a.products or []),
        intent=a.intent,
        internal=a.internal,
        status=a.status,
        version=a.version,
        source_version=a.source_version,
        author=agent_ref(a.author),
        view_count=a.view_count,
        helpful_yes=a.helpful_yes,
        helpful_no=a.helpful_no,
        created_at=a.created_at,
        updated_at=a.updated_at,
        published_at=a.published_at,
    )
    if detail:
        if a.translation_of_id is None:
            out.translations = [
                TranslationRef(
                    id=s.article.pk, language=s.language, status=s.article.status, state=s.state
                )
                for s in services.translations_status(a)
                if s.article is not None
            ]
        out.attachments = [_attachment_out(x) for x in a.attachments.order_by("id")]
    return out


def _article(request: HttpRequest, article_id: int) -> Article:
    """The article if it belongs to one of the agent's brands; 404 otherwise."""
    found = (
        Article.objects.select_related("author__user", "translation_of")
        .filter(pk=article_id, brand_id__in=permissions.visible_brand_ids(me(request)))
        .first()
    )
    if found is None:
        raise NotFound(_("Not found."), field="id")
    return found


def _category(request: HttpRequest, category_id: int) -> Category:
    found = Category.objects.filter(
        pk=category_id, brand_id__in=permissions.visible_brand_ids(me(request))
    ).first()
    if found is None:
        raise NotFound(_("Not found."), field="id")
    return found


@router.get("/kb/articles", response={200: ArticlesOut, **ERRORS})
def list_articles(
    request: HttpRequest,
    status: str = Query("", max_length=16),
    language: str = Query("", max_length=16),
    category: str = Query("", max_length=80),
    q: str = Query("", max_length=300),
    brand_id: int | None = Query(None, ge=1, le=2**62),
    page: int = Query(1, ge=1, le=100_000),
    page_size: int = Query(25, ge=1, le=100),
) -> ArticlesOut:
    """The brand's articles (every language row), newest change first."""
    agent = me(request)
    qs: QuerySet[Article] = Article.objects.filter(
        brand_id__in=permissions.visible_brand_ids(agent)
    ).select_related("author__user")
    if brand_id is not None:
        permissions.check_brand(agent, brand_id)
        qs = qs.filter(brand_id=brand_id)
    qs = services.filter_articles(qs, status=status, language=language, category=category, q=q)
    total = qs.count()
    start = (page - 1) * page_size
    rows = qs.order_by("-updated_at", "-id")[start : start + page_size]
    return ArticlesOut(
        items=[article_out(a) for a in rows], total=total, page=page, page_size=page_size
    )


@router.post("/kb/articles", response={201: ArticleOut, **ERRORS})
@transaction.atomic
def create_article(request: HttpRequest, payload: ArticleIn) -> Status[ArticleOut]:
    agent = me(request)
    brand_id = payload.brand_id
    if brand_id is None and payload.translation_of is not None:
        # a translation goes where its source is (when the agent may see it)
        brand_id = _article(request, payload.translation_of).brand_id
    brand_id = permissions.pick_brand(agent, brand_id)
    article = services.do_create_article(
        brand_id=brand_id,
        actor=agent,
        title=payload.title,
        body=payload.body,
        language=payload.language,
        category=payload.category,
        status=payload.status,
        internal=payload.internal,
        translation_of=payload.translation_of,
        tags=payload.tags,
        products=payload.products,
        intent=payload.intent,
        note=payload.note,
    )
    return Status(201, article_out(article, detail=True))


@router.get("/kb/articles/{article_id}", response={200: ArticleOut, **ERRORS})
def get_article(request: HttpRequest, article_id: int) -> ArticleOut:
    return article_out(_article(request, article_id), detail=True)


@router.patch("/kb/articles/{article_id}", response={200: ArticleOut, **ERRORS})
@transaction.atomic
def update_article(request: HttpRequest, article_id: int, payload: ArticlePatch) -> ArticleOut:
    agent = me(request)
    article = _article(request, article_id)
    data: dict[str, Any] = payload.model_dump(exclude_unset=True)
    status = data.pop("status", None)
    note = data.pop("note", "")
    source_version = data.pop("source_version", None)
    if data.pop("up_to_date", None) and article.translation_of is not None:
        source_version = article.translation_of.version
    if data or source_version is not None:
        services.do_update_article(
            article, actor=agent, note=note, source_version=source_version, **data
        )
    if status is not None:
        services.do_set_status(article, status, actor=agent)
    return article_out(article, detail=True)


@router.delete("/kb/articles/{article_id}", response={204: None, **ERRORS})
@transaction.atomic
def delete_article(request: HttpRequest, article_id: int) -> Status[None]:
    services.do_delete_article(_article(request, article_id), actor=me(request))
    return Status(204, None)


@router.get("/kb/articles/{article_id}/versions", response={200: list[VersionOut], **ERRORS})
def list_versions(request: HttpRequest, article_id: int) -> list[VersionOut]:
    article = _article(request, article_id)
    return [
        VersionOut(
            number=v.number,
            title=v.title,
            body=v.body,
            status=v.status,
            author=agent_ref(v.author),
            note=v.note,
            created_at=v.created_at,
        )
        for v in services.versions_of(article)
    ]


@router.get(
    "/kb/articles/{article_id}/translations",
    response={200: list[TranslationStateOut], **ERRORS},
)
def list_translations(request: HttpRequest, article_id: int) -> list[TranslationStateOut]:
    """Per language the brand serves: ``missing``, ``out_of_date`` or ``up_to_date``."""
    article = _article(request, article_id)
    return [
        TranslationStateOut(
            language=s.language,
            state=s.state,
            id=s.article.pk if s.article else None,
            source_version=s.article.source_version if s.article else None,
        )
        for s in services.translations_status(article)
    ]


@router.post("/kb/articles/{article_id}/attachments", response={201: AttachmentOut, **ERRORS})
@transaction.atomic
def add_attachment(
    request: HttpRequest, article_id: int, file: File[UploadedFile]
) -> Status[AttachmentOut]:
    att = services.do_add_attachment(_article(request, article_id), file, actor=me(request))
    return Status(201, _attachment_out(att))


# --- categories ----------------------------------------------------------------------------


class CategoryIn(Schema):
    names: dict[str, str] = Field(..., max_length=50)
    slug: str = Field("", max_length=80)
    parent: int | None = Field(None, ge=1, le=2**62)
    descriptions: dict[str, str] = Field(default_factory=dict, max_length=50)
    position: int = Field(0, ge=0, le=100_000)
    brand_id: int | None = Field(None, ge=1, le=2**62)


class CategoryPatch(Schema):
    names: dict[str, str] | None = Field(None, max_length=50)
    slug: str | None = Field(None, max_length=80)
    parent: int | None = Field(None, ge=1, le=2**62)
    descriptions: dict[str, str] | None = Field(None, max_length=50)
    position: int | None = Field(None, ge=0, le=100_000)


class CategoryOut(Schema):
    id: int
    brand_id: int
    parent: int | None
    slug: str
    names: dict[str, str]
    descriptions: dict[str, str]
    position: int


def category_out(c: Category) -> CategoryOut:
    return CategoryOut(
        id=c.pk,
        brand_id=c.brand_id,
        parent=c.parent_id,
        slug=c.slug,
        names=dict(c.names or {}),
        descriptions=dict(c.descriptions or {}),
        position=c.position,
    )


@router.get("/kb/categories", response={200: list[CategoryOut], **ERRORS})
def list_categories(
    request: HttpRequest, brand_id: int | None = Query(None, ge=1, le=2**62)
) -> list[CategoryOut]:
    """The categories and sections (``parent`` set) of the agent's brands."""
    agent = me(request)
    qs = Category.objects.filter(brand_id__in=permissions.visible_brand_ids(agent))
    if brand_id is not None:
        permissions.check_brand(agent, brand_id)
        qs = qs.filter(brand_id=brand_id)
    return [category_out(c) for c in qs.order_by("brand_id", "position", "id")]


@router.post("/kb/categories", response={201: CategoryOut, **ERRORS})
@transaction.atomic
def create_category(request: HttpRequest, payload: CategoryIn) -> Status[CategoryOut]:
    agent = me(request)
    brand_id = permissions.pick_brand(agent, payload.brand_id)
    cat = services.do_create_category(
        brand_id=brand_id,
        actor=agent,
        names=payload.names,
        slug=payload.slug,
        parent=payload.parent,
        descriptions=payload.descriptions,
        position=payload.position,
    )
    return Status(201, category_out(cat))


@router.get("/kb/categories/{category_id}", response={200: CategoryOut, **ERRORS})
def get_category(request: HttpRequest, category_id: int) -> CategoryOut:
    return category_out(_category(request, category_id))


@router.patch("/kb/categories/{category_id}", response={200: CategoryOut, **ERRORS})
@transaction.atomic
def update_category(request: HttpRequest, category_id: int, payload: CategoryPatch) -> CategoryOut:
    cat = _category(request, category_id)
    services.do_update_category(cat, actor=me(request), **payload.model_dump(exclude_unset=True))
    return category_out(cat)


@router.delete("/kb/categories/{category_id}", response={204: None, **ERRORS})
@transaction.atomic
def delete_category(request: HttpRequest, category_id: int) -> Status[None]:
    services.do_delete_category(_category(request, category_id), actor=me(request))
    return Status(204, None)
