"""Outgoing webhooks: every change to a subscription, the delivery rows written in the
event's transaction, and the signed POSTs sent after it with retries.

A delivery is ``{"id", "event", "created_at", "brand_id", "data"}``: ``data`` is the
event's payload plus a snapshot of what it is about (the message, the conversation, the
customer, the alert), read when the delivery is first sent and kept, so every retry sends
the same bytes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import ipaddress
import json
import logging
import secrets
import socket
import time
import uuid
from typing import Any
from urllib.parse import urlsplit

import httpx
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from wowdesk.core import audit
from wowdesk.core.brand_cache import BrandCache
from wowdesk.core.errors import ServiceError
from wowdesk.core.events import PUBLIC, Event
from wowdesk.core.models import Agent, AlertKind
from wowdesk.webhooks.models import DeliveryStatus, Webhook, WebhookAttempt, WebhookDelivery

log = logging.getLogger(__name__)

TIMEOUT = 10.0
# Waits before each retry: the first within a minute, the last six hours later.
BACKOFF = (
    dt.timedelta(seconds=30),
    dt.timedelta(minutes=2),
    dt.timedelta(minutes=10),
    dt.timedelta(hours=1),
    dt.timedelta(hours=6),
)
MAX_ATTEMPTS = len(BACKOFF) + 1
# Failed attempts in a row after which the webhook is disabled and the admins alerted.
DISABLE_AFTER = 15
# How long a sender holds a delivery it is sending (another sender leaves it alone).
LEASE = dt.timedelta(seconds=60)
MAX_URL = 2000
MAX_ERROR = 500
PUBLIC_NAMES = {e.value for e in PUBLIC}


# --- subscriptions (the cache the in-transaction listener reads) ----------------------


def _load_subscriptions() -> dict[int, dict[str, list[int]]]:
    table: dict[int, dict[str, list[int]]] = {}
    rows = Webhook.objects.filter(active=True).values_list("id", "brand_id", "events")
    for pk, brand_id, events in rows:
        for name in events or ():
            table.setdefault(brand_id, {}).setdefault(name, []).append(pk)
    return table


subscriptions: BrandCache[dict[str, list[int]]] = BrandCache("webhooks", _load_subscriptions)


def queue(event: Event, payload: dict[str, Any]) -> list[WebhookDelivery]:
    """One delivery row per active webhook of the brand subscribed to ``event``, in the
    caller's transaction; sent once it commits. No query when there is none."""
    brand_id = payload.get("brand_id")
    if brand_id is None:
        return []
    ids = (subscriptions.get(int(brand_id)) or {}).get(event.value)
    if not ids:
        return []
    now = timezone.now()
    clean = json.loads(json.dumps(payload, cls=DjangoJSONEncoder))
    rows = WebhookDelivery.objects.bulk_create(
        [
            WebhookDelivery(
                webhook_id=pk,
                brand_id=brand_id,
                uid=str(uuid.uuid4()),
                event=event.value,
                payload=clean,
                created_at=now,
                next_attempt_at=now,
            )
            for pk in ids
        ]
    )
    uids = [r.uid for r in rows]
    transaction.on_commit(lambda: _enqueue_uids(uids))
    return rows


def _enqueue_uids(uids: list[str]) -> None:
    from wowdesk.webhooks.tasks import deliver_webhook_task

    for pk in WebhookDelivery.objects.filter(uid__in=uids).values_list("id", flat=True):
        deliver_webhook_task.enqueue(pk)


# --- the webhook itself ---------------------------------------------------------------


def check_url(url: str) -> str:
    url = (url or "").strip()
    if len(url) > MAX_URL:
        raise ServiceError(_("The URL is too long."), field="url", code="invalid")
    try:
        parts = urlsplit(url)
        scheme, host = parts.scheme, parts.hostname
        parts.port  # noqa: B018 (raises on a port that is no number)
    except ValueError:
        scheme, host = "", None
    if scheme not in ("http", "https") or not host:
        raise ServiceError(
            _("The URL must start with http:// or https:// and name a host."),
            field="url",
            code="invalid",
        )
    if any(c.isspace() or ord(c) < 32 for c in url):
        raise ServiceError(_("The URL must not contain spaces."), field="url", code="invalid")
    if not settings.CONFIG.webhook_private and _names_local(host):
        raise ServiceError(
            _(
                "The URL points at this server or its private network; the installation "
                "allows that only with WOWDESK_WEBHOOK_PRIVATE=1."
            ),
            field="url",
            code="invalid",
        )
    return url


