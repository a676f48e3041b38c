"""Every write to the knowledge base: articles and their translations, versions,
attachments, categories and sections, and the help center's settings.

Who may do what (``core.permissions``): every agent of the brand writes drafts and submits
them for review; knowledge managers (supervisors and administrators) publish, archive,
delete, edit published or archived articles, and manage categories and the help center.

After a change that touches what the help center, the bot or search show (a publish, an
unpublish, an archive, a delete, an edit of a published article), ``knowledge.search``
hears of it after the commit (``on_articles_changed``).

Also here, as pure reads every part calls: :func:`article_in_language` (the fallback
chain), :func:`translations_status`, :func:`render_markdown` and :func:`diff_html`.
"""

from __future__ import annotations

import difflib
import html
import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Any

from django.conf.locale import LANG_INFO
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from markdown_it import MarkdownIt

from wowdesk.conversations.html import sanitize_article_html
from wowdesk.core import permissions
from wowdesk.core.errors import Forbidden, InvalidInput
from wowdesk.core.input import check_line, check_text
from wowdesk.core.models import Agent, Brand
from wowdesk.knowledge import retrieval
from wowdesk.knowledge.models import (
    Article,
    ArticleAttachment,
    ArticleStatus,
    ArticleVersion,
    Category,
    HelpCenter,
)

MAX_TITLE = 300
MAX_BODY = 200_000
MAX_TAGS = 50
MAX_TAG = 64
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
MAX_LOGO_BYTES = 1024 * 1024
# What an attachment may be: its extension and the content types it may declare.
ATTACHMENT_TYPES: dict[str, str] = {
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "gif": "image/gif",
    "webp": "image/webp",
    "pdf": "application/pdf",
    "txt": "text/plain",
    "csv": "text/csv",
    "zip": "application/zip",
}
IMAGE_TYPES = {"png", "jpg", "jpeg", "gif", "webp"}
# The first bytes of each image type (an image's content is checked, not only its name).
_MAGIC: dict[str, tuple[bytes, ...]] = {
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "gif": (b"GIF87a", b"GIF89a"),
    "webp": (b"RIFF",),
}
_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")
# Who may move an article from one state to another; "manager": knowledge managers only.
_TRANSITIONS: dict[str, dict[str, str]] = {
    ArticleStatus.DRAFT: {
        ArticleStatus.IN_REVIEW: "agent",
        ArticleStatus.PUBLISHED: "manager",
        ArticleStatus.ARCHIVED: "manager",
    },
    ArticleStatus.IN_REVIEW: {
        ArticleStatus.DRAFT: "agent",
        ArticleStatus.PUBLISHED: "manager",
        ArticleStatus.ARCHIVED: "manager",
    },
    ArticleStatus.PUBLISHED: {ArticleStatus.DRAFT: "manager", ArticleStatus.ARCHIVED: "manager"},
    ArticleStatus.ARCHIVED: {ArticleStatus.DRAFT: "manager", ArticleStatus.PUBLISHED: "manager"},
}
# States only a knowledge manager may write an article in (or edit it while in them).
MANAGED_STATES = {ArticleStatus.PUBLISHED, ArticleStatus.ARCHIVED}


# --- Markdown ------------------------------------------------------------------------------

_md = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")
ATTACHMENT_PREFIX = "/knowledge/files/"


def sanitise_html(raw: str) -> str:
    """HTML a help center may show (``conversations.html.sanitize_article_html``): images
    from our attachments or https only."""
    return sanitize_article_html(raw, image_prefix=ATTACHMENT_PREFIX)


def render_markdown(text: str) -> str:
    """An article's Markdown as sanitised HTML (raw HTML in the Markdown is shown as text)."""
    return sanitise_html(_md.render(text or ""))


# --- languages -----------------------------------------------------------------------------


# Base codes of Django's language table: "zh" is a language there only as zh-hans, zh-hant…
_BASE_LANGUAGES = frozenset(code.split("-")[0] for code in LANG_INFO)


