"""Creating a chat inbox from /settings/chat/: per role and brand, the widget page with
the embed snippet right after, and refusals that name the field."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from django.core.cache import cache
from django.test import Client

from wowdesk.channels.chat import services as chat
from wowdesk.conversations.models import Channel, Inbox
from wowdesk.core.models import Agent, Brand, Role


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    """Cached lists (agent names, counts) of another test's database are not this one's."""
    cache.clear()
    yield
    cache.clear()


def _client(agent: Agent) -> Client:
    client = Client()
    client.force_login(agent.user)
    return client


@pytest.mark.parametrize("home", ["brand", "other_brand"])
@pytest.mark.parametrize("role", [Role.AGENT, Role.SUPERVISOR, Role.ADMIN])
def test_create_chat_inbox_per_role_and_brand(
    request: pytest.FixtureRequest,
    brand: Brand,
    other_brand: Brand,
    make_agent: Callable[..., Agent],
    role: str,
    home: str,
) -> None:
    mine: Brand = request.getfixturevalue(home)
    theirs = other_brand if mine == brand else brand
    client = _client(make_agent(role, brands=[mine]))
    before = Inbox.objects.count()

    listing = client.get("/settings/chat/")
    foreign = client.post("/settings/chat/", {"name": "Their chat", "brand": theirs.pk})
    assert not Inbox.objects.filter(brand=theirs, name="Their chat").exists()
    if role != Role.ADMIN:
        made = client.post("/settings/chat/", {"name": "Shop chat", "brand": mine.pk})
        assert [r.status_code for r in (listing, foreign, made)] == [403, 403, 403]
        assert Inbox.objects.count() == before
        return
    assert listing.status_code == 200
    html = listing.content.decode()
    assert 'id="new-chat-inbox"' in html
    assert [pk for pk, _ in listing.context["form"].fields["brand"].choices] == [mine.pk]
    assert foreign.status_code == 400 and "brand" in foreign.context["form"].errors

    made = client.post("/settings/chat/", {"name": "Shop chat", "brand": mine.pk}, follow=True)
    inbox = Inbox.objects.get(brand=mine, name="Shop chat")
    assert inbox.channel == Channel.CHAT
    assert made.redirect_chain == [(f"/settings/inboxes/{inbox.pk}/widget/", 302)]
    page = made.content.decode()
    token = chat.widget_settings(inbox).token
    assert token and f"data-inbox=&quot;{token}&quot;" in page and 'id="embed-snippet"' in page
    assert "Chat inbox created" in page
    assert Inbox.objects.count() == before + 1


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"name": "", "brand": "{brand}"}, "name"),
        ({"name": "   ", "brand": "{brand}"}, "name"),
        ({"name": "x" * 101, "brand": "{brand}"}, "name"),
        ({"name": "Shop chat"}, "brand"),
        ({"name": "Shop chat", "brand": "abc"}, "brand"),
        ({"name": "Shop chat", "brand": "999999"}, "brand"),
        ({"name": "Existing", "brand": "{brand}"}, "name"),
    ],
)
def test_create_chat_inbox_refusals_name_the_field(
    brand: Brand, make_agent: Callable[..., Agent], data: dict[str, str], field: str
) -> None:
    client = _client(make_agent(Role.ADMIN, brands=[brand]))
    existing = client.post("/settings/chat/", {"name": "Existing", "brand": brand.pk})
    assert existing.status_code == 302
    before = Inbox.objects.count()
    posted = {k: v.replace("{brand}", str(brand.pk)) for k, v in data.items()}
    response = client.post("/settings/chat/", posted)
    # the form's own checks answer 400, the service's rule (a duplicate name) 422
    assert response.status_code == (422 if data["name"] == "Existing" else 400)
    assert field in response.context["form"].errors
    assert Inbox.objects.count() == before


def test_chat_inboxes_page_answers_405_to_other_methods(
    brand: Brand, make_agent: Callable[..., Agent]
) -> None:
    client = _client(make_agent(Role.ADMIN, brands=[brand]))
    assert client.put("/settings/chat/").status_code == 405


def test_the_widget_page_is_under_the_chat_section_of_the_sidebar(
    brand: Brand, make_agent: Callable[..., Agent]
) -> None:
    client = _client(make_agent(Role.ADMIN, brands=[brand]))
    client.post("/settings/chat/", {"name": "Shop chat", "brand": brand.pk})
    inbox = Inbox.objects.get(name="Shop chat")
    assert client.get(f"/settings/inboxes/{inbox.pk}/widget/").context["settings_section"] == "chat"
    assert client.get("/settings/chat/").context["settings_section"] == "chat"
    assert client.get("/settings/inboxes/").context["settings_section"] == "inboxes"
