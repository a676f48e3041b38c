"""The three-pane workspace through Django's test client: /inbox/c/<id>/ is the inbox with
the conversation open, htmx's switch of conversation gets only the open pane, the list rows
carry preview, unread mark, mood and avatar, and the agent's theme is kept."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.cache import cache
from django.test import Client

from tests.factories import quick_conversation
from wowdesk.conversations import services as conversations
from wowdesk.conversations.models import Conversation, Message
from wowdesk.core.models import Agent, Brand, Role
from wowdesk.web import avatar, present
from wowdesk.web.models import ConversationSeen

PANE = {"HX-Request": "true", "HX-Target": "open-pane"}
ROLES = [Role.AGENT, Role.SUPERVISOR, Role.ADMIN]


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    cache.clear()


def _client(agent: Agent) -> Client:
    client = Client()
    client.force_login(agent.user)
    return client


def _row(html: str, conversation: Conversation) -> str:
    start = html.index(f'data-conversation-id="{conversation.pk}"')
    start = html.rindex("<li", 0, start)
    return html[start : html.index("</li>", start)]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("side", ["brand", "other_brand"])
def test_each_role_of_each_brand_opens_its_own_conversations_only(
    role: str,
    side: str,
    brand: Brand,
    other_brand: Brand,
    make_agent: Callable[..., Agent],
) -> None:
    mine_brand, their_brand = (brand, other_brand) if side == "brand" else (other_brand, brand)
    mine = quick_conversation(mine_brand, subject="Own lamp")
    theirs = quick_conversation(their_brand, subject="Their lamp")
    client = _client(make_agent(role, brands=[mine_brand]))

    page = client.get(f"/inbox/c/{mine.pk}/?view=all")
    assert page.status_code == 200
    html = page.content.decode()
    # the three panes: the list, the open conversation, its context panel
    assert '<div id="inbox-list"' in html
    assert f'<div id="open-pane" class="open-pane" data-conversation-id="{mine.pk}"' in html
    assert 'id="context-pane"' in html and 'id="customer-panel"' in html
    assert 'class="workspace has-open"' in html
    assert "selected" in _row(html, mine)
    assert "Their lamp" not in html

    partial = client.get(f"/inbox/c/{mine.pk}/?view=all", headers=PANE)
    assert partial.status_code == 200
    body = partial.content.decode()
    assert body.lstrip().startswith('<div id="open-pane"')
    assert "<html" not in body and 'id="inbox-list"' not in body
    assert f"<title>#{mine.number} Own lamp · wowdesk</title>" in body
    assert 'id="composer-body"' in body and 'id="props-panel"' in body

    for headers in ({}, PANE):
        assert client.get(f"/inbox/c/{theirs.pk}/", headers=headers).status_code == 404
    assert not ConversationSeen.objects.filter(conversation=theirs).exists()


def test_a_history_restore_gets_the_whole_page(brand: Brand, agent: Agent) -> None:
    conversation = quick_conversation(brand)
    html = (
        _client(agent)
        .get(
            f"/inbox/c/{conversation.pk}/",
            headers={**PANE, "HX-History-Restore-Request": "true"},
        )
        .content.decode()
    )
    assert "<html" in html and 'id="inbox-list"' in html and 'id="open-pane"' in html


def test_the_inbox_without_a_conversation_says_what_to_do(brand: Brand, agent: Agent) -> None:
    quick_conversation(brand)
    html = _client(agent).get("/inbox/?view=all").content.decode()
    assert 'class="open-pane is-empty"' in html
    assert "No conversation open" in html
    assert '<h1 id="inbox-title"' in html


def test_unread_until_the_agent_opens_it_and_again_after_the_customer_writes(
    brand: Brand, make_agent: Callable[..., Agent]
) -> None:
    ana, bo = make_agent(Role.AGENT), make_agent(Role.AGENT)
    lamp = quick_conversation(brand, subject="Lamp")
    chair = quick_conversation(brand, subject="Chair")
    client = _client(ana)

    html = client.get("/inbox/list/?view=all").content.decode()
    assert "unread" in _row(html, lamp) and "unread" in _row(html, chair)

    client.get(f"/inbox/c/{lamp.pk}/")
    html = client.get("/inbox/list/?view=all").content.decode()
    assert "unread" not in _row(html, lamp)
    assert "unread" in _row(html, chair)
    # the mark is the agent's own: Bo has opened nothing
    other = _client(bo).get("/inbox/list/?view=all").content.decode()
    assert "unread" in _row(other, lamp)

    # an agent's reply or note does not make it unread; the customer's next message does
    conversations.add_reply(lamp, author=ana, body="On it", private=True)
    html = client.get("/inbox/list/?view=all").content.decode()
    assert "unread" not in _row(html, lamp)
    conversations.append_incoming(
        lamp, lamp.customer, conversations.IncomingMessage(body="Any news?", channel="api")
    )
    html = client.get("/inbox/list/?view=all").content.decode()
    assert "unread" in _row(html, lamp)
    client.get(f"/inbox/c/{lamp.pk}/", headers=PANE)  # opened beside the list
    html = client.get("/inbox/list/?view=all").content.decode()
    assert "unread" not in _row(html, lamp)


def test_the_row_previews_the_newest_message_and_shows_the_mood(brand: Brand, agent: Agent) -> None:
    lamp = quick_conversation(
        brand, subject="Lamp", body="The   shade\nis cracked", name="Ana Costa"
    )
    client = _client(agent)
    row = _row(client.get("/inbox/list/?view=all").content.decode(), lamp)
    assert '<span class="preview" dir="auto">The shade is cracked</span>' in row
    assert 'class="avatar hue-' in row and ">AC</span>" in row
    assert "badge mood" not in row  # no emotion scored yet

    Message.objects.filter(conversation=lamp).update(emotion=-0.8, emotion_label="angry")
    conversations.add_reply(lamp, author=agent, body="x" * 500, private=False)
    conversations.update_conversation(lamp, actor=agent, status="pending")  # an activity line
    row = _row(client.get("/inbox/list/?view=all&status=any").content.decode(), lamp)
    # the newest message that is not an activity, cut to PREVIEW_CHARS, marked as ours
    assert 'preview-out" dir="auto">' in row and "x" * 160 in row and "x" * 161 not in row
    assert 'class="badge mood mood-neg"' in row and "angry" in row


@pytest.mark.parametrize(
    ("name", "letters"),
    [
        ("Ana Costa", "AC"),
        ("ana maria  costa", "AC"),
        ("Zoe", "Z"),
        ("王小明", "王小"),
        ("zoe@example.com", "Z"),
        ("", "?"),
        ("  ", "?"),
        ("محمد علي", "مع"),
    ],
)
def test_initials(name: str, letters: str) -> None:
    assert avatar.initials(name) == letters


def test_the_hue_is_stable_and_spread() -> None:
    names = [f"Customer {i}" for i in range(200)]
    hues = [avatar.hue(n) for n in names]
    assert hues == [avatar.hue(n) for n in names]
    assert all(0 <= h < avatar.HUES for h in hues)
    assert len(set(hues)) == avatar.HUES
    assert avatar.hue("Ana Costa") == avatar.hue(" ana costa ")


@pytest.mark.parametrize(
    ("minutes", "text", "overdue"),
    [
        (25, "due in 25 min", False),
        (0.5, "due in 0 min", False),
        (90, "due in 1 h", False),
        (3 * 24 * 60, "due in 3 d", False),
        (-5, "overdue 5 min", True),
        (-125, "overdue 2 h", True),
        (-50 * 60, "overdue 2 d", True),
    ],
)
def test_sla_clock(minutes: float, text: str, overdue: bool) -> None:
    import datetime as dt

    now = dt.datetime(2026, 1, 5, 12, 0, tzinfo=dt.UTC)
    assert present.sla_clock(now + dt.timedelta(minutes=minutes), now) == (text, overdue)
    assert present.sla_clock(None, now) == ("", False)


@pytest.mark.parametrize("role", ROLES)
def test_each_role_keeps_a_theme(role: str, make_agent: Callable[..., Agent]) -> None:
    agent = make_agent(role)
    client = _client(agent)
    assert 'data-theme="system"' in client.get("/inbox/").content.decode()
    for theme in ("dark", "light", "system", "dark"):
        response = client.post("/settings/theme/", {"theme": theme, "next": "/inbox/"})
        assert response.status_code == 302 and response["Location"] == "/inbox/"
        agent.refresh_from_db()
        assert agent.ui_theme == theme
    assert 'data-theme="dark"' in client.get("/inbox/").content.decode()
    assert (
        client.post(
            "/settings/theme/", {"theme": "light"}, headers={"HX-Request": "true"}
        ).status_code
        == 204
    )


@pytest.mark.parametrize("bad", ["", "blue", "DARK", "dark\n", "x" * 1000])
def test_a_bad_theme_is_refused_with_the_field(bad: str, agent: Agent) -> None:
    response = _client(agent).post("/settings/theme/", {"theme": bad})
    assert response.status_code == 400
    assert response.content.decode().startswith("theme:")
    agent.refresh_from_db()
    assert agent.ui_theme == "system"


@pytest.mark.parametrize("nxt", ["https://evil.example/", "//evil.example/", "javascript:alert(1)"])
def test_the_theme_switch_goes_back_only_to_this_site(nxt: str, agent: Agent) -> None:
    response = _client(agent).post("/settings/theme/", {"theme": "dark", "next": nxt})
    assert response["Location"] == "/inbox/"


def test_the_theme_needs_a_signed_in_agent(db: None) -> None:
    response = Client().post("/settings/theme/", {"theme": "dark"})
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
