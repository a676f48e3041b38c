"""Lists of rules, webhooks and deliveries (API and pages): 50 rows cost the queries 5 do."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.conftest import ApiClient
from wowdesk.automations import services as automations
from wowdesk.core.models import Agent, Brand
from wowdesk.webhooks import services as webhooks
from wowdesk.webhooks.models import Webhook, WebhookAttempt, WebhookDelivery


def _count(call: Callable[[], Any]) -> int:
    call()  # warm: the session, the agent's roles
    with CaptureQueriesContext(connection) as q:
        response = call()
    assert response.status_code == 200, response.content
    return len(q.captured_queries)


def _rules(brand: Brand, start: int, n: int) -> None:
    for i in range(start, start + n):
        automations.create_rule(
            brand_id=brand.pk,
            name=f"Rule {i}",
            event="message.created",
            conditions=[{"field": "body", "op": "contains", "value": "x"}],
            actions=[{"type": "add_tag", "value": "x"}],
            actor=None,
        )


def _hooks(brand: Brand, n: int) -> None:
    for i in range(n):
        webhooks.create_webhook(
            brand_id=brand.pk,
            url=f"https://example.com/{i}",
            events=["message.created"],
            actor=None,
        )


def _deliveries(hook: Webhook, start: int, n: int) -> None:
    now = timezone.now()
    for i in range(start, start + n):
        d = WebhookDelivery.objects.create(
            webhook=hook,
            brand_id=hook.brand_id,
            uid=f"u{hook.pk}-{i}",
            event="message.created",
            payload={},
            created_at=now,
            status="retrying",
            attempts=2,
        )
        for code in (500, 502):
            WebhookAttempt.objects.create(delivery=d, at=now, status_code=code, duration_ms=3)


def test_rule_lists(brand: Brand, admin: Agent, admin_api: ApiClient) -> None:
    client = Client()
    client.force_login(admin.user)
    _rules(brand, 0, 5)
    few = (
        _count(lambda: admin_api.get("/automations")),
        _count(lambda: client.get("/settings/automations/")),
    )
    _rules(brand, 5, 45)
    many = (
        _count(lambda: admin_api.get("/automations")),
        _count(lambda: client.get("/settings/automations/")),
    )
    assert few == many


def test_webhook_lists(brand: Brand, admin: Agent, admin_api: ApiClient) -> None:
    client = Client()
    client.force_login(admin.user)
    _hooks(brand, 5)
    few = (
        _count(lambda: admin_api.get("/webhooks")),
        _count(lambda: client.get("/settings/webhooks/")),
    )
    _hooks(brand, 45)
    many = (
        _count(lambda: admin_api.get("/webhooks")),
        _count(lambda: client.get("/settings/webhooks/")),
    )
    assert few == many


def test_delivery_lists(brand: Brand, admin: Agent, admin_api: ApiClient) -> None:
    client = Client()
    client.force_login(admin.user)
    _hooks(brand, 1)
    hook = Webhook.objects.get()
    _deliveries(hook, 0, 5)

    def api() -> Any:
        return admin_api.get(f"/webhooks/{hook.pk}/deliveries")

    def page() -> Any:
        return client.get(f"/settings/webhooks/{hook.pk}/")

    few = (_count(api), _count(page))
    _deliveries(hook, 5, 45)
    many = (_count(api), _count(page))
    assert few == many
    assert len(api().json()) == 50
