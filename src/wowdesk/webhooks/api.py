"""API: outgoing webhooks (administrators of the brand)."""

import datetime as dt

from django.db import transaction
from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import Field

from wowdesk.core import permissions
from wowdesk.core.api import me
from wowdesk.core.models import Role
from wowdesk.core.schemas import ERRORS
from wowdesk.webhooks import services
from wowdesk.webhooks.models import Webhook, WebhookDelivery

router = Router(tags=["webhooks"])


class WebhookIn(Schema):
    url: str = Field(..., max_length=services.MAX_URL)
    events: list[str] = Field(..., max_length=50)
    description: str = Field("", max_length=200)
    brand_id: int | None = Field(None, ge=1, le=2**62)


class WebhookPatch(Schema):
    url: str | None = Field(None, max_length=services.MAX_URL)
    events: list[str] | None = Field(None, max_length=50)
    description: str | None = Field(None, max_length=200)
    active: bool | None = None


class WebhookOut(Schema):
    id: int
    brand_id: int
    url: str
    events: list[str]
    description: str
    active: bool
    failure_count: int
    disabled_reason: str
    created_at: dt.datetime


class WebhookCreated(WebhookOut):
    secret: str


class AttemptOut(Schema):
    at: dt.datetime
    status_code: int | None
    error: str
    duration_ms: int


class DeliveryOut(Schema):
    id: int
    delivery_id: str
    event: str
    status: str
    attempts: int
    last_status_code: int | None
    last_error: str
    next_attempt_at: dt.datetime | None
    created_at: dt.datetime
    delivered_at: dt.datetime | None
    attempt_log: list[AttemptOut]


def webhook_out(hook: Webhook) -> WebhookOut:
    return WebhookOut(
        id=hook.pk,
        brand_id=hook.brand_id,
        url=hook.url,
        events=list(hook.events),
        description=hook.description,
        active=hook.active,
        failure_count=hook.failure_count,
        disabled_reason=hook.disabled_reason,
        created_at=hook.created_at,
    )


def delivery_out(d: WebhookDelivery) -> DeliveryOut:
    return DeliveryOut(
        id=d.pk,
        delivery_id=d.uid,
        event=d.event,
        status=d.status,
        attempts=d.attempts,
        last_status_code=d.last_status_code,
        last_error=d.last_error,
        next_attempt_at=d.next_attempt_at,
        created_at=d.created_at,
        delivered_at=d.delivered_at,
        attempt_log=[
            AttemptOut(at=a.at, status_code=a.status_code, error=a.error, duration_ms=a.duration_ms)
            for a in d.attempt_rows.all()
        ],
    )


def _hook(request: HttpRequest, webhook_id: int) -> Webhook:
    return permissions.get_for_agent(
        Webhook.objects.all(), me(request), webhook_id, role=Role.ADMIN
    )


@router.get("/webhooks", response={200: list[WebhookOut], **ERRORS})
def list_webhooks(request: HttpRequest) -> list[WebhookOut]:
    permissions.require_role(me(request), Role.ADMIN)
    qs = permissions.scope(Webhook.objects.all(), me(request), role=Role.ADMIN)
    return [webhook_out(h) for h in qs]


@router.post("/webhooks", response={201: WebhookCreated, **ERRORS})
@transaction.atomic
def create_webhook(request: HttpRequest, payload: WebhookIn) -> Status[WebhookCreated]:
    permissions.require_role(me(request), Role.ADMIN)
    brand_id = permissions.pick_brand(me(request), payload.brand_id, role=Role.ADMIN)
    hook = services.create_webhook(
        brand_id=brand_id,
        url=payload.url,
        events=payload.events,
        description=payload.description,
        actor=me(request),
    )
    return Status(201, WebhookCreated(**webhook_out(hook).model_dump(), secret=hook.secret))


@router.get("/webhooks/{webhook_id}", response={200: WebhookOut, **ERRORS})
def get_webhook(request: HttpRequest, webhook_id: int) -> WebhookOut:
    return webhook_out(_hook(request, webhook_id))


@router.patch("/webhooks/{webhook_id}", response={200: WebhookOut, **ERRORS})
@transaction.atomic
def update_webhook(request: HttpRequest, webhook_id: int, payload: WebhookPatch) -> WebhookOut:
    hook = _hook(request, webhook_id)
    services.update_webhook(hook, actor=me(request), **payload.model_dump(exclude_unset=True))
    return webhook_out(hook)


@router.delete("/webhooks/{webhook_id}", response={204: None, **ERRORS})
@transaction.atomic
def delete_webhook(request: HttpRequest, webhook_id: int) -> Status[None]:
    services.delete_webhook(_hook(request, webhook_id), actor=me(request))
    return Status(204, None)


@router.get("/webhooks/{webhook_id}/deliveries", response={200: list[DeliveryOut], **ERRORS})
def list_deliveries(request: HttpRequest, webhook_id: int, limit: int = 50) -> list[DeliveryOut]:
    hook = _hook(request, webhook_id)
    limit = max(1, min(limit, 200))
    qs = hook.deliveries.prefetch_related("attempt_rows").order_by("-id")[:limit]
    return [delivery_out(d) for d in qs]


@router.post(
    "/webhooks/{webhook_id}/deliveries/{delivery_id}/redeliver",
    response={202: DeliveryOut, **ERRORS},
)
@transaction.atomic
def redeliver(request: HttpRequest, webhook_id: int, delivery_id: int) -> Status[DeliveryOut]:
    hook = _hook(request, webhook_id)
    delivery = (
        WebhookDelivery.objects.filter(pk=delivery_id, webhook=hook)
        .prefetch_related("attempt_rows")
        .first()
    )
    if delivery is None:
        from django.utils.translation import gettext as _

        from wowdesk.core.errors import NotFound

        raise NotFound(_("Not found."), field="delivery_id")
    services.redeliver(delivery, actor=me(request))
    return Status(202, delivery_out(delivery))
