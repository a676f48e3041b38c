"""The widget's configuration endpoint and the ``/chat-demo`` page."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from wowdesk.channels.chat import services as chat
from wowdesk.conversations import services as conversations
from wowdesk.conversations.models import Inbox
from wowdesk.core.models import Agent, Brand, Presence


def test_config_is_public_without_the_secret(
    chat_inbox: Inbox, make_agent: Callable[..., Agent]
) -> None:
    chat.configure_widget(chat_inbox, actor=None, prechat=True, greeting="Hello")
    token = chat.widget_settings(chat_inbox).token
    response = Client().get(f"/chat/{token}/config")
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    data = response.json()
    assert data == {
        "prechat": True,
        "greeting": "Hello",
        "title": "",
        "prechat_name": "optional",
        "prechat_email": "optional",
        "greetings": {},
        "away": {},
        "colour": "#4f46e5",
        "position": "right",
        "language": "auto",
        "sound": True,
        "online": False,
        "estimate": {"minutes": None, "waiting": 0},
        "socket": "/ws/chat/",
    }
    assert chat.widget_settings(chat_inbox).secret not in response.content.decode()
    Agent.objects.filter(pk=make_agent().pk).update(presence=Presence.ONLINE)
    assert Client().get(f"/chat/{token}/config").json()["online"] is True


def test_config_of_unknown_or_non_chat_inbox_is_404(brand: Brand) -> None:
    mail = conversations.create_inbox(brand_id=brand.pk, name="Mail", channel="email")
    for ref in ("nope", str(mail.pk), "0", "9" * 30):
        assert Client().get(f"/chat/{ref}/config").status_code == 404


def test_chat_inboxes_cannot_be_enumerated_by_id(brand: Brand, other_brand: Brand) -> None:
    inboxes = [
        conversations.create_inbox(brand_id=b.pk, name=f"Chat {n}", channel="chat")
        for n, b in enumerate([brand, other_brand, brand])
    ]
    bodies = set()
    for inbox in inboxes:
        token = chat.widget_settings(inbox).token
        assert len(token) >= chat.MIN_TOKEN_CHARS  # every chat inbox has one from the start
        assert Client().get(f"/chat/{token}/config").status_code == 200
        for ref in (str(inbox.pk), f"0{inbox.pk}", f" {inbox.pk}", token[:8], token[:-1]):
            response = Client().get(f"/chat/{ref}/config")
            assert response.status_code == 404, ref
            bodies.add(response.content)
    # Every miss answers the same: nothing tells an existing id from a missing one.
    missing = Client().get("/chat/999999/config")
    assert missing.status_code == 404
    assert bodies == {missing.content}


def _signed_in(agent: Agent) -> Client:
    client = Client()
    client.force_login(agent.user)
    return client


def test_demo_page_embeds_the_widget(chat_inbox: Inbox, make_agent: Callable[..., Agent]) -> None:
    token = chat.widget_settings(chat_inbox).token
    response = _signed_in(make_agent()).get("/chat-demo")
    assert response.status_code == 200
    html = response.content.decode()
    assert f'src="/static/chat/widget.js" data-inbox="{token}"' in html
    # as on a brand's site: the inbox's language setting, else the browser's, decides
    assert "data-lang" not in html


def test_demo_page_without_a_chat_inbox_says_what_to_do(make_agent: Callable[..., Agent]) -> None:
    response = _signed_in(make_agent()).get("/chat-demo")
    assert response.status_code == 404
    assert "wowdesk demo" in response.content.decode()


def test_demo_page_is_not_for_anonymous_visitors(chat_inbox: Inbox) -> None:
    response = Client().get("/chat-demo")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
    assert chat.widget_settings(chat_inbox).token not in response.content.decode()


@pytest.mark.parametrize("role", ["agent", "supervisor", "admin"])
def test_demo_page_shows_a_chat_inbox_of_the_agents_own_brand(
    brand: Brand, other_brand: Brand, make_agent: Callable[..., Agent], role: str
) -> None:
    theirs = conversations.create_inbox(brand_id=other_brand.pk, name="Their chat", channel="chat")
    mine = conversations.create_inbox(brand_id=brand.pk, name="My chat", channel="chat")
    for me, inbox, other in (
        (make_agent(role), mine, theirs),
        (make_agent(role, brands=[other_brand]), theirs, mine),
    ):
        html = _signed_in(me).get("/chat-demo").content.decode()
        assert chat.widget_settings(inbox).token in html
        assert chat.widget_settings(other).token not in html
        assert other.brand.name not in html


def test_ensure_widget_keeps_existing_keys_and_refuses_other_channels(
    brand: Brand, chat_inbox: Inbox
) -> None:
    before = chat.widget_settings(chat_inbox)
    again = chat.ensure_widget(Inbox.objects.get(pk=chat_inbox.pk))
    assert chat.widget_settings(again) == before
    assert len(before.token) >= 20 and len(before.secret) == 64
    mail = conversations.create_inbox(brand_id=brand.pk, name="Mail", channel="email")
    try:
        chat.ensure_widget(mail)
    except Exception as exc:
        assert getattr(exc, "field", None) == "inbox"
    else:
        raise AssertionError("an email inbox got a widget")


def test_a_chat_inbox_made_on_first_use_has_its_widget(
    brand: Brand, make_agent: Callable[..., Agent]
) -> None:
    """However a chat inbox comes to be (made by the API, or on the first chat item an
    integration posts), it has a widget token from the start, and the demo page shows it."""
    inbox = conversations.default_inbox(brand.pk, "chat")
    assert inbox.channel == "chat"
    token = chat.widget_settings(inbox).token
    assert len(token) >= chat.MIN_TOKEN_CHARS
    assert chat.widget_settings(inbox).secret
    assert conversations.default_inbox(brand.pk, "chat").pk == inbox.pk  # made once
    response = _signed_in(make_agent()).get("/chat-demo")
    assert response.status_code == 200
    assert f'data-inbox="{token}"' in response.content.decode()
