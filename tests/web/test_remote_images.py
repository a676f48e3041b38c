"""Remote images in a customer's HTML mail are not loaded until the agent asks (tracking
pixels learn nothing from an agent reading the message)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django.test import Client

from tests.factories import make_conversation
from tests.web.pages import ConversationPage, LoginPage
from wowdesk.core.models import Agent, Brand, Role
from wowdesk.routing.models import RoutingSettings

PASSWORD = "correct-horse-battery-staple"
PIXEL = "https://track.example/open.gif?u=42"
LOGO = "http://images.example/logo.png"
HTML = (
    f'<p>Where is my order?</p><img src="{PIXEL}" width="1" height="1">'
    f'<p>Sent from <img src="{LOGO}" alt="Example Mail"></p><img src="cid:part1" alt="inline">'
)


def test_the_conversation_page_holds_remote_images(
    brand: Brand, make_agent: Callable[..., Agent]
) -> None:
    conversation = make_conversation(brand, subject="Order", body="Where is my order?", html=HTML)
    client = Client()
    client.force_login(make_agent(Role.AGENT).user)
    page = client.get(f"/inbox/c/{conversation.pk}/").content.decode()
    fetched = re.findall(r'(?<![\w-])src="([^"]*)"', page)
    assert PIXEL not in fetched and LOGO not in fetched
    assert "cid:part1" in fetched
    assert 'data-remote-src="https://track.example/open.gif?u=42"' in page
    assert "Show remote images" in page
    assert 'src="cid:part1"' in page


def test_remote_images_load_only_after_show(
    page: Any, brand: Brand, make_agent: Callable[..., Agent]
) -> None:
    make_agent(Role.AGENT, email="ana@example.com", password=PASSWORD)
    RoutingSettings.objects.update_or_create(brand=brand, defaults={"auto_assign": False})
    conversation = make_conversation(brand, subject="Order", body="Where is my order?", html=HTML)
    fetched: list[str] = []

    def answer(route: Any) -> None:
        fetched.append(route.request.url)
        route.fulfill(status=200, content_type="image/gif", body=b"GIF89a")

    page.route("https://track.example/**", answer)
    page.route("http://images.example/**", answer)

    LoginPage(page).open().login("ana@example.com", PASSWORD)
    ConversationPage(page).open(conversation.pk)
    button = page.locator(f"#message-{conversation.messages.first().pk} .show-remote-images")
    button.wait_for()
    page.wait_for_load_state("networkidle")
    assert fetched == []
    button.click()
    page.wait_for_function("document.querySelectorAll('img[data-remote-src]').length === 0")
    page.wait_for_load_state("networkidle")
    assert sorted(fetched) == sorted([PIXEL, LOGO])
    assert page.locator(".show-remote-images").count() == 0
