"""API: customers (the CRM profile), identities, purchases, merge."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import Field

from wowdesk.core import permissions
from wowdesk.core.api import me
from wowdesk.core.errors import InvalidInput
from wowdesk.core.schemas import ERRORS, Line, SaneDate
from wowdesk.customers import services
from wowdesk.customers.models import Customer, IdentityKind, Purchase, VipTier

router = Router(tags=["customers"])

WARRANTY_SOON = dt.timedelta(days=30)


class IdentityOut(Schema):
    id: int
    kind: str
    value: str


class OrganizationOut(Schema):
    id: int
    name: str
    domain: str


class PurchaseOut(Schema):
    id: int
    product: str
    sku: str
    serial_number: str
    order_ref: str
    purchased_on: dt.date | None
    warranty_until: dt.date | None
    warranty_status: str
    amount: Decimal | None
    currency: str
    external_id: str


class ConversationBrief(Schema):
    id: int
    number: int
    subject: str
    status: str
    channel: str
    created_at: dt.datetime
    updated_at: dt.datetime


class CustomerSummary(Schema):
    id: int
    name: str
    email: str
    phone: str
    language: str
    vip_tier: str
    organization: OrganizationOut | None


class CustomerOut(CustomerSummary):
    brand_id: int
    timezone: str
    notes: str
    # the brand's custom fields, key -> value (docs/custom-fields.md)
    custom_fields: dict[str, Any] = {}
    merged_into_id: int | None
    identities: list[IdentityOut]
    purchases: list[PurchaseOut]
    conversations: list[ConversationBrief]
    created_at: dt.datetime


class CustomersOut(Schema):
    items: list[CustomerSummary]
    total: int
    page: int
    page_size: int


def warranty_status(p: Purchase, today: dt.date) -> str:
    if p.warranty_until is None:
        return "none"
    if p.warranty_until < today:
        return "expired"
    if p.warranty_until - today <= WARRANTY_SOON:
        return "expiring"
    return "active"


def _org(c: Customer) -> OrganizationOut | None:
    o = c.organization
    return OrganizationOut(id=o.pk, name=o.name, domain=o.domain) if o else None


def summary(c: Customer) -> CustomerSummary:
    return CustomerSummary(
        id=c.pk,
        name=c.name,
        email=c.email,
        phone=c.phone,
        language=c.language,
        vip_tier=c.vip_tier,
        organization=_org(c),
    )


def customer_out(c: Customer) -> CustomerOut:
    today = timezone.localdate()
    conversations = c.conversations.select_related("inbox").order_by("-updated_at")[:50]
    return CustomerOut(
        **summary(c).model_dump(),
        brand_id=c.brand_id,
        timezone=c.timezone,
        notes=c.notes,
        custom_fields=c.custom_fields or {},
        merged_into_id=c.merged_into_id,
        created_at=c.created_at,
        identities=[IdentityOut(id=i.pk, kind=i.kind, value=i.value) for i in c.identities.all()],
        purchases=[
            PurchaseOut(
                id=p.pk,
                product=p.product,
                sku=p.sku,
                serial_number=p.serial_number,
                order_ref=p.order_ref,
                purchased_on=p.purchased_on,
                warranty_until=p.warranty_until,
                warranty_status=warranty_status(p, today),
                amount=p.amount,
                currency=p.currency,
                external_id=p.external_id,
            )
            for p in c.purchases.all()
        ],
        conversations=[
            ConversationBrief(
                id=v.pk,
                number=v.number,
                subject=v.subject,
                status=v.status,
                channel=v.inbox.channel,
                created_at=v.created_at,
                updated_at=v.updated_at,
            )
            for v in conversations
        ],
    )


def _get(request: HttpRequest, customer_id: int) -> Customer:
    qs = Customer.objects.select_related("organization").prefetch_related("identities", "purchases")
    return permissions.get_for_agent(qs, me(request), customer_id)


@router.get("/customers", response={200: CustomersOut, **ERRORS})
def list_customers(
    request: HttpRequest,
    q: str = "",
    page: int = Query(1, ge=1, le=100_000),
    page_size: int = Query(25, ge=1, le=100),
) -> CustomersOut:
    qs = permissions.scope(Customer.objects.filter(merged_into__isnull=True), me(request))
    qs = services.search_customers(qs, q[:200]).select_related("organization")
    total = qs.count()
    start = (page - 1) * page_size
    items = [summary(c) for c in qs.order_by("name", "id")[start : start + page_size]]
    return CustomersOut(items=items, total=total, page=page, page_size=page_size)


@router.get("/customers/{customer_id}", response={200: CustomerOut, **ERRORS})
def get_customer(request: HttpRequest, customer_id: int) -> CustomerOut:
    return customer_out(_get(request, customer_id))


class CustomerIn(Schema):
    name: Line = Field("", max_length=200)
    email: Line = Field("", max_length=320)
    phone: Line = Field("", max_length=40)
    handle: Line = Field("", max_length=320)
    language: str = Field("", max_length=16)
    timezone: str = Field("", max_length=64)
    vip_tier: VipTier = VipTier.NONE
    organization: Line = Field("", max_length=200)
    brand_id: int | None = Field(None, ge=1, le=2**62)


@router.post("/customers", response={201: CustomerOut, 200: CustomerOut, **ERRORS})
@transaction.atomic
def create_customer(request: HttpRequest, payload: CustomerIn) -> Status[CustomerOut]:
    """Create a customer, or return the existing one that owns one of these identities."""
    brand_id = permissions.pick_brand(me(request), payload.brand_id)
    contact = services.Contact(
        name=payload.name, email=payload.email, phone=payload.phone, handle=payload.handle
    )
    customer, created = services.resolve_customer(brand_id, contact)
    org_id = None
    if payload.organization.strip():
        org_id = services.create_organization(
            brand_id=brand_id, name=payload.organization, actor=me(request)
        ).pk
    services.update_customer(
        customer,
        actor=me(request),
        language=payload.language or None,
        timezone=payload.timezone or None,
        vip_tier=payload.vip_tier or None,
        organization_id=org_id,
    )
    return Status(201 if created else 200, customer_out(_get(request, customer.pk)))


class CustomerPatch(Schema):
    name: Line | None = Field(None, max_length=200)
    language: str | None = Field(None, max_length=16)
    timezone: str | None = Field(None, max_length=64)
    vip_tier: VipTier | None = None
    notes: str | None = Field(None, max_length=20_000)
    organization: Line | None = Field(None, max_length=200)
    custom_fields: dict[str, Any] | None = Field(
        None,
        description="Custom field values to set, merged into the customer's; null removes a key.",
    )


@router.patch("/customers/{customer_id}", response={200: CustomerOut, **ERRORS})
@transaction.atomic
def update_customer(request: HttpRequest, customer_id: int, payload: CustomerPatch) -> CustomerOut:
    customer = _get(request, customer_id)
    data = payload.model_dump(exclude_unset=True)
    org = data.pop("organization", None)
    if org:
        data["organization_id"] = services.create_organization(
            brand_id=customer.brand_id, name=org, actor=me(request)
        ).pk
    services.update_customer(customer, actor=me(request), **data)
    return customer_out(_get(request, customer_id))


class CustomerMergeIn(Schema):
    source_id: int = Field(..., ge=1, le=2**62)


@router.post("/customers/{customer_id}/merge", response={200: CustomerOut, **ERRORS})
@transaction.atomic
def merge_customer(request: HttpRequest, customer_id: int, payload: CustomerMergeIn) -> CustomerOut:
    """Merge customer ``source_id`` into this one: identities, conversations and purchases
    move here; the source stays as a tombstone (``merged_into_id``)."""
    target = _get(request, customer_id)
    source = _get(request, payload.source_id)
    services.merge_customers(target, source, actor=me(request))
    return customer_out(_get(request, customer_id))


class IdentityIn(Schema):
    kind: IdentityKind
    value: Line = Field(..., min_length=1, max_length=320)


@router.post("/customers/{customer_id}/identities", response={201: IdentityOut, **ERRORS})
@transaction.atomic
def add_identity(
    request: HttpRequest, customer_id: int, payload: IdentityIn
) -> Status[IdentityOut]:
    customer = _get(request, customer_id)
    i = services.add_identity(customer, kind=payload.kind, value=payload.value, actor=me(request))
    return Status(201, IdentityOut(id=i.pk, kind=i.kind, value=i.value))


class PurchaseIn(Schema):
    product: Line = Field(..., min_length=1, max_length=200)
    sku: Line = Field("", max_length=64)
    serial_number: Line = Field("", max_length=100)
    order_ref: Line = Field("", max_length=100)
    purchased_on: SaneDate | None = None
    warranty_until: SaneDate | None = None
    amount: Decimal | None = Field(None, ge=0, le=Decimal("9999999999"), decimal_places=2)
    currency: str = Field("", max_length=3)
    external_id: Line = Field("", max_length=100)


@router.post("/customers/{customer_id}/purchases", response={201: PurchaseOut, **ERRORS})
@transaction.atomic
def add_purchase(
    request: HttpRequest, customer_id: int, payload: PurchaseIn
) -> Status[PurchaseOut]:
    """Push a purchase / device / warranty; the same ``external_id`` again updates it."""
    customer = _get(request, customer_id)
    if customer.merged_into_id is not None:
        raise InvalidInput(
            _("This customer was merged; use the surviving record."), field="customer_id"
        )
    p = services.add_purchase(
        customer, services.PurchaseInput(**payload.model_dump()), actor=me(request)
    )
    return Status(
        201,
        PurchaseOut(
            id=p.pk,
            product=p.product,
            sku=p.sku,
            serial_number=p.serial_number,
            order_ref=p.order_ref,
            purchased_on=p.purchased_on,
            warranty_until=p.warranty_until,
            warranty_status=warranty_status(p, timezone.localdate()),
            amount=p.amount,
            currency=p.currency,
            external_id=p.external_id,
        ),
    )