_SHARED = ipaddress.ip_network("100.64.0.0/10")


def _local_address(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Loopback, private, link-local (cloud metadata), unspecified, reserved, multicast;
    an IPv4 address mapped into IPv6 is judged as itself."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return (
        ip.is_private
        or ip in _SHARED  # carrier-grade NAT: inside someone's network too
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_unspecified
        or ip.is_reserved
        or ip.is_multicast
    )


def _names_local(host: str) -> bool:
    """Whether a URL's host is, as written, a local name or a local address literal."""
    name = host.strip("[]").rstrip(".").lower()
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return _local_address(ipaddress.ip_address(name))
    except ValueError:
        return False  # a name: resolved and judged at each delivery


def _resolves_local(url: str) -> bool:
    """Whether the URL's host resolves to a local address now (checked before each
    delivery, so a name that later points inside is refused then)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if _names_local(host):
        return True
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, ValueError, UnicodeError):
        return False  # unresolvable: the POST fails and is retried like any other error
    for info in infos:
        try:
            if _local_address(ipaddress.ip_address(str(info[4][0]).split("%")[0])):
                return True
        except ValueError:
            continue
    return False


def check_events(events: list[str]) -> list[str]:
    if not isinstance(events, list) or not events:
        raise ServiceError(_("Choose at least one event."), field="events", code="invalid")
    for name in events:
        if name not in PUBLIC_NAMES:
            raise ServiceError(
                _("Unknown event: %(e)s.") % {"e": str(name)[:64]}, field="events", code="invalid"
            )
    return sorted(set(events), key=[e.value for e in PUBLIC].index)


def _description(text: str) -> str:
    from wowdesk.core.input import check_line

    return check_line(text or "", "description", max_length=200).strip()


def create_webhook(
    *, brand_id: int, url: str, events: list[str], description: str = "", actor: Agent | None
) -> Webhook:
    hook = Webhook.objects.create(
        brand_id=brand_id,
        url=check_url(url),
        events=check_events(events),
        description=_description(description),
        secret=secrets.token_hex(32),
        created_by=actor,
    )
    audit.record(
        action="webhook.create",
        obj=hook,
        actor=actor,
        brand_id=brand_id,
        after={"url": hook.url, "events": hook.events},
    )
    subscriptions.changed()
    return hook


def update_webhook(hook: Webhook, *, actor: Agent | None, **fields: Any) -> Webhook:
    """Change url, events, description, active. Enabling it again starts the failure
    count afresh."""
    before = {"url": hook.url, "events": hook.events, "active": hook.active}
    if fields.get("url") is not None:
        hook.url = check_url(fields["url"])
    if fields.get("events") is not None:
        hook.events = check_events(fields["events"])
    if fields.get("description") is not None:
        hook.description = _description(fields["description"])
    if fields.get("active") is not None:
        active = bool(fields["active"])
        if active and not hook.active:
            hook.failure_count = 0
            hook.disabled_reason = ""
        hook.active = active
    hook.save()
    after = {"url": hook.url, "events": hook.events, "active": hook.active}
    b, a = audit.diff(before, after)
    if a:
        audit.record(
            action="webhook.update",
            obj=hook,
            actor=actor,
            brand_id=hook.brand_id,
            before=b,
            after=a,
        )
    subscriptions.changed()
    return hook


def delete_webhook(hook: Webhook, *, actor: Agent | None) -> None:
    audit.record(
        action="webhook.delete",
        obj=hook,
        actor=actor,
        brand_id=hook.brand_id,
        before={"url": hook.url, "events": hook.events},
    )
    hook.delete()
    subscriptions.changed()


def redeliver(delivery: WebhookDelivery, *, actor: Agent | None) -> WebhookDelivery:
    """Send a delivery again (same id and body), now, whatever became of it."""
    delivery.status = DeliveryStatus.PENDING
    delivery.next_attempt_at = timezone.now()
    delivery.save(update_fields=["status", "next_attempt_at"])
    audit.record(
        action="webhook.redeliver",
        obj=delivery,
        actor=actor,
        brand_id=delivery.brand_id,
        after={"delivery": delivery.uid},
    )
    pk = delivery.pk
    transaction.on_commit(lambda: _enqueue_one(pk))
    return delivery


def _enqueue_one(pk: int) -> None:
    from wowdesk.webhooks.tasks import deliver_webhook_task

    deliver_webhook_task.enqueue(pk)


# --- what is sent ---------------------------------------------------------------------


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """``sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">``."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"sha256={mac.hexdigest()}"


