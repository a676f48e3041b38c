"""The workspace pages through Django's test client: access, the inbox views and counts,
working a conversation, and query counts that stay constant with more rows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from tests.factories import quick_conversation
from wowdesk.conversations import services as conversations
from wowdesk.conversations.models import (
    Attachment,
    Conversation,
    Direction,
    Macro,
    OutboxMessage,
    Status,
)
from wowdesk.core.fields import definitions
from wowdesk.core.models import Agent, Brand, Role, Team
from wowdesk.customers.models import Purchase
from wowdesk.web import auth

PASSWORD = "correct-horse-battery-staple"


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    cache.clear()


@pytest.fixture
def login(db: None) -> Callable[[Agent], Client]:
    def make(agent: Agent) -> Client:
        client = Client()
        client.force_login(agent.user)
        return client

    return make


def test_login_page_signs_in_and_goes_to_the_inbox(
    make_agent: Callable[..., Agent],
) -> None:
    agent = make_agent(Role.AGENT, email="ana@example.com", password=PASSWORD)
    client = Client()
    response = client.post("/login/", {"username": "ana@example.com", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/inbox/"
    assert client.get("/inbox/").status_code == 200
    agent.refresh_from_db()
    assert agent.presence == "online"


def test_login_locks_after_repeated_failures_even_with_the_right_password(
    make_agent: Callable[..., Agent],
) -> None:
    make_agent(Role.AGENT, email="ana@example.com", password=PASSWORD)
    client = Client()
    for _ in range(auth.MAX_FAILURES):
        r = client.post("/login/", {"username": "ana@example.com", "password": "wrong"})
        assert r.status_code == 200
        assert "_auth_user_id" not in client.session
    r = client.post("/login/", {"username": "ANA@example.com", "password": PASSWORD})
    assert r.status_code == 200
    assert "Too many failed attempts" in r.content.decode()
    assert "_auth_user_id" not in client.session
    # Another address is not locked out by this one's failures.
    other = Client(REMOTE_ADDR="10.0.0.9")
    r = other.post("/login/", {"username": "ana@example.com", "password": PASSWORD})
    assert r.status_code == 302


def test_a_success_resets_the_failure_count(make_agent: Callable[..., Agent]) -> None:
    make_agent(Role.AGENT, email="ana@example.com", password=PASSWORD)
    client = Client()
    for _ in range(auth.MAX_FAILURES - 1):
        client.post("/login/", {"username": "ana@example.com", "password": "wrong"})
    assert (
        client.post("/login/", {"username": "ana@example.com", "password": PASSWORD}).status_code
        == 302
    )
    assert auth.failures("ana@example.com", "127.0.0.1") == 0


@pytest.mark.parametrize(
    "path", ["/inbox/", "/inbox/list/", "/supervisor/", "/inbox/c/1/", "/password/"]
)
def test_workspace_pages_need_a_login(db: None, path: str) -> None:
    response = Client().get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=")


def test_supervisor_board_is_for_supervisors_and_admins(
    make_agent: Callable[..., Agent], login: Callable[[Agent], Client]
) -> None:
    assert login(make_agent(Role.AGENT)).get("/supervisor/").status_code == 403
    assert login(make_agent(Role.SUPERVISOR)).get("/supervisor/").status_code == 200
    assert login(make_agent(Role.ADMIN)).get("/supervisor/").status_code == 200


def test_a_user_without_an_agent_record_is_refused(db: None) -> None:
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user("plain", password=PASSWORD)
    client = Client()
    client.force_login(user)
    assert client.get("/inbox/").status_code == 403


def test_another_brands_conversation_is_not_found(
    brand: Brand, other_brand: Brand, agent: Agent, login: Callable[[Agent], Client]
) -> None:
    theirs = quick_conversation(other_brand, subject="Globex secret")
    mine = quick_conversation(brand, subject="Acme lamp")
    client = login(agent)
    assert client.get(f"/inbox/c/{theirs.pk}/").status_code == 404
    assert client.post(f"/inbox/c/{theirs.pk}/reply/", {"body": "hi"}).status_code == 404
    page = client.get("/inbox/?view=all").content.decode()
    assert "Acme lamp" in page
    assert "Globex secret" not in page
    assert client.get(f"/inbox/c/{mine.pk}/").status_code == 200


def _inbox_subjects(client: Client, **params: Any) -> list[str]:
    response = client.get("/inbox/list/", params)
    assert response.status_code == 200
    import re

    return re.findall(r'<span class="subject"[^>]*>([^<]*)</span>', response.content.decode())


def test_inbox_views_filter_and_count(
    brand: Brand, make_agent: Callable[..., Agent], login: Callable[[Agent], Client]
) -> None:
    me = make_agent(Role.AGENT)
    colleague = make_agent(Role.AGENT)
    team = Team.objects.create(brand=brand, name="Lamps")
    team.members.add(me)
    mine = quick_conversation(brand, subject="mine")
    conversations.update_conversation(mine, actor=None, assignee_id=me.pk)
    theirs = quick_conversation(brand, subject="theirs")
    conversations.update_conversation(theirs, actor=None, assignee_id=colleague.pk, team_id=team.pk)
    quick_conversation(brand, subject="nobody's", channel="email")
    done = quick_conversation(brand, subject="done")
    conversations.update_conversation(done, actor=None, status=Status.RESOLVED)

    client = login(me)
    assert _inbox_subjects(client, view="mine") == ["mine"]
    assert _inbox_subjects(client, view="unassigned") == ["nobody&#x27;s"]
    assert _inbox_subjects(client, view="team") == ["theirs"]
    assert sorted(_inbox_subjects(client, view="all")) == sorted(
        ["mine", "theirs", "nobody&#x27;s"]
    )
    assert _inbox_subjects(client, view="all", status="resolved") == ["done"]
    assert _inbox_subjects(client, view="all", channel="email") == ["nobody&#x27;s"]
    assert _inbox_subjects(client, view="all", q=f"#{done.number}", status="any") == ["done"]

    from wowdesk.web import inbox

    counts = inbox.counts(me)
    assert counts.views["mine"] == 1
    assert counts.views["unassigned"] == 1
    assert counts.views["team"] == 1
    assert counts.views["all"] == 3
    assert dict((c, n) for c, _label, n in counts.channels) == {"api": 2, "email": 1}


def test_inbox_search_by_customer_and_text(
    brand: Brand, agent: Agent, login: Callable[[Agent], Client]
) -> None:
    quick_conversation(brand, subject="Broken lamp", name="Zoe Quark")
    quick_conversation(brand, subject="Invoice", body="the invoice shows the wrong address")
    client = login(agent)
    assert _inbox_subjects(client, view="all", q="Quark") == ["Broken lamp"]
    assert _inbox_subjects(client, view="all", q="wrong address") == ["Invoice"]


def test_inbox_pages_and_sorts(
    brand: Brand, agent: Agent, login: Callable[[Agent], Client]
) -> None:
    for i in range(30):
        quick_conversation(brand, subject=f"c{i:02d}")
    client = login(agent)
    first = _inbox_subjects(client, view="all")
    second = _inbox_subjects(client, view="all", page=2)
    assert len(first) == 25 and len(second) == 5
    assert first[0] == "c29" and second[-1] == "c00"
    assert _inbox_subjects(client, view="all", sort="oldest")[0] == "c00"


def test_htmx_filter_swaps_only_the_list(
    brand: Brand, agent: Agent, login: Callable[[Agent], Client]
) -> None:
    quick_conversation(brand, subject="one")
    response = login(agent).get(
        "/inbox/", {"view": "all"}, headers={"HX-Request": "true", "HX-Target": "inbox-list"}
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="inbox-list"')
    assert "<html" not in html


def test_conversation_page_shows_the_thread_and_the_customer(
    brand: Brand, agent: Agent, login: Callable[[Agent], Client]
) -> None:
    conversation = quick_conversation(brand, subject="Lamp", body="The shade is cracked")
    customer = conversation.customer
    soon = timezone.localdate() + dt.timedelta(days=10)
    later = timezone.localdate() + dt.timedelta(days=200)
    Purchase.objects.create(
        brand=brand, customer=customer, product="Desk lamp", warranty_until=soon
    )
    Purchase.objects.create(
        brand=brand, customer=customer, product="Floor lamp", warranty_until=later
    )
    earlier = quick_conversation(brand, subject="Earlier question", email=customer.email)
    conversations.update_conversation(earlier, actor=None, status=Status.RESOLVED)

    html = login(agent).get(f"/inbox/c/{conversation.pk}/").content.decode()
    assert f'<section id="thread" data-conversation-id="{conversation.pk}"' in html
    assert "The shade is cracked" in html
    assert 'id="composer-body"' in html
    assert '<div id="collision" aria-live="polite"></div>' in html
    assert f'data-agent-id="{agent.pk}"' in html and f'data-brand-id="{brand.pk}"' in html
    assert "Earlier question" in html
    assert '<li class="warranty-expiring">' in html and "Desk lamp" in html
    assert '<li class="warranty-valid">' in html


def test_message_partial_returns_one_article(
    brand: Brand, agent: Agent, login: Callable[[Agent], Client]
) -> None:
    conversation = quick_conversation(brand, body="Hello there")
    message = conversation.messages.get()
    html = login(agent).get(f"/inbox/c/{conversation.pk}/messages/{message.pk}/").content.decode()
    assert html.lstrip().startswith(f'<article class="message dir-in" id="message-{message.pk}"')
    assert html.count("<article") == 1


def test_reply_note_and_send_and_resolve(
    brand: Brand, agent: Agent, login: Callable[[Agent], Client]
) -> None:
    conversation = quick_conversation(brand)
    client = login(agent)
    url = f"/inbox/c/{conversation.pk}/reply/"
    assert client.post(url, {"body": "We send a new shade.", "mode": "reply"}).status_code == 302
    assert client.post(url, {"body": "Customer is a regular.", "mode": "note"}).status_code == 302
    out = conversation.messages.get(direction=Direction.OUT)
    note = conversation.messages.get(direction=Direction.NOTE)
    assert out.body == "We send a new shade." and out.author == agent
    assert note.body == "Customer is a regular."
    assert OutboxMessage.objects.filter(message=out).exists()
    assert not OutboxMessage.objects.filter(message=note).exists()
    client.post(url, {"body": "Done, enjoy!", "mode": "reply", "resolve": "1"})
    conversation.refresh_from_db()
    assert conversation.status == Status.RESOLVED
    # An empty reply is refused with a message, nothing written.
    before = conversation.messages.count()
    response = client.post(url, {"body": "   ", "mode": "reply"}, follow=True)
    assert "A reply cannot be empty." in response.content.decode()
    assert conversation.messages.count() == before


def test_attachments_are_stored_and_downloadable(
    brand: Brand, agent: Agent, login: Callable[[Agent], Client], settings: Any, tmp_path: Any
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    conversation = quick_conversation(brand)
    client = login(agent)
    upload = SimpleUploadedFile("label.txt", b"return label", content_type="text/plain")
    client.post(
        f"/inbox/c/{conversation.pk}/reply/", {"body": "Label attached", "attachments": upload}
    )
    att = Attachment.objects.get()
    assert att.filename == "label.txt" and att.size == 12 and att.brand_id == brand.pk
    response = client.get(f"/inbox/c/{conversation.pk}/attachments/{att.pk}/")
    assert b"".join(response.streaming_content) == b"return label"  # type: ignore[attr-defined]


def test_side_panel_updates_through_the_service(
    brand: Brand, agent: Agent, login: Callable[[Agent], Client]
) -> None:
    conversation = quick_conversation(brand)
    team = Team.objects.create(brand=brand, name="Lamps")
    conversations.ensure_tags(brand.pk, ["refund", "vip"])  # agents tag with existing tags
    client = login(agent)
    client.post(f"/inbox/c/{conversation.pk}/update/", {"assignee": "me"})
    client.post(
        f"/inbox/c/{conversation.pk}/update/",
        {
            "assignee": str(agent.pk),
            "team": str(team.pk),
            "status": "pending",
            "priority": "high",
            "tags": "refund, VIP",
        },
    )
    conversation.refresh_from_db()
    assert conversation.assignee_id == agent.pk
    assert conversation.team_id == team.pk
    assert conversation.status == "pending" and conversation.priority == "high"
    assert sorted(t.name for t in conversation.tags.all()) == ["refund", "vip"]
    activities = list(
        conversation.messages.filter(direction=Direction.ACTIVITY).values_list("body", flat=True)
    )
    assert any(agent.display_name in a for a in activities)


def test_macro_is_rendered_for_the_conversation(
    brand: Brand, agent: Agent, login: Callable[[Agent], Client]
) -> None:
    conversation = quick_conversation(brand, name="Ana Lima")
    macro = Macro.objects.create(
        brand=brand, name="Thanks", body="Hi {{ customer.first_name }}, {{ agent.name }} here."
    )
    response = login(agent).get(f"/inbox/c/{conversation.pk}/macros/{macro.pk}/")
    assert response.content.decode() == f"Hi Ana, {agent.display_name} here."


def test_ui_language_is_kept_on_the_agent(
    make_agent: Callable[..., Agent], login: Callable[[Agent], Client]
) -> None:
    agent = make_agent(Role.AGENT, email="li@example.com", password=PASSWORD)
    client = login(agent)
    client.post("/settings/language/", {"language": "zh-hans", "next": "/inbox/"})
    agent.refresh_from_db()
    assert agent.ui_language == "zh-hans"
    # A new login brings the choice back.
    fresh = Client()
    response = fresh.post("/login/", {"username": "li@example.com", "password": PASSWORD})
    assert response.cookies["django_language"].value == "zh-hans"


def test_supervisor_board_shows_load_and_queue(
    brand: Brand, make_agent: Callable[..., Agent], login: Callable[[Agent], Client]
) -> None:
    boss = make_agent(Role.SUPERVISOR)
    worker = make_agent(Role.AGENT, name="Wanda Worker")
    busy = quick_conversation(brand, subject="busy")
    conversations.update_conversation(busy, actor=None, assignee_id=worker.pk)
    quick_conversation(brand, subject="Waiting in line")
    html = login(boss).get("/supervisor/").content.decode()
    assert "Wanda Worker" in html
    assert "1 / 10" in html
    assert "Waiting in line" in html


# --- query counts -------------------------------------------------------------------------


def _populate(brand: Brand, agent: Agent, n: int) -> Conversation:
    last = None
    for i in range(n):
        last = quick_conversation(brand, subject=f"q{i}")
        conversations.update_conversation(last, actor=None, assignee_id=agent.pk, tags=["x"])
        conversations.add_reply(last, author=agent, body="ok")
    assert last is not None
    return last


@pytest.mark.parametrize("n", [2, 12])
def test_inbox_query_count_is_constant(
    brand: Brand,
    agent: Agent,
    login: Callable[[Agent], Client],
    django_assert_num_queries: Any,
    n: int,
) -> None:
    _populate(brand, agent, n)
    client = login(agent)
    client.get("/inbox/list/")  # warm the session
    cache.clear()  # the list computed the counts too
    definitions.table()  # the custom field definitions, read once per process (core/fields.py)
    # session, user, agent, brands, teams, page ids, page rows (with the previews), the
    # agent's "seen" marks of the page, counts, inboxes, saved views, the bulk toolbar's
    # agents, teams, tags and macros, and the header's unread notifications
    with django_assert_num_queries(16):
        assert client.get("/inbox/?view=mine").status_code == 200
    # the counts and the toolbar's choices come from the cache for a few seconds
    with django_assert_num_queries(10):
        assert client.get("/inbox/?view=mine&sort=oldest").status_code == 200
    # the list brings the sidebar's counts along (from the cache; the teams name its key)
    with django_assert_num_queries(8):
        assert client.get("/inbox/list/?view=all&sort=oldest").status_code == 200


@pytest.mark.parametrize("n", [2, 12])
def test_conversation_query_count_is_constant(
    brand: Brand,
    agent: Agent,
    login: Callable[[Agent], Client],
    django_assert_num_queries: Any,
    n: int,
) -> None:
    conversation = _populate(brand, agent, n)
    for i in range(n):
        conversations.add_reply(conversation, author=agent, body=f"more {i}", private=True)
        Purchase.objects.create(brand=brand, customer=conversation.customer, product=f"p{i}")
    Macro.objects.create(brand=brand, name="Hello", body="Hello")
    client = login(agent)
    client.get(f"/inbox/c/{conversation.pk}/")
    # the conversation (16), the agent's "seen" mark (1), the three-pane page's list:
    # teams (the counts' cache key), page ids, page rows, the page's "seen" marks (4), the
    # sidebar's saved views with the agent's teams (2), the header's unread notifications (1)
    with django_assert_num_queries(24):
        assert client.get(f"/inbox/c/{conversation.pk}/").status_code == 200


def test_password_change(make_agent: Callable[..., Agent]) -> None:
    agent = make_agent(Role.AGENT, email="ana@example.com", password=PASSWORD)
    client = Client()
    client.force_login(agent.user)
    new = "another-long-passphrase-42"
    response = client.post(
        "/password/",
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert response.status_code == 302 and response["Location"] == "/password/done/"
    agent.user.refresh_from_db()
    assert agent.user.check_password(new)
    # A wrong old password changes nothing.
    response = client.post(
        "/password/", {"old_password": "nope", "new_password1": "x" * 20, "new_password2": "x" * 20}
    )
    assert response.status_code == 200
    agent.user.refresh_from_db()
    assert agent.user.check_password(new)


def test_logout_signs_out_and_sets_the_agent_offline(
    make_agent: Callable[..., Agent],
) -> None:
    agent = make_agent(Role.AGENT, email="ana@example.com", password=PASSWORD)
    client = Client()
    client.post("/login/", {"username": "ana@example.com", "password": PASSWORD})
    assert client.post("/logout/").status_code == 302
    assert client.get("/inbox/").status_code == 302
    agent.refresh_from_db()
    assert agent.presence == "offline"


def test_a_long_thread_shows_the_newest_messages_first(
    brand: Brand, agent: Agent, login: Callable[[Agent], Client], monkeypatch: Any
) -> None:
    from wowdesk.web import views

    monkeypatch.setattr(views, "THREAD_LIMIT", 3)
    conversation = quick_conversation(brand, body="first words")
    for i in range(4):
        conversations.add_reply(conversation, author=agent, body=f"reply {i}", private=True)
    client = login(agent)
    html = client.get(f"/inbox/c/{conversation.pk}/").content.decode()
    assert html.count('<article class="message') == 3
    assert "reply 3" in html and "first words" not in html
    assert "Show earlier messages" in html
    everything = client.get(f"/inbox/c/{conversation.pk}/?all=1").content.decode()
    assert everything.count('<article class="message') == 5
    assert "Show earlier messages" not in everything
