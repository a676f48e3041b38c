"""What a visitor who is not signed in can learn: no brand, no count, no chat inbox."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from tests.factories import make_conversation
from wowdesk.conversations import services as conversations
from wowdesk.core.models import Agent, Brand, Role

ANONYMOUS_PAGES = ["/", "/login/", "/chat-demo", "/admin/login/", "/password/", "/password/reset/"]


@pytest.fixture
def two_brands_with_data(brand: Brand, other_brand: Brand) -> tuple[Brand, Brand]:
    for b in (brand, other_brand):
        make_conversation(b, subject=f"{b.name} order late")
        conversations.create_inbox(brand_id=b.pk, name=f"{b.name} chat", channel="chat")
    return brand, other_brand


@pytest.mark.parametrize("path", ANONYMOUS_PAGES)
def test_anonymous_pages_name_no_brand(
    two_brands_with_data: tuple[Brand, Brand], path: str
) -> None:
    response = Client().get(path, follow=True)
    assert response.status_code == 200
    html = response.content.decode()
    for b in two_brands_with_data:
        assert b.name not in html, path
        assert f"{b.name} chat" not in html
        assert f"{b.name} order late" not in html
    assert response.redirect_chain == [] or response.redirect_chain[-1][0].startswith(
        ("/login/", "/admin/login/")
    )


def test_the_start_page_sends_visitors_to_the_login(db: None) -> None:
    response = Client().get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


@pytest.mark.parametrize("role", [Role.AGENT, Role.SUPERVISOR, Role.ADMIN])
def test_the_start_page_counts_only_the_agents_own_brands(
    two_brands_with_data: tuple[Brand, Brand], make_agent: Callable[..., Agent], role: str
) -> None:
    acme, globex = two_brands_with_data
    make_conversation(acme, subject="Second Acme one")
    for mine, theirs, total in ((acme, globex, 2), (globex, acme, 1)):
        client = Client()
        client.force_login(make_agent(role, brands=[mine]).user)
        response = client.get("/")
        assert response.status_code == 200
        html = response.content.decode()
        assert mine.name in html
        assert theirs.name not in html
        assert response.context["total"] == total
        assert [b.name for b in response.context["brands"]] == [mine.name]
        assert response.context["agents"] == 1
