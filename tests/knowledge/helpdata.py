"""Rows of a small help center, written directly (the tests need no editor)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from wowdesk.core.models import Brand
from wowdesk.knowledge.models import Article, ArticleStatus, Category, HelpCenter


def category(
    brand: Brand, slug: str, names: dict[str, str], parent: Category | None = None
) -> Category:
    return Category.objects.create(brand=brand, slug=slug, names=names, parent=parent)


def article(
    brand: Brand,
    title: str,
    *,
    language: str = "en",
    body: str = "",
    status: str = ArticleStatus.PUBLISHED,
    internal: bool = False,
    translation_of: Article | None = None,
    category: Category | None = None,
    slug: str = "",
    **kw: Any,
) -> Article:
    from django.utils.text import slugify

    body = body or f"All about {title}."
    return Article.objects.create(
        brand=brand,
        title=title,
        slug=slug or slugify(title, allow_unicode=True)[:100] or "a",
        language=language,
        body=body,
        body_html=f"<p>{body}</p>",
        status=status,
        internal=internal,
        translation_of=translation_of,
        category=category,
        published_at=timezone.now() if status == ArticleStatus.PUBLISHED else None,
        **kw,
    )


def help_center(brand: Brand, **kw: Any) -> HelpCenter:
    return HelpCenter.objects.create(brand=brand, **kw)


class Shop:
    """Brand ``acme``: en (default), es, ar; a category with a section; public, internal,
    draft and archived articles; a translation in draft."""

    def __init__(self, brand: Brand, other: Brand) -> None:
        self.brand, self.other = brand, other
        help_center(brand, title="Acme Help", colour="#0a7d3b", languages=["en", "es", "ar"])
        self.orders = category(brand, "orders", {"en": "Orders", "es": "Pedidos", "ar": "الطلبات"})
        self.returns = category(
            brand, "returns", {"en": "Returns", "es": "Devoluciones"}, parent=self.orders
        )
        self.track = article(
            brand,
            "Track your parcel",
            category=self.orders,
            body="Use the tracking link in your parcel email.",
        )
        self.track_es = article(
            brand,
            "Rastrea tu paquete",
            language="es",
            translation_of=self.track,
            body="Usa el enlace de seguimiento del correo de tu paquete.",
        )
        self.track_ar = article(
            brand, "تتبع طردك", language="ar", translation_of=self.track, body="استخدم رابط التتبع."
        )
        self.track_de = article(
            brand,
            "Paket verfolgen",
            language="de",
            translation_of=self.track,
            status=ArticleStatus.DRAFT,
        )
        self.refund = article(
            brand,
            "Refund a parcel",
            category=self.returns,
            body="Refunds for a parcel take five days.",
        )
        self.refund_es = article(
            brand,
            "Reembolso de un paquete",
            language="es",
            translation_of=self.refund,
            body="Los reembolsos de un paquete tardan cinco días.",
        )
        self.label = article(brand, "Print a return label for a parcel", category=self.returns)
        self.secret = article(brand, "Parcel override codes", category=self.orders, internal=True)
        self.draft = article(
            brand, "Parcel lockers draft", category=self.orders, status=ArticleStatus.DRAFT
        )
        self.old = article(
            brand, "Parcel old policy", category=self.orders, status=ArticleStatus.ARCHIVED
        )
        other_cat = category(other, "orders", {"en": "Orders"})
        self.foreign = article(other, "Globex parcel secrets", category=other_cat)

    @property
    def hidden(self) -> list[Article]:
        return [self.secret, self.draft, self.old, self.foreign, self.track_de]