def clean_language(code: str, field: str = "language") -> str:
    """A language code as stored (``es``, ``pt-br``, ``zh-hans``); 422 naming the field for a
    code that is no language."""
    value = (code or "").strip().lower().replace("_", "-")
    if not value:
        raise InvalidInput(_("Say which language."), field=field)
    if value in LANG_INFO or (
        re.fullmatch(r"[a-z]{2,3}(-[a-z0-9]{2,8})?", value)
        and value.split("-")[0] in _BASE_LANGUAGES
    ):
        return value
    raise InvalidInput(_("Not a language code: %(code)s") % {"code": code[:20]}, field=field)


def clean_languages(codes: Iterable[str], field: str) -> list[str]:
    out: list[str] = []
    for code in codes:
        if not str(code).strip():
            continue
        value = clean_language(str(code), field)
        if value not in out:
            out.append(value)
    return out


# --- reads every part calls ----------------------------------------------------------------


def help_center_of(brand_id: int) -> HelpCenter:
    """The brand's help center settings (unsaved defaults when none were written)."""
    return HelpCenter.objects.filter(brand_id=brand_id).first() or HelpCenter(brand_id=brand_id)


def logo_url(help_center: HelpCenter) -> str:
    """Where the help center's logo is served ("" when it has none)."""
    if not help_center.logo:
        return ""
    return reverse("knowledge:logo", args=[help_center.brand_id])


def brand_languages(brand: Brand, help_center: HelpCenter | None = None) -> list[str]:
    """The languages a brand's knowledge base serves: the help center's list, else the
    brand's default language and every language an article of the brand is written in."""
    hc = help_center if help_center is not None else help_center_of(brand.pk)
    if hc.languages:
        return list(hc.languages)
    langs = [brand.default_language]
    for lang in (
        Article.objects.filter(brand_id=brand.pk)
        .values_list("language", flat=True)
        .distinct()
        .order_by("language")
    ):
        if lang not in langs:
            langs.append(lang)
    return langs


def article_in_language(
    source: Article,
    language: str | None,
    help_center: HelpCenter | None = None,
    *,
    statuses: Collection[str] | None = None,
) -> Article:
    """The best row of an article for a reader of ``language``: that translation, else the
    first of the help center's fallback chain that exists, else the brand's default
    language, else the source. ``statuses`` limits the translations considered (e.g. only
    published ones); the source is the last resort in any state."""
    root = source.translation_of if source.translation_of_id else source
    assert root is not None
    rows = [root, *root.translations.all()]
    if statuses is not None:
        rows = [root, *(r for r in rows[1:] if r.status in statuses)]
    hc = help_center if help_center is not None else help_center_of(root.brand_id)
    brand = Brand.objects.filter(pk=root.brand_id).only("default_language").first()
    order = retrieval.language_order(
        language, hc.fallback_chain or [], brand.default_language if brand else None
    )
    chosen = retrieval.pick_language([row.language for row in rows], order)
    return next((row for row in rows if row.language == chosen), root)


@dataclass(frozen=True)
class TranslationState:
    language: str
    state: str  # "missing" | "out_of_date" | "up_to_date"
    article: Article | None


def translations_status(
    source: Article, help_center: HelpCenter | None = None
) -> list[TranslationState]:
    """Per language the brand serves (but the source's own): its translation is missing,
    out of date (the source changed after it was made) or up to date; then any other
    language a translation exists in."""
    root = source.translation_of if source.translation_of_id else source
    assert root is not None
    brand = Brand.objects.get(pk=root.brand_id)
    by_lang = {t.language: t for t in root.translations.all()}
    langs = [lang for lang in brand_languages(brand, help_center) if lang != root.language]
    langs += [lang for lang in sorted(by_lang) if lang not in langs]
    out = []
    for lang in langs:
        t = by_lang.get(lang)
        if t is None:
            out.append(TranslationState(lang, "missing", None))
        elif (t.source_version or 0) < root.version:
            out.append(TranslationState(lang, "out_of_date", t))
        else:
            out.append(TranslationState(lang, "up_to_date", t))
    return out


# --- diff ----------------------------------------------------------------------------------

_TOKEN = re.compile(r"\s+|\w+|[^\w\s]", re.UNICODE)


