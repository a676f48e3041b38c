"""API: custom field definitions (``/custom-fields``); the values are read and patched on
conversations and customers (docs/custom-fields.md)."""

from typing import Literal

from django.db import transaction
from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import ConfigDict, Field

from wowdesk.core import fields, permissions
from wowdesk.core.api import me
from wowdesk.core.models import CustomField, Role
from wowdesk.core.schemas import ERRORS

router = Router(tags=["custom fields"])

Kind = Literal["text", "number", "date", "dropdown", "multiselect", "checkbox"]
Target = Literal["conversation", "customer"]


class CustomFieldOut(Schema):
    id: int
    brand_id: int
    name: str
    key: str
    kind: str
    options: list[str]
    applies_to: str
    required_on_resolve: bool
    position: int
    archived: bool


class CustomFieldIn(Schema):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(..., min_length=1, max_length=100)
    key: str = Field(..., min_length=1, max_length=50)
    kind: Kind
    options: list[str] | None = Field(None, max_length=100)
    applies_to: Target
    required_on_resolve: bool = False
    brand_id: int | None = Field(None, ge=1, le=2**62)


class CustomFieldPatch(Schema):
    """A field's key, kind and what it applies to do not change (values are stored
    under them): sending one is refused."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(None, min_length=1, max_length=100)
    options: list[str] | None = Field(None, max_length=100)
    required_on_resolve: bool | None = None
    position: int | None = Field(None, ge=0, le=100_000)
    archived: bool | None = None


class FieldFilters(Schema):
    applies_to: Target | None = None
    archived: bool = Field(False, description="also the archived fields")


def out(row: CustomField) -> CustomFieldOut:
    return CustomFieldOut(
        id=row.pk,
        brand_id=row.brand_id,
        name=row.name,
        key=row.key,
        kind=row.kind,
        options=list(row.options or []),
        applies_to=row.applies_to,
        required_on_resolve=row.required_on_resolve,
        position=row.position,
        archived=row.archived,
    )


@router.get("/custom-fields", response={200: list[CustomFieldOut], **ERRORS})
def list_fields(request: HttpRequest, filters: Query[FieldFilters]) -> list[CustomFieldOut]:
    """The custom fields of your brands, in their order (every role reads them)."""
    qs = permissions.scope(CustomField.objects.all(), me(request))
    if filters.applies_to:
        qs = qs.filter(applies_to=filters.applies_to)
    if not filters.archived:
        qs = qs.filter(archived=False)
    return [out(r) for r in qs.order_by("brand_id", "applies_to", "position", "id")]


@router.post("/custom-fields", response={201: CustomFieldOut, **ERRORS})
@transaction.atomic
def create_field(request: HttpRequest, payload: CustomFieldIn) -> Status[CustomFieldOut]:
    """A new field (administrators of the brand)."""
    brand_id = permissions.pick_brand(me(request), payload.brand_id, role=Role.ADMIN)
    row = fields.create_field(
        brand_id=brand_id,
        name=payload.name,
        key=payload.key,
        kind=payload.kind,
        applies_to=payload.applies_to,
        options=payload.options,
        required_on_resolve=payload.required_on_resolve,
        actor=me(request),
    )
    return Status(201, out(row))


def _get(request: HttpRequest, field_id: int, role: str | None = None) -> CustomField:
    return permissions.get_for_agent(CustomField.objects.all(), me(request), field_id, role=role)


@router.get("/custom-fields/{field_id}", response={200: CustomFieldOut, **ERRORS})
def get_field(request: HttpRequest, field_id: int) -> CustomFieldOut:
    return out(_get(request, field_id))


@router.patch("/custom-fields/{field_id}", response={200: CustomFieldOut, **ERRORS})
@transaction.atomic
def update_field(request: HttpRequest, field_id: int, payload: CustomFieldPatch) -> CustomFieldOut:
    """Rename, change the options, the required flag, the position, archive or restore
    (administrators of the brand)."""
    row = _get(request, field_id, role=Role.ADMIN)
    return out(
        fields.update_field(row, actor=me(request), **payload.model_dump(exclude_unset=True))
    )


@router.delete("/custom-fields/{field_id}", response={204: None, **ERRORS})
@transaction.atomic
def archive_field(request: HttpRequest, field_id: int) -> Status[None]:
    """Archive the field (administrators of the brand): it is no longer shown or set, and
    the values stored under its key stay (restore with ``PATCH {"archived": false}``)."""
    row = _get(request, field_id, role=Role.ADMIN)
    fields.update_field(row, actor=me(request), archived=True)
    return Status(204, None)
