"""An administrator adds a webhook on the webhooks page: the secret is shown once."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.web.pages import LoginPage, WebhooksPage
from wowdesk.core.models import Agent, Brand, Role
from wowdesk.webhooks.models import Webhook

PASSWORD = "correct-horse-battery-staple"


def test_an_admin_adds_a_webhook_and_sees_the_secret_once(
    page: Any, brand: Brand, make_agent: Callable[..., Agent]
) -> None:
    make_agent(Role.ADMIN, email="boss@example.com", name="Boss", password=PASSWORD)
    LoginPage(page).open().login("boss@example.com", PASSWORD)
    hooks = (
        WebhooksPage(page)
        .open()
        .add("https://crm.example.com/wowdesk", ["message.created", "sla.breached"], "CRM")
    )
    hook = Webhook.objects.get()
    assert hooks.secret == hook.secret
    assert hook.events == ["message.created", "sla.breached"]
    assert hooks.urls() == ["https://crm.example.com/wowdesk"]
    again = WebhooksPage(page).open()
    assert again.secret == ""
    assert hook.secret not in page.content()