def diff_html(old: str, new: str) -> str:
    """The change from ``old`` to ``new`` word by word: removed text in ``<del>``, added in
    ``<ins>``, everything escaped (show it inside a ``<pre>``-like block)."""
    a = _TOKEN.findall(old or "")
    b = _TOKEN.findall(new or "")
    out: list[str] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(html.escape("".join(a[i1:i2])))
            continue
        if op in ("delete", "replace"):
            out.append("<del>" + html.escape("".join(a[i1:i2])) + "</del>")
        if op in ("insert", "replace"):
            out.append("<ins>" + html.escape("".join(b[j1:j2])) + "</ins>")
    return "".join(out)


# --- articles ------------------------------------------------------------------------------


def filter_articles(
    qs: QuerySet[Article], *, status: str, language: str, category: str, q: str
) -> QuerySet[Article]:
    """The list's filters (the API's and the page's): state, language, category (id or
    slug, its sections included), words in the title or body."""
    if status:
        if status not in ArticleStatus.values:
            raise InvalidInput(_("Not an article state."), field="status")
        qs = qs.filter(status=status)
    if language:
        qs = qs.filter(language=language.strip().lower().replace("_", "-"))
    if category:
        cond = Q(category__slug=category) | Q(category__parent__slug=category)
        if category.isdigit():
            cond = Q(category_id=int(category)) | Q(category__parent_id=int(category))
        qs = qs.filter(cond)
    for word in q.split()[:8]:
        qs = qs.filter(Q(title__icontains=word) | Q(body__icontains=word))
    return qs


def may_edit(agent: Agent, article: Article) -> bool:
    """Any agent of the brand edits drafts and articles in review; published and archived
    ones only knowledge managers."""
    if article.brand_id not in permissions.visible_brand_ids(agent):
        return False
    return article.status not in MANAGED_STATES or permissions.may_manage_knowledge(
        agent, article.brand_id
    )


def allowed_statuses(agent: Agent, article: Article) -> list[str]:
    """The states ``agent`` may move the article to (the editor's buttons)."""
    manager = permissions.may_manage_knowledge(agent, article.brand_id)
    return [
        to for to, who in _TRANSITIONS.get(article.status, {}).items() if who == "agent" or manager
    ]


def _check_edit(agent: Agent, article: Article) -> None:
    permissions.check_brand(agent, article.brand_id)
    if not may_edit(agent, article):
        raise Forbidden(
            _("Only knowledge managers can change a published or archived article."),
            field="status",
        )


def _notify_search(brand_id: int, ids: list[int]) -> None:
    from wowdesk.knowledge import search

    transaction.on_commit(lambda: search.on_articles_changed(brand_id, ids))


def unique_slug(brand_id: int, language: str, title: str, exclude: int | None = None) -> str:
    """A slug from the title (any script), unique among the brand's articles in ``language``."""
    base = slugify(title, allow_unicode=True)[:100].strip("-") or "article"
    taken = set(
        Article.objects.filter(brand_id=brand_id, language=language, slug__startswith=base)
        .exclude(pk=exclude or 0)
        .values_list("slug", flat=True)
    )
    slug, n = base, 2
    while slug in taken:
        slug = f"{base}-{n}"
        n += 1
    return slug


def _clean_title(title: str) -> str:
    value = check_line((title or "").strip(), "title")
    if not value:
        raise InvalidInput(_("An article needs a title."), field="title")
    if len(value) > MAX_TITLE:
        raise InvalidInput(_("The title is too long."), field="title")
    return value


def _clean_body(body: str) -> str:
    value = check_text(body or "", "body")
    if len(value) > MAX_BODY:
        raise InvalidInput(_("The body is too long."), field="body")
    return value


def _clean_tags(tags: Iterable[str], field: str = "tags") -> list[str]:
    out: list[str] = []
    for raw in tags:
        tag = check_line(str(raw).strip(), field)[:MAX_TAG]
        if tag and tag not in out:
            out.append(tag)
    if len(out) > MAX_TAGS:
        raise InvalidInput(_("Too many tags."), field=field)
    return out


