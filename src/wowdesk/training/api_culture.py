"""API: culture cards.

* ``GET /api/v1/culture-cards?brand=``: the brand's own cards (every agent of the brand)
  and the built-in ones, each built-in one marked ``overridden`` when the brand has its
  own card for that country.
* ``GET /api/v1/culture-cards/lookup?brand=&country=&language=``: the card an agent is shown
  for a customer of that country (else language), or 404.
* ``POST /api/v1/culture-cards`` ``{"brand_id"?, "country"?, "language"?, "title", "body",
  "enabled"?}`` → 201; ``PATCH /api/v1/culture-cards/{id}`` (the fields given);
  ``DELETE /api/v1/culture-cards/{id}`` → 204. Supervisors and administrators of the
  brand.
"""

import datetime as dt

from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import Field

from wowdesk.core import permissions
from wowdesk.core.api import me
from wowdesk.core.errors import NotFound
from wowdesk.core.models import Role
from wowdesk.core.schemas import ERRORS
from wowdesk.training import culture_services, culture_texts
from wowdesk.training.models import CultureCard

router = Router(tags=["training"])


class CardIn(Schema):
    brand_id: int | None = Field(None, ge=1, le=2**62)
    country: str = Field("", max_length=2)
    language: str = Field("", max_length=16)
    title: str = Field(..., max_length=200)
    body: str = Field(..., max_length=4000)
    enabled: bool = True


class CardPatchIn(Schema):
    country: str | None = Field(None, max_length=2)
    language: str | None = Field(None, max_length=16)
    title: str | None = Field(None, max_length=200)
    body: str | None = Field(None, max_length=4000)
    enabled: bool | None = None


class CardOut(Schema):
    id: int
    brand_id: int
    country: str
    language: str
    title: str
    body: str
    enabled: bool
    updated_at: dt.datetime


class BuiltinOut(Schema):
    country: str
    languages: list[str]
    title: str
    lines: list[str]
    overridden: bool


class CardsOut(Schema):
    items: list[CardOut]
    builtin: list[BuiltinOut]


class ShownOut(Schema):
    title: str
    lines: list[str]
    country: str
    language: str
    card_id: int | None
    builtin: bool


class CardsQuery(Schema):
    brand: int | None = Field(None, ge=1, le=2**62)


class LookupQuery(Schema):
    brand: int | None = Field(None, ge=1, le=2**62)
    country: str = Field("", max_length=2)
    language: str = Field("", max_length=16)


def card_out(card: CultureCard) -> CardOut:
    return CardOut(
        id=card.pk,
        brand_id=card.brand_id,
        country=card.country,
        language=card.language,
        title=card.title,
        body=card.body,
        enabled=card.enabled,
        updated_at=card.updated_at,
    )


def builtin_out(own_countries: set[str]) -> list[BuiltinOut]:
    ui = get_language()
    out = []
    for card in culture_texts.CARDS:
        title, lines = culture_texts.card_text(card, ui)
        out.append(
            BuiltinOut(
                country=card.country,
                languages=list(card.languages),
                title=title,
                lines=list(lines),
                overridden=card.country in own_countries,
            )
        )
    return out


@router.get("/culture-cards", response={200: CardsOut, **ERRORS})
def list_cards(request: HttpRequest, filters: Query[CardsQuery]) -> CardsOut:
    agent = me(request)
    brand_id = permissions.pick_brand(agent, filters.brand)
    rows = list(culture_services.cards_of(agent, {brand_id})[:500])
    return CardsOut(
        items=[card_out(c) for c in rows],
        builtin=builtin_out({c.country for c in rows if c.country}),
    )


@router.get("/culture-cards/lookup", response={200: ShownOut, **ERRORS})
def lookup(request: HttpRequest, filters: Query[LookupQuery]) -> ShownOut:
    agent = me(request)
    brand_id = permissions.pick_brand(agent, filters.brand)
    shown = culture_services.card_for(
        brand_id, country=filters.country, language=filters.language, ui_language=get_language()
    )
    if shown is None:
        raise NotFound(_("No culture card for this country or language."), field="country")
    return ShownOut(
        title=shown.title,
        lines=list(shown.lines),
        country=shown.country,
        language=shown.language,
        card_id=shown.card_id,
        builtin=shown.builtin,
    )


@router.post("/culture-cards", response={201: CardOut, **ERRORS})
@transaction.atomic
def create_card(request: HttpRequest, payload: CardIn) -> Status[CardOut]:
    agent = me(request)
    brand_id = permissions.pick_brand(agent, payload.brand_id, role=Role.SUPERVISOR)
    card = culture_services.create_card(agent, brand_id, **payload.model_dump(exclude={"brand_id"}))
    return Status(201, card_out(card))


@router.patch("/culture-cards/{card_id}", response={200: CardOut, **ERRORS})
@transaction.atomic
def update_card(request: HttpRequest, card_id: int, payload: CardPatchIn) -> CardOut:
    values = {k: v for k, v in payload.model_dump(exclude_unset=True).items() if v is not None}
    card = culture_services.update_card(me(request), card_id, **values)
    return card_out(card)


@router.delete("/culture-cards/{card_id}", response={204: None, **ERRORS})
@transaction.atomic
def delete_card(request: HttpRequest, card_id: int) -> Status[None]:
    culture_services.delete_card(me(request), card_id)
    return Status(204, None)
