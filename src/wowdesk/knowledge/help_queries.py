"""What the public help center reads: a brand's help center, its languages, its categories
and the published public articles in a language (with the fallback chain), each page in a
few queries. Only published, non-internal articles are ever returned."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.http import Http404
from django.urls import reverse

from wowdesk.core.models import Brand
from wowdesk.knowledge.models import Article, ArticleStatus, Category, HelpCenter

RTL_LANGUAGES = {"ar", "arc", "ckb", "dv", "fa", "he", "iw", "ks", "ps", "sd", "ug", "ur", "yi"}


def norm(code: str) -> str:
    return (code or "").strip().lower().replace("_", "-")


def is_rtl(code: str) -> bool:
    return norm(code).split("-")[0] in RTL_LANGUAGES


def match_language(asked: str, available: Iterable[str]) -> str | None:
    """The available language that ``asked`` names: the same code, else the same base
    language (``es-MX`` → ``es``, ``zh-Hans`` → ``zh``)."""
    asked = norm(asked)
    if not asked:
        return None
    langs = list(available)
    for code in langs:
        if norm(code) == asked:
            return code
    base = asked.split("-")[0]
    for code in langs:
        if norm(code).split("-")[0] == base:
            return code
    return None


def ui_language(code: str) -> str:
    """The interface language for a content language: one of the installation's
    (``settings.LANGUAGES``: English, Simplified Chinese), else English, so a page's texts
    are never half in one language and half in another."""
    from django.conf import settings

    wanted = "zh-hans" if norm(code).startswith("zh") else norm(code)
    return wanted if wanted in {c for c, _name in settings.LANGUAGES} else "en"


@dataclass
class Site:
    """A brand's help center as the pages need it."""

    brand: Brand
    title: str
    colour: str
    logo_url: str
    languages: list[str]
    fallback: list[str] = field(default_factory=list)

    @property
    def default_language(self) -> str:
        return self.languages[0] if self.languages else self.brand.default_language

    def order(self, lang: str) -> list[str]:
        """Languages to show an article in, best first, for a reader of ``lang``."""
        out: list[str] = []
        for code in [lang, *self.fallback, self.brand.default_language]:
            if code and code not in out:
                out.append(code)
        return out


def public_articles() -> QuerySet[Article]:
    return Article.objects.filter(status=ArticleStatus.PUBLISHED, internal=False)


def site_for(slug: str) -> Site:
    """The help center of the brand with this slug (404: no such brand, or switched off).
    A brand without help-center settings has one with the brand's name and defaults."""
    brand = Brand.objects.filter(slug=slug).select_related("help_center").first()
    site = site_for_brand(brand) if brand is not None else None
    if site is None:
        raise Http404("no such help center")
    return site


def site_for_brand(brand: Brand) -> Site | None:
    """The brand's help center, None when it is switched off (no query for it when the
    brand was read with ``select_related("help_center")``)."""
    try:
        hc: HelpCenter | None = brand.help_center
    except HelpCenter.DoesNotExist:
        hc = None
    if hc is not None and not hc.enabled:
        return None
    langs = [norm(x) for x in (hc.languages if hc and hc.languages else []) if isinstance(x, str)]
    if not langs:
        langs = sorted(
            {
                norm(x)
                for x in public_articles()
                .filter(brand=brand)
                .values_list("language", flat=True)
                .distinct()
            }
        )
    default = norm(brand.default_language)
    if default in langs:
        langs.remove(default)
    langs.insert(0, default)
    colour = hc.colour if hc and _is_colour(hc.colour) else "#2457d6"
    return Site(
        brand=brand,
        title=(hc.title if hc and hc.title else "") or brand.name,
        colour=colour,
        logo_url=(
            reverse("help:logo", kwargs={"slug": brand.slug})
            + f"?v={int(hc.updated_at.timestamp())}"
            if hc and hc.logo and logo_type(hc.logo.name)
            else ""
        ),
        languages=langs,
        fallback=[norm(x) for x in (hc.fallback_chain if hc else []) if isinstance(x, str)],
    )


LOGO_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
}


def logo_type(name: str) -> str:
    """The image type a logo is served as; "" for anything else (an SVG may hold script)."""
    dot = (name or "").rfind(".")
    return LOGO_TYPES.get(name[dot:].lower(), "") if dot >= 0 else ""


def logo_of(slug: str) -> HelpCenter:
    """The help center whose logo to serve (404: none, switched off, or not an image)."""
    hc = HelpCenter.objects.filter(brand__slug=slug, enabled=True).first()
    if hc is None or not hc.logo or not logo_type(hc.logo.name):
        raise Http404("no logo")
    return hc


def default_site_slug() -> str | None:
    """``/help/``: the first brand (the install's default brand) whose help center is on
    and has a published public article; else the first whose help center is on."""
    off = HelpCenter.objects.filter(enabled=False).values_list("brand_id", flat=True)
    brands = Brand.objects.exclude(pk__in=off).order_by("id")
    stocked = brands.filter(pk__in=public_articles().values("brand_id"))
    return (
        stocked.values_list("slug", flat=True).first()
        or brands.values_list("slug", flat=True).first()
    )


def _is_colour(value: str) -> bool:
    return (
        len(value or "") == 7
        and value[0] == "#"
        and all(c in "0123456789abcdefABCDEF" for c in value[1:])
    )