def _clean_category(brand_id: int, category: Category | int | str | None) -> Category | None:
    """A category of the brand by row, id or slug; 422 naming ``category`` otherwise."""
    if category is None or category == "":
        return None
    if isinstance(category, Category):
        found: Category | None = category if category.brand_id == brand_id else None
    elif isinstance(category, int) or str(category).isdigit():
        found = Category.objects.filter(brand_id=brand_id, pk=int(category)).first()
    else:
        found = Category.objects.filter(brand_id=brand_id, slug=str(category)).first()
    if found is None:
        raise InvalidInput(_("No such category in this brand."), field="category")
    return found


def _write_version(article: Article, actor: Agent | None, note: str) -> None:
    ArticleVersion.objects.create(
        article=article,
        number=article.version,
        title=article.title,
        body=article.body,
        status=article.status,
        author=actor,
        note=check_line(note or "", "note")[:300],
    )


def check_may_set_status(agent: Agent, brand_id: int, status: str, current: str | None) -> None:
    """403 unless ``agent`` may put an article of the brand in ``status`` (from ``current``;
    ``None``: a new article)."""
    if status not in ArticleStatus.values:
        raise InvalidInput(_("Not an article state: %(s)s") % {"s": status[:20]}, field="status")
    manager = permissions.may_manage_knowledge(agent, brand_id)
    if current is None:
        if status in (ArticleStatus.DRAFT, ArticleStatus.IN_REVIEW) or manager:
            return
    else:
        who = _TRANSITIONS.get(current, {}).get(status)
        if who is None:
            raise InvalidInput(
                _("An article cannot go from %(a)s to %(b)s.")
                % {"a": ArticleStatus(current).label, "b": ArticleStatus(status).label},
                field="status",
            )
        if who == "agent" or manager:
            return
    raise Forbidden(
        _("Only knowledge managers can publish, archive or unpublish articles."), field="status"
    )


def do_create_article(
    *,
    brand_id: int,
    actor: Agent,
    title: str,
    body: str,
    language: str,
    category: Category | int | str | None = None,
    status: str = ArticleStatus.DRAFT,
    internal: bool = False,
    translation_of: Article | int | None = None,
    tags: Iterable[str] = (),
    products: Iterable[str] = (),
    intent: str = "",
    note: str = "",
) -> Article:
    """A new article (or a new translation of ``translation_of``), version 1."""
    permissions.check_brand(actor, brand_id)
    check_may_set_status(actor, brand_id, status, None)
    lang = clean_language(language)
    source: Article | None = None
    if translation_of is not None:
        source_id = translation_of.pk if isinstance(translation_of, Article) else translation_of
        source = Article.objects.filter(pk=source_id, brand_id=brand_id).first()
        if source is None:
            raise InvalidInput(_("No such article in this brand."), field="translation_of")
        if source.translation_of_id is not None:
            raise InvalidInput(
                _("Translate the source article, not one of its translations."),
                field="translation_of",
            )
        if source.language == lang or source.translations.filter(language=lang).exists():
            raise InvalidInput(
                _("This article already has a version in %(lang)s.") % {"lang": lang},
                field="language",
            )
    cat = _clean_category(brand_id, category)
    clean_title = _clean_title(title)
    article = Article.objects.create(
        brand_id=brand_id,
        translation_of=source,
        language=lang,
        title=clean_title,
        slug=unique_slug(brand_id, lang, clean_title),
        body=_clean_body(body),
        body_html=render_markdown(body),
        category=cat if cat is not None else (source.category if source is not None else None),
        tags=_clean_tags(tags),
        products=_clean_tags(products, "products"),
        intent=check_line(intent or "", "intent")[:100],
        internal=bool(internal) if source is None else source.internal,
        status=status,
        version=1,
        source_version=source.version if source is not None else None,
        author=actor,
        published_at=timezone.now() if status == ArticleStatus.PUBLISHED else None,
    )
    _write_version(article, actor, note)
    if status == ArticleStatus.PUBLISHED:
        _notify_search(brand_id, [article.pk])
    return article


_EDITABLE = {"title", "body", "category", "tags", "products", "intent", "internal"}


