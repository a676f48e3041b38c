"""The chat widget's settings pages (/settings/chat/, /settings/inboxes/<id>/widget/):
who may open them, per role and brand; what a save writes; refusals naming the field."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from wowdesk.channels.chat import services as chat
from wowdesk.conversations import services as conversations
from wowdesk.conversations.models import Inbox
from wowdesk.core.models import Agent, Brand, Role


def _chat_inbox(brand: Brand, name: str = "Website chat") -> Inbox:
    inbox = conversations.create_inbox(brand_id=brand.pk, name=name, channel="chat")
    return chat.ensure_widget(Inbox.objects.get(pk=inbox.pk))


def _client(agent: Agent) -> Client:
    client = Client()
    client.force_login(agent.user)
    return client


def _form(**over: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "title": "Help",
        "colour": "#1d4ed8",
        "position": "left",
        "language": "auto",
        "prechat_name": "optional",
        "prechat_email": "required",
        "sound": "on",
        "allowed_domains": "shop.example\n*.acme.example",
        "greetings.en": "Hello! How can we help?",
        "greetings.de": "Hallo! Wie können wir helfen?",
        "away.en": "We are away until 9:00.",
    }
    data.update(over)
    return data


@pytest.mark.parametrize("home", ["brand", "other_brand"])
@pytest.mark.parametrize("role", [Role.AGENT, Role.SUPERVISOR, Role.ADMIN])
def test_widget_page_per_role_and_brand(
    request: pytest.FixtureRequest,
    brand: Brand,
    other_brand: Brand,
    make_agent: Callable[..., Agent],
    role: str,
    home: str,
) -> None:
    mine_brand: Brand = request.getfixturevalue(home)
    theirs_brand = other_brand if mine_brand == brand else brand
    mine, theirs = _chat_inbox(mine_brand), _chat_inbox(theirs_brand)
    client = _client(make_agent(role, brands=[mine_brand]))
    own_token = chat.widget_settings(mine).token

    listing = client.get("/settings/chat/")
    page = client.get(f"/settings/inboxes/{mine.pk}/widget/")
    other = client.get(f"/settings/inboxes/{theirs.pk}/widget/")
    saved = client.post(f"/settings/inboxes/{mine.pk}/widget/", _form())
    other_saved = client.post(f"/settings/inboxes/{theirs.pk}/widget/", _form())
    if role != Role.ADMIN:
        assert [r.status_code for r in (listing, page, other, saved, other_saved)] == [403] * 5
        assert chat.widget_settings(Inbox.objects.get(pk=mine.pk)).colour == chat.DEFAULT_COLOUR
        return
    assert listing.status_code == 200
    body = listing.content.decode()
    assert f'data-inbox-id="{mine.pk}"' in body and f'data-inbox-id="{theirs.pk}"' not in body
    assert page.status_code == 200
    html = page.content.decode()
    assert own_token in html and chat.widget_settings(mine).secret not in html
    assert 'id="widget-preview"' in html and "chat/widget.js" in html
    assert other.status_code == 404 and other_saved.status_code == 404
    assert saved.status_code == 302
    after = chat.widget_settings(Inbox.objects.get(pk=mine.pk))
    assert (after.colour, after.position, after.prechat_email) == ("#1d4ed8", "left", "required")
    assert after.allowed_domains == ("shop.example", "*.acme.example")
    assert after.greetings == {
        "en": "Hello! How can we help?",
        "de": "Hallo! Wie können wir helfen?",
    }
    assert after.away == {"en": "We are away until 9:00."}
    assert after.greeting == "Hello! How can we help?"  # for the other languages
    untouched = chat.widget_settings(Inbox.objects.get(pk=theirs.pk))
    assert untouched.colour == chat.DEFAULT_COLOUR and untouched.allowed_domains == ()


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("colour", "#ffff00", "contrast"),  # white on yellow: unreadable
        ("colour", "#a5b4fc", "contrast"),  # a light indigo
        ("colour", "blue", "#rrggbb"),
        ("colour", "#12345g", "#rrggbb"),
        ("allowed_domains", "http://", "not a domain"),
        ("allowed_domains", "shop example", "not a domain"),
        ("allowed_domains", "bad_host.example", "not a domain"),
        ("position", "top", ""),
        ("prechat_name", "always", ""),
        ("greetings.fr", "x" * 501, ""),
    ],
)
def test_a_wrong_value_is_refused_naming_the_field(
    brand: Brand, make_agent: Callable[..., Agent], field: str, value: str, words: str
) -> None:
    inbox = _chat_inbox(brand)
    before = dict(Inbox.objects.get(pk=inbox.pk).settings["widget"])
    response = _client(make_agent(Role.ADMIN)).post(
        f"/settings/inboxes/{inbox.pk}/widget/", _form(**{field: value})
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert f'data-field="{field}"' in html
    assert words in html
    assert Inbox.objects.get(pk=inbox.pk).settings["widget"] == before  # nothing written


def test_the_service_refuses_what_the_form_cannot_send(brand: Brand) -> None:
    inbox = _chat_inbox(brand)
    for changes, field in [
        ({"greetings": {"xx": "Hi"}}, "greetings.xx"),
        ({"allowed_domains": "shop.example"}, "allowed_domains"),
        ({"allowed_domains": [f"s{i}.example" for i in range(51)]}, "allowed_domains"),
        ({"sound": "yes"}, "sound"),
        ({"language": "pt"}, "language"),
        ({"secret": "mine"}, "secret"),
    ]:
        with pytest.raises(chat.InvalidInput) as caught:
            chat.configure_widget(inbox, actor=None, **changes)
        assert caught.value.field == field, changes


def test_the_settings_nav_lists_the_chat_section_for_admins(
    make_agent: Callable[..., Agent],
) -> None:
    body = _client(make_agent(Role.ADMIN)).get("/settings/chat/").content.decode()
    assert 'data-section="chat" aria-current="page"' in body


def test_a_cleared_greeting_is_gone_in_every_language(
    brand: Brand, make_agent: Callable[..., Agent]
) -> None:
    inbox = _chat_inbox(brand)
    chat.configure_widget(inbox, actor=None, greeting="Hello")
    client = _client(make_agent(Role.ADMIN))
    page = client.get(f"/settings/inboxes/{inbox.pk}/widget/").content.decode()
    assert 'name="greetings.en" value="Hello"' in page.replace(' maxlength="500"', "")
    response = client.post(
        f"/settings/inboxes/{inbox.pk}/widget/", _form(**{"greetings.en": "", "greetings.de": ""})
    )
    assert response.status_code == 302
    after = chat.widget_settings(Inbox.objects.get(pk=inbox.pk))
    assert (after.greeting, after.greetings) == ("", {})
