"""The pages under the Content-Security-Policy (as served over HTTPS): nothing refused,
and the workspace still works (log in, reply, the language picker, the API docs)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.factories import quick_conversation
from tests.web.pages import LoginPage
from wowdesk.core.models import Agent, Brand, Role
from wowdesk.routing.models import RoutingSettings

PASSWORD = "correct-horse-battery-staple"


@pytest.fixture
def csp_page(page: Any, settings: Any) -> tuple[Any, list[str]]:
    settings.WOWDESK_CSP = True
    refused: list[str] = []
    page.on(
        "console",
        lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None,
    )
    return page, refused


def test_workspace_pages_work_under_the_csp(
    csp_page: tuple[Any, list[str]], brand: Brand, make_agent: Callable[..., Agent]
) -> None:
    page, refused = csp_page
    make_agent(Role.AGENT, email="ana@example.com", name="Ana", password=PASSWORD)
    RoutingSettings.objects.update_or_create(brand=brand, defaults={"auto_assign": False})
    quick_conversation(brand, subject="Lamp shade cracked", body="It is cracked")

    response = page.goto("/login/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    inbox = LoginPage(page).open().login("ana@example.com", PASSWORD).choose_view("unassigned")
    view = inbox.open_conversation("Lamp shade cracked")
    view.write("A new shade is on its way.").send()
    assert ("out", "A new shade is on its way.") in view.messages()
    # The language picker submits itself (a script file, no inline handler).
    inbox = inbox.open().switch_language("简体中文")
    assert inbox.language == "zh-hans"
    assert refused == []


def test_api_docs_and_admin_work_under_the_csp(
    csp_page: tuple[Any, list[str]], make_agent: Callable[..., Agent]
) -> None:
    page, refused = csp_page
    page.goto("/api/v1/docs")
    page.wait_for_selector(".swagger-ui .info .title")
    boss = make_agent(Role.ADMIN, email="boss@example.com", password=PASSWORD)
    boss.user.is_superuser = True  # the Django admin is for superusers only
    boss.user.save(update_fields=["is_superuser"])
    page.goto("/admin/login/")
    page.locator("#id_username").fill("boss@example.com")
    page.locator("#id_password").fill(PASSWORD)
    with page.expect_navigation():
        page.locator("[type=submit]").click()
    page.goto("/admin/core/agent/")
    page.wait_for_selector("#result_list")
    assert refused == []


def test_the_chat_widget_works_under_the_csp(
    csp_page: tuple[Any, list[str]], live_server: Any, make_agent: Callable[..., Agent]
) -> None:
    from tests.channels.chat.pages import ChatWidget, sign_in
    from wowdesk.conversations import services as conversations

    page, refused = csp_page
    agent = make_agent(Role.AGENT, name="Demo agent")
    conversations.create_inbox(brand_id=agent.brands.get().pk, name="Website chat", channel="chat")
    sign_in(page, live_server.url, agent.user)
    widget = ChatWidget(page).open_demo(live_server.url).open()
    assert widget.bubble.is_visible()
    page.wait_for_load_state("networkidle")
    assert refused == []