def do_update_article(
    article: Article,
    *,
    actor: Agent,
    note: str = "",
    source_version: int | None = None,
    **changes: Any,
) -> Article:
    """Change an article's fields; a change of title or body is a new version (with who,
    when and ``note``). ``source_version``: a translator marks the translation as made from
    that version of the source (at most the source's current one)."""
    _check_edit(actor, article)
    unknown = set(changes) - _EDITABLE
    if unknown:
        raise InvalidInput(_("Not a field of an article."), field=sorted(unknown)[0])
    fields: set[str] = set()
    content = False
    if "title" in changes and changes["title"] is not None:
        title = _clean_title(changes["title"])
        if title != article.title:
            article.title = title
            article.slug = unique_slug(article.brand_id, article.language, title, article.pk)
            fields |= {"title", "slug"}
            content = True
    if "body" in changes and changes["body"] is not None:
        body = _clean_body(changes["body"])
        if body != article.body:
            article.body = body
            article.body_html = render_markdown(body)
            fields |= {"body", "body_html"}
            content = True
    if "category" in changes:
        cat = _clean_category(article.brand_id, changes["category"])
        article.category = cat
        fields.add("category")
    if changes.get("tags") is not None:
        article.tags = _clean_tags(changes["tags"])
        fields.add("tags")
    if changes.get("products") is not None:
        article.products = _clean_tags(changes["products"], "products")
        fields.add("products")
    if changes.get("intent") is not None:
        article.intent = check_line(str(changes["intent"]), "intent")[:100]
        fields.add("intent")
    if changes.get("internal") is not None:
        if article.translation_of_id is not None:
            raise InvalidInput(_("A translation is internal when its source is."), field="internal")
        article.internal = bool(changes["internal"])
        fields.add("internal")
    if source_version is not None:
        src = article.translation_of
        if src is None:
            raise InvalidInput(
                _("Only a translation has a source version."), field="source_version"
            )
        if not 1 <= source_version <= src.version:
            raise InvalidInput(
                _("The source has no version %(n)s.") % {"n": source_version},
                field="source_version",
            )
        article.source_version = source_version
        fields.add("source_version")
    if content:
        article.version += 1
        fields.add("version")
    if not fields:
        return article
    article.save(update_fields=[*sorted(fields), "updated_at"])
    if content:
        _write_version(article, actor, note)
    if "internal" in fields and article.translation_of_id is None:
        article.translations.update(internal=article.internal)
    if article.status == ArticleStatus.PUBLISHED:
        ids = [article.pk]
        if "internal" in fields:
            ids += list(article.translations.values_list("pk", flat=True))
        _notify_search(article.brand_id, ids)
    return article


def do_mark_up_to_date(translation: Article, *, actor: Agent) -> Article:
    """The translator says the translation says what the source's current version says."""
    if translation.translation_of is None:
        raise InvalidInput(_("Only a translation has a source version."), field="source_version")
    return do_update_article(
        translation, actor=actor, source_version=translation.translation_of.version
    )


def do_set_status(article: Article, status: str, *, actor: Agent) -> Article:
    """Move an article between draft, in review, published and archived (the rules in
    ``_TRANSITIONS``; publishing, archiving and unpublishing are the knowledge managers')."""
    permissions.check_brand(actor, article.brand_id)
    if status == article.status:
        return article
    check_may_set_status(actor, article.brand_id, status, article.status)
    was = article.status
    article.status = status
    fields = ["status", "updated_at"]
    if status == ArticleStatus.PUBLISHED:
        article.published_at = timezone.now()
        fields.append("published_at")
    article.save(update_fields=fields)
    if ArticleStatus.PUBLISHED in (was, status):
        _notify_search(article.brand_id, [article.pk])
    return article


def do_delete_article(article: Article, *, actor: Agent) -> None:
    """Delete an article; deleting a source deletes its translations too."""
    permissions.check_manages_knowledge(actor, article.brand_id)
    ids = [article.pk]
    if article.translation_of_id is None:
        ids += list(article.translations.values_list("pk", flat=True))
    brand_id = article.brand_id
    for att in ArticleAttachment.objects.filter(article_id__in=ids):
        att.file.delete(save=False)
    article.delete()
    _notify_search(brand_id, ids)


