"""A bulk change queues one ``conversation.updated`` delivery per changed row for the
brand's webhook (with the row's changes), none for another brand's webhook, and the
deliveries roll back with the change."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import transaction

from tests.conftest import ApiClient
from tests.factories import quick_conversation
from tests.webhooks.conftest import Receiver
from wowdesk.conversations import bulk
from wowdesk.core.models import Agent, Brand, Role
from wowdesk.webhooks.models import WebhookDelivery

pytestmark = pytest.mark.django_db


def hook(api: ApiClient, url: str) -> int:
    r = api.post("/webhooks", {"url": url, "events": ["conversation.updated"]})
    assert r.status_code == 201, r.content
    return int(r.json()["id"])


def test_one_delivery_per_changed_row(
    brand: Brand,
    other_brand: Brand,
    make_agent: Callable[..., Agent],
    make_api: Callable[[Agent | None], ApiClient],
    receiver: Receiver,
) -> None:
    admin = make_agent(Role.ADMIN, brands=[brand])
    mine = hook(make_api(admin), receiver.url)
    theirs = hook(make_api(make_agent(Role.ADMIN, brands=[other_brand])), receiver.url + "/b")
    rows = [quick_conversation(brand) for _ in range(7)]
    ids = [c.pk for c in rows]
    before = WebhookDelivery.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        bulk.bulk_update(admin, bulk.parse_changes({"priority": "high"}, admin), ids=ids)
        assert WebhookDelivery.objects.count() == before + len(ids)
        raise RuntimeError("undo")
    assert WebhookDelivery.objects.count() == before
    result = bulk.bulk_update(
        admin, bulk.parse_changes({"priority": "urgent", "status": "pending"}, admin), ids=ids
    )
    assert result.updated == ids
    queued: list[dict[str, Any]] = [
        d.payload
        for d in WebhookDelivery.objects.filter(
            webhook_id=mine, event="conversation.updated"
        ).order_by("id")
    ]
    assert sorted(p["conversation_id"] for p in queued) == sorted(ids)
    assert all(p["changes"] == {"priority": "urgent", "status": "pending"} for p in queued)
    assert not WebhookDelivery.objects.filter(webhook_id=theirs).exists()
    # a row already so: no change, no delivery
    again = bulk.bulk_update(admin, bulk.parse_changes({"priority": "urgent"}, admin), ids=ids)
    assert again.unchanged == ids
    assert WebhookDelivery.objects.filter(webhook_id=mine).count() == len(ids)
