"""A deactivated agent's open workspace closes at once, in a real browser against a real
ASGI server: the socket is closed by the server and the page then says the account is
no longer active."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import transaction
from playwright.sync_api import expect

from tests.web.pages import LiveWorkspace, LoginPage
from wowdesk.core.models import Agent, Brand, Role
from wowdesk.core.services import update_agent
from wowdesk.routing.models import RoutingSettings

PASSWORD = "correct-horse-battery-staple"


def test_deactivation_closes_the_open_workspace(
    brand: Brand, make_agent: Callable[..., Agent], browser_contexts: Callable[[], Any]
) -> None:
    leaving = make_agent(Role.AGENT, email="leaving@example.com", password=PASSWORD)
    make_agent(Role.AGENT, email="staying@example.com", password=PASSWORD)
    RoutingSettings.objects.update_or_create(brand=brand, defaults={"auto_assign": False})
    pages = {}
    for email in ("leaving@example.com", "staying@example.com"):
        page = browser_contexts()
        LoginPage(page).open().login(email, PASSWORD)
        LiveWorkspace(page).wait_connected().mark()
        pages[email] = page

    with transaction.atomic():
        update_agent(Agent.objects.get(pk=leaving.pk), actor=None, is_active=False)

    gone = pages["leaving@example.com"]
    expect(gone.locator("main")).to_contain_text("not an active agent", timeout=15_000)
    assert LiveWorkspace(gone).reloaded
    staying = LiveWorkspace(pages["staying@example.com"])
    assert not staying.reloaded
    expect(staying.page.locator("body")).to_have_attribute("data-live", "open")