def _iso(value: dt.datetime | None) -> str | None:
    return value.astimezone(dt.UTC).isoformat() if value is not None else None


def _conversation(pk: Any) -> dict[str, Any] | None:
    from wowdesk.conversations.models import Conversation

    c = (
        Conversation.objects.select_related("assignee", "team")
        .prefetch_related("tags")
        .filter(pk=pk)
        .first()
    )
    if c is None:
        return None
    return {
        "id": c.pk,
        "number": c.number,
        "subject": c.subject,
        "status": c.status,
        "priority": c.priority,
        "assignee": {"id": c.assignee.pk, "name": c.assignee.display_name} if c.assignee else None,
        "team": {"id": c.team.pk, "name": c.team.name} if c.team else None,
        "tags": sorted(t.name for t in c.tags.all()),
        "customer_id": c.customer_id,
        "custom_fields": c.custom_fields or {},
        "created_at": _iso(c.created_at),
    }


def _message(pk: Any) -> dict[str, Any] | None:
    from wowdesk.conversations.models import Message

    m = Message.objects.select_related("conversation").filter(pk=pk).first()
    if m is None:
        return None
    return {
        "id": m.pk,
        "body": m.body,
        "direction": m.direction,
        "channel": m.channel,
        "created_at": _iso(m.created_at),
        "conversation_id": m.conversation_id,
        "conversation_number": m.conversation.number,
    }


def _customer(pk: Any) -> dict[str, Any] | None:
    from wowdesk.customers.models import Customer

    c = Customer.objects.filter(pk=pk).first()
    if c is None:
        return None
    return {
        "id": c.pk,
        "name": c.name,
        "email": getattr(c, "email", ""),
        "custom_fields": c.custom_fields or {},
    }


def _alert(pk: Any) -> dict[str, Any] | None:
    from wowdesk.core.alerts import message
    from wowdesk.core.models import Alert

    a = Alert.objects.filter(pk=pk).first()
    if a is None:
        return None
    return {
        "id": a.pk,
        "kind": a.kind,
        "text": message(a),
        "conversation_id": a.conversation_id,
        "created_at": _iso(a.created_at),
    }


def snapshot(event: str, payload: dict[str, Any]) -> dict[str, Any]:
    """The event's payload and what it is about, as it is now."""
    data = dict(payload)
    if "message_id" in payload:
        data["message"] = _message(payload["message_id"])
    if "conversation_id" in payload:
        data["conversation"] = _conversation(payload["conversation_id"])
    if event.startswith("customer."):
        data["customer"] = _customer(payload.get("customer_id"))
    if "alert_id" in payload:
        data["alert"] = _alert(payload["alert_id"])
    return data


def build_body(delivery: WebhookDelivery) -> str:
    return json.dumps(
        {
            "id": delivery.uid,
            "event": delivery.event,
            "created_at": _iso(delivery.created_at),
            "brand_id": delivery.brand_id,
            "data": snapshot(delivery.event, delivery.payload),
        },
        cls=DjangoJSONEncoder,
        ensure_ascii=False,
        separators=(",", ":"),
    )


# --- sending --------------------------------------------------------------------------


def _claim(delivery_id: int) -> tuple[WebhookDelivery, Webhook] | None:
    """Take a due delivery for one attempt (no other sender takes it meanwhile) and build
    its body on the first attempt. Its own short transaction."""
    now = timezone.now()
    with transaction.atomic():
        taken = WebhookDelivery.objects.filter(
            pk=delivery_id,
            status__in=(DeliveryStatus.PENDING, DeliveryStatus.RETRYING),
            next_attempt_at__lte=now,
        ).update(next_attempt_at=now + LEASE)
        if not taken:
            return None
        delivery = WebhookDelivery.objects.select_related("webhook").get(pk=delivery_id)
        hook = delivery.webhook
        if not hook.active:
            delivery.status = DeliveryStatus.FAILED
            delivery.next_attempt_at = None
            delivery.last_error = "webhook disabled"
            delivery.save(update_fields=["status", "next_attempt_at", "last_error"])
            return None
        if not delivery.body:
            delivery.body = build_body(delivery)
            delivery.save(update_fields=["body"])
    return delivery, hook


