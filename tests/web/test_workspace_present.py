"""The precomputed rows of the inbox and the thread (``wowdesk.web.present``): the same text
Django's template filters gave, escaped, in the agent's time zone and language."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.template.defaultfilters import date as date_filter
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.factories import quick_conversation
from wowdesk.conversations import services as conversations
from wowdesk.conversations.models import Message, Priority
from wowdesk.core.models import Agent, Brand, Role
from wowdesk.routing.models import ConversationSla
from wowdesk.web import present

ZONES = ["UTC", "Asia/Shanghai", "America/St_Johns", "Pacific/Chatham", "Europe/Berlin"]


@settings(max_examples=200, deadline=None)
@given(
    when=st.datetimes(
        min_value=dt.datetime(1971, 1, 1),
        max_value=dt.datetime(2100, 1, 1),
        timezones=st.just(dt.UTC),
    ),
    zone=st.sampled_from(ZONES),
    language=st.sampled_from(["en", "zh-hans"]),
)
def test_times_match_the_date_filter(when: dt.datetime, zone: str, language: str) -> None:
    with translation.override(language), timezone.override(zone):
        f = present.Formats()
        local = timezone.localtime(when)
        short = "M j, H:i" if language == "en" else "m月j日 H:i"
        assert f.short(when) == date_filter(local, short)
        assert f.hm(when) == date_filter(local, "H:i")
        assert f.full(when) == date_filter(local, "Y-m-d H:i T")
        assert f.iso(when) == date_filter(local, "c")


@settings(max_examples=100, deadline=None)
@given(a=st.integers(0, 10**12), b=st.integers(0, 10**12))
def test_urls_match_reverse(a: int, b: int) -> None:
    f = present.Formats()
    assert f.url("web:conversation", a) == reverse("web:conversation", args=[a])
    assert f.url("web:attachment", a, b) == reverse("web:attachment", args=[a, b])
    assert f.url("web:translate", b, a) == reverse("web:translate", args=[b, a])


@pytest.fixture
def worked(brand: Brand, make_agent: Callable[..., Agent]) -> tuple[Agent, int]:
    """A conversation with everything a row and a message can show."""
    agent = make_agent(Role.AGENT, email="ana@example.com", name="Ana <b>")
    conversation = quick_conversation(
        brand, subject="<script>x</script> broken", body="line one\nline <two>", name="Zoë & Co"
    )
    conversations.update_conversation(
        conversation, actor=agent, assignee_id=agent.pk, priority=Priority.URGENT
    )
    ConversationSla.objects.update_or_create(
        conversation=conversation,
        defaults={
            "brand": brand,
            "due_at": dt.datetime(2030, 5, 6, 7, 8, tzinfo=dt.UTC),
            "state": "warning",
        },
    )
    incoming = Message.objects.filter(conversation=conversation, direction="in").get()
    Message.objects.filter(pk=incoming.pk).update(
        emotion=-0.73, emotion_label="angry", language="de"
    )
    reply = conversations.add_reply(conversation, author=agent, body="Hi", private=True)
    conversations.add_attachment(reply, filename="r<1>.txt", content=b"x" * 2048)
    agent.timezone = "Asia/Shanghai"
    agent.save()
    return agent, conversation.pk


@pytest.fixture
def seen(worked: tuple[Agent, int]) -> tuple[Client, int]:
    """The worked conversation's agent, logged in, and the conversation's id."""
    agent, pk = worked
    client = Client()
    client.force_login(agent.user)
    return client, pk


def test_inbox_row_shows_escaped_precomputed_fields(seen: tuple[Client, int]) -> None:
    client, pk = seen
    html = client.get("/inbox/?view=mine").content.decode()
    assert f'data-conversation-id="{pk}"' in html
    assert "&lt;script&gt;x&lt;/script&gt; broken" in html
    assert "<script>x</script>" not in html
    assert "Zoë &amp; Co" in html
    assert "Ana &lt;b&gt;" in html
    assert 'class="badge prio-urgent">Urgent<' in html
    # the SLA time in the agent's zone (UTC+8)
    assert 'class="badge sla-warning" title="SLA due 15:08">' in html


def test_thread_shows_escaped_precomputed_fields(seen: tuple[Client, int]) -> None:
    client, pk = seen
    html = client.get(f"/inbox/c/{pk}/").content.decode()
    assert "line one<br>line &lt;two&gt;" in html
    assert 'class="badge emotion emotion-neg" title="Emotion -0.73">angry -0.7<' in html
    assert 'lang="de"' in html
    assert f'hx-get="/inbox/c/{pk}/messages/' in html  # translate button on incoming only
    assert html.count('translate" hx-get') == 1
    assert 'r&lt;1&gt;.txt</bdi></a> <span class="muted">(2.0\xa0KB)</span>' in html
    assert '<bdi class="who">Zoë &amp; Co</bdi>' in html
    assert '<bdi class="who">Ana &lt;b&gt;</bdi>' in html


def test_one_message_partial_matches_the_thread(seen: tuple[Client, int]) -> None:
    client, pk = seen
    page = client.get(f"/inbox/c/{pk}/").content.decode()
    for m in Message.objects.filter(conversation_id=pk):
        part = client.get(f"/inbox/c/{pk}/messages/{m.pk}/").content.decode().strip()
        assert part.startswith(f'<article class="message dir-{m.direction}" id="message-{m.pk}"')
        assert part in page


def test_chinese_labels_and_months(seen: tuple[Client, int]) -> None:
    client, pk = seen
    client.post("/settings/language/", {"language": "zh-hans", "next": "/inbox/"})
    html = client.get(f"/inbox/c/{pk}/").content.decode()
    assert "内部备注" in html or "备注" in html  # the note's direction label
    with translation.override("zh-hans"), timezone.override("Asia/Shanghai"):
        created = Message.objects.filter(conversation_id=pk).first()
        assert created is not None
        shown = date_filter(timezone.localtime(created.created_at), "m月j日 H:i")
        assert f">{shown}</time>" in html


def test_empty_views_say_what_to_do_next(brand: Brand, make_agent: Callable[..., Agent]) -> None:
    agent = make_agent(Role.AGENT)
    quick_conversation(brand, subject="Waiting for someone")
    client = Client()
    client.force_login(agent.user)
    mine = client.get("/inbox/?view=mine").content.decode()
    assert "Nothing is assigned to you right now." in mine
    assert 'href="/inbox/?view=unassigned"' in mine
    found = client.get("/inbox/list/?view=all&q=nothing-like-this").content.decode()
    assert "No conversation matches “nothing-like-this”." in found
    assert 'href="/inbox/?view=all">Clear the search<' in found
    none = client.get("/inbox/list/?view=team").content.decode()
    assert "No conversation here." in none
    assert 'href="/inbox/?view=team&amp;status=any">Show every status<' in none


def test_wrong_password_speaks_of_the_email(make_agent: Callable[..., Agent]) -> None:
    make_agent(Role.AGENT, email="ana@example.com")
    html = (
        Client()
        .post("/login/", {"username": "ana@example.com", "password": "wrong"})
        .content.decode()
    )
    assert "That email and password do not match an account." in html
    assert "username" not in html.split('id="login-form"')[1].split("</form>")[0].lower().replace(
        'name="username"', ""
    ).replace('autocomplete="username"', "").replace("id_username", "")


def test_missing_conversation_gets_a_page_with_a_way_back(
    make_agent: Callable[..., Agent],
) -> None:
    client = Client()
    client.force_login(make_agent(Role.AGENT).user)
    response = client.get("/inbox/c/999999/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "<h1>Not found</h1>" in html
    assert 'href="/inbox/">Back to the inbox<' in html


def test_a_missed_sla_says_so(seen: tuple[Client, int]) -> None:
    client, pk = seen
    ConversationSla.objects.filter(conversation_id=pk).update(state="breached")
    page = client.get(f"/inbox/c/{pk}/").content.decode()
    assert "SLA missed: was due May 6, 15:08" in page
    row = client.get("/inbox/list/?view=mine").content.decode()
    assert 'class="badge sla-breached" title="SLA missed 15:08">' in row
