"""By default a webhook may not point at the server itself or its private network: a
brand's admin must not make the server call the machines behind it (cloud metadata, the
database, the admin of another service). ``WOWDESK_WEBHOOK_PRIVATE=1`` allows it."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from django.conf import settings

from tests.conftest import ApiClient
from tests.factories import make_conversation
from tests.webhooks.conftest import Receiver
from wowdesk.conversations import services as conversations
from wowdesk.core.models import Brand
from wowdesk.webhooks import services
from wowdesk.webhooks.models import DeliveryStatus, WebhookDelivery

pytestmark = pytest.mark.django_db

LOCAL_URLS = [
    "http://127.0.0.1:8000/hook",
    "http://127.8.9.10/hook",
    "http://localhost/hook",
    "http://LOCALHOST./hook",
    "http://admin.localhost:8080/hook",
    "http://10.0.0.5/hook",
    "http://172.16.3.4/hook",
    "http://192.168.1.1/hook",
    "http://169.254.169.254/latest/meta-data/",
    "http://0.0.0.0/hook",
    "http://[::1]/hook",
    "http://[::ffff:127.0.0.1]/hook",
    "http://[fe80::1]/hook",
    "http://[fd00::5]/hook",
    "https://100.64.0.1/hook",
]


def refuse_private() -> None:
    settings.CONFIG = dataclasses.replace(settings.CONFIG, webhook_private=False)


@pytest.mark.parametrize("url", LOCAL_URLS)
def test_a_local_address_is_refused_naming_the_url(admin_api: ApiClient, url: str) -> None:
    refuse_private()
    response = admin_api.post("/webhooks", {"url": url, "events": ["message.created"]})
    assert response.status_code == 400, url
    assert response.json()["field"] == "url"
    assert "WOWDESK_WEBHOOK_PRIVATE" in response.json()["detail"]


@pytest.mark.parametrize(
    "url", ["https://crm.example.com/wowdesk", "http://93.184.216.34/x", "https://8.8.8.8/h"]
)
def test_a_public_address_is_accepted(admin_api: ApiClient, url: str) -> None:
    refuse_private()
    response = admin_api.post("/webhooks", {"url": url, "events": ["message.created"]})
    assert response.status_code == 201, response.content


def test_a_local_address_is_refused_on_edit(admin_api: ApiClient) -> None:
    refuse_private()
    hook = admin_api.post(
        "/webhooks", {"url": "https://crm.example.com/h", "events": ["message.created"]}
    ).json()
    response = admin_api.patch(f"/webhooks/{hook['id']}", {"url": "http://10.1.2.3/h"})
    assert response.status_code == 400
    assert response.json()["field"] == "url"


def test_a_name_that_resolves_inside_is_refused_when_sending(
    admin_api: ApiClient, brand: Brand, receiver: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    """A name (not a literal) is judged when the delivery is sent: ``localhost.`` variants
    are caught at once, any other name by what it resolves to at that moment."""
    url = receiver.url.replace("127.0.0.1", "localtest.invalid")
    hook = admin_api.post("/webhooks", {"url": url, "events": ["conversation.updated"]})
    assert hook.status_code == 201  # a name: nothing to judge until it is resolved
    refuse_private()
    real = services.socket.getaddrinfo

    def resolve(host: str, *args: Any, **kwargs: Any) -> Any:
        return real("127.0.0.1" if host == "localtest.invalid" else host, *args, **kwargs)

    services.socket.getaddrinfo = resolve  # type: ignore[assignment]
    try:
        with django_capture_on_commit_callbacks(execute=True):
            conversations.update_conversation(make_conversation(brand), actor=None, priority="high")
        services.deliver_due()
    finally:
        services.socket.getaddrinfo = real  # type: ignore[assignment]
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.RETRYING
    assert "private network" in delivery.last_error
    assert receiver.requests == []  # nothing reached the local address