def name_in(names: dict[str, str] | None, lang: str, site: Site) -> str:
    names = names or {}
    for code in site.order(lang):
        for key, value in names.items():
            if norm(key) == code and value:
                return value
    return next((v for v in names.values() if v), "")


@dataclass
class Node:
    category: Category
    name: str
    description: str
    sections: list[Node] = field(default_factory=list)
    articles: list[tuple[Article, str]] = field(default_factory=list)  # (row, its URL)


def categories(site: Site, lang: str) -> list[Node]:
    """Top categories with their sections (one query)."""
    rows = list(Category.objects.filter(brand=site.brand).order_by("position", "id"))
    nodes = {
        c.pk: Node(c, name_in(c.names, lang, site) or c.slug, name_in(c.descriptions, lang, site))
        for c in rows
    }
    top: list[Node] = []
    for c in rows:
        if c.parent_id is None:
            top.append(nodes[c.pk])
        elif c.parent_id in nodes:
            nodes[c.parent_id].sections.append(nodes[c.pk])
    return top


def best_rows(rows: Iterable[Article], site: Site, lang: str) -> list[Article]:
    """One row per article (source id): in ``lang``, else the fallback chain, else the
    brand's default language, else the source's; in the order of the first rows seen."""
    order = site.order(lang)
    rank = {code: i for i, code in enumerate(order)}
    best: dict[int, Article] = {}
    for row in rows:
        key = row.source_id
        current = best.get(key)
        if current is None or _rank(row, rank) < _rank(current, rank):
            best[key] = row
    return list(best.values())


def _rank(row: Article, rank: dict[str, int]) -> int:
    r = rank.get(norm(row.language))
    if r is not None:
        return r
    return len(rank) if row.translation_of_id is None else len(rank) + 1


def in_categories(site: Site, category_ids: list[int]) -> QuerySet[Article]:
    """Public rows of articles filed in these categories (a translation follows its source's
    category when it has none of its own)."""
    return (
        public_articles()
        .filter(brand=site.brand)
        .filter(
            Q(category_id__in=category_ids)
            | Q(category__isnull=True, translation_of__category_id__in=category_ids)
        )
        .only(
            "id",
            "title",
            "slug",
            "language",
            "translation_of",
            "category",
            "translation_of__category",
        )
        .select_related("translation_of")
        .order_by("id")
    )


def first_articles(site: Site, category_ids: list[int], count: int) -> list[Article]:
    """The rows :func:`in_categories` gives of its first ``count`` articles (in the order of
    each article's first row): what ``best_rows(...)[:count]`` shows, read through the
    category and source indexes (two small reads of ids) instead of every row of the
    brand."""
    ids = set(category_ids)
    filed = list(
        Article.objects.filter(category_id__in=ids).values_list(
            "id", "brand_id", "status", "internal", "translation_of_id"
        )
    )
    following = [
        row
        for row in Article.objects.filter(translation_of_id__in=[r[0] for r in filed]).values_list(
            "id", "brand_id", "status", "internal", "translation_of_id", "category_id"
        )
        if row[5] is None
    ]
    first: dict[int, int] = {}
    for pk, brand_id, status, internal, source in [*filed, *(r[:5] for r in following)]:
        if brand_id != site.brand.pk or status != ArticleStatus.PUBLISHED or internal:
            continue
        key = source or pk
        first[key] = min(first.get(key, pk), pk)
    chosen = set(sorted(first, key=first.__getitem__)[:count])
    rows = [r[0] for r in [*filed, *following] if (r[4] or r[0]) in chosen]
    return list(in_categories(site, category_ids).filter(pk__in=rows).order_by("id"))


def filed_under(row: Article) -> int | None:
    if row.category_id is not None:
        return row.category_id
    return row.translation_of.category_id if row.translation_of is not None else None


def article(site: Site, article_id: int) -> Article:
    """A public article row of this brand (404 for anything else: another brand's, a
    draft, an internal or archived one)."""
    row = (
        public_articles()
        .filter(brand=site.brand, pk=article_id)
        .select_related(
            "category",
            "category__parent",
            "translation_of__category__parent",
        )
        .first()
    )
    if row is None:
        raise Http404("no such article")
    return row


def translations(row: Article) -> list[Article]:
    """Every public row of the article (itself included), in any language."""
    source = row.source_id
    rows = (
        Article.objects.filter(Q(pk=source) | Q(translation_of_id=source))
        .only("id", "brand_id", "status", "internal", "slug", "language", "title", "translation_of")
        .order_by("language", "id")
    )  # by the primary key and the source index; the rest is checked here
    return [
        r
        for r in rows
        if r.brand_id == row.brand_id and r.status == ArticleStatus.PUBLISHED and not r.internal
    ]


def popular(site: Site, lang: str, limit: int = 6) -> list[Article]:
    rows = (
        public_articles()
        .filter(brand=site.brand, language__in=site.order(lang))
        .only("id", "title", "slug", "language", "translation_of", "view_count")
        .order_by("-view_count", "id")[: limit * 3]
    )
    return best_rows(rows, site, lang)[:limit]


def sitemap_rows(site: Site) -> list[Article]:
    return list(
        public_articles()
        .filter(brand=site.brand)
        .only("id", "slug", "language", "updated_at", "translation_of")
        .order_by("id")
    )
