"""Who may manage webhooks: per role (agent, supervisor, admin) of each of two brands, on
every endpoint and page: allowed, 403/404, and the other brand's ids."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from tests.conftest import ApiClient
from wowdesk.core.models import Agent, Brand, Role
from wowdesk.webhooks import services
from wowdesk.webhooks.models import Webhook, WebhookDelivery

ROLES = [Role.AGENT, Role.SUPERVISOR, Role.ADMIN]


def _hook(brand: Brand) -> tuple[Webhook, WebhookDelivery]:
    hook = services.create_webhook(
        brand_id=brand.pk, url="https://example.com/h", events=["message.created"], actor=None
    )
    from django.utils import timezone

    delivery = WebhookDelivery.objects.create(
        webhook=hook,
        brand=brand,
        uid=f"uid-{hook.pk}",
        event="message.created",
        payload={},
        created_at=timezone.now(),
        status="failed",
    )
    return hook, delivery


@pytest.fixture
def world(brand: Brand, other_brand: Brand) -> dict[str, Any]:
    mine, my_delivery = _hook(brand)
    theirs, their_delivery = _hook(other_brand)
    return {"mine": mine, "theirs": theirs, "md": my_delivery, "td": their_delivery}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("which", ["brand", "other_brand"])
def test_api_per_role_and_brand(
    role: str,
    which: str,
    request: pytest.FixtureRequest,
    world: dict[str, Any],
    make_agent: Callable[..., Agent],
    make_api: Callable[[Agent | None], ApiClient],
) -> None:
    home: Brand = request.getfixturevalue(which)
    api = make_api(make_agent(role, brands=[home]))
    mine = world["mine"] if which == "brand" else world["theirs"]
    theirs = world["theirs"] if which == "brand" else world["mine"]
    md = world["md"] if which == "brand" else world["td"]
    td = world["td"] if which == "brand" else world["md"]
    body = {"url": "https://example.com/new", "events": ["conversation.created"]}
    if role == Role.ADMIN:
        assert [h["id"] for h in api.get("/webhooks").json()] == [mine.pk]
        assert api.get(f"/webhooks/{mine.pk}").status_code == 200
        created = api.post("/webhooks", body)
        assert created.status_code == 201
        assert created.json()["brand_id"] == home.pk
        patched = api.patch(f"/webhooks/{mine.pk}", {"description": "x"})
        assert patched.status_code == 200
        assert patched.json()["description"] == "x"
        assert api.get(f"/webhooks/{mine.pk}/deliveries").status_code == 200
        path = f"/webhooks/{mine.pk}/deliveries/{md.pk}/redeliver"
        assert api.post(path).status_code == 202
        md.refresh_from_db()
        assert md.status != "failed"  # queued to be sent again
        # another brand's delivery through my webhook's path: not found
        assert api.post(f"/webhooks/{mine.pk}/deliveries/{td.pk}/redeliver").status_code == 404
        assert api.delete(f"/webhooks/{created.json()['id']}").status_code == 204
    else:
        assert api.get("/webhooks").status_code == 403
        assert api.get(f"/webhooks/{mine.pk}").status_code == 403
        assert api.post("/webhooks", body).status_code == 403
        assert api.patch(f"/webhooks/{mine.pk}", {"description": "x"}).status_code == 403
        assert api.delete(f"/webhooks/{mine.pk}").status_code == 403
        assert api.get(f"/webhooks/{mine.pk}/deliveries").status_code == 403
        path = f"/webhooks/{mine.pk}/deliveries/{md.pk}/redeliver"
        assert api.post(path).status_code == 403
    # The other brand's ids, whatever the role.
    assert api.get(f"/webhooks/{theirs.pk}").status_code == 403
    assert api.patch(f"/webhooks/{theirs.pk}", {"active": False}).status_code == 403
    assert api.delete(f"/webhooks/{theirs.pk}").status_code == 403
    assert api.get(f"/webhooks/{theirs.pk}/deliveries").status_code == 403
    assert api.post(f"/webhooks/{theirs.pk}/deliveries/{td.pk}/redeliver").status_code == 403
    other_id = world["theirs"].brand_id if which == "brand" else world["mine"].brand_id
    assert api.post("/webhooks", {**body, "brand_id": other_id}).status_code == 403
    assert api.get("/webhooks/999999").status_code == 404
    theirs.refresh_from_db()
    assert theirs.active and theirs.description == ""
    assert Webhook.objects.filter(brand_id=other_id).count() == 1


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("which", ["brand", "other_brand"])
def test_pages_per_role_and_brand(
    role: str,
    which: str,
    request: pytest.FixtureRequest,
    world: dict[str, Any],
    make_agent: Callable[..., Agent],
) -> None:
    home: Brand = request.getfixturevalue(which)
    client = Client()
    client.force_login(make_agent(role, brands=[home]).user)
    mine = world["mine"] if which == "brand" else world["theirs"]
    theirs = world["theirs"] if which == "brand" else world["mine"]
    td = world["td"] if which == "brand" else world["md"]
    page = client.get("/settings/webhooks/")
    if role == Role.ADMIN:
        assert page.status_code == 200
        html = page.content.decode()
        assert f'data-webhook-id="{mine.pk}"' in html
        assert f'data-webhook-id="{theirs.pk}"' not in html
        assert mine.secret not in html
        assert client.get(f"/settings/webhooks/{mine.pk}/").status_code == 200
        created = client.post(
            "/settings/webhooks/",
            {"url": "https://example.com/p", "events": ["message.created"], "brand": home.pk},
        )
        assert created.status_code == 201
        hook = Webhook.objects.get(url="https://example.com/p")
        assert hook.secret in created.content.decode()
        assert hook.brand_id == home.pk
        refused = client.post(
            "/settings/webhooks/",
            {
                "url": "https://example.com/q",
                "events": ["message.created"],
                "brand": theirs.brand_id,
            },
        )
        assert refused.status_code == 400
        assert not Webhook.objects.filter(url="https://example.com/q").exists()
        assert client.post(f"/settings/webhooks/{mine.pk}/toggle/").status_code == 302
        mine.refresh_from_db()
        assert not mine.active
        expected = 404
    else:
        assert page.status_code == 403
        assert client.get(f"/settings/webhooks/{mine.pk}/").status_code == 403
        assert client.post(f"/settings/webhooks/{mine.pk}/delete/").status_code == 403
        expected = 403
    assert client.get(f"/settings/webhooks/{theirs.pk}/").status_code == expected
    assert client.post(f"/settings/webhooks/{theirs.pk}/toggle/").status_code == expected
    assert client.post(f"/settings/webhooks/{theirs.pk}/delete/").status_code == expected
    path = f"/settings/webhooks/{theirs.pk}/deliveries/{td.pk}/redeliver/"
    assert client.post(path).status_code == expected
    theirs.refresh_from_db()
    assert theirs.active
    assert Webhook.objects.filter(pk=mine.pk).exists()


def test_page_edits_and_refuses_bad_input(admin: Agent) -> None:
    client = Client()
    client.force_login(admin.user)
    brand_id = admin.brands.get().pk
    bad = client.post(
        "/settings/webhooks/",
        {"url": "ftp://example.com", "events": ["message.created"], "brand": brand_id},
    )
    assert bad.status_code == 400
    assert 'data-field="url"' in bad.content.decode()
    assert not Webhook.objects.exists()
    client.post(
        "/settings/webhooks/",
        {"url": "https://example.com/a", "events": ["message.created"], "brand": brand_id},
    )
    hook = Webhook.objects.get()
    saved = client.post(
        f"/settings/webhooks/{hook.pk}/",
        {"url": "https://example.com/b", "events": ["sla.breached", "customer.created"]},
    )
    assert saved.status_code == 302
    hook.refresh_from_db()
    assert hook.url == "https://example.com/b"
    assert hook.events == ["customer.created", "sla.breached"]
    unknown = client.post(
        f"/settings/webhooks/{hook.pk}/", {"url": "https://example.com/c", "events": ["x.y"]}
    )
    assert unknown.status_code == 400
    assert client.post(f"/settings/webhooks/{hook.pk}/delete/").status_code == 302
    assert not Webhook.objects.exists()
