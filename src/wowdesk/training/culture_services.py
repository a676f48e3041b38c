"""The writer of ``CultureCard`` and the lookup of the card for a customer.

Supervisors and administrators of a brand add, change and delete its cards; every agent of
the brand reads them. A brand's card for a country (or, without a country, a language)
overrides the built-in card (``culture_texts.py``) for the same key. Changes are audited.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from wowdesk.core import audit, permissions
from wowdesk.core.errors import Conflict, InvalidInput
from wowdesk.core.input import check_line, check_text
from wowdesk.core.models import Agent
from wowdesk.training import culture_texts
from wowdesk.training.models import CultureCard

MAX_TITLE = 200
MAX_BODY = 4000
_FIELDS = ("country", "language", "title", "body", "enabled")


@dataclass(frozen=True)
class ShownCard:
    """A card as an agent reads it: the brand's own or a built-in one."""

    title: str
    lines: tuple[str, ...]
    country: str = ""
    language: str = ""
    card_id: int | None = None  # the brand's card; None for a built-in one
    builtin: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


def _snapshot(card: CultureCard) -> dict[str, Any]:
    return {f: getattr(card, f) for f in _FIELDS}


def _clean(values: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if "country" in values:
        raw = (values["country"] or "").strip()
        country = culture_texts.norm_country(raw)
        if raw and not country:
            raise InvalidInput(_("Two letters, e.g. JP."), field="country", code="invalid")
        out["country"] = country
    if "language" in values:
        raw = (values["language"] or "").strip().lower()
        check_line(raw, "language", max_length=16)
        if raw and not all(ch.isalnum() or ch == "-" for ch in raw):
            raise InvalidInput(_("A language code, e.g. ja."), field="language", code="invalid")
        out["language"] = raw
    if "title" in values:
        title = check_line((values["title"] or "").strip(), "title", max_length=MAX_TITLE)
        if not title:
            raise InvalidInput(_("This field is required."), field="title", code="required")
        out["title"] = title
    if "body" in values:
        body = check_text((values["body"] or "").strip(), "body", max_length=MAX_BODY)
        if not body:
            raise InvalidInput(_("This field is required."), field="body", code="required")
        out["body"] = body
    if "enabled" in values:
        out["enabled"] = bool(values["enabled"])
    return out


def _check_unique(brand_id: int, country: str, language: str, pk: int | None) -> None:
    if not country and not language:
        raise InvalidInput(_("Name a country or a language."), field="country", code="required")
    clash = CultureCard.objects.filter(brand_id=brand_id, country=country, language=language)
    if pk is not None:
        clash = clash.exclude(pk=pk)
    if clash.exists():
        raise Conflict(
            _("The brand already has a card for this country and language."),
            field="country",
            code="duplicate",
        )


def create_card(actor: Agent, brand_id: int, **values: Any) -> CultureCard:
    """Add a card to the brand (supervisors and administrators)."""
    permissions.check_manages_training(actor, brand_id)
    data = _clean({"country": "", "language": "", "enabled": True, **values})
    for required in ("title", "body"):
        if required not in data:
            raise InvalidInput(_("This field is required."), field=required, code="required")
    _check_unique(brand_id, data["country"], data["language"], None)
    card = CultureCard.objects.create(brand_id=brand_id, updated_by=actor, **data)
    audit.record(
        action="culture_card.created",
        obj=card,
        actor=actor,
        brand_id=brand_id,
        after=_snapshot(card),
    )
    return card


def get_card(actor: Agent, card_id: int, *, manage: bool = False) -> CultureCard:
    card = permissions.get_for_agent(CultureCard.objects.all(), actor, card_id)
    if manage:
        permissions.check_manages_training(actor, card.brand_id)
    return card


def update_card(actor: Agent, card_id: int, **values: Any) -> CultureCard:
    """Change a card's fields (those given)."""
    card = get_card(actor, card_id, manage=True)
    data = _clean(values)
    before = _snapshot(card)
    for key, value in data.items():
        setattr(card, key, value)
    _check_unique(card.brand_id, card.country, card.language, card.pk)
    card.updated_by = actor
    card.save()
    old, new = audit.diff(before, _snapshot(card))
    if new:
        audit.record(
            action="culture_card.updated",
            obj=card,
            actor=actor,
            brand_id=card.brand_id,
            before=old,
            after=new,
        )
    return card


def delete_card(actor: Agent, card_id: int) -> None:
    card = get_card(actor, card_id, manage=True)
    audit.record(
        action="culture_card.deleted",
        obj=card,
        actor=actor,
        brand_id=card.brand_id,
        before=_snapshot(card),
    )
    card.delete()


def cards_of(actor: Agent, brand_ids: set[int] | None = None) -> QuerySet[CultureCard]:
    """The cards ``actor`` reads (every agent of the brand), of ``brand_ids`` if given."""
    ids = permissions.visible_brand_ids(actor)
    if brand_ids is not None:
        ids = ids & brand_ids
    return CultureCard.objects.filter(brand_id__in=ids).select_related("updated_by")


def lines_of(body: str) -> tuple[str, ...]:
    return tuple(line.strip(" -•\t") for line in body.splitlines() if line.strip(" -•\t"))


def card_for(
    brand_id: int, *, country: str, language: str, ui_language: str | None
) -> ShownCard | None:
    """The card for a customer of ``country`` (else ``language``) in ``brand_id``: the
    brand's own enabled card for the country, else the built-in card of the country, else
    the brand's card for the language, else the built-in one of the language. A disabled
    brand card hides the built-in one for the same key. One query."""
    country = culture_texts.norm_country(country)
    lang = culture_texts.norm_language(language)
    if not country and not lang:
        return None
    rows = list(
        CultureCard.objects.filter(
            brand_id=brand_id, country__in=[country, ""] if country else [""]
        )
        .filter(language__in=["", lang] if lang else [""])
        .exclude(country="", language="")
        .order_by("id")
    )

    def shown(row: CultureCard) -> ShownCard | None:
        if not row.enabled:
            return None
        return ShownCard(
            title=row.title,
            lines=lines_of(row.body),
            country=row.country,
            language=row.language,
            card_id=row.pk,
        )

    def builtin(card: culture_texts.Builtin) -> ShownCard:
        title, lines = culture_texts.card_text(card, ui_language)
        return ShownCard(title=title, lines=lines, country=card.country, builtin=True)

    if country:
        mine = [r for r in rows if r.country == country]
        if mine:
            # the one for the customer's language first, then the country's general one
            best = next((r for r in mine if r.language == lang), None) or next(
                (r for r in mine if r.language == ""), None
            )
            if best is not None:
                return shown(best)
        card = culture_texts.BY_COUNTRY.get(country)
        if card is not None:
            return builtin(card)
    if lang:
        by_language = next((r for r in rows if r.country == "" and r.language == lang), None)
        if by_language is not None:
            return shown(by_language)
        card = culture_texts.builtin_for("", lang)
        if card is not None:
            return builtin(card)
    return None