def _post(hook: Webhook, delivery: WebhookDelivery) -> tuple[int | None, str, int]:
    """POST the body; (status code or None, error, milliseconds). No transaction here."""
    body = delivery.body.encode()
    stamp = int(time.time())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "wowdesk-webhooks",
        "X-Wowdesk-Event": delivery.event,
        "X-Wowdesk-Delivery": delivery.uid,
        "X-Wowdesk-Timestamp": str(stamp),
        "X-Wowdesk-Signature": sign(hook.secret, stamp, body),
    }
    started = time.monotonic()
    if not settings.CONFIG.webhook_private and _resolves_local(hook.url):
        return None, "refused: the host is this server or its private network", 0
    try:
        with httpx.Client(timeout=TIMEOUT, follow_redirects=False) as client:
            response = client.post(hook.url, content=body, headers=headers)
        code: int | None = response.status_code
        error = "" if 200 <= response.status_code < 300 else f"HTTP {response.status_code}"
    except httpx.TimeoutException:
        code, error = None, "timeout"
    except httpx.HTTPError as exc:
        code, error = None, f"{type(exc).__name__}: {exc}"[:MAX_ERROR]
    return code, error, int((time.monotonic() - started) * 1000)


def deliver(delivery_id: int) -> WebhookDelivery | None:
    """One attempt of a due delivery: POSTed outside any transaction of ours, then the
    outcome recorded. Not due or taken by another sender: None."""
    claimed = _claim(delivery_id)
    if claimed is None:
        return None
    delivery, hook = claimed
    code, error, ms = _post(hook, delivery)
    return _record(delivery.pk, code, error, ms)


def _record(delivery_id: int, code: int | None, error: str, ms: int) -> WebhookDelivery:
    now = timezone.now()
    retry_at: dt.datetime | None = None
    with transaction.atomic():
        delivery = WebhookDelivery.objects.select_related("webhook").get(pk=delivery_id)
        hook = Webhook.objects.select_for_update().get(pk=delivery.webhook_id)
        WebhookAttempt.objects.create(
            delivery=delivery, at=now, status_code=code, error=error, duration_ms=ms
        )
        delivery.attempts += 1
        delivery.last_status_code = code
        delivery.last_error = error
        if not error:
            delivery.status = DeliveryStatus.DELIVERED
            delivery.delivered_at = now
            delivery.next_attempt_at = None
            if hook.failure_count:
                hook.failure_count = 0
                hook.save(update_fields=["failure_count"])
        else:
            if delivery.attempts < MAX_ATTEMPTS:
                delivery.status = DeliveryStatus.RETRYING
                retry_at = now + BACKOFF[delivery.attempts - 1]
                delivery.next_attempt_at = retry_at
            else:
                delivery.status = DeliveryStatus.FAILED
                delivery.next_attempt_at = None
            hook.failure_count += 1
            hook.save(update_fields=["failure_count"])
            if hook.active and hook.failure_count >= DISABLE_AFTER:
                _disable(hook, error)
        delivery.save()
    if retry_at is not None:
        from wowdesk.core.jobs import enqueue_later
        from wowdesk.webhooks.tasks import deliver_webhook_task

        enqueue_later(deliver_webhook_task, retry_at, delivery_id)
    return delivery


def _disable(hook: Webhook, error: str) -> None:
    from wowdesk.core.i18n import deferred, render
    from wowdesk.core.services import create_alert

    hook.active = False
    hook.disabled_reason = error[:MAX_ERROR]
    hook.save(update_fields=["active", "disabled_reason"])
    subscriptions.changed()  # before the alert: its own event is not queued for this one
    spec = deferred(
        gettext_noop("Webhook %(url)s disabled after %(n)s failed deliveries in a row (%(e)s)"),
        url=hook.url,
        n=hook.failure_count,
        e=error,
    )
    create_alert(
        hook.brand_id,
        AlertKind.WEBHOOK_DISABLED,
        render(spec),
        data={"webhook_id": hook.pk},
        i18n=spec,
    )
    audit.record(
        action="webhook.disable",
        obj=hook,
        actor=None,
        brand_id=hook.brand_id,
        after={"active": False, "reason": hook.disabled_reason},
    )


def deliver_due(limit: int = 200) -> int:
    """Every delivery whose time has come (the sweeper's backstop for lost tasks)."""
    ids = list(
        WebhookDelivery.objects.filter(
            status__in=(DeliveryStatus.PENDING, DeliveryStatus.RETRYING),
            next_attempt_at__lte=timezone.now(),
        )
        .order_by("next_attempt_at")
        .values_list("id", flat=True)[:limit]
    )
    return sum(1 for pk in ids if deliver(pk) is not None)