def versions_of(article: Article) -> list[ArticleVersion]:
    return list(article.versions.select_related("author__user").order_by("-number"))


# --- attachments ---------------------------------------------------------------------------


def attachment_url(att: ArticleAttachment) -> str:
    return reverse("knowledge:file", args=[att.pk, att.filename])


def _extension(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def _check_upload(upload: UploadedFile, field: str, kinds: Collection[str], limit: int) -> str:
    name = (upload.name or "").replace("\\", "/").rsplit("/", 1)[-1]
    ext = _extension(name)
    if ext not in kinds:
        raise InvalidInput(
            _("This kind of file is not allowed (%(ext)s).") % {"ext": ext or "?"}, field=field
        )
    if (upload.size or 0) > limit:
        raise InvalidInput(
            _("The file is larger than %(mb)s MB.") % {"mb": limit // (1024 * 1024)}, field=field
        )
    if ext in _MAGIC:
        upload.seek(0)
        head = upload.read(16)
        upload.seek(0)
        if not any(head.startswith(m) for m in _MAGIC[ext]):
            raise InvalidInput(_("This file is not the image its name says."), field=field)
    return name


def do_add_attachment(article: Article, upload: UploadedFile, *, actor: Agent) -> ArticleAttachment:
    """Store a file with the article (images up to 10 MB: png, jpeg, gif, webp; pdf, txt,
    csv, zip). Its URL (:func:`attachment_url`) may be used in the body."""
    _check_edit(actor, article)
    name = _check_upload(upload, "file", ATTACHMENT_TYPES, MAX_ATTACHMENT_BYTES)
    safe = re.sub(r"[^\w.\-]+", "_", name)[:200] or "file"
    att = ArticleAttachment(
        article=article,
        filename=safe,
        content_type=ATTACHMENT_TYPES.get(_extension(safe), ""),
        size=upload.size or 0,
    )
    att.file.save(safe, upload, save=False)
    att.save()
    return att


def do_delete_attachment(att: ArticleAttachment, *, actor: Agent) -> None:
    _check_edit(actor, att.article)
    att.file.delete(save=False)
    att.delete()


# --- categories and sections ---------------------------------------------------------------


def _clean_names(names: dict[str, str], field: str = "names") -> dict[str, str]:
    out: dict[str, str] = {}
    for lang, name in (names or {}).items():
        value = check_line(str(name or "").strip(), field)[:200]
        if value:
            out[clean_language(str(lang), field)] = value
    return out


def _category_slug(brand_id: int, wanted: str, names: dict[str, str], exclude: int | None) -> str:
    base = slugify(wanted or next(iter(names.values()), ""), allow_unicode=False)[:70]
    base = base.strip("-") or "category"
    taken = set(
        Category.objects.filter(brand_id=brand_id, slug__startswith=base)
        .exclude(pk=exclude or 0)
        .values_list("slug", flat=True)
    )
    if wanted and slugify(wanted) in taken:
        raise InvalidInput(_("Another category has this slug."), field="slug")
    slug, n = base, 2
    while slug in taken:
        slug = f"{base}-{n}"
        n += 1
    return slug


def _clean_parent(
    brand_id: int, parent: Category | int | None, exclude: int | None
) -> Category | None:
    if parent is None or parent == "":
        return None
    pid = parent.pk if isinstance(parent, Category) else int(parent)
    found = Category.objects.filter(brand_id=brand_id, pk=pid).first()
    if found is None or found.pk == exclude:
        raise InvalidInput(_("No such category in this brand."), field="parent")
    if found.parent_id is not None:
        raise InvalidInput(_("A section belongs to a category, not to a section."), field="parent")
    return found


def do_create_category(
    *,
    brand_id: int,
    actor: Agent,
    names: dict[str, str],
    slug: str = "",
    parent: Category | int | None = None,
    descriptions: dict[str, str] | None = None,
    position: int = 0,
) -> Category:
    """A category (or, with ``parent``, a section of it); ``names`` per language."""
    permissions.check_manages_knowledge(actor, brand_id)
    clean = _clean_names(names)
    if not clean:
        raise InvalidInput(_("A category needs a name."), field="names")
    return Category.objects.create(
        brand_id=brand_id,
        parent=_clean_parent(brand_id, parent, None),
        slug=_category_slug(brand_id, slug, clean, None),
        names=clean,
        descriptions=_clean_names(descriptions or {}, "descriptions"),
        position=max(0, int(position)),
    )


def do_update_category(category: Category, *, actor: Agent, **changes: Any) -> Category:
    permissions.check_manages_knowledge(actor, category.brand_id)
    if changes.get("names") is not None:
        clean = _clean_names(changes["names"])
        if not clean:
            raise InvalidInput(_("A category needs a name."), field="names")
        category.names = clean
    if changes.get("descriptions") is not None:
        category.descriptions = _clean_names(changes["descriptions"], "descriptions")
    if changes.get("slug"):
        category.slug = _category_slug(
            category.brand_id, changes["slug"], category.names, category.pk
        )
    if "parent" in changes:
        parent = _clean_parent(category.brand_id, changes["parent"], category.pk)
        if parent is not None and category.sections.exists():
            raise InvalidInput(
                _("A category with sections cannot become a section."), field="parent"
            )
        category.parent = parent
    if changes.get("position") is not None:
        category.position = max(0, int(changes["position"]))
    category.save()
    return category


def do_delete_category(category: Category, *, actor: Agent) -> None:
    """Delete a category and its sections; their articles stay, without a category."""
    permissions.check_manages_knowledge(actor, category.brand_id)
    ids = [category.pk, *category.sections.values_list("pk", flat=True)]
    affected = list(
        Article.objects.filter(category_id__in=ids, status=ArticleStatus.PUBLISHED).values_list(
            "pk", flat=True
        )
    )
    brand_id = category.brand_id
    category.delete()
    if affected:
        _notify_search(brand_id, affected)


def category_name(category: Category, language: str | None = None) -> str:
    """The category's name in ``language`` (default: the page's language; ``zh-hans``
    finds ``zh``), else English, else its first name, else its slug."""
    names = {str(k).lower(): str(v) for k, v in (category.names or {}).items() if v}
    wanted = (language or translation.get_language() or "").lower()
    for code in (wanted, wanted.split("-")[0], "en"):
        if code and code in names:
            return names[code]
    return next(iter(names.values()), category.slug)


# --- the help center -----------------------------------------------------------------------


def do_update_help_center(
    brand_id: int,
    *,
    actor: Agent,
    title: str | None = None,
    colour: str | None = None,
    logo: UploadedFile | None = None,
    remove_logo: bool = False,
    languages: Iterable[str] | None = None,
    fallback_chain: Iterable[str] | None = None,
    enabled: bool | None = None,
) -> HelpCenter:
    """The brand's help center: title, colour (``#rrggbb``), logo (png, jpeg, gif, webp up
    to 1 MB), the languages it offers and the fallback chain."""
    permissions.check_manages_knowledge(actor, brand_id)
    hc = HelpCenter.objects.filter(brand_id=brand_id).first() or HelpCenter(brand_id=brand_id)
    if title is not None:
        value = check_line(title.strip(), "title")
        if len(value) > 200:
            raise InvalidInput(_("The title is too long."), field="title")
        hc.title = value
    if colour is not None:
        if not _COLOUR.fullmatch(colour.strip()):
            raise InvalidInput(_("A colour is written #rrggbb, e.g. #2457d6."), field="colour")
        hc.colour = colour.strip().lower()
    if languages is not None:
        hc.languages = clean_languages(languages, "languages")
    if fallback_chain is not None:
        hc.fallback_chain = clean_languages(fallback_chain, "fallback_chain")
    if enabled is not None:
        hc.enabled = bool(enabled)
    if remove_logo and hc.logo:
        hc.logo.delete(save=False)
        hc.logo = ""  # type: ignore[assignment]
    if logo is not None:
        name = _check_upload(logo, "logo", IMAGE_TYPES, MAX_LOGO_BYTES)
        if hc.logo:
            hc.logo.delete(save=False)
        hc.logo.save(re.sub(r"[^\w.\-]+", "_", name)[:100], logo, save=False)
    hc.save()
    return hc
